import type { Kysely, Selectable } from "kysely";
import type { IntegrationProvider, ProviderIntegration, StoredIntegrationStatus } from "../../domain/resources.js";
import { decodeIntegrationConfig, encodeIntegrationConfig } from "../json-columns.js";
import { readPageRequest, toPage } from "../../domain/page-token.js";
import type { Database, IntegrationsTable } from "../schema.js";
import type { IntegrationRepository } from "../store.js";
import { toCount, write } from "./write.js";

function toIntegration(row: Selectable<IntegrationsTable>): ProviderIntegration {
  return {
    id: row.id,
    environmentId: row.environment_id,
    displayName: row.display_name,
    provider: row.provider as IntegrationProvider,
    status: row.status as StoredIntegrationStatus,
    config: decodeIntegrationConfig(row.config, row.id),
    credentialCiphertext: row.credential_ciphertext,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function integrationRepository(db: Kysely<Database>): IntegrationRepository {
  return {
    async insert(integration) {
      await write(() =>
        db.insertInto("integrations")
          .values({
            id: integration.id,
            environment_id: integration.environmentId,
            display_name: integration.displayName,
            provider: integration.provider,
            status: integration.status,
            config: encodeIntegrationConfig(integration.config),
            credential_ciphertext: integration.credentialCiphertext,
            created_at: integration.createdAt,
            updated_at: integration.updatedAt,
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("integrations").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toIntegration(row);
    },

    /** Filters are exact matches; an empty `statuses` list matches nothing. */
    async list(filter, page) {
      const { size, after } = readPageRequest(page);
      if (filter.statuses?.length === 0) return { items: [], nextPageToken: null };
      let query = db.selectFrom("integrations").selectAll().where("environment_id", "=", filter.environmentId);
      if (filter.provider !== undefined) query = query.where("provider", "=", filter.provider);
      if (filter.displayName !== undefined) query = query.where("display_name", "=", filter.displayName);
      if (filter.statuses !== undefined) query = query.where("status", "in", [...filter.statuses]);
      if (after !== null) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), ">", eb.tuple(after.createdAt, after.id)));
      const rows = await query.orderBy("created_at").orderBy("id").limit(size + 1).execute();
      return toPage(rows.map(toIntegration), size);
    },

    async update(id, patch) {
      const row = await write(() =>
        db.updateTable("integrations")
          .set({
            config: encodeIntegrationConfig(patch.config),
            credential_ciphertext: patch.credentialCiphertext,
            status: patch.status,
            updated_at: patch.updatedAt,
          })
          .where("id", "=", id)
          .returningAll()
          .executeTakeFirst(),
      );
      return row === undefined ? undefined : toIntegration(row);
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("integrations").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },

    async countByEnvironment(environmentId) {
      const row = await db.selectFrom("integrations").select((eb) => eb.fn.countAll<string | number | bigint>().as("count")).where("environment_id", "=", environmentId).executeTakeFirst();
      return toCount(row?.count);
    },
  };
}
