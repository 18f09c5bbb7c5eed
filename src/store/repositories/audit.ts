/**
 * The audit trail: append-only events (a batch per insert, in order), the
 * last granted access per secret and integration (upserted with the batch,
 * in the same transaction) and pruning by age. Keyset paging on the id.
 */
import type { Kysely, Selectable } from "kysely";
import { decodeAuditPageToken, encodeAuditPageToken, type AuditEvent, type AuditEventType, type AuditRecord, type AuditRotationSource, type RestartCause, type SecretLastAccess } from "../../domain/audit.js";
import { clampPageSize, type Page } from "../../domain/page-token.js";
import { CorruptRowError } from "../json-columns.js";
import type { AuditEventsTable, Database } from "../schema.js";
import type { AuditRepository } from "../store.js";
import { write } from "./write.js";

function parseObject(text: string, column: string, id: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new CorruptRowError(column, id);
  }
  if (typeof parsed !== "object" || parsed === null) throw new CorruptRowError(column, id);
  return parsed as Record<string, unknown>;
}

function toEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  const id = String(row.id);
  const keys = parseObject(row.keys, "keys", `audit event ${id}`);
  if (!Array.isArray(keys)) throw new CorruptRowError("keys", `audit event ${id}`);
  return {
    id: Number(row.id),
    type: row.type as AuditEventType,
    at: row.at,
    environmentId: row.environment_id,
    clusterId: row.cluster_id,
    connectorId: row.connector_id,
    connectorName: row.connector_name,
    integrationId: row.integration_id,
    keys: keys as string[],
    versions: parseObject(row.versions, "versions", `audit event ${id}`) as Record<string, string>,
    previousVersions: parseObject(row.previous_versions, "previous_versions", `audit event ${id}`) as Record<string, string | null>,
    secrets: parseObject(row.secrets, "secrets", `audit event ${id}`) as Record<string, string>,
    outcome: row.outcome,
    reason: row.reason,
    workerCredentialId: row.worker_credential_id,
    workerName: row.worker_name,
    remoteAddress: row.remote_address,
    userAgent: row.user_agent,
    detectedBy: row.detected_by as AuditRotationSource | null,
    restartCause: row.restart_cause as RestartCause | null,
  };
}

function toRow(event: AuditRecord): Omit<AuditEventsTable, "id"> {
  return {
    at: event.at,
    type: event.type,
    environment_id: event.environmentId,
    cluster_id: event.clusterId,
    connector_id: event.connectorId,
    connector_name: event.connectorName,
    integration_id: event.integrationId,
    keys: JSON.stringify(event.keys),
    versions: JSON.stringify(event.versions),
    previous_versions: JSON.stringify(event.previousVersions),
    secrets: JSON.stringify(event.secrets),
    outcome: event.outcome,
    reason: event.reason,
    worker_credential_id: event.workerCredentialId,
    worker_name: event.workerName,
    remote_address: event.remoteAddress,
    user_agent: event.userAgent,
    detected_by: event.detectedBy,
    restart_cause: event.restartCause,
  };
}

