/**
 * The runtime's state that must outlive a process and be shared by replicas:
 * per-Kafka-cluster leases (which replica does a cluster's background work,
 * with a fencing token), per-connector runtime state (the secret versions it
 * was last started with, a held validation failure), durable runtime requests
 * (deploy, restart, remove, handed from the replica that served the API call
 * to the lease owner), and the last secret version any replica read, per
 * vault secret. Versions and timestamps only: never a value.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from "kysely";
import type { StoreDialect } from "../schema.js";

export function runtimeStateMigration(dialect: StoreDialect): Migration {
  const ordered = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col).notNull();
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("cluster_leases")
        .addColumn("cluster_id", "text", ordered)
        .addColumn("holder", "text", (col) => col.notNull())
        .addColumn("token", "bigint", (col) => col.notNull())
        // Milliseconds since the epoch, by the database's clock on PostgreSQL.
        .addColumn("expires_at", "bigint", (col) => col.notNull())
        .addPrimaryKeyConstraint("cluster_leases_pkey", ["cluster_id"])
        .execute();
      await db.schema
        .createTable("connector_runtime")
        .addColumn("connector_id", "text", ordered)
        // JSON: { key: { version, seenAt } }, or null before the first start.
        .addColumn("seen_versions", "text")
        // JSON: { generation, status, attempts, nextAt }, or null.
        .addColumn("held_failure", "text")
        .addColumn("updated_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("connector_runtime_pkey", ["connector_id"])
        .addForeignKeyConstraint("connector_runtime_connector_id_fkey", ["connector_id"], "connectors", ["id"], (fk) => fk.onDelete("cascade"))
        .execute();
      await db.schema
        .createTable("runtime_requests")
        .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (col) => (dialect === "postgres" ? col.primaryKey() : col.primaryKey().autoIncrement()))
        .addColumn("cluster_id", "text", ordered)
        .addColumn("connector_id", "text", ordered)
        .addColumn("connector_name", "text", (col) => col.notNull())
        .addColumn("action", "text", (col) => col.notNull())
        .addColumn("requested_at", "text", (col) => col.notNull())
        .execute();
      await db.schema.createIndex("runtime_requests_cluster_id_idx").on("runtime_requests").columns(["cluster_id", "id"]).execute();
      await db.schema
        .createTable("secret_versions")
        .addColumn("secret_ref", "text", ordered)
        .addColumn("version", "text", (col) => col.notNull())
        .addColumn("seen_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("secret_versions_pkey", ["secret_ref"])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      for (const table of ["secret_versions", "runtime_requests", "connector_runtime", "cluster_leases"]) await db.schema.dropTable(table).execute();
    },
  };
}
