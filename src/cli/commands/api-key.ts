/** `vaultwire api-key create|list|delete`. */
import { parseArgs } from "node:util";
import { CliError } from "../cli-error.js";
import { expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { currentMark, printList, renderData, type Column } from "../output.js";
import { confirmDeletion, enc, isNotFound, uniqueIds, unknownId, type ApiKeyBody } from "../resources.js";
import { openSession, type Session } from "../session.js";

export const API_KEY_HELP = `Manage API keys: what the CLI, curl and Terraform authenticate with.

Usage:
  vaultwire api-key [command]

Available Commands:
  create      Create an API key; its secret is shown once.
  delete      Delete API keys.
  list        List API keys (never their secrets).

Use "vaultwire api-key [command] --help" for more information about a command.
`;

const CREATE_HELP = `Create an API key: organization-wide, or scoped to one environment (it then
sees only that environment's resources), with a role that says what it may do
there. The secret is shown once.

Roles:
  OrganizationAdmin   everything (organization-wide keys only; the default for them)
  EnvironmentAdmin    clusters, provider integrations and connectors of the environment,
                      and assigning its integrations to connectors (the default for environment keys)
  DeveloperManage     connectors of the environment, without assigning a provider integration
  Operator            read-only (either scope); never a worker credential

Usage:
  vaultwire api-key create [flags]

Flags:
      --environment string   Scope the key to this environment (default: organization-wide).
      --description string   What the key is for.
      --role string          OrganizationAdmin, EnvironmentAdmin, DeveloperManage or Operator (see Roles).
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire api-key create --description "CI pipeline"
  vaultwire api-key create --environment env-a1b2c3d4 --description terraform -o json
  vaultwire api-key create --role Operator --description "on-call dashboards"
`;

const LIST_HELP = `List API keys (never their secrets). The key this CLI uses is marked with *.

Usage:
  vaultwire api-key list [flags]

Flags:
  -o, --output string   human, json or yaml (default human).
  -h, --help            Show this help.

Examples:
  vaultwire api-key list
`;

const DELETE_HELP = `Delete API keys. Every key is checked first; then it asks unless --force.
A key cannot delete itself: use another admin key.

Usage:
  vaultwire api-key delete <key>... [flags]

Flags:
      --force   Delete without asking.
  -h, --help    Show this help.

Examples:
  vaultwire api-key delete ABCDEFGHIJKLMNOP
`;

export interface ApiKeyRow {
  readonly is_current: boolean;
  readonly api_key: string;
  readonly description: string;
  readonly resource: string;
  readonly role: string;
  readonly created_at: string;
}

export const API_KEY_COLUMNS: readonly Column<ApiKeyRow>[] = [
  { key: "is_current", header: "Current", format: currentMark },
  { key: "api_key", header: "Key" },
  { key: "resource", header: "Resource" },
  { key: "role", header: "Role" },
  { key: "description", header: "Description", flexible: true },
];

export function apiKeyRow(body: ApiKeyBody, currentKey: string): ApiKeyRow {
  const resource = body.spec.resource;
  return {
    is_current: body.id === currentKey,
    api_key: body.id,
    description: body.spec.description ?? "",
    resource: resource?.kind === "Environment" ? resource.id ?? "" : "organization",
    role: body.spec.role ?? "",
    created_at: body.metadata.created_at ?? "",
  };
}

async function create(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire api-key create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { environment: { type: "string" }, description: { type: "string" }, role: { type: "string" }, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, CREATE_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io);
  const { body } = await session.client.post<ApiKeyBody>("/iam/v2/api-keys", {
    spec: {
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values.environment === undefined ? {} : { resource: { id: values.environment } }),
      ...(values.role === undefined ? {} : { role: values.role }),
    },
  });
  const secret = body.spec.secret ?? "";
  const row = apiKeyRow(body, session.apiKey);
  if (output !== "human") {
    io.stdout(renderData({ api_key: row.api_key, api_secret: secret, resource: row.resource, role: row.role, description: row.description, created_at: row.created_at }, output));
    return 0;
  }
  io.stdout(`Save the API secret now: it is shown only once and cannot be retrieved later.\n\nAPI Key     ${row.api_key}\nAPI Secret  ${secret}\nResource    ${row.resource}\nRole        ${row.role}\n`);
  return 0;
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire api-key list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io);
  printList(io, output, API_KEY_COLUMNS, (await listKeys(session)).map((k) => apiKeyRow(k, session.apiKey)));
  return 0;
}

async function listKeys(session: Session): Promise<ApiKeyBody[]> {
  return (await session.client.get<{ data?: ApiKeyBody[] }>("/iam/v2/api-keys")).body.data ?? [];
}

async function remove(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire api-key delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DELETE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<key>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io);
  for (const id of ids) {
    try {
      await session.client.get(`/iam/v2/api-keys/${enc(id)}`);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      const keys = await listKeys(session);
      throw unknownId("API key", id, keys.map((k) => ({ id: k.id, name: k.spec.description ?? "" })), "vaultwire api-key list");
    }
  }
  if (ids.includes(session.apiKey)) {
    throw new CliError(`API key "${session.apiKey}" is the one this CLI is using`, 1, ["Delete it with another admin key (vaultwire login with that key first)."]);
  }
  if (!(await confirmDeletion(io, "API key", ids, values.force === true))) return 0;
  for (const id of ids) {
    await session.client.delete(`/iam/v2/api-keys/${enc(id)}`);
    io.stdout(`Deleted API key "${id}".\n`);
  }
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

export const API_KEY_VERBS = { create, list, delete: remove };
