import { sql, type Kysely } from "kysely";
import type { ConnectorOffset, OffsetRequestPhase, OffsetRequestType } from "../../domain/resources.js";
import type { Database } from "../schema.js";
import type { ConnectorOffsetRequestRepository } from "../store.js";
import { write } from "./write.js";

export function offsetRequestRepository(db: Kysely<Database>): ConnectorOffsetRequestRepository {
  return {
    async get(connectorId) {
      const row = await db.selectFrom("connector_offset_requests").selectAll().where("connector_id", "=", connectorId).executeTakeFirst();
      if (!row) return undefined;
      return {
        connectorId: row.connector_id,
        type: row.type as OffsetRequestType,
        offsets: JSON.parse(row.offsets) as ConnectorOffset[],
        requestedAt: row.requested_at,
        phase: row.phase as OffsetRequestPhase,
        message: row.message,
        previousOffsets: row.previous_offsets === null ? null : JSON.parse(row.previous_offsets) as ConnectorOffset[],
        appliedAt: row.applied_at,
      };
    },

    async start(request, staleBefore) {
      const values = {
        connector_id: request.connectorId,
        type: request.type,
        offsets: JSON.stringify(request.offsets),
        requested_at: request.requestedAt,
        phase: request.phase,
        message: request.message,
        previous_offsets: request.previousOffsets === null ? null : JSON.stringify(request.previousOffsets),
        applied_at: request.appliedAt,
      };
      // One statement, so two replicas cannot both start a request: the row is replaced only when the previous one is done (or stale).
      const result = await write(() => sql<{ connector_id: string }>`
        insert into connector_offset_requests (connector_id, type, offsets, requested_at, phase, message, previous_offsets, applied_at)
        select ${values.connector_id}, ${values.type}, ${values.offsets}, ${values.requested_at}, ${values.phase}, ${values.message}, ${values.previous_offsets}, ${values.applied_at}
        where exists (select 1 from connectors where id = ${values.connector_id})
        on conflict (connector_id) do update set type = excluded.type, offsets = excluded.offsets, requested_at = excluded.requested_at,
          phase = excluded.phase, message = excluded.message, previous_offsets = excluded.previous_offsets, applied_at = excluded.applied_at
        where connector_offset_requests.phase <> 'PENDING' or connector_offset_requests.requested_at < ${staleBefore}
        returning connector_id`.execute(db));
      return result.rows.length > 0;
    },

    async observed(connectorId) {
      const row = await db.selectFrom("connector_offsets").selectAll().where("connector_id", "=", connectorId).executeTakeFirst();
      return row ? { offsets: JSON.parse(row.offsets) as ConnectorOffset[], observedAt: row.observed_at } : undefined;
    },

    async recordObserved(connectorId, offsets, observedAt) {
      const text = JSON.stringify(offsets);
      await write(() => sql`
        insert into connector_offsets (connector_id, offsets, observed_at)
        select ${connectorId}, ${text}, ${observedAt}
        where exists (select 1 from connectors where id = ${connectorId})
        on conflict (connector_id) do update set offsets = excluded.offsets, observed_at = excluded.observed_at
        where connector_offsets.observed_at <= excluded.observed_at`.execute(db));
    },

    async finish(connectorId, requestedAt, outcome) {
      await write(() => db.updateTable("connector_offset_requests").set({
        phase: outcome.phase,
        message: outcome.message,
        previous_offsets: outcome.previousOffsets === null ? null : JSON.stringify(outcome.previousOffsets),
        applied_at: outcome.appliedAt,
      }).where("connector_id", "=", connectorId).where("requested_at", "=", requestedAt).execute());
    },
  };
}
