/** `vaultwire kafka cluster create|list|describe|use|delete`. */
import { parseArgs } from "node:util";
import { usageError } from "../cli-error.js";
import { commandGroup } from "../command.js";
import { choice, ENVIRONMENT_OPTION, expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput, requireFlag } from "../flags.js";
import type { CliIo } from "../io.js";
import { currentMark, printList, printRecord, type Column, type Field } from "../output.js";
import { confirmDeletion, enc, getCluster, listClusters, lowerKebab, requireEnvironment, uniqueIds, type ClusterBody } from "../resources.js";
import { forgetIfSelected, openSession, rememberSelection } from "../session.js";
import { poolCommands } from "./kafka-cluster-pools.js";
import { workerConfig, workerCredentialCommands } from "./kafka-cluster-workers.js";

export const KAFKA_HELP = `Manage Kafka clusters.

Usage:
  vaultwire kafka [command]

Available Commands:
  cluster     Register and manage the Kafka clusters that connectors run on.

Use "vaultwire kafka cluster --help" for more information.
`;

export const KAFKA_CLUSTER_HELP = `Register and manage the Kafka clusters that connectors run on.

Usage:
  vaultwire kafka cluster [command]

Available Commands:
  create      Register a Kafka cluster.
  delete      Remove one or more Kafka clusters without connectors.
  describe    Describe a Kafka cluster.
  list        List the Kafka clusters of an environment.
  pool        List the Kafka Connect worker pools clusters without endpoints get.
  use         Use a Kafka cluster (and its environment) in later commands.
  worker-config       Print the properties a Connect worker of the cluster needs (ConfigProvider too).
  worker-credential   Create, list and revoke the credentials Connect workers fetch secrets with.

Use "vaultwire kafka cluster [command] --help" for more information about a command.
`;

const CREATE_HELP = `Register a Kafka cluster in an environment.

The cloud, region, type and networking decide where secret managers may be
used (the region policy). The bootstrap servers and Kafka Connect URLs tell
vaultwire how to reach the cluster; connectors wait in PROVISIONING until the
cluster has Kafka Connect workers. Given neither, the cluster gets those of the
operator's Connect worker pool for its environment or region, if there is one
("vaultwire kafka cluster pool list").

Usage:
  vaultwire kafka cluster create <name> --cloud CLOUD --region REGION [flags]

Flags:
      --cloud string               azure, aws or gcp (required).
      --region string              Region, e.g. westus3 (required).
      --type string                basic, standard, enterprise or dedicated (default dedicated).
      --availability string        single-zone or multi-zone (default single-zone).
      --cku int                    Confluent units of a dedicated cluster (1-152).
      --networking string          public or private-link (default public).
      --bootstrap-servers string   Kafka bootstrap servers, host:port[,host:port...].
      --connect-url string         REST URL of a Kafka Connect worker (repeatable).
      --environment string         Environment ID (default: the one in use).
  -o, --output string              human, json or yaml (default human).
  -h, --help                       Show this help.

Examples:
  vaultwire kafka cluster create orders --cloud azure --region westus3 --type dedicated
  vaultwire kafka cluster create local --cloud azure --region eastus --bootstrap-servers localhost:9092 --connect-url http://localhost:8083
  vaultwire kafka cluster create private --cloud azure --region eastus --networking private-link --environment env-a1b2c3d4
`;

const LIST_HELP = `List the Kafka clusters of an environment. The one in use is marked with *.

Usage:
  vaultwire kafka cluster list [flags]

Flags:
      --environment string   Environment ID (default: the one in use).
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire kafka cluster list
  vaultwire kafka cluster list --environment env-a1b2c3d4 -o json
`;

const DESCRIBE_HELP = `Describe a Kafka cluster.

Usage:
  vaultwire kafka cluster describe <id> [flags]

Flags:
      --environment string   Environment ID; when given, the cluster must belong to it.
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire kafka cluster describe lkc-a1b2c3d4
`;

const USE_HELP = `Use a Kafka cluster in later commands ("vaultwire connect ..."); its
environment becomes the environment in use too.

Usage:
  vaultwire kafka cluster use <id> [flags]

Flags:
  -h, --help   Show this help.

Examples:
  vaultwire kafka cluster use lkc-a1b2c3d4
`;

const DELETE_HELP = `Remove one or more Kafka clusters from vaultwire. A cluster must have no
connectors left. Asks first unless --force.

Usage:
  vaultwire kafka cluster delete <id>... [flags]

Flags:
      --environment string   Environment ID; when given, the clusters must belong to it.
      --force                Delete without asking.
  -h, --help                 Show this help.

Examples:
  vaultwire kafka cluster delete lkc-a1b2c3d4
  vaultwire kafka cluster delete lkc-a1b2c3d4 --force
`;

export interface ClusterRow {
  readonly is_current: boolean;
  readonly id: string;
  readonly name: string;
  readonly environment: string;
  readonly type: string;
  readonly cku: number | null;
  readonly cloud: string;
  readonly region: string;
  readonly availability: string;
  readonly networking: string;
  readonly bootstrap_servers: string;
  readonly connect_urls: readonly string[];
  readonly status: string;
  readonly created_at: string;
}

export const CLUSTER_COLUMNS: readonly Column<ClusterRow>[] = [
  { key: "is_current", header: "Current", format: currentMark },
  { key: "id", header: "ID" },
  { key: "name", header: "Name", flexible: true },
  { key: "type", header: "Type" },
  { key: "region", header: "Region" },
  { key: "networking", header: "Networking" },
];

