// One repository suite, run on every database in storeTargets(): SQLite
// always, PostgreSQL when VAULTWIRE_TEST_DATABASE_URL is set (required in CI).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RoleBinding, ServiceAccount } from "../../src/domain/identity.js";
import type { ConnectorStatus } from "../../src/domain/resources.js";
import {
  ForeignKeyViolationError,
  InvalidPageTokenError,
  openStore,
  UniqueViolationError,
  type Page,
  type Store,
} from "../../src/store/index.js";
import {
  apiKey,
  cluster,
  config,
  connector,
  environment,
  integration,
  storeTargets,
  timestamp,
  uniqueSuffix,
  type TestDatabase,
} from "./harness.js";

const OPEN_ONCE = fileURLToPath(new URL("fixtures/open-store-once.ts", import.meta.url));

/** Runs node with these arguments; resolves with its stdout, rejects with its stderr. */
function runNode(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** Every page of a listing, following next-page tokens. */
async function allPages<T>(list: (token: string | null) => Promise<Page<T>>): Promise<{ pages: T[][]; items: T[] }> {
  const pages: T[][] = [];
  let token: string | null = null;
  do {
    const page: Page<T> = await list(token);
    pages.push([...page.items]);
    token = page.nextPageToken;
  } while (token !== null && pages.length < 1000);
  return { pages, items: pages.flat() };
}

describe.each(storeTargets())("store on $name", (target) => {
  const databases: TestDatabase[] = [];
  const opened: Store[] = [];
  let store: Store;

  async function freshDatabase(): Promise<TestDatabase> {
    const database = await target.createDatabase();
    databases.push(database);
    return database;
  }

  async function open(database: TestDatabase): Promise<Store> {
    const s = await openStore(database.options);
    opened.push(s);
    return s;
  }

  async function freshStore(): Promise<Store> {
    return open(await freshDatabase());
  }

  beforeAll(async () => {
    store = await freshStore();
  });

  afterAll(async () => {
    for (const s of opened) await s.close().catch(() => undefined);
    for (const database of databases) await database.drop();
  });

  it("reports its dialect and answers ping", async () => {
    expect(store.dialect).toBe(target.name);
    expect(await store.ping()).toBe(true);
  });

  describe("environments", () => {
    it("inserts, gets, updates and deletes", async () => {
      const env = environment({ displayName: "staging" });
      await store.environments.insert(env);
      expect(await store.environments.get(env.id)).toEqual(env);

      const updated = await store.environments.update(env.id, { displayName: "production", updatedAt: timestamp(5) });
      expect(updated).toEqual({ ...env, displayName: "production", updatedAt: timestamp(5) });
      expect(await store.environments.get(env.id)).toEqual(updated);

      expect(await store.environments.delete(env.id)).toBe(true);
      expect(await store.environments.get(env.id)).toBeUndefined();
      expect(await store.environments.delete(env.id)).toBe(false);
    });

    it("returns undefined for a missing environment", async () => {
      expect(await store.environments.get("env-missing")).toBeUndefined();
      expect(await store.environments.update("env-missing", { displayName: "x", updatedAt: timestamp(1) })).toBeUndefined();
    });

    it("rejects a duplicate id with UniqueViolationError(environment_id)", async () => {
      const env = environment();
      await store.environments.insert(env);
      const error = await store.environments.insert({ ...env, displayName: "other" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect((error as UniqueViolationError).constraint).toBe("environment_id");
    });

    it("pages by creation time then id, across several pages", async () => {
      const s = await freshStore();
      // 25 environments; pairs share a creation time so the id breaks ties;
      // inserted out of order.
      const envs = Array.from({ length: 25 }, (_, i) => environment({ id: `env-p${String(24 - i).padStart(3, "0")}`, createdAt: timestamp(Math.floor(i / 2)) }));
      for (const env of [...envs].reverse()) await s.environments.insert(env);
      const expected = [...envs].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));

      const { pages, items } = await allPages((token) => s.environments.list({ pageSize: 10, pageToken: token }));
      expect(pages.map((page) => page.length)).toEqual([10, 10, 5]);
      expect(items).toEqual(expected);

      const defaults = await s.environments.list({});
      expect(defaults.items).toEqual(expected.slice(0, 10));
      expect(defaults.nextPageToken).not.toBeNull();

      const exact = await s.environments.list({ pageSize: 25 });
      expect(exact.items).toHaveLength(25);
      expect(exact.nextPageToken).toBeNull();
    });

    it("clamps the page size to 1–100", async () => {
      const s = await freshStore();
      for (let i = 0; i < 102; i += 1) await s.environments.insert(environment({ createdAt: timestamp(i) }));
      expect((await s.environments.list({ pageSize: 0 })).items).toHaveLength(1);
      expect((await s.environments.list({ pageSize: -5 })).items).toHaveLength(1);
      expect((await s.environments.list({ pageSize: 1000 })).items).toHaveLength(100);
      expect((await s.environments.list({ pageSize: 2.7 })).items).toHaveLength(2);
    });

    it("restricts to the given ids, and pages within them", async () => {
      const s = await freshStore();
      const envs = Array.from({ length: 6 }, (_, i) => environment({ createdAt: timestamp(i) }));
      for (const env of envs) await s.environments.insert(env);
      const wanted = [envs[0], envs[2], envs[3], envs[5]].map((env) => env?.id ?? "");

      const { pages, items } = await allPages((token) => s.environments.list({ pageSize: 3, pageToken: token }, { ids: wanted }));
      expect(pages.map((page) => page.length)).toEqual([3, 1]);
      expect(items.map((env) => env.id)).toEqual(wanted);

      expect(await s.environments.list({}, { ids: [] })).toEqual({ items: [], nextPageToken: null });
      expect((await s.environments.list({}, { ids: ["env-nonexistent"] })).items).toEqual([]);
    });

    it("rejects a page token that does not decode", async () => {
      for (const token of ["not a token", "!!!", "eyJ4IjoxfQ", Buffer.from("[1,\"yesterday\",\"env-1\"]").toString("base64url")]) {
        await expect(store.environments.list({ pageToken: token })).rejects.toBeInstanceOf(InvalidPageTokenError);
      }
    });

    it("treats an empty page token as the first page", async () => {
      const first = await store.environments.list({ pageSize: 2 });
      expect(await store.environments.list({ pageSize: 2, pageToken: "" })).toEqual(first);
      expect(await store.environments.list({ pageSize: 2, pageToken: null })).toEqual(first);
    });
  });

  describe("clusters", () => {
    it("inserts, gets, updates, counts and deletes", async () => {
      const env = environment();
      await store.environments.insert(env);
      const lkc = cluster(env.id, { cku: null, connectUrls: [] });
      await store.clusters.insert(lkc);
      expect(await store.clusters.get(lkc.id)).toEqual(lkc);
      expect(await store.clusters.get("lkc-missing")).toBeUndefined();

      const changed = { ...lkc, displayName: "renamed", cku: 4, connectUrls: ["https://connect.example:8083"], region: "eastus", updatedAt: timestamp(9) };
      await store.clusters.update(changed);
      expect(await store.clusters.get(lkc.id)).toEqual(changed);
      // The creation time is not rewritten.
      await store.clusters.update({ ...changed, createdAt: timestamp(99) });
      expect((await store.clusters.get(lkc.id))?.createdAt).toBe(lkc.createdAt);

      expect(await store.clusters.countByEnvironment(env.id)).toBe(1);
      expect(await store.clusters.countByEnvironment("env-none")).toBe(0);
      expect(await store.clusters.delete(lkc.id)).toBe(true);
      expect(await store.clusters.delete(lkc.id)).toBe(false);
      expect(await store.clusters.countByEnvironment(env.id)).toBe(0);
    });

    it("lists one environment's clusters in pages", async () => {
      const env = environment();
      const other = environment();
      await store.environments.insert(env);
      await store.environments.insert(other);
      const clusters = Array.from({ length: 7 }, (_, i) => cluster(env.id, { createdAt: timestamp(100 - i) }));
      for (const lkc of clusters) await store.clusters.insert(lkc);
      await store.clusters.insert(cluster(other.id));

      const { pages, items } = await allPages((token) => store.clusters.list(env.id, { pageSize: 3, pageToken: token }));
      expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
      expect(items).toEqual([...clusters].reverse());
      await expect(store.clusters.list(env.id, { pageToken: "%%%" })).rejects.toBeInstanceOf(InvalidPageTokenError);
    });

    it("lists every cluster ordered by id", async () => {
      const s = await freshStore();
      const env = environment();
      await s.environments.insert(env);
      const clusters = ["lkc-c", "lkc-a", "lkc-b"].map((id, i) => cluster(env.id, { id, createdAt: timestamp(i) }));
      for (const lkc of clusters) await s.clusters.insert(lkc);
      expect((await s.clusters.listAll()).map((lkc) => lkc.id)).toEqual(["lkc-a", "lkc-b", "lkc-c"]);
    });

    it("rejects a duplicate id with UniqueViolationError(cluster_id)", async () => {
      const env = environment();
      await store.environments.insert(env);
      const lkc = cluster(env.id);
      await store.clusters.insert(lkc);
      await expect(store.clusters.insert(lkc)).rejects.toMatchObject({ name: "UniqueViolationError", constraint: "cluster_id" });
    });
  });

  describe("integrations", () => {
    it("inserts, gets, updates, counts and deletes", async () => {
      const env = environment();
      await store.environments.insert(env);
      const cspi = integration(env.id, { status: "DRAFT", config: null });
      await store.integrations.insert(cspi);
      expect(await store.integrations.get(cspi.id)).toEqual(cspi);
      expect(await store.integrations.get("cspi-missing")).toBeUndefined();

      const patch = {
        config: { kind: "AzureIntegrationConfig", customerAzureTenantId: "11111111-2222-3333-4444-555555555555" } as const,
        credentialCiphertext: "v1.iv.ciphertext.tag",
        status: "CREATED" as const,
        updatedAt: timestamp(7),
      };
      const updated = await store.integrations.update(cspi.id, patch);
      expect(updated).toEqual({ ...cspi, ...patch });
      expect(await store.integrations.get(cspi.id)).toEqual(updated);
      expect(await store.integrations.update("cspi-missing", patch)).toBeUndefined();

      const cleared = await store.integrations.update(cspi.id, { config: null, credentialCiphertext: null, status: "DRAFT", updatedAt: timestamp(8) });
      expect(cleared).toEqual({ ...cspi, updatedAt: timestamp(8) });

      expect(await store.integrations.countByEnvironment(env.id)).toBe(1);
      expect(await store.integrations.delete(cspi.id)).toBe(true);
      expect(await store.integrations.delete(cspi.id)).toBe(false);
      expect(await store.integrations.countByEnvironment(env.id)).toBe(0);
    });

    it("lists with filters, in pages", async () => {
      const env = environment();
      const other = environment();
      await store.environments.insert(env);
      await store.environments.insert(other);
      const all = [
        integration(env.id, { displayName: "a", provider: "AZURE", status: "CREATED", createdAt: timestamp(1) }),
        integration(env.id, { displayName: "b", provider: "AZURE", status: "DRAFT", createdAt: timestamp(2) }),
        integration(env.id, { displayName: "a", provider: "AWS", status: "CREATED", createdAt: timestamp(3), config: null }),
        integration(env.id, { displayName: "c", provider: "AZURE", status: "CREATED", createdAt: timestamp(4) }),
        integration(env.id, { displayName: "a", provider: "AZURE", status: "DRAFT", createdAt: timestamp(5) }),
        integration(other.id, { displayName: "a", provider: "AZURE", status: "CREATED", createdAt: timestamp(0) }),
      ];
      for (const cspi of all) await store.integrations.insert(cspi);
      const [a1, b2, a3, c4, a5] = all;

      const ids = (page: Page<{ id: string }>): string[] => page.items.map((item) => item.id);
      expect(ids(await store.integrations.list({ environmentId: env.id }, {}))).toEqual([a1, b2, a3, c4, a5].map((i) => i?.id));
      expect(ids(await store.integrations.list({ environmentId: env.id, provider: "AZURE" }, {}))).toEqual([a1, b2, c4, a5].map((i) => i?.id));
      expect(ids(await store.integrations.list({ environmentId: env.id, displayName: "a" }, {}))).toEqual([a1, a3, a5].map((i) => i?.id));
      expect(ids(await store.integrations.list({ environmentId: env.id, statuses: ["DRAFT"] }, {}))).toEqual([b2, a5].map((i) => i?.id));
      expect(ids(await store.integrations.list({ environmentId: env.id, statuses: ["DRAFT", "CREATED"] }, {}))).toHaveLength(5);
      expect(ids(await store.integrations.list({ environmentId: env.id, statuses: [] }, {}))).toEqual([]);
      expect(ids(await store.integrations.list({ environmentId: env.id, provider: "AZURE", displayName: "a", statuses: ["CREATED"] }, {}))).toEqual([a1?.id]);

      const { pages, items } = await allPages((token) => store.integrations.list({ environmentId: env.id, provider: "AZURE" }, { pageSize: 3, pageToken: token }));
      expect(pages.map((page) => page.length)).toEqual([3, 1]);
      expect(items).toEqual([a1, b2, c4, a5]);
      await expect(store.integrations.list({ environmentId: env.id }, { pageToken: "x" })).rejects.toBeInstanceOf(InvalidPageTokenError);
    });
  });

  describe("connectors", () => {
    async function placement(s: Store = store): Promise<{ environmentId: string; clusterId: string }> {
      const env = environment();
      await s.environments.insert(env);
      const lkc = cluster(env.id);
      await s.clusters.insert(lkc);
      return { environmentId: env.id, clusterId: lkc.id };
    }

    it("inserts, gets by id and by name, counts and deletes", async () => {
      const at = await placement();
      const lcc = connector(at, { name: "orders-cdc", sensitiveCiphertext: "v1.x.y.z", integrationId: "cspi-abc" });
      await store.connectors.insert(lcc);
      expect(await store.connectors.get(lcc.id)).toEqual(lcc);
      expect(await store.connectors.getByName(at.clusterId, "orders-cdc")).toEqual(lcc);
      expect(await store.connectors.getByName(at.clusterId, "ORDERS-CDC")).toBeUndefined();
      expect(await store.connectors.getByName("lkc-other", "orders-cdc")).toBeUndefined();
      expect(await store.connectors.get("lcc-missing")).toBeUndefined();
      expect(await store.connectors.countByCluster(at.clusterId)).toBe(1);

      expect(await store.connectors.delete(lcc.id)).toBe(true);
      expect(await store.connectors.delete(lcc.id)).toBe(false);
      expect(await store.connectors.countByCluster(at.clusterId)).toBe(0);
    });

    it("rejects a second connector of the same name in a cluster with UniqueViolationError(connector_name)", async () => {
      const at = await placement();
      const elsewhere = await placement();
      await store.connectors.insert(connector(at, { name: "dup" }));
      const error = await store.connectors.insert(connector(at, { name: "dup" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UniqueViolationError);
      expect((error as UniqueViolationError).constraint).toBe("connector_name");
      // The same name in another cluster is fine; so is another case.
      await store.connectors.insert(connector(elsewhere, { name: "dup" }));
      await store.connectors.insert(connector(at, { name: "Dup" }));
      expect(await store.connectors.countByCluster(at.clusterId)).toBe(2);
    });

    it("rejects a duplicate id with UniqueViolationError(connector_id)", async () => {
      const at = await placement();
      const lcc = connector(at);
      await store.connectors.insert(lcc);
      await expect(store.connectors.insert({ ...lcc, name: "another-name" })).rejects.toMatchObject({ name: "UniqueViolationError", constraint: "connector_id" });
    });

    it("lists a cluster's connectors by name, an integration's and all by id", async () => {
      const s = await freshStore();
      const at = await placement(s);
      const other = await placement(s);
      const names = ["zeta", "Alpha", "beta", "alpha-2", "_under", "1st", "émile"];
      const created = names.map((name, i) => connector(at, { id: `lcc-${String.fromCharCode(122 - i)}`, name, integrationId: i % 2 === 0 ? "cspi-used" : null }));
      for (const lcc of created) await s.connectors.insert(lcc);
      const foreign = connector(other, { id: "lcc-0", name: "alpha", integrationId: "cspi-used" });
      await s.connectors.insert(foreign);

      // Code-point order on both dialects.
      expect((await s.connectors.listByCluster(at.clusterId)).map((c) => c.name)).toEqual([...names].sort());
      expect(await s.connectors.listByCluster("lkc-none")).toEqual([]);

      const usages = await s.connectors.listByIntegration("cspi-used");
      expect(usages.map((c) => c.id)).toEqual(["lcc-0", "lcc-t", "lcc-v", "lcc-x", "lcc-z"]);
      expect(await s.connectors.listByIntegration("cspi-unused")).toEqual([]);

      const all = await s.connectors.listAll();
      expect(all.map((c) => c.id)).toEqual([foreign, ...created].map((c) => c.id).sort());
      expect(all.find((c) => c.id === foreign.id)).toEqual(foreign);
    });

    it("updateSpec replaces the spec and increments the generation when it matches", async () => {
      const at = await placement();
      const lcc = connector(at, { generation: 3 });
      await store.connectors.insert(lcc);
      const spec = {
        plugin: "MySqlCdcSourceV2",
        config: config({ "database.hostname": "db.internal", "secret.manager.enabled": "true" }),
        sensitiveCiphertext: "v1.a.b.c",
        integrationId: "cspi-1",
        desiredState: "PAUSED" as const,
        updatedAt: timestamp(50),
      };
      const updated = await store.connectors.updateSpec(lcc.id, 3, spec);
      const expected = { ...lcc, ...spec, generation: 4 };
      expect(updated).toEqual(expected);
      expect(await store.connectors.get(lcc.id)).toEqual(expected);

      // Stale generation: nothing changes.
      expect(await store.connectors.updateSpec(lcc.id, 3, { ...spec, plugin: "Other", updatedAt: timestamp(60) })).toBeUndefined();
      expect(await store.connectors.get(lcc.id)).toEqual(expected);
      // Missing connector.
      expect(await store.connectors.updateSpec("lcc-missing", 1, spec)).toBeUndefined();

      const cleared = await store.connectors.updateSpec(lcc.id, 4, { ...spec, sensitiveCiphertext: null, integrationId: null, desiredState: "RUNNING" });
      expect(cleared).toMatchObject({ sensitiveCiphertext: null, integrationId: null, desiredState: "RUNNING", generation: 5 });
    });

    it("lets exactly one of two concurrent updates with the same generation win", async () => {
      const at = await placement();
      const lcc = connector(at);
      await store.connectors.insert(lcc);
      const spec = (plugin: string) => ({ plugin, config: lcc.config, sensitiveCiphertext: null, integrationId: null, desiredState: "RUNNING" as const, updatedAt: timestamp(2) });
      const results = await Promise.all(["A", "B", "C", "D"].map((plugin) => store.connectors.updateSpec(lcc.id, 1, spec(plugin))));
      const winners = results.filter((result) => result !== undefined);
      expect(winners).toHaveLength(1);
      expect(winners[0]?.generation).toBe(2);
      expect((await store.connectors.get(lcc.id))?.plugin).toBe(winners[0]?.plugin);
    });

    it("updateStatus records the observed status without changing the generation", async () => {
      const at = await placement();
      const lcc = connector(at, { generation: 2 });
      await store.connectors.insert(lcc);
      const status: ConnectorStatus = {
        state: "DEGRADED",
        workerId: "connect-1:8083",
        trace: "org.apache.kafka.connect.errors.ConnectException: boom\n\tat …",
        tasks: [
          { id: 0, state: "RUNNING", workerId: "connect-1:8083", trace: null },
          { id: 1, state: "FAILED", workerId: "connect-2:8083", trace: "java.lang.IllegalStateException" },
        ],
        observedAt: timestamp(30),
      };
      await store.connectors.updateStatus(lcc.id, status);
      expect(await store.connectors.get(lcc.id)).toEqual({ ...lcc, status });
      await store.connectors.updateStatus("lcc-missing", status);
    });

    it("updateStatus keeps the status's expiry warnings, and a status without any stays without the field", async () => {
      const at = await placement();
      const lcc = connector(at);
      await store.connectors.insert(lcc);
      const warned: ConnectorStatus = {
        state: "RUNNING", workerId: "connect-1:8083", trace: null, tasks: [{ id: 0, state: "RUNNING", workerId: "connect-1:8083", trace: null }], observedAt: timestamp(31),
        warnings: [{ code: "SECRET_NEAR_EXPIRY", key: "database.password", secret: "https://v.vault.azure.net::pg::password", expiresAt: "2030-01-02T03:04:05.000Z", message: "database.password (https://v.vault.azure.net::pg::password): the secret expires at 2030-01-02T03:04:05.000Z" }],
      };
      await store.connectors.updateStatus(lcc.id, warned);
      expect((await store.connectors.get(lcc.id))?.status).toEqual(warned);
      const cleared: ConnectorStatus = { ...warned, warnings: [] };
      await store.connectors.updateStatus(lcc.id, cleared);
      expect((await store.connectors.get(lcc.id))?.status).toEqual({ state: warned.state, workerId: warned.workerId, trace: warned.trace, tasks: warned.tasks, observedAt: warned.observedAt });
      expect((await store.connectors.get(lcc.id))?.status).not.toHaveProperty("warnings");
    });

    it("round-trips config maps exactly: order, Unicode, __proto__", async () => {
      const at = await placement();
      const entries: [string, string][] = [
        ["connector.class", "SqlServerCdcSourceV2"],
        ["__proto__", "not a prototype"],
        ["constructor", "plain"],
        ["zebra", "last key written first"],
        ["ключ", "значение"],
        ["emoji 🔑", "🚀 \u{1F600}"],
        ["database.password", "https://myvault.vault.azure.net::sqlserver-db-secret::password"],
        ["empty", ""],
        ["controls", "tab\tnewline\nnul\u0000bell\u0007"],
        ["quotes", "\"'\\`${x}"],
        ["lone surrogate", "\ud800 and \udfff"],
        ["rtl", "\u202Eabc"],
        ["combining", "e\u0301"],
        ["hasOwnProperty", "x"],
        ["toString", "y"],
      ];
      const original = Object.create(null) as Record<string, string>;
      for (const [key, value] of entries) original[key] = value;
      const lcc = connector(at, { config: original });
      await store.connectors.insert(lcc);

      const stored = await store.connectors.get(lcc.id);
      expect(stored).toBeDefined();
      const read = stored?.config ?? {};
      expect(Object.entries(read)).toEqual(entries);
      expect(Object.getPrototypeOf(read)).toBeNull();
      expect(Object.hasOwn(read, "__proto__")).toBe(true);
      expect(read.__proto__).toBe("not a prototype");

      // And through updateSpec, in another order.
      const reordered = Object.create(null) as Record<string, string>;
      for (const [key, value] of [...entries].reverse()) reordered[key] = value;
      const updated = await store.connectors.updateSpec(lcc.id, lcc.generation, { plugin: lcc.plugin, config: reordered, sensitiveCiphertext: null, integrationId: null, desiredState: "RUNNING", updatedAt: timestamp(1) });
      expect(Object.entries(updated?.config ?? {})).toEqual([...entries].reverse());
      expect(Object.entries((await store.connectors.getByName(at.clusterId, lcc.name))?.config ?? {})).toEqual([...entries].reverse());
    });

    it("keeps a large config intact", async () => {
      const at = await placement();
      const big = Object.create(null) as Record<string, string>;
      for (let i = 0; i < 1000; i += 1) big[`key.${i}`] = `value-${i}-${"x".repeat(64)}`;
      big["large"] = "€".repeat(21_000);
      const lcc = connector(at, { config: big });
      await store.connectors.insert(lcc);
      expect(Object.entries((await store.connectors.get(lcc.id))?.config ?? {})).toEqual(Object.entries(big));
    });
  });

  describe("foreign keys", () => {
    it("refuse to delete an environment that clusters, integrations or connectors use", async () => {
      const env = environment();
      await store.environments.insert(env);
      const lkc = cluster(env.id);
      await store.clusters.insert(lkc);
      const error = await store.environments.delete(env.id).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForeignKeyViolationError);
      expect(await store.environments.get(env.id)).toEqual(env);

      const withIntegration = environment();
      await store.environments.insert(withIntegration);
      await store.integrations.insert(integration(withIntegration.id));
      await expect(store.environments.delete(withIntegration.id)).rejects.toBeInstanceOf(ForeignKeyViolationError);
    });

    it("refuse to delete a cluster that has connectors", async () => {
      const env = environment();
      await store.environments.insert(env);
      const lkc = cluster(env.id);
      await store.clusters.insert(lkc);
      const lcc = connector({ environmentId: env.id, clusterId: lkc.id });
      await store.connectors.insert(lcc);
      await expect(store.clusters.delete(lkc.id)).rejects.toBeInstanceOf(ForeignKeyViolationError);
      expect(await store.clusters.get(lkc.id)).toEqual(lkc);

      // In order, everything goes.
      expect(await store.connectors.delete(lcc.id)).toBe(true);
      expect(await store.clusters.delete(lkc.id)).toBe(true);
      expect(await store.environments.delete(env.id)).toBe(true);
    });

    it("refuse rows whose parent is missing", async () => {
      await expect(store.clusters.insert(cluster("env-missing"))).rejects.toBeInstanceOf(ForeignKeyViolationError);
      await expect(store.integrations.insert(integration("env-missing"))).rejects.toBeInstanceOf(ForeignKeyViolationError);
      const env = environment();
      await store.environments.insert(env);
      await expect(store.connectors.insert(connector({ environmentId: env.id, clusterId: "lkc-missing" }))).rejects.toBeInstanceOf(ForeignKeyViolationError);
    });
  });

  describe("worker credentials", () => {
    it("inserts, gets, lists by cluster, touches, deletes, and goes with its cluster", async () => {
      const s = await freshStore();
      const env = environment();
      await s.environments.insert(env);
      const lkc = cluster(env.id);
      const other = cluster(env.id);
      await s.clusters.insert(lkc);
      await s.clusters.insert(other);
      const first = { id: `wcr-${uniqueSuffix()}`, clusterId: lkc.id, secretHash: "aGFzaA", description: "pool A", createdAt: timestamp(2), lastUsedAt: null };
      const second = { ...first, id: `wcr-${uniqueSuffix()}`, description: "pool B", createdAt: timestamp(1) };
      const elsewhere = { ...first, id: `wcr-${uniqueSuffix()}`, clusterId: other.id };
      for (const credential of [first, second, elsewhere]) await s.workerCredentials.insert(credential);
      expect(await s.workerCredentials.get(first.id)).toEqual(first);
      expect(await s.workerCredentials.get("wcr-missing")).toBeUndefined();
      expect(await s.workerCredentials.listByCluster(lkc.id)).toEqual([second, first]);
      await s.workerCredentials.touch(first.id, timestamp(50));
      expect((await s.workerCredentials.get(first.id))?.lastUsedAt).toBe(timestamp(50));
      await expect(s.workerCredentials.insert(first)).rejects.toThrow();
      await expect(s.workerCredentials.insert({ ...first, id: `wcr-${uniqueSuffix()}`, clusterId: "lkc-missing" })).rejects.toThrow();
      expect(await s.workerCredentials.delete(first.id)).toBe(true);
      expect(await s.workerCredentials.delete(first.id)).toBe(false);
      expect(await s.clusters.delete(lkc.id)).toBe(true);
      expect(await s.workerCredentials.listByCluster(lkc.id)).toEqual([]);
      expect(await s.workerCredentials.listByCluster(other.id)).toEqual([elsewhere]);
    });
  });

  describe("API keys", () => {
    async function owner(s: Store, name = `owner-${uniqueSuffix()}`): Promise<ServiceAccount> {
      const account: ServiceAccount = { id: `sa-${uniqueSuffix()}`, displayName: name, description: "", createdAt: timestamp(0), updatedAt: timestamp(0) };
      await s.serviceAccounts.insert(account);
      return account;
    }

    it("inserts, gets, lists, pages, filters, counts, touches, updates and deletes", async () => {
      const s = await freshStore();
      const env = environment();
      await s.environments.insert(env);
      const lkc = cluster(env.id);
      await s.clusters.insert(lkc);
      const a = await owner(s);
      const b = await owner(s);
      const org = apiKey({ ownerId: a.id, createdAt: timestamp(3), description: "org admin" });
      const scoped = apiKey({ ownerId: a.id, createdAt: timestamp(1), resource: { kind: "Environment", environmentId: env.id } });
      const forCluster = apiKey({ ownerId: b.id, createdAt: timestamp(2), resource: { kind: "Cluster", clusterId: lkc.id, environmentId: env.id }, displayName: "kafka" });
      for (const key of [org, scoped, forCluster]) await s.apiKeys.insert(key);

      expect(await s.apiKeys.get(org.id)).toEqual(org);
      expect(await s.apiKeys.get(forCluster.id)).toEqual(forCluster);
      expect(await s.apiKeys.get("KEYMISSING")).toBeUndefined();
      expect((await s.apiKeys.list()).items).toEqual([scoped, forCluster, org]);
      expect((await s.apiKeys.list({ environmentId: env.id })).items).toEqual([scoped, forCluster]);
      expect((await s.apiKeys.list({ ownerId: a.id })).items).toEqual([scoped, org]);
      expect((await s.apiKeys.list({ resource: { kind: "Cloud" } })).items).toEqual([org]);
      expect((await s.apiKeys.list({ resource: forCluster.resource })).items).toEqual([forCluster]);
      expect((await s.apiKeys.list({ environmentId: "env-none" })).items).toEqual([]);
      const { pages, items } = await allPages((token) => s.apiKeys.list({}, { pageSize: 2, pageToken: token }));
      expect(pages.map((page) => page.length)).toEqual([2, 1]);
      expect(items).toEqual([scoped, forCluster, org]);
      expect(await s.apiKeys.count()).toBe(3);

      await s.apiKeys.touch(org.id, timestamp(100));
      expect(await s.apiKeys.get(org.id)).toEqual({ ...org, lastUsedAt: timestamp(100) });
      await s.apiKeys.touch("KEYMISSING", timestamp(100));
      expect(await s.apiKeys.update(org.id, { displayName: "renamed", description: "changed", updatedAt: timestamp(101) })).toEqual({ ...org, lastUsedAt: timestamp(100), displayName: "renamed", description: "changed", updatedAt: timestamp(101) });
      expect(await s.apiKeys.update("KEYMISSING", { displayName: "x", description: "y", updatedAt: timestamp(101) })).toBeUndefined();

      await expect(s.apiKeys.insert(org)).rejects.toMatchObject({ name: "UniqueViolationError", constraint: "api_key_id" });
      await expect(s.apiKeys.insert(apiKey({ ownerId: "sa-missing" }))).rejects.toMatchObject({ name: "ForeignKeyViolationError" });

      expect(await s.apiKeys.delete(org.id)).toBe(true);
      expect(await s.apiKeys.delete(org.id)).toBe(false);
      expect(await s.apiKeys.count()).toBe(2);
    });
  });

  describe("service accounts and role bindings", () => {
    const account = (overrides: Partial<ServiceAccount> = {}): ServiceAccount => ({ id: `sa-${uniqueSuffix()}`, displayName: `app-${uniqueSuffix()}`, description: "an app", createdAt: timestamp(0), updatedAt: timestamp(0), ...overrides });
    const binding = (serviceAccountId: string, overrides: Partial<RoleBinding> = {}): RoleBinding => ({
      id: `rb-${uniqueSuffix()}`, principal: `User:${serviceAccountId}`, roleName: "OrganizationAdmin", crnPattern: "crn://confluent.cloud/organization=o", scope: { kind: "organization" }, createdAt: timestamp(0), ...overrides,
    });

    it("service accounts: insert, get, list with paging and a name filter, update, unique names", async () => {
      const s = await freshStore();
      const first = account({ createdAt: timestamp(2) });
      const second = account({ createdAt: timestamp(1) });
      for (const a of [first, second]) await s.serviceAccounts.insert(a);
      expect(await s.serviceAccounts.get(first.id)).toEqual(first);
      expect(await s.serviceAccounts.get("sa-missing")).toBeUndefined();
      const { pages, items } = await allPages((token) => s.serviceAccounts.list({ pageSize: 1, pageToken: token }));
      expect(pages).toHaveLength(2);
      expect(items).toEqual([second, first]);
      expect((await s.serviceAccounts.list({}, { displayName: first.displayName })).items).toEqual([first]);
      await expect(s.serviceAccounts.insert(account({ displayName: first.displayName }))).rejects.toMatchObject({ name: "UniqueViolationError", constraint: "service_account_display_name" });
      expect(await s.serviceAccounts.update(first.id, { displayName: "renamed", description: "new", updatedAt: timestamp(9) })).toEqual({ ...first, displayName: "renamed", description: "new", updatedAt: timestamp(9) });
      await expect(s.serviceAccounts.update(second.id, { displayName: "renamed", description: "", updatedAt: timestamp(9) })).rejects.toMatchObject({ constraint: "service_account_display_name" });
      expect(await s.serviceAccounts.update("sa-missing", { displayName: "x", description: "", updatedAt: timestamp(9) })).toBeUndefined();
    });

    it("role bindings: insert, get, list within a scope, per account, count, unique per account, role and scope", async () => {
      const s = await freshStore();
      const env = environment();
      const other = environment();
      for (const e of [env, other]) await s.environments.insert(e);
      const a = account();
      const b = account();
      for (const x of [a, b]) await s.serviceAccounts.insert(x);
      const orgAdmin = binding(a.id, { createdAt: timestamp(1) });
      const envAdmin = binding(b.id, { roleName: "EnvironmentAdmin", crnPattern: `crn://confluent.cloud/organization=o/environment=${env.id}`, scope: { kind: "environment", environmentId: env.id }, createdAt: timestamp(2) });
      const assigner = binding(b.id, { roleName: "Assigner", crnPattern: `crn://confluent.cloud/organization=o/environment=${env.id}/provider-integration=cspi-1`, scope: { kind: "provider-integration", environmentId: env.id, integrationId: "cspi-1" }, createdAt: timestamp(3) });
      const elsewhere = binding(a.id, { roleName: "Operator", crnPattern: `crn://confluent.cloud/organization=o/environment=${other.id}`, scope: { kind: "environment", environmentId: other.id }, createdAt: timestamp(4) });
      for (const x of [orgAdmin, envAdmin, assigner, elsewhere]) await s.roleBindings.insert(x);

      expect(await s.roleBindings.get(assigner.id)).toEqual(assigner);
      expect(await s.roleBindings.get("rb-missing")).toBeUndefined();
      expect((await s.roleBindings.list({ within: { kind: "organization" } }, {})).items).toEqual([orgAdmin, envAdmin, assigner, elsewhere]);
      expect((await s.roleBindings.list({ within: { kind: "environment", environmentId: env.id } }, {})).items).toEqual([envAdmin, assigner]);
      expect((await s.roleBindings.list({ within: assigner.scope }, {})).items).toEqual([assigner]);
      expect((await s.roleBindings.list({ serviceAccountId: a.id }, {})).items).toEqual([orgAdmin, elsewhere]);
      expect((await s.roleBindings.list({ roleName: "Operator" }, {})).items).toEqual([elsewhere]);
      expect((await s.roleBindings.list({ environmentIds: [other.id] }, {})).items).toEqual([elsewhere]);
      expect((await s.roleBindings.list({ environmentIds: [] }, {})).items).toEqual([]);
      const { pages } = await allPages((token) => s.roleBindings.list({}, { pageSize: 3, pageToken: token }));
      expect(pages.map((page) => page.length)).toEqual([3, 1]);
      expect(await s.roleBindings.listByServiceAccount(b.id)).toEqual([envAdmin, assigner]);
      expect(await s.roleBindings.countOrganizationRole("OrganizationAdmin")).toBe(1);
      // The same role on the same scope, however the CRN was written, is one binding.
      await expect(s.roleBindings.insert({ ...envAdmin, id: `rb-${uniqueSuffix()}`, crnPattern: envAdmin.crnPattern.replace("=", "%3D") })).rejects.toMatchObject({ name: "UniqueViolationError", constraint: "role_binding" });
      await expect(s.roleBindings.insert(binding("sa-missing"))).rejects.toMatchObject({ name: "ForeignKeyViolationError" });

      expect(await s.roleBindings.deleteByEnvironment(env.id)).toBe(2);
      expect(await s.roleBindings.listByServiceAccount(b.id)).toEqual([]);
      expect(await s.roleBindings.delete(elsewhere.id)).toBe(true);
      expect(await s.roleBindings.delete(elsewhere.id)).toBe(false);
    });

    it("deleting a service account deletes its API keys and role bindings, and nobody else's", async () => {
      const s = await freshStore();
      const a = account();
      const b = account();
      for (const x of [a, b]) await s.serviceAccounts.insert(x);
      const keyA = apiKey({ ownerId: a.id });
      const keyB = apiKey({ ownerId: b.id });
      for (const k of [keyA, keyB]) await s.apiKeys.insert(k);
      const bindingA = binding(a.id);
      const bindingB = binding(b.id);
      for (const x of [bindingA, bindingB]) await s.roleBindings.insert(x);
      expect(await s.serviceAccounts.delete(a.id)).toBe(true);
      expect(await s.serviceAccounts.delete(a.id)).toBe(false);
      expect(await s.apiKeys.get(keyA.id)).toBeUndefined();
      expect(await s.roleBindings.get(bindingA.id)).toBeUndefined();
      expect(await s.apiKeys.get(keyB.id)).toEqual(keyB);
      expect(await s.roleBindings.get(bindingB.id)).toEqual(bindingB);
    });
  });

  describe("meta", () => {
    it("gets and sets values only when absent", async () => {
      expect(await store.meta.get("master-key-check")).toBeUndefined();
      expect(await store.meta.setIfAbsent("master-key-check", "first")).toBe("first");
      expect(await store.meta.setIfAbsent("master-key-check", "second")).toBe("first");
      expect(await store.meta.get("master-key-check")).toBe("first");
    });

    it("agrees on one value when many set it at once", async () => {
      const values = await Promise.all(Array.from({ length: 8 }, (_, i) => store.meta.setIfAbsent("race", `value-${i}`)));
      expect(new Set(values).size).toBe(1);
      expect(await store.meta.get("race")).toBe(values[0]);
    });
  });

  describe("transactions", () => {
    it("commits the work and returns its result", async () => {
      const env = environment();
      const result = await store.transaction(async (tx) => {
        await tx.environments.insert(env);
        await tx.clusters.insert(cluster(env.id));
        return tx.clusters.countByEnvironment(env.id);
      });
      expect(result).toBe(1);
      expect(await store.environments.get(env.id)).toEqual(env);
      expect(await store.clusters.countByEnvironment(env.id)).toBe(1);
    });

    it("rolls everything back when the work throws", async () => {
      const env = environment();
      const lkc = cluster(env.id);
      const failure = new Error("changed my mind");
      await expect(store.transaction(async (tx) => {
        await tx.environments.insert(env);
        await tx.clusters.insert(lkc);
        await tx.meta.setIfAbsent(`rollback-${env.id}`, "x");
        expect(await tx.environments.get(env.id)).toEqual(env);
        throw failure;
      })).rejects.toBe(failure);
      expect(await store.environments.get(env.id)).toBeUndefined();
      expect(await store.clusters.get(lkc.id)).toBeUndefined();
      expect(await store.meta.get(`rollback-${env.id}`)).toBeUndefined();
    });

    it("rolls back when a statement fails, and reports the store's error", async () => {
      const env = environment();
      await store.environments.insert(env);
      const fresh = environment();
      await expect(store.transaction(async (tx) => {
        await tx.environments.insert(fresh);
        await tx.environments.insert(env);
      })).rejects.toBeInstanceOf(UniqueViolationError);
      expect(await store.environments.get(fresh.id)).toBeUndefined();
    });

    it("keeps concurrent transactions apart: each commits or rolls back on its own", async () => {
      const runs = Array.from({ length: 6 }, (_, i) => ({ i, env: environment(), other: environment() }));
      const outcomes = await Promise.allSettled(runs.map(({ i, env, other }) => store.transaction(async (tx) => {
        await tx.environments.insert(env);
        await sleep(5);
        await tx.environments.insert(other);
        await sleep(1);
        if (i % 2 === 1) throw new Error(`run ${i} fails`);
        return i;
      })));
      expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled", "rejected"]);
      for (const { i, env, other } of runs) {
        const committed = i % 2 === 0;
        expect(await store.environments.get(env.id) !== undefined).toBe(committed);
        expect(await store.environments.get(other.id) !== undefined).toBe(committed);
      }
    });

    it("refuses the store itself (and nested transactions) inside the work, and rolls back", async () => {
      const env = environment();
      await expect(store.transaction(async (tx) => {
        await tx.environments.insert(env);
        await store.environments.get(env.id);
      })).rejects.toThrow("use the repositories passed to the transaction's function");
      expect(await store.environments.get(env.id)).toBeUndefined();

      await expect(store.transaction(() => store.transaction(() => Promise.resolve(1)))).rejects.toThrow("inside store.transaction()");
      // The store is usable afterwards.
      expect(await store.ping()).toBe(true);
    });

    if (target.name === "sqlite") {
      it("runs concurrent SQLite transactions one after another (no interleaved statements)", async () => {
        const env = environment({ displayName: "0" });
        await store.environments.insert(env);
        const log: string[] = [];
        await Promise.all(Array.from({ length: 10 }, (_, i) => store.transaction(async (tx) => {
          log.push(`begin ${i}`);
          const current = await tx.environments.get(env.id);
          await sleep(2);
          await tx.environments.update(env.id, { displayName: String(Number(current?.displayName) + 1), updatedAt: timestamp(i) });
          log.push(`end ${i}`);
        })));
        expect((await store.environments.get(env.id))?.displayName).toBe("10");
        for (let k = 0; k < log.length; k += 2) {
          expect(log[k]?.replace("begin", "end")).toBe(log[k + 1]);
        }
      });
    }
  });

  describe("migrations", () => {
    it("are idempotent: reopening keeps the data and changes nothing", async () => {
      const database = await freshDatabase();
      const first = await open(database);
      const env = environment();
      await first.environments.insert(env);
      await first.close();

      const second = await open(database);
      const third = await open(database);
      expect(await second.environments.get(env.id)).toEqual(env);
      expect(await third.environments.get(env.id)).toEqual(env);
      await second.close();
      await third.close();
    });

    it("are safe when several processes start together on one database", async () => {
      const database = await freshDatabase();
      const outputs = await Promise.all(Array.from({ length: 4 }, () => runNode(["--import", "tsx", OPEN_ONCE, JSON.stringify(database.options)])));
      expect(outputs.map((output) => output.trim())).toEqual(["opened", "opened", "opened", "opened"]);
      const s = await open(database);
      const env = environment();
      await s.environments.insert(env);
      expect(await s.environments.get(env.id)).toEqual(env);
    });
  });

  it("closes once and for all: ping is false, closing again is harmless", async () => {
    const s = await freshStore();
    await s.close();
    expect(await s.ping()).toBe(false);
    await s.close();
    await expect(s.environments.get("env-x")).rejects.toThrow();
  });
});
