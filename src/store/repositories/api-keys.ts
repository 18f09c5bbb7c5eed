import type { Kysely, Selectable } from "kysely";
import type { ApiKey } from "../../domain/resources.js";
import { decodeScope, encodeScope } from "../json-columns.js";
import type { ApiKeysTable, Database } from "../schema.js";
import type { ApiKeyRepository } from "../store.js";
import { toCount, write } from "./write.js";

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  const { scope, role } = decodeScope(row.scope, row.id);
  return {
    id: row.id,
    secretHash: row.secret_hash,
    scope,
    role,
    description: row.description,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export function apiKeyRepository(db: Kysely<Database>): ApiKeyRepository {
  return {
    async insert(key) {
      await write(() =>
        db.insertInto("api_keys")
          .values({
            id: key.id,
            secret_hash: key.secretHash,
            scope: encodeScope(key.scope, key.role),
            environment_id: key.scope.kind === "environment" ? key.scope.environmentId : null,
            description: key.description,
            created_at: key.createdAt,
            last_used_at: key.lastUsedAt,
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toApiKey(row);
    },

    async list(filter) {
      let query = db.selectFrom("api_keys").selectAll();
      if (filter?.environmentId !== undefined) query = query.where("environment_id", "=", filter.environmentId);
      const rows = await query.orderBy("created_at").orderBy("id").execute();
      return rows.map(toApiKey);
    },

    async count() {
      const row = await db.selectFrom("api_keys").select((eb) => eb.fn.countAll<string | number | bigint>().as("count")).executeTakeFirst();
      return toCount(row?.count);
    },

    async touch(id, lastUsedAt) {
      await write(() => db.updateTable("api_keys").set({ last_used_at: lastUsedAt }).where("id", "=", id).execute());
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("api_keys").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },
  };
}
