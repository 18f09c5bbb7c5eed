/**
 * `vaultwire iam service-account create|list|describe|update|delete` and
 * `vaultwire iam rbac role-binding create|list|delete`, in the confluent
 * CLI's shapes (decision 45).
 */
import { parseArgs } from "node:util";
import { CliError, usageError } from "../cli-error.js";
import { commandGroup, OUTPUT_FLAG_HELP, type Command } from "../command.js";
import { expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput, requireFlag } from "../flags.js";
import type { CliIo } from "../io.js";
import { printList, printRecord, type Column, type Field } from "../output.js";
import { confirmDeletion, enc, getEnvironment, isNotFound, uniqueIds, unknownId, type RoleBindingBody, type ServiceAccountBody } from "../resources.js";
import { openSession, type Session } from "../session.js";

export const IAM_HELP = `Manage identity: service accounts own API keys; role bindings say what they may do.

Usage:
  vaultwire iam [command]

Available Commands:
  rbac role-binding   Create, list and delete role bindings.
  service-account     Create, list, describe, update and delete service accounts.

Use "vaultwire iam [command] --help" for more information about a command.
`;

const SERVICE_ACCOUNT_HELP = `Manage service accounts: the owners of API keys.

Usage:
  vaultwire iam service-account [command]

Available Commands:
  create      Create a service account.
  delete      Delete service accounts, with their API keys and role bindings.
  describe    Describe a service account.
  list        List service accounts.
  update      Change a service account's description.
`;

const SA_CREATE_HELP = `Create a service account. Names are unique in the organization.

Usage:
  vaultwire iam service-account create <name> [flags]

Flags:
      --description string   What the account is for.
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire iam service-account create terraform --description "infrastructure pipeline"
`;

const SA_LIST_HELP = `List service accounts.

Usage:
  vaultwire iam service-account list [flags]

Flags:
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire iam service-account list -o json
`;

const SA_DESCRIBE_HELP = `Describe a service account.

Usage:
  vaultwire iam service-account describe <id> [flags]

Flags:
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire iam service-account describe sa-a1b2c3d4
`;

const SA_UPDATE_HELP = `Change a service account's description.

Usage:
  vaultwire iam service-account update <id> --description <text> [flags]

Flags:
      --description string   The new description.
  -h, --help                 Show this help.

Examples:
  vaultwire iam service-account update sa-a1b2c3d4 --description "payments pipeline"
`;

const SA_DELETE_HELP = `Delete service accounts. Their API keys and role bindings are deleted too.
Every id is checked first; then it asks unless --force.

Usage:
  vaultwire iam service-account delete <id>... [flags]

Flags:
      --force   Delete without asking.
  -h, --help    Show this help.

Examples:
  vaultwire iam service-account delete sa-a1b2c3d4
`;

const RBAC_HELP = `Manage role-based access.

Usage:
  vaultwire iam rbac [command]

Available Commands:
  role-binding   Create, list and delete role bindings.
`;

const ROLE_BINDING_HELP = `Manage role bindings: a role for a service account on the organization, an
environment or a provider integration.

Usage:
  vaultwire iam rbac role-binding [command]

Available Commands:
  create      Bind a role.
  delete      Delete a role binding.
  list        List role bindings.
`;

const SCOPE_FLAGS = `      --environment string            The environment (default: the organization).
      --provider-integration string   A provider integration of --environment (ResourceOwner, Assigner).`;

const ROLES_TEXT = `Roles:
  OrganizationAdmin   the organization: everything
  EnvironmentAdmin    an environment: its clusters, integrations, connectors and role bindings
  DeveloperManage     an environment: its connectors, without assigning an integration
  Operator            the organization or an environment: reads only
  ResourceOwner       a provider integration: change it and assign it to connectors
  Assigner            a provider integration: assign it to connectors`;

const RB_CREATE_HELP = `Bind a role to a service account.

${ROLES_TEXT}

Usage:
  vaultwire iam rbac role-binding create --principal User:<sa-id> --role <role> [flags]

Flags:
      --principal string              User:sa-… (required).
      --role string                   The role (required).
${SCOPE_FLAGS}
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire iam rbac role-binding create --principal User:sa-a1b2c3d4 --role EnvironmentAdmin --environment env-e5f6g7h8
  vaultwire iam rbac role-binding create --principal User:sa-a1b2c3d4 --role OrganizationAdmin
`;

