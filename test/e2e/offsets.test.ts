// Connector offsets end to end on a real Kafka Connect worker with Debezium:
// a PostgresCdcSourceV2 connector commits its offsets; vaultwire reads them
// through Confluent's GET …/offsets, alters them (PATCH, to the position
// observed, which is harmless) and resets them (DELETE) through
// POST …/offsets/request, each ending APPLIED in …/offsets/request/status
// with the offsets from before, and the connector RUNNING again.
//
// Needs the local Kafka jars (bash infra/kafka/bin/fetch.sh) and a PostgreSQL
// superuser (infra/postgres/setup.sh); skipped without them, required in CI.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts, startLocalKafka, type LocalKafka } from "../../src/dev/local-kafka.js";
import { ADMIN_KEY, ADMIN_SECRET, seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "../http/harness.js";
import { canAdminPostgres, dropDatabaseAndRole, pgPort, psqlAdmin } from "./postgres-admin.js";

const LIB_DIR = fileURLToPath(new URL("../../infra/kafka/target/lib", import.meta.url));
const IN_CI = process.env.CI !== undefined && process.env.CI !== "";
const haveStack = existsSync(LIB_DIR) && canAdminPostgres();
if (IN_CI && !haveStack) throw new Error("CI: the offsets end-to-end test needs infra/kafka/target (bash infra/kafka/bin/fetch.sh) and a PostgreSQL superuser");

const run = randomBytes(4).toString("hex");
const DB = { name: `vw_off_${run}`, user: `vw_off_cdc_${run}`, table: "orders" };
const PASSWORD = `Canary-Offsets-${randomBytes(9).toString("base64url")}`;
const PREFIX = `vwoff${run}`;

interface Offsets { id: string; name: string; offsets: { partition: Record<string, unknown>; offset: Record<string, unknown> }[] }
interface RequestStatus { request: { type: string; offsets: unknown[] }; status: { phase: string; message?: string }; previous_offsets?: Offsets["offsets"]; applied_at: string | null }

describe.skipIf(!haveStack)("connector offsets on real Kafka Connect", () => {
  let azure: AzureFixture;
  let server: TestServer;
  let kafka: LocalKafka;
  let dir = "";
  let base = "";
  const target = storeTargets()[0];

  const state = async () => (await server.api<{ connector: { state: string; trace: string } }>("GET", `${base}/connectors/orders/status`)).body.connector;
  async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value).slice(0, 2000)} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const offsets = async () => (await server.api<Offsets>("GET", `${base}/connectors/orders/offsets`)).body;
  const requestStatus = async () => (await server.api<RequestStatus>("GET", `${base}/connectors/orders/offsets/request/status`)).body;

  beforeAll(async () => {
    psqlAdmin(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${PASSWORD}'; CREATE DATABASE ${DB.name} OWNER ${DB.user};`);
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password: PASSWORD });
    await client.connect();
    await client.query(`CREATE TABLE ${DB.table} (id integer PRIMARY KEY, item text NOT NULL)`);
    await client.query(`INSERT INTO ${DB.table} VALUES (1, 'first')`);
    await client.end();
    if (!target) throw new Error("no store");
    azure = await startAzureFixture();
    const [kafkaPort, connectPort] = await freePorts([undefined, undefined] as const);
    server = await startTestServer(target, azure, { reconcileIntervalMs: 1_000 });
    const seed = await seedEnvironment(server, azure, "offsets");
    base = seed.base;
    await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { kafka_bootstrap_servers: `127.0.0.1:${kafkaPort}`, connect_urls: [`http://127.0.0.1:${connectPort}`] } });
    const headers = { authorization: `Basic ${Buffer.from(`${ADMIN_KEY}:${ADMIN_SECRET}`).toString("base64")}`, "content-type": "application/json" };
    const worker = await fetch(`${server.url}/cmk/v2/clusters/${seed.clusterId}/worker-config`, { method: "POST", headers, body: JSON.stringify({ spec: { description: "offsets e2e" } }) });
    const properties = (await worker.json() as { properties: Record<string, string> }).properties;
    dir = await mkdtemp(join(tmpdir(), "vaultwire-offsets-e2e-"));
    kafka = await startLocalKafka({ dir, kafkaPort, connectPort, workerProperties: properties, readyTimeoutMs: 120_000 });
    const created = await server.api("POST", `${base}/connectors`, {
      name: "orders",
      config: {
        "connector.class": "PostgresCdcSourceV2", name: "orders", "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-e2e",
        "database.hostname": "127.0.0.1", "database.port": String(pgPort), "database.user": DB.user, "database.password": PASSWORD,
        "database.dbname": DB.name, "publication.autocreate.mode": "filtered", "table.include.list": `public.${DB.table}`, "slot.name": `vwoff_${run}`,
        "topic.prefix": PREFIX, "output.data.format": "JSON", "output.key.format": "JSON", "tasks.max": "1",
      },
    });
    if (created.status !== 201) throw new Error(`connector not created: ${created.text}`);
    await until("connector RUNNING", state, (s) => s.state === "RUNNING");
  }, 300_000);

  afterAll(async () => {
    await Promise.resolve().then(() => kafka.stop()).catch(() => undefined);
    await Promise.resolve().then(() => server.close()).catch(() => undefined);
    await Promise.resolve().then(() => azure.close()).catch(() => undefined);
    await dropDatabaseAndRole(DB.name, DB.user);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it("reads the offsets Debezium committed, alters them to that position, then resets them; the connector runs again each time", async () => {
    const observed = await until("committed offsets", offsets, (o) => o.offsets.length > 0);
    expect(observed.name).toBe("orders");
    expect(observed.offsets[0]?.partition).toEqual({ server: PREFIX });
    expect(observed.offsets[0]?.offset).toHaveProperty("lsn");

    const patch = await server.api<{ type: string }>("POST", `${base}/connectors/orders/offsets/request`, { type: "PATCH", offsets: observed.offsets });
    expect(patch.status, patch.text).toBe(202);
    const patched = await until("PATCH applied", requestStatus, (s) => s.status.phase !== "PENDING");
    expect(patched.status.phase, patched.status.message).toBe("APPLIED");
    expect(patched.status.message).toContain("altered successfully");
    expect(patched.previous_offsets).toEqual(observed.offsets);
    expect(Number.isNaN(Date.parse(patched.applied_at ?? ""))).toBe(false);
    await until("RUNNING after PATCH", state, (s) => s.state === "RUNNING");

    const reset = await server.api<{ type: string; offsets: unknown[] }>("POST", `${base}/connectors/orders/offsets/request`, { type: "DELETE" });
    expect(reset.status, reset.text).toBe(202);
    expect(reset.body).toMatchObject({ type: "DELETE", offsets: [] });
    const done = await until("DELETE applied", requestStatus, (s) => s.status.phase !== "PENDING" && s.request.type === "DELETE");
    expect(done.status.phase, done.status.message).toBe("APPLIED");
    expect(done.status.message).toContain("reset successfully");
    expect(done.previous_offsets?.[0]?.partition).toEqual({ server: PREFIX });
    await until("RUNNING after DELETE", state, (s) => s.state === "RUNNING");
    expect(server.responses()).not.toContain(PASSWORD);
    expect(server.logs()).not.toContain(PASSWORD);
  }, 240_000);
});
