/**
 * Kafka Connect worker pools: where the connectors of a Kafka cluster run
 * when the cluster was created without endpoints (Confluent's clients, such
 * as its Terraform provider, cannot send vaultwire's `connect_urls` or
 * bootstrap servers). An operator names pools in the settings, each with its
 * Connect REST URLs and Kafka bootstrap servers, and which environments or
 * clouds/regions it serves; a default pool serves the rest.
 *
 * Pure: parsing returns every problem at once, selection is a lookup.
 */
import { checkConnectHost, parseConnectUrl, type ConnectHostPolicy } from "./connect-host-policy.js";
import { CLOUDS, type Cloud } from "./region-policy.js";
import { err, ok, type Result } from "./result.js";

/** Where a pool serves: a cloud, or one region of it (lower case). */
export interface PoolPlacement {
  readonly cloud: Cloud;
  /** null: every region of the cloud. */
  readonly region: string | null;
}

export interface ConnectPool {
  readonly name: string;
  /** Kafka Connect REST URLs (`scheme://host[:port]`, normalised). */
  readonly connectUrls: readonly string[];
  /** Kafka bootstrap servers, comma-separated host:port ("" when the pool names none). */
  readonly bootstrapServers: string;
  /** The environments (`env-…`) whose clusters this pool serves. */
  readonly environments: readonly string[];
  readonly placements: readonly PoolPlacement[];
}

export interface ConnectPools {
  readonly pools: readonly ConnectPool[];
  /** The pool of clusters no environment or placement selects; null: none (they wait for endpoints). */
  readonly defaultPool: string | null;
}

export const NO_CONNECT_POOLS: ConnectPools = { pools: [], defaultPool: null };

export const MAX_POOLS = 100;
const MAX_URLS = 10;
const POOL_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const ENVIRONMENT_ID = /^env-[a-z0-9]{1,60}$/;
const HOST_PORT = /^(?:[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,252}[A-Za-z0-9_])?|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$/;
const PLACEMENT = /^([A-Za-z]+)(?:\/([A-Za-z0-9-]{1,64}))?$/;

/** How a pool was chosen, for messages and docs. */
export type PoolSelection = { readonly pool: ConnectPool; readonly by: "environment" | "region" | "cloud" | "default" };

/**
 * Reads the pools setting: `{"default": "<name>", "pools": [{"name",
 * "connectUrls", "bootstrapServers", "environments", "placements"}]}`, with
 * placements such as "AZURE" or "AZURE/westus3". Each environment and each
 * placement may be named by one pool only, and the default must be a pool.
 * Connect URLs follow the same rules as a cluster's `spec.connect_urls`,
 * under the server's Connect host policy.
 */
export function parseConnectPools(input: unknown, hosts: ConnectHostPolicy): Result<ConnectPools, string[]> {
  if (input === undefined || input === null) return ok(NO_CONNECT_POOLS);
  if (typeof input !== "object" || Array.isArray(input)) return err(["expected an object with \"pools\" (a list) and an optional \"default\" (a pool name)"]);
  const problems: string[] = [];
  const record = input as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== "pools" && key !== "default") problems.push(`unknown key "${key.slice(0, 40)}": expected "pools" and "default"`);
  const list = record.pools ?? [];
  if (!Array.isArray(list) || list.length > MAX_POOLS) return err([...problems, `pools: expected a list of at most ${MAX_POOLS} pools`]);
  const pools: ConnectPool[] = [];
  const names = new Set<string>();
  const environmentOwner = new Map<string, string>();
  const placementOwner = new Map<string, string>();
  for (const [index, entry] of list.entries()) {
    const at = `pools[${index}]`;
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) {
      problems.push(`${at}: expected an object with name, connectUrls and bootstrapServers`);
      continue;
    }
    const pool = entry as Record<string, unknown>;
    for (const key of Object.keys(pool)) {
      if (!["name", "connectUrls", "bootstrapServers", "environments", "placements"].includes(key)) problems.push(`${at}: unknown key "${key.slice(0, 40)}": expected name, connectUrls, bootstrapServers, environments, placements`);
    }
    const name = typeof pool.name === "string" ? pool.name : "";
    if (!POOL_NAME.test(name)) problems.push(`${at}.name: expected 1-64 lower-case letters, digits and "-" (not first or last), e.g. "westus3"`);
    else if (names.has(name)) problems.push(`${at}.name: "${name}" names two pools`);
    else names.add(name);
    const label = POOL_NAME.test(name) ? `pool "${name}"` : at;
    const connectUrls = readUrls(pool.connectUrls, `${label} connectUrls`, hosts, problems);
    const bootstrapServers = readBootstrap(pool.bootstrapServers, `${label} bootstrapServers`, problems);
    const environments = readStrings(pool.environments, `${label} environments`, problems);
    for (const id of environments) {
      if (!ENVIRONMENT_ID.test(id)) problems.push(`${label} environments: "${id.slice(0, 64)}" is not an environment id (env-…)`);
      else if (environmentOwner.has(id)) problems.push(`${label} environments: ${id} is already served by pool "${environmentOwner.get(id) ?? ""}"`);
      else environmentOwner.set(id, name);
    }
    const placements: PoolPlacement[] = [];
    for (const text of readStrings(pool.placements, `${label} placements`, problems)) {
      const match = PLACEMENT.exec(text);
      const cloud = match?.[1]?.toUpperCase();
      if (!match || !(CLOUDS as readonly string[]).includes(cloud ?? "")) {
        problems.push(`${label} placements: "${text.slice(0, 64)}" must be a cloud (${CLOUDS.join(", ")}) or cloud/region, e.g. AZURE/westus3`);
        continue;
      }
      const placement: PoolPlacement = { cloud: cloud as Cloud, region: match[2]?.toLowerCase() ?? null };
      const key = `${placement.cloud}/${placement.region ?? "*"}`;
      if (placementOwner.has(key)) problems.push(`${label} placements: ${placement.region === null ? placement.cloud : key} is already served by pool "${placementOwner.get(key) ?? ""}"`);
      else placementOwner.set(key, name);
      placements.push(placement);
    }
    pools.push({ name, connectUrls, bootstrapServers, environments, placements });
  }
  let defaultPool: string | null = null;
  if (record.default !== undefined && record.default !== null) {
    if (typeof record.default !== "string" || !names.has(record.default)) problems.push(`default: expected the name of one of the pools${names.size === 0 ? " (there are none)" : ` (${[...names].join(", ")})`}`);
    else defaultPool = record.default;
  }
  return problems.length > 0 ? err(problems) : ok({ pools, defaultPool });
}

