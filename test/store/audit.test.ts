// The audit trail's repository on every database in storeTargets(): appends
// in order, filters, keyset paging both ways, the last access per secret,
// pruning, and the restart cause carried by runtime requests.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord } from "../../src/domain/audit.js";
import { InvalidPageTokenError, openStore, type Store } from "../../src/store/index.js";
import { cluster, connector, environment, storeTargets, timestamp, type TestDatabase } from "./harness.js";

function event(overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    type: "secret.access",
    at: timestamp(1000),
    environmentId: "env-a",
    clusterId: "lkc-a",
    connectorId: "lcc-a",
    connectorName: "orders",
    integrationId: "cspi-a",
    keys: ["database.password"],
    versions: { "database.password": "v1" },
    previousVersions: {},
    secrets: { "database.password": "https://v.vault.azure.net/secrets/pw" },
    outcome: "granted",
    reason: null,
    workerCredentialId: "wcr-1",
    workerName: "connect-1",
    remoteAddress: "127.0.0.1",
    userAgent: "vaultwire-config-provider/1",
    detectedBy: null,
    restartCause: null,
    ...overrides,
  };
}

describe.each(storeTargets())("audit trail on $name", (target) => {
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

  it("appends events in order and reads every field back", async () => {
    const rotation = event({
      type: "rotation.detected", at: timestamp(2000), connectorId: "lcc-round", versions: { "database.password": "v2" }, previousVersions: { "database.password": "v1", "database.user": null },
      outcome: "restart-requested", workerCredentialId: null, workerName: null, remoteAddress: null, userAgent: null, detectedBy: "event",
    });
    const restart = event({ type: "connector.restarted", at: timestamp(2001), connectorId: "lcc-round", keys: [], versions: {}, secrets: {}, outcome: "restarted", restartCause: "rotation", workerCredentialId: null, workerName: null, remoteAddress: null, userAgent: null });
    await store.audit.append([event({ connectorId: "lcc-round" }), rotation, restart]);
    const page = await store.audit.list({ connector: "lcc-round" }, { order: "asc" });
    expect(page.items.map((e) => e.type)).toEqual(["secret.access", "rotation.detected", "connector.restarted"]);
    const ids = page.items.map((e) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(page.items[1]).toEqual({ ...rotation, id: page.items[1]?.id });
    expect(page.items[2]).toMatchObject({ restartCause: "rotation", keys: [], versions: {} });
    expect(page.nextPageToken).toBeNull();
    // Newest first by default.
    expect((await store.audit.list({ connector: "lcc-round" }, {})).items.map((e) => e.type)).toEqual(["connector.restarted", "rotation.detected", "secret.access"]);
    await store.audit.append([]);
  });

  it("filters by environment (and a scope of environments), cluster, connector id or name, integration, type and time", async () => {
    await store.audit.append([
      event({ environmentId: "env-f1", clusterId: "lkc-f1", connectorId: "lcc-f1", connectorName: "alpha", integrationId: "cspi-f1", at: timestamp(10) }),
      event({ environmentId: "env-f1", clusterId: "lkc-f1", connectorId: "lcc-f2", connectorName: "beta", integrationId: "cspi-f1", at: timestamp(20), type: "secret.access.refused", outcome: "denied", reason: "not_secret" }),
      event({ environmentId: "env-f2", clusterId: "lkc-f2", connectorId: "lcc-f3", connectorName: "alpha", integrationId: "cspi-f2", at: timestamp(30), type: "rotation.detected" }),
      event({ environmentId: null, clusterId: "lkc-f1", connectorId: "lcc-unknown", connectorName: null, integrationId: null, at: timestamp(40), type: "secret.access.refused", outcome: "denied" }),
    ]);
    const names = async (query: Parameters<Store["audit"]["list"]>[0]) => (await store.audit.list(query, { order: "asc", pageSize: 100 })).items.filter((e) => e.at < timestamp(100)).map((e) => e.connectorId);
    expect(await names({ environmentId: "env-f1" })).toEqual(["lcc-f1", "lcc-f2"]);
    expect(await names({ environmentIds: ["env-f2"] })).toEqual(["lcc-f3"]);
    expect(await names({ environmentIds: [] })).toEqual([]);
    expect(await names({ clusterId: "lkc-f1" })).toEqual(["lcc-f1", "lcc-f2", "lcc-unknown"]);
    expect(await names({ connector: "alpha" })).toEqual(["lcc-f1", "lcc-f3"]);
    expect(await names({ connector: "lcc-f2" })).toEqual(["lcc-f2"]);
    expect(await names({ integrationId: "cspi-f2" })).toEqual(["lcc-f3"]);
    expect(await names({ types: ["secret.access.refused"], clusterId: "lkc-f1" })).toEqual(["lcc-f2", "lcc-unknown"]);
    expect(await names({ types: [] })).toEqual([]);
    expect(await names({ since: timestamp(20), until: timestamp(40) })).toEqual(["lcc-f2", "lcc-f3"]);
  });

  it("pages by id both ways, and refuses a token that is not its own", async () => {
    await store.audit.append(Array.from({ length: 7 }, (_, i) => event({ connectorId: "lcc-pages", at: timestamp(500 + i), versions: { "database.password": `v${i}` } })));
    const collect = async (order: "asc" | "desc") => {
      const seen: string[] = [];
      let token: string | null = null;
      for (let i = 0; i < 10; i++) {
        const page: Awaited<ReturnType<Store["audit"]["list"]>> = await store.audit.list({ connector: "lcc-pages" }, { pageSize: 3, pageToken: token, order });
        seen.push(...page.items.map((e) => e.versions["database.password"] ?? ""));
        expect(page.items.length).toBeLessThanOrEqual(3);
        token = page.nextPageToken;
        if (token === null) break;
        expect(token).toMatch(/^a1_[1-9][0-9]*$/);
      }
      return seen;
    };
    expect(await collect("asc")).toEqual(["v0", "v1", "v2", "v3", "v4", "v5", "v6"]);
    expect(await collect("desc")).toEqual(["v6", "v5", "v4", "v3", "v2", "v1", "v0"]);
    for (const token of ["1_2024-01-01T00:00:00.000Z_env-a", "a1_0", "a1_x", "a1_-1"]) {
      await expect(store.audit.list({}, { pageToken: token })).rejects.toBeInstanceOf(InvalidPageTokenError);
    }
  });

  it("keeps the last granted access per secret and integration, not failures or refusals", async () => {
    const secret = "https://v.vault.azure.net/secrets/last";
    const other = "https://v.vault.azure.net/secrets/user";
    await store.audit.append([
      event({ integrationId: "cspi-last", at: timestamp(100), connectorId: "lcc-1", connectorName: "one", keys: ["database.password", "database.user"], secrets: { "database.password": secret, "database.user": other }, versions: { "database.password": "v1", "database.user": "u1" } }),
      event({ integrationId: "cspi-last", at: timestamp(200), connectorId: "lcc-2", connectorName: "two", secrets: { "database.password": secret }, versions: { "database.password": "v2" }, workerName: "connect-2" }),
    ]);
    await store.audit.append([
      event({ integrationId: "cspi-last", at: timestamp(300), outcome: "failed", secrets: { "database.password": secret } }),
      event({ integrationId: "cspi-last", at: timestamp(301), type: "secret.access.refused", outcome: "denied", secrets: { "database.password": secret } }),
    ]);
    const last = await store.audit.lastAccess("cspi-last");
    expect(last.map((a) => [a.secret, a.connectorName, a.version, a.at, a.workerName])).toEqual([
      [secret, "two", "v2", timestamp(200), "connect-2"],
      [other, "one", "u1", timestamp(100), "connect-1"],
    ]);
    expect(last[0]?.eventId).toBeGreaterThan(last[1]?.eventId ?? Infinity);
    expect(await store.audit.lastAccess("cspi-none")).toEqual([]);
  });

  it("prunes what is older than the cut-off, idempotently", async () => {
    await store.audit.append([event({ connectorId: "lcc-old", at: "2000-01-01T00:00:00.000Z", integrationId: "cspi-old", secrets: { k: "ref-old" } }), event({ connectorId: "lcc-old", at: "2999-01-01T00:00:00.000Z" })]);
    expect(await store.audit.prune("2001-01-01T00:00:00.000Z")).toBe(1);
    expect(await store.audit.prune("2001-01-01T00:00:00.000Z")).toBe(0);
    expect((await store.audit.list({ connector: "lcc-old" }, {})).items.map((e) => e.at)).toEqual(["2999-01-01T00:00:00.000Z"]);
    expect(await store.audit.lastAccess("cspi-old")).toEqual([]);
  });

  it("appends inside a store transaction too", async () => {
    await store.transaction(async (tx) => { await tx.audit.append([event({ connectorId: "lcc-tx" })]); });
    expect((await store.audit.list({ connector: "lcc-tx" }, {})).items).toHaveLength(1);
  });

  it("runtime requests carry the restart's cause", async () => {
    const env = environment();
    await store.environments.insert(env);
    const c = cluster(env.id);
    await store.clusters.insert(c);
    const k = connector({ environmentId: env.id, clusterId: c.id });
    await store.connectors.insert(k);
    await store.runtimeRequests.enqueue({ clusterId: c.id, connectorId: k.id, connectorName: "lcc-x", action: "restart", requestedAt: "t1", cause: "rotation" });
    await store.runtimeRequests.enqueue({ clusterId: c.id, connectorId: k.id, connectorName: "lcc-x", action: "apply", requestedAt: "t2" });
    expect((await store.runtimeRequests.listByClusters([c.id])).map((r) => [r.action, r.cause])).toEqual([["restart", "rotation"], ["apply", null]]);
  });
});
