// The README's quickstart, as a user runs it (npm run quickstart), to the end:
// the connector RUNNING and the inserted rows printed from the topic.
// Needs what the other end-to-end tests need; skipped without it, required in CI.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { canAdminPostgres, psqlAdmin } from "./postgres-admin.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const IN_CI = process.env.CI !== undefined && process.env.CI !== "";
const ready = existsSync(`${ROOT}infra/kafka/target/lib`) && canAdminPostgres();
if (IN_CI && !ready) throw new Error("CI: the quickstart test needs infra/kafka/target (bash infra/kafka/bin/fetch.sh) and a PostgreSQL superuser");

describe.skipIf(!ready)("npm run quickstart", () => {
  it("runs the specification end to end and prints the messages of the inserted rows", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/quickstart.ts", "--exit", "--port", "0"], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code, output).toBe(0);
    expect(output).toMatch(/Created connector PostgresCdcSource1 lcc-[a-z0-9]+/);
    expect(output).toMatch(/Connector "lcc-[a-z0-9]+" is RUNNING\./);
    expect(output).toContain("Successfully validated provider integration");
    for (const item of ["coffee", "bagel", "juice"]) expect(output).toContain(`"item":"${item}"`);
    expect(output).toContain("Web console: http://127.0.0.1:");
    expect(output).toContain("Stopping Kafka Connect, Kafka, the vaultwire server and the Azure emulator");
    // Nothing it started is left behind: an inactive logical slot would make PostgreSQL keep WAL forever.
    expect(output).toContain("Dropped the database db123, its replication slot and the role cdc_user.");
    expect(psqlAdmin("SELECT count(*) FROM pg_replication_slots WHERE database = 'db123'")).toBe("0");
    expect(psqlAdmin("SELECT count(*) FROM pg_database WHERE datname = 'db123'")).toBe("0");
  }, 300_000);
});
