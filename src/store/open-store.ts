/**
 * Opens the store: PostgreSQL when `databaseUrl` is a postgres:// URL,
 * otherwise SQLite in `<dataDir>/vaultwire.db`; then brings the schema to the
 * latest migration. Failures to open are one-line StoreOpenErrors that name
 * the database or directory and never a password.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { join, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import {
  Kysely,
  Migrator,
  PostgresDialect,
  sql,
  SqliteDialect,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryCompiler,
  type TransactionSettings,
} from "kysely";
import pg from "pg";
import { connectFailureReason, readDatabaseUrl } from "./database-url.js";
import { StoreOpenError } from "./errors.js";
import { migrationProvider } from "./migrations/migrations.js";
import { createRepositories } from "./repositories/repositories.js";
import { MIGRATION_LOCK_TABLE, MIGRATION_TABLE, type Database, type StoreDialect } from "./schema.js";
import type { Repositories, Store, StoreOptions } from "./store.js";

/** Where SQLite lives when `dataDir` is not given (the server's default too; the emulator uses `.vaultwire/azure-emulator`). */
export const DEFAULT_DATA_DIR = ".vaultwire/data";
export const SQLITE_FILE_NAME = "vaultwire.db";
/** How long SQLite waits for another connection's write lock before SQLITE_BUSY. */
const SQLITE_BUSY_TIMEOUT_MS = 5_000;
/** A few connections per replica: requests are short and no network call runs in a transaction. */
const POSTGRES_POOL_MAX = 10;
const POSTGRES_CONNECT_TIMEOUT_MS = 10_000;
const PING_TIMEOUT_MS = 5_000;

export async function openStore(options: StoreOptions): Promise<Store> {
  const target = readDatabaseUrl(options.databaseUrl);
  switch (target.kind) {
    case "invalid":
      throw new StoreOpenError("databaseUrl", target.message);
    case "postgres":
      return openPostgres(target.url, target.display);
    case "sqlite":
      return openSqlite(resolve(options.dataDir ?? DEFAULT_DATA_DIR));
  }
}

async function openPostgres(url: string, display: string): Promise<Store> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POSTGRES_POOL_MAX,
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    application_name: "vaultwire",
  });
  // An idle connection that the server drops emits 'error' on the pool; without
  // a listener that would end the process. The next query reports the problem.
  pool.on("error", () => undefined);
  // The pool listens for errors only on idle clients; a client checked out between two queries
  // (inside a transaction, or between Kysely's acquire and its query) that loses its connection
  // (PostgreSQL restarting, a failover) would emit 'error' with no listener and end the process.
  // Its next query fails instead, and the caller reports it.
  pool.on("connect", (client) => { client.on("error", () => undefined); });
  try {
    const client = await pool.connect();
    client.release();
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreOpenError("databaseUrl", `cannot connect to PostgreSQL at ${display} (${connectFailureReason(error)})`, { cause: error });
  }
  return finishOpening("postgres", new PostgresDialect({ pool }), display);
}

