/**
 * Kafka clusters registered in an environment: where they run (cloud, region,
 * type, networking, which the region policy reads) and how vaultwire reaches
 * them (bootstrap servers, Kafka Connect REST URLs). A cluster created
 * without either gets those of the operator's Connect worker pool for its
 * environment or placement (domain/connect-pools.ts), copied at creation.
 */
import { checkConnectHost, parseConnectUrl, type ConnectHostPolicy } from "../domain/connect-host-policy.js";
import { NO_CONNECT_POOLS, selectConnectPool, type ConnectPools } from "../domain/connect-pools.js";
import { ConflictError, NotFoundError } from "../domain/errors.js";
import { CLOUDS, CLUSTER_TYPES, NETWORKING_KINDS, type ClusterPlacement } from "../domain/region-policy.js";
import type { Availability, KafkaCluster } from "../domain/resources.js";
import type { Page, PageRequest } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { MAX_DISPLAY_NAME, requireEnvironment } from "./environments.js";
import { asciiLower, FieldChecks, SPACE_CLASS } from "./input.js";
import { assertEnvironmentAdmin, assertOrgAdmin, assertOrgReader, loadInEnvironment, type Principal } from "./principal.js";

const AVAILABILITIES: readonly Availability[] = ["SINGLE_ZONE", "MULTI_ZONE"];
const MAX_CONNECT_URLS = 10;
const SPACES = `${SPACE_CLASS}*`;

/** A region name (before trimming and lower-casing). */
export const REGION_PATTERN = String.raw`^${SPACES}[A-Za-z0-9][A-Za-z0-9-]*${SPACES}$`;
const HOST_PORT = String.raw`[A-Za-z0-9.\-\[\]:]+:[0-9]{1,5}`;
/** Comma-separated host:port entries (each may be padded with spaces), or nothing. */
export const BOOTSTRAP_SERVERS_PATTERN = String.raw`^${SPACES}(?:${HOST_PORT}(?:${SPACES},${SPACES}${HOST_PORT})*)?${SPACES}$`;
const LABEL = "[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*";
const OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])";
const PORT = "(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4})";
/**
 * A Kafka Connect REST URL: http(s), a host name (its last label starting
 * with a letter) or an IPv4 address, an optional port and path; no
 * credentials, query or fragment. Every such URL parses (WHATWG).
 */
export const CONNECT_URL_PATTERN = String.raw`^[Hh][Tt][Tt][Pp][Ss]?://(?:(?:${LABEL}\.)*[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*|${OCTET}(?:\.${OCTET}){3})(?::${PORT})?/?$`;
const REGION = new RegExp(REGION_PATTERN, "u");
const BOOTSTRAP_SERVERS = new RegExp(BOOTSTRAP_SERVERS_PATTERN, "u");
const CONNECT_URL = new RegExp(CONNECT_URL_PATTERN, "u");

export interface ClusterInput {
  readonly displayName?: unknown;
  readonly environmentId?: unknown;
  readonly cloud?: unknown;
  readonly region?: unknown;
  readonly availability?: unknown;
  /** `config.kind` (Basic, Standard, Enterprise, Dedicated). */
  readonly kind?: unknown;
  readonly cku?: unknown;
  readonly networking?: unknown;
  readonly bootstrapServers?: unknown;
  readonly connectUrls?: unknown;
}

export interface ClusterService {
  create(principal: Principal, input: ClusterInput): Promise<KafkaCluster>;
  list(principal: Principal, environmentId: string, page: PageRequest): Promise<Page<KafkaCluster>>;
  get(principal: Principal, id: string, environmentId?: string): Promise<KafkaCluster>;
  update(principal: Principal, id: string, environmentId: string | undefined, input: ClusterInput): Promise<KafkaCluster>;
  delete(principal: Principal, id: string, environmentId?: string): Promise<void>;
  /** The operator's Connect worker pools (organization-wide keys only: they name internal hosts). */
  connectPools(principal: Principal): ConnectPools;
}

export function clusterNotFound(id: string): NotFoundError {
  return new NotFoundError(`Kafka cluster "${id}" was not found`);
}

