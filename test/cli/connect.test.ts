// `vaultwire connect cluster …` and `connect plugin …` against a real server and
// the Azure emulator, from the specification's flow: everything set up with the CLI.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { VAULT_CANARY, expectCleanError, expectGolden, idOf, objectId, specConnector, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
let env: string;
let cluster: string;
let integration: string;
let connector: string;

beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  env = objectId(await f.ok(["environment", "create", "dev", "-o", "json"]));
  await f.ok(["environment", "use", env]);
  cluster = objectId(await f.ok(["kafka", "cluster", "create", "dev-cluster", "--cloud", "azure", "--region", "westus3", "--type", "dedicated", "--bootstrap-servers", "localhost:9092", "-o", "json"]));
  await f.ok(["kafka", "cluster", "use", cluster]);
  integration = objectId(await f.ok(["provider-integration", "create", "sql-vault", "--cloud", "azure", "-o", "json"]));
  await f.ok(["pi", "update", integration, "--azure-tenant-id", f.azure.customerTenant]);
  await f.ok(["pi", "validate", integration, "--vault-uri", f.azure.vaultUri]);
});
afterAll(async () => { await f.close(); });

async function configFile(name: string, changes: Record<string, string> = {}, vaultUri = f.azure.vaultUri): Promise<string> {
  const { config } = specConnector(vaultUri, integration, name);
  return f.writeFile(`${name}.json`, JSON.stringify({ name, config: { ...config, ...changes } }));
}

