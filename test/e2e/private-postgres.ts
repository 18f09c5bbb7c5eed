// A PostgreSQL server of one test's own: initdb into a temporary folder and
// pg_ctl start on a free port on 127.0.0.1, with the server binaries of the
// PostgreSQL that infra/postgres/setup.sh installed. A test that restarts its
// database server (test/e2e/high-availability.test.ts) restarts this one, not
// the shared server every other test file uses while vitest runs them in
// parallel. Runs the binaries as the `postgres` user (initdb refuses root)
// through runuser (as root) or sudo -n, as postgres-admin.ts does.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { freePorts } from "../../src/dev/local-kafka.js";

export interface PrivatePostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database> of the database created for the test. */
  readonly databaseUrl: string;
  readonly password: string;
  readonly port: number;
  /** Stops the server (fast shutdown: sessions are ended), waits `downMs`, and starts it again on the same port. */
  restart(downMs?: number): Promise<void>;
  /** Stops the server (immediate) and removes its folder. */
  close(): Promise<void>;
}

const POSTGRES_ROOT = "/usr/lib/postgresql";

/** The newest installed server's bin folder, or undefined. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(POSTGRES_ROOT)) return undefined;
  const versions = readdirSync(POSTGRES_ROOT).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  const bin = newest === undefined ? undefined : join(POSTGRES_ROOT, newest, "bin");
  return bin !== undefined && existsSync(join(bin, "initdb")) && existsSync(join(bin, "pg_ctl")) ? bin : undefined;
}

function asPostgres(command: string, args: readonly string[], input?: string): string {
  const full = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", command, ...args] : ["sudo", "-n", "-u", "postgres", command, ...args];
  const [program = "runuser", ...rest] = full;
  const result = spawnSync(program, rest, { encoding: "utf8", timeout: 60_000, ...(input === undefined ? {} : { input }) });
  if (result.status !== 0) throw new Error(`${command} as postgres failed (${result.status ?? result.signal ?? "?"}): ${(result.stderr || result.stdout).trim() || result.error?.message || ""}`);
  return result.stdout;
}

export async function startPrivatePostgres(options: { database: string }): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error(`no PostgreSQL server binaries under ${POSTGRES_ROOT} (bash infra/postgres/setup.sh installs them)`);
  const [port] = await freePorts([undefined] as const);
  const password = `store-${randomBytes(18).toString("base64url")}`;
  // A folder postgres owns: mktemp as postgres, so no chown (and no root) is needed.
  const root = asPostgres("mktemp", ["-d", "/tmp/vaultwire-private-pg-XXXXXX"]).trim();
  const dataDir = join(root, "data");
  const logFile = join(root, "server.log");
  const pgCtl = (args: readonly string[]) => asPostgres(join(bin, "pg_ctl"), ["-D", dataDir, "-l", logFile, ...args]);
  asPostgres("sh", ["-c", `umask 077 && cat > ${root}/pwfile`], `${password}\n`);
  asPostgres(join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--pwfile", join(root, "pwfile"), "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync", "--no-instructions"]);
  asPostgres("rm", ["-f", join(root, "pwfile")]);
  // In postgresql.conf, so a restart keeps them; the socket in the test's folder, not /var/run/postgresql.
  asPostgres("sh", ["-c", `cat >> ${dataDir}/postgresql.conf`], [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${root}'`,
    "fsync = off",
    "synchronous_commit = off",
    "full_page_writes = off",
    "shared_buffers = 32MB",
    "max_connections = 60",
    "",
  ].join("\n"));
  const start = () => pgCtl(["-w", "-t", "60", "start"]);
  start();
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${options.database}"`);
  } finally {
    await client.end();
  }
  return {
    databaseUrl: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${options.database}`,
    password,
    port,
    async restart(downMs = 0) {
      pgCtl(["-w", "-t", "60", "-m", "fast", "stop"]);
      if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
      start();
    },
    close() {
      try {
        pgCtl(["-w", "-t", "30", "-m", "immediate", "stop"]);
      } catch {
        // Not running (a failed start): the folder goes all the same.
      }
      asPostgres("rm", ["-rf", root]);
      return Promise.resolve();
    },
  };
}
