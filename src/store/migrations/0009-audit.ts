/**
 * The audit trail (decision 42): one row per secret access by a worker
 * (granted, failed or refused), rotation detected and connector restart, with
 * keys, versions and secret references — never a value. No foreign keys: the
 * trail outlives the connectors and clusters it names, until retention prunes
 * it. Beside it, the last granted access per secret and integration (upserted
 * with each batch), and the cause of a runtime request's restart (a rotation,
 * or someone's request), so the replica that performs it records why.
 */
import type { Kysely, Migration } from "kysely";
import type { StoreDialect } from "../schema.js";

export function auditMigration(dialect: StoreDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("audit_events")
        .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (col) => (dialect === "postgres" ? col.primaryKey() : col.primaryKey().autoIncrement()))
        .addColumn("at", "text", (col) => col.notNull())
        .addColumn("type", "text", (col) => col.notNull())
        .addColumn("environment_id", "text")
        .addColumn("cluster_id", "text")
        .addColumn("connector_id", "text")
        .addColumn("connector_name", "text")
        .addColumn("integration_id", "text")
        // JSON: the keys (array), versions and secret references (objects by key).
        .addColumn("keys", "text", (col) => col.notNull())
        .addColumn("versions", "text", (col) => col.notNull())
        .addColumn("previous_versions", "text", (col) => col.notNull())
        .addColumn("secrets", "text", (col) => col.notNull())
        .addColumn("outcome", "text", (col) => col.notNull())
        .addColumn("reason", "text")
        .addColumn("worker_credential_id", "text")
        .addColumn("worker_name", "text")
        .addColumn("remote_address", "text")
        .addColumn("user_agent", "text")
        .addColumn("detected_by", "text")
        .addColumn("restart_cause", "text")
        .execute();
      await db.schema.createIndex("audit_events_at_idx").on("audit_events").column("at").execute();
      await db.schema.createIndex("audit_events_connector_idx").on("audit_events").columns(["connector_id", "id"]).execute();
      await db.schema.createIndex("audit_events_environment_idx").on("audit_events").columns(["environment_id", "id"]).execute();
      await db.schema
        .createTable("audit_last_access")
        .addColumn("integration_id", "text", (col) => col.notNull())
        .addColumn("secret_ref", "text", (col) => col.notNull())
        .addColumn("at", "text", (col) => col.notNull())
        .addColumn("environment_id", "text", (col) => col.notNull())
        .addColumn("connector_id", "text", (col) => col.notNull())
        .addColumn("connector_name", "text", (col) => col.notNull())
        .addColumn("config_key", "text", (col) => col.notNull())
        .addColumn("version", "text")
        .addColumn("worker_credential_id", "text")
        .addColumn("worker_name", "text")
        .addColumn("event_id", "bigint", (col) => col.notNull())
        .addPrimaryKeyConstraint("audit_last_access_pkey", ["integration_id", "secret_ref"])
        .execute();
      await db.schema.alterTable("runtime_requests").addColumn("cause", "text").execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable("runtime_requests").dropColumn("cause").execute();
      for (const table of ["audit_last_access", "audit_events"]) await db.schema.dropTable(table).execute();
    },
  };
}
