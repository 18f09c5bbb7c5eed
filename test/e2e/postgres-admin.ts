// PostgreSQL as its superuser, for the end-to-end tests: on PostgreSQL 15 only
// a superuser may create a REPLICATION role. Runs psql through runuser (as root)
// or sudo -n, on the port of VAULTWIRE_TEST_DATABASE_URL (default 5432).
import { spawnSync } from "node:child_process";

export const pgPort = (() => {
  const url = process.env.VAULTWIRE_TEST_DATABASE_URL;
  return url !== undefined && url !== "" ? Number(new URL(url).port || "5432") : 5432;
})();

function psqlCommand(): string[] {
  const psql = ["psql", "--no-psqlrc", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-p", String(pgPort), "-d", "postgres"];
  return process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--", ...psql] : ["sudo", "-n", "-u", "postgres", ...psql];
}

export function psqlAdmin(sql: string): string {
  const [command = "psql", ...args] = psqlCommand();
  const result = spawnSync(command, args, { input: sql, encoding: "utf8", timeout: 30_000 });
  if (result.status !== 0) throw new Error(`psql as postgres failed (${result.status ?? result.signal ?? "?"}): ${result.stderr.trim() || result.error?.message || ""}`);
  return result.stdout.trim();
}

export function canAdminPostgres(): boolean {
  try {
    return psqlAdmin("SELECT 1") === "1";
  } catch {
    return false;
  }
}


/** Drops a test database, its replication slots and its role, waiting for walsenders to let go. */
export async function dropDatabaseAndRole(database: string, role: string): Promise<void> {
  psqlAdmin(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '${database}' AND active_pid IS NOT NULL;`);
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      psqlAdmin(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${database}' AND NOT active; DROP DATABASE IF EXISTS ${database} WITH (FORCE); DROP ROLE IF EXISTS ${role};`);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}
