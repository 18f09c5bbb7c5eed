/**
 * Identity the Confluent way (decision 45): service accounts own API keys,
 * role bindings give them roles on CRN patterns, and an API key keeps the
 * display name, owner and resource it was created with.
 *
 * Every key stored before gets a service account of its own
 * (`api-key-<key id>`) with one role binding that gives exactly what the key
 * could do: its role (decision 30; a key stored without one has its scope's
 * default) on the organization or on its environment. An environment key
 * keeps its environment as its resource, so it still sees nothing else.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from "kysely";
import { crnOf, type ApiKeyResource, type CrnScope } from "../../domain/identity.js";
import { newId } from "../../domain/ids.js";
import { decodeScope, encodeCrnScope, encodeResource } from "../json-columns.js";
import type { ApiKeysTable, MetaTable, RoleBindingsTable, ServiceAccountsTable, StoreDialect } from "../schema.js";

interface Tables {
  api_keys: ApiKeysTable;
  service_accounts: ServiceAccountsTable;
  role_bindings: RoleBindingsTable;
  meta: MetaTable;
}

export function identityMigration(dialect: StoreDialect): Migration {
  const ordered = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col).notNull();
  const collated = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder => (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col);
  return {
    async up(schema: Kysely<unknown>): Promise<void> {
      await schema.schema
        .createTable("service_accounts")
        .addColumn("id", "text", ordered)
        .addColumn("display_name", "text", ordered)
        .addColumn("description", "text", (col) => col.notNull())
        .addColumn("created_at", "text", ordered)
        .addColumn("updated_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("service_accounts_pkey", ["id"])
        .addUniqueConstraint("service_accounts_display_name_key", ["display_name"])
        .execute();
      await schema.schema.createIndex("service_accounts_created_at_id_idx").on("service_accounts").columns(["created_at", "id"]).execute();

      await schema.schema
        .createTable("role_bindings")
        .addColumn("id", "text", ordered)
        .addColumn("service_account_id", "text", ordered)
        .addColumn("role_name", "text", ordered)
        .addColumn("crn_pattern", "text", (col) => col.notNull())
        .addColumn("scope", "text", ordered)
        .addColumn("environment_id", "text", collated)
        .addColumn("created_at", "text", ordered)
        .addPrimaryKeyConstraint("role_bindings_pkey", ["id"])
        .addUniqueConstraint("role_bindings_service_account_id_role_name_scope_key", ["service_account_id", "role_name", "scope"])
        .addForeignKeyConstraint("role_bindings_service_account_id_fkey", ["service_account_id"], "service_accounts", ["id"], (fk) => fk.onDelete("cascade"))
        .execute();
      await schema.schema.createIndex("role_bindings_created_at_id_idx").on("role_bindings").columns(["created_at", "id"]).execute();
      await schema.schema.createIndex("role_bindings_environment_id_idx").on("role_bindings").column("environment_id").execute();

      await schema.schema.alterTable("api_keys").addColumn("owner_id", "text", (col) => collated(col).references("service_accounts.id").onDelete("cascade")).execute();
      await schema.schema.alterTable("api_keys").addColumn("display_name", "text", (col) => col.notNull().defaultTo("")).execute();
      await schema.schema.alterTable("api_keys").addColumn("resource", "text").execute();
      await schema.schema.alterTable("api_keys").addColumn("updated_at", "text").execute();
      await schema.schema.createIndex("api_keys_owner_id_idx").on("api_keys").column("owner_id").execute();

      const db = schema as unknown as Kysely<Tables>;
      const keys = await db.selectFrom("api_keys").select(["id", "scope", "created_at"]).orderBy("created_at").orderBy("id").execute();
      if (keys.length === 0) return;
      // The organization id names the CRNs; it exists once a server has started (and so created keys).
      let organizationId = (await db.selectFrom("meta").select("value").where("key", "=", "organization_id").executeTakeFirst())?.value;
      if (organizationId === undefined) {
        organizationId = crypto.randomUUID();
        await db.insertInto("meta").values({ key: "organization_id", value: organizationId }).execute();
      }
      for (const key of keys) {
        const { scope, role } = decodeScope(key.scope, key.id);
        const serviceAccountId = newId("serviceAccount");
        const crnScope: CrnScope = scope.kind === "org" ? { kind: "organization" } : { kind: "environment", environmentId: scope.environmentId };
        const resource: ApiKeyResource = scope.kind === "org" ? { kind: "Cloud" } : { kind: "Environment", environmentId: scope.environmentId };
        await db.insertInto("service_accounts").values({
          id: serviceAccountId,
          display_name: `api-key-${key.id}`,
          description: `Owner of API key ${key.id}, created when service accounts were introduced`,
          created_at: key.created_at,
          updated_at: key.created_at,
        }).execute();
        await db.insertInto("role_bindings").values({
          id: newId("roleBinding"),
          service_account_id: serviceAccountId,
          role_name: role,
          crn_pattern: crnOf(organizationId, crnScope),
          scope: encodeCrnScope(crnScope),
          environment_id: crnScope.kind === "organization" ? null : crnScope.environmentId,
          created_at: key.created_at,
        }).execute();
        await db.updateTable("api_keys").set({ owner_id: serviceAccountId, resource: encodeResource(resource), updated_at: key.created_at }).where("id", "=", key.id).execute();
      }
    },

    async down(schema: Kysely<unknown>): Promise<void> {
      await schema.schema.dropIndex("api_keys_owner_id_idx").execute();
      for (const column of ["updated_at", "resource", "display_name", "owner_id"]) await schema.schema.alterTable("api_keys").dropColumn(column).execute();
      await schema.schema.dropTable("role_bindings").execute();
      await schema.schema.dropTable("service_accounts").execute();
    },
  };
}
