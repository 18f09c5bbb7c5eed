// vaultwire highly available, end to end (issue 11): two `vaultwire server`
// processes (the built binary, dist/cli/main.js) share one PostgreSQL store and
// one master key; a Kafka Connect group of three workers reads secrets through
// vaultwire's ConfigProvider with both replicas in param.urls; a
// PostgresCdcSourceV2 connector streams a CDC database to Kafka. Each scenario
// breaks something with kill -9 (or a server restart) and ends in the same
// convergence check: every expected connector RUNNING in vaultwire (on every
// live replica) and in Connect with every task RUNNING, exactly the expected
// connectors in Connect (none lost, none duplicated, no orphans), and a row
// inserted after the event reaching each connector's topic.
//
//   a. create, then kill -9 the cluster's lease owner: the survivor deploys it.
//   b. rotation with both replicas up: exactly one restart across both.
//   c. rotation, the owner killed right after the new version is written:
//      exactly one restart, on the survivor, and rows flow with the new password.
//   d. delete, then kill -9 the owner: gone from Connect within the failover
//      bound; the other connector is not touched.
//   e. kill -9 the Connect worker running the task: it runs on a survivor.
//   f. restart vaultwire's PostgreSQL: both replicas work again; a create converges.
//   g. the canary scan over both replicas' logs, their responses and store,
//      Connect's REST answers, topics and logs.
//
// The lease owner is the `holder` of the cluster's row in the store's
// `cluster_leases` table (per-cluster leases; VAULTWIRE_REPLICA_ID names each
// replica). Without that table (a build before leases) the test kills the
// replica that served the request, or replica A, and says so in its output.
//
// Why a PostgreSQL server of its own for vaultwire's store (test/e2e/private-postgres.ts):
// vitest runs test files in parallel (one fork per file, as many as there are
// cores; vitest.config.ts sets no poolOptions), and the store, HTTP, security
// and e2e suites all use the shared server on 5432 while this file runs.
// Restarting that server (pg_ctlcluster 15 main restart) would end their
// sessions and fail them at random. So the store lives in a private server
// (initdb + pg_ctl of the same installation, its own port, stopped and started
// by scenario f), and only the CDC source database, which scenario f does not
// restart, lives on the shared server (it has wal_level=logical).
//
// Quick failover settings, all documented knobs: VAULTWIRE_LEASE_TTL_MS=3000,
// reconcile every 1 s, secrets re-read every 1.5 s; the workers use
// session.timeout.ms=6000 (the broker's minimum) and
// scheduled.rebalance.max.delay.ms=5000 instead of 10000 and 15000.
//
// Needs the local Kafka jars (bash infra/kafka/bin/fetch.sh), a PostgreSQL
// superuser (infra/postgres/setup.sh) and the built binary (npm run build;
// npm test builds first); skipped without the first two, required in CI.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts, startLocalKafka, type LocalKafka } from "../../src/dev/local-kafka.js";
import { URL_PROPERTY, URLS_PROPERTY } from "../../src/services/worker-config.js";
import { ADMIN_KEY, ADMIN_SECRET, LOCAL_CONNECT_HOSTS, seedEnvironment, startAzureFixture, type ApiResponse, type AzureFixture } from "../http/harness.js";
import { CanaryRegistry, describeHits, postgresTables, scanKafkaConnect } from "../security/canaries.js";
import { readTopic } from "../../src/dev/kafka-reader.js";
import { canAdminPostgres, dropDatabaseAndRole, pgPort, psqlAdmin } from "./postgres-admin.js";
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from "./private-postgres.js";

const LIB_DIR = fileURLToPath(new URL("../../infra/kafka/target/lib", import.meta.url));
const BIN = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
const IN_CI = process.env.CI !== undefined && process.env.CI !== "";
const haveStack = existsSync(LIB_DIR) && canAdminPostgres() && postgresBinDir() !== undefined;
if (IN_CI && !haveStack) throw new Error("CI: the high-availability test needs infra/kafka/target (bash infra/kafka/bin/fetch.sh) and a PostgreSQL superuser with its server binaries");

