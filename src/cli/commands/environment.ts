/** `vaultwire environment create|list|describe|use|delete`. */
import { parseArgs } from "node:util";
import { OUTPUT_FLAG_HELP } from "../command.js";
import { expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { currentMark, printList, printRecord, type Column, type Field } from "../output.js";
import { confirmDeletion, enc, getEnvironment, listEnvironments, uniqueIds, type EnvironmentBody } from "../resources.js";
import { forgetIfSelected, openSession, rememberSelection } from "../session.js";

export const ENVIRONMENT_HELP = `Manage environments: each holds Kafka clusters, provider integrations and connectors.

Usage:
  vaultwire environment [command]

Available Commands:
  create      Create an environment.
  delete      Delete one or more empty environments.
  describe    Describe an environment.
  list        List environments.
  use         Use an environment in later commands.

Use "vaultwire environment [command] --help" for more information about a command.
`;

const CREATE_HELP = `Create an environment.

Usage:
  vaultwire environment create <name> [flags]

Flags:
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire environment create dev
  vaultwire environment create "payments prod" -o json
`;

const LIST_HELP = `List the environments the API key can see. The one in use is marked with *.

Usage:
  vaultwire environment list [flags]

Flags:
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire environment list
  vaultwire environment list -o yaml
`;

const DESCRIBE_HELP = `Describe an environment.

Usage:
  vaultwire environment describe <id> [flags]

Flags:
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire environment describe env-a1b2c3d4
`;

const USE_HELP = `Use an environment in later commands (stored in the current context).

Choosing another environment forgets the Kafka cluster chosen with
"vaultwire kafka cluster use".

Usage:
  vaultwire environment use <id> [flags]

Flags:
  -h, --help   Show this help.

Examples:
  vaultwire environment use env-a1b2c3d4
`;

const DELETE_HELP = `Delete one or more environments. An environment must have no Kafka clusters
and no provider integrations left. Asks first unless --force.

Usage:
  vaultwire environment delete <id>... [flags]

Flags:
      --force   Delete without asking.
  -h, --help    Show this help.

Examples:
  vaultwire environment delete env-a1b2c3d4
  vaultwire environment delete env-a1b2c3d4 env-e5f6g7h8 --force
`;

export interface EnvironmentRow {
  readonly is_current: boolean;
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly updated_at: string;
}

export const ENVIRONMENT_COLUMNS: readonly Column<EnvironmentRow>[] = [
  { key: "is_current", header: "Current", format: currentMark },
  { key: "id", header: "ID" },
  { key: "name", header: "Name", flexible: true },
];

export const ENVIRONMENT_FIELDS: readonly Field<EnvironmentRow>[] = [
  { key: "id", label: "ID" },
  { key: "name", label: "Name" },
  { key: "created_at", label: "Created At" },
  { key: "updated_at", label: "Updated At" },
];

export function environmentRow(body: EnvironmentBody, currentId: string | undefined): EnvironmentRow {
  return { is_current: body.id === currentId, id: body.id, name: body.display_name, created_at: body.metadata.created_at ?? "", updated_at: body.metadata.updated_at ?? "" };
}

async function create(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire environment create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, CREATE_HELP);
  const output = parseOutput(values.output, path);
  const [name = ""] = expectPositionals(positionals, path, "<name>", 1);
  const session = await openSession(io);
  const { body } = await session.client.post<EnvironmentBody>("/org/v2/environments", { display_name: name });
  printRecord(io, output, ENVIRONMENT_FIELDS, environmentRow(body, session.environmentId));
  return 0;
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire environment list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io);
  const environments = await listEnvironments(session);
  printList(io, output, ENVIRONMENT_COLUMNS, environments.map((e) => environmentRow(e, session.environmentId)));
  return 0;
}

async function describe(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire environment describe";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DESCRIBE_HELP);
  const output = parseOutput(values.output, path);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io);
  printRecord(io, output, ENVIRONMENT_FIELDS, environmentRow(await getEnvironment(session, id), session.environmentId));
  return 0;
}

async function use(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire environment use";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, USE_HELP);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io);
  const environment = await getEnvironment(session, id);
  await rememberSelection(io, session, environment.id === session.environmentId ? { environment: environment.id } : { environment: environment.id, cluster: null });
  io.stdout(`Using environment "${environment.id}".\n`);
  return 0;
}

async function remove(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire environment delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DELETE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io);
  for (const id of ids) await getEnvironment(session, id);
  if (!(await confirmDeletion(io, "environment", ids, values.force === true))) return 0;
  for (const id of ids) {
    await session.client.delete(`/org/v2/environments/${enc(id)}`);
    await forgetIfSelected(io, session, "environment", id);
    io.stdout(`Deleted environment "${id}".\n`);
  }
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

export const ENVIRONMENT_VERBS = { create, list, describe, use, delete: remove };
