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

