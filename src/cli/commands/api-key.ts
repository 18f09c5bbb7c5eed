/** `vaultwire api-key create|list|delete`. */
import { parseArgs } from "node:util";
import { CliError, usageError } from "../cli-error.js";
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
  update      Change an API key's description or display name.

Use "vaultwire api-key [command] --help" for more information about a command.
`;

const CREATE_HELP = `Create an API key. The secret is shown once.

A key owned by a service account (--service-account) may do what the account's
role bindings allow ("vaultwire iam rbac role-binding create"): with --resource
cloud (the default) all of them, with an environment only those within it; a
Kafka cluster's key (lkc-…) opens nothing of the vaultwire API. Without
--service-account, vaultwire creates a service account for the key with the
role given by --role on the key's resource:

  OrganizationAdmin   everything (organization-wide keys only; the default for them)
  EnvironmentAdmin    clusters, provider integrations and connectors of the environment,
                      and assigning its integrations to connectors (the default for environment keys)
  DeveloperManage     connectors of the environment, without assigning a provider integration
  Operator            read-only (either scope); never a worker credential

Usage:
  vaultwire api-key create [flags]

Flags:
      --service-account string   The owner (sa-…); its role bindings say what the key may do.
      --resource string          cloud (default), an environment (env-…) or a Kafka cluster (lkc-…).
      --environment string       Same as --resource env-….
      --description string       What the key is for.
      --display-name string      A name for the key.
      --role string              Without --service-account: OrganizationAdmin, EnvironmentAdmin,
                                 DeveloperManage or Operator (see above).
  -o, --output string            human, json or yaml (default human).
  -h, --help                     Show this help.

Examples:
  vaultwire api-key create --service-account sa-a1b2c3d4 --resource cloud --description terraform
  vaultwire api-key create --description "CI pipeline"
  vaultwire api-key create --environment env-a1b2c3d4 --description terraform -o json
  vaultwire api-key create --role Operator --description "on-call dashboards"
`;

const LIST_HELP = `List API keys (never their secrets). The key this CLI uses is marked with *.

Usage:
  vaultwire api-key list [flags]

Flags:
      --service-account string   Only the keys of this service account (sa-…).
      --resource string          Only the keys of this resource: cloud, env-… or lkc-….
  -o, --output string            human, json or yaml (default human).
  -h, --help                     Show this help.

Examples:
  vaultwire api-key list
  vaultwire api-key list --service-account sa-a1b2c3d4
`;

const UPDATE_HELP = `Change an API key's description or display name (nothing else of a key changes).

Usage:
  vaultwire api-key update <key> [flags]

Flags:
      --description string    The new description.
      --display-name string   The new display name.
  -h, --help                  Show this help.

Examples:
  vaultwire api-key update ABCDEFGHIJKLMNOP --description "terraform, payments"
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
  readonly display_name: string;
  readonly description: string;
  readonly owner: string;
  readonly resource: string;
  readonly created_at: string;
}

export const API_KEY_COLUMNS: readonly Column<ApiKeyRow>[] = [
  { key: "is_current", header: "Current", format: currentMark },
  { key: "api_key", header: "Key" },
  { key: "owner", header: "Owner" },
  { key: "resource", header: "Resource" },
  { key: "description", header: "Description", flexible: true },
];

export function apiKeyRow(body: ApiKeyBody, currentKey: string): ApiKeyRow {
  return {
    is_current: body.id === currentKey,
    api_key: body.id,
    display_name: body.spec.display_name ?? "",
    description: body.spec.description ?? "",
    owner: body.spec.owner?.id ?? "",
    resource: body.spec.resource?.id ?? "",
    created_at: body.metadata.created_at ?? "",
  };
}

async function create(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire api-key create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { "service-account": { type: "string" }, resource: { type: "string" }, environment: { type: "string" }, description: { type: "string" }, "display-name": { type: "string" }, role: { type: "string" }, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, CREATE_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  if (values.resource !== undefined && values.environment !== undefined) throw usageError("give --resource or --environment, not both", path);
  if (values.role !== undefined && values["service-account"] !== undefined) throw usageError("--role is only for keys without --service-account: give the service account role bindings instead", path);
  const resource = values.resource ?? values.environment;
  const session = await openSession(io);
  const { body } = await session.client.post<ApiKeyBody>("/iam/v2/api-keys", {
    spec: {
      ...(values["display-name"] === undefined ? {} : { display_name: values["display-name"] }),
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values["service-account"] === undefined ? {} : { owner: { id: values["service-account"] } }),
      ...(resource === undefined ? {} : { resource: { id: resource } }),
      ...(values.role === undefined ? {} : { role: values.role }),
    },
  });
  const secret = body.spec.secret ?? "";
  const row = apiKeyRow(body, session.apiKey);
  if (output !== "human") {
    io.stdout(renderData({ api_key: row.api_key, api_secret: secret, owner: row.owner, resource: row.resource, display_name: row.display_name, description: row.description, created_at: row.created_at }, output));
    return 0;
  }
  io.stdout(`Save the API secret now: it is shown only once and cannot be retrieved later.\n\nAPI Key     ${row.api_key}\nAPI Secret  ${secret}\nOwner       ${row.owner}\nResource    ${row.resource}\n`);
  return 0;
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire api-key list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { "service-account": { type: "string" }, resource: { type: "string" }, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io);
  const query = { ...(values["service-account"] === undefined ? {} : { "spec.owner": values["service-account"] }), ...(values.resource === undefined ? {} : { "spec.resource": values.resource }) };
  printList(io, output, API_KEY_COLUMNS, (await listKeys(session, query)).map((k) => apiKeyRow(k, session.apiKey)));
  return 0;
}

function listKeys(session: Session, query: Record<string, string> = {}): Promise<ApiKeyBody[]> {
  return session.client.listAll<ApiKeyBody>("/iam/v2/api-keys", query);
}

async function update(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire api-key update";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { description: { type: "string" }, "display-name": { type: "string" }, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, UPDATE_HELP);
  const [id = ""] = expectPositionals(positionals, path, "<key>", 1);
  if (values.description === undefined && values["display-name"] === undefined) throw usageError("nothing to change: give --description or --display-name", path);
  const session = await openSession(io);
  await existingKey(session, id);
  await session.client.patch(`/iam/v2/api-keys/${enc(id)}`, {
    spec: {
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values["display-name"] === undefined ? {} : { display_name: values["display-name"] }),
    },
  });
  io.stdout(`Updated API key "${id}".\n`);
  return 0;
}

async function existingKey(session: Session, id: string): Promise<void> {
  try {
    await session.client.get(`/iam/v2/api-keys/${enc(id)}`);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const keys = await listKeys(session);
    throw unknownId("API key", id, keys.map((k) => ({ id: k.id, name: k.spec.description ?? "" })), "vaultwire api-key list");
  }
}

async function remove(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire api-key delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DELETE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<key>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io);
  for (const id of ids) await existingKey(session, id);
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

export const API_KEY_VERBS = { create, list, update, delete: remove };
