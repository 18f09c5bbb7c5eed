// The emulator's managed identity endpoint (App Service / Container Apps
// style), driven through @azure/identity's real ManagedIdentityCredential:
// tokens for a vault, and the token for api://AzureADTokenExchange as a
// federated credential of an app (Microsoft's "managed identity as a
// federated identity credential").
//
// MSAL picks its managed identity source once per process (a static field of
// ManagedIdentityClient) from IDENTITY_ENDPOINT/IDENTITY_HEADER, so this file
// sets them before any credential asks for a token and keeps one emulator.
import { ClientAssertionCredential, ManagedIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient } from "../../src/cli/commands/dev-azure-client.js";
import { credentialOptions, failure, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

const VAULT_SCOPE = "https://vault.azure.net/.default";
const EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default";
/** Variables that would make MSAL or identity pick another source than App Service's. */
const MANAGED_IDENTITY_VARIABLES = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_FEDERATED_TOKEN_FILE"] as const;

let test: TestEmulator;
let saved: Record<string, string | undefined>;

beforeAll(async () => {
  test = await startTestEmulator();
  saved = Object.fromEntries(MANAGED_IDENTITY_VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of MANAGED_IDENTITY_VARIABLES) Reflect.deleteProperty(process.env, name);
  process.env.IDENTITY_ENDPOINT = test.emulator.managedIdentityEndpoint;
  process.env.IDENTITY_HEADER = test.emulator.managedIdentityHeader;
});

afterAll(async () => {
  for (const name of MANAGED_IDENTITY_VARIABLES) {
    const value = saved[name];
    if (value === undefined) Reflect.deleteProperty(process.env, name);
    else process.env[name] = value;
  }
  await test.close();
});

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

/** A platform tenant with a managed identity, and a customer tenant. */
function setUp(): { platform: string; customer: string; mi: { clientId: string; principalId: string; resourceId: string } } {
  const { emulator } = test;
  const platform = emulator.createTenant({ displayName: "platform" }).tenantId;
  const customer = emulator.createTenant({ displayName: "customer" }).tenantId;
  return { platform, customer, mi: emulator.createManagedIdentity({ tenantId: platform }) };
}

/** The app's credential whose client assertion is the managed identity's exchange token, as vaultwire builds it. */
function appCredential(tenantId: string, appId: string, mi: ManagedIdentityCredential): ClientAssertionCredential {
  return new ClientAssertionCredential(tenantId, appId, async () => (await mi.getToken(EXCHANGE_SCOPE)).token, credentialOptions(test.emulator));
}

describe("managed identity endpoint", () => {
  it("listens on 127.0.0.1 over plain HTTP and is listed by describe()", () => {
    const { emulator } = test;
    const { platform, mi } = setUp();
    expect(emulator.managedIdentityEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/);
    expect(emulator.managedIdentityHeader).not.toBe("");
    const description = emulator.describe();
    expect(description.managedIdentityEndpoint).toBe(emulator.managedIdentityEndpoint);
    expect(description.managedIdentities).toContainEqual({ ...mi, tenantId: platform, displayName: expect.stringMatching(/^mi-/) as unknown, systemAssigned: false });
    expect(emulator.managedIdentityIssuer(platform)).toBe(`${emulator.authorityHost}/${platform}/v2.0`);
  });

  it("gives a managed identity a vault token, so it can read a vault of its own tenant with a role", async () => {
    const { emulator } = test;
    const { platform, mi } = setUp();
    await emulator.createVault({ name: "mi-direct", tenantId: platform });
    emulator.setSecret("mi-direct", "db-password", "s3cret");
    const credential = new ManagedIdentityCredential({ clientId: mi.clientId });
    const token = await credential.getToken(VAULT_SCOPE);
    expect(claims(token.token)).toMatchObject({ aud: "https://vault.azure.net", tid: platform, appid: mi.clientId, oid: mi.principalId, xms_mirid: mi.resourceId });
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(23 * 3600 * 1000);

    const client = secretClient(emulator, emulator.vaultUri("mi-direct"), credential);
    expect((await failure(client.getSecret("db-password"))).details?.error?.innerError?.code).toBe("ForbiddenByRbac");
    emulator.assignRole("mi-direct", { principalObjectId: mi.principalId, role: "Key Vault Secrets User" });
    expect((await client.getSecret("db-password")).value).toBe("s3cret");
  });

  it("refuses a client id it does not have, as App Service does", async () => {
    const credential = new ManagedIdentityCredential({ clientId: "00000000-0000-4000-8000-000000000000" });
    const error = await failure(credential.getToken(VAULT_SCOPE));
    expect(error.name).toBe("CredentialUnavailableError");
    expect(error.message).toContain("Unable to load the proper Managed Identity.");
  });

  it("answers 400 with App Service's error body to a request without the right header", async () => {
    const { emulator } = test;
    const { mi } = setUp();
    const url = `${emulator.managedIdentityEndpoint}?api-version=2019-08-01&resource=${encodeURIComponent("https://vault.azure.net")}&client_id=${mi.clientId}`;
    for (const headers of [{}, { "X-IDENTITY-HEADER": "guessed" }]) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(400);
      const correlationId = response.headers.get("x-correlation-id");
      expect(await response.json()).toEqual({ statusCode: 400, message: expect.stringContaining("X-IDENTITY-HEADER") as unknown, correlationId });
    }
    const ok = await fetch(url, { headers: { "X-IDENTITY-HEADER": emulator.managedIdentityHeader } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ token_type: "Bearer", resource: "https://vault.azure.net", client_id: mi.clientId, expires_on: expect.stringMatching(/^\d{10}$/) as unknown });
  });

  it("creates managed identities through the admin API", async () => {
    const { emulator } = test;
    const admin = createAdminClient(emulator.authorityHost, emulator.caCertPem);
    const platform = emulator.createTenant().tenantId;
    const created = await admin.call("POST", "/managed-identities", { tenantId: platform, displayName: "from-admin" }) as { clientId: string; principalId: string };
    expect(emulator.describe().managedIdentities).toContainEqual(expect.objectContaining({ ...created, displayName: "from-admin", tenantId: platform }));
    await expect(admin.call("POST", "/managed-identities", { tenantId: platform, displayName: "from-admin" })).rejects.toThrow(/already exists/);
  });
});

