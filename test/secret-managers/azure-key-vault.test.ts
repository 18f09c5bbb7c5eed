// The Azure Key Vault secret manager through the real SDKs, against the local
// Azure emulator over HTTPS: every mapped failure, dedupe, throttling, the
// cache and single flight, permission probes and each kind of identity.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseAzureKeyVaultIdentifier, type AzureKeyVaultSecretIdentifier } from "../../src/secret-managers/azure-key-vault/identifier.js";
import { createVaultHostPolicy } from "../../src/secret-managers/azure-key-vault/vault-host-policy.js";
import { startAzureEmulator, type AzureEmulator } from "../../src/emulator/azure/index.js";
import { createSelfSignedCertificate } from "../../src/emulator/azure/x509-builder.js";
import { createAzureKeyVaultSecretManager, type AzureIntegration, type AzureKeyVaultSettings } from "../../src/secret-managers/azure-key-vault/index.js";
import type { SecretResult } from "../../src/secret-managers/secret-manager.js";

const CANARY_PASSWORD = "Canary-Pa55-7c4e1b9a";
const CANARY_USER = "canary-user-2f81";

let emulator: AzureEmulator;
let stateDir: string;
let platformTenant: string;
let customerTenant: string;
let otherTenant: string;
let appId: string;
let appSecret: string;
let spObjectId: string;
let vault: string;
let hosts: string[];

const vaults = {
  main: "main-vault",
  reader: "reader-vault",
  scoped: "scoped-vault",
  policy: "policy-vault",
  legacyPolicy: "legacy-policy-vault",
  other: "other-tenant-vault",
};

function identifier(vaultUri: string, rest: string): AzureKeyVaultSecretIdentifier {
  const policy = createVaultHostPolicy({ extraHosts: hosts });
  if (!policy.ok) throw new Error(policy.error);
  const parsed = parseAzureKeyVaultIdentifier(`${vaultUri}::${rest}`, policy.value);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function settings(overrides: Partial<AzureKeyVaultSettings> = {}): AzureKeyVaultSettings {
  return {
    cloud: "public",
    authorityHost: emulator.authorityHost,
    platformIdentity: { method: "client-secret", clientId: appId, clientSecret: appSecret },
    caCertificatesPem: emulator.caCertPem,
    emulatorHosts: hosts,
    retry: { maxAttempts: 8, baseDelayMs: 50, maxDelayMs: 400 },
    fetchDeadlineMs: 15_000,
    ...overrides,
  };
}

const integration = (): AzureIntegration => ({ id: "cspi-it01", customerTenantId: customerTenant });

function codeOf(result: SecretResult | undefined): string {
  if (result === undefined) return "missing";
  return result.ok ? "ok" : result.error.code;
}

function expectFailure(result: SecretResult | undefined, code: string, fragment: string): void {
  expect(result?.ok).toBe(false);
  if (result?.ok !== false) return;
  expect(result.error.code).toBe(code);
  expect(result.error.message).toContain(fragment);
  expect(result.error.message).not.toContain(CANARY_PASSWORD);
  expect(result.error.message).not.toContain(CANARY_USER);
}

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "vaultwire-azure-it-"));
  emulator = await startAzureEmulator({ stateDir });
  platformTenant = emulator.createTenant({ displayName: "vaultwire platform" }).tenantId;
  customerTenant = emulator.createTenant({ displayName: "customer" }).tenantId;
  otherTenant = emulator.createTenant({ displayName: "other" }).tenantId;
  ({ appId } = emulator.createApp({ homeTenantId: platformTenant, displayName: "vaultwire", multiTenant: true }));
  ({ secret: appSecret } = emulator.addClientSecret(appId));
  ({ servicePrincipalObjectId: spObjectId } = emulator.consent(appId, customerTenant));
  for (const name of Object.values(vaults)) {
    const tenantId = name === vaults.other ? otherTenant : customerTenant;
    const permissionModel = name === vaults.policy || name === vaults.legacyPolicy ? "accessPolicy" : "rbac";
    await emulator.createVault({ name, tenantId, permissionModel, ...(name === vaults.legacyPolicy ? { accessPolicyErrorCode: "AccessDenied" as const } : {}) });
  }
  vault = emulator.vaultUri(vaults.main);
  hosts = [...Object.values(vaults).map((name) => new URL(emulator.vaultUri(name)).host), "missing-vault.localhost:8443"];
  emulator.assignRole(vaults.main, { principalObjectId: spObjectId, role: "Key Vault Secrets User" });
  emulator.assignRole(vaults.reader, { principalObjectId: spObjectId, role: "Key Vault Reader" });
  emulator.assignRole(vaults.scoped, { principalObjectId: spObjectId, role: "Key Vault Secrets User", secretName: "allowed" });
  for (const name of Object.values(vaults)) {
    emulator.setSecret(name, "db-credentials", JSON.stringify({ user: CANARY_USER, password: CANARY_PASSWORD, port: 5432 }), { contentType: "application/json" });
    emulator.setSecret(name, "allowed", "x");
  }
  emulator.setSecret(vaults.main, "plain", CANARY_PASSWORD);
  emulator.setSecret(vaults.main, "second", JSON.stringify({ a: "1", b: "2" }));
  emulator.setSecret(vaults.main, "disabled", "x", { enabled: false });
  emulator.setSecret(vaults.main, "future", "x", { notBefore: new Date(Date.now() + 86_400_000) });
  emulator.setSecret(vaults.main, "expired", "x", { expiresOn: new Date(Date.now() - 86_400_000) });
});

