// Event Grid push with two vaultwire replicas on one PostgreSQL database
// (decision 41): the webhook may be reached on the replica that does not
// hold the connector's cluster. It records a "rotate" runtime request in the
// store; the lease owner performs it: one Key Vault GET, one restart, and
// duplicates delivered to both replicas change nothing. PostgreSQL only.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "../http/harness.js";
import { startFakeConnect, waitUntil, type FakeConnect } from "../security/fake-connect.js";
import type { TestDatabase } from "../store/harness.js";

const postgres = storeTargets().find((t) => t.name === "postgres");
const MASTER_KEY = Buffer.alloc(32, 9).toString("base64");

describe.skipIf(postgres === undefined)("Event Grid push with two replicas on one PostgreSQL", () => {
  let azure: AzureFixture;
  let connect: FakeConnect;
  let database: TestDatabase;
  const servers = new Map<string, TestServer>();
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let connectorId = "";

  const restarts = () => connect.requests.filter((r) => r.method === "POST" && r.url.startsWith(`/connectors/${connectorId}/restart`)).length;
  const gets = () => azure.emulator.requestCounts("sql-vault").byOperation.get ?? 0;

  async function holder(): Promise<string | undefined> {
    const store = await openStore(database.options);
    try {
      const lease = (await store.leases.list()).find((l) => l.clusterId === seed.clusterId);
      return lease && lease.expiresAt > Date.now() ? lease.holder : undefined;
    } finally {
      await store.close();
    }
  }

  beforeAll(async () => {
    azure = await startAzureFixture();
    connect = await startFakeConnect();
    const pg = postgres ?? (() => { throw new Error("no PostgreSQL"); })();
    database = await pg.createDatabase();
    for (const name of ["replica-a", "replica-b"]) {
      servers.set(name, await startTestServer(pg, azure, { database, masterKey: MASTER_KEY, replicaId: name, leaseTtlMs: 2_000, reconcileIntervalMs: 500, secretRefreshIntervalMs: 300_000 }));
    }
    const a = servers.get("replica-a") as TestServer;
    seed = await seedEnvironment(a, azure, "push-ha");
    expect((await a.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [connect.url] } })).status).toBe(200);
    expect((await a.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "orders"))).status).toBe(201);
    const ids = await a.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    connectorId = ids.body.orders?.id.id ?? "";
    await waitUntil(() => Promise.resolve(connect.configs.has(connectorId)), Boolean, 15_000);
    await waitUntil(async () => (await a.running.store.runtimeState.get(connectorId))?.seenVersions ?? null, (v) => v !== null, 15_000);
  }, 60_000);
  afterAll(async () => {
    for (const server of servers.values()) await server.close().catch(() => undefined);
    await connect.close();
    await database.drop();
    await azure.close();
  });

  it("an event received by the replica that does not hold the cluster restarts the connector once, by the owner", async () => {
    const owner = await waitUntil(holder, (h) => h !== undefined, 10_000);
    const other = [...servers].find(([name]) => name !== owner)?.[1] as TestServer;
    const ownerServer = servers.get(owner ?? "") as TestServer;
    const created = await other.api<{ spec: { endpoint_url: string } }>("POST", `/pim/v2/integrations/${seed.integrationId}/event-subscriptions`, {});
    expect(created.status).toBe(201);
    // Event Grid delivers to the replica that does not hold the cluster.
    const subscription = await azure.emulator.subscribeEvents("sql-vault", { endpoint: created.body.spec.endpoint_url, retryDelayMs: 50 });
    // …and, duplicated, to the owner too (another subscription's URL through the owner's address).
    const viaOwner = created.body.spec.endpoint_url.replace(other.url, ownerServer.url);
    const second = await azure.emulator.subscribeEvents("sql-vault", { endpoint: viaOwner, retryDelayMs: 50 });
    azure.emulator.setEventFaults(subscription.subscriptionId, { duplicate: 2 });
    await sleep(500);
    azure.emulator.resetRequestCounts();
    const before = restarts();
    const version = azure.emulator.setSecret("sql-vault", "sqlserver-db-secret", JSON.stringify({ user: "cdc_user", password: "Replica-Canary-0001" })).version;
    await waitUntil(() => Promise.resolve(restarts()), (n) => n > before, 10_000);
    await azure.emulator.eventsSettled();
    await sleep(1_500);
    expect(restarts() - before).toBe(1);
    expect(gets()).toBe(1);
    expect((await ownerServer.running.store.runtimeState.get(connectorId))?.seenVersions?.["database.password"]?.version).toBe(version);
    // Every rotate request was performed and removed.
    expect((await ownerServer.running.store.runtimeRequests.listByClusters([seed.clusterId])).length).toBe(0);
    azure.emulator.unsubscribeEvents(subscription.subscriptionId);
    azure.emulator.unsubscribeEvents(second.subscriptionId);
  });
});
