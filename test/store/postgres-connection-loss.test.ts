// PostgreSQL ending a connection vaultwire holds (a restart, a failover,
// pg_terminate_backend) must fail the work that used it, never the process:
// the pool listens for errors only on idle clients, and a checked-out client
// that emits 'error' with no listener is an uncaught exception (seen as a
// replica exiting during the high-availability test's PostgreSQL restart).
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/index.js";
import { storeTargets, type TestDatabase } from "./harness.js";

const postgres = storeTargets().find((t) => t.name === "postgres");

describe.skipIf(postgres === undefined)("a PostgreSQL connection ended while checked out", () => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await (postgres ?? (() => { throw new Error("no PostgreSQL"); })()).createDatabase();
    store = await openStore(database.options);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it("fails the transaction that held it, and the store keeps working", async () => {
    const admin = new pg.Client({ connectionString: database.options.databaseUrl });
    await admin.connect();
    try {
      const work = store.transaction(async (tx) => {
        await tx.meta.setIfAbsent("connection-loss", "first");
        // Between two queries: the client is checked out, with no query running.
        const { rows } = await admin.query<{ pid: number }>("select pid from pg_stat_activity where datname = current_database() and state = 'idle in transaction' and pid <> pg_backend_pid()");
        for (const { pid } of rows) await admin.query("select pg_terminate_backend($1)", [pid]);
        await sleep(300);
        await tx.meta.get("connection-loss");
      });
      await expect(work).rejects.toThrow();
      expect(await store.meta.setIfAbsent("after-loss", "ok")).toBe("ok");
      expect(await store.ping()).toBe(true);
    } finally {
      await admin.end();
    }
  });
});
