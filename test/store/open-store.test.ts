// Opening the store: where SQLite puts its file and with which settings, and
// the one-line errors for a database that cannot be reached or a data
// directory that cannot be written.
import { mkdir, mkdtemp, rm, stat, chmod, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, StoreOpenError } from "../../src/store/index.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "vaultwire-open-store-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A TCP port on 127.0.0.1 that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

async function openError(options: Parameters<typeof openStore>[0]): Promise<StoreOpenError> {
  const error = await openStore(options).then(
    async (store) => { await store.close(); return undefined; },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreOpenError);
  return error as StoreOpenError;
}

describe("SQLite", () => {
  it("creates the data directory 0700 and vaultwire.db 0600, in WAL mode", async () => {
    const dataDir = join(root, "fresh", "data");
    const store = await openStore({ dataDir });
    try {
      expect(store.dialect).toBe("sqlite");
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      expect((await stat(join(dataDir, "vaultwire.db"))).mode & 0o777).toBe(0o600);
    } finally {
      await store.close();
    }
    const raw = new BetterSqlite3(join(dataDir, "vaultwire.db"), { readonly: true });
    try {
      expect(raw.pragma("journal_mode", { simple: true })).toBe("wal");
      const tables = raw.prepare("select name from sqlite_master where type = 'table' order by name").pluck().all();
      expect(tables).toEqual(["api_keys", "audit_events", "audit_last_access", "cluster_leases", "clusters", "connector_offset_requests", "connector_offsets", "connector_runtime", "connectors", "environments", "event_subscriptions", "integrations", "meta", "role_bindings", "runtime_requests", "secret_versions", "service_accounts", "sqlite_sequence", "vaultwire_migration", "vaultwire_migration_lock", "worker_credentials"]);
      expect(raw.prepare("select name from vaultwire_migration").pluck().all()).toEqual(["0001-initial", "0002-worker-credentials", "0003-runtime-state", "0005-event-subscriptions", "0007-identity", "0008-connector-offset-requests", "0009-audit"]);
    } finally {
      raw.close();
    }
  });

  it("says which data directory it cannot create", async () => {
    const file = join(root, "a-file");
    await writeFile(file, "");
    const error = await openError({ dataDir: join(file, "data") });
    expect(error.message).toBe(`cannot create the data directory ${join(file, "data")} (ENOTDIR)`);
    expect(error.setting).toBe("dataDir");
  });

  it("says which database file it cannot open", async () => {
    const dataDir = join(root, "db-is-a-directory");
    await mkdir(join(dataDir, "vaultwire.db"), { recursive: true });
    const error = await openError({ dataDir });
    expect(error.message).toMatch(new RegExp(`^cannot (open|write) the SQLite database ${join(dataDir, "vaultwire.db").replaceAll("/", "\\/")} \\(\\w+\\)$`));
    expect(error.setting).toBe("dataDir");
  });

  // Root writes anywhere, so a read-only directory only stops other users.
  it.skipIf(process.getuid?.() === 0)("says which data directory it cannot write", async () => {
    const dataDir = join(root, "read-only");
    await mkdir(dataDir, { mode: 0o500 });
    try {
      const error = await openError({ dataDir });
      expect(error.message).toMatch(/^cannot (open|write) the SQLite database .*read-only\/vaultwire\.db \((EACCES|SQLITE_\w+)\)$/);
    } finally {
      await chmod(dataDir, 0o700);
    }
  });
});

describe("PostgreSQL URLs", () => {
  it("names an unreachable PostgreSQL without its password", async () => {
    const port = await closedPort();
    const error = await openError({ databaseUrl: `postgres://vaultwire:hunter2-secret@127.0.0.1:${port}/vaultwire?sslmode=disable&password=hunter3` });
    expect(error.message).toBe(`cannot connect to PostgreSQL at postgres://vaultwire@127.0.0.1:${port}/vaultwire (ECONNREFUSED)`);
    expect(error.message).not.toContain("hunter");
    expect(error.setting).toBe("databaseUrl");
  });

  it("accepts postgresql:// too", async () => {
    const port = await closedPort();
    const error = await openError({ databaseUrl: `postgresql://vaultwire:pw@127.0.0.1:${port}/db` });
    expect(error.message).toBe(`cannot connect to PostgreSQL at postgresql://vaultwire@127.0.0.1:${port}/db (ECONNREFUSED)`);
  });

  it("refuses a URL of another database rather than falling back to SQLite", async () => {
    const error = await openError({ databaseUrl: "mysql://root:pw@localhost/vaultwire", dataDir: join(root, "unused") });
    expect(error.message).toBe('databaseUrl has the unsupported scheme "mysql:"; use postgres:// or postgresql:// (or leave it unset for SQLite in the data directory)');
    expect(error.message).not.toContain("pw");
  });

  it("refuses a PostgreSQL URL that does not parse, without echoing it", async () => {
    const error = await openError({ databaseUrl: "postgres://user:se cret@[bad/db" });
    expect(error.message).toBe("databaseUrl is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database)");
  });
});