afterAll(async () => {
  await emulator.stop();
  await rm(stateDir, { recursive: true, force: true });
});

beforeEach(() => {
  emulator.resetRequestCounts();
  emulator.setFaults(vaults.main, null);
  emulator.setThrottle(vaults.main, null);
  emulator.setFirewall(vaults.main, false);
});

describe("fetch through the real SDKs", () => {
  it("reads JSON keys and plaintext secrets with their version", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const results = await manager.fetch(integration(), [
      { key: "database.user", identifier: identifier(vault, "db-credentials::user") },
      { key: "database.password", identifier: identifier(vault, "DB-Credentials::password") },
      { key: "database.port", identifier: identifier(vault, "db-credentials::port") },
      { key: "raw", identifier: identifier(vault, "plain") },
    ]);
    expect(results.map((r) => (r.ok ? r.value.reveal() : r.error.message))).toEqual([CANARY_USER, CANARY_PASSWORD, "5432", CANARY_PASSWORD]);
    expect(results.every((r) => r.ok && /^[0-9a-f]{32}$/.test(r.version))).toBe(true);
    expect(emulator.requestCounts(vaults.main).byOperation.get).toBe(2);
  });

  it("reads a secret's exp through the SDK as expiresAt, and a later change of it on a live read", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const exp = new Date(Math.floor(Date.now() / 1000) * 1000 + 10 * 86_400_000);
    emulator.setSecret(vaults.main, "expiring", "x", { expiresOn: exp });
    const request = [{ key: "database.password", identifier: identifier(vault, "expiring") }];
    const [first] = await manager.fetch(integration(), request);
    expect(first?.ok === true && first.expiresAt).toBe(exp.toISOString());
    const later = new Date(exp.getTime() + 30 * 86_400_000);
    emulator.updateSecret(vaults.main, "expiring", { expiresOn: later });
    const [cached] = await manager.fetch(integration(), request);
    expect(cached?.ok === true && cached.expiresAt).toBe(exp.toISOString());
    const [live] = await manager.fetch(integration(), request, { live: true });
    expect(live?.ok === true && live.expiresAt).toBe(later.toISOString());
    emulator.updateSecret(vaults.main, "expiring", { expiresOn: null });
    const [cleared] = await manager.fetch(integration(), request, { live: true });
    expect(cleared?.ok === true && cleared.expiresAt).toBeUndefined();
  });

  it("makes exactly 2 GETs for 10 connectors × 4 fields on 2 secrets", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const connector = (i: number) => manager.fetch(integration(), [
      { key: `c${i}.user`, identifier: identifier(vault, "db-credentials::user") },
      { key: `c${i}.password`, identifier: identifier(vault, "db-credentials::password") },
      { key: `c${i}.a`, identifier: identifier(vault, "second::a") },
      { key: `c${i}.b`, identifier: identifier(vault, "second::b") },
    ]);
    const all = await Promise.all(Array.from({ length: 10 }, (_, i) => connector(i)));
    expect(all.flat().every((r) => r.ok)).toBe(true);
    expect(emulator.requestCounts(vaults.main).byOperation.get).toBe(2);
  });

  it("answers 200 concurrent fetches with one GET per secret, then from the cache", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const requests = [{ key: "p", identifier: identifier(vault, "db-credentials::password") }, { key: "s", identifier: identifier(vault, "second::a") }];
    const all = await Promise.all(Array.from({ length: 200 }, () => manager.fetch(integration(), requests)));
    expect(all.flat().every((r) => r.ok)).toBe(true);
    expect(emulator.requestCounts(vaults.main).byOperation.get).toBe(2);
    await manager.fetch(integration(), requests);
    expect(emulator.requestCounts(vaults.main).byOperation.get).toBe(2);
  });

  it.each([
    ["missing", "SECRET_NOT_FOUND", "secret \"missing\" was not found in vault"],
    ["disabled", "SECRET_DISABLED", "secret \"disabled\" is disabled"],
    ["future", "SECRET_NOT_YET_VALID", "is not valid before"],
    ["expired", "SECRET_EXPIRED", "expired at"],
    ["db-credentials::username", "JSON_KEY_MISSING", "its keys are \"user\", \"password\", \"port\""],
    ["plain::user", "JSON_NOT_OBJECT", "its value is not JSON"],
  ])("maps %s to %s", async (rest, code, fragment) => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const [result] = await manager.fetch(integration(), [{ key: "database.password", identifier: identifier(vault, rest) }]);
    expectFailure(result, code, fragment);
    expect(result?.ok === false && result.error.message).toContain(`database.password (${vault}::${rest}): `);
  });

  it("explains an RBAC denial naming getSecret and the role", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const [result] = await manager.fetch(integration(), [{ key: "database.password", identifier: identifier(emulator.vaultUri(vaults.reader), "db-credentials::password") }]);
    expectFailure(result, "PERMISSION_DENIED_RBAC", "denied the permission getSecret (Get Secret) (Microsoft.KeyVault/vaults/secrets/getSecret/action). Assign the role \"Key Vault Secrets User\"");
  });

  it("honours a role granted on one secret only", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const scoped = emulator.vaultUri(vaults.scoped);
    const [allowed, denied] = await manager.fetch(integration(), [
      { key: "a", identifier: identifier(scoped, "allowed") },
      { key: "b", identifier: identifier(scoped, "db-credentials::password") },
    ]);
    expect(allowed?.ok).toBe(true);
    expectFailure(denied, "PERMISSION_DENIED_RBAC", "getSecret");
  });

  it.each([
    [vaults.policy, "(ForbiddenByPolicy)"],
    [vaults.legacyPolicy, "(AccessDenied)"],
  ])("explains an access-policy denial on %s", async (name, fragment) => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(emulator.vaultUri(name), "allowed") }]);
    expectFailure(result, "PERMISSION_DENIED_ACCESS_POLICY", fragment);
  });

  it("reads through an access policy once it is granted", async () => {
    emulator.setAccessPolicy(vaults.policy, spObjectId, ["get", "list"]);
    const manager = createAzureKeyVaultSecretManager(settings());
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(emulator.vaultUri(vaults.policy), "allowed") }]);
    expect(result?.ok).toBe(true);
    emulator.setAccessPolicy(vaults.policy, spObjectId, []);
  });

  it("explains the firewall", async () => {
    emulator.setFirewall(vaults.main, true);
    const manager = createAzureKeyVaultSecretManager(settings());
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expectFailure(result, "FIREWALL", "firewall");
  });

  it("explains a vault in another tenant", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(emulator.vaultUri(vaults.other), "allowed") }]);
    expect(["WRONG_TENANT", "APP_NOT_CONSENTED"]).toContain(codeOf(result));
  });

  it("explains an unresolvable vault host and an untrusted certificate", async () => {
    const manager = createAzureKeyVaultSecretManager(settings({ fetchDeadlineMs: 8_000 }));
    const [unresolvable] = await manager.fetch(integration(), [{ key: "k", identifier: identifier("https://missing-vault.localhost:8443", "plain") }]);
    expectFailure(unresolvable, "VAULT_HOST_UNRESOLVABLE", "cannot be resolved");
    const untrusting = createAzureKeyVaultSecretManager(settings({ caCertificatesPem: "" }));
    const [tls] = await untrusting.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expect(["TLS_FAILURE", "CREDENTIAL_UNAVAILABLE"]).toContain(codeOf(tls));
  });

  /** Lifts the vault's throttle once it has answered `count` GETs (with 429s). */
  async function liftThrottleAfter(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((emulator.requestCounts(vaults.main).byOperation.get ?? 0) < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    emulator.setThrottle(vaults.main, null);
  }

  it("recovers from throttling without Retry-After within the deadline", async () => {
    emulator.setThrottle(vaults.main, { limitPer10Seconds: 0 });
    const manager = createAzureKeyVaultSecretManager(settings());
    const [[result]] = await Promise.all([manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]), liftThrottleAfter(3)]);
    expect(result?.ok).toBe(true);
    expect(emulator.requestCounts(vaults.main).byOperation.get).toBeGreaterThanOrEqual(4);
  });

  it("recovers from throttling with Retry-After, waiting as asked", async () => {
    emulator.setThrottle(vaults.main, { limitPer10Seconds: 0, retryAfterSeconds: 1 });
    const manager = createAzureKeyVaultSecretManager(settings());
    const started = Date.now();
    const [[result]] = await Promise.all([manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]), liftThrottleAfter(1)]);
    expect(result?.ok).toBe(true);
    expect(emulator.requestCounts(vaults.main).byOperation.get).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it("gives up on persistent throttling at the deadline with THROTTLED", async () => {
    emulator.setThrottle(vaults.main, { limitPer10Seconds: 0 });
    const manager = createAzureKeyVaultSecretManager(settings({ fetchDeadlineMs: 1_500 }));
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expect(["THROTTLED", "TIMEOUT"]).toContain(codeOf(result));
  });

  it("retries 5xx answers and dropped connections", async () => {
    emulator.setFaults(vaults.main, { failNext: { count: 2, status: 503 } });
    const manager = createAzureKeyVaultSecretManager(settings());
    const [afterErrors] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expect(afterErrors?.ok).toBe(true);
    emulator.setFaults(vaults.main, { dropNext: 2 });
    const [afterDrops] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "second::a") }]);
    expect(afterDrops?.ok).toBe(true);
  });

  it("times out a vault that does not answer", async () => {
    emulator.setFaults(vaults.main, { latencyMs: 5_000 });
    const manager = createAzureKeyVaultSecretManager(settings({ fetchDeadlineMs: 1_000 }));
    const started = Date.now();
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expectFailure(result, "TIMEOUT", "no answer from vault");
    expect(Date.now() - started).toBeLessThan(4_000);
  });
});

