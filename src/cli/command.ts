/** Command plumbing: a group of verbs with its help (`vaultwire kafka cluster <verb>`). */
import { usageError } from "./cli-error.js";
import type { CliIo } from "./io.js";

export type Command = (args: readonly string[], io: CliIo) => Promise<number>;

/** Dispatches the first argument to one of `verbs`; no verb prints the help and exits 2. */
export function commandGroup(path: string, help: string, verbs: Readonly<Record<string, Command>>): Command {
  return async (args, io) => {
    const [verb, ...rest] = args;
    if (verb === undefined || verb === "-h" || verb === "--help" || verb === "help") {
      io.stdout(help);
      return verb === undefined ? 2 : 0;
    }
    const command = Object.hasOwn(verbs, verb) ? verbs[verb] : undefined;
    if (!command) throw usageError(`unknown command "${verb}" for "${path}"`, path);
    return command(rest, io);
  };
}

/** The shared tail of every help text that takes -o. */
export const OUTPUT_FLAG_HELP = "  -o, --output string   human, json or yaml (default human).";
