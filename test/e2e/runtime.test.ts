// vaultwire end to end: the server (with the Azure emulator behind its secret
// manager) runs a PostgresCdcSourceV2 connector on a real Kafka Connect worker
// with Debezium; its user and password come from a JSON secret in the vault,
// only through vaultwire's ConfigProvider. Rows reach the topic; the password
// is nowhere else; rotation, a removed role, a wrong password and Connect being
// down all end where a user expects. The security suite's canary scanner
// (test/security/canaries.ts) checks Connect's REST answers, its config,
// offset and status topics, the data topic, the worker's and broker's logs and
// vaultwire's own log, database and responses for every secret in play — both
// passwords, the worker credential, the platform app secret, the bootstrap API
// secret and the master key — in every encoding.
//
// Needs the local Kafka jars (bash infra/kafka/bin/fetch.sh) and a PostgreSQL
// superuser (infra/postgres/setup.sh); skipped without them, required in CI.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts, startLocalKafka, type LocalKafka } from "../../src/dev/local-kafka.js";
import { ADMIN_KEY, ADMIN_SECRET, seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "../http/harness.js";
import { CanaryRegistry, describeHits, scanKafkaConnect, type CanaryHit } from "../security/canaries.js";
import type { TestDatabase } from "../store/harness.js";
import { readTopic, readWholeTopic } from "../../src/dev/kafka-reader.js";
import { canAdminPostgres, dropDatabaseAndRole, pgPort, psqlAdmin } from "./postgres-admin.js";

const LIB_DIR = fileURLToPath(new URL("../../infra/kafka/target/lib", import.meta.url));
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts", import.meta.url));
const IN_CI = process.env.CI !== undefined && process.env.CI !== "";
const haveStack = existsSync(LIB_DIR) && canAdminPostgres();
if (IN_CI && !haveStack) throw new Error("CI: the end-to-end test needs infra/kafka/target (bash infra/kafka/bin/fetch.sh) and a PostgreSQL superuser");

const run = randomBytes(4).toString("hex");
const DB = { name: `vw_rt_${run}`, user: `vw_rt_cdc_${run}`, table: "orders" };
const PASSWORDS = { first: `Canary-PG-${randomBytes(9).toString("base64url")}`, second: `Canary-PG2-${randomBytes(9).toString("base64url")}` };
const PREFIX = `vwrt${run}`;
const TOPIC = `${PREFIX}.public.${DB.table}`;
const CONNECT_TOPICS = ["connect-configs", "connect-offsets", "connect-status"];

/**
 * The worker properties with a worker credential: POST …/worker-config creates
 * one and returns it once. Read with a plain fetch, so the harness does not
 * record the one response that carries it (the canary scan reads the rest).
 */
async function workerConfig(server: TestServer, clusterId: string): Promise<Record<string, string>> {
  const headers = { authorization: `Basic ${Buffer.from(`${ADMIN_KEY}:${ADMIN_SECRET}`).toString("base64")}`, "content-type": "application/json" };
  const response = await fetch(`${server.url}/cmk/v2/clusters/${clusterId}/worker-config`, { method: "POST", headers, body: JSON.stringify({ spec: { description: "e2e workers" } }) });
  const body = await response.json() as { properties?: Record<string, string> };
  if (response.status >= 300 || !body.properties?.["config.providers.vaultwire.param.token"]) throw new Error(`no worker credential from worker-config: HTTP ${response.status}`);
  return body.properties;
}


async function insert(id: number, item: string, password: string): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password });
  await client.connect();
  try {
    await client.query(`INSERT INTO ${DB.table} VALUES ($1, $2)`, [id, item]);
  } finally {
    await client.end();
  }
}