async function openSqlite(dataDir: string): Promise<Store> {
  try {
    // mode applies to the directories created here; an existing one is left as it is.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new StoreOpenError("dataDir", `cannot create the data directory ${dataDir} (${codeOf(error)})`, { cause: error });
  }
  const file = join(dataDir, SQLITE_FILE_NAME);
  let database: BetterSqlite3.Database;
  try {
    // Create the file 0600 before SQLite does (it would use 0644); its -wal
    // and -shm files take the database file's permissions.
    if (!existsSync(file)) closeSync(openSync(file, "a", 0o600));
    database = new BetterSqlite3(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  } catch (error) {
    throw new StoreOpenError("dataDir", `cannot open the SQLite database ${file} (${codeOf(error)})`, { cause: error });
  }
  try {
    database.pragma("journal_mode = WAL");
    database.pragma("synchronous = NORMAL");
    database.pragma("foreign_keys = ON");
    // Freed pages are zeroed: a value an older version stored and a later write removed does not linger in the file.
    database.pragma("secure_delete = ON");
    database.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    // Fails now, with a clear message, when the directory or file is read-only.
    database.exec("BEGIN IMMEDIATE; COMMIT;");
  } catch (error) {
    database.close();
    throw new StoreOpenError("dataDir", `cannot write the SQLite database ${file} (${codeOf(error)})`, { cause: error });
  }
  // SQLite migrates inside one BEGIN IMMEDIATE transaction of ours (Kysely's
  // own transaction would start deferred, and a second process opening the
  // file at the same moment could fail to upgrade its read lock): another
  // process waits for the write lock (busy_timeout), then finds nothing to do.
  const exclusively = async (migrateNow: () => Promise<void>): Promise<void> => {
    database.exec("BEGIN IMMEDIATE");
    try {
      await migrateNow();
      database.exec("COMMIT");
    } catch (error) {
      if (database.inTransaction) database.exec("ROLLBACK");
      throw error;
    }
  };
  return finishOpening("sqlite", new SqliteDialect({ database }), file, exclusively);
}

type MigrationRunner = (migrateNow: () => Promise<void>) => Promise<void>;

/** Migrates, then builds the Store; closes the database when migrating fails. */
async function finishOpening(dialect: StoreDialect, baseDialect: Dialect, where: string, runner?: MigrationRunner): Promise<Store> {
  const transactionScope = new AsyncLocalStorage<{ active: boolean }>();
  const db = new Kysely<Database>({ dialect: guardedDialect(baseDialect, () => transactionScope.getStore()?.active === true) });
  try {
    if (runner === undefined) await migrate(db, dialect, where, false);
    else await runner(() => migrate(db, dialect, where, true));
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return createStore(db, dialect, transactionScope);
}

/**
 * Kysely's Migrator with the in-code provider. Safe when several replicas
 * start together: on PostgreSQL it holds an advisory lock while it reads and
 * applies the pending migrations in one transaction (DDL is transactional),
 * and it tolerates a concurrent creation of its own tables. `inOuterTransaction`:
 * the caller has begun a transaction already (SQLite, see openSqlite).
 */
async function migrate(db: Kysely<Database>, dialect: StoreDialect, where: string, inOuterTransaction: boolean): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: migrationProvider(dialect),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
    disableTransactions: inOuterTransaction,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result) => result.status === "Error")?.migrationName;
    const message = error instanceof Error ? error.message.split("\n")[0] ?? "" : "unknown error";
    const setting = dialect === "postgres" ? "databaseUrl" : "dataDir";
    throw new StoreOpenError(setting, `cannot migrate the database at ${where}${failed === undefined ? "" : ` (migration ${failed})`}: ${message}`, { cause: error });
  }
}

function createStore(db: Kysely<Database>, dialect: StoreDialect, transactionScope: AsyncLocalStorage<{ active: boolean }>): Store {
  return {
    dialect,
    ...createRepositories(db, dialect),

    /**
     * A real transaction on both dialects. On SQLite, Kysely holds the single
     * connection from BEGIN to COMMIT, so concurrent transactions (and
     * queries outside them) wait their turn instead of interleaving. Inside
     * `work`, only the repositories it receives may be used: the store's own
     * (or a nested transaction) would wait for this one on SQLite forever, so
     * they throw instead, on both dialects alike. A constraint violation
     * aborts a PostgreSQL transaction: let it propagate rather than catching
     * it and writing on.
     */
    async transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T> {
      return db.transaction().execute((trx) => {
        const scope = { active: true };
        return transactionScope.run(scope, async () => {
          try {
            return await work(createRepositories(trx, dialect));
          } finally {
            scope.active = false;
          }
        });
      });
    },

    async ping() {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolvePing) => {
        timer = setTimeout(() => { resolvePing(false); }, PING_TIMEOUT_MS);
        timer.unref();
      });
      const query = sql`select 1 as ok`.execute(db).then(() => true, () => false);
      try {
        return await Promise.race([query, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      await db.destroy();
    },
  };
}

/** The dialect, with a driver that refuses to hand out a connection inside a transaction's `work`. */
function guardedDialect(dialect: Dialect, insideTransaction: () => boolean): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver(), insideTransaction),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}

class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver, private readonly insideTransaction: () => boolean) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  acquireConnection(): Promise<DatabaseConnection> {
    if (this.insideTransaction()) {
      return Promise.reject(new Error("the store was used inside store.transaction(); use the repositories passed to the transaction's function"));
    }
    return this.inner.acquireConnection();
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.inner.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.inner.rollbackTransaction(connection);
  }

  savepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler["compileQuery"]): Promise<void> {
    if (this.inner.savepoint === undefined) return Promise.reject(new Error("savepoints are not supported by this driver"));
    return this.inner.savepoint(connection, savepointName, compileQuery);
  }

  rollbackToSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler["compileQuery"]): Promise<void> {
    if (this.inner.rollbackToSavepoint === undefined) return Promise.reject(new Error("savepoints are not supported by this driver"));
    return this.inner.rollbackToSavepoint(connection, savepointName, compileQuery);
  }

  releaseSavepoint(connection: DatabaseConnection, savepointName: string, compileQuery: QueryCompiler["compileQuery"]): Promise<void> {
    if (this.inner.releaseSavepoint === undefined) return Promise.reject(new Error("savepoints are not supported by this driver"));
    return this.inner.releaseSavepoint(connection, savepointName, compileQuery);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

function codeOf(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return "unknown error";
}