export function placementOf(cluster: KafkaCluster): ClusterPlacement {
  return { cloud: cluster.cloud, region: cluster.region, type: cluster.type, networking: cluster.networking };
}

export interface ClusterServiceDependencies extends ServiceContext {
  /** Which Kafka Connect hosts `spec.connect_urls` may name. */
  readonly connectHosts: ConnectHostPolicy;
  /** The operator's Connect worker pools (none by default). */
  readonly pools?: ConnectPools;
}

export function createClusterService(context: ClusterServiceDependencies): ClusterService {
  const { store } = context;

  function get(principal: Principal, id: string, environmentId?: string): Promise<KafkaCluster> {
    return loadInEnvironment(principal, () => store.clusters.get(id), environmentId, () => clusterNotFound(id));
  }

  const requireVisibleEnvironment = (principal: Principal, environmentId: string) => requireEnvironment(store, principal, environmentId);

  /** Reads and checks every field; `base` supplies values not given (update). */
  function read(input: ClusterInput, base?: KafkaCluster): Omit<KafkaCluster, "id" | "environmentId" | "createdAt" | "updatedAt"> {
    const checks = new FieldChecks();
    const displayName = input.displayName === undefined && base ? base.displayName : checks.requiredString("spec.display_name", input.displayName, MAX_DISPLAY_NAME);
    const cloud = input.cloud === undefined && base ? base.cloud : checks.oneOf("spec.cloud", input.cloud, CLOUDS);
    let region = base?.region;
    if (input.region !== undefined || !base) {
      const given = checks.requiredString("spec.region", input.region, 64);
      region = given === undefined ? undefined : asciiLower(given);
      if (region !== undefined && typeof input.region === "string" && !REGION.test(input.region)) checks.add("spec.region", "spec.region must be a region name of letters, digits and \"-\", e.g. westus3");
    }
    const availability = input.availability === undefined && base ? base.availability : checks.oneOf("spec.availability", input.availability, AVAILABILITIES, "SINGLE_ZONE");
    const type = input.kind === undefined && base ? base.type : checks.oneOf("spec.config.kind", input.kind, CLUSTER_TYPES);
    let cku = base?.cku ?? null;
    if (input.cku !== undefined && input.cku !== null) {
      if (typeof input.cku !== "number" || !Number.isInteger(input.cku) || input.cku < 1 || input.cku > 152) checks.add("spec.config.cku", "spec.config.cku must be a whole number from 1 to 152");
      else cku = input.cku;
    }
    const networking = input.networking === undefined && base ? base.networking : checks.oneOf("spec.networking", input.networking, NETWORKING_KINDS, "PUBLIC");
    let bootstrapServers = base?.bootstrapServers ?? "";
    if (input.bootstrapServers !== undefined) {
      bootstrapServers = checks.optionalString("spec.kafka_bootstrap_servers", input.bootstrapServers, 1024) ?? "";
      if (typeof input.bootstrapServers === "string" && bootstrapServers !== "" && !BOOTSTRAP_SERVERS.test(input.bootstrapServers)) {
        checks.add("spec.kafka_bootstrap_servers", "spec.kafka_bootstrap_servers must be a comma-separated list of host:port, e.g. localhost:9092");
      }
    }
    let connectUrls = base?.connectUrls ?? [];
    if (input.connectUrls !== undefined && input.connectUrls !== null) connectUrls = readConnectUrls(checks, input.connectUrls, context.connectHosts);
    checks.throwIfAny("invalid Kafka cluster");
    return {
      displayName: displayName ?? "",
      cloud: cloud ?? "AZURE",
      region: region ?? "",
      availability: availability ?? "SINGLE_ZONE",
      type: type ?? "DEDICATED",
      cku,
      networking: networking ?? "PUBLIC",
      bootstrapServers: bootstrapServers === "" ? "" : bootstrapServers.split(",").map((s) => s.trim()).join(","),
      connectUrls,
    };
  }

  return {
    async create(principal, input) {
      const checks = new FieldChecks();
      const environmentId = checks.requiredString("spec.environment.id", input.environmentId, 64);
      checks.throwIfAny();
      await requireVisibleEnvironment(principal, environmentId ?? "");
      assertEnvironmentAdmin(principal, "registering a Kafka cluster", environmentId ?? "");
      assertMaySetConnectUrls(principal, input);
      let fields = read(input);
      // Confluent's clients cannot send endpoints: a cluster given none runs on its pool's workers.
      const givesEndpoints = (input.connectUrls !== undefined && input.connectUrls !== null) || (input.bootstrapServers !== undefined && input.bootstrapServers !== null);
      const selection = givesEndpoints ? null : selectConnectPool(context.pools ?? NO_CONNECT_POOLS, { environmentId: environmentId ?? "", cloud: fields.cloud, region: fields.region });
      if (selection) fields = { ...fields, connectUrls: selection.pool.connectUrls, bootstrapServers: selection.pool.bootstrapServers };
      const now = context.now();
      const cluster: KafkaCluster = { id: context.newId("kafkaCluster"), environmentId: environmentId ?? "", ...fields, createdAt: now, updatedAt: now };
      await store.clusters.insert(cluster);
      return cluster;
    },
    async list(principal, environmentId, page) {
      await requireVisibleEnvironment(principal, environmentId);
      return store.clusters.list(environmentId, page);
    },
    get,
    async update(principal, id, environmentId, input) {
      const existing = await get(principal, id, environmentId);
      assertEnvironmentAdmin(principal, "changing a Kafka cluster", existing.environmentId);
      assertMaySetConnectUrls(principal, input);
      const fields = read(input, existing);
      const cluster: KafkaCluster = { ...existing, ...fields, updatedAt: context.now() };
      await store.clusters.update(cluster);
      return cluster;
    },
    connectPools(principal) {
      assertOrgReader(principal, "listing the Connect worker pools");
      return context.pools ?? NO_CONNECT_POOLS;
    },
    async delete(principal, id, environmentId) {
      const existing = await get(principal, id, environmentId);
      assertEnvironmentAdmin(principal, "removing a Kafka cluster", existing.environmentId);
      await store.transaction(async (tx) => {
        const connectors = await tx.connectors.countByCluster(id);
        if (connectors > 0) throw new ConflictError(`Kafka cluster "${id}" still has ${connectors} connector(s); delete them first`);
        await tx.clusters.delete(id);
      });
    },
  };
}