describe("managed identity as a federated identity credential", () => {
  it("signs a multi-tenant app in to a customer tenant with the identity's exchange token", async () => {
    const { emulator } = test;
    const { platform, customer, mi } = setUp();
    const exchange = await new ManagedIdentityCredential({ clientId: mi.clientId }).getToken(EXCHANGE_SCOPE);
    expect(claims(exchange.token)).toMatchObject({ iss: `${emulator.authorityHost}/${platform}/v2.0`, sub: mi.principalId, aud: "fb60f99c-7a34-4190-8149-302f77469936", azp: mi.clientId, ver: "2.0" });

    const { appId } = emulator.createApp({ homeTenantId: platform, displayName: "platform app", multiTenant: true });
    emulator.addFederatedCredential(appId, { issuer: emulator.managedIdentityIssuer(platform), subject: mi.principalId });
    const { servicePrincipalObjectId } = emulator.consent(appId, customer);
    const token = await appCredential(customer, appId, new ManagedIdentityCredential({ clientId: mi.clientId })).getToken(VAULT_SCOPE);
    expect(claims(token.token)).toMatchObject({ tid: customer, appid: appId, oid: servicePrincipalObjectId, appidacr: "2", iss: `https://sts.windows.net/${customer}/` });
  });

  it("refuses the token when the app trusts another subject (AADSTS70021)", async () => {
    const { emulator } = test;
    const { platform, customer, mi } = setUp();
    const { appId } = emulator.createApp({ homeTenantId: platform, displayName: "platform app", multiTenant: true });
    emulator.addFederatedCredential(appId, { issuer: emulator.managedIdentityIssuer(platform), subject: "00000000-0000-4000-8000-000000000000" });
    emulator.consent(appId, customer);
    const error = await failure(appCredential(customer, appId, new ManagedIdentityCredential({ clientId: mi.clientId })).getToken(VAULT_SCOPE));
    expect(error.message).toContain(`AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${emulator.managedIdentityIssuer(platform)}'. Assertion Subject: '${mi.principalId}'. Assertion Audience: 'fb60f99c-7a34-4190-8149-302f77469936'.`);
  });

  it("refuses an app of another tenant than the identity's (AADSTS70021)", async () => {
    const { emulator } = test;
    const { platform, customer, mi } = setUp();
    const elsewhere = emulator.createTenant().tenantId;
    const { appId } = emulator.createApp({ homeTenantId: elsewhere, displayName: "foreign app", multiTenant: true });
    emulator.addFederatedCredential(appId, { issuer: emulator.managedIdentityIssuer(platform), subject: mi.principalId });
    emulator.consent(appId, customer);
    const error = await failure(appCredential(customer, appId, new ManagedIdentityCredential({ clientId: mi.clientId })).getToken(VAULT_SCOPE));
    expect(error.message).toContain("AADSTS70021");
  });

  it("refuses an exchange token whose claims were altered (AADSTS700027)", async () => {
    const { emulator } = test;
    const { platform, customer, mi } = setUp();
    const { appId } = emulator.createApp({ homeTenantId: platform, displayName: "platform app", multiTenant: true });
    const victim = "11111111-2222-4333-8444-555555555555";
    emulator.addFederatedCredential(appId, { issuer: emulator.managedIdentityIssuer(platform), subject: victim });
    emulator.consent(appId, customer);
    const genuine = (await new ManagedIdentityCredential({ clientId: mi.clientId }).getToken(EXCHANGE_SCOPE)).token;
    const [header = "", , signature = ""] = genuine.split(".");
    const forged = `${header}.${Buffer.from(JSON.stringify({ ...claims(genuine), sub: victim })).toString("base64url")}.${signature}`;
    const credential = new ClientAssertionCredential(customer, appId, () => Promise.resolve(forged), credentialOptions(emulator));
    expect((await failure(credential.getToken(VAULT_SCOPE))).message).toContain("AADSTS700027");
  });
});
