/**
 * Worker credentials: what a Kafka Connect worker presents to fetch its
 * cluster's secrets. Stored as a SHA-256 hash of the secret; a revoked
 * credential is deleted, as is every credential of a deleted cluster.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from "kysely";
import type { StoreDialect } from "../schema.js";

export function workerCredentialsMigration(dialect: StoreDialect): Migration {
  const ordered = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col).notNull();
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("worker_credentials")
        .addColumn("id", "text", ordered)
        .addColumn("cluster_id", "text", ordered)
        .addColumn("secret_hash", "text", (col) => col.notNull())
        .addColumn("description", "text", (col) => col.notNull())
        .addColumn("created_at", "text", ordered)
        .addColumn("last_used_at", "text")
        .addPrimaryKeyConstraint("worker_credentials_pkey", ["id"])
        .addForeignKeyConstraint("worker_credentials_cluster_id_fkey", ["cluster_id"], "clusters", ["id"], (fk) => fk.onDelete("cascade"))
        .execute();
      await db.schema.createIndex("worker_credentials_cluster_id_created_at_idx").on("worker_credentials").columns(["cluster_id", "created_at", "id"]).execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("worker_credentials").execute();
    },
  };
}