export function auditRepository(db: Kysely<Database>): AuditRepository {
  return {
    async append(events) {
      if (events.length === 0) return;
      // One transaction (this store's own, or the caller's when these are a transaction's repositories).
      const inTransaction = <T>(work: (tx: Kysely<Database>) => Promise<T>): Promise<T> => (db.isTransaction ? work(db) : db.transaction().execute(work));
      await write(() => inTransaction(async (tx) => {
        const ids = await tx.insertInto("audit_events").values(events.map(toRow)).returning("id").execute();
        // The last access of each secret in this batch (later events win).
        const last = new Map<string, Omit<SecretLastAccess, "eventId"> & { eventId: number }>();
        events.forEach((event, i) => {
          const id = ids[i]?.id;
          if (event.type !== "secret.access" || event.outcome !== "granted" || id === undefined) return;
          if (event.integrationId === null || event.environmentId === null || event.connectorId === null) return;
          for (const [key, secret] of Object.entries(event.secrets)) {
            last.set(`${event.integrationId}\n${secret}`, {
              integrationId: event.integrationId,
              secret,
              at: event.at,
              environmentId: event.environmentId,
              connectorId: event.connectorId,
              connectorName: event.connectorName ?? "",
              key,
              version: event.versions[key] ?? null,
              workerCredentialId: event.workerCredentialId,
              workerName: event.workerName,
              eventId: Number(id),
            });
          }
        });
        if (last.size === 0) return;
        await tx.insertInto("audit_last_access").values([...last.values()].map((a) => ({
          integration_id: a.integrationId,
          secret_ref: a.secret,
          at: a.at,
          environment_id: a.environmentId,
          connector_id: a.connectorId,
          connector_name: a.connectorName,
          config_key: a.key,
          version: a.version,
          worker_credential_id: a.workerCredentialId,
          worker_name: a.workerName,
          event_id: a.eventId,
        }))).onConflict((oc) => oc.columns(["integration_id", "secret_ref"]).doUpdateSet((eb) => ({
          at: eb.ref("excluded.at"),
          environment_id: eb.ref("excluded.environment_id"),
          connector_id: eb.ref("excluded.connector_id"),
          connector_name: eb.ref("excluded.connector_name"),
          config_key: eb.ref("excluded.config_key"),
          version: eb.ref("excluded.version"),
          worker_credential_id: eb.ref("excluded.worker_credential_id"),
          worker_name: eb.ref("excluded.worker_name"),
          event_id: eb.ref("excluded.event_id"),
        }))).execute();
      }));
    },

    async list(query, page): Promise<Page<AuditEvent>> {
      const size = clampPageSize(page.pageSize);
      const after = decodeAuditPageToken(page.pageToken);
      const ascending = page.order === "asc";
      if (query.environmentIds?.length === 0 || query.types?.length === 0) return { items: [], nextPageToken: null };
      let q = db.selectFrom("audit_events").selectAll();
      if (query.environmentIds !== undefined) q = q.where("environment_id", "in", [...query.environmentIds]);
      if (query.environmentId !== undefined) q = q.where("environment_id", "=", query.environmentId);
      if (query.clusterId !== undefined) q = q.where("cluster_id", "=", query.clusterId);
      const connector = query.connector;
      if (connector !== undefined) q = q.where((eb) => eb.or([eb("connector_id", "=", connector), eb("connector_name", "=", connector)]));
      if (query.integrationId !== undefined) q = q.where("integration_id", "=", query.integrationId);
      if (query.types !== undefined) q = q.where("type", "in", [...query.types]);
      if (query.since !== undefined) q = q.where("at", ">=", query.since);
      if (query.until !== undefined) q = q.where("at", "<", query.until);
      if (after !== null) q = q.where("id", ascending ? ">" : "<", after);
      const rows = await q.orderBy("id", ascending ? "asc" : "desc").limit(size + 1).execute();
      const items = rows.slice(0, size).map(toEvent);
      const last = items[items.length - 1];
      return { items, nextPageToken: rows.length > size && last !== undefined ? encodeAuditPageToken(last.id) : null };
    },

    async lastAccess(integrationId) {
      const rows = await db.selectFrom("audit_last_access").selectAll().where("integration_id", "=", integrationId).orderBy("at", "desc").orderBy("secret_ref").execute();
      return rows.map((row) => ({
        integrationId: row.integration_id,
        secret: row.secret_ref,
        at: row.at,
        environmentId: row.environment_id,
        connectorId: row.connector_id,
        connectorName: row.connector_name,
        key: row.config_key,
        version: row.version,
        workerCredentialId: row.worker_credential_id,
        workerName: row.worker_name,
        eventId: Number(row.event_id),
      }));
    },

    async prune(before) {
      const result = await write(() => db.deleteFrom("audit_events").where("at", "<", before).executeTakeFirst());
      await write(() => db.deleteFrom("audit_last_access").where("at", "<", before).execute());
      return Number(result.numDeletedRows);
    },
  };
}