describe("identities", () => {
  it.each([
    ["a wrong client secret", () => ({ platformIdentity: { method: "client-secret" as const, clientId: appId, clientSecret: "wrong" } }), "INVALID_CLIENT_SECRET", "AADSTS7000215"],
  ])("explains %s", async (_label, overrides, code, fragment) => {
    const manager = createAzureKeyVaultSecretManager(settings(overrides()));
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expectFailure(result, code, fragment);
  });

  it("explains an unknown tenant and a tenant that has not consented", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    // The vault answers its challenge with its own tenant, which is not the integration's.
    const [unknown] = await manager.fetch({ id: "cspi-x", customerTenantId: "00000000-0000-0000-0000-00000000dead" }, [{ key: "k", identifier: identifier(vault, "plain") }]);
    expectFailure(unknown, "WRONG_TENANT", "belongs to another Entra ID tenant than provider integration \"cspi-x\" (tenant 00000000-0000-0000-0000-00000000dead)");
    const validation = await manager.validateIntegration({ id: "cspi-x", customerTenantId: "00000000-0000-0000-0000-00000000dead" }, { vaultUri: vault });
    expect(validation.token).toMatchObject({ ok: false, code: "UNKNOWN_TENANT" });
    expect(validation.token.message).toContain("AADSTS90002");
    const [noConsent] = await manager.fetch({ id: "cspi-y", customerTenantId: otherTenant }, [{ key: "k", identifier: identifier(emulator.vaultUri(vaults.other), "allowed") }]);
    expectFailure(noConsent, "APP_NOT_CONSENTED", `adminconsent?client_id=${appId}`);
  });

  it("signs in with a client certificate", async () => {
    const { certificatePem, privateKeyPem } = await createSelfSignedCertificate({ commonName: "vaultwire-test", keyType: "rsa" });
    const pem = `${certificatePem}\n${privateKeyPem}`;
    const { appId: certApp } = emulator.createApp({ homeTenantId: platformTenant, displayName: "vaultwire-cert", multiTenant: true });
    emulator.addCertificate(certApp, certificatePem);
    const { servicePrincipalObjectId } = emulator.consent(certApp, customerTenant);
    emulator.assignRole(vaults.main, { principalObjectId: servicePrincipalObjectId, role: "Key Vault Secrets User" });
    const manager = createAzureKeyVaultSecretManager(settings({ platformIdentity: { method: "client-certificate", clientId: certApp, certificatePem: pem } }));
    const [result] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "db-credentials::user") }]);
    expect(result?.ok && result.value.reveal()).toBe(CANARY_USER);
  });

  it("signs in with workload identity federation, and explains a subject mismatch", async () => {
    const { appId: wiApp } = emulator.createApp({ homeTenantId: platformTenant, displayName: "vaultwire-wi", multiTenant: true });
    emulator.addFederatedCredential(wiApp, { issuer: emulator.oidcIssuer, subject: "system:serviceaccount:vaultwire:server" });
    const { servicePrincipalObjectId } = emulator.consent(wiApp, customerTenant);
    emulator.assignRole(vaults.main, { principalObjectId: servicePrincipalObjectId, role: "Key Vault Secrets User" });
    const tokenFile = join(stateDir, "wi-token");
    await writeFile(tokenFile, emulator.mintFederatedToken({ subject: "system:serviceaccount:vaultwire:server" }));
    const manager = createAzureKeyVaultSecretManager(settings({ platformIdentity: { method: "workload-identity", clientId: wiApp, tokenFilePath: tokenFile } }));
    const [ok] = await manager.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expect(ok?.ok).toBe(true);

    const wrongFile = join(stateDir, "wi-token-wrong");
    await writeFile(wrongFile, emulator.mintFederatedToken({ subject: "system:serviceaccount:other:intruder" }));
    const mismatched = createAzureKeyVaultSecretManager(settings({ platformIdentity: { method: "workload-identity", clientId: wiApp, tokenFilePath: wrongFile } }));
    const [denied] = await mismatched.fetch(integration(), [{ key: "k", identifier: identifier(vault, "plain") }]);
    expectFailure(denied, "FEDERATED_IDENTITY_MISMATCH", "AADSTS70021");
  });

  it("uses an integration's own service principal instead of the platform identity", async () => {
    const { appId: teamApp } = emulator.createApp({ homeTenantId: customerTenant, displayName: "team-a" });
    const { secret } = emulator.addClientSecret(teamApp);
    const teamSp = emulator.servicePrincipalObjectId(teamApp, customerTenant) ?? "";
    emulator.assignRole(vaults.scoped, { principalObjectId: teamSp, role: "Key Vault Secrets User" });
    const manager = createAzureKeyVaultSecretManager(settings());
    const own: AzureIntegration = { id: "cspi-team", customerTenantId: customerTenant, credential: { kind: "client-secret", clientId: teamApp, clientSecret: secret } };
    const [result] = await manager.fetch(own, [{ key: "k", identifier: identifier(emulator.vaultUri(vaults.scoped), "db-credentials::password") }]);
    expect(result?.ok && result.value.reveal()).toBe(CANARY_PASSWORD);
    const [wrong] = await manager.fetch({ ...own, id: "cspi-team2", credential: { kind: "client-secret", clientId: teamApp, clientSecret: "nope" } }, [{ key: "k", identifier: identifier(vault, "plain") }]);
    expectFailure(wrong, "INVALID_CLIENT_SECRET", "provider integration \"cspi-team2\"");
  });
});

