// The emulator's Entra ID, driven only through @azure/identity's real
// credentials: every way to get a token and the service's errors.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential, WorkloadIdentityCredential } from "@azure/identity";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSelfSignedCertificate } from "../../src/emulator/azure/index.js";
import { createIdentity, credentialOptions, failure, startTestEmulator, type TestEmulator } from "./helpers.js";

const VAULT_SCOPE = "https://vault.azure.net/.default";
let test: TestEmulator;

beforeAll(async () => { test = await startTestEmulator(); });
afterAll(async () => { await test.close(); });

function claims(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

describe("Entra ID tokens", () => {
  it("issues a v1 access token for a client secret, with the app's service principal as oid", async () => {
    const { emulator } = test;
    const { tenantId, appId, objectId, credential } = createIdentity(emulator);
    const token = await credential.getToken(VAULT_SCOPE);
    expect(token.expiresOnTimestamp - Date.now()).toBeGreaterThan(3500_000);
    const c = claims(token.token);
    expect(c).toMatchObject({ aud: "https://vault.azure.net", iss: `https://sts.windows.net/${tenantId}/`, tid: tenantId, appid: appId, oid: objectId, sub: objectId, appidacr: "1", ver: "1.0" });
    expect(Number(c.exp) - Number(c.iat)).toBe(3599);
    expect(JSON.parse(Buffer.from(token.token.split(".")[0] ?? "", "base64url").toString())).toMatchObject({ alg: "RS256", typ: "JWT" });
  });

  it("issues tokens for a registered certificate (PS256 assertion with x5t#S256)", async () => {
    const { emulator } = test;
    const { tenantId, appId } = createIdentity(emulator);
    const { certificatePem, privateKeyPem } = await createSelfSignedCertificate({ commonName: "vaultwire" });
    emulator.addCertificate(appId, certificatePem);
    const credential = new ClientCertificateCredential(tenantId, appId, { certificate: `${certificatePem}${privateKeyPem}` }, credentialOptions(emulator));
    expect(claims((await credential.getToken(VAULT_SCOPE)).token)).toMatchObject({ appid: appId, appidacr: "2" });
  });

  it("refuses a certificate that is not registered on the app (AADSTS700027)", async () => {
    const { emulator } = test;
    const { tenantId, appId } = createIdentity(emulator);
    const stranger = await createSelfSignedCertificate({ commonName: "stranger" });
    const credential = new ClientCertificateCredential(tenantId, appId, { certificate: `${stranger.certificatePem}${stranger.privateKeyPem}` }, credentialOptions(emulator));
    const error = await failure(credential.getToken(VAULT_SCOPE));
    expect(error.message).toContain("invalid_client");
    expect(error.message).toContain("AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found.");
  });

  it("refuses an assertion signed by another key than the registered certificate's", async () => {
    const { emulator } = test;
    const { tenantId, appId } = createIdentity(emulator);
    const registered = await createSelfSignedCertificate({ commonName: "registered" });
    const other = await createSelfSignedCertificate({ commonName: "other" });
    emulator.addCertificate(appId, registered.certificatePem);
    // The registered certificate (so x5t#S256 matches) with another private key.
    const credential = new ClientCertificateCredential(tenantId, appId, { certificate: `${registered.certificatePem}${other.privateKeyPem}` }, credentialOptions(emulator));
    const error = await failure(credential.getToken(VAULT_SCOPE));
    expect(error.message).toContain("AADSTS700027: Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed.");
  });

  it("exchanges a federated token of the emulator's issuer (ClientAssertionCredential)", async () => {
    const { emulator } = test;
    const { tenantId, appId, objectId } = createIdentity(emulator);
    emulator.addFederatedCredential(appId, { issuer: emulator.oidcIssuer, subject: "system:serviceaccount:connect:worker" });
    const credential = new ClientAssertionCredential(tenantId, appId, () => Promise.resolve(emulator.mintFederatedToken({ subject: "system:serviceaccount:connect:worker" })), credentialOptions(emulator));
    expect(claims((await credential.getToken(VAULT_SCOPE)).token)).toMatchObject({ oid: objectId, appidacr: "2" });
  });

  it("exchanges a workload identity token file (WorkloadIdentityCredential)", async () => {
    const { emulator } = test;
    const { tenantId, appId } = createIdentity(emulator);
    emulator.addFederatedCredential(appId, { issuer: emulator.oidcIssuer, subject: "repo:acme/app:ref:refs/heads/main", audience: "api://custom" });
    const dir = await mkdtemp(join(tmpdir(), "vaultwire-wi-"));
    try {
      const tokenFilePath = join(dir, "token");
      await writeFile(tokenFilePath, emulator.mintFederatedToken({ subject: "repo:acme/app:ref:refs/heads/main", audience: "api://custom" }));
      const credential = new WorkloadIdentityCredential({ tenantId, clientId: appId, tokenFilePath, ...credentialOptions(emulator) });
      expect(claims((await credential.getToken(VAULT_SCOPE)).token)).toMatchObject({ appid: appId, tid: tenantId });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ["subject", { subject: "system:serviceaccount:other:sa" }],
    ["audience", { subject: "system:serviceaccount:connect:worker", audience: "api://elsewhere" }],
  ])("refuses a federated token whose %s matches no federated credential (AADSTS70021)", async (_what, token) => {
    const { emulator } = test;
    const { tenantId, appId } = createIdentity(emulator);
    emulator.addFederatedCredential(appId, { issuer: emulator.oidcIssuer, subject: "system:serviceaccount:connect:worker" });
    const credential = new ClientAssertionCredential(tenantId, appId, () => Promise.resolve(emulator.mintFederatedToken(token)), credentialOptions(emulator));
    const error = await failure(credential.getToken(VAULT_SCOPE));
    expect(error.message).toContain("invalid_request");
    expect(error.message).toContain(`AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: '${emulator.oidcIssuer}'. Assertion Subject: '${token.subject}'.`);
  });

  it("refuses an expired federated token (AADSTS700024)", async () => {
    const { emulator } = test;
    const { tenantId, appId } = createIdentity(emulator);
    emulator.addFederatedCredential(appId, { issuer: emulator.oidcIssuer, subject: "sa" });
    const expired = emulator.mintFederatedToken({ subject: "sa", expiresInSeconds: -600 });
    const credential = new ClientAssertionCredential(tenantId, appId, () => Promise.resolve(expired), credentialOptions(emulator));
    expect((await failure(credential.getToken(VAULT_SCOPE))).message).toContain("AADSTS700024: Client assertion is not within its valid time range.");
  });

  it("refuses a wrong client secret (AADSTS7000215)", async () => {
    const { emulator } = test;
    const { tenantId, appId } = createIdentity(emulator);
    const error = await failure(new ClientSecretCredential(tenantId, appId, "not-the-secret", credentialOptions(emulator)).getToken(VAULT_SCOPE));
    expect(error.name).toBe("AuthenticationRequiredError");
    expect(error.message).toContain("invalid_client");
    expect(error.message).toContain(`AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${appId}'.`);
  });

  it("fails discovery for an unknown tenant, as MSAL does against the real service", async () => {
    const { emulator } = test;
    const { appId, secret } = createIdentity(emulator);
    const error = await failure(new ClientSecretCredential("00000000-1111-4222-8333-444444444444", appId, secret, credentialOptions(emulator)).getToken(VAULT_SCOPE));
    expect(error.message).toContain("endpoints_resolution_error");
  });

  it("needs consent before a multi-tenant app gets tokens in another tenant (AADSTS700016)", async () => {
    const { emulator } = test;
    const { appId, secret } = createIdentity(emulator, { multiTenant: true });
    const { tenantId: customer } = emulator.createTenant({ displayName: "Fabrikam" });
    const credential = new ClientSecretCredential(customer, appId, secret, credentialOptions(emulator));
    const error = await failure(credential.getToken(VAULT_SCOPE));
    expect(error.message).toContain("unauthorized_client");
    expect(error.message).toContain(`AADSTS700016: Application with identifier '${appId}' was not found in the directory 'Fabrikam'.`);

    const { servicePrincipalObjectId } = emulator.consent(appId, customer);
    expect(emulator.consent(appId, customer).servicePrincipalObjectId).toBe(servicePrincipalObjectId);
    expect(emulator.servicePrincipalObjectId(appId, customer)).toBe(servicePrincipalObjectId);
    const fresh = new ClientSecretCredential(customer, appId, secret, credentialOptions(emulator));
    expect(claims((await fresh.getToken(VAULT_SCOPE)).token)).toMatchObject({ tid: customer, oid: servicePrincipalObjectId, iss: `https://sts.windows.net/${customer}/` });
  });

  it("issues tokens for the requested resource (another cloud's vault)", async () => {
    const { emulator } = test;
    const { credential } = createIdentity(emulator);
    expect(claims((await credential.getToken("https://vault.azure.cn/.default")).token).aud).toBe("https://vault.azure.cn");
  });
});
