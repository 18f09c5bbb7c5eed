// The runtime's shared state on every database in storeTargets(): leases with
// fencing tokens, fenced per-connector state, runtime requests and last-read
// secret versions. Two stores on one PostgreSQL database stand for two replicas.
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { cluster, connector, environment, storeTargets, type TestDatabase } from "./harness.js";

describe.each(storeTargets())("runtime state on $name", (target) => {
  let database: TestDatabase;
  let store: Store;
  let other: Store;

  beforeAll(async () => {
    database = await target.createDatabase();
    store = await openStore(database.options);
    // On SQLite a second connection to the same file; on PostgreSQL a second pool (another replica).
    other = await openStore(database.options);
  });
  afterAll(async () => {
    await other.close();
    await store.close();
    await database.drop();
  });

  async function seed(): Promise<{ clusterId: string; connectorId: string }> {
    const env = environment();
    await store.environments.insert(env);
    const c = cluster(env.id);
    await store.clusters.insert(c);
    const k = connector({ environmentId: env.id, clusterId: c.id });
    await store.connectors.insert(k);
    return { clusterId: c.id, connectorId: k.id };
  }

  it("one holder at a time; renewals keep the token, a takeover after expiry increments it", async () => {
    const { clusterId } = await seed();
    const first = await store.leases.acquire(clusterId, "replica-a", 300);
    expect(first).toBe(1);
    expect(await other.leases.acquire(clusterId, "replica-b", 300)).toBeNull();
    expect(await store.leases.acquire(clusterId, "replica-a", 300)).toBe(1);
    await sleep(400);
    const taken = await other.leases.acquire(clusterId, "replica-b", 10_000);
    expect(taken).toBe(2);
    // The old holder cannot renew once another replica took over.
    expect(await store.leases.acquire(clusterId, "replica-a", 10_000)).toBeNull();
    const leases = await store.leases.list();
    expect(leases.find((l) => l.clusterId === clusterId)).toMatchObject({ holder: "replica-b", token: 2 });
  });

  it("a released lease is free at once for another replica; a stale fence releases nothing", async () => {
    const { clusterId } = await seed();
    const token = await store.leases.acquire(clusterId, "replica-a", 60_000);
    expect(token).not.toBeNull();
    await store.leases.release({ clusterId, holder: "replica-a", token: (token ?? 0) + 5 });
    expect(await other.leases.acquire(clusterId, "replica-b", 60_000)).toBeNull();
    await store.leases.release({ clusterId, holder: "replica-a", token: token ?? 0 });
    expect(await other.leases.acquire(clusterId, "replica-b", 60_000)).toBe((token ?? 0) + 1);
  });

  it("two replicas racing for a new cluster's lease: exactly one gets it", async () => {
    const { clusterId } = await seed();
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? store : other).leases.acquire(clusterId, `replica-${i}`, 60_000)));
    expect(results.filter((r) => r !== null)).toEqual([1]);
  });

  it("connector runtime state is written only under a fence that still holds", async () => {
    const { clusterId, connectorId } = await seed();
    const token = await store.leases.acquire(clusterId, "replica-a", 60_000) ?? 0;
    const state = { connectorId, seenVersions: { "database.password": { version: "v1", seenAt: "2026-12-02T00:00:00.000Z" } }, heldFailure: null };
    expect(await store.runtimeState.put(state, { clusterId, holder: "replica-a", token }, "2026-12-02T00:00:00.000Z")).toBe(true);
    expect(await other.runtimeState.get(connectorId)).toEqual(state);
    // A replica whose lease was taken over writes nothing.
    expect(await other.runtimeState.put({ ...state, seenVersions: { "database.password": { version: "v2", seenAt: "x" } } }, { clusterId, holder: "replica-b", token }, "x")).toBe(false);
    expect(await store.runtimeState.put({ ...state, heldFailure: null }, { clusterId, holder: "replica-a", token: token + 1 }, "x")).toBe(false);
    expect((await store.runtimeState.get(connectorId))?.seenVersions?.["database.password"]?.version).toBe("v1");
    const held = { generation: 3, attempts: 2, nextAt: 1_800_000_000_000, status: { state: "FAILED" as const, workerId: null, trace: "refused", tasks: [], observedAt: "t" } };
    expect(await store.runtimeState.put({ connectorId, seenVersions: null, heldFailure: held }, { clusterId, holder: "replica-a", token }, "y")).toBe(true);
    expect(await store.runtimeState.get(connectorId)).toEqual({ connectorId, seenVersions: null, heldFailure: held });
    // Deleting the connector deletes its runtime state; a put for it then writes nothing.
    await store.connectors.delete(connectorId);
    expect(await store.runtimeState.get(connectorId)).toBeUndefined();
    expect(await store.runtimeState.put(state, { clusterId, holder: "replica-a", token }, "z")).toBe(false);
  });

  it("runtime requests are listed per cluster oldest first and completed only under the fence", async () => {
    const a = await seed();
    const b = await seed();
    const token = await store.leases.acquire(a.clusterId, "replica-a", 60_000) ?? 0;
    const first = await other.runtimeRequests.enqueue({ clusterId: a.clusterId, connectorId: a.connectorId, connectorName: "lcc-1", action: "apply", requestedAt: "t1" });
    const second = await other.runtimeRequests.enqueue({ clusterId: a.clusterId, connectorId: a.connectorId, connectorName: "lcc-1", action: "restart", requestedAt: "t2" });
    await other.runtimeRequests.enqueue({ clusterId: b.clusterId, connectorId: b.connectorId, connectorName: "lcc-2", action: "remove", requestedAt: "t3" });
    expect(second).toBeGreaterThan(first);
    const listed = await store.runtimeRequests.listByClusters([a.clusterId]);
    expect(listed.map((r) => [r.id, r.action, r.connectorName])).toEqual([[first, "apply", "lcc-1"], [second, "restart", "lcc-1"]]);
    expect(await store.runtimeRequests.listByClusters([])).toEqual([]);
    expect(await store.runtimeRequests.complete([first], { clusterId: a.clusterId, holder: "replica-b", token })).toBe(false);
    expect(await store.runtimeRequests.complete([first], { clusterId: a.clusterId, holder: "replica-a", token })).toBe(true);
    expect((await other.runtimeRequests.listByClusters([a.clusterId, b.clusterId])).map((r) => r.action)).toEqual(["restart", "remove"]);
  });

  it("secret versions: the last one any replica read, per secret", async () => {
    const ref = `https://v${Date.now()}.vault.azure.net|db-secret`;
    expect(await store.secretVersions.get([ref])).toEqual(new Map());
    await store.secretVersions.record([{ ref, version: "aaa" }, { ref, version: "bbb" }], "t1");
    expect(await other.secretVersions.get([ref, ref])).toEqual(new Map([[ref, "bbb"]]));
    await other.secretVersions.record([{ ref, version: "ccc" }], "t2");
    expect(await store.secretVersions.get([ref, "unknown|x"])).toEqual(new Map([[ref, "ccc"]]));
  });
});
