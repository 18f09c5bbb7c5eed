// Event subscriptions (migration 0005) and "rotate" runtime requests on every database in storeTargets().
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { cluster, connector, environment, integration, storeTargets, type TestDatabase } from "./harness.js";

describe.each(storeTargets())("event subscriptions on $name", (target) => {
  let database: TestDatabase;
  let store: Store;

  beforeAll(async () => {
    database = await target.createDatabase();
    store = await openStore(database.options);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it("inserts, lists in creation order, touches and deletes; deleted with the integration", async () => {
    const env = environment();
    await store.environments.insert(env);
    const pi = integration(env.id);
    await store.integrations.insert(pi);
    const base = { integrationId: pi.id, environmentId: env.id, description: "", deliverySchema: "EventGridSchema" as const, tokenHash: "hash", lastEventAt: null };
    await store.eventSubscriptions.insert({ ...base, id: "evs-b", createdAt: "2024-01-01T00:00:02.000Z" });
    await store.eventSubscriptions.insert({ ...base, id: "evs-a", createdAt: "2024-01-01T00:00:01.000Z", deliverySchema: "CloudEventSchemaV1_0" });
    expect((await store.eventSubscriptions.listByIntegration(pi.id)).map((s) => s.id)).toEqual(["evs-a", "evs-b"]);
    await store.eventSubscriptions.touch("evs-a", "2024-01-02T00:00:00.000Z");
    expect(await store.eventSubscriptions.get("evs-a")).toMatchObject({ deliverySchema: "CloudEventSchemaV1_0", lastEventAt: "2024-01-02T00:00:00.000Z", tokenHash: "hash" });
    expect(await store.eventSubscriptions.delete("evs-a")).toBe(true);
    expect(await store.eventSubscriptions.delete("evs-a")).toBe(false);
    await store.integrations.delete(pi.id);
    expect(await store.eventSubscriptions.get("evs-b")).toBeUndefined();
  });

  it("a rotate request keeps the versions its event named", async () => {
    const env = environment();
    await store.environments.insert(env);
    const c = cluster(env.id);
    await store.clusters.insert(c);
    const k = connector({ environmentId: env.id, clusterId: c.id });
    await store.connectors.insert(k);
    await store.runtimeRequests.enqueue({ clusterId: c.id, connectorId: k.id, connectorName: k.id, action: "rotate", requestedAt: "2024-01-01T00:00:00.000Z", secretVersions: { "https://v.vault.azure.net/secrets/s": "abc123" } });
    await store.runtimeRequests.enqueue({ clusterId: c.id, connectorId: k.id, connectorName: k.id, action: "restart", requestedAt: "2024-01-01T00:00:01.000Z" });
    const [rotate, restart] = await store.runtimeRequests.listByClusters([c.id]);
    expect(rotate).toMatchObject({ action: "rotate", secretVersions: { "https://v.vault.azure.net/secrets/s": "abc123" } });
    expect(restart?.action).toBe("restart");
    expect(restart && "secretVersions" in restart).toBe(false);
  });
});
