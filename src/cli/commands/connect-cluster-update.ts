/** `vaultwire connect cluster update <id> --config k=v... | --config-file F [--dry-run]`. */
import { parseArgs } from "node:util";
import { CliError, usageError } from "../cli-error.js";
import { readConnectorConfigFile } from "../config-file.js";
import { CLUSTER_OPTION, ENVIRONMENT_OPTION, expectPositionals, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseKeyValues, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { connectTarget, enc } from "../resources.js";
import { openSession } from "../session.js";
import { CONNECTOR_ID_HELP, dryRun, resolveConnectors, TARGET_FLAGS_HELP, withDryRunHint } from "./connectors.js";

const PATH = "vaultwire connect cluster update";

export const CONNECT_CLUSTER_UPDATE_HELP = `Update a connector's configuration.

--config changes the given keys and keeps the others; --config-file replaces
the whole configuration. Masked values (****************) keep what is stored,
unless connector.class, database.hostname or database.port change: then give
the secret values again.
The server validates the result in full and changes nothing when it is
invalid; --dry-run only validates and prints every error by key.
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect cluster update <id> (--config KEY=VALUE... | --config-file FILE) [flags]

Flags:
      --config KEY=VALUE     Set one configuration key (repeatable; the value may contain "," and "=").
      --config-file string   JSON file with the whole configuration: {"name", "config"} or a flat map.
      --dry-run              Validate only; print every error by key; exit 1 when invalid.
${TARGET_FLAGS_HELP}
  -o, --output string        Output of --dry-run: human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire connect cluster update lcc-a1b2c3d4 --config tasks.max=2
  vaultwire connect cluster update lcc-a1b2c3d4 --config secret.manager.managed.configs=database.user,database.password --dry-run
  vaultwire connect cluster update lcc-a1b2c3d4 --config-file sqlcdc_with_key_vault.json
`;

export async function connectClusterUpdate(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(() => parseArgs({
    args: [...args],
    options: {
      config: { type: "string", multiple: true },
      "config-file": { type: "string" },
      "dry-run": { type: "boolean" },
      ...CLUSTER_OPTION,
      ...ENVIRONMENT_OPTION,
      ...OUTPUT_OPTION,
      ...HELP_OPTION,
    },
    strict: true,
    allowPositionals: true,
  }), PATH);
  if (values.help) {
    io.stdout(CONNECT_CLUSTER_UPDATE_HELP);
    return 0;
  }
  const output = parseOutput(values.output, PATH);
  const [id = ""] = expectPositionals(positionals, PATH, "<id>", 1);
  const pairs = values.config === undefined ? undefined : parseKeyValues(values.config, "config", PATH);
  const file = values["config-file"];
  if ((pairs === undefined) === (file === undefined)) throw usageError("give either --config or --config-file", PATH);
  const document = file === undefined ? undefined : await readConnectorConfigFile(file, io);

  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  const [connector] = await resolveConnectors(session, target, [id]);
  if (!connector) return 1;
  let config: Record<string, string>;
  if (document) {
    if (document.name !== null && document.name !== connector.name) {
      throw new CliError(`configuration file "${file ?? ""}" is for connector "${document.name}", not "${connector.name}" (${connector.id})`, 1, ["A connector's name cannot change: create a new connector with that name instead."]);
    }
    config = { ...document.config };
  } else {
    const { body } = await session.client.get<Record<string, string>>(`${target.base}/connectors/${enc(connector.name)}/config`);
    config = { ...body, ...pairs };
  }
  if (values["dry-run"] === true) return dryRun(session, target, config, connector.name, output, io);
  const retry = `${PATH} ${connector.id} ${file === undefined ? "--config ..." : `--config-file ${file}`} --dry-run`;
  await withDryRunHint(() => session.client.put(`${target.base}/connectors/${enc(connector.name)}/config`, config), retry);
  io.stdout(`Updated connector "${connector.id}".\n`);
  return 0;
}
