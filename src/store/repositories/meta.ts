import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { MetaRepository } from "../store.js";
import { write } from "./write.js";

export function metaRepository(db: Kysely<Database>): MetaRepository {
  async function get(key: string): Promise<string | undefined> {
    const row = await db.selectFrom("meta").select("value").where("key", "=", key).executeTakeFirst();
    return row?.value;
  }
  return {
    get,

    /** INSERT … ON CONFLICT DO NOTHING, then read: concurrent callers all get the one value that won. */
    async setIfAbsent(key, value) {
      await write(() => db.insertInto("meta").values({ key, value }).onConflict((oc) => oc.column("key").doNothing()).execute());
      const stored = await get(key);
      if (stored === undefined) throw new Error(`the store's meta key "${key}" vanished while it was being set`);
      return stored;
    },

    async set(key, value) {
      await write(() => db.insertInto("meta").values({ key, value }).onConflict((oc) => oc.column("key").doUpdateSet({ value })).execute());
    },
  };
}