describe("vaultwire connect cluster create", () => {
  it("creates the specification's connector from sqlcdc_with_key_vault.json", async () => {
    const example = await readFile(new URL("../fixtures/sqlcdc_with_key_vault.json", import.meta.url), "utf8");
    await f.writeFile("sqlcdc_with_key_vault.json", example.replaceAll("https://your-key-vault-name.vault.azure.net", f.azure.vaultUri).replaceAll("cspi-devxxxxxx", integration));
    const r = await f.cli(["connect", "cluster", "create", "--config-file", "sqlcdc_with_key_vault.json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Created connector SqlServerCdcSource1 lcc-[a-z0-9]{8}\n$/);
    connector = r.out.trim().split(" ")[3] ?? "";
  });

  it("answers -o json with the id and name", async () => {
    const out = await f.ok(["connect", "cluster", "create", "--config-file", await configFile("second"), "-o", "json"]);
    expect(Object.keys(JSON.parse(out) as object)).toEqual(["id", "name"]);
  });

  it("validates without creating with --dry-run, valid and invalid", async () => {
    const valid = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("dry"), "--dry-run"]);
    expect(valid).toEqual({ code: 0, out: "Configuration of connector \"dry\" (SqlServerCdcSourceV2) is valid.\n", err: "" });
    const invalid = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("dry", { "tasks.max": "0" }, f.azure.lockedVaultUri), "--dry-run"]);
    expect(invalid.code).toBe(1);
    expect(invalid.out).toContain("is invalid: 3 errors.");
    expect(invalid.out).toContain("  tasks.max: Invalid value \"0\" for configuration tasks.max: Value must be at least 1\n");
    expect(invalid.out).toMatch(/ {2}database\.user: database\.user \(https:\/\/localhost:\d+::sqlserver-db-secret::user\): .*not allowed to read secret/);
    expect(invalid.out).toMatch(/ {2}database\.password: database\.password .*not allowed to read secret/);
    const json = JSON.parse((await f.cli(["connect", "cluster", "create", "--config-file", "dry.json", "--dry-run", "-o", "json"])).out) as { valid: boolean; errors: { key: string }[] };
    expect(json.valid).toBe(false);
    expect(json.errors.map((e) => e.key).sort()).toEqual(["database.password", "database.user", "tasks.max"]);
    expect((await f.ok(["connect", "cluster", "list", "-o", "json"]))).not.toContain("\"dry\"");
  });

  it("says up front, without calling the configuration valid, when a dry run's connector already exists", async () => {
    const r = await f.cli(["connect", "cluster", "create", "--config-file", "sqlcdc_with_key_vault.json", "--dry-run"]);
    expect(r.out).toBe("");
    expectCleanError(r, 1, `connector "SqlServerCdcSource1" already exists in Kafka cluster "${cluster}" (${connector}): create would fail`);
    expect(r.err).toContain(`Change it with "vaultwire connect cluster update ${connector} --config-file sqlcdc_with_key_vault.json --dry-run" (then without --dry-run), or pick another name.`);
    expect(r.err).not.toContain("is valid");
    const json = await f.cli(["connect", "cluster", "create", "--config-file", "sqlcdc_with_key_vault.json", "--dry-run", "-o", "json"]);
    expect(json.out).toBe("");
    expect(json.code).toBe(1);
  });

  it("prints every error by key when the server refuses the configuration", async () => {
    const r = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("broken", { "tasks.max": "0", "database.port": "x" })]);
    expectCleanError(r, 1, "Error: connector configuration is invalid and contains the following 2 error(s):\n");
    expect(r.err).toContain("\n  tasks.max: Invalid value \"0\" for configuration tasks.max: Value must be at least 1\n");
    expect(r.err).toContain("\n  database.port: ");
    expect(r.err).toContain("Run \"vaultwire connect cluster create --config-file broken.json --dry-run\" to see the whole validation report.");
    expect(r.out).toBe("");
  });

  it("fails cleanly on bad files and flags", async () => {
    await f.writeFile("bad.json", "{ nope");
    await f.writeFile("numbers.json", JSON.stringify({ name: "n", config: { "tasks.max": 1 } }));
    await f.writeFile("nameless.json", JSON.stringify({ config: { "connector.class": "SqlServerCdcSourceV2" } }));
    await f.writeFile("noclass.json", JSON.stringify({ name: "noclass", config: {} }));
    for (const [args, code, fragment] of [
      [["connect", "cluster", "create"], 2, "required flag \"config-file\" not set"],
      [["connect", "cluster", "create", "--config-file", "x.json", "--timeout", "5m"], 2, "--timeout needs --wait"],
      [["connect", "cluster", "create", "--config-file", "x.json", "--wait", "--timeout", "soon"], 2, "invalid value \"soon\" for flag \"--timeout\""],
      [["connect", "cluster", "create", "--config-file", "x.json", "--wait", "--dry-run"], 2, "--wait and --dry-run do not go together"],
      [["connect", "cluster", "create", "--config-file", "missing.json"], 1, "configuration file \"missing.json\" does not exist"],
      [["connect", "cluster", "create", "--config-file", "bad.json"], 1, "configuration file \"bad.json\" is not valid JSON"],
      [["connect", "cluster", "create", "--config-file", "numbers.json"], 1, "only string values are permitted for the configuration \"tasks.max\""],
      [["connect", "cluster", "create", "--config-file", "nameless.json"], 1, "configuration file \"nameless.json\" names no connector"],
      [["connect", "cluster", "create", "--config-file", "noclass.json", "--dry-run"], 1, "the configuration has no \"connector.class\""],
      [["connect", "cluster", "create", "--config-file", "sqlcdc_with_key_vault.json", "--cluster", "lkc-00000000"], 1, "unknown Kafka cluster ID \"lkc-00000000\""],
      [["connect", "cluster", "create", "--config-file", "sqlcdc_with_key_vault.json"], 1, "connector SqlServerCdcSource1 already exists"],
    ] as const) expectCleanError(await f.cli(args), code, fragment);
  });

  it("never quotes a malformed config file back: it may hold a password", async () => {
    for (const text of ["{\"database.password\": Unquoted-Pa55-Canary-91}", "{'database.password': 'Unquoted-Pa55-Canary-91'}", "{\"database.password\": \"Unquoted-Pa55-Canary-91\",}"]) {
      await f.writeFile("leaky.json", text);
      const result = await f.cli(["connect", "cluster", "create", "--config-file", "leaky.json", "--dry-run"]);
      expectCleanError(result, 1, "configuration file \"leaky.json\" is not valid JSON");
      for (let i = 0; i + 6 <= "Unquoted-Pa55-Canary-91".length; i++) expect(result.err + result.out).not.toContain("Unquoted-Pa55-Canary-91".slice(i, i + 6));
    }
  });
});

