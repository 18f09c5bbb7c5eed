/** Dispatches `vaultwire <noun> <verb>`; returns the exit code (only main.ts exits). */
import { CliError, formatCliError, usageError } from "./cli-error.js";
import { API_KEY_HELP, API_KEY_VERBS } from "./commands/api-key.js";
import { AUDIT_HELP, AUDIT_VERBS } from "./commands/audit.js";
import { configValidate } from "./commands/config-validate.js";
import { CONNECT_HELP, connectCluster, connectPlugin } from "./commands/connect.js";
import { connectOffset } from "./commands/connect-offset.js";
import { CONTEXT_HELP, CONTEXT_VERBS } from "./commands/context.js";
import { DEV_HELP, devAzure } from "./commands/dev-azure.js";
import { ENVIRONMENT_HELP, ENVIRONMENT_VERBS } from "./commands/environment.js";
import { IAM_HELP, IAM_VERBS } from "./commands/iam.js";
import { KAFKA_HELP, kafkaCluster } from "./commands/kafka-cluster.js";
import { login } from "./commands/login.js";
import { PROVIDER_INTEGRATION_HELP, PROVIDER_INTEGRATION_VERBS } from "./commands/provider-integration.js";
import { server } from "./commands/server.js";
import type { CliIo } from "./io.js";

export const VERSION = "0.1.0";

export const ROOT_HELP = `vaultwire runs Kafka Connect connectors whose credentials live in a cloud secret manager.

Usage:
  vaultwire [command]

Available Commands:
  api-key                Create, list, update and delete API keys.
  audit list             List the audit trail: secret accesses, rotations, restarts.
  config validate        Validate a connector configuration file offline.
  connect cluster        Create and manage connectors.
  connect offset         Read, alter and reset connector offsets.
  connect plugin         Show the managed connector plugins and their fields.
  context                List, use and delete stored logins.
  dev azure              Run the local Azure emulator (Entra ID + Key Vault) for development and tests.
  environment            Create, list, describe, use and delete environments.
  iam                    Service accounts and role bindings: who may do what.
  kafka cluster          Register, list, describe, use and delete Kafka clusters.
  login                  Log in to a vaultwire server and store the API key.
  provider-integration   Manage provider integrations (alias pi): the identity that reads your vault.
  server                 Run the vaultwire control plane (REST API).

Commands that talk to a server use the context stored by "vaultwire login", or
VAULTWIRE_URL, VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET.

Flags:
  -h, --help      Show help for vaultwire.
  -v, --version   Show the version.
      --debug     Show stack traces of unexpected errors.

Use "vaultwire [command] --help" for more information about a command.
`;

const CONFIG_HELP = `Work with connector configuration files.

Usage:
  vaultwire config [command]

Available Commands:
  validate    Validate a connector configuration file offline.
`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;
const COMMANDS: Readonly<Record<string, Readonly<Record<string, Command>>>> = {
  config: { validate: configValidate },
  dev: { azure: devAzure },
  environment: ENVIRONMENT_VERBS,
  kafka: { cluster: kafkaCluster },
  connect: { cluster: connectCluster, offset: connectOffset, plugin: connectPlugin },
  "provider-integration": PROVIDER_INTEGRATION_VERBS,
  pi: PROVIDER_INTEGRATION_VERBS,
  "api-key": API_KEY_VERBS,
  audit: AUDIT_VERBS,
  context: CONTEXT_VERBS,
  iam: IAM_VERBS,
};
/** Commands without a verb (`vaultwire server`). */
const SINGLE_COMMANDS: Readonly<Record<string, Command>> = { server, login };
const GROUP_HELP: Readonly<Record<string, string>> = {
  config: CONFIG_HELP,
  dev: DEV_HELP,
  environment: ENVIRONMENT_HELP,
  kafka: KAFKA_HELP,
  connect: CONNECT_HELP,
  "provider-integration": PROVIDER_INTEGRATION_HELP,
  pi: PROVIDER_INTEGRATION_HELP,
  "api-key": API_KEY_HELP,
  audit: AUDIT_HELP,
  context: CONTEXT_HELP,
  iam: IAM_HELP,
};

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  try {
    return await dispatch(args, io);
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr(formatCliError(error));
      return error.exitCode;
    }
    io.stderr(`Error: unexpected failure: ${(error as Error).message}\n`);
    if (debug) io.stderr(`${(error as Error).stack ?? ""}\n`);
    return 1;
  }
}

async function dispatch(args: readonly string[], io: CliIo): Promise<number> {
  const [noun, verb, ...rest] = args;
  if (noun === undefined || noun === "-h" || noun === "--help" || noun === "help") {
    io.stdout(ROOT_HELP);
    return noun === undefined ? 2 : 0;
  }
  if (noun === "-v" || noun === "--version" || noun === "version") {
    io.stdout(`vaultwire ${VERSION}\n`);
    return 0;
  }
  const single = Object.hasOwn(SINGLE_COMMANDS, noun) ? SINGLE_COMMANDS[noun] : undefined;
  if (single) return single(args.slice(1), io);
  const group = Object.hasOwn(COMMANDS, noun) ? COMMANDS[noun] : undefined;
  if (!group) throw new CliError(`unknown command "${noun}" for "vaultwire"`, 2, [`Run "vaultwire --help" for the list of commands.`]);
  if (verb === undefined || verb === "-h" || verb === "--help") {
    io.stdout(GROUP_HELP[noun] ?? "");
    return verb === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(group, verb) ? group[verb] : undefined;
  if (!command) throw usageError(`unknown command "${verb}" for "vaultwire ${noun}"`, `vaultwire ${noun}`);
  return command(rest, io);
}