const RB_LIST_HELP = `List the role bindings on the organization or an environment (and within it).

Usage:
  vaultwire iam rbac role-binding list [flags]

Flags:
      --principal string              Only this principal's bindings (User:sa-…).
      --role string                   Only bindings of this role.
${SCOPE_FLAGS}
${OUTPUT_FLAG_HELP}
  -h, --help            Show this help.

Examples:
  vaultwire iam rbac role-binding list --environment env-e5f6g7h8
  vaultwire iam rbac role-binding list --principal User:sa-a1b2c3d4
`;

const RB_DELETE_HELP = `Delete the role binding of a principal, a role and a scope. Asks first unless --force.

Usage:
  vaultwire iam rbac role-binding delete --principal User:<sa-id> --role <role> [flags]

Flags:
      --principal string              User:sa-… (required).
      --role string                   The role (required).
${SCOPE_FLAGS}
      --force                         Delete without asking.
  -h, --help                          Show this help.

Examples:
  vaultwire iam rbac role-binding delete --principal User:sa-a1b2c3d4 --role EnvironmentAdmin --environment env-e5f6g7h8
`;

export interface ServiceAccountRow {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  readonly created_at: string;
}

const SA_COLUMNS: readonly Column<ServiceAccountRow>[] = [
  { key: "id", header: "ID" },
  { key: "name", header: "Name" },
  { key: "description", header: "Description", flexible: true },
];

const SA_FIELDS: readonly Field<ServiceAccountRow>[] = [
  { key: "id", label: "ID" },
  { key: "name", label: "Name" },
  { key: "description", label: "Description" },
  { key: "created_at", label: "Created At" },
];

function accountRow(body: ServiceAccountBody): ServiceAccountRow {
  return { id: body.id, name: body.display_name, description: body.description, created_at: body.metadata.created_at ?? "" };
}

export interface RoleBindingRow {
  readonly id: string;
  readonly principal: string;
  readonly role: string;
  readonly environment: string;
  readonly resource: string;
}

const RB_COLUMNS: readonly Column<RoleBindingRow>[] = [
  { key: "id", header: "ID" },
  { key: "principal", header: "Principal" },
  { key: "role", header: "Role" },
  { key: "environment", header: "Environment" },
  { key: "resource", header: "Resource", flexible: true },
];

const RB_FIELDS: readonly Field<RoleBindingRow>[] = [
  { key: "id", label: "ID" },
  { key: "principal", label: "Principal" },
  { key: "role", label: "Role" },
  { key: "environment", label: "Environment" },
  { key: "resource", label: "Resource" },
];

/** The environment and resource a CRN pattern names, for the table. */
function bindingRow(body: RoleBindingBody): RoleBindingRow {
  const parts = new Map(body.crn_pattern.replace(/^crn:\/\/[^/]*\//, "").split("/").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)] as const));
  const integration = parts.get("provider-integration");
  return { id: body.id, principal: body.principal, role: body.role_name, environment: parts.get("environment") ?? "", resource: integration === undefined ? (parts.has("environment") ? "" : "organization") : `provider-integration=${integration}` };
}

async function getAccount(session: Session, id: string): Promise<ServiceAccountBody> {
  try {
    return (await session.client.get<ServiceAccountBody>(`/iam/v2/service-accounts/${enc(id)}`)).body;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const accounts = await session.client.listAll<ServiceAccountBody>("/iam/v2/service-accounts");
    throw unknownId("service account", id, accounts.map((a) => ({ id: a.id, name: a.display_name })), "vaultwire iam service-account list");
  }
}

async function saCreate(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam service-account create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { description: { type: "string" }, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, SA_CREATE_HELP);
  const output = parseOutput(values.output, path);
  const [name = ""] = expectPositionals(positionals, path, "<name>", 1);
  const session = await openSession(io);
  const { body } = await session.client.post<ServiceAccountBody>("/iam/v2/service-accounts", { display_name: name, ...(values.description === undefined ? {} : { description: values.description }) });
  printRecord(io, output, SA_FIELDS, accountRow(body));
  return 0;
}

async function saList(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam service-account list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, SA_LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io);
  printList(io, output, SA_COLUMNS, (await session.client.listAll<ServiceAccountBody>("/iam/v2/service-accounts")).map(accountRow));
  return 0;
}

async function saDescribe(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam service-account describe";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, SA_DESCRIBE_HELP);
  const output = parseOutput(values.output, path);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io);
  printRecord(io, output, SA_FIELDS, accountRow(await getAccount(session, id)));
  return 0;
}

async function saUpdate(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam service-account update";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { description: { type: "string" }, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, SA_UPDATE_HELP);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const description = requireFlag(values.description, "--description", path);
  const session = await openSession(io);
  await getAccount(session, id);
  await session.client.patch(`/iam/v2/service-accounts/${enc(id)}`, { description });
  io.stdout(`Updated service account "${id}".\n`);
  return 0;
}

