/**
 * What the `connect cluster` commands share: connectors addressed by id
 * (`lcc-…`, or by name) resolved through `GET …/connectors?expand=id,info,status`,
 * the connector row model, and `--dry-run` through the validate endpoint.
 */
import type { ValidationReport } from "../../domain/connector-validation.js";
import { ApiError } from "../api-client.js";
import { CliError } from "../cli-error.js";
import type { CliIo, OutputFormat } from "../io.js";
import type { Column } from "../output.js";
import { enc, isNotFound, unknownId, type ConnectTarget } from "../resources.js";
import type { Session } from "../session.js";
import { renderValidation } from "../validation-output.js";

interface ExpandedConnector {
  readonly id?: { readonly id?: string };
  readonly info?: { readonly name?: string; readonly config?: Record<string, string>; readonly type?: string };
  readonly status?: {
    readonly connector?: { readonly state?: string; readonly worker_id?: string; readonly trace?: string; readonly warnings?: readonly ConnectorWarning[] };
    readonly tasks?: readonly { readonly id: number; readonly state?: string; readonly worker_id?: string; readonly msg?: string }[];
    readonly type?: string;
  };
}

export interface ConnectorTask {
  readonly id: number;
  readonly state: string;
  readonly workerId: string;
  readonly trace: string;
}

/** vaultwire's status warnings (e.g. SECRET_NEAR_EXPIRY), as the API gives them. */
export interface ConnectorWarning {
  readonly code: string;
  readonly key: string;
  readonly secret: string;
  readonly expires_at: string;
  readonly message: string;
}

export interface ConnectorEntry {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly state: string;
  /** The worker (host:port) running the connector itself; empty when none is. */
  readonly workerId: string;
  readonly trace: string;
  readonly config: Readonly<Record<string, string>>;
  readonly tasks: readonly ConnectorTask[];
  readonly warnings: readonly ConnectorWarning[];
}

export async function listConnectors(session: Session, target: ConnectTarget): Promise<ConnectorEntry[]> {
  const { body } = await session.client.get<Record<string, ExpandedConnector>>(`${target.base}/connectors`, { expand: "id,info,status" });
  return Object.entries(body).map(([name, entry]) => ({
    id: entry.id?.id ?? "",
    name,
    type: entry.info?.type ?? entry.status?.type ?? "",
    state: entry.status?.connector?.state ?? "",
    workerId: entry.status?.connector?.worker_id ?? "",
    trace: entry.status?.connector?.trace ?? "",
    config: entry.info?.config ?? {},
    tasks: (entry.status?.tasks ?? []).map((t) => ({ id: t.id, state: t.state ?? "", workerId: t.worker_id ?? "", trace: t.msg ?? "" })),
    warnings: entry.status?.connector?.warnings ?? [],
  }));
}

/**
 * Every connector named, by id (or by name), before anything is changed; the
 * first unknown one is an error that lists the connectors that exist.
 */
export async function resolveConnectors(session: Session, target: ConnectTarget, ids: readonly string[]): Promise<ConnectorEntry[]> {
  const connectors = await listConnectors(session, target);
  const found = new Map<string, ConnectorEntry>();
  for (const id of ids) {
    const match = connectors.find((c) => c.id === id) ?? connectors.find((c) => c.name === id);
    if (!match) throw unknownId("connector", id, connectors.map((c) => ({ id: c.id, name: c.name })), "vaultwire connect cluster list", `Kafka cluster "${target.clusterId}"`);
    found.set(match.id, match);
  }
  return [...found.values()];
}

export interface ConnectorRow {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly type: string;
  readonly trace: string;
}

export const CONNECTOR_COLUMNS: readonly Column<ConnectorRow>[] = [
  { key: "id", header: "ID" },
  { key: "name", header: "Name" },
  { key: "status", header: "Status" },
  { key: "type", header: "Type" },
  { key: "trace", header: "Trace", flexible: true },
];

export function connectorRow(entry: ConnectorEntry): ConnectorRow {
  return { id: entry.id, name: entry.name, status: entry.state, type: entry.type, trace: entry.trace };
}

export const CONNECTOR_ID_HELP = "Connectors are named by ID (lcc-...); a connector name works too.";

/** The connect commands' selection flags, as the help prints them. */
export const TARGET_FLAGS_HELP = `      --cluster string       Kafka cluster ID (default: the one in use).
      --environment string   Environment ID; when given, the cluster must belong to it.`;

/**
 * `--dry-run`: validates through the server (every static rule and a live
 * dry run of each secret-manager field), prints every error by key, and
 * returns the exit code (1 when invalid).
 */
export async function dryRun(session: Session, target: ConnectTarget, config: Readonly<Record<string, string>>, name: string | null, output: OutputFormat, io: CliIo): Promise<number> {
  const plugin = config["connector.class"]?.trim() ?? "";
  if (plugin === "") {
    throw new CliError("the configuration has no \"connector.class\"", 1, ["Set \"connector.class\" to a managed plugin; run \"vaultwire connect plugin list\" to see them."]);
  }
  const report = await validateConfig(session, target, plugin, config);
  io.stdout(renderValidation(report, name, output));
  return report.error_count > 0 ? 1 : 0;
}

export async function validateConfig(session: Session, target: ConnectTarget, plugin: string, config: Readonly<Record<string, string>>): Promise<ValidationReport> {
  try {
    return (await session.client.put<ValidationReport>(`${target.base}/connector-plugins/${enc(plugin)}/config/validate`, config)).body;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const plugins = (await session.client.get<{ class: string }[]>(`${target.base}/connector-plugins`)).body;
    throw new CliError(`unknown connector plugin "${plugin}"`, 1, [`Managed plugins: ${plugins.map((p) => p.class).join(", ")}.`, "Run \"vaultwire connect plugin list\" to list them."]);
  }
}

/** A trace as detail lines for an error message. */
export function traceLines(trace: string): string[] {
  return trace.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "");
}

/** A rejected configuration (400 with one line per key) gets a pointer to --dry-run. */
export async function withDryRunHint<T>(call: () => Promise<T>, dryRunCommand: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && error.status === 400 && error.details.length > 0) {
      throw new ApiError(error.message, error.status, error.body, [`Run "${dryRunCommand}" to see the whole validation report.`], error.details);
    }
    throw error;
  }
}
