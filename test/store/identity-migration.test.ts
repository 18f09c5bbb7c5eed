// Migration 0007 (decision 45) on both databases: a store written before
// service accounts — API keys with a scope and a role in one column — is
// opened by this vaultwire, and every old key still authenticates with what
// it could do before, through a service account and a role binding of its own.
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from "kysely";
import { join } from "node:path";
import { mkdirSync } from "node:fs";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { createApiKeyService, hashSecret } from "../../src/services/api-keys.js";
import { defaultServiceContext } from "../../src/services/context.js";
import { assertConnectorManager, assertEnvironmentAdmin, assertOrgAdmin, canSeeEnvironment } from "../../src/services/principal.js";
import { migrationsFor } from "../../src/store/migrations/migrations.js";
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, type StoreDialect } from "../../src/store/schema.js";
import { openStore, type Store } from "../../src/store/index.js";
import { storeTargets, type TestDatabase } from "./harness.js";

const SECRET = "old-key-secret-0123456789abcdef";
const basic = (id: string) => `Basic ${Buffer.from(`${id}:${SECRET}`).toString("base64")}`;

/** A Kysely on the test database, migrated only as far as vaultwire had before 0007. */
async function migrateBefore0007(database: TestDatabase, dialect: StoreDialect): Promise<Kysely<unknown>> {
  let db: Kysely<unknown>;
  if (dialect === "sqlite") {
    const dir = database.options.dataDir ?? "";
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const sqlite = new Database(join(dir, "vaultwire.db"));
    sqlite.pragma("foreign_keys = ON");
    db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
  } else {
    db = new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.options.databaseUrl, max: 1 }) }) });
  }
  const before: Record<string, Migration> = Object.fromEntries(Object.entries(migrationsFor(dialect)).filter(([name]) => name < "0007"));
  const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(before) }, migrationTableName: MIGRATION_TABLE, migrationLockTableName: MIGRATION_LOCK_TABLE });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error as Error;
  return db;
}

describe.each(storeTargets())("migration 0007-identity on $name", (target) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it("gives every old key a service account and a role binding with exactly its old powers", async () => {
    const database = await target.createDatabase();
    cleanups.push(() => database.drop());
    const legacy = await migrateBefore0007(database, target.name);
    const hash = await hashSecret(SECRET);
    const at = "2024-01-01T00:00:00.000Z";
    await legacy.insertInto("meta" as never).values({ key: "organization_id", value: "org-legacy" }).execute();
    await legacy.insertInto("environments" as never).values([
      { id: "env-mine0001", display_name: "mine", created_at: at, updated_at: at },
      { id: "env-other001", display_name: "other", created_at: at, updated_at: at },
    ] as never).execute();
    const row = (id: string, scope: unknown, environmentId: string | null) => ({ id, secret_hash: hash, scope: JSON.stringify(scope), environment_id: environmentId, description: `old ${id}`, created_at: at, last_used_at: null });
    await legacy.insertInto("api_keys" as never).values([
      // Before roles (decision 30) a key had none: its scope's default.
      row("OLDORGKEY0000001", { kind: "org" }, null),
      row("OLDENVKEY0000001", { kind: "environment", environmentId: "env-mine0001" }, "env-mine0001"),
      row("OLDDEVKEY0000001", { kind: "environment", environmentId: "env-mine0001", role: "DeveloperManage" }, "env-mine0001"),
      row("OLDOPSKEY0000001", { kind: "org", role: "Operator" }, null),
    ] as never).execute();
    await legacy.destroy();

    const store: Store = await openStore(database.options);
    cleanups.push(() => store.close());
    const keys = (await store.apiKeys.list()).items;
    expect(keys.map((k) => [k.id, k.resource, k.displayName, k.description, k.updatedAt])).toEqual([
      ["OLDDEVKEY0000001", { kind: "Environment", environmentId: "env-mine0001" }, "", "old OLDDEVKEY0000001", at],
      ["OLDENVKEY0000001", { kind: "Environment", environmentId: "env-mine0001" }, "", "old OLDENVKEY0000001", at],
      ["OLDOPSKEY0000001", { kind: "Cloud" }, "", "old OLDOPSKEY0000001", at],
      ["OLDORGKEY0000001", { kind: "Cloud" }, "", "old OLDORGKEY0000001", at],
    ]);
    const owners = new Set(keys.map((k) => k.ownerId));
    expect(owners.size).toBe(4);
    for (const key of keys) {
      expect(key.ownerId).toMatch(/^sa-[a-z0-9]{8}$/);
      expect((await store.serviceAccounts.get(key.ownerId))?.displayName).toBe(`api-key-${key.id}`);
    }
    const envKey = keys.find((k) => k.id === "OLDENVKEY0000001");
    expect(await store.roleBindings.listByServiceAccount(envKey?.ownerId ?? "")).toEqual([
      expect.objectContaining({ roleName: "EnvironmentAdmin", crnPattern: "crn://confluent.cloud/organization=org-legacy/environment=env-mine0001", scope: { kind: "environment", environmentId: "env-mine0001" } }),
    ]);

    // Each old key still signs in and can do what it could, and no more.
    const service = createApiKeyService({ ...defaultServiceContext(store), organizationId: "org-legacy" });
    const orgAdmin = await service.authenticate(basic("OLDORGKEY0000001"));
    expect(() => { assertOrgAdmin(orgAdmin, "creating an environment"); }).not.toThrow();
    const envAdmin = await service.authenticate(basic("OLDENVKEY0000001"));
    expect(canSeeEnvironment(envAdmin, "env-mine0001")).toBe(true);
    expect(canSeeEnvironment(envAdmin, "env-other001")).toBe(false);
    expect(() => { assertEnvironmentAdmin(envAdmin, "registering a Kafka cluster", "env-mine0001"); }).not.toThrow();
    expect(() => { assertOrgAdmin(envAdmin, "creating an environment"); }).toThrow("needs an organization-wide API key with the OrganizationAdmin role; this API key is scoped to environment \"env-mine0001\" with the EnvironmentAdmin role");
    const developer = await service.authenticate(basic("OLDDEVKEY0000001"));
    expect(() => { assertConnectorManager(developer, "creating a connector", "env-mine0001"); }).not.toThrow();
    expect(() => { assertEnvironmentAdmin(developer, "registering a Kafka cluster", "env-mine0001"); }).toThrow("DeveloperManage");
    const operator = await service.authenticate(basic("OLDOPSKEY0000001"));
    expect(canSeeEnvironment(operator, "env-other001")).toBe(true);
    expect(() => { assertConnectorManager(operator, "creating a connector", "env-other001"); }).toThrow("Operator role (read-only)");
    await expect(service.authenticate(`Basic ${Buffer.from("OLDORGKEY0000001:wrong-secret-xx").toString("base64")}`)).rejects.toThrow("invalid API key or secret");

    // Reopening runs nothing again.
    await store.close();
    const reopened = await openStore(database.options);
    cleanups.push(() => reopened.close());
    expect((await reopened.serviceAccounts.list({ pageSize: 100 })).items).toHaveLength(4);
  });

  it("creates nothing on an empty store", async () => {
    const database = await target.createDatabase();
    cleanups.push(() => database.drop());
    const store = await openStore(database.options);
    cleanups.push(() => store.close());
    expect((await store.serviceAccounts.list({})).items).toEqual([]);
    expect(await store.meta.get("organization_id")).toBeUndefined();
  });
});
