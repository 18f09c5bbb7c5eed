// `vaultwire provider-integration …` (alias pi) against a real server and the Azure emulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCleanError, expectGolden, objectId, specConnector, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
let env: string;
let akv: string;

beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  env = objectId(await f.ok(["environment", "create", "dev", "-o", "json"]));
  await f.ok(["environment", "use", env]);
});
afterAll(async () => { await f.close(); });

describe("vaultwire provider-integration", () => {
  it("creates a DRAFT integration and says what comes next", async () => {
    const out = await f.ok(["provider-integration", "create", "sql-vault", "--cloud", "azure"]);
    await expectGolden("provider-integration-create", out);
    akv = /\| ID +\| (cspi-[a-z0-9]{8})/.exec(out)?.[1] ?? "";
    expect(akv).not.toBe("");
  });

  it("refuses to validate a DRAFT integration, pointing at update", async () => {
    const r = await f.cli(["pi", "validate", akv]);
    expectCleanError(r, 1, `provider integration "${akv}" is DRAFT: attach your Azure tenant first`);
    expect(r.err).toContain(`vaultwire provider-integration update ${akv} --azure-tenant-id <tenant-id>`);
  });

  it("attaches the customer's tenant", async () => {
    expectCleanError(await f.cli(["pi", "update", akv, "--azure-tenant-id", "not-a-guid"]), 1, "config.customer_azure_tenant_id must be a tenant id (a GUID");
    const out = await f.ok(["pi", "update", akv, "--azure-tenant-id", f.azure.customerTenant]);
    await expectGolden("provider-integration-update", out);
    expect(out).toContain(`| Customer Azure Tenant ID            | ${f.azure.customerTenant}`);
    expect(out).toContain(`| Confluent Azure Multi-Tenant App ID | ${f.azure.appId}`);
    const again = await f.cli(["pi", "update", akv, "--azure-tenant-id", f.azure.customerTenant]);
    expectCleanError(again, 1, `provider integration "${akv}" is CREATED: its configuration can be set only while it is DRAFT`);
  });

  it("validates the sign-in alone", async () => {
    expect(await f.ok(["pi", "validate", akv])).toBe(`Successfully validated provider integration "${akv}".\n`);
  });

  it("validates a vault and prints each permission probe", async () => {
    const out = await f.ok(["provider-integration", "validate", akv, "--vault-uri", f.azure.vaultUri]);
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe(`Successfully validated provider integration "${akv}".`);
    expect(lines[1]).toMatch(/^ {2}sign-in: ok: acquired an access token for https:\/\/vault\.azure\.net in tenant /);
    expect(lines[2]).toMatch(/^ {2}readMetadata: granted: listed the secrets of https:\/\/localhost:\d+$/);
    expect(lines[3]).toMatch(/^ {2}getSecret: granted: /);
    expect(lines).toHaveLength(4);
    const json = JSON.parse(await f.ok(["pi", "validate", akv, "--secret-identifier", `${f.azure.vaultUri}::sqlserver-db-secret`, "-o", "json"])) as { ready: boolean; permissions: { permission: string; status: string }[] };
    expect(json.ready).toBe(true);
    expect(json.permissions.map((p) => `${p.permission}=${p.status}`)).toEqual(["readMetadata=granted", "getSecret=granted"]);
  });

  it("prints the failed probes and exits 1 when the vault denies them", async () => {
    const r = await f.cli(["pi", "validate", akv, "--vault-uri", f.azure.lockedVaultUri]);
    expect(r.code).toBe(1);
    expect(r.out).not.toContain("Successfully");
    expect(r.out).toMatch(/^ {2}sign-in: ok: /);
    expect(r.out).toMatch(/\n {2}readMetadata: denied: .*Key Vault Secrets User/);
    expect(r.out).toMatch(/\n {2}getSecret: denied: /);
    expectCleanError(r, 1, `Error: provider integration "${akv}" failed validation: readMetadata, getSecret\n`);
    expect(r.err).toContain(`then run "vaultwire provider-integration validate ${akv} --vault-uri ${f.azure.lockedVaultUri}" again.`);
    const json = await f.cli(["pi", "validate", akv, "--vault-uri", f.azure.lockedVaultUri, "-o", "json"]);
    expect(json.code).toBe(1);
    expect((JSON.parse(json.out) as { ready: boolean }).ready).toBe(false);
  });

  it("rejects what the server rejects, and usage errors", async () => {
    expectCleanError(await f.cli(["pi", "validate", akv, "--vault-uri", "https://evil.example.com"]), 1, "vault host \"evil.example.com\" is not allowed");
    expectCleanError(await f.cli(["pi", "validate", akv, "--vault-uri", f.azure.vaultUri, "--secret-identifier", "x"]), 2, "give --vault-uri or --secret-identifier, not both");
    expectCleanError(await f.cli(["pi", "create", "x"]), 2, "required flag \"cloud\" not set");
    expectCleanError(await f.cli(["pi", "create", "x", "--cloud", "aws"]), 2, "required flag \"customer-role-arn\" not set");
    expectCleanError(await f.cli(["pi", "create", "x", "--cloud", "gcp"]), 2, "invalid value \"gcp\" for flag \"--cloud\": expected one of azure, aws");
    expectCleanError(await f.cli(["pi", "update", akv]), 2, "required flag \"azure-tenant-id\" not set");
    expectCleanError(await f.cli(["pi", "list", "--cloud", "gcp"]), 2, "--cloud");
    expectCleanError(await f.cli(["pi", "nope"]), 2, "unknown command \"nope\" for \"vaultwire pi\"");
  });

  it("lists and describes, with the connectors that use it", async () => {
    const cluster = objectId(await f.ok(["kafka", "cluster", "create", "c", "--cloud", "azure", "--region", "westus3", "-o", "json"]));
    await f.ok(["kafka", "cluster", "use", cluster]);
    await f.writeFile("c.json", JSON.stringify(specConnector(f.azure.vaultUri, akv)));
    await f.ok(["connect", "cluster", "create", "--config-file", "c.json"]);
    await f.ok(["pi", "create", "spare", "--cloud", "azure"]);
    await expectGolden("provider-integration-list", await f.ok(["pi", "list", "--cloud", "azure"]));
    await expectGolden("provider-integration-describe", await f.ok(["pi", "describe", akv]));
    const json = JSON.parse(await f.ok(["pi", "describe", akv, "-o", "json"])) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(["id", "name", "provider", "environment", "status", "customer_azure_tenant_id", "confluent_multi_tenant_app_id", "credential_client_id", "customer_iam_role_arn", "iam_role_arn", "external_id", "usages", "created_at"]);
    expect(json.status).toBe("ACTIVE");
    expect(json.usages).toEqual([expect.stringMatching(new RegExp(`^crn://confluent.cloud/organization=[^/]+/environment=${env}/cloud-cluster=${cluster}/connector=SqlServerCdcSource1$`))]);
  });

  it("names an unknown id and lists the integrations that exist", async () => {
    const r = await f.cli(["pi", "describe", "cspi-00000000"]);
    expectCleanError(r, 1, "unknown provider integration ID \"cspi-00000000\"");
    expect(r.err).toContain(`Existing provider integrations in environment "${env}": ${akv} (sql-vault), `);
    expectCleanError(await f.cli(["pi", "describe", akv, "--environment", "env-00000000"]), 1, "unknown provider integration ID");
  });

  it("deletes an unused integration after asking", async () => {
    const spare = (JSON.parse(await f.ok(["pi", "list", "-o", "json"])) as { id: string; name: string }[]).find((i) => i.name === "spare")?.id ?? "";
    const both = await f.cli(["pi", "delete", spare, akv], { stdin: "y\n" });
    expectCleanError(both, 1, `provider integration "${akv}" is currently in use by 1 resource(s)`);
    expect(both.err).not.toContain("Are you sure");
    expect(await f.ok(["provider-integration", "delete", spare], { stdin: "y\n" })).toBe(`Deleted provider integration "${spare}".\n`);
  });

  it("shows help on every level, with examples", async () => {
    for (const noun of ["provider-integration", "pi"]) {
      const r = await f.cli([noun, "--help"]);
      expect(r.out).toContain("Aliases:\n  provider-integration, pi");
      for (const verb of ["create", "update", "describe", "list", "validate", "delete"]) expect((await f.cli([noun, verb, "--help"])).out).toContain("Examples:");
    }
  });
});
