import type { Kysely, Selectable } from "kysely";
import type { Connector, DesiredConnectorState } from "../../domain/resources.js";
import { decodeConfig, decodeStatus, encodeConfig, encodeStatus } from "../json-columns.js";
import type { ConnectorsTable, Database } from "../schema.js";
import type { ConnectorRepository } from "../store.js";
import { toCount, write } from "./write.js";

function toConnector(row: Selectable<ConnectorsTable>): Connector {
  return {
    id: row.id,
    environmentId: row.environment_id,
    clusterId: row.cluster_id,
    name: row.name,
    plugin: row.plugin,
    config: decodeConfig(row.config, row.id),
    sensitiveCiphertext: row.sensitive_ciphertext,
    integrationId: row.integration_id,
    desiredState: row.desired_state as DesiredConnectorState,
    status: decodeStatus(row.status, row.id),
    generation: row.generation,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function connectorRepository(db: Kysely<Database>): ConnectorRepository {
  return {
    async insert(connector) {
      await write(() =>
        db.insertInto("connectors")
          .values({
            id: connector.id,
            environment_id: connector.environmentId,
            cluster_id: connector.clusterId,
            name: connector.name,
            plugin: connector.plugin,
            config: encodeConfig(connector.config),
            sensitive_ciphertext: connector.sensitiveCiphertext,
            integration_id: connector.integrationId,
            desired_state: connector.desiredState,
            status: encodeStatus(connector.status),
            generation: connector.generation,
            created_at: connector.createdAt,
            updated_at: connector.updatedAt,
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("connectors").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toConnector(row);
    },

    async getByName(clusterId, name) {
      const row = await db.selectFrom("connectors").selectAll().where("cluster_id", "=", clusterId).where("name", "=", name).executeTakeFirst();
      return row === undefined ? undefined : toConnector(row);
    },

    async listByCluster(clusterId) {
      const rows = await db.selectFrom("connectors").selectAll().where("cluster_id", "=", clusterId).orderBy("name").orderBy("id").execute();
      return rows.map(toConnector);
    },

    async listByIntegration(integrationId) {
      const rows = await db.selectFrom("connectors").selectAll().where("integration_id", "=", integrationId).orderBy("id").execute();
      return rows.map(toConnector);
    },

    async listAll() {
      const rows = await db.selectFrom("connectors").selectAll().orderBy("id").execute();
      return rows.map(toConnector);
    },

    async countByCluster(clusterId) {
      const row = await db.selectFrom("connectors").select((eb) => eb.fn.countAll<string | number | bigint>().as("count")).where("cluster_id", "=", clusterId).executeTakeFirst();
      return toCount(row?.count);
    },

    /** One conditional UPDATE: the generation check and the increment are atomic on both dialects. */
    async updateSpec(id, expectedGeneration, spec) {
      const row = await write(() =>
        db.updateTable("connectors")
          .set((eb) => ({
            plugin: spec.plugin,
            config: encodeConfig(spec.config),
            sensitive_ciphertext: spec.sensitiveCiphertext,
            integration_id: spec.integrationId,
            desired_state: spec.desiredState,
            updated_at: spec.updatedAt,
            generation: eb("generation", "+", 1),
          }))
          .where("id", "=", id)
          .where("generation", "=", expectedGeneration)
          .returningAll()
          .executeTakeFirst(),
      );
      return row === undefined ? undefined : toConnector(row);
    },

    async updateStatus(id, status) {
      await write(() => db.updateTable("connectors").set({ status: encodeStatus(status) }).where("id", "=", id).execute());
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("connectors").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },
  };
}
