/**
 * `vaultwire kafka cluster worker-config` and
 * `vaultwire kafka cluster worker-credential create|list|revoke`: how a
 * Kafka Connect worker gets vaultwire's ConfigProvider and the credential it
 * fetches secrets with. Credentials are for organization admins only; the
 * secret is shown once.
 */
import { parseArgs } from "node:util";
import { commandGroup } from "../command.js";
import { CLUSTER_OPTION, ENVIRONMENT_OPTION, expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput, missingSelection } from "../flags.js";
import type { CliIo } from "../io.js";
import { printList, renderData, type Column } from "../output.js";
import { confirmDeletion, enc, getCluster, uniqueIds, unknownId } from "../resources.js";
import { openSession, type Session } from "../session.js";

const CREDENTIAL_HELP = `Manage the credentials Kafka Connect workers fetch connector secrets with.

Each Kafka cluster's workers present a worker credential to vaultwire. Only
organization admins create or revoke them; the secret is shown once and
stored as a hash. Several may be valid at once: to rotate, create a new one,
roll the workers onto it, then revoke the old one.

Usage:
  vaultwire kafka cluster worker-credential [command]

Available Commands:
  create      Create a worker credential; its secret is shown once.
  list        List a cluster's worker credentials (never their secrets).
  revoke      Revoke worker credentials; workers using them are refused at once.

Use "vaultwire kafka cluster worker-credential [command] --help" for more information about a command.
`;

const CREATE_HELP = `Create a worker credential for a Kafka cluster's Connect workers. The secret
is shown once: put it in the workers' properties as
config.providers.vaultwire.param.token, or in a file named by
config.providers.vaultwire.param.token.file.

Usage:
  vaultwire kafka cluster worker-credential create [flags]

Flags:
      --cluster string       Kafka cluster ID (default: the one in use).
      --description string   What the credential is for (e.g. which worker pool).
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire kafka cluster worker-credential create --cluster lkc-a1b2c3d4 --description "connect pool A"
`;

const LIST_HELP = `List a Kafka cluster's worker credentials: id, description, when created and
last used. Never their secrets.

Usage:
  vaultwire kafka cluster worker-credential list [flags]

Flags:
      --cluster string   Kafka cluster ID (default: the one in use).
  -o, --output string    human, json or yaml (default human).
  -h, --help             Show this help.

Examples:
  vaultwire kafka cluster worker-credential list --cluster lkc-a1b2c3d4
`;

const REVOKE_HELP = `Revoke worker credentials. Workers presenting them are refused from then on,
on every vaultwire replica. Asks first unless --force.

Usage:
  vaultwire kafka cluster worker-credential revoke <id>... [flags]

Flags:
      --cluster string   Kafka cluster ID (default: the one in use).
      --force            Revoke without asking.
  -h, --help             Show this help.

Examples:
  vaultwire kafka cluster worker-credential revoke wcr-a1b2c3d4 --cluster lkc-a1b2c3d4
`;

const CONFIG_HELP = `Print the Kafka Connect worker properties a worker of a Kafka cluster
needs: vaultwire's ConfigProvider, the rebalance delay (15 s instead of
Connect's 5 minutes) and the cluster's bootstrap servers when known, with
comments naming what each worker sets itself (group.id, the internal topics,
plugin.path). Add them to each worker's worker.properties, and put the
vaultwire-config-provider jar in a folder on the worker's plugin.path.

Without --create-credential the output has no credential, only a comment
saying where it goes; with it (organization admins only), a new worker
credential is created and its secret is in the output, shown once.

Usage:
  vaultwire kafka cluster worker-config [flags]

Flags:
      --cluster string        Kafka cluster ID (default: the one in use).
      --create-credential     Create a worker credential and include it.
      --description string    With --create-credential: what the credential is for.
  -o, --output string         human (the properties), json or yaml (default human).
  -h, --help                  Show this help.

Examples:
  vaultwire kafka cluster worker-config --cluster lkc-a1b2c3d4
  vaultwire kafka cluster worker-config --cluster lkc-a1b2c3d4 --create-credential >> worker.properties
`;

interface CredentialBody {
  readonly id: string;
  readonly metadata: { readonly created_at?: string };
  readonly spec: { readonly cluster: { readonly id: string }; readonly description?: string; readonly secret?: string };
  readonly status?: { readonly last_used_at?: string | null };
}

