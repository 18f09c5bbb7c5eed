/**
 * The first schema. Frozen once released: later changes are new migrations.
 * Constraint names are spelled out so PostgreSQL reports stable names (see
 * ../errors.ts); on PostgreSQL the text columns that are compared or ordered
 * use the "C" collation, so ordering is by code point as in SQLite, whatever
 * the database's locale.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from "kysely";
import type { StoreDialect } from "../schema.js";

export function initialMigration(dialect: StoreDialect): Migration {
  /** A text column that is compared or ordered: byte order on both dialects. */
  const ordered = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col).notNull();

  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("environments")
        .addColumn("id", "text", ordered)
        .addColumn("display_name", "text", (col) => col.notNull())
        .addColumn("created_at", "text", ordered)
        .addColumn("updated_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("environments_pkey", ["id"])
        .execute();
      await db.schema.createIndex("environments_created_at_id_idx").on("environments").columns(["created_at", "id"]).execute();

      await db.schema
        .createTable("clusters")
        .addColumn("id", "text", ordered)
        .addColumn("environment_id", "text", ordered)
        .addColumn("display_name", "text", (col) => col.notNull())
        .addColumn("cloud", "text", (col) => col.notNull())
        .addColumn("region", "text", (col) => col.notNull())
        .addColumn("availability", "text", (col) => col.notNull())
        .addColumn("cluster_type", "text", (col) => col.notNull())
        .addColumn("cku", "integer")
        .addColumn("networking", "text", (col) => col.notNull())
        .addColumn("bootstrap_servers", "text", (col) => col.notNull())
        .addColumn("connect_urls", "text", (col) => col.notNull())
        .addColumn("created_at", "text", ordered)
        .addColumn("updated_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("clusters_pkey", ["id"])
        .addForeignKeyConstraint("clusters_environment_id_fkey", ["environment_id"], "environments", ["id"], (fk) => fk.onDelete("restrict"))
        .execute();
      await db.schema.createIndex("clusters_environment_id_created_at_id_idx").on("clusters").columns(["environment_id", "created_at", "id"]).execute();

      await db.schema
        .createTable("integrations")
        .addColumn("id", "text", ordered)
        .addColumn("environment_id", "text", ordered)
        .addColumn("display_name", "text", ordered)
        .addColumn("provider", "text", ordered)
        .addColumn("status", "text", ordered)
        .addColumn("config", "text")
        .addColumn("credential_ciphertext", "text")
        .addColumn("created_at", "text", ordered)
        .addColumn("updated_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("integrations_pkey", ["id"])
        .addForeignKeyConstraint("integrations_environment_id_fkey", ["environment_id"], "environments", ["id"], (fk) => fk.onDelete("restrict"))
        .execute();
      await db.schema.createIndex("integrations_environment_id_created_at_id_idx").on("integrations").columns(["environment_id", "created_at", "id"]).execute();

      await db.schema
        .createTable("connectors")
        .addColumn("id", "text", ordered)
        .addColumn("environment_id", "text", ordered)
        .addColumn("cluster_id", "text", ordered)
        .addColumn("name", "text", ordered)
        .addColumn("plugin", "text", (col) => col.notNull())
        .addColumn("config", "text", (col) => col.notNull())
        .addColumn("sensitive_ciphertext", "text")
        .addColumn("integration_id", "text", (col) => (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col))
        .addColumn("desired_state", "text", (col) => col.notNull())
        .addColumn("status", "text", (col) => col.notNull())
        .addColumn("generation", "integer", (col) => col.notNull())
        .addColumn("created_at", "text", (col) => col.notNull())
        .addColumn("updated_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("connectors_pkey", ["id"])
        .addUniqueConstraint("connectors_cluster_id_name_key", ["cluster_id", "name"])
        .addForeignKeyConstraint("connectors_cluster_id_fkey", ["cluster_id"], "clusters", ["id"], (fk) => fk.onDelete("restrict"))
        .addForeignKeyConstraint("connectors_environment_id_fkey", ["environment_id"], "environments", ["id"], (fk) => fk.onDelete("restrict"))
        .execute();
      // The unique constraint serves lookups by cluster (and by cluster + name).
      await db.schema.createIndex("connectors_environment_id_idx").on("connectors").column("environment_id").execute();
      await db.schema.createIndex("connectors_integration_id_idx").on("connectors").column("integration_id").execute();

      await db.schema
        .createTable("api_keys")
        .addColumn("id", "text", ordered)
        .addColumn("secret_hash", "text", (col) => col.notNull())
        .addColumn("scope", "text", (col) => col.notNull())
        .addColumn("environment_id", "text", (col) => (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col))
        .addColumn("description", "text", (col) => col.notNull())
        .addColumn("created_at", "text", ordered)
        .addColumn("last_used_at", "text")
        .addPrimaryKeyConstraint("api_keys_pkey", ["id"])
        .execute();
      await db.schema.createIndex("api_keys_created_at_id_idx").on("api_keys").columns(["created_at", "id"]).execute();
      await db.schema.createIndex("api_keys_environment_id_created_at_id_idx").on("api_keys").columns(["environment_id", "created_at", "id"]).execute();

      await db.schema
        .createTable("meta")
        .addColumn("key", "text", ordered)
        .addColumn("value", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("meta_pkey", ["key"])
        .execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ["meta", "api_keys", "connectors", "integrations", "clusters", "environments"]) {
        await db.schema.dropTable(table).execute();
      }
    },
  };
}