describe("vaultwire connect cluster list and describe", () => {
  it("lists connectors with ID, Name, Status, Type and Trace", async () => {
    await expectGolden("connect-cluster-list", await f.ok(["connect", "cluster", "list"]));
    const rows = JSON.parse(await f.ok(["connect", "cluster", "list", "-o", "json"])) as Record<string, unknown>[];
    expect(rows[0]).toEqual({ id: connector, name: "SqlServerCdcSource1", status: "PROVISIONING", type: "source", trace: "waiting for the Kafka Connect workers of this cluster" });
  });

  it("describes a connector in three sections", async () => {
    await f.observe("SqlServerCdcSource1", "RUNNING");
    const out = await f.ok(["connect", "cluster", "describe", connector]);
    await expectGolden("connect-cluster-describe", out);
    expect(out).not.toContain(VAULT_CANARY);
    const json = JSON.parse(await f.ok(["connect", "cluster", "describe", connector, "-o", "json"])) as { connector: unknown; tasks: unknown[]; configs: { config: string; value: string }[] };
    expect(Object.keys(json)).toEqual(["connector", "tasks", "configs"]);
    expect(json.connector).toEqual({ id: connector, name: "SqlServerCdcSource1", status: "RUNNING", type: "source", trace: "", worker_id: "connect-1:8083" });
    expect(json.tasks).toEqual([{ task_id: 0, state: "RUNNING", worker_id: "connect-1:8083", trace: "" }]);
    expect(json.configs.find((c) => c.config === "database.password")?.value).toBe(`${f.azure.vaultUri}::sqlserver-db-secret::password`);
    expect(await f.ok(["connect", "cluster", "describe", "SqlServerCdcSource1", "-o", "yaml"])).toContain(`id: ${connector}`);
  });

  it("shows a secret near its expiry in a Warnings section, and in -o json, naming the key, the secret and the date", async () => {
    await f.observe("SqlServerCdcSource1", "RUNNING");
    const stored = await f.server.running.store.connectors.get(connector);
    if (!stored) throw new Error("no connector");
    const secret = `${f.azure.vaultUri}::sqlserver-db-secret::password`;
    const warning = { code: "SECRET_NEAR_EXPIRY" as const, key: "database.password", secret, expiresAt: "2030-01-13T00:00:00.000Z", message: `database.password (${secret}): the secret expires at 2030-01-13T00:00:00.000Z (in 12 days); store a new version or extend its expiration date in Azure Key Vault before then: once it has expired, vaultwire fails the connector instead of using it` };
    await f.server.running.store.connectors.updateStatus(connector, { ...stored.status, warnings: [warning] });
    const out = await f.ok(["connect", "cluster", "describe", connector]);
    await expectGolden("connect-cluster-describe-warnings", out);
    expect(out).not.toContain(VAULT_CANARY);
    const json = JSON.parse(await f.ok(["connect", "cluster", "describe", connector, "-o", "json"])) as { warnings?: unknown[] };
    expect(Object.keys(json)).toEqual(["connector", "warnings", "tasks", "configs"]);
    expect(json.warnings).toEqual([{ code: "SECRET_NEAR_EXPIRY", key: "database.password", secret, expires_at: "2030-01-13T00:00:00.000Z", message: warning.message }]);
    // Gone again: no section, no key.
    await f.observe("SqlServerCdcSource1", "RUNNING");
    expect(await f.ok(["connect", "cluster", "describe", connector])).not.toContain("Warnings");
    expect(Object.keys(JSON.parse(await f.ok(["connect", "cluster", "describe", connector, "-o", "json"])) as object)).toEqual(["connector", "tasks", "configs"]);
  });

  it("names an unknown connector ID and lists those that exist", async () => {
    const r = await f.cli(["connect", "cluster", "describe", "lcc-000000"]);
    expectCleanError(r, 1, "Error: unknown connector ID \"lcc-000000\"\n\nSuggestions:\n");
    expect(r.err).toContain(`Existing connectors in Kafka cluster "${cluster}": ${connector} (SqlServerCdcSource1), `);
    expect(r.err).toContain("(second).");
  });
});

