// Several vaultwire replicas on one PostgreSQL database: two full servers
// (API, /internal/v1, reconciler) share the store, with the real Azure
// emulator behind their secret manager and a Kafka Connect double
// (test/security/fake-connect.ts) that records every request. One replica at
// a time does a Kafka cluster's background work (its lease); the other serves
// the API and the workers. Checked: one deploy, one restart per rotation,
// one Key Vault GET per secret per refresh period for the deployment, a
// rotation made while vaultwire was down acted on at start, a rotated value
// never served from the other replica's cache, a graceful stop handing the
// cluster over at once, and a deleted API key refused at once everywhere.
// PostgreSQL only (SQLite is one replica); required in CI.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { ADMIN_KEY, ADMIN_SECRET, seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "../http/harness.js";
import { startFakeConnect, waitUntil, type FakeConnect } from "../security/fake-connect.js";
import type { TestDatabase } from "../store/harness.js";

const postgres = storeTargets().find((t) => t.name === "postgres");
const MASTER_KEY = Buffer.alloc(32, 7).toString("base64");
const LEASE_TTL_MS = 1_500;
const REFRESH_MS = 1_500;

describe.skipIf(postgres === undefined)("two replicas on one PostgreSQL", () => {
  let azure: AzureFixture;
  let connect: FakeConnect;
  let database: TestDatabase;
  const servers: TestServer[] = [];
  const names = new Map<TestServer, string>();
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;

  async function replica(name: string): Promise<TestServer> {
    const server = await startTestServer(postgres ?? (() => { throw new Error("no PostgreSQL"); })(), azure, {
      database, masterKey: MASTER_KEY, replicaId: name, leaseTtlMs: LEASE_TTL_MS, reconcileIntervalMs: 400, secretRefreshIntervalMs: REFRESH_MS,
    });
    servers.push(server);
    names.set(server, name);
    return server;
  }

  async function leaseHolder(): Promise<string | undefined> {
    const store = await openStore(database.options);
    try {
      const lease = (await store.leases.list()).find((l) => l.clusterId === seed.clusterId);
      return lease && lease.expiresAt > Date.now() ? lease.holder : undefined;
    } finally {
      await store.close();
    }
  }

  const restartsOf = (name: string) => connect.requests.filter((r) => r.method === "POST" && r.url.startsWith(`/connectors/${name}/restart`)).length;
  const putsOf = (name: string) => connect.requests.filter((r) => r.method === "PUT" && r.url === `/connectors/${name}/config`).length;
  const secretGets = () => azure.emulator.requestCounts("sql-vault").byOperation.get ?? 0;

  async function connectorId(server: TestServer, name: string): Promise<string> {
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    return ids.body[name]?.id.id ?? "";
  }

  beforeAll(async () => {
    azure = await startAzureFixture();
    connect = await startFakeConnect();
    database = await (postgres ?? (() => { throw new Error("no PostgreSQL"); })()).createDatabase();
    const a = await replica("replica-a");
    await replica("replica-b");
    seed = await seedEnvironment(a, azure, "ha");
    expect((await a.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [connect.url] } })).status).toBe(200);
  });
  afterAll(async () => {
    for (const server of servers.splice(0)) await server.close().catch(() => undefined);
    await connect.close();
    await database.drop();
    await azure.close();
  });

  it("one replica holds the cluster; a connector created on either is deployed once, by it", async () => {
    const holder = await waitUntil(leaseHolder, (h) => h !== undefined, 10_000);
    expect(["replica-a", "replica-b"]).toContain(holder);
    // Created through the replica that does not hold the cluster: the holder deploys it.
    const other = servers.find((s) => names.get(s) !== holder);
    const created = await other?.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "orders"));
    expect(created?.status).toBe(201);
    const id = await connectorId(servers[0] as TestServer, "orders");
    await waitUntil(() => Promise.resolve(connect.configs.has(id)), Boolean, 10_000);
    const status = await waitUntil(() => (servers[0] as TestServer).api<{ connector: { state: string } }>("GET", `${seed.base}/connectors/orders/status`), (r) => r.body.connector.state === "RUNNING", 10_000);
    expect(status.body.connector.state).toBe("RUNNING");
    await sleep(1_500);
    expect(putsOf(id)).toBe(1);
    // Both replicas answer the API with what the owner recorded.
    for (const server of servers) expect((await server.api<{ connector: { state: string } }>("GET", `${seed.base}/connectors/orders/status`)).body.connector.state).toBe("RUNNING");
  });

  it("a rotation restarts the connector and its tasks exactly once, with one Key Vault GET per secret per refresh period", async () => {
    const id = await connectorId(servers[0] as TestServer, "orders");
    // Let the first rotation checks record the versions, then count over whole periods.
    await sleep(REFRESH_MS * 2);
    azure.emulator.resetRequestCounts();
    const before = restartsOf(id);
    azure.emulator.setSecret("sql-vault", "sqlserver-db-secret", JSON.stringify({ user: "cdc_user", password: "Rotated-Canary-0001" }));
    await waitUntil(() => Promise.resolve(restartsOf(id)), (n) => n > before, 10_000);
    await sleep(REFRESH_MS * 3);
    expect(restartsOf(id) - before).toBe(1);
    const periods = 4;
    azure.emulator.resetRequestCounts();
    await sleep(REFRESH_MS * periods);
    // One secret in play: one GET per period by the owner (give or take the period boundary), not one per replica.
    expect(secretGets()).toBeGreaterThanOrEqual(periods - 1);
    expect(secretGets()).toBeLessThanOrEqual(periods + 1);
  });

  it("a worker served by the replica that does not hold the cluster gets the rotated value, not its cached one", async () => {
    const id = await connectorId(servers[0] as TestServer, "orders");
    const admin = servers[0] as TestServer;
    const token = (await admin.api<{ spec: { secret: string } }>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, { spec: { description: "workers" } })).body.spec.secret;
    const holder = await leaseHolder();
    const serving = servers.find((s) => names.get(s) !== holder);
    const lookup = async () => {
      const response = await fetch(`${serving?.url ?? ""}/internal/v1/clusters/${seed.clusterId}/connectors/${id}/secrets?keys=database.password`, { headers: { authorization: `Bearer ${token}` } });
      return (await response.json() as { data: Record<string, string> }).data["database.password"];
    };
    const first = await lookup();
    const before = restartsOf(id);
    const rotated = `Rotated-Canary-${Date.now()}`;
    azure.emulator.setSecret("sql-vault", "sqlserver-db-secret", JSON.stringify({ user: "cdc_user", password: rotated }));
    // The owner sees the rotation and restarts the tasks, which then ask the other replica.
    await waitUntil(() => Promise.resolve(restartsOf(id)), (n) => n > before, 10_000);
    expect(first).not.toBe(rotated);
    expect(await lookup()).toBe(rotated);
  });

  it("a graceful stop of the holder hands the cluster to the other replica at once", async () => {
    const holder = await leaseHolder();
    const index = servers.findIndex((s) => names.get(s) === holder);
    expect(index).toBeGreaterThanOrEqual(0);
    const [stopping] = servers.splice(index, 1);
    const stoppedAt = Date.now();
    await stopping?.close();
    const next = await waitUntil(leaseHolder, (h) => h !== undefined && h !== holder, 5_000);
    expect(next).not.toBe(holder);
    // Released, not expired: well within one lease TTL.
    expect(Date.now() - stoppedAt).toBeLessThan(LEASE_TTL_MS + 1_000);
    // The survivor deploys new connectors.
    const survivor = servers[0] as TestServer;
    expect((await survivor.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "payments"))).status).toBe(201);
    const id = await connectorId(survivor, "payments");
    await waitUntil(() => Promise.resolve(connect.configs.has(id)), Boolean, 10_000);
    await replica(holder ?? "replica-a");
  });

  it("a rotation made while every replica was down is acted on when one starts", async () => {
    const id = await connectorId(servers[0] as TestServer, "orders");
    for (const server of servers.splice(0)) await server.close();
    const before = restartsOf(id);
    azure.emulator.setSecret("sql-vault", "sqlserver-db-secret", JSON.stringify({ user: "cdc_user", password: `While-Down-${Date.now()}` }));
    await replica("replica-c");
    await waitUntil(() => Promise.resolve(restartsOf(id)), (n) => n > before, 10_000);
    await sleep(REFRESH_MS * 2);
    expect(restartsOf(id) - before).toBe(1);
    await replica("replica-d");
  });

  it("an API key deleted on one replica is refused by the other at its next request", async () => {
    const [a, b] = servers as [TestServer, TestServer];
    const key = await a.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "short-lived" } });
    const as = { auth: { key: key.body.id, secret: key.body.spec.secret } };
    expect((await b.api("GET", "/org/v2/environments", undefined, as)).status).toBe(200);
    expect((await a.api("DELETE", `/iam/v2/api-keys/${key.body.id}`, undefined, { auth: { key: ADMIN_KEY, secret: ADMIN_SECRET } })).status).toBe(204);
    expect((await b.api("GET", "/org/v2/environments", undefined, as)).status).toBe(401);
  });
});
