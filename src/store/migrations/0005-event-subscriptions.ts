/**
 * Event Grid push (decision 41): the webhooks Event Grid delivers a provider
 * integration's Key Vault events to, each with the SHA-256 hash of its token
 * (shown once, never stored); deleted with their integration. Runtime
 * requests gain the secret versions a pushed event named ("rotate"), so the
 * replica that receives an event hands it to each affected cluster's lease
 * owner through the store.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from "kysely";
import type { StoreDialect } from "../schema.js";

export function eventSubscriptionsMigration(dialect: StoreDialect): Migration {
  const ordered = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col).notNull();
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("event_subscriptions")
        .addColumn("id", "text", ordered)
        .addColumn("integration_id", "text", ordered)
        .addColumn("environment_id", "text", (col) => col.notNull())
        .addColumn("description", "text", (col) => col.notNull())
        .addColumn("delivery_schema", "text", (col) => col.notNull())
        .addColumn("token_hash", "text", (col) => col.notNull())
        .addColumn("created_at", "text", ordered)
        .addColumn("last_event_at", "text")
        .addPrimaryKeyConstraint("event_subscriptions_pkey", ["id"])
        .addForeignKeyConstraint("event_subscriptions_integration_id_fkey", ["integration_id"], "integrations", ["id"], (fk) => fk.onDelete("cascade"))
        .execute();
      await db.schema.createIndex("event_subscriptions_integration_id_created_at_idx").on("event_subscriptions").columns(["integration_id", "created_at", "id"]).execute();
      await db.schema.alterTable("runtime_requests").addColumn("secret_versions", "text").execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("runtime_requests").dropColumn("secret_versions").execute();
      await db.schema.dropTable("event_subscriptions").execute();
    },
  };
}
