/** `vaultwire connect cluster list` and `describe <id>`. */
import { parseArgs } from "node:util";
import { CLUSTER_OPTION, ENVIRONMENT_OPTION, expectPositionals, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { NONE_FOUND, printList, renderData, renderRecord, renderTable, section, type Column, type Field } from "../output.js";
import { connectTarget } from "../resources.js";
import { openSession } from "../session.js";
import { CONNECTOR_COLUMNS, CONNECTOR_ID_HELP, connectorRow, listConnectors, resolveConnectors, TARGET_FLAGS_HELP, type ConnectorRow, type ConnectorWarning } from "./connectors.js";

export const CONNECT_CLUSTER_LIST_HELP = `List the connectors of a Kafka cluster.

Usage:
  vaultwire connect cluster list [flags]

Flags:
${TARGET_FLAGS_HELP}
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire connect cluster list
  vaultwire connect cluster list --cluster lkc-a1b2c3d4 -o json
`;

export const CONNECT_CLUSTER_DESCRIBE_HELP = `Describe a connector: its status, its tasks, the Kafka Connect worker
(host:port) running the connector and each task, and its configuration
(secret identifiers are shown; other sensitive values are masked). A
Warnings section lists what to act on before it breaks the connector, such
as a secret that expires soon.
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect cluster describe <id> [flags]

Flags:
${TARGET_FLAGS_HELP}
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire connect cluster describe lcc-a1b2c3d4
  vaultwire connect cluster describe lcc-a1b2c3d4 -o yaml
`;

/** The list's row and the worker running the connector (host:port, as Kafka Connect names it). */
type DetailRow = ConnectorRow & { readonly worker_id: string };

const DETAIL_FIELDS: readonly Field<DetailRow>[] = [
  { key: "id", label: "ID" },
  { key: "name", label: "Name" },
  { key: "status", label: "Status" },
  { key: "type", label: "Type" },
  { key: "worker_id", label: "Worker" },
  { key: "trace", label: "Trace" },
];

interface TaskRow {
  readonly task_id: number;
  readonly state: string;
  readonly worker_id: string;
  readonly trace: string;
}

const TASK_COLUMNS: readonly Column<TaskRow>[] = [
  { key: "task_id", header: "Task" },
  { key: "state", header: "State" },
  { key: "worker_id", header: "Worker" },
  { key: "trace", header: "Trace", flexible: true },
];

interface ConfigRow {
  readonly config: string;
  readonly value: string;
}

/** One record per warning: identifiers are long, a table would wrap them. */
const WARNING_FIELDS: readonly Field<ConnectorWarning>[] = [
  { key: "code", label: "Warning" },
  { key: "key", label: "Key" },
  { key: "secret", label: "Secret" },
  { key: "expires_at", label: "Expires At" },
];

/** What to do about the warnings, under their table. */
const EXPIRY_ADVICE = "\nStore a new version of each secret, or extend its expiration date, before it\nexpires: vaultwire fails a connector whose secret has expired instead of using\nit.\n";

const CONFIG_COLUMNS: readonly Column<ConfigRow>[] = [
  { key: "config", header: "Config" },
  { key: "value", header: "Value", wrap: true, flexible: true },
];

export async function connectClusterList(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire connect cluster list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) {
    io.stdout(CONNECT_CLUSTER_LIST_HELP);
    return 0;
  }
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  printList(io, output, CONNECTOR_COLUMNS, (await listConnectors(session, target)).map(connectorRow));
  return 0;
}

export async function connectClusterDescribe(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire connect cluster describe";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) {
    io.stdout(CONNECT_CLUSTER_DESCRIBE_HELP);
    return 0;
  }
  const output = parseOutput(values.output, path);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  const [entry] = await resolveConnectors(session, target, [id]);
  if (!entry) return 1;
  const connector: DetailRow = { ...connectorRow(entry), worker_id: entry.workerId };
  const tasks: TaskRow[] = entry.tasks.map((t) => ({ task_id: t.id, state: t.state, worker_id: t.workerId, trace: t.trace }));
  const configs: ConfigRow[] = Object.keys(entry.config).sort().map((key) => ({ config: key, value: entry.config[key] ?? "" }));
  const warnings = entry.warnings.map((w) => ({ code: w.code, key: w.key, secret: w.secret, expires_at: w.expires_at, message: w.message }));
  if (output !== "human") {
    // Warnings only when there are some, as in the API's status.
    io.stdout(renderData({ connector, ...(warnings.length === 0 ? {} : { warnings }), tasks, configs }, output));
    return 0;
  }
  io.stdout([
    section("Connector Details", renderRecord(DETAIL_FIELDS, connector)),
    ...(warnings.length === 0 ? [] : [section("Warnings", `${warnings.map((w) => renderRecord(WARNING_FIELDS, w)).join("")}${EXPIRY_ADVICE}`)]),
    section("Task Level Details", tasks.length === 0 ? NONE_FOUND : renderTable(TASK_COLUMNS, tasks)),
    section("Configuration Details", renderTable(CONFIG_COLUMNS, configs)),
  ].join("\n"));
  return 0;
}
