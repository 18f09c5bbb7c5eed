/** `vaultwire audit list`: the audit trail (GET /audit/v1/events), newest first. */
import { parseArgs } from "node:util";
import { usageError } from "../cli-error.js";
import { HELP_OPTION, OUTPUT_OPTION, expectPositionals, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { printList, type Column } from "../output.js";
import { openSession } from "../session.js";

export const AUDIT_HELP = `Read the audit trail: secret accesses by Kafka Connect workers (granted,
failed, refused), rotations detected and connector restarts. Never a secret value.

Usage:
  vaultwire audit [command]

Available Commands:
  list        List audit events, newest first.

Use "vaultwire audit [command] --help" for more information about a command.
`;

const LIST_HELP = `List audit events, newest first (--oldest-first for the other way).

Usage:
  vaultwire audit list [flags]

Flags:
      --connector string     Only this connector's events: its id (lcc-…) or name.
      --environment string   Only this environment's events.
      --cluster string       Only this Kafka cluster's events.
      --integration string   Only events of connectors using this provider integration.
      --type string          Comma-separated: secret.access, secret.access.refused,
                             rotation.detected, connector.restarted.
      --since string         Events at or after this time: RFC 3339 (2026-01-31T12:00:00Z)
                             or a duration ago (30m, 12h, 7d).
      --until string         Events before this time (same forms).
      --limit int            At most this many events (default 50, at most 10000).
      --oldest-first         Oldest first.
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire audit list --connector orders-cdc --since 24h
  vaultwire audit list --type rotation.detected,connector.restarted -o json
`;

/** The API's event, as far as the CLI reads it. */
interface EventBody {
  id: string;
  type: string;
  time: string;
  environment_id: string | null;
  cluster_id: string | null;
  connector_id: string | null;
  connector_name: string | null;
  integration_id: string | null;
  keys: string[];
  versions: Record<string, string>;
  previous_versions: Record<string, string | null>;
  secrets: Record<string, string>;
  outcome: string;
  reason: string | null;
  worker_credential_id: string | null;
  worker_name: string | null;
  remote_address: string | null;
  user_agent: string | null;
  detected_by: string | null;
  restart_cause: string | null;
}

export interface AuditRow {
  readonly id: string;
  readonly time: string;
  readonly type: string;
  readonly environment: string;
  readonly cluster: string;
  readonly connector: string;
  readonly connector_name: string;
  readonly keys: readonly string[];
  readonly outcome: string;
  /** What the human table shows in one column: versions, from → to and how, the reason or the cause. */
  readonly detail: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly previous_versions: Readonly<Record<string, string | null>>;
  readonly secrets: Readonly<Record<string, string>>;
  readonly reason: string;
  readonly worker_credential: string;
  readonly worker: string;
  readonly remote_address: string;
  readonly detected_by: string;
  readonly restart_cause: string;
}

export const AUDIT_COLUMNS: readonly Column<AuditRow>[] = [
  // To the second, in UTC: the JSON and YAML forms keep the full time.
  { key: "time", header: "Time (UTC)", format: (value) => String(value).slice(0, 19).replace("T", " ") },
  { key: "type", header: "Type" },
  { key: "connector", header: "Connector", flexible: true },
  { key: "detail", header: "Detail", flexible: true, wrap: true },
];

function detailOf(event: EventBody): string {
  switch (event.type) {
    case "rotation.detected":
      return `${Object.entries(event.versions).map(([key, to]) => `${key} ${event.previous_versions[key] ?? "none"} → ${to}`).join(", ")} (${event.detected_by ?? "?"})`;
    case "connector.restarted":
      return `cause ${event.restart_cause ?? "?"}${event.reason === null ? "" : `, ${event.reason}`}`;
    default: {
      const versions = Object.entries(event.versions).map(([key, version]) => `${key}@${version}`).join(", ");
      const who = event.worker_name ?? event.worker_credential_id ?? event.remote_address ?? "";
      return [event.outcome, event.reason ?? versions, who === "" ? "" : `by ${who}`].filter((part) => part !== "").join(" ");
    }
  }
}

export function auditRow(event: EventBody): AuditRow {
  return {
    id: event.id,
    time: event.time,
    type: event.type,
    environment: event.environment_id ?? "",
    cluster: event.cluster_id ?? "",
    connector: event.connector_name ?? event.connector_id ?? "",
    connector_name: event.connector_name ?? "",
    keys: event.keys,
    outcome: event.outcome,
    detail: detailOf(event),
    versions: event.versions,
    previous_versions: event.previous_versions,
    secrets: event.secrets,
    reason: event.reason ?? "",
    worker_credential: event.worker_credential_id ?? "",
    worker: event.worker_name ?? "",
    remote_address: event.remote_address ?? "",
    detected_by: event.detected_by ?? "",
    restart_cause: event.restart_cause ?? "",
  };
}

const AGO = /^(\d{1,6})(s|m|h|d)$/;
const AGO_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An RFC 3339 time as given (the server checks it), or a duration ago as one. */
export function timeFlag(value: string, flag: string, command: string, now: number = Date.now()): string {
  const trimmed = value.trim();
  const ago = AGO.exec(trimmed);
  if (ago) return new Date(now - Number(ago[1]) * (AGO_MS[ago[2] ?? "s"] ?? 1000)).toISOString();
  if (/^\d{4}-\d{2}-\d{2}T/.test(trimmed)) return trimmed;
  throw usageError(`invalid value "${value}" for flag "--${flag}": expected an RFC 3339 time such as 2026-01-31T12:00:00Z or a duration ago such as 30m, 12h or 7d`, command);
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire audit list";
  const { values, positionals } = parseFlags(() => parseArgs({
    args: [...args],
    options: {
      connector: { type: "string" }, environment: { type: "string" }, cluster: { type: "string" }, integration: { type: "string" }, type: { type: "string" },
      since: { type: "string" }, until: { type: "string" }, limit: { type: "string" }, "oldest-first": { type: "boolean" }, ...OUTPUT_OPTION, ...HELP_OPTION,
    },
    strict: true,
    allowPositionals: true,
  }), path);
  if (values.help) {
    io.stdout(LIST_HELP);
    return 0;
  }
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const limitText = values.limit ?? "50";
  const limit = /^\d{1,5}$/.test(limitText) ? Number(limitText) : Number.NaN;
  if (!(limit >= 1 && limit <= 10_000)) throw usageError(`invalid value "${limitText}" for flag "--limit": expected a whole number from 1 to 10000`, path);
  const query = {
    connector: values.connector,
    environment: values.environment,
    cluster: values.cluster,
    integration: values.integration,
    type: values.type,
    since: values.since === undefined ? undefined : timeFlag(values.since, "since", path),
    until: values.until === undefined ? undefined : timeFlag(values.until, "until", path),
    order: values["oldest-first"] === true ? "asc" : undefined,
  };
  const session = await openSession(io);
  const events: EventBody[] = [];
  let token: string | undefined;
  while (events.length < limit) {
    const { body } = await session.client.get<{ data?: EventBody[]; metadata?: { next?: string } }>("/audit/v1/events", { ...query, page_size: String(Math.min(100, limit - events.length)), page_token: token });
    events.push(...(body.data ?? []));
    const next = body.metadata?.next;
    token = next === undefined ? undefined : new URL(next).searchParams.get("page_token") ?? undefined;
    if (token === undefined) break;
  }
  printList(io, output, AUDIT_COLUMNS, events.slice(0, limit).map(auditRow));
  return 0;
}

export const AUDIT_VERBS = { list };
