// The built package as users get it: the `vaultwire` binary and
// `import { parseSecretIdentifier } from "vaultwire"`. Needs `npm run build` first
// (the test command builds before running the tests).
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = fileURLToPath(new URL("..", import.meta.url));
const bin = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/sqlcdc_with_key_vault.json", import.meta.url));

async function vaultwire(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
});

describe("the vaultwire binary", () => {
  it("validates the specification's example", async () => {
    const r = await vaultwire(["config", "validate", "--config-file", fixture]);
    expect(r).toEqual({ code: 0, stdout: "Configuration of connector \"SqlServerCdcSource1\" (SqlServerCdcSourceV2) is valid.\n", stderr: "" });
  });

  it("exits 1 with the region error for a blocked region", async () => {
    const r = await vaultwire(["config", "validate", "--config-file", fixture, "--cloud", "azure", "--region", "eastus", "-o", "json"]);
    expect(r.code).toBe(1);
    expect((JSON.parse(r.stdout) as { errors: { key: string }[] }).errors.map((e) => e.key)).toEqual(["secret.manager.enabled"]);
  });

  it("exits 2 with a one-line usage error and no stack trace", async () => {
    const r = await vaultwire(["config", "validate"]);
    expect(r.code).toBe(2);
    expect(r.stderr.split("\n")[0]).toBe("Error: required flag \"config-file\" not set");
    expect(r.stderr).not.toContain("    at ");
  });

  it("exits 1 for a missing file", async () => {
    const r = await vaultwire(["config", "validate", "--config-file", "/nonexistent/x.json"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("does not exist");
  });
});

describe("the package's public API", () => {
  it("exports parseSecretIdentifier under the package name", async () => {
    const script = `
      import { parseSecretIdentifier, formatSecretIdentifier, validateConnectorConfig, catalog, DEFAULT_VAULT_HOST_POLICY } from "vaultwire";
      const ok = parseSecretIdentifier("https://My-Vault.vault.azure.net/::db::password");
      const bad = parseSecretIdentifier("https://localhost:8443::db");
      const emulator = parseSecretIdentifier("https://localhost:8443::db", { allowedVaultHosts: ["localhost:8443"] });
      const report = validateConnectorConfig({ "connector.class": "Nope" }, { plugins: catalog, secretIdentifiers: { vaultHosts: DEFAULT_VAULT_HOST_POLICY } });
      console.log(JSON.stringify({ ok, formatted: formatSecretIdentifier(ok.value), bad, emulator: emulator.ok, errors: report.error_count }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: root });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.ok).toMatchObject({ ok: true, value: { vaultUri: "https://my-vault.vault.azure.net", secretName: "db", jsonKey: "password" } });
    expect(out.formatted).toBe("https://my-vault.vault.azure.net::db::password");
    expect(out.bad).toMatchObject({ ok: false, error: { part: "host" } });
    expect(out.emulator).toBe(true);
    expect(out.errors).toBe(1);
  });

  it("parses AWS secret ARNs with the manager kind first; the one-argument form stays Azure's", async () => {
    const script = `
      import { parseSecretIdentifier, formatAwsSecretsManagerIdentifier } from "vaultwire";
      const aws = parseSecretIdentifier("AWS_SECRETS_MANAGER", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf::password");
      const azure = parseSecretIdentifier("AZURE_KEY_VAULT", "https://my-vault.vault.azure.net::db");
      const wrong = parseSecretIdentifier("AWS_SECRETS_MANAGER", "https://my-vault.vault.azure.net::db");
      const unknown = parseSecretIdentifier("HASHICORP_VAULT", "x");
      const legacy = parseSecretIdentifier("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db");
      console.log(JSON.stringify({ aws, formatted: aws.ok ? formatAwsSecretsManagerIdentifier(aws.value) : null, azure: azure.ok, wrong: wrong.ok, unknown, legacy: legacy.ok }));`;
    const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], { cwd: root });
    const out = JSON.parse(stdout) as Record<string, unknown>;
    expect(out.aws).toMatchObject({ ok: true, value: { manager: "AWS_SECRETS_MANAGER", region: "eu-west-1", accountId: "123456789012", jsonKey: "password" } });
    expect(out.formatted).toBe("arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-AbCdEf::password");
    expect(out.azure).toBe(true);
    expect(out.wrong).toBe(false);
    expect(out.unknown).toMatchObject({ ok: false, error: { part: "manager" } });
    expect(out.legacy).toBe(false);
  });
});

describe("the published files", () => {
  it("leave out src/dev/: the local Kafka stack and its topic reader need a checkout", async () => {
    // Built, so that their absence below is the "files" list's doing.
    expect(existsSync(fileURLToPath(new URL("../dist/dev/local-kafka.js", import.meta.url)))).toBe(true);
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, env: { ...process.env, npm_config_update_notifier: "false" } });
    const files = (JSON.parse(stdout) as { files: { path: string }[] }[])[0]?.files.map((file) => file.path) ?? [];
    expect(files).toContain("dist/cli/main.js");
    expect(files).toContain("dist/index.js");
    expect(files.filter((file) => file.startsWith("dist/dev/"))).toEqual([]);
  });
});