/**
 * The pool of a new cluster: the one naming its environment, else the one
 * naming its cloud and region, else the one naming its cloud, else the
 * default; null when there is none.
 */
export function selectConnectPool(pools: ConnectPools, at: { readonly environmentId: string; readonly cloud: Cloud; readonly region: string }): PoolSelection | null {
  const region = at.region.toLowerCase();
  const byEnvironment = pools.pools.find((p) => p.environments.includes(at.environmentId));
  if (byEnvironment) return { pool: byEnvironment, by: "environment" };
  const byRegion = pools.pools.find((p) => p.placements.some((pl) => pl.cloud === at.cloud && pl.region === region));
  if (byRegion) return { pool: byRegion, by: "region" };
  const byCloud = pools.pools.find((p) => p.placements.some((pl) => pl.cloud === at.cloud && pl.region === null));
  if (byCloud) return { pool: byCloud, by: "cloud" };
  const fallback = pools.pools.find((p) => p.name === pools.defaultPool);
  return fallback ? { pool: fallback, by: "default" } : null;
}

/**
 * Whether two clusters' connectors run on the same Kafka Connect workers:
 * they name a Connect REST URL in common (URLs are stored normalised, as
 * origins). A worker belongs to one Connect cluster, so one shared URL means
 * one set of workers — as for every cluster a pool gave its endpoints.
 */
export function sharesConnectWorkers(a: { readonly connectUrls: readonly string[] }, b: { readonly connectUrls: readonly string[] }): boolean {
  return a.connectUrls.some((url) => b.connectUrls.includes(url));
}

function readStrings(value: unknown, field: string, problems: string[]): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    problems.push(`${field}: expected a list of strings`);
    return [];
  }
  return value.map((v: string) => v.trim()).filter((v) => v !== "");
}

function readUrls(value: unknown, field: string, hosts: ConnectHostPolicy, problems: string[]): string[] {
  const texts = typeof value === "string" ? value.split(",").map((v) => v.trim()).filter((v) => v !== "") : readStrings(value, field, problems);
  if (texts.length === 0 || texts.length > MAX_URLS) {
    problems.push(`${field}: expected 1-${MAX_URLS} Kafka Connect REST URLs, e.g. ["http://connect-1:8083"]`);
    return [];
  }
  const urls: string[] = [];
  for (const text of texts) {
    const parsed = parseConnectUrl(text);
    if (!parsed.ok) {
      problems.push(`${field}: "${text.slice(0, 100)}" must be ${parsed.error}`);
      continue;
    }
    const allowed = checkConnectHost(hosts, parsed.value.hostname);
    if (!allowed.allowed) problems.push(`${field}: ${allowed.problem}`);
    else urls.push(parsed.value.url);
  }
  return urls;
}

function readBootstrap(value: unknown, field: string, problems: string[]): string {
  if (value === undefined || value === null) return "";
  const parts = typeof value === "string" ? value.split(",").map((v) => v.trim()).filter((v) => v !== "") : readStrings(value, field, problems);
  const bad = parts.filter((p) => !HOST_PORT.test(p) || Number(p.slice(p.lastIndexOf(":") + 1)) > 65535);
  if (bad.length > 0 || parts.join(",").length > 1024) {
    problems.push(`${field}: expected host:port entries (comma-separated or a list, at most 1024 characters), e.g. "kafka-1:9092,kafka-2:9092"`);
    return "";
  }
  return parts.join(",");
}
