/** `vaultwire connect plugin list|describe <plugin>`. */
import { parseArgs } from "node:util";
import { SECRET_MANAGER_FIELDS, type ValidationReport } from "../../domain/connector-validation.js";
import { CliError } from "../cli-error.js";
import { commandGroup } from "../command.js";
import { CLUSTER_OPTION, ENVIRONMENT_OPTION, expectPositionals, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { printList, renderData, renderTable, section, TERMINAL_WIDTH, wrapText, type Column } from "../output.js";
import { connectTarget, type ConnectTarget } from "../resources.js";
import { openSession, type Session } from "../session.js";
import { TARGET_FLAGS_HELP, validateConfig } from "./connectors.js";

export const CONNECT_PLUGIN_HELP = `Show the managed connector plugins.

Usage:
  vaultwire connect plugin [command]

Available Commands:
  describe    Describe a plugin's configuration fields, and which the secret manager may manage.
  list        List the managed connector plugins.

Use "vaultwire connect plugin [command] --help" for more information about a command.
`;

const LIST_HELP = `List the managed connector plugins of a Kafka cluster.

Usage:
  vaultwire connect plugin list [flags]

Flags:
${TARGET_FLAGS_HELP}
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire connect plugin list
  vaultwire connect plugin list -o json
`;

const DESCRIBE_HELP = `Describe a plugin's configuration fields, group by group: type, whether it is
required, its default, and whether the secret manager may manage it (its
value may then be a secret identifier, listed in secret.manager.managed.configs).

Usage:
  vaultwire connect plugin describe <plugin> [flags]

Flags:
${TARGET_FLAGS_HELP}
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire connect plugin describe SqlServerCdcSourceV2
  vaultwire connect plugin describe PostgresCdcSourceV2 -o json
`;

interface PluginBody {
  readonly class: string;
  readonly type: string;
  readonly version?: string;
}

export interface PluginRow {
  readonly plugin_name: string;
  readonly type: string;
}

export const PLUGIN_COLUMNS: readonly Column<PluginRow>[] = [
  { key: "plugin_name", header: "Plugin Name" },
  { key: "type", header: "Type" },
];

export interface PluginConfigRow {
  readonly name: string;
  readonly display_name: string;
  readonly group: string;
  readonly type: string;
  readonly required: boolean;
  readonly default_value: string | null;
  readonly importance: string;
  readonly secret_manager_eligible: boolean;
  readonly documentation: string;
}

const CONFIG_COLUMNS: readonly Column<PluginConfigRow>[] = [
  { key: "name", header: "Config", wrap: true },
  { key: "type", header: "Type" },
  { key: "required", header: "Required", format: (v) => (v === true ? "yes" : "") },
  { key: "default_value", header: "Default", flexible: true, wrap: true },
  { key: "secret_manager_eligible", header: "Managed", format: (v) => (v === true ? "yes" : "") },
];

async function plugins(session: Session, target: ConnectTarget): Promise<PluginBody[]> {
  return (await session.client.get<PluginBody[]>(`${target.base}/connector-plugins`)).body;
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire connect plugin list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) {
    io.stdout(LIST_HELP);
    return 0;
  }
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  printList(io, output, PLUGIN_COLUMNS, (await plugins(session, target)).map((p) => ({ plugin_name: p.class, type: p.type })));
  return 0;
}

async function describe(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire connect plugin describe";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) {
    io.stdout(DESCRIBE_HELP);
    return 0;
  }
  const output = parseOutput(values.output, path);
  const [name = ""] = expectPositionals(positionals, path, "<plugin>", 1);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  const available = await plugins(session, target);
  const plugin = available.find((p) => p.class === name) ?? available.find((p) => p.class.toLowerCase() === name.toLowerCase());
  if (!plugin) {
    throw new CliError(`unknown connector plugin "${name}"`, 1, [`Managed plugins: ${available.map((p) => p.class).join(", ")}.`, "Run \"vaultwire connect plugin list\" to list them."]);
  }
  const report = await validateConfig(session, target, plugin.class, {});
  const configs = pluginConfigRows(report);
  const managed = configs.filter((c) => c.secret_manager_eligible).map((c) => c.name);
  if (output !== "human") {
    io.stdout(renderData({ plugin: plugin.class, type: plugin.type, secret_manager_managed_configs: managed, configs }, output));
    return 0;
  }
  const groups = [...new Set(configs.map((c) => c.group))];
  const intro = managed.length === 0
    ? "The secret manager manages none of its fields."
    : `The secret manager may manage: ${managed.join(", ")} ("Managed": list the field in secret.manager.managed.configs and give a secret identifier as its value).`;
  io.stdout([
    `Plugin ${plugin.class} (${plugin.type})\n${wrapText(intro, TERMINAL_WIDTH).join("\n")}\n`,
    ...groups.map((group) => section(group, renderTable(CONFIG_COLUMNS, configs.filter((c) => c.group === group)))),
  ].join("\n"));
  return 0;
}

/** The plugin's fields from a validate report; the secret manager's eligible fields are the recommended values of secret.manager.managed.configs. */
export function pluginConfigRows(report: ValidationReport): PluginConfigRow[] {
  const eligible = new Set(report.configs.find((c) => c.value.name === SECRET_MANAGER_FIELDS.managedConfigs)?.value.recommended_values ?? []);
  return report.configs.map(({ definition }) => ({
    name: definition.name,
    display_name: definition.display_name,
    group: definition.group,
    type: definition.type,
    required: definition.required,
    default_value: definition.default_value,
    importance: definition.importance,
    secret_manager_eligible: eligible.has(definition.name),
    documentation: definition.documentation,
  }));
}

export const connectPlugin = commandGroup("vaultwire connect plugin", CONNECT_PLUGIN_HELP, { list, describe });
