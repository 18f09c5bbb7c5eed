/** `vaultwire context list|use|delete`: the stored logins in ~/.vaultwire/config.json. */
import { parseArgs } from "node:util";
import { CliError } from "../cli-error.js";
import { loadContexts, saveContexts, withContext, type ContextFile } from "../context-store.js";
import { expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { currentMark, printList, type Column } from "../output.js";
import { confirmDeletion, uniqueIds } from "../resources.js";

export const CONTEXT_HELP = `Manage the stored logins ("contexts"): each has a server URL, an API key and
the environment and Kafka cluster chosen with "use". "vaultwire login" adds them.

Usage:
  vaultwire context [command]

Available Commands:
  delete      Delete stored contexts.
  list        List stored contexts.
  use         Make a context the current one.

Use "vaultwire context [command] --help" for more information about a command.
`;

const LIST_HELP = `List the stored contexts (never their secrets) and the environment and Kafka
cluster each uses. The current one is marked with *; -o json also shows the API keys.

Usage:
  vaultwire context list [flags]

Flags:
  -o, --output string   human, json or yaml (default human).
  -h, --help            Show this help.

Examples:
  vaultwire context list
`;

const USE_HELP = `Make a stored context the current one.

Usage:
  vaultwire context use <name> [flags]

Flags:
  -h, --help   Show this help.

Examples:
  vaultwire context use 127.0.0.1:8080
`;

const DELETE_HELP = `Delete stored contexts (the key stays valid on the server). Asks first unless --force.

Usage:
  vaultwire context delete <name>... [flags]

Flags:
      --force   Delete without asking.
  -h, --help    Show this help.

Examples:
  vaultwire context delete 127.0.0.1:8080
`;

export interface ContextRow {
  readonly is_current: boolean;
  readonly name: string;
  readonly url: string;
  readonly api_key: string;
  readonly environment: string;
  readonly cluster: string;
}

export const CONTEXT_COLUMNS: readonly Column<ContextRow>[] = [
  { key: "is_current", header: "Current", format: currentMark },
  { key: "name", header: "Name", flexible: true },
  { key: "url", header: "URL", flexible: true },
  { key: "environment", header: "Environment/Cluster", format: (_, row) => [row.environment, row.cluster].filter((s) => s !== "").join("/") },
];

export function contextRows(file: ContextFile): ContextRow[] {
  return Object.entries(file.contexts).map(([name, c]) => ({
    is_current: name === file.current_context,
    name,
    url: c.url,
    api_key: c.api_key,
    environment: c.environment ?? "",
    cluster: c.cluster ?? "",
  }));
}

function unknownContext(name: string, file: ContextFile): CliError {
  const names = Object.keys(file.contexts);
  return new CliError(`unknown context "${name}"`, 1, [
    names.length === 0 ? "There are no stored contexts; run \"vaultwire login --url URL\" to add one." : `Stored contexts: ${names.join(", ")}.`,
  ]);
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire context list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const { file } = await loadContexts(io.env);
  printList(io, output, CONTEXT_COLUMNS, contextRows(file));
  return 0;
}

async function use(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire context use";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, USE_HELP);
  const [name = ""] = expectPositionals(positionals, path, "<name>", 1);
  const { path: file, file: contexts } = await loadContexts(io.env);
  if (!Object.hasOwn(contexts.contexts, name)) throw unknownContext(name, contexts);
  await saveContexts(file, { ...contexts, current_context: name });
  io.stdout(`Using context "${name}".\n`);
  return 0;
}

async function remove(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire context delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DELETE_HELP);
  const names = uniqueIds(expectPositionals(positionals, path, "<name>", 1, Number.MAX_SAFE_INTEGER));
  const loaded = await loadContexts(io.env);
  for (const name of names) if (!Object.hasOwn(loaded.file.contexts, name)) throw unknownContext(name, loaded.file);
  if (!(await confirmDeletion(io, "context", names, values.force === true))) return 0;
  let file = loaded.file;
  for (const name of names) file = withContext(file, name, undefined);
  await saveContexts(loaded.path, file);
  for (const name of names) io.stdout(`Deleted context "${name}".\n`);
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

export const CONTEXT_VERBS = { list, use, delete: remove };
