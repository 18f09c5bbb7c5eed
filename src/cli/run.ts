/** Dispatches `vaultwire <noun> <verb>`; returns the exit code (only main.ts exits). */
import { CliError, formatCliError, usageError } from "./cli-error.js";
import { configValidate } from "./commands/config-validate.js";
import { DEV_HELP, devAzure } from "./commands/dev-azure.js";
import { server } from "./commands/server.js";
import type { CliIo } from "./io.js";

export const VERSION = "0.1.0";

export const ROOT_HELP = `vaultwire runs Kafka Connect connectors whose credentials live in a cloud secret manager.

Usage:
  vaultwire [command]

Available Commands:
  config validate   Validate a connector configuration file offline.
  dev azure         Run the local Azure emulator (Entra ID + Key Vault) for development and tests.
  server            Run the vaultwire control plane (REST API).

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
};
/** Commands without a verb (`vaultwire server`). */
const SINGLE_COMMANDS: Readonly<Record<string, Command>> = { server };
const GROUP_HELP: Readonly<Record<string, string>> = { config: CONFIG_HELP, dev: DEV_HELP };

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
  const single = SINGLE_COMMANDS[noun];
  if (single) return single(args.slice(1), io);
  const group = COMMANDS[noun];
  if (!group) throw new CliError(`unknown command "${noun}" for "vaultwire"`, 2, [`Run "vaultwire --help" for the list of commands.`]);
  if (verb === undefined || verb === "-h" || verb === "--help") {
    io.stdout(GROUP_HELP[noun] ?? "");
    return verb === undefined ? 2 : 0;
  }
  const command = group[verb];
  if (!command) throw usageError(`unknown command "${verb}" for "vaultwire ${noun}"`, `vaultwire ${noun}`);
  return command(rest, io);
}