interface WorkerConfigBody {
  readonly cluster: { readonly id: string };
  readonly properties: Record<string, string>;
  readonly text: string;
  readonly credential?: { readonly id: string };
}

export interface WorkerCredentialRow {
  readonly id: string;
  readonly cluster: string;
  readonly description: string;
  readonly created_at: string;
  readonly last_used_at: string;
}

const COLUMNS: readonly Column<WorkerCredentialRow>[] = [
  { key: "id", header: "ID" },
  { key: "description", header: "Description", flexible: true },
  { key: "created_at", header: "Created At" },
  { key: "last_used_at", header: "Last Used At" },
];

function row(body: CredentialBody): WorkerCredentialRow {
  return { id: body.id, cluster: body.spec.cluster.id, description: body.spec.description ?? "", created_at: body.metadata.created_at ?? "", last_used_at: body.status?.last_used_at ?? "" };
}

/** The cluster named by --cluster or in use, checked to exist (and to belong to --environment when given). */
async function targetCluster(session: Session): Promise<string> {
  const clusterId = session.clusterId;
  if (clusterId === undefined) throw missingSelection("Kafka cluster", "cluster", "vaultwire kafka cluster use <id>", "vaultwire kafka cluster list");
  return (await getCluster(session, clusterId, session.environmentExplicit ? session.environmentId : undefined)).id;
}

async function create(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster worker-credential create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, description: { type: "string" }, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, CREATE_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const clusterId = await targetCluster(session);
  const { body } = await session.client.post<CredentialBody>(`/cmk/v2/clusters/${enc(clusterId)}/worker-credentials`, { spec: values.description === undefined ? {} : { description: values.description } });
  const secret = body.spec.secret ?? "";
  if (output !== "human") {
    io.stdout(renderData({ ...row(body), secret }, output));
    return 0;
  }
  io.stdout(`Save the worker credential now: it is shown only once and cannot be retrieved later.\n\nID            ${body.id}\nCluster       ${clusterId}\nCredential    ${secret}\n\nSet it on the cluster's Connect workers as config.providers.vaultwire.param.token\n(or in a file named by config.providers.vaultwire.param.token.file).\n`);
  return 0;
}

async function listCredentials(session: Session, clusterId: string): Promise<CredentialBody[]> {
  return (await session.client.get<{ data?: CredentialBody[] }>(`/cmk/v2/clusters/${enc(clusterId)}/worker-credentials`)).body.data ?? [];
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster worker-credential list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const clusterId = await targetCluster(session);
  printList(io, output, COLUMNS, (await listCredentials(session, clusterId)).map(row));
  return 0;
}

async function revoke(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster worker-credential revoke";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, REVOKE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const clusterId = await targetCluster(session);
  const existing = await listCredentials(session, clusterId);
  for (const id of ids) {
    if (!existing.some((c) => c.id === id)) {
      throw unknownId("worker credential", id, existing.map((c) => ({ id: c.id, name: c.spec.description ?? "" })), `vaultwire kafka cluster worker-credential list --cluster ${clusterId}`, `Kafka cluster "${clusterId}"`);
    }
  }
  if (!(await confirmDeletion(io, "worker credential", ids, values.force === true))) return 0;
  for (const id of ids) {
    await session.client.delete(`/cmk/v2/clusters/${enc(clusterId)}/worker-credentials/${enc(id)}`);
    io.stdout(`Revoked worker credential "${id}".\n`);
  }
  return 0;
}

async function workerConfig(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster worker-config";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, "create-credential": { type: "boolean" }, description: { type: "string" }, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, CONFIG_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const clusterId = await targetCluster(session);
  const url = `/cmk/v2/clusters/${enc(clusterId)}/worker-config`;
  const { body } = values["create-credential"] === true
    ? await session.client.post<WorkerConfigBody>(url, { spec: values.description === undefined ? {} : { description: values.description } })
    : await session.client.get<WorkerConfigBody>(url);
  if (output !== "human") {
    io.stdout(renderData({ cluster: body.cluster.id, ...(body.credential ? { credential: body.credential.id } : {}), properties: body.properties }, output));
    return 0;
  }
  if (body.credential) io.stderr(`Created worker credential "${body.credential.id}"; it is in the output below and shown only once.\n`);
  io.stdout(body.text);
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

export const workerCredentialCommands = commandGroup("vaultwire kafka cluster worker-credential", CREDENTIAL_HELP, { create, list, revoke });
export { workerConfig };
