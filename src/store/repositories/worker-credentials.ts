import type { Kysely, Selectable } from "kysely";
import type { WorkerCredential } from "../../domain/resources.js";
import type { Database, WorkerCredentialsTable } from "../schema.js";
import type { WorkerCredentialRepository } from "../store.js";
import { write } from "./write.js";

function toCredential(row: Selectable<WorkerCredentialsTable>): WorkerCredential {
  return {
    id: row.id,
    clusterId: row.cluster_id,
    secretHash: row.secret_hash,
    description: row.description,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

export function workerCredentialRepository(db: Kysely<Database>): WorkerCredentialRepository {
  return {
    async insert(credential) {
      await write(() =>
        db.insertInto("worker_credentials")
          .values({
            id: credential.id,
            cluster_id: credential.clusterId,
            secret_hash: credential.secretHash,
            description: credential.description,
            created_at: credential.createdAt,
            last_used_at: credential.lastUsedAt,
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("worker_credentials").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toCredential(row);
    },

    async listByCluster(clusterId) {
      const rows = await db.selectFrom("worker_credentials").selectAll().where("cluster_id", "=", clusterId).orderBy("created_at").orderBy("id").execute();
      return rows.map(toCredential);
    },

    async touch(id, lastUsedAt) {
      await write(() => db.updateTable("worker_credentials").set({ last_used_at: lastUsedAt }).where("id", "=", id).execute());
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("worker_credentials").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },
  };
}
