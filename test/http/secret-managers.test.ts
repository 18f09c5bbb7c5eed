// GET /pim/v2/secret-managers: where each manager's identifiers may point,
// from the same policies the server enforces (the console's Add connector
// form shows it from the start instead of learning it from an error).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAzureKeyVaultIdentifier } from "../../src/secret-managers/azure-key-vault/identifier.js";
import { vaultHostPolicyFrom } from "../../src/secret-managers/azure-key-vault/vault-host-policy.js";
import { ADMIN_KEY, seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

interface Manager { kind: string; id: string; provider: string; allowed_hosts: { patterns: string[]; hosts: string[] } }
interface ManagerList { api_version: string; kind: string; data: Manager[] }
interface V2Errors { errors: { status: string; detail: string }[] }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("GET /pim/v2/secret-managers on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  const MOTO = "http://127.0.0.1:5055";

  beforeAll(async () => {
    server = await startTestServer(target, azure, { settings: (s) => ({ ...s, aws: { ...s.aws, secretsManagerEndpoint: MOTO } }) });
    seed = await seedEnvironment(server, azure, "dev");
  });
  afterAll(async () => { await server.close(); });

  it("lists each supported manager with the operator's hosts and the clouds' patterns", async () => {
    const response = await server.api<ManagerList>("GET", "/pim/v2/secret-managers");
    expect(response.status, response.text).toBe(200);
    expect(response.body.api_version).toBe("pim/v2");
    expect(response.body.kind).toBe("SecretManagerList");
    expect(response.body.data.map((m) => [m.kind, m.id, m.provider])).toEqual([["SecretManager", "AZURE_KEY_VAULT", "AZURE"], ["SecretManager", "AWS_SECRETS_MANAGER", "AWS"]]);
    const [akv, aws] = response.body.data;
    expect(akv?.allowed_hosts.patterns).toEqual(["<vault-name>.vault.azure.net", "<vault-name>.vault.azure.cn", "<vault-name>.vault.usgovcloudapi.net", "<vault-name>.vault.microsoftazure.de"]);
    expect(akv?.allowed_hosts.hosts).toEqual([new URL(azure.vaultUri).host, new URL(azure.lockedVaultUri).host]);
    expect(aws?.allowed_hosts).toEqual({ patterns: ["secretsmanager.<region>.amazonaws.com", "secretsmanager.<region>.amazonaws.com.cn"], hosts: ["127.0.0.1:5055"] });
  });

  it("says exactly what validation enforces: the listed hosts pass, others are refused with the same list", async () => {
    const list = (await server.api<ManagerList>("GET", "/pim/v2/secret-managers")).body;
    const allowed = list.data.find((m) => m.id === "AZURE_KEY_VAULT")?.allowed_hosts ?? { patterns: [], hosts: [] };
    const policy = vaultHostPolicyFrom(allowed);
    if (!policy.ok) throw new Error(policy.error);
    expect(parseAzureKeyVaultIdentifier(`${azure.vaultUri}::sqlserver-db-secret`, policy.value).ok).toBe(true);
    expect(parseAzureKeyVaultIdentifier("https://my-vault.vault.azure.net::db", policy.value).ok).toBe(true);
    expect(parseAzureKeyVaultIdentifier("https://vault.example.com::db", policy.value).ok).toBe(false);
    // The server's own verdict on a host outside the list names the same hosts.
    const refused = await server.api<{ configs: { value: { name: string; errors: string[] } }[] }>("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, {
      "connector.class": "SqlServerCdcSourceV2", "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
      "secret.manager.managed.configs": "database.password", "database.password": "https://vault.example.com::db", "secret.manager.provider.integration.id": seed.integrationId,
    });
    const message = refused.body.configs.find((c) => c.value.name === "database.password")?.value.errors.join(" ") ?? "";
    expect(message).toContain("vault host \"vault.example.com\" is not allowed");
    for (const host of allowed.hosts) expect(message).toContain(host);
  });

  it("answers every API key, read-only ones included", async () => {
    const created = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "reader", resource: { id: seed.environmentId }, role: "Operator" } });
    expect(created.status, created.text).toBe(202);
    const reader = await server.api<ManagerList>("GET", "/pim/v2/secret-managers", undefined, { auth: { key: created.body.id, secret: created.body.spec.secret } });
    expect(reader.status).toBe(200);
    expect(reader.body.data).toHaveLength(2);
  });

  it("refuses a request without a valid key (401, the v2 error body) and other methods (405)", async () => {
    const anonymous = await server.api<V2Errors>("GET", "/pim/v2/secret-managers", undefined, { auth: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.errors[0]?.status).toBe("401");
    const wrong = await server.api<V2Errors>("GET", "/pim/v2/secret-managers", undefined, { auth: { key: ADMIN_KEY, secret: "not-the-secret-0000" } });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain(azure.vaultUri);
    const post = await server.api<V2Errors>("POST", "/pim/v2/secret-managers", {});
    expect(post.status).toBe(405);
  });
});

describe("a server whose AWS endpoint override is malformed", () => {
  it("does not start, and names the setting", async () => {
    const target = storeTargets()[0];
    if (!target) throw new Error("no store target");
    await expect(startTestServer(target, azure, { settings: (s) => ({ ...s, aws: { ...s.aws, secretsManagerEndpoint: "https://user:pw@sm.example.com" } }) }))
      .rejects.toThrow(/VAULTWIRE_AWS_SECRETS_MANAGER_ENDPOINT: AWS endpoint override secretsManager must not contain user information/);
  });
});