export const CLUSTER_FIELDS: readonly Field<ClusterRow>[] = [
  { key: "id", label: "ID" },
  { key: "name", label: "Name" },
  { key: "environment", label: "Environment" },
  { key: "type", label: "Type" },
  { key: "cku", label: "CKU" },
  { key: "cloud", label: "Cloud" },
  { key: "region", label: "Region" },
  { key: "availability", label: "Availability" },
  { key: "networking", label: "Networking" },
  { key: "bootstrap_servers", label: "Bootstrap Servers" },
  { key: "connect_urls", label: "Connect URLs" },
  { key: "status", label: "Status" },
  { key: "created_at", label: "Created At" },
];

export function clusterRow(body: ClusterBody, currentId: string | undefined): ClusterRow {
  const spec = body.spec;
  return {
    is_current: body.id === currentId,
    id: body.id,
    name: spec.display_name,
    environment: spec.environment.id,
    type: lowerKebab(spec.config.kind),
    cku: spec.config.cku ?? null,
    cloud: lowerKebab(spec.cloud),
    region: spec.region,
    availability: lowerKebab(spec.availability),
    networking: lowerKebab(spec.networking ?? "PUBLIC"),
    bootstrap_servers: spec.kafka_bootstrap_servers ?? "",
    connect_urls: spec.connect_urls ?? [],
    status: body.status?.phase ?? "",
    created_at: body.metadata.created_at ?? "",
  };
}

const KINDS = { basic: "Basic", standard: "Standard", enterprise: "Enterprise", dedicated: "Dedicated" } as const;

async function create(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster create";
  const { values, positionals } = parseFlags(() => parseArgs({
    args: [...args],
    options: {
      cloud: { type: "string" },
      region: { type: "string" },
      type: { type: "string" },
      availability: { type: "string" },
      cku: { type: "string" },
      networking: { type: "string" },
      "bootstrap-servers": { type: "string" },
      "connect-url": { type: "string", multiple: true },
      ...ENVIRONMENT_OPTION,
      ...OUTPUT_OPTION,
      ...HELP_OPTION,
    },
    strict: true,
    allowPositionals: true,
  }), path);
  if (values.help) return help(io, CREATE_HELP);
  const output = parseOutput(values.output, path);
  const [name = ""] = expectPositionals(positionals, path, "<name>", 1);
  const cloud = choice(requireFlag(values.cloud, "cloud", path), "cloud", ["azure", "aws", "gcp"], path);
  const region = requireFlag(values.region, "region", path);
  const kind = KINDS[choice(values.type ?? "dedicated", "type", ["basic", "standard", "enterprise", "dedicated"], path)];
  const availability = choice(values.availability ?? "single-zone", "availability", ["single-zone", "multi-zone"], path);
  const networking = choice(values.networking ?? "public", "networking", ["public", "private-link"], path);
  let cku: number | undefined;
  if (values.cku !== undefined) {
    cku = Number(values.cku);
    if (!Number.isInteger(cku) || cku < 1 || cku > 152) throw usageError(`invalid value "${values.cku}" for flag "--cku": expected a whole number from 1 to 152`, path);
  }
  const session = await openSession(io, { environment: values.environment });
  const environmentId = await requireEnvironment(session);
  const { body } = await session.client.post<ClusterBody>("/cmk/v2/clusters", {
    spec: {
      display_name: name,
      cloud: cloud.toUpperCase(),
      region,
      availability: availability.toUpperCase().replace("-", "_"),
      config: { kind, ...(cku === undefined ? {} : { cku }) },
      environment: { id: environmentId },
      networking: networking.toUpperCase().replace("-", "_"),
      ...(values["bootstrap-servers"] === undefined ? {} : { kafka_bootstrap_servers: values["bootstrap-servers"] }),
      ...(values["connect-url"] === undefined ? {} : { connect_urls: values["connect-url"] }),
    },
  });
  printRecord(io, output, CLUSTER_FIELDS, clusterRow(body, session.clusterId));
  return 0;
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io, { environment: values.environment });
  const environmentId = await requireEnvironment(session);
  const clusters = await listClusters(session, environmentId);
  printList(io, output, CLUSTER_COLUMNS, clusters.map((c) => clusterRow(c, session.clusterId)));
  return 0;
}

async function describe(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster describe";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DESCRIBE_HELP);
  const output = parseOutput(values.output, path);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io, { environment: values.environment });
  const cluster = await getCluster(session, id, session.environmentExplicit ? session.environmentId : undefined);
  printRecord(io, output, CLUSTER_FIELDS, clusterRow(cluster, session.clusterId));
  return 0;
}

async function use(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster use";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, USE_HELP);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io);
  const cluster = await getCluster(session, id, session.environmentExplicit ? session.environmentId : undefined);
  await rememberSelection(io, session, { environment: cluster.spec.environment.id, cluster: cluster.id });
  io.stdout(`Using Kafka cluster "${cluster.id}" in environment "${cluster.spec.environment.id}".\n`);
  return 0;
}

async function remove(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...ENVIRONMENT_OPTION, ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DELETE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io, { environment: values.environment });
  const environmentId = session.environmentExplicit ? session.environmentId : undefined;
  const clusters = [];
  for (const id of ids) clusters.push(await getCluster(session, id, environmentId));
  if (!(await confirmDeletion(io, "Kafka cluster", ids, values.force === true))) return 0;
  for (const cluster of clusters) {
    await session.client.delete(`/cmk/v2/clusters/${enc(cluster.id)}`, { environment: cluster.spec.environment.id });
    await forgetIfSelected(io, session, "cluster", cluster.id);
    io.stdout(`Deleted Kafka cluster "${cluster.id}".\n`);
  }
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

export const kafkaCluster = commandGroup("vaultwire kafka cluster", KAFKA_CLUSTER_HELP, { create, list, describe, use, delete: remove, pool: poolCommands, "worker-config": workerConfig, "worker-credential": workerCredentialCommands });