describe("validateIntegration", () => {
  it("reports both permissions granted with the role", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const result = await manager.validateIntegration(integration(), { vaultUri: vault });
    expect(result.ready).toBe(true);
    expect(result.token.ok).toBe(true);
    expect(result.permissions.map((p) => [p.permission, p.status])).toEqual([["readMetadata", "granted"], ["getSecret", "granted"]]);
  });

  it("reports getSecret denied for a Key Vault Reader", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const result = await manager.validateIntegration(integration(), { vaultUri: emulator.vaultUri(vaults.reader) });
    expect(result.ready).toBe(false);
    expect(result.permissions.map((p) => [p.permission, p.status])).toEqual([["readMetadata", "granted"], ["getSecret", "denied"]]);
    expect(result.permissions[1]?.reason).toContain("Key Vault Secrets User");
  });

  it("reports both denied without any role, and probes a given identifier", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const none = await manager.validateIntegration(integration(), { vaultUri: emulator.vaultUri(vaults.scoped) });
    expect(none.permissions.map((p) => p.status)).toEqual(["denied", "denied"]);
    const scoped = await manager.validateIntegration(integration(), { identifier: identifier(emulator.vaultUri(vaults.scoped), "allowed") });
    expect(scoped.permissions.map((p) => [p.permission, p.status])).toEqual([["readMetadata", "denied"], ["getSecret", "granted"]]);
  });

  it("reports a token failure and probes nothing", async () => {
    const manager = createAzureKeyVaultSecretManager(settings({ platformIdentity: { method: "client-secret", clientId: appId, clientSecret: "wrong" } }));
    const result = await manager.validateIntegration(integration(), { vaultUri: vault });
    expect(result).toMatchObject({ ready: false, token: { ok: false, code: "INVALID_CLIENT_SECRET" }, permissions: [] });
  });

  it("checks only the token without a vault", async () => {
    const manager = createAzureKeyVaultSecretManager(settings());
    const result = await manager.validateIntegration(integration());
    expect(result).toMatchObject({ ready: true, token: { ok: true }, permissions: [] });
  });
});