describe.skipIf(!haveStack)("vaultwire runs a connector on Kafka Connect with secrets from Key Vault", () => {
  let azure: AzureFixture;
  let server: TestServer;
  let kafka: LocalKafka;
  let dir: string;
  let database: TestDatabase;
  const target = storeTargets()[0];
  /** The logs of servers this file stopped (the restart step), kept for the post-mortem. */
  const earlierLogs: string[] = [];
  const serverOptions = () => ({ database, ...(database.options.dataDir === undefined ? {} : { dataDir: database.options.dataDir }), reconcileIntervalMs: 1_000, secretRefreshIntervalMs: 1_500 });
  let base = "";
  let connectorId = "";
  let integrationId = "";
  const canaries = new CanaryRegistry();
  /** vaultwire's side: its log, every response the harness recorded, and its database (SQLite files; the generated master.key is the key itself). */
  async function scanVaultwire(): Promise<CanaryHit[]> {
    const hits = [...canaries.scan(server.logs(), "vaultwire log"), ...canaries.scan(server.responses(), "vaultwire API responses")];
    const dataDir = database.options.dataDir;
    if (dataDir !== undefined) hits.push(...await canaries.scanDirectory(dataDir, "vaultwire data", { skip: (path) => path.endsWith("master.key") }));
    return hits;
  }

  const identifier = (key: string) => `${azure.vaultUri}::pg-credentials::${key}`;
  const status = async (name = "orders") => (await server.api<{ connector: { state: string; trace: string }; tasks: { state: string }[] }>("GET", `${base}/connectors/${name}/status`)).body;
  async function waitFor(state: string, timeoutMs: number, name = "orders"): Promise<{ connector: { state: string; trace: string } }> {
    const deadline = Date.now() + timeoutMs;
    let last = await status(name);
    while (last.connector.state !== state && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      last = await status(name);
    }
    if (last.connector.state !== state) throw new Error(`connector "${name}" is ${last.connector.state}, not ${state}, after ${timeoutMs} ms: ${last.connector.trace}`);
    return last;
  }
  const setSecret = (password: string) => azure.emulator.setSecret("sql-vault", "pg-credentials", JSON.stringify({ user: DB.user, password }));

  beforeAll(async () => {
    psqlAdmin(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${PASSWORDS.first}'; CREATE DATABASE ${DB.name} OWNER ${DB.user};`);
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password: PASSWORDS.first });
    await client.connect();
    await client.query(`CREATE TABLE ${DB.table} (id integer PRIMARY KEY, item text NOT NULL)`);
    await client.end();

    azure = await startAzureFixture();
    setSecret(PASSWORDS.first);
    const [kafkaPort, connectPort] = await freePorts([undefined, undefined] as const);
    if (!target) throw new Error("no store");
    // One database for the whole suite, kept across the vaultwire restart of test 7.
    database = await target.createDatabase();
    server = await startTestServer(target, azure, serverOptions());
    const seed = await seedEnvironment(server, azure, "e2e");
    integrationId = seed.integrationId;
    base = seed.base;
    await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { kafka_bootstrap_servers: `127.0.0.1:${kafkaPort}`, connect_urls: [`http://127.0.0.1:${connectPort}`] } });
    const workerProperties = await workerConfig(server, seed.clusterId);
    canaries.add("vault-json-field", "first password", PASSWORDS.first);
    canaries.add("vault-json-field", "second password", PASSWORDS.second);
    canaries.add("worker-credential", "worker credential", workerProperties["config.providers.vaultwire.param.token"] ?? "");
    canaries.add("platform-app-secret", "platform app client secret", azure.appSecret);
    canaries.add("bootstrap-api-secret", "bootstrap API secret", ADMIN_SECRET);
    if (database.options.dataDir !== undefined) {
      const masterKey = readFileSync(join(database.options.dataDir, "master.key"), "utf8").trim();
      canaries.add("master-key", "master key (base64)", masterKey);
      canaries.add("master-key", "master key (bytes)", Buffer.from(masterKey, "base64"));
      canaries.add("master-key", "master key (hex)", Buffer.from(masterKey, "base64").toString("hex"));
    }
    dir = await mkdtemp(join(tmpdir(), "vaultwire-e2e-"));
    kafka = await startLocalKafka({ dir, kafkaPort, connectPort, workerProperties: { ...workerProperties, "config.providers.vaultwire.param.timeout.ms": "10000" }, readyTimeoutMs: 120_000 });
  }, 240_000);

  afterAll(async () => {
    // vaultwire's log, for a failure's post-mortem (test-artifacts/ is kept by CI; the scan above proved it holds no secret).
    await mkdir(ARTIFACTS, { recursive: true }).catch(() => undefined);
    await Promise.resolve().then(() => writeFile(join(ARTIFACTS, `runtime-e2e-${run}.log`), [...earlierLogs, server.logs()].join(""))).catch(() => undefined);
    // Each may be unset when beforeAll stopped early: a TypeError there is ignored too.
    await Promise.resolve().then(() => kafka.stop()).catch(() => undefined);
    await Promise.resolve().then(() => server.close()).catch(() => undefined);
    await Promise.resolve().then(() => azure.close()).catch(() => undefined);
    await Promise.resolve().then(() => database.drop()).catch(() => undefined);
    await dropDatabaseAndRole(DB.name, DB.user);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it("1. creates the connector through vaultwire's API, runs it, and streams rows to the topic", async () => {
    await insert(1, "before the connector", PASSWORDS.first);
    const created = await server.api("POST", `${base}/connectors`, {
      name: "orders",
      config: {
        "connector.class": "PostgresCdcSourceV2", name: "orders", "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-e2e",
        "authentication.method": "Password", "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
        "secret.manager.managed.configs": "database.user,database.password", "secret.manager.provider.integration.id": integrationId,
        "database.hostname": "127.0.0.1", "database.port": String(pgPort), "database.user": identifier("user"), "database.password": identifier("password"),
        "database.dbname": DB.name, "publication.autocreate.mode": "filtered", "table.include.list": `public.${DB.table}`,
        "topic.prefix": PREFIX, "output.data.format": "JSON", "output.key.format": "JSON", "tasks.max": "1",
      },
    });
    expect(created.status).toBe(201);
    await waitFor("RUNNING", 90_000);
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${base}/connectors?expand=id`);
    connectorId = ids.body.orders?.id.id ?? "";
    await insert(2, "after the connector", PASSWORDS.first);
    const records = await readTopic(kafka.bootstrapServers, TOPIC, (rs) => rs.some((r) => r.value?.includes("after the connector") === true), 60_000);
    expect(records.map((r) => r.value).join("\n")).toContain("before the connector");
  }, 180_000);

  it("2. Connect holds placeholders only; no secret, in any encoding, is in a topic, REST answer or log", async () => {
    const config = await (await fetch(`${kafka.connectUrl}/connectors/${connectorId}/config`)).json() as Record<string, string>;
    expect(config["database.password"]).toBe(`\${vaultwire:${connectorId}:database.password}`);
    expect(config["database.user"]).toBe(`\${vaultwire:${connectorId}:database.user}`);
    const configTopic = (await readWholeTopic(kafka.bootstrapServers, "connect-configs", 30_000)).map((r) => r.value ?? "").join("\n");
    expect(configTopic).toContain(`\${vaultwire:${connectorId}:database.password}`);
    const connect = await scanKafkaConnect(canaries, { connectUrl: kafka.connectUrl, bootstrapServers: kafka.bootstrapServers, topics: [...CONNECT_TOPICS, TOPIC], logDirs: [dirname(kafka.logFiles.connect)] });
    expect(connect.scanned).toContain(`GET /connectors/${connectorId}/tasks`);
    const hits = [...connect.hits, ...await scanVaultwire()];
    expect(hits, describeHits(hits)).toEqual([]);
  }, 90_000);

  it("3. rotation: a new password in PostgreSQL and the vault restarts the connector, and rows keep coming", async () => {
    psqlAdmin(`ALTER ROLE ${DB.user} PASSWORD '${PASSWORDS.second}'`);
    setSecret(PASSWORDS.second);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    await waitFor("RUNNING", 60_000);
    expect(server.logs()).toContain("secret versions changed: restarting the connector and its tasks");
    await insert(3, "after the rotation", PASSWORDS.second);
    await readTopic(kafka.bootstrapServers, TOPIC, (rs) => rs.some((r) => r.value?.includes("after the rotation") === true), 60_000);
  }, 120_000);

  it("4. a removed role makes it FAILED with the RBAC advice; restored, a restart brings it back", async () => {
    azure.emulator.removeRoleAssignment("sql-vault", azure.roleAssignmentId);
    expect((await server.api("POST", `${base}/connectors/orders/restart`)).status).toBe(202);
    const failed = await waitFor("FAILED", 60_000);
    expect(failed.connector.trace).toContain("Key Vault Secrets User");
    expect(failed.connector.trace).toContain("database.");
    const { assignmentId } = azure.emulator.assignRole("sql-vault", { principalObjectId: azure.servicePrincipalObjectId, role: "Key Vault Secrets User" });
    (azure as { roleAssignmentId: string }).roleAssignmentId = assignmentId;
    expect((await server.api("POST", `${base}/connectors/orders/restart`)).status).toBe(202);
    await waitFor("RUNNING", 90_000);
  }, 200_000);

  it("5. a wrong password in the vault makes it FAILED with the database's refusal explained", async () => {
    setSecret("not-the-password");
    expect((await server.api("POST", `${base}/connectors/orders/restart`)).status).toBe(202);
    const failed = await waitFor("FAILED", 120_000);
    expect(failed.connector.trace).toContain("the database rejected the credentials read from Azure Key Vault");
    setSecret(PASSWORDS.second);
    expect((await server.api("POST", `${base}/connectors/orders/restart`)).status).toBe(202);
    await waitFor("RUNNING", 90_000);
  }, 260_000);

  it("6. Connect down during a create: PROVISIONING with the reason, then RUNNING; delete removes it everywhere", async () => {
    await kafka.stopConnect();
    const created = await server.api("PUT", `${base}/connectors/late/config`, {
      ...(await server.api<Record<string, string>>("GET", `${base}/connectors/orders/config`)).body,
      name: "late", "slot.name": `late_${run}`, "topic.prefix": `${PREFIX}late`,
    });
    expect(created.status).toBe(200);
    const deadline = Date.now() + 20_000;
    let waiting = await status("late");
    while (!waiting.connector.trace.includes("waiting for Kafka Connect") && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      waiting = await status("late");
    }
    expect(waiting.connector).toMatchObject({ state: "PROVISIONING", trace: expect.stringContaining("waiting for Kafka Connect") as unknown });
    await kafka.startConnect();
    await waitFor("RUNNING", 120_000, "late");
    const lateId = (await server.api<Record<string, { id: { id: string } }>>("GET", `${base}/connectors?expand=id`)).body.late?.id.id ?? "";
    expect((await server.api("DELETE", `${base}/connectors/late`)).status).toBe(200);
    const names = await (await fetch(`${kafka.connectUrl}/connectors`)).json() as string[];
    expect(names).not.toContain(lateId);
    const integration = await server.api<{ usages: string[] }>("GET", `/pim/v2/integrations/${integrationId}`);
    expect(integration.body.usages.some((u) => u.endsWith("/connector=late"))).toBe(false);
    expect(integration.body.usages.some((u) => u.endsWith("/connector=orders"))).toBe(true);
  }, 240_000);

  it("7. a control-plane restart in the middle of a create loses nothing", async () => {
    await kafka.stopConnect();
    const orders = (await server.api<Record<string, string>>("GET", `${base}/connectors/orders/config`)).body;
    const created = await server.api("PUT", `${base}/connectors/restarted/config`, { ...orders, name: "restarted", "slot.name": `restarted_${run}`, "topic.prefix": `${PREFIX}r` });
    expect(created.status).toBe(200);
    // vaultwire stops while the connector waits for Connect; both come back in the other order,
    // vaultwire on the same port (the workers' ConfigProvider keeps its URL).
    const port = Number(new URL(server.url).port);
    earlierLogs.push(server.logs());
    await server.close();
    await kafka.startConnect();
    if (!target) throw new Error("no store");
    server = await startTestServer(target, azure, { ...serverOptions(), port });
    await waitFor("RUNNING", 120_000, "restarted");
    await waitFor("RUNNING", 60_000, "orders");
    expect((await server.api("DELETE", `${base}/connectors/restarted`)).status).toBe(200);
  }, 240_000);

  it("8. after everything: no secret of any kind, in any encoding, in Connect's REST answers, topics, data or logs, or in vaultwire's", async () => {
    expect(canaries.canaries.length).toBeGreaterThanOrEqual(5);
    const connect = await scanKafkaConnect(canaries, { connectUrl: kafka.connectUrl, bootstrapServers: kafka.bootstrapServers, topics: [...CONNECT_TOPICS, TOPIC], logDirs: [dirname(kafka.logFiles.connect)] });
    // The broker's own files hold every topic as written (worker.properties beside them carries the
    // credential by design); offset and time indexes hold no record data.
    const hits = [...connect.hits, ...await canaries.scanDirectory(join(dir, "kraft"), "kafka data", { skip: (path) => /\.(index|timeindex)$/.test(path) }), ...await scanVaultwire()];
    expect(hits, describeHits(hits)).toEqual([]);
    // The scan saw the records, and finds the one canary that is there by design.
    for (const topic of CONNECT_TOPICS) expect(connect.scanned.find((s) => s.startsWith(`topic ${topic} `)), topic).toMatch(/\([1-9]\d* records\)$/);
    expect(canaries.scan(readFileSync(join(dir, "worker.properties")), "worker.properties").map((h) => h.canary)).toEqual(["worker credential"]);
  }, 120_000);
});
