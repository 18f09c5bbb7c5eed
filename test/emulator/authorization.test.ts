// Who may do what on the emulator's vaults, through the real SDKs: token
// audience and issuer, RBAC (vault and secret scope, built-in and custom
// roles), access policies in both error styles, and the firewall.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";
import type { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, failure, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

let test: TestEmulator;
let identity: ReturnType<typeof createIdentity>;

beforeAll(async () => {
  test = await startTestEmulator();
  identity = createIdentity(test.emulator);
});
afterAll(async () => { await test.close(); });

let vaultCount = 0;
async function vault(options: { permissionModel?: "rbac" | "accessPolicy"; accessPolicyErrorCode?: "ForbiddenByPolicy" | "AccessDenied"; cloud?: "public" | "china" | "usgov"; tenantId?: string } = {}): Promise<{ name: string; client: SecretClient }> {
  const name = `authz-${++vaultCount}`;
  const { vaultUri } = await test.emulator.createVault({ name, tenantId: identity.tenantId, location: "westus3", subscriptionId: "00000000-aaaa-4bbb-8ccc-000000000001", resourceGroup: "RG-Secrets", ...options });
  test.emulator.setSecret(name, "db-password", "p");
  test.emulator.setSecret(name, "other", "o");
  return { name, client: secretClient(test.emulator, vaultUri, identity.credential) };
}

async function names(client: SecretClient): Promise<string[]> {
  const result: string[] = [];
  for await (const properties of client.listPropertiesOfSecrets()) result.push(properties.name);
  return result;
}

function callerOf(tenantId = identity.tenantId, objectId = identity.objectId): string {
  return `appid=${identity.appId};oid=${objectId};iss=https://sts.windows.net/${tenantId}/`;
}

describe("RBAC", () => {
  it("denies get without a role: 403 ForbiddenByRbac naming the action, the secret and the caller", async () => {
    const { name, client } = await vault();
    const error = await failure(client.getSecret("db-password"));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe("Forbidden");
    expect(error.details?.error?.innerError?.code).toBe("ForbiddenByRbac");
    expect(error.message).toBe(
      "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"
      + `Caller: ${callerOf()}\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\n`
      + `Resource: '/subscriptions/00000000-aaaa-4bbb-8ccc-000000000001/resourcegroups/rg-secrets/providers/microsoft.keyvault/vaults/${name}/secrets/db-password'\r\n`
      + `Assignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: ${name};location=westus3\r\n`,
    );
    // A missing secret is denied too: authorization comes before lookup.
    expect((await failure(client.getSecret("no-such-secret"))).statusCode).toBe(403);
  });

  it("denies list without readMetadata at vault scope", async () => {
    const { client } = await vault();
    // The SDK's pager keeps only status and code ("Pagination failed with unexpected statusCode 403");
    // the message naming readMetadata is checked on the wire in fidelity.test.ts.
    const error = await failure(names(client));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe("Forbidden");
  });

  it("lets Key Vault Secrets User get and list but not set; 404 then means get is authorized", async () => {
    const { name, client } = await vault();
    test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
    expect((await client.getSecret("db-password")).value).toBe("p");
    expect(await names(client)).toEqual(["db-password", "other"]);
    expect((await failure(client.getSecret("probe-that-does-not-exist"))).statusCode).toBe(404);
    const error = await failure(client.setSecret("db-password", "new"));
    expect(error.statusCode).toBe(403);
    expect(error.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'");
  });

  it("lets Key Vault Reader list but not read values", async () => {
    const { name, client } = await vault();
    test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Reader" });
    expect(await names(client)).toEqual(["db-password", "other"]);
    expect((await failure(client.getSecret("db-password"))).details?.error?.innerError?.code).toBe("ForbiddenByRbac");
  });

  it("scopes an assignment to one secret: that secret only, and no listing", async () => {
    const { name, client } = await vault();
    test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets User", secretName: "DB-PASSWORD" });
    expect((await client.getSecret("db-password")).value).toBe("p");
    expect((await failure(client.getSecret("other"))).statusCode).toBe(403);
    expect((await failure(names(client))).statusCode).toBe(403);
  });

  it("supports custom data actions and removing assignments", async () => {
    const { name, client } = await vault();
    const { assignmentId } = test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: { dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action"] } });
    expect((await client.getSecret("other")).value).toBe("o");
    expect((await failure(names(client))).statusCode).toBe(403);
    test.emulator.removeRoleAssignment(name, assignmentId);
    expect((await failure(client.getSecret("other"))).statusCode).toBe(403);
  });
});

describe("access policies", () => {
  it.each(["ForbiddenByPolicy", "AccessDenied"] as const)("deny with innererror %s and the service's wording", async (accessPolicyErrorCode) => {
    const { name, client } = await vault({ permissionModel: "accessPolicy", accessPolicyErrorCode });
    test.emulator.setAccessPolicy(name, identity.objectId, ["list"]);
    expect(await names(client)).toEqual(["db-password", "other"]);
    const error = await failure(client.getSecret("db-password"));
    expect(error.statusCode).toBe(403);
    expect(error.details?.error?.innerError?.code).toBe(accessPolicyErrorCode);
    expect(error.message).toBe(`The user, group or application '${callerOf()}' does not have secrets get permission on key vault '${name};location=westus3'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`);
    test.emulator.setAccessPolicy(name, identity.objectId, ["get"]);
    expect((await client.getSecret("db-password")).value).toBe("p");
    expect((await failure(names(client))).statusCode).toBe(403);
  });

  it("ignore role assignments", async () => {
    const { name, client } = await vault({ permissionModel: "accessPolicy" });
    test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets Officer" });
    expect((await failure(client.getSecret("db-password"))).details?.error?.innerError?.code).toBe("ForbiddenByPolicy");
  });
});

describe("tokens the vault refuses", () => {
  /** A credential that always asks for the public cloud's vault audience, whatever the challenge says. */
  class PinnedScopeCredential implements TokenCredential {
    constructor(private readonly inner: TokenCredential, private readonly scope: string) {}
    getToken(_scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      return this.inner.getToken(this.scope, options);
    }
  }
  /** A credential that ignores the tenant of the challenge (its own tenant's token). */
  class IgnoreTenantCredential implements TokenCredential {
    constructor(private readonly inner: TokenCredential) {}
    getToken(scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> {
      const withoutTenant: GetTokenOptions = { ...options };
      delete withoutTenant.tenantId;
      return this.inner.getToken(scopes, withoutTenant);
    }
  }

  it("challenges per cloud and refuses another cloud's audience with AKV10022", async () => {
    const { name } = await vault({ cloud: "china" });
    test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
    const good = secretClient(test.emulator, test.emulator.vaultUri(name), identity.credential);
    expect((await good.getSecret("db-password")).value).toBe("p");

    const pinned = secretClient(test.emulator, test.emulator.vaultUri(name), new PinnedScopeCredential(identity.credential, "https://vault.azure.net/.default"));
    const error = await failure(pinned.getSecret("db-password"));
    expect(error.statusCode).toBe(401);
    expect(error.code).toBe("Unauthorized");
    expect(error.message).toBe("AKV10022: Invalid audience. Expected https://vault.azure.cn, found: https://vault.azure.net.");
    expect(error.response?.headers.get("www-authenticate")).toBe(`Bearer authorization="${test.emulator.authorityHost}/${identity.tenantId}", resource="https://vault.azure.cn"`);
  });

  it("refuses a token of another tenant with AKV10032", async () => {
    const { emulator } = test;
    const { tenantId: vaultTenant } = emulator.createTenant();
    const { name } = await vault({ tenantId: vaultTenant });
    const client = secretClient(emulator, emulator.vaultUri(name), new IgnoreTenantCredential(identity.credential));
    const error = await failure(client.getSecret("db-password"));
    expect(error.statusCode).toBe(401);
    expect(error.message).toBe(`AKV10032: Invalid issuer. Expected one of https://sts.windows.net/${vaultTenant}/, found https://sts.windows.net/${identity.tenantId}/.`);
  });

  it("reaches a vault in a customer tenant through a consented multi-tenant app", async () => {
    const { emulator } = test;
    const platform = createIdentity(emulator, { multiTenant: true });
    const { tenantId: customer } = emulator.createTenant();
    const { servicePrincipalObjectId } = emulator.consent(platform.appId, customer);
    const { vaultUri } = await emulator.createVault({ name: "customer-vault", tenantId: customer });
    emulator.setSecret("customer-vault", "s", "v");
    emulator.assignRole("customer-vault", { principalObjectId: servicePrincipalObjectId, role: "Key Vault Secrets User" });
    const { ClientSecretCredential } = await import("@azure/identity");
    const credential = new ClientSecretCredential(platform.tenantId, platform.appId, platform.secret, {
      authorityHost: emulator.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emulator.caCertPem }, additionallyAllowedTenants: ["*"],
    });
    expect((await secretClient(emulator, vaultUri, credential).getSecret("s")).value).toBe("v");
  });
});

describe("the firewall", () => {
  it("refuses every authenticated call with 403 ForbiddenByFirewall, and lets them through when off", async () => {
    const { name, client } = await vault();
    test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
    test.emulator.setFirewall(name, true);
    const error = await failure(client.getSecret("db-password"));
    expect(error.statusCode).toBe(403);
    expect(error.details?.error?.innerError?.code).toBe("ForbiddenByFirewall");
    expect(error.message).toBe(`Client address is not authorized and caller is not a trusted service.\r\nClient address: 127.0.0.1\r\nCaller: ${callerOf()}\r\nVault: ${name};location=westus3`);
    test.emulator.setFirewall(name, false);
    expect((await client.getSecret("db-password")).value).toBe("p");
  });
});
