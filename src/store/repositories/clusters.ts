import type { Kysely, Selectable } from "kysely";
import type { Availability, KafkaCluster } from "../../domain/resources.js";
import type { Cloud, ClusterType, Networking } from "../../domain/region-policy.js";
import { decodeStringList, encodeStringList } from "../json-columns.js";
import { readPageRequest, toPage } from "../../domain/page-token.js";
import type { ClustersTable, Database } from "../schema.js";
import type { ClusterRepository } from "../store.js";
import { toCount, write } from "./write.js";

function toCluster(row: Selectable<ClustersTable>): KafkaCluster {
  return {
    id: row.id,
    environmentId: row.environment_id,
    displayName: row.display_name,
    cloud: row.cloud as Cloud,
    region: row.region,
    availability: row.availability as Availability,
    type: row.cluster_type as ClusterType,
    cku: row.cku,
    networking: row.networking as Networking,
    bootstrapServers: row.bootstrap_servers,
    connectUrls: decodeStringList(row.connect_urls, "connect URLs", row.id),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Every column but the id and the creation time. */
function columns(cluster: KafkaCluster): Omit<ClustersTable, "id" | "created_at"> {
  return {
    environment_id: cluster.environmentId,
    display_name: cluster.displayName,
    cloud: cluster.cloud,
    region: cluster.region,
    availability: cluster.availability,
    cluster_type: cluster.type,
    cku: cluster.cku,
    networking: cluster.networking,
    bootstrap_servers: cluster.bootstrapServers,
    connect_urls: encodeStringList(cluster.connectUrls),
    updated_at: cluster.updatedAt,
  };
}

export function clusterRepository(db: Kysely<Database>): ClusterRepository {
  return {
    async insert(cluster) {
      await write(() => db.insertInto("clusters").values({ id: cluster.id, ...columns(cluster), created_at: cluster.createdAt }).execute());
    },

    async get(id) {
      const row = await db.selectFrom("clusters").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toCluster(row);
    },

    async list(environmentId, page) {
      const { size, after } = readPageRequest(page);
      let query = db.selectFrom("clusters").selectAll().where("environment_id", "=", environmentId);
      if (after !== null) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), ">", eb.tuple(after.createdAt, after.id)));
      const rows = await query.orderBy("created_at").orderBy("id").limit(size + 1).execute();
      return toPage(rows.map(toCluster), size);
    },

    async listAll() {
      const rows = await db.selectFrom("clusters").selectAll().orderBy("id").execute();
      return rows.map(toCluster);
    },

    /** Writes every field but the id and the creation time. */
    async update(cluster) {
      await write(() => db.updateTable("clusters").set(columns(cluster)).where("id", "=", cluster.id).execute());
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("clusters").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },

    async countByEnvironment(environmentId) {
      const row = await db.selectFrom("clusters").select((eb) => eb.fn.countAll<string | number | bigint>().as("count")).where("environment_id", "=", environmentId).executeTakeFirst();
      return toCount(row?.count);
    },
  };
}
