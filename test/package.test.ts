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
});