describe("managed identity as a federated credential", () => {
  // The platform identity "managed-identity": ManagedIdentityCredential gets the
  // managed identity's token for api://AzureADTokenExchange from the emulator's
  // App Service-style endpoint (IDENTITY_ENDPOINT + IDENTITY_HEADER), and the
  // multi-tenant app presents it as its client assertion in the customer
  // tenant. MSAL picks its managed identity source once per process (a static
  // of ManagedIdentityClient), so the variables are set before any manager is
  // created; restoring them does not unpick it for later tests in this file.
  const variables = ["IDENTITY_ENDPOINT", "IDENTITY_HEADER", "IDENTITY_SERVER_THUMBPRINT", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "AZURE_FEDERATED_TOKEN_FILE"] as const;
  let saved: Record<string, string | undefined> = {};

  beforeEach(() => {
    saved = Object.fromEntries(variables.map((name) => [name, process.env[name]]));
    for (const name of variables) Reflect.deleteProperty(process.env, name);
    process.env.IDENTITY_ENDPOINT = emulator.managedIdentityEndpoint;
    process.env.IDENTITY_HEADER = emulator.managedIdentityHeader;
  });

  afterEach(() => {
    for (const name of variables) {
      const value = saved[name];
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  /** A multi-tenant app of the platform tenant, consented in the customer tenant, allowed to read vaults.main. */
  function platformApp(displayName: string, trusts?: { subject: string }): string {
    const { appId: app } = emulator.createApp({ homeTenantId: platformTenant, displayName, multiTenant: true });
    if (trusts) emulator.addFederatedCredential(app, { issuer: emulator.managedIdentityIssuer(platformTenant), subject: trusts.subject });
    const { servicePrincipalObjectId } = emulator.consent(app, customerTenant);
    emulator.assignRole(vaults.main, { principalObjectId: servicePrincipalObjectId, role: "Key Vault Secrets User" });
    return app;
  }

  it("fetches a secret with the managed identity's token as the app's client assertion", async () => {
    const mi = emulator.createManagedIdentity({ tenantId: platformTenant, displayName: "vaultwire-platform" });
    const app = platformApp("vaultwire-mi", { subject: mi.principalId });
    const manager = createAzureKeyVaultSecretManager(settings({ platformIdentity: { method: "managed-identity", clientId: app, managedIdentityClientId: mi.clientId } }));
    const [result] = await manager.fetch(integration(), [{ key: "database.password", identifier: identifier(vault, "db-credentials::password") }]);
    expect(result?.ok && result.value.reveal()).toBe(CANARY_PASSWORD);
    const validation = await manager.validateIntegration(integration(), { vaultUri: vault });
    expect(validation).toMatchObject({ ready: true, token: { ok: true } });
  });

  it("explains an app without a federated credential for the managed identity (AADSTS70021)", async () => {
    const mi = emulator.createManagedIdentity({ tenantId: platformTenant, displayName: "vaultwire-untrusted" });
    const app = platformApp("vaultwire-no-fic");
    const manager = createAzureKeyVaultSecretManager(settings({ platformIdentity: { method: "managed-identity", clientId: app, managedIdentityClientId: mi.clientId } }));
    const [result] = await manager.fetch(integration(), [{ key: "database.password", identifier: identifier(vault, "db-credentials::password") }]);
    expectFailure(result, "FEDERATED_IDENTITY_MISMATCH", "AADSTS70021");
    expect(result?.ok === false && result.error.message).toContain(`vaultwire's application (app id ${app})`);
  });

  it("explains a managed identity the host does not have", async () => {
    const mi = emulator.createManagedIdentity({ tenantId: platformTenant, displayName: "vaultwire-known" });
    const app = platformApp("vaultwire-unknown-mi", { subject: mi.principalId });
    const manager = createAzureKeyVaultSecretManager(settings({ platformIdentity: { method: "managed-identity", clientId: app, managedIdentityClientId: "00000000-0000-4000-8000-000000000000" } }));
    const [result] = await manager.fetch(integration(), [{ key: "database.password", identifier: identifier(vault, "db-credentials::password") }]);
    expectFailure(result, "CREDENTIAL_UNAVAILABLE", `vaultwire could not get an access token for vaultwire's application (app id ${app}) in tenant ${customerTenant}`);
  });
});
