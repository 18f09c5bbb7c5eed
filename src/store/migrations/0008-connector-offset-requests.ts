/**
 * The last offsets request of each connector (Confluent's
 * `…/offsets/request` and `…/offsets/request/status`), shared by replicas so
 * any of them answers the status: the request, its phase, Connect's message
 * and the offsets before the change. Partitions and positions only.
 */
import { sql, type ColumnDefinitionBuilder, type Kysely, type Migration } from "kysely";
import type { StoreDialect } from "../schema.js";

export function connectorOffsetRequestsMigration(dialect: StoreDialect): Migration {
  const ordered = (col: ColumnDefinitionBuilder): ColumnDefinitionBuilder =>
    (dialect === "postgres" ? col.modifyFront(sql`collate "C"`) : col).notNull();
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable("connector_offset_requests")
        .addColumn("connector_id", "text", ordered)
        .addColumn("type", "text", (col) => col.notNull())
        .addColumn("offsets", "text", (col) => col.notNull())
        .addColumn("requested_at", "text", (col) => col.notNull())
        .addColumn("phase", "text", (col) => col.notNull())
        .addColumn("message", "text")
        .addColumn("previous_offsets", "text")
        .addColumn("applied_at", "text")
        .addPrimaryKeyConstraint("connector_offset_requests_pkey", ["connector_id"])
        .addForeignKeyConstraint("connector_offset_requests_connector_id_fkey", ["connector_id"], "connectors", ["id"], (fk) => fk.onDelete("cascade"))
        .execute();
      await db.schema
        .createTable("connector_offsets")
        .addColumn("connector_id", "text", ordered)
        .addColumn("offsets", "text", (col) => col.notNull())
        .addColumn("observed_at", "text", (col) => col.notNull())
        .addPrimaryKeyConstraint("connector_offsets_pkey", ["connector_id"])
        .addForeignKeyConstraint("connector_offsets_connector_id_fkey", ["connector_id"], "connectors", ["id"], (fk) => fk.onDelete("cascade"))
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable("connector_offsets").execute();
      await db.schema.dropTable("connector_offset_requests").execute();
    },
  };
}