const run = randomBytes(4).toString("hex");
const DB = { name: `vw_ha_${run}`, user: `vw_ha_cdc_${run}`, table: "orders" };
const PASSWORDS = [1, 2, 3].map((n) => `Canary-PG${n}-${randomBytes(9).toString("base64url")}`);
const PREFIX = `vwha${run}`;
const CONNECT_TOPICS = ["connect-configs", "connect-offsets", "connect-status"];
const MASTER_KEY = randomBytes(32).toString("base64");
const LEASE_TTL_MS = 3_000;
const RECONCILE_INTERVAL_MS = 1_000;
const SECRET_REFRESH_INTERVAL_MS = 1_500;
/** How long a survivor may take to notice a dead owner and act: the lease running out, then two passes, with room for Connect. */
const FAILOVER_BOUND_MS = LEASE_TTL_MS + 2 * RECONCILE_INTERVAL_MS + 10_000;
const ROTATION_LINE = "secret versions changed: restarting the connector and its tasks";
/** What the replica that performs a restart logs once Connect accepted it (detecting a rotation is not restarting). */
const RESTARTED_LINE = "restarted the connector and its tasks in Kafka Connect";

/** One `vaultwire server` process; `child` is unset while it is down. Its stdout (pino) and stderr go to `logFile`, appended across restarts. */
interface Replica {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  readonly logFile: string;
  child: ChildProcess | undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>, every = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    try {
      const result = await attempt();
      if (result !== undefined) return result;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: not within ${Math.round(timeoutMs / 1000)} s${last === "" ? "" : ` (last: ${last})`}`);
    await sleep(every);
  }
}

describe.skipIf(!haveStack)("two vaultwire replicas and three Connect workers converge after kill -9, a worker loss and a PostgreSQL restart", () => {
  let azure: AzureFixture;
  let store: PrivatePostgres;
  let kafka: LocalKafka;
  let dir: string;
  let base = "";
  let clusterId = "";
  let integrationId = "";
  const replicas: Replica[] = [];
  const responses: string[] = [];
  const canaries = new CanaryRegistry();
  /** Connector name → id, as vaultwire created them. */
  const ids = new Map<string, string>();
  let password = PASSWORDS[0] ?? "";
  let nextRow = 1;
  /** How each kill chose its replica (the lease table, or a fallback), for the output. */
  const ownerNotes: string[] = [];

  const live = () => replicas.filter((r) => r.child !== undefined);
  const logs = () => replicas.map((r) => existsSync(r.logFile) ? readFileSync(r.logFile, "utf8") : "").join("\n");
  const logOffsets = () => replicas.map((r) => existsSync(r.logFile) ? statSync(r.logFile).size : 0);
  /** The lines written to the replicas' logs since `offsets` (from logOffsets()). */
  const logsSince = (offsets: readonly number[]) => replicas.map((r, index) => existsSync(r.logFile) ? readFileSync(r.logFile).subarray(offsets[index] ?? 0).toString("utf8") : "").join("\n");
  const count = (text: string, needle: string) => text.split(needle).length - 1;

  async function api<T = unknown>(replica: Replica, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${ADMIN_KEY}:${ADMIN_SECRET}`).toString("base64")}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${replica.url}${path}`, { method, headers, signal: AbortSignal.timeout(30_000), ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    responses.push(text);
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, text, body: parsed as T };
  }

  async function startReplica(replica: Replica): Promise<void> {
    const vaultHosts = [new URL(azure.vaultUri).host, new URL(azure.lockedVaultUri).host].join(",");
    const out = openSync(replica.logFile, "a");
    const offset = statSync(replica.logFile).size;
    try {
      replica.child = spawn(process.execPath, [BIN, "server", "--port", String(replica.port)], {
        env: {
          PATH: process.env.PATH ?? "",
          HOME: dir,
          VAULTWIRE_DATA_DIR: join(dir, `data-${replica.name}`),
          VAULTWIRE_DATABASE_URL: store.databaseUrl,
          VAULTWIRE_MASTER_KEY: MASTER_KEY,
          VAULTWIRE_BOOTSTRAP_API_KEY: ADMIN_KEY,
          VAULTWIRE_BOOTSTRAP_API_SECRET: ADMIN_SECRET,
          VAULTWIRE_PUBLIC_URL: replica.url,
          VAULTWIRE_LOG_LEVEL: "info",
          VAULTWIRE_REPLICA_ID: replica.name,
          VAULTWIRE_LEASE_TTL_MS: String(LEASE_TTL_MS),
          VAULTWIRE_RECONCILE_INTERVAL_MS: String(RECONCILE_INTERVAL_MS),
          VAULTWIRE_SECRET_REFRESH_INTERVAL_MS: String(SECRET_REFRESH_INTERVAL_MS),
          VAULTWIRE_ALLOWED_CONNECT_HOSTS: LOCAL_CONNECT_HOSTS.join(","),
          VAULTWIRE_AZURE_AUTHORITY_HOST: azure.emulator.authorityHost,
          VAULTWIRE_AZURE_CA_FILE: join(azure.stateDir, "ca.pem"),
          VAULTWIRE_ALLOWED_VAULT_HOSTS: vaultHosts,
          VAULTWIRE_AZURE_EMULATOR_HOSTS: vaultHosts,
          VAULTWIRE_AZURE_CLIENT_ID: azure.appId,
          VAULTWIRE_AZURE_CLIENT_SECRET: azure.appSecret,
        },
        stdio: ["ignore", out, out],
      });
    } finally {
      closeSync(out);
    }
    const child = replica.child;
    child.once("exit", () => { if (replica.child === child) replica.child = undefined; });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const output = readFileSync(replica.logFile).subarray(offset).toString("utf8");
      if (output.includes(`listening on ${replica.url}`)) return;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`replica ${replica.name} exited before listening: ${output.slice(-2_000)}`);
      if (Date.now() >= deadline) throw new Error(`replica ${replica.name} was not listening within 30 s: ${output.slice(-2_000)}`);
      await sleep(100);
    }
  }

  async function killReplica(replica: Replica): Promise<void> {
    const child = replica.child;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
    replica.child = undefined;
  }

  /**
   * The replica holding the cluster's lease, from the store's cluster_leases
   * table; without that table, `fallback` (and a note saying so).
   */
  async function leaseOwner(fallback: Replica, scenario: string): Promise<Replica> {
    const client = new pg.Client({ connectionString: store.databaseUrl });
    await client.connect();
    try {
      const found = await until(`the lease owner of ${clusterId}`, FAILOVER_BOUND_MS, async () => {
        // expires_at may be a timestamp or epoch milliseconds: compared here, not in SQL.
        const rows = await client.query<{ holder: string; expires_at: Date | string | number }>("SELECT holder, expires_at FROM cluster_leases WHERE cluster_id = $1", [clusterId])
          .catch((error: unknown) => {
            if ((error as { code?: string }).code === "42P01") return null;
            throw error;
          });
        if (rows === null) return { replica: fallback, how: `no cluster_leases table: killed ${fallback.name} (${scenario === "a" || scenario === "d" ? "it served the request" : "the first live replica"})` };
        const expiresAt = (value: Date | string | number): number => value instanceof Date ? value.getTime() : /^\d+$/.test(String(value)) ? Number(value) : Date.parse(String(value));
        const holder = rows.rows.find((row) => expiresAt(row.expires_at) > Date.now())?.holder ?? "";
        const replica = live().find((r) => holder === r.name || holder.includes(r.name));
        return replica === undefined ? undefined : { replica, how: `lease holder "${holder}"` };
      });
      ownerNotes.push(`${scenario}: ${found.how}`);
      return found.replica;
    } finally {
      await client.end();
    }
  }

  function connectorConfig(name: string): Record<string, string> {
    const identifier = (key: string) => `${azure.vaultUri}::pg-credentials::${key}`;
    return {
      "connector.class": "PostgresCdcSourceV2", name, "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-ha",
      "authentication.method": "Password", "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
      "secret.manager.managed.configs": "database.user,database.password", "secret.manager.provider.integration.id": integrationId,
      "database.hostname": "127.0.0.1", "database.port": String(pgPort), "database.user": identifier("user"), "database.password": identifier("password"),
      "database.dbname": DB.name, "publication.autocreate.mode": "filtered", "table.include.list": `public.${DB.table}`,
      "slot.name": `${name}_${run}`, "topic.prefix": `${PREFIX}${name}`, "output.data.format": "JSON", "output.key.format": "JSON", "tasks.max": "1",
    };
  }
  const topicOf = (name: string) => `${PREFIX}${name}.public.${DB.table}`;
  const setSecret = (value: string) => azure.emulator.setSecret("sql-vault", "pg-credentials", JSON.stringify({ user: DB.user, password: value }));

  async function insert(item: string): Promise<void> {
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password });
    await client.connect();
    try {
      await client.query(`INSERT INTO ${DB.table} VALUES ($1, $2)`, [nextRow++, item]);
    } finally {
      await client.end();
    }
  }

  /** POST …/connectors on `replica`; the id is read afterwards (learnId), so a kill can follow the answer at once. */
  async function create(replica: Replica, name: string): Promise<void> {
    const created = await api(replica, "POST", `${base}/connectors`, { name, config: connectorConfig(name) });
    expect(created.status, created.text).toBe(201);
  }

  async function learnId(name: string): Promise<void> {
    const [replica] = live();
    if (!replica) throw new Error("no live replica");
    const listed = await api<Record<string, { id: { id: string } }>>(replica, "GET", `${base}/connectors?expand=id`);
    const id = listed.body[name]?.id.id;
    if (id === undefined) throw new Error(`no id for "${name}": ${listed.text}`);
    ids.set(name, id);
  }

  interface ConnectState { status?: { connector: { state: string; worker_id: string }; tasks: { id: number; state: string; worker_id: string }[] } }
  const liveWorker = () => {
    const index = kafka.connectUrls.findIndex((_url, i) => kafka.isWorkerRunning(i));
    return kafka.connectUrls[index] ?? kafka.connectUrl;
  };
  async function connectListing(): Promise<Record<string, ConnectState>> {
    const response = await fetch(`${liveWorker()}/connectors?expand=status`, { signal: AbortSignal.timeout(15_000) });
    if (response.status !== 200) throw new Error(`Connect answered ${response.status}`);
    return await response.json() as Record<string, ConnectState>;
  }

  /** What is not converged yet, or [] when vaultwire and Connect both show exactly `expected`, all RUNNING. */
  async function problems(expected: readonly string[]): Promise<string[]> {
    const found: string[] = [];
    const wantedIds = expected.map((name) => ids.get(name) ?? `(no id for ${name})`).sort();
    for (const replica of live()) {
      const listed = await api<Record<string, { id: { id: string }; status: { connector: { state: string; trace: string }; tasks: { id: number; state: string }[] } }>>(replica, "GET", `${base}/connectors?expand=id,status`);
      if (listed.status !== 200) {
        found.push(`replica ${replica.name}: HTTP ${listed.status}`);
        continue;
      }
      const names = Object.keys(listed.body).sort();
      if (names.join(",") !== [...expected].sort().join(",")) found.push(`replica ${replica.name} lists ${names.join(",") || "nothing"}, not ${[...expected].sort().join(",")}`);
      for (const [name, entry] of Object.entries(listed.body)) {
        const { connector, tasks } = entry.status;
        if (connector.state !== "RUNNING") found.push(`replica ${replica.name}: "${name}" is ${connector.state}: ${connector.trace.slice(0, 300)}`);
        else if (tasks.length === 0 || tasks.some((t) => t.state !== "RUNNING")) found.push(`replica ${replica.name}: "${name}" tasks ${JSON.stringify(tasks)}`);
      }
    }
    const connect = await connectListing();
    const managed = Object.keys(connect).filter((name) => name.startsWith("lcc-")).sort();
    if (managed.join(",") !== wantedIds.join(",")) found.push(`Connect has ${managed.join(",") || "no connector"}, not ${wantedIds.join(",")}`);
    for (const id of wantedIds) {
      const status = connect[id]?.status;
      if (!status) continue;
      if (status.connector.state !== "RUNNING") found.push(`Connect: ${id} is ${status.connector.state}`);
      if (status.tasks.length === 0 || status.tasks.some((t) => t.state !== "RUNNING")) found.push(`Connect: ${id} tasks ${JSON.stringify(status.tasks.map((t) => t.state))}`);
    }
    return found;
  }

  /** Waits until problems() is empty, then checks that a row inserted now reaches every expected connector's topic. */
  async function converged(expected: readonly string[], marker: string, timeoutMs = 90_000): Promise<void> {
    let last: string[] = [];
    await until(`convergence on ${expected.join(", ")}`, timeoutMs, async () => {
      last = await problems(expected).catch((error: unknown) => [(error as Error).message]);
      return last.length === 0 ? true : undefined;
    }, 500).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}:\n  ${last.join("\n  ")}`);
    });
    await insert(marker);
    await Promise.all(expected.map((name) => readTopic(kafka.bootstrapServers, topicOf(name), (records) => records.some((r) => r.value?.includes(marker) === true), 60_000)));
  }

  beforeAll(async () => {
    if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run npm run build first`);
    psqlAdmin(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${password}'; CREATE DATABASE ${DB.name} OWNER ${DB.user};`);
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password });
    await client.connect();
    await client.query(`CREATE TABLE ${DB.table} (id integer PRIMARY KEY, item text NOT NULL)`);
    await client.end();

    dir = await mkdtemp(join(tmpdir(), "vaultwire-ha-"));
    store = await startPrivatePostgres({ database: "vaultwire" });
    azure = await startAzureFixture();
    setSecret(password);
    const [portA, portB, kafkaPort] = await freePorts([undefined, undefined, undefined] as const);
    for (const [name, port] of [["replica-a", portA], ["replica-b", portB]] as const) {
      replicas.push({ name, port, url: `http://127.0.0.1:${port}`, logFile: join(dir, `${name}.log`), child: undefined });
    }
    const [a, b] = replicas;
    if (!a || !b) throw new Error("no replicas");
    // One after the other: the first creates the schema and the admin key.
    await startReplica(a);
    await startReplica(b);
    const seed = await seedEnvironment({ api: <T,>(method: string, path: string, body?: unknown) => api<T>(a, method, path, body) }, azure, "ha");
    ({ base, clusterId, integrationId } = seed);
    expect((await api(b, "PATCH", `/cmk/v2/clusters/${clusterId}`, { spec: { kafka_bootstrap_servers: `127.0.0.1:${kafkaPort}` } })).status).toBeLessThan(300);

    // The worker credential: read with a plain fetch, so the one response that carries it is not among those scanned.
    const response = await fetch(`${a.url}/cmk/v2/clusters/${clusterId}/worker-config`, {
      method: "POST",
      headers: { authorization: `Basic ${Buffer.from(`${ADMIN_KEY}:${ADMIN_SECRET}`).toString("base64")}`, "content-type": "application/json" },
      body: JSON.stringify({ spec: { description: "ha workers" } }),
    });
    const { properties } = await response.json() as { properties?: Record<string, string> };
    if (response.status >= 300 || !properties?.["config.providers.vaultwire.param.token"]) throw new Error(`no worker credential from worker-config: HTTP ${response.status}`);
    const workerProperties: Record<string, string> = { ...properties, [URLS_PROPERTY]: replicas.map((r) => r.url).join(",") };
    Reflect.deleteProperty(workerProperties, URL_PROPERTY);

    for (const [index, value] of PASSWORDS.entries()) canaries.add("vault-json-field", `password ${index + 1}`, value);
    canaries.add("worker-credential", "worker credential", properties["config.providers.vaultwire.param.token"]);
    canaries.add("platform-app-secret", "platform app client secret", azure.appSecret);
    canaries.add("bootstrap-api-secret", "bootstrap API secret", ADMIN_SECRET);
    canaries.add("master-key", "master key (base64)", MASTER_KEY);
    canaries.add("master-key", "master key (bytes)", Buffer.from(MASTER_KEY, "base64"));
    canaries.add("master-key", "master key (hex)", Buffer.from(MASTER_KEY, "base64").toString("hex"));

    kafka = await startLocalKafka({
      dir: join(dir, "kafka"), kafkaPort, workers: 3, heapMb: 448, readyTimeoutMs: 180_000,
      workerProperties: {
        ...workerProperties,
        "config.providers.vaultwire.param.timeout.ms": "10000",
        "session.timeout.ms": "6000",
        "heartbeat.interval.ms": "1500",
        "scheduled.rebalance.max.delay.ms": "5000",
      },
    });
    // The workers' ports are startLocalKafka's choice: vaultwire learns them now.
    expect(kafka.connectUrls).toHaveLength(3);
    expect((await api(a, "PATCH", `/cmk/v2/clusters/${clusterId}`, { spec: { connect_urls: [...kafka.connectUrls] } })).status).toBeLessThan(300);
  }, 300_000);

  afterAll(async () => {
    if (ownerNotes.length > 0) console.info(`high-availability: how each kill chose its replica:\n  ${ownerNotes.join("\n  ")}`);
    for (const replica of replicas) await killReplica(replica).catch(() => undefined);
    // Each may be unset when beforeAll stopped early: a TypeError there is ignored too.
    await Promise.resolve().then(() => kafka.stop()).catch(() => undefined);
    await Promise.resolve().then(() => azure.close()).catch(() => undefined);
    await Promise.resolve().then(() => store.close()).catch(() => undefined);
    await dropDatabaseAndRole(DB.name, DB.user);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it("a. a create whose lease owner is killed right after the call returns is deployed by the survivor", async () => {
    const [a] = replicas;
    if (!a) throw new Error("no replica");
    await insert("before alpha");
    await create(a, "alpha");
    const owner = await leaseOwner(a, "a");
    await killReplica(owner);
    await learnId("alpha");
    await converged(["alpha"], "after the kill during a create");
    await startReplica(owner);
    await converged(["alpha"], "with both replicas again", 30_000);
  }, 180_000);

  it("b. a rotation with both replicas up restarts the connector exactly once", async () => {
    const offsets = logOffsets();
    const next = PASSWORDS[1] ?? "";
    psqlAdmin(`ALTER ROLE ${DB.user} PASSWORD '${next}'`);
    setSecret(next);
    password = next;
    await until("a rotation restart", 30_000, () => Promise.resolve(count(logsSince(offsets), ROTATION_LINE) > 0 ? true : undefined));
    await converged(["alpha"], "after the rotation with both up");
    // Room for a second restart to show: several rotation checks on each replica, and a lease hand-over.
    await sleep(Math.max(4 * SECRET_REFRESH_INTERVAL_MS, LEASE_TTL_MS + 2_000));
    expect(count(logsSince(offsets), ROTATION_LINE), "rotations detected across both replicas").toBe(1);
    expect(count(logsSince(offsets), RESTARTED_LINE), "restarts performed in Connect across both replicas").toBe(1);
  }, 180_000);

  it("c. a rotation whose lease owner is killed right after the new version is written restarts it exactly once", async () => {
    const [a] = replicas;
    if (!a) throw new Error("no replica");
    const owner = await leaseOwner(a, "c");
    const offsets = logOffsets();
    const next = PASSWORDS[2] ?? "";
    psqlAdmin(`ALTER ROLE ${DB.user} PASSWORD '${next}'`);
    setSecret(next);
    password = next;
    await killReplica(owner);
    await until("a rotation restart on the survivor", FAILOVER_BOUND_MS + 10_000, () => Promise.resolve(count(logsSince(offsets), ROTATION_LINE) > 0 ? true : undefined));
    await converged(["alpha"], "after the rotation with the owner killed");
    await startReplica(owner);
    await sleep(Math.max(4 * SECRET_REFRESH_INTERVAL_MS, LEASE_TTL_MS + 2_000));
    await converged(["alpha"], "after the rotation, both replicas again", 30_000);
    expect(count(logsSince(offsets), ROTATION_LINE), "rotations detected across both replicas").toBe(1);
    expect(count(logsSince(offsets), RESTARTED_LINE), "restarts performed in Connect across both replicas").toBe(1);
  }, 180_000);

  it("d. a delete whose lease owner is killed right after DELETE returns is gone from Connect within the failover bound; the other connector is not touched", async () => {
    const [, b] = replicas;
    if (!b) throw new Error("no replica");
    await create(b, "beta");
    await learnId("beta");
    await converged(["alpha", "beta"], "with beta");
    const alphaId = ids.get("alpha") ?? "";
    const betaId = ids.get("beta") ?? "";
    const alphaBefore = (await connectListing())[alphaId]?.status;
    const offsets = logOffsets();
    const deleted = await api(b, "DELETE", `${base}/connectors/beta`);
    expect(deleted.status, deleted.text).toBe(200);
    const owner = await leaseOwner(b, "d");
    await killReplica(owner);
    ids.delete("beta");
    await until(`${betaId} gone from Connect`, FAILOVER_BOUND_MS, async () => (betaId in await connectListing() ? undefined : true));
    await converged(["alpha"], "after the delete");
    // alpha: not restarted (no rotation or stuck restart), still on the worker it was on, not removed as an orphan.
    const since = logsSince(offsets);
    expect(count(since, ROTATION_LINE)).toBe(0);
    expect(count(since, RESTARTED_LINE)).toBe(0);
    expect(since).not.toContain(`"name":"${alphaId}"`);
    expect((await connectListing())[alphaId]?.status?.tasks.map((t) => t.worker_id)).toEqual(alphaBefore?.tasks.map((t) => t.worker_id));
    await startReplica(owner);
    await converged(["alpha"], "after the delete, both replicas again", 30_000);
  }, 180_000);

  it("e. kill -9 of the Connect worker running the task: the task runs on a survivor with its secrets, and vaultwire shows RUNNING again", async () => {
    const alphaId = ids.get("alpha") ?? "";
    const worker = (await connectListing())[alphaId]?.status?.tasks[0]?.worker_id ?? "";
    const index = kafka.connectUrls.findIndex((url) => new URL(url).host === worker);
    expect(index, `task on ${worker}`).toBeGreaterThanOrEqual(0);
    await kafka.killWorker(index);
    // Noticed after session.timeout.ms (6 s), reassigned after scheduled.rebalance.max.delay.ms (5 s).
    await until("the task on another worker", 60_000, async () => {
      const task = (await connectListing())[alphaId]?.status?.tasks[0];
      return task && task.state === "RUNNING" && task.worker_id !== worker ? true : undefined;
    }, 500);
    await converged(["alpha"], "after the worker was killed");
  }, 180_000);

  it("f. a restart of vaultwire's PostgreSQL: both replicas work again, and a create afterwards converges", async () => {
    const [a, b] = replicas;
    if (!a || !b) throw new Error("no replicas");
    await store.restart(3_000);
    for (const replica of [a, b]) {
      expect(replica.child, `replica ${replica.name} survived the restart`).toBeDefined();
      await until(`replica ${replica.name} answering after the restart`, 30_000, async () => ((await api(replica, "GET", `${base}/connectors`)).status === 200 ? true : undefined), 500);
    }
    await create(a, "gamma");
    await learnId("gamma");
    await converged(["alpha", "gamma"], "after the PostgreSQL restart");
  }, 180_000);

  it("g. no secret of any kind, in any encoding, in either replica's logs, responses or store, or in Connect's REST answers, topics or logs", async () => {
    const topics = [...CONNECT_TOPICS, ...[...ids.keys()].map(topicOf)];
    const connect = await scanKafkaConnect(canaries, { connectUrl: liveWorker(), bootstrapServers: kafka.bootstrapServers, topics, logDirs: [dirname(kafka.logFiles.connect)] });
    const hits = [...connect.hits, ...canaries.scan(logs(), "vaultwire replicas' logs"), ...canaries.scan(responses.join("\n"), "vaultwire API responses")];
    for (const { table, rows } of await postgresTables(store.databaseUrl)) hits.push(...canaries.scan(rows.join("\n"), `vaultwire store table ${table}`));
    expect(hits, describeHits(hits)).toEqual([]);
    for (const topic of CONNECT_TOPICS) expect(connect.scanned.find((s) => s.startsWith(`topic ${topic} `)), topic).toMatch(/\([1-9]\d* records\)$/);
    expect(connect.scanned).toContain(`logs ${dirname(kafka.logFiles.connect)}`);
  }, 120_000);
});
