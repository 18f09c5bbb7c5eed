import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { run } from "../run.js";
import type { CliIo } from "../io.js";

const example = readFileSync(new URL("../../../test/fixtures/sqlcdc_with_key_vault.json", import.meta.url), "utf8");

async function cli(args: string[], files: Record<string, string> = {}, env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    readFile: (path) => {
      const content = files[path];
      if (content === undefined) return Promise.reject(Object.assign(new Error("nope"), { code: path.endsWith("/") ? "EISDIR" : "ENOENT" }));
      return Promise.resolve(content);
    },
    env,
    readStdin: () => Promise.resolve(""),
    waitForShutdown: () => new Promise(() => undefined),
  };
  const code = await run(args, io);
  return { code, out, err };
}

function withConfig(changes: Record<string, unknown>): string {
  const doc = JSON.parse(example) as { name: string; config: Record<string, unknown> };
  return JSON.stringify({ ...doc, config: { ...doc.config, ...changes } });
}

describe("vaultwire config validate", () => {
  it("says a valid config is valid and exits 0", async () => {
    const r = await cli(["config", "validate", "--config-file", "c.json"], { "c.json": example });
    expect(r).toEqual({ code: 0, out: "Configuration of connector \"SqlServerCdcSource1\" (SqlServerCdcSourceV2) is valid.\n", err: "" });
  });

  it("prints every error by key and exits 1", async () => {
    const r = await cli(["config", "validate", "--config-file", "c.json"], { "c.json": withConfig({ "database.password": "https://evil.example.com::s", "tasks.max": "0" }) });
    expect(r.code).toBe(1);
    expect(r.out).toContain("is invalid: 2 errors.");
    expect(r.out).toContain("  database.password: vault host \"evil.example.com\" is not allowed");
    expect(r.out).toContain("  tasks.max: Invalid value \"0\" for configuration tasks.max: Value must be at least 1");
  });

  it("prints warnings after the verdict", async () => {
    const r = await cli(["config", "validate", "--config-file", "c.json"], { "c.json": withConfig({ "secret.manager.enabled": "false" }) });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/is valid\.\n\nWarnings:\n {2}secret\.manager\.managed\.configs: /);
  });

  it("renders json and yaml with stable keys", async () => {
    const json = await cli(["config", "validate", "--config-file", "c.json", "-o", "json"], { "c.json": withConfig({ "tasks.max": "x" }) });
    expect(JSON.parse(json.out)).toEqual({
      name: "SqlServerCdcSource1",
      plugin: "SqlServerCdcSourceV2",
      valid: false,
      error_count: 1,
      errors: [{ key: "tasks.max", message: "Invalid value \"x\" for configuration tasks.max: Not a number of type INT" }],
      warnings: [],
    });
    const yaml = await cli(["config", "validate", "--config-file", "c.json", "--output", "yaml"], { "c.json": example });
    expect(yaml.out).toContain("valid: true\nerror_count: 0\n");
  });

  it("accepts emulator hosts from the flag and the environment", async () => {
    const config = withConfig({ "database.user": "https://localhost:8443::db::user", "database.password": "https://127.0.0.1:9443::db::password" });
    const denied = await cli(["config", "validate", "--config-file", "c.json"], { "c.json": config });
    expect(denied.code).toBe(1);
    const allowed = await cli(["config", "validate", "--config-file", "c.json", "--allow-vault-host", "localhost:8443"], { "c.json": config }, { VAULTWIRE_ALLOWED_VAULT_HOSTS: " 127.0.0.1:9443 ," });
    expect(allowed.code).toBe(0);
  });

  it("applies the region policy when the cluster is given", async () => {
    const r = await cli(["config", "validate", "--config-file", "c.json", "--cloud", "azure", "--region", "eastus", "--networking", "private-link"], { "c.json": example });
    expect(r.code).toBe(0);
    const blocked = await cli(["config", "validate", "--config-file", "c.json", "--cloud", "AZURE", "--region", "westeurope"], { "c.json": example });
    expect(blocked.code).toBe(1);
    expect(blocked.out).toContain("region \"westeurope\"");
  });

  it("accepts a flat config map", async () => {
    const flat = JSON.stringify((JSON.parse(example) as { config: unknown }).config);
    const r = await cli(["config", "validate", "--config-file", "flat.json"], { "flat.json": flat });
    expect(r.code).toBe(0);
  });

  it.each([
    [["config", "validate"], 2, "Error: required flag \"config-file\" not set"],
    [["config", "validate", "--config-file", "c.json", "-o", "xml"], 2, "invalid value \"xml\" for flag \"--output\""],
    [["config", "validate", "--config-file", "c.json", "--bogus"], 2, "unknown option '--bogus'"],
    [["config", "validate", "--config-file", "c.json", "--allow-vault-host", "a b"], 2, "allowed vault host \"a b\" is not a host or host:port"],
    [["config", "validate", "--config-file", "c.json", "--region", "eastus"], 2, "--cloud and --region go together"],
    [["config", "validate", "--config-file", "c.json", "--cloud", "ibm", "--region", "x"], 2, "invalid value \"ibm\" for flag \"--cloud\""],
    [["config", "validate", "--config-file", "c.json", "--cloud", "azure", "--region", "x", "--cluster-type", "huge"], 2, "--cluster-type"],
    [["config", "validate", "--config-file", "c.json", "--cloud", "azure", "--region", "x", "--networking", "vpn"], 2, "--networking"],
    [["config", "validate", "--config-file", "c.json", "--networking", "public"], 2, "need --cloud and --region"],
    [["config", "validate", "--config-file", "missing.json"], 1, "configuration file \"missing.json\" does not exist"],
    [["config", "validate", "--config-file", "dir/"], 1, "is a directory"],
    [["config", "validate", "--config-file", "bad.json"], 1, "is not valid JSON"],
    [["config", "validate", "--config-file", "nonstring.json"], 1, "only string values are permitted for the configuration \"tasks.max\""],
    [["config", "nope"], 2, "unknown command \"nope\" for \"vaultwire config\""],
    [["nope"], 2, "unknown command \"nope\" for \"vaultwire\""],
  ])("fails cleanly for %j", async (args, code, fragment) => {
    const files = { "c.json": example, "bad.json": "{ nope", "nonstring.json": JSON.stringify({ config: { "tasks.max": 1 } }) };
    const r = await cli(args, files);
    expect(r.code).toBe(code);
    expect(r.err).toContain(fragment);
    expect(r.err).toMatch(/^Error: [a-z-"]/);
    expect(r.err).not.toMatch(/\n\s+at /);
    expect(r.out).toBe("");
  });

  it("offers suggestions for a missing file", async () => {
    const r = await cli(["config", "validate", "--config-file", "missing.json"]);
    expect(r.err).toBe("Error: configuration file \"missing.json\" does not exist\n\nSuggestions:\n    Check the path; relative paths are resolved from the current directory.\n");
  });

  it("shows help on every level", async () => {
    expect((await cli(["--help"])).out).toContain("config validate");
    expect((await cli(["config", "--help"])).out).toContain("validate");
    const help = await cli(["config", "validate", "--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("Examples:");
    expect((await cli(["--version"])).out).toMatch(/^vaultwire \d+\.\d+\.\d+\n$/);
    expect((await cli([])).code).toBe(2);
  });

  it("never prints a pasted secret", async () => {
    const canary = "Canary-SeCrEt-0x5f3759df";
    const r = await cli(["config", "validate", "--config-file", "c.json", "-o", "json"], { "c.json": withConfig({ "database.password": canary, "database.user": `https://x::${canary}` }) });
    expect(r.code).toBe(1);
    expect(r.out + r.err).not.toContain(canary);
  });
});
