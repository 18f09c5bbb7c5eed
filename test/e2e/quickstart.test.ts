// The README's quickstart, as a user runs it (npm run quickstart), to the end:
// the connector RUNNING and the inserted rows printed from the topic, with
// Azure Key Vault (the default; then a rotation pushed by the emulator's
// Event Grid restarts the connector within seconds) and with AWS Secrets
// Manager (moto).
// Needs what the other end-to-end tests need (and moto for the AWS case);
// skipped without it, required in CI.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { requireMoto } from "../aws/moto.js";
import { canAdminPostgres, psqlAdmin } from "./postgres-admin.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const IN_CI = process.env.CI !== undefined && process.env.CI !== "";
const ready = existsSync(`${ROOT}infra/kafka/target/lib`) && canAdminPostgres();
if (IN_CI && !ready) throw new Error("CI: the quickstart test needs infra/kafka/target (bash infra/kafka/bin/fetch.sh) and a PostgreSQL superuser");
const haveMoto = requireMoto("test/e2e/quickstart.test.ts (--secret-manager aws)");

/** Runs the quickstart with these flags; its exit code and everything it printed. */
async function quickstart(...args: string[]): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/quickstart.ts", ...args], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => { output += chunk.toString(); });
  child.stderr.on("data", (chunk: Buffer) => { output += chunk.toString(); });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  return { code, output };
}

function expectMessagesAndCleanUp(output: string): void {
  expect(output).toMatch(/Created connector PostgresCdcSource1 lcc-[a-z0-9]+/);
  expect(output).toMatch(/Connector "lcc-[a-z0-9]+" is RUNNING\./);
  expect(output).toContain("Successfully validated provider integration");
  for (const item of ["coffee", "bagel", "juice"]) expect(output).toContain(`"item":"${item}"`);
  expect(output).toContain("Web console: http://127.0.0.1:");
  // Nothing it started is left behind: an inactive logical slot would make PostgreSQL keep WAL forever.
  expect(output).toContain("Dropped the database db123, its replication slot and the role cdc_user.");
  expect(psqlAdmin("SELECT count(*) FROM pg_replication_slots WHERE database = 'db123'")).toBe("0");
  expect(psqlAdmin("SELECT count(*) FROM pg_database WHERE datname = 'db123'")).toBe("0");
}

describe("npm run quickstart: flags", () => {
  it("refuses an unknown --secret-manager before starting anything, with the choices and the usage (exit 2)", async () => {
    const { code, output } = await quickstart("--secret-manager", "gcp");
    expect(code, output).toBe(2);
    expect(output).toContain(`quickstart: unknown --secret-manager "gcp": expected azure (Azure Key Vault, the default) or aws (AWS Secrets Manager)`);
    expect(output).toContain("usage: npm run quickstart [-- --exit] [-- --port 8080] [-- --secret-manager azure|aws]");
    expect(output).not.toContain("[1]");
  }, 60_000);
});

describe.skipIf(!ready)("npm run quickstart", () => {
  it("runs the specification end to end and prints the messages of the inserted rows", async () => {
    const { code, output } = await quickstart("--exit", "--port", "0");
    expect(code, output).toBe(0);
    expect(output).toContain("Starting a local Azure (Entra ID + Key Vault)");
    // Push: vaultwire's webhook subscribed to the vault through the dev azure CLI, then a rotation restarts the connector within seconds.
    expect(output).toMatch(/\$ vaultwire dev azure events subscribe --vault quickstart-vault --endpoint http:\/\/127\.0\.0\.1:\d+\/events\/v1\/key-vault\/evs-[a-z0-9]+\?token=<token> /);
    expect(output).toMatch(/Subscribed http:\/\/127\.0\.0\.1:\d+\/events\/v1\/key-vault\/evs-[a-z0-9]+ to the secret events of vault "quickstart-vault"/);
    expect(output).not.toMatch(/token=[A-Za-z0-9_-]{43}/);
    expect(output).toMatch(/vault quickstart-vault {2}SecretNewVersionCreated {2}postgres-db-secret\/[0-9a-f]{32} {2}attempt 1 {2}HTTP 200/);
    expect(output).toContain("\"item\":\"tea\"");
    const push = /Pushed by Event Grid: the connector restarted with the new password (\d+\.\d) s after the new secret version \(Event Grid delivered the event in (\d+) ms;/.exec(output);
    expect(push, output).not.toBeNull();
    expect(Number(push?.[1])).toBeLessThan(45);
    expectMessagesAndCleanUp(output);
    expect(output).toContain("Stopping Kafka Connect, Kafka, the vaultwire server and the Azure emulator");
  }, 300_000);

  it.skipIf(!haveMoto)("--secret-manager aws: the same with the credentials in AWS Secrets Manager (moto, IAM enforced, a role trusting vaultwire with the external id)", async () => {
    const { code, output } = await quickstart("--secret-manager", "aws", "--exit", "--port", "0");
    expect(code, output).toBe(0);
    expect(output).toContain("Starting a local AWS (moto: IAM, STS and Secrets Manager)");
    expect(output).toMatch(/vaultwire provider-integration create quickstart-asm --cloud aws --customer-role-arn arn:aws:iam::123456789012:role\/quickstart-secrets-reader/);
    expect(output).toMatch(/sts:ExternalId = "[0-9a-f-]{36}"/);
    expect(output).toContain("Creating the connector from examples/postgres_cdc_with_aws_secrets_manager.json");
    expectMessagesAndCleanUp(output);
    expect(output).not.toContain("Pushed by Event Grid");
    expect(output).toContain("Stopping Kafka Connect, Kafka, the vaultwire server and moto");
  }, 300_000);
});
