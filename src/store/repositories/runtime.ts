/**
 * The runtime's shared state: leases, per-connector runtime state, runtime
 * requests and last-read secret versions. The owner's writes are fenced: each
 * carries its lease's token and lands only while nobody took the lease over.
 */
import { sql, type Kysely, type RawBuilder } from "kysely";
import type { Database, StoreDialect } from "../schema.js";
import type { Fence, HeldFailure, LeaseRepository, RuntimeAction, RuntimeRequestRepository, RuntimeStateRepository, SecretVersionRepository, SeenVersion } from "../store.js";
import { write } from "./write.js";
import type { RestartCause } from "../../domain/audit.js";

/** Now in milliseconds since the epoch: the database's clock on PostgreSQL (replicas' clocks need not agree), the process's on SQLite (one process). */
function nowMs(dialect: StoreDialect): RawBuilder<number> {
  return dialect === "postgres" ? sql<number>`(extract(epoch from clock_timestamp()) * 1000)::bigint` : sql<number>`${Date.now()}`;
}

function fenceHolds(fence: Fence): RawBuilder<boolean> {
  return sql<boolean>`exists (select 1 from cluster_leases where cluster_id = ${fence.clusterId} and holder = ${fence.holder} and token = ${fence.token})`;
}

export function leaseRepository(db: Kysely<Database>, dialect: StoreDialect): LeaseRepository {
  return {
    async acquire(clusterId, holder, ttlMs) {
      const now = nowMs(dialect);
      const result = await write(() => sql<{ token: string | number }>`
        insert into cluster_leases (cluster_id, holder, token, expires_at)
        values (${clusterId}, ${holder}, 1, ${now} + cast(${Math.round(ttlMs)} as bigint))
        on conflict (cluster_id) do update set
          token = case when cluster_leases.holder = excluded.holder then cluster_leases.token else cluster_leases.token + 1 end,
          holder = excluded.holder,
          expires_at = excluded.expires_at
        where cluster_leases.holder = excluded.holder or cluster_leases.expires_at < ${now}
        returning token`.execute(db));
      const row = result.rows[0];
      return row === undefined ? null : Number(row.token);
    },

    async release(fence) {
      await write(() => db.updateTable("cluster_leases").set({ expires_at: 0 })
        .where("cluster_id", "=", fence.clusterId).where("holder", "=", fence.holder).where("token", "=", fence.token).execute());
    },

    async list() {
      const rows = await db.selectFrom("cluster_leases").selectAll().orderBy("cluster_id").execute();
      return rows.map((row) => ({ clusterId: row.cluster_id, holder: row.holder, token: Number(row.token), expiresAt: Number(row.expires_at) }));
    },
  };
}


export function runtimeStateRepository(db: Kysely<Database>): RuntimeStateRepository {
  return {
    async get(connectorId) {
      const row = await db.selectFrom("connector_runtime").selectAll().where("connector_id", "=", connectorId).executeTakeFirst();
      if (row === undefined) return undefined;
      return {
        connectorId: row.connector_id,
        seenVersions: row.seen_versions === null ? null : JSON.parse(row.seen_versions) as Record<string, SeenVersion>,
        heldFailure: row.held_failure === null ? null : JSON.parse(row.held_failure) as HeldFailure,
      };
    },

    async put(state, fence, updatedAt) {
      const seen = state.seenVersions === null ? null : JSON.stringify(state.seenVersions);
      const held = state.heldFailure === null ? null : JSON.stringify(state.heldFailure);
      const result = await write(() => sql<{ connector_id: string }>`
        insert into connector_runtime (connector_id, seen_versions, held_failure, updated_at)
        select ${state.connectorId}, ${seen}, ${held}, ${updatedAt}
        where ${fenceHolds(fence)} and exists (select 1 from connectors where id = ${state.connectorId})
        on conflict (connector_id) do update set seen_versions = excluded.seen_versions, held_failure = excluded.held_failure, updated_at = excluded.updated_at
        returning connector_id`.execute(db));
      return result.rows.length > 0;
    },
  };
}

export function runtimeRequestRepository(db: Kysely<Database>): RuntimeRequestRepository {
  return {
    async enqueue(request) {
      const row = await write(() => db.insertInto("runtime_requests").values({
        cluster_id: request.clusterId,
        connector_id: request.connectorId,
        connector_name: request.connectorName,
        action: request.action,
        requested_at: request.requestedAt,
        ...(request.secretVersions === undefined ? {} : { secret_versions: JSON.stringify(request.secretVersions) }),
        cause: request.cause ?? null,
      }).returning("id").executeTakeFirstOrThrow());
      return Number(row.id);
    },

    async listByClusters(clusterIds) {
      if (clusterIds.length === 0) return [];
      const rows = await db.selectFrom("runtime_requests").selectAll().where("cluster_id", "in", [...clusterIds]).orderBy("id").execute();
      return rows.map((row) => ({
        id: Number(row.id),
        clusterId: row.cluster_id,
        connectorId: row.connector_id,
        connectorName: row.connector_name,
        action: row.action as RuntimeAction,
        requestedAt: row.requested_at,
        ...(row.secret_versions === null || row.secret_versions === undefined ? {} : { secretVersions: JSON.parse(row.secret_versions) as Record<string, string> }),
        cause: row.cause as RestartCause | null,
      }));
    },

    async complete(ids, fence) {
      if (ids.length === 0) return true;
      if (!(await db.selectNoFrom(fenceHolds(fence).as("holds")).executeTakeFirst())?.holds) return false;
      await write(() => db.deleteFrom("runtime_requests").where("id", "in", [...ids]).execute());
      return true;
    },
  };
}

export function secretVersionRepository(db: Kysely<Database>): SecretVersionRepository {
  return {
    async get(refs) {
      if (refs.length === 0) return new Map();
      const rows = await db.selectFrom("secret_versions").select(["secret_ref", "version"]).where("secret_ref", "in", [...new Set(refs)]).execute();
      return new Map(rows.map((row) => [row.secret_ref, row.version]));
    },

    async record(entries, seenAt) {
      const unique = new Map(entries.map((e) => [e.ref, e.version]));
      if (unique.size === 0) return;
      await write(() => db.insertInto("secret_versions")
        .values([...unique].map(([ref, version]) => ({ secret_ref: ref, version, seen_at: seenAt })))
        .onConflict((oc) => oc.column("secret_ref").doUpdateSet((eb) => ({ version: eb.ref("excluded.version"), seen_at: eb.ref("excluded.seen_at") })))
        .execute());
    },
  };
}