/**
 * vaultwire calls the Connect URLs from inside its network, so only an
 * organization admin names them; environment-scoped keys manage the rest.
 */
function assertMaySetConnectUrls(principal: Principal, input: ClusterInput): void {
  if (input.connectUrls !== undefined && input.connectUrls !== null) assertOrgAdmin(principal, "setting spec.connect_urls");
}

/** The Kafka Connect REST URLs of the cluster's workers; optional (connectors wait in PROVISIONING until there are some). */
function readConnectUrls(checks: FieldChecks, value: unknown, hosts: ConnectHostPolicy): string[] {
  const field = "spec.connect_urls";
  if (!Array.isArray(value) || value.length > MAX_CONNECT_URLS) {
    checks.add(field, `${field} must be a list of at most ${MAX_CONNECT_URLS} URLs, e.g. ["http://localhost:8083"]`);
    return [];
  }
  const urls: string[] = [];
  for (const [index, entry] of value.entries()) {
    const text = typeof entry === "string" && entry.length <= 512 ? entry : "";
    const parsed = text === "" ? undefined : parseConnectUrl(text);
    if (!parsed?.ok) {
      checks.add(`${field}[${index}]`, `${field}[${index}] must be ${parsed?.error ?? "an http:// or https:// URL without credentials, query or fragment and with no path"}`);
      continue;
    }
    const allowed = checkConnectHost(hosts, parsed.value.hostname);
    if (!allowed.allowed) {
      checks.add(`${field}[${index}]`, `${field}[${index}]: ${allowed.problem}`);
      continue;
    }
    // What the OpenAPI document promises, exactly: a host name or IPv4 address, no spaces around it.
    if (!CONNECT_URL.test(text)) {
      checks.add(`${field}[${index}]`, `${field}[${index}] must name its host by name or IPv4 address (e.g. http://connect-1:8083), with no spaces around the URL`);
      continue;
    }
    urls.push(parsed.value.url);
  }
  return urls;
}
