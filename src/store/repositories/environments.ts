import type { Kysely, Selectable } from "kysely";
import type { Environment } from "../../domain/resources.js";
import { readPageRequest, toPage } from "../../domain/page-token.js";
import type { Database, EnvironmentsTable } from "../schema.js";
import type { EnvironmentRepository, Page } from "../store.js";
import { write } from "./write.js";

function toEnvironment(row: Selectable<EnvironmentsTable>): Environment {
  return { id: row.id, displayName: row.display_name, createdAt: row.created_at, updatedAt: row.updated_at };
}

export function environmentRepository(db: Kysely<Database>): EnvironmentRepository {
  return {
    async insert(environment) {
      await write(() =>
        db.insertInto("environments")
          .values({ id: environment.id, display_name: environment.displayName, created_at: environment.createdAt, updated_at: environment.updatedAt })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("environments").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toEnvironment(row);
    },

    async list(page, filter): Promise<Page<Environment>> {
      const { size, after } = readPageRequest(page);
      if (filter?.ids?.length === 0) return { items: [], nextPageToken: null };
      let query = db.selectFrom("environments").selectAll();
      if (filter?.ids !== undefined) query = query.where("id", "in", [...filter.ids]);
      if (after !== null) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), ">", eb.tuple(after.createdAt, after.id)));
      const rows = await query.orderBy("created_at").orderBy("id").limit(size + 1).execute();
      return toPage(rows.map(toEnvironment), size);
    },

    async update(id, patch) {
      const row = await write(() =>
        db.updateTable("environments")
          .set({ display_name: patch.displayName, updated_at: patch.updatedAt })
          .where("id", "=", id)
          .returningAll()
          .executeTakeFirst(),
      );
      return row === undefined ? undefined : toEnvironment(row);
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("environments").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },
  };
}
