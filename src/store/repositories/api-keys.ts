import type { Kysely, Selectable } from "kysely";
import type { ApiKeyResource } from "../../domain/identity.js";
import { readPageRequest, toPage } from "../../domain/page-token.js";
import type { ApiKey } from "../../domain/resources.js";
import { CorruptRowError, decodeResource, encodeResource, encodeScope } from "../json-columns.js";
import type { ApiKeysTable, Database } from "../schema.js";
import type { ApiKeyRepository } from "../store.js";
import { toCount, write } from "./write.js";

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  if (row.owner_id === null || row.updated_at === null) throw new CorruptRowError("owner_id", row.id);
  return {
    id: row.id,
    secretHash: row.secret_hash,
    ownerId: row.owner_id,
    resource: decodeResource(row.resource, row.id),
    displayName: row.display_name,
    description: row.description,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastUsedAt: row.last_used_at,
  };
}

function environmentOf(resource: ApiKeyResource): string | null {
  return resource.kind === "Cloud" ? null : resource.environmentId;
}

export function apiKeyRepository(db: Kysely<Database>): ApiKeyRepository {
  return {
    async insert(key) {
      await write(() =>
        db.insertInto("api_keys")
          .values({
            id: key.id,
            secret_hash: key.secretHash,
            // For an older vaultwire reading this row: the resource, with no more than reads.
            scope: encodeScope(key.resource.kind === "Cloud" ? { kind: "org" } : { kind: "environment", environmentId: key.resource.environmentId }, "Operator"),
            environment_id: environmentOf(key.resource),
            description: key.description,
            created_at: key.createdAt,
            last_used_at: key.lastUsedAt,
            owner_id: key.ownerId,
            display_name: key.displayName,
            resource: encodeResource(key.resource),
            updated_at: key.updatedAt,
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toApiKey(row);
    },

    async list(filter, page) {
      const { size, after } = readPageRequest(page ?? { pageSize: 100 });
      let query = db.selectFrom("api_keys").selectAll();
      if (filter?.ownerId !== undefined) query = query.where("owner_id", "=", filter.ownerId);
      if (filter?.resource !== undefined) query = query.where("resource", "=", encodeResource(filter.resource));
      if (filter?.environmentId !== undefined) query = query.where("environment_id", "=", filter.environmentId);
      if (after !== null) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), ">", eb.tuple(after.createdAt, after.id)));
      const rows = await query.orderBy("created_at").orderBy("id").limit(size + 1).execute();
      return toPage(rows.map(toApiKey), size);
    },

    async count() {
      const row = await db.selectFrom("api_keys").select((eb) => eb.fn.countAll<string | number | bigint>().as("count")).executeTakeFirst();
      return toCount(row?.count);
    },

    async touch(id, lastUsedAt) {
      await write(() => db.updateTable("api_keys").set({ last_used_at: lastUsedAt }).where("id", "=", id).execute());
    },

    async update(id, patch) {
      const row = await write(() =>
        db.updateTable("api_keys")
          .set({ display_name: patch.displayName, description: patch.description, updated_at: patch.updatedAt })
          .where("id", "=", id)
          .returningAll()
          .executeTakeFirst(),
      );
      return row === undefined ? undefined : toApiKey(row);
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("api_keys").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },
  };
}
