/**
 * `vaultwire connect offset describe|update|delete <id>` and
 * `vaultwire connect offset status describe <id>`, in the confluent CLI's
 * shapes: a connector's offsets as Kafka Connect manages them, a request to
 * alter (update, from a file) or reset (delete) them, and that request's status.
 */
import { parseArgs } from "node:util";
import { CliError } from "../cli-error.js";
import { commandGroup, type Command } from "../command.js";
import { readJsonFile } from "../config-file.js";
import { CLUSTER_OPTION, ENVIRONMENT_OPTION, expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput, requireFlag } from "../flags.js";
import type { CliIo, OutputFormat } from "../io.js";
import { NONE_FOUND, renderData, renderRecord, renderTable, section, type Column, type Field } from "../output.js";
import { confirmDeletion, connectTarget, enc } from "../resources.js";
import { openSession } from "../session.js";
import { CONNECTOR_ID_HELP, resolveConnectors, TARGET_FLAGS_HELP, type ConnectorEntry } from "./connectors.js";

interface OffsetEntry { readonly partition?: Record<string, unknown>; readonly offset?: Record<string, unknown> | null }
interface OffsetsBody { readonly id?: string; readonly name?: string; readonly offsets?: readonly OffsetEntry[]; readonly metadata?: { readonly observed_at?: string } }
interface RequestBody { readonly id?: string; readonly name?: string; readonly type?: string; readonly offsets?: readonly OffsetEntry[]; readonly requested_at?: string }
interface StatusBody { readonly request?: RequestBody; readonly status?: { readonly phase?: string; readonly message?: string }; readonly previous_offsets?: readonly OffsetEntry[]; readonly applied_at?: string | null }

interface OffsetRow { readonly partition: string; readonly offset: string }
const OFFSET_COLUMNS: readonly Column<OffsetRow>[] = [
  { key: "partition", header: "Partition", wrap: true, flexible: true },
  { key: "offset", header: "Offset", wrap: true, flexible: true },
];
const offsetRows = (offsets: readonly OffsetEntry[] | undefined): OffsetRow[] => (offsets ?? []).map((o) => ({ partition: JSON.stringify(o.partition ?? {}), offset: JSON.stringify(o.offset ?? null) }));

interface RequestRow { readonly id: string; readonly name: string; readonly type: string; readonly requested_at: string; readonly phase: string; readonly message: string; readonly applied_at: string }
const REQUEST_FIELDS: readonly Field<RequestRow>[] = [
  { key: "id", label: "ID" },
  { key: "name", label: "Name" },
  { key: "type", label: "Type" },
  { key: "requested_at", label: "Requested At" },
  { key: "phase", label: "Phase" },
  { key: "message", label: "Message" },
  { key: "applied_at", label: "Applied At" },
];

const USAGE_TAIL = `${TARGET_FLAGS_HELP}
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.`;

export const CONNECT_OFFSET_DESCRIBE_HELP = `Describe a connector's offsets, as Kafka Connect manages them: for a source
connector its source partitions and positions, for a sink its topic partitions
and Kafka offsets (none until the connector runs).
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect offset describe <id> [flags]

Flags:
${USAGE_TAIL}

Examples:
  vaultwire connect offset describe lcc-a1b2c3d4
  vaultwire connect offset describe lcc-a1b2c3d4 -o json
`;

export const CONNECT_OFFSET_UPDATE_HELP = `Alter a connector's offsets: the connector stops, the given partitions get the
given offsets in Kafka Connect, and the connector comes back to its state.
See the outcome with "vaultwire connect offset status describe <id>".
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect offset update <id> --config-file FILE [flags]

Flags:
      --config-file string   JSON file: {"offsets": [{"partition": {...}, "offset": {...}}]} (required).
${USAGE_TAIL}

Examples:
  vaultwire connect offset update lcc-a1b2c3d4 --config-file offsets.json
`;

export const CONNECT_OFFSET_DELETE_HELP = `Reset a connector's offsets, as if it were new: the connector stops, Kafka
Connect forgets its offsets, and the connector comes back to its state. It asks
unless --force. See the outcome with "vaultwire connect offset status describe <id>".
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect offset delete <id> [flags]

Flags:
      --force                Reset without asking.
${USAGE_TAIL}

Examples:
  vaultwire connect offset delete lcc-a1b2c3d4 --force
`;

export const CONNECT_OFFSET_STATUS_DESCRIBE_HELP = `Describe the status of a connector's last offsets request: PENDING, APPLIED
(with the offsets it had before) or FAILED (with the reason).
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect offset status describe <id> [flags]

Flags:
${USAGE_TAIL}

Examples:
  vaultwire connect offset status describe lcc-a1b2c3d4
`;

/** Parses the flags, resolves the one connector named, and hands over. */
async function withConnector(
  args: readonly string[], io: CliIo, path: string, help: string, extra: Record<string, { type: "string" | "boolean" }>,
  work: (connector: ConnectorEntry, base: string, output: OutputFormat, values: Record<string, string | boolean | undefined>, session: Awaited<ReturnType<typeof openSession>>) => Promise<number>,
): Promise<number> {
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...extra, ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help === true) {
    io.stdout(help);
    return 0;
  }
  const output = parseOutput(values.output, path);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  const [connector] = await resolveConnectors(session, target, [id]);
  if (!connector) return 1;
  return work(connector, `${target.base}/connectors/${enc(connector.name)}/offsets`, output, values, session);
}

