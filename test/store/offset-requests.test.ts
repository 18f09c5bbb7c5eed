// The last offsets request per connector on every database in storeTargets():
// one PENDING request at a time (a stale one may be replaced), the outcome
// recorded only for the request it belongs to, gone with the connector.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectorOffsetRequest } from "../../src/domain/resources.js";
import { openStore, type Store } from "../../src/store/index.js";
import { cluster, connector, environment, storeTargets, type TestDatabase } from "./harness.js";

describe.each(storeTargets())("connector offset requests on $name", (target) => {
  let database: TestDatabase;
  let store: Store;
  let other: Store;

  beforeAll(async () => {
    database = await target.createDatabase();
    store = await openStore(database.options);
    other = await openStore(database.options);
  });
  afterAll(async () => {
    await other.close();
    await store.close();
    await database.drop();
  });

  async function seed(): Promise<string> {
    const env = environment();
    await store.environments.insert(env);
    const c = cluster(env.id);
    await store.clusters.insert(c);
    const k = connector({ environmentId: env.id, clusterId: c.id });
    await store.connectors.insert(k);
    return k.id;
  }

  const request = (connectorId: string, requestedAt: string, type: "PATCH" | "DELETE" = "PATCH"): ConnectorOffsetRequest => ({
    connectorId, type, requestedAt, phase: "PENDING", message: null, previousOffsets: null, appliedAt: null,
    offsets: type === "PATCH" ? [{ partition: { server: "orders", "nested": { a: [1, 2] } }, offset: { lsn: 42, snapshot: false } }] : [],
  });

  it("stores a request as given and reads it back", async () => {
    const id = await seed();
    expect(await store.offsetRequests.get(id)).toBeUndefined();
    expect(await store.offsetRequests.start(request(id, "2024-01-01T00:00:00.000Z"), "2023-12-31T23:50:00.000Z")).toBe(true);
    expect(await other.offsetRequests.get(id)).toEqual(request(id, "2024-01-01T00:00:00.000Z"));
  });

  it("refuses a second request while one is PENDING, unless that one is stale; takes one once it is done", async () => {
    const id = await seed();
    expect(await store.offsetRequests.start(request(id, "2024-01-01T00:00:00.000Z"), "2023-12-31T23:50:00.000Z")).toBe(true);
    expect(await other.offsetRequests.start(request(id, "2024-01-01T00:01:00.000Z", "DELETE"), "2023-12-31T23:51:00.000Z")).toBe(false);
    expect((await store.offsetRequests.get(id))?.type).toBe("PATCH");
    // Requested before staleBefore: the replica that made it is presumed gone.
    expect(await other.offsetRequests.start(request(id, "2024-01-01T00:20:00.000Z", "DELETE"), "2024-01-01T00:10:00.000Z")).toBe(true);
    // The outcome of the replaced request is not written over the new one.
    await store.offsetRequests.finish(id, "2024-01-01T00:00:00.000Z", { phase: "FAILED", message: "late", previousOffsets: null, appliedAt: null });
    expect(await store.offsetRequests.get(id)).toMatchObject({ type: "DELETE", phase: "PENDING", message: null });
    const previous = [{ partition: { server: "orders" }, offset: { lsn: 7 } }];
    await other.offsetRequests.finish(id, "2024-01-01T00:20:00.000Z", { phase: "APPLIED", message: "reset", previousOffsets: previous, appliedAt: "2024-01-01T00:20:05.000Z" });
    expect(await store.offsetRequests.get(id)).toMatchObject({ phase: "APPLIED", message: "reset", previousOffsets: previous, appliedAt: "2024-01-01T00:20:05.000Z" });
    expect(await store.offsetRequests.start(request(id, "2024-01-01T00:21:00.000Z"), "2024-01-01T00:11:00.000Z")).toBe(true);
  });

  it("keeps the offsets last observed: a newer observation replaces an older one, never the reverse", async () => {
    const id = await seed();
    expect(await store.offsetRequests.observed(id)).toBeUndefined();
    const first = [{ partition: { kafka_topic: "orders", kafka_partition: 0 }, offset: { kafka_offset: 10 } }];
    const second = [{ partition: { kafka_topic: "orders", kafka_partition: 0 }, offset: { kafka_offset: 20 } }];
    await store.offsetRequests.recordObserved(id, first, "2024-01-01T00:00:00.000Z");
    await other.offsetRequests.recordObserved(id, second, "2024-01-01T00:00:05.000Z");
    await store.offsetRequests.recordObserved(id, first, "2024-01-01T00:00:01.000Z");
    expect(await store.offsetRequests.observed(id)).toEqual({ offsets: second, observedAt: "2024-01-01T00:00:05.000Z" });
    await store.offsetRequests.recordObserved("lcc-missing", first, "2024-01-01T00:00:00.000Z");
    expect(await store.offsetRequests.observed("lcc-missing")).toBeUndefined();
    await store.connectors.delete(id);
    expect(await store.offsetRequests.observed(id)).toBeUndefined();
  });

  it("refuses a request for a connector that does not exist, and forgets requests with their connector", async () => {
    expect(await store.offsetRequests.start(request("lcc-missing", "2024-01-01T00:00:00.000Z"), "2023-12-31T23:50:00.000Z")).toBe(false);
    const id = await seed();
    expect(await store.offsetRequests.start(request(id, "2024-01-01T00:00:00.000Z"), "2023-12-31T23:50:00.000Z")).toBe(true);
    await store.connectors.delete(id);
    expect(await store.offsetRequests.get(id)).toBeUndefined();
  });
});