async function saDelete(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam service-account delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, SA_DELETE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io);
  for (const id of ids) await getAccount(session, id);
  if (!(await confirmDeletion(io, "service account", ids, values.force === true))) return 0;
  for (const id of ids) {
    await session.client.delete(`/iam/v2/service-accounts/${enc(id)}`);
    io.stdout(`Deleted service account "${id}".\n`);
  }
  return 0;
}

const RB_SCOPE_OPTIONS = { principal: { type: "string" }, role: { type: "string" }, environment: { type: "string" }, "provider-integration": { type: "string" } } as const;

/**
 * The CRN of the scope the flags name. An environment's is its resource_name;
 * the organization's is read from the caller's own API key, whose
 * resource_name is `…/organization=<id>/service-account=…/api-key=…`.
 */
async function scopeCrn(session: Session, path: string, environment: string | undefined, integration: string | undefined): Promise<string> {
  if (integration !== undefined && environment === undefined) throw usageError("--provider-integration needs --environment (the integration's environment)", path);
  if (environment !== undefined) {
    const crn = (await getEnvironment(session, environment)).metadata.resource_name ?? "";
    return integration === undefined ? crn : `${crn}/provider-integration=${integration}`;
  }
  const { body } = await session.client.get<{ metadata: { resource_name?: string } }>(`/iam/v2/api-keys/${enc(session.apiKey)}`);
  return (body.metadata.resource_name ?? "").replace(/\/service-account=.*$/, "");
}

async function rbCreate(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam rbac role-binding create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...RB_SCOPE_OPTIONS, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, RB_CREATE_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const principal = requireFlag(values.principal, "--principal", path);
  const role = requireFlag(values.role, "--role", path);
  const session = await openSession(io);
  const crnPattern = await scopeCrn(session, path, values.environment, values["provider-integration"]);
  const { body } = await session.client.post<RoleBindingBody>("/iam/v2/role-bindings", { principal, role_name: role, crn_pattern: crnPattern });
  printRecord(io, output, RB_FIELDS, bindingRow(body));
  return 0;
}

async function listBindings(session: Session, crnPattern: string, principal: string | undefined, role: string | undefined): Promise<RoleBindingBody[]> {
  return session.client.listAll<RoleBindingBody>("/iam/v2/role-bindings", { crn_pattern: crnPattern, ...(principal === undefined ? {} : { principal }), ...(role === undefined ? {} : { role_name: role }) });
}

async function rbList(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam rbac role-binding list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...RB_SCOPE_OPTIONS, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, RB_LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io);
  const crnPattern = await scopeCrn(session, path, values.environment, values["provider-integration"]);
  printList(io, output, RB_COLUMNS, (await listBindings(session, crnPattern, values.principal, values.role)).map(bindingRow));
  return 0;
}

async function rbDelete(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire iam rbac role-binding delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...RB_SCOPE_OPTIONS, ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, RB_DELETE_HELP);
  expectPositionals(positionals, path, "", 0);
  const principal = requireFlag(values.principal, "--principal", path);
  const role = requireFlag(values.role, "--role", path);
  const session = await openSession(io);
  const crnPattern = await scopeCrn(session, path, values.environment, values["provider-integration"]);
  // The list includes bindings within the scope: the one to delete is on the scope itself.
  const binding = (await listBindings(session, crnPattern, principal, role)).find((b) => decodeURIComponent(b.crn_pattern) === crnPattern);
  if (binding === undefined) {
    throw new CliError(`no ${role} role binding for "${principal}" on ${values.environment === undefined ? "the organization" : `"${values["provider-integration"] ?? values.environment}"`}`, 1, [`Run "vaultwire iam rbac role-binding list --principal ${principal}" to see its bindings.`]);
  }
  if (!(await confirmDeletion(io, "role binding", [binding.id], values.force === true))) return 0;
  await session.client.delete(`/iam/v2/role-bindings/${enc(binding.id)}`);
  io.stdout(`Deleted role binding "${binding.id}".\n`);
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

const SERVICE_ACCOUNT: Command = commandGroup("vaultwire iam service-account", SERVICE_ACCOUNT_HELP, { create: saCreate, list: saList, describe: saDescribe, update: saUpdate, delete: saDelete });
const ROLE_BINDING: Command = commandGroup("vaultwire iam rbac role-binding", ROLE_BINDING_HELP, { create: rbCreate, list: rbList, delete: rbDelete });

export const IAM_VERBS: Readonly<Record<string, Command>> = {
  "service-account": SERVICE_ACCOUNT,
  rbac: commandGroup("vaultwire iam rbac", RBAC_HELP, { "role-binding": ROLE_BINDING }),
};