describe("vaultwire connect cluster update", () => {
  it("changes keys with --config and keeps the others", async () => {
    expect(await f.ok(["connect", "cluster", "update", connector, "--config", "tasks.max=1", "--config", "table.include.list=table123,table456"])).toBe(`Updated connector "${connector}".\n`);
    const json = JSON.parse(await f.ok(["connect", "cluster", "describe", connector, "-o", "json"])) as { configs: { config: string; value: string }[] };
    expect(json.configs.find((c) => c.config === "table.include.list")?.value).toBe("table123,table456");
    expect(json.configs.find((c) => c.config === "database.user")?.value).toBe(`${f.azure.vaultUri}::sqlserver-db-secret::user`);
  });

  it("replaces the configuration with --config-file", async () => {
    expect(await f.ok(["connect", "cluster", "update", connector, "--config-file", "sqlcdc_with_key_vault.json"])).toBe(`Updated connector "${connector}".\n`);
    const r = await f.cli(["connect", "cluster", "update", connector, "--config-file", "second.json"]);
    expectCleanError(r, 1, "configuration file \"second.json\" is for connector \"second\", not \"SqlServerCdcSource1\"");
  });

  it("validates with --dry-run and changes nothing", async () => {
    const r = await f.cli(["connect", "cluster", "update", connector, "--config", "tasks.max=0", "--config", "database.password=https://localhost:1::x::y", "--dry-run"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("Configuration of connector \"SqlServerCdcSource1\" (SqlServerCdcSourceV2) is invalid: 2 errors.");
    expect(r.out).toContain("  tasks.max: ");
    expect(r.out).toContain("  database.password: vault host \"localhost:1\" is not allowed");
    const refused = await f.cli(["connect", "cluster", "update", connector, "--config", "tasks.max=0"]);
    expectCleanError(refused, 1, "connector configuration is invalid and contains the following 1 error(s):\n  tasks.max: ");
    expect(refused.err).toContain(`--dry-run" to see the whole validation report.`);
    expect((JSON.parse(await f.ok(["connect", "cluster", "describe", connector, "-o", "json"])) as { configs: { config: string; value: string }[] }).configs.find((c) => c.config === "tasks.max")?.value).toBe("1");
  });

  it("fails cleanly on usage errors and unknown ids", async () => {
    expectCleanError(await f.cli(["connect", "cluster", "update", connector]), 2, "give either --config or --config-file");
    expectCleanError(await f.cli(["connect", "cluster", "update", connector, "--config", "a=b", "--config-file", "x.json"]), 2, "give either --config or --config-file");
    expectCleanError(await f.cli(["connect", "cluster", "update", connector, "--config", "novalue"]), 2, "expected key=value");
    expectCleanError(await f.cli(["connect", "cluster", "update", "--config", "a=b"]), 2, "missing argument <id>");
    expectCleanError(await f.cli(["connect", "cluster", "update", "lcc-000000", "--config", "a=b"]), 1, "unknown connector ID \"lcc-000000\"");
  });
});

describe("vaultwire connect cluster pause, resume, restart and delete", () => {
  it("pauses, resumes and restarts, checking every id first", async () => {
    const second = idOf(await f.ok(["connect", "cluster", "list", "-o", "json"]), "id", 1);
    expect(await f.ok(["connect", "cluster", "pause", connector, second])).toBe(`Paused connector "${connector}".\nPaused connector "${second}".\n`);
    expect((JSON.parse(await f.ok(["connect", "cluster", "list", "-o", "json"])) as { status: string }[]).map((r) => r.status)).toEqual(["PAUSED", "PAUSED"]);
    expectCleanError(await f.cli(["connect", "cluster", "resume", connector, "lcc-000000"]), 1, "unknown connector ID \"lcc-000000\"");
    expect((JSON.parse(await f.ok(["connect", "cluster", "list", "-o", "json"])) as { status: string }[])[0]?.status).toBe("PAUSED");
    expect(await f.ok(["connect", "cluster", "resume", connector])).toBe(`Resumed connector "${connector}".\n`);
    f.runtime.restarted.length = 0;
    expect(await f.ok(["connect", "cluster", "restart", connector])).toBe(`Restarted connector "${connector}".\n`);
    expect(f.runtime.restarted).toEqual(["SqlServerCdcSource1"]);
    expectCleanError(await f.cli(["connect", "cluster", "pause"]), 2, "missing argument <id>");
  });

  it("deletes after checking the ids and asking", async () => {
    const second = idOf(await f.ok(["connect", "cluster", "list", "-o", "json"]), "id", 1);
    const unknown = await f.cli(["connect", "cluster", "delete", second, "lcc-000000"], { stdin: "y\n" });
    expectCleanError(unknown, 1, "unknown connector ID \"lcc-000000\"");
    expect(unknown.err).not.toContain("Are you sure");
    const declined = await f.cli(["connect", "cluster", "delete", second], { stdin: "n\n" });
    expect(declined).toEqual({ code: 0, out: "", err: `Are you sure you want to delete connector "${second}"? (y/n)\nCanceled: nothing was deleted.\n` });
    expect(await f.ok(["connect", "cluster", "delete", second], { stdin: "y\n" })).toBe(`Deleted connector "${second}".\n`);
    expect(f.runtime.removed).toEqual(["second"]);
  });

  it("names the integration in use when asked to delete it", async () => {
    const r = await f.cli(["pi", "delete", integration, "--force"]);
    expectCleanError(r, 1, `provider integration "${integration}" is currently in use by 1 resource(s)`);
    expect(r.err).toContain(`Used by: connector SqlServerCdcSource1 (${cluster}).`);
  });

  it("says what a deleted PostgreSQL connector leaves in its database, and how to drop it", async () => {
    const config = { "connector.class": "PostgresCdcSourceV2", name: "pg-orders", "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-1", "database.hostname": "203.0.113.30", "database.port": "5432", "database.user": "cdc", "database.password": "Cli-Delete-Pass-7", "database.dbname": "shop", "topic.prefix": "pg", "output.data.format": "JSON", "tasks.max": "1" };
    await f.writeFile("pg-orders.json", JSON.stringify({ name: "pg-orders", config }));
    const id = /lcc-[a-z0-9]+/.exec(await f.ok(["connect", "cluster", "create", "--config-file", "pg-orders.json"]))?.[0] ?? "";
    const out = await f.ok(["connect", "cluster", "delete", id, "--force"]);
    const slot = `vaultwire_${id.replace(/^lcc-/, "")}`;
    expect(out).toBe(
      `Deleted connector "${id}".\n` +
      `Note: PostgreSQL keeps the logical replication slot "${slot}" in database "shop" on 203.0.113.30:5432; while it is inactive the database retains WAL for it. When nothing will resume from it, drop it: SELECT pg_drop_replication_slot('${slot}');\n` +
      "Note: The publication \"dbz_publication\" the connector created stays too; drop it if no other connector uses it: DROP PUBLICATION \"dbz_publication\";\n",
    );
  });

  it("deletes with --force", async () => {
    expect(await f.ok(["connect", "cluster", "delete", connector, "--force"])).toBe(`Deleted connector "${connector}".\n`);
    expect(await f.ok(["connect", "cluster", "list"])).toBe("None found.\n");
    expect(await f.ok(["connect", "cluster", "list", "-o", "json"])).toBe("[]\n");
  });
});

describe("vaultwire connect plugin", () => {
  it("lists the managed plugins", async () => {
    await expectGolden("connect-plugin-list", await f.ok(["connect", "plugin", "list"]));
  });

  it("describes a plugin's fields, marking those the secret manager may manage", async () => {
    const out = await f.ok(["connect", "plugin", "describe", "SqlServerCdcSourceV2"]);
    await expectGolden("connect-plugin-describe", out);
    expect(out).toContain("The secret manager may manage: database.hostname, database.port, database.user,\ndatabase.password (");
    const json = JSON.parse(await f.ok(["connect", "plugin", "describe", "sqlservercdcsourcev2", "-o", "json"])) as { plugin: string; secret_manager_managed_configs: string[]; configs: { name: string; secret_manager_eligible: boolean }[] };
    expect(json.plugin).toBe("SqlServerCdcSourceV2");
    expect(json.secret_manager_managed_configs).toEqual(["database.hostname", "database.port", "database.user", "database.password"]);
    expect(json.configs.filter((c) => c.secret_manager_eligible).map((c) => c.name)).toEqual(json.secret_manager_managed_configs);
  });

  it("names an unknown plugin and lists the known ones", async () => {
    const r = await f.cli(["connect", "plugin", "describe", "NopeSource"]);
    expectCleanError(r, 1, "unknown connector plugin \"NopeSource\"");
    expect(r.err).toContain("Managed plugins: MySqlCdcSourceV2, PostgresCdcSourceV2, SqlServerCdcSourceV2.");
  });
});

describe("help", () => {
  it("shows help on every level, with examples", async () => {
    for (const args of [["connect", "--help"], ["connect", "cluster", "--help"], ["connect", "plugin", "--help"]]) {
      const r = await f.cli(args);
      expect(r.code).toBe(0);
      expect(r.out).toContain("Available Commands:");
    }
    for (const verb of ["create", "list", "describe", "update", "pause", "resume", "restart", "delete"]) {
      const r = await f.cli(["connect", "cluster", verb, "-h"]);
      expect(r.code).toBe(0);
      expect(r.out).toContain(`vaultwire connect cluster ${verb}`);
      expect(r.out).toContain("Examples:");
    }
    for (const verb of ["list", "describe"]) expect((await f.cli(["connect", "plugin", verb, "--help"])).out).toContain("Examples:");
    expect((await f.cli(["connect"])).code).toBe(2);
    expectCleanError(await f.cli(["connect", "cluster", "frob"]), 2, "unknown command \"frob\" for \"vaultwire connect cluster\"");
  });
});