function printRequest(io: CliIo, output: OutputFormat, body: RequestBody): void {
  if (output !== "human") {
    io.stdout(renderData(body, output));
    return;
  }
  const row: RequestRow = { id: body.id ?? "", name: body.name ?? "", type: body.type ?? "", requested_at: body.requested_at ?? "", phase: "PENDING", message: "", applied_at: "" };
  io.stdout(renderRecord(REQUEST_FIELDS, row));
  io.stdout(`Check it with "vaultwire connect offset status describe ${body.id ?? ""}".\n`);
}

export const connectOffsetDescribe: Command = (args, io) => withConnector(args, io, "vaultwire connect offset describe", CONNECT_OFFSET_DESCRIBE_HELP, {}, async (_connector, base, output, _values, session) => {
  const { body } = await session.client.get<OffsetsBody>(base);
  if (output !== "human") {
    io.stdout(renderData(body, output));
    return 0;
  }
  const rows = offsetRows(body.offsets);
  io.stdout(rows.length === 0 ? NONE_FOUND : renderTable(OFFSET_COLUMNS, rows));
  return 0;
});

export const connectOffsetUpdate: Command = (args, io) => withConnector(args, io, "vaultwire connect offset update", CONNECT_OFFSET_UPDATE_HELP, { "config-file": { type: "string" } }, async (_connector, base, output, values, session) => {
  const file = requireFlag(values["config-file"] as string | undefined, "config-file", "vaultwire connect offset update");
  const document = await readJsonFile(file, io);
  const offsets = typeof document === "object" && document !== null && !Array.isArray(document) ? (document as { offsets?: unknown }).offsets : undefined;
  if (!Array.isArray(offsets)) throw new CliError(`${file} must be a JSON object {"offsets": [{"partition": {...}, "offset": {...}}]}`, 1, [`Run "vaultwire connect offset describe <id> -o json" to see the current offsets in that shape.`]);
  const { body } = await session.client.post<RequestBody>(`${base}/request`, { type: "PATCH", offsets });
  printRequest(io, output, body);
  return 0;
});

export const connectOffsetDelete: Command = (args, io) => withConnector(args, io, "vaultwire connect offset delete", CONNECT_OFFSET_DELETE_HELP, { ...FORCE_OPTION }, async (connector, base, output, values, session) => {
  if (!(await confirmDeletion(io, "the offsets of connector", [connector.id], values.force === true))) return 0;
  const { body } = await session.client.post<RequestBody>(`${base}/request`, { type: "DELETE" });
  printRequest(io, output, body);
  return 0;
});

export const connectOffsetStatusDescribe: Command = (args, io) => withConnector(args, io, "vaultwire connect offset status describe", CONNECT_OFFSET_STATUS_DESCRIBE_HELP, {}, async (_connector, base, output, _values, session) => {
  const { body } = await session.client.get<StatusBody>(`${base}/request/status`);
  if (output !== "human") {
    io.stdout(renderData(body, output));
    return 0;
  }
  const request = body.request ?? {};
  const row: RequestRow = { id: request.id ?? "", name: request.name ?? "", type: request.type ?? "", requested_at: request.requested_at ?? "", phase: body.status?.phase ?? "", message: body.status?.message ?? "", applied_at: body.applied_at ?? "" };
  const parts = [section("Request", renderRecord(REQUEST_FIELDS, row))];
  if (request.type === "PATCH") parts.push(section("Requested Offsets", renderTable(OFFSET_COLUMNS, offsetRows(request.offsets))));
  if (body.previous_offsets !== undefined) parts.push(section("Previous Offsets", body.previous_offsets.length === 0 ? NONE_FOUND : renderTable(OFFSET_COLUMNS, offsetRows(body.previous_offsets))));
  io.stdout(parts.join("\n"));
  return 0;
});

export const CONNECT_OFFSET_STATUS_HELP = `See the status of offsets requests.

Usage:
  vaultwire connect offset status [command]

Available Commands:
  describe    Describe the status of a connector's last offsets request.
`;

export const CONNECT_OFFSET_HELP = `Read, alter and reset connector offsets.

Usage:
  vaultwire connect offset [command]

Available Commands:
  delete      Reset a connector's offsets.
  describe    Describe a connector's offsets.
  status      See the status of offsets requests.
  update      Alter a connector's offsets from a file.

Use "vaultwire connect offset [command] --help" for more information about a command.
`;

export const connectOffset = commandGroup("vaultwire connect offset", CONNECT_OFFSET_HELP, {
  describe: connectOffsetDescribe,
  update: connectOffsetUpdate,
  delete: connectOffsetDelete,
  status: commandGroup("vaultwire connect offset status", CONNECT_OFFSET_STATUS_HELP, { describe: connectOffsetStatusDescribe }),
});
