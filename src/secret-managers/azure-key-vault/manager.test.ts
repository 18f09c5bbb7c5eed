import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { parseAzureKeyVaultIdentifier, type AzureKeyVaultSecretIdentifier } from "./identifier.js";
import { SecretValue } from "../secret-value.js";
import type { SecretResult } from "../secret-manager.js";
import type { FetchedSecret, KeyVaultPort, VaultAccess } from "./key-vault-port.js";
import { createAzureKeyVaultSecretManager } from "./manager.js";
import type { AzureIntegration, AzureKeyVaultSettings } from "./settings.js";

const CANARY = "Canary-Value-9d1c0f";
const integration: AzureIntegration = { id: "cspi-test01", customerTenantId: "11111111-2222-3333-4444-555555555555" };
const settings: AzureKeyVaultSettings = {
  cloud: "public",
  platformIdentity: { method: "client-secret", clientId: "aaaaaaaa-0000-0000-0000-000000000001", clientSecret: "not-used-in-unit-tests" },
  retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
};

function id(text: string): AzureKeyVaultSecretIdentifier {
  const parsed = parseAzureKeyVaultIdentifier(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function restError(status: number, code: string, message: string, inner?: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), {
    name: "RestError",
    statusCode: status,
    code,
    details: { error: { code, message, ...(inner ? { innerError: { code: inner } } : {}) } },
    response: { headers: { get: (name: string) => headers[name.toLowerCase()] } },
  });
}

interface Call { vaultUri: string; secretName: string }

/** A fake port: secrets by "vaultUri|lowercase name", or a queue of failures to throw first. */
class FakePort implements KeyVaultPort {
  readonly calls: Call[] = [];
  readonly secrets = new Map<string, { value: string; extra: Partial<Omit<FetchedSecret, "value">> }>();
  failures: Error[] = [];
  delayMs = 0;
  active = 0;
  maxActive = 0;

  set(vaultUri: string, name: string, value: string, extra: Partial<Omit<FetchedSecret, "value">> = {}): void {
    this.secrets.set(`${vaultUri}|${name.toLowerCase()}`, { value, extra });
  }

  async getSecret(access: VaultAccess, secretName: string, signal: AbortSignal): Promise<FetchedSecret> {
    this.calls.push({ vaultUri: access.vaultUri, secretName });
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.delayMs > 0) await new Promise((resolve, reject) => {
        const timer = setTimeout(resolve, this.delayMs);
        signal.addEventListener("abort", () => { clearTimeout(timer); reject(Object.assign(new Error("aborted"), { name: "AbortError" })); }, { once: true });
      });
      const failure = this.failures.shift();
      if (failure) throw failure;
      const secret = this.secrets.get(`${access.vaultUri}|${secretName.toLowerCase()}`);
      if (!secret) throw restError(404, "SecretNotFound", `A secret with (name/id) ${secretName} was not found in this key vault.`);
      return { version: "0123456789abcdef0123456789abcdef", enabled: true, notBefore: null, expiresOn: null, contentType: null, ...secret.extra, value: new SecretValue(secret.value) };
    } finally {
      this.active--;
    }
  }

  listOneSecret(): Promise<void> {
    return Promise.resolve();
  }
}

const VAULT = "https://my-vault.vault.azure.net";
const json = JSON.stringify({ user: "dbadmin", password: CANARY, port: 5432, ssl: true, nested: { a: 1 }, nothing: null });

function setup(extra: Partial<AzureKeyVaultSettings> = {}, port = new FakePort(), now?: () => number) {
  port.set(VAULT, "db-credentials", json);
  port.set(VAULT, "plain", CANARY);
  const manager = createAzureKeyVaultSecretManager({ ...settings, ...extra }, { port, random: () => 0.5, ...(now ? { now } : {}) });
  return { port, manager };
}

function values(results: SecretResult[]): Record<string, string> {
  return Object.fromEntries(results.map((r) => [r.key, r.ok ? r.value.reveal() : `ERROR ${r.error.code}`]));
}

describe("fetch", () => {
  it("reads plaintext secrets and JSON keys, converting numbers and booleans", async () => {
    const { manager } = setup();
    const results = await manager.fetch(integration, [
      { key: "database.user", identifier: id(`${VAULT}::db-credentials::user`) },
      { key: "database.password", identifier: id(`${VAULT}::db-credentials::password`) },
      { key: "database.port", identifier: id(`${VAULT}::db-credentials::port`) },
      { key: "ssl", identifier: id(`${VAULT}::db-credentials::ssl`) },
      { key: "whole", identifier: id(`${VAULT}::plain`) },
    ]);
    expect(values(results)).toEqual({ "database.user": "dbadmin", "database.password": CANARY, "database.port": "5432", ssl: "true", whole: CANARY });
    expect(results.every((r) => r.ok && r.version === "0123456789abcdef0123456789abcdef")).toBe(true);
  });

  it("makes one GET per distinct secret, whatever the spelling", async () => {
    const { manager, port } = setup();
    await manager.fetch(integration, [
      { key: "a", identifier: id(`${VAULT}::db-credentials::user`) },
      { key: "b", identifier: id(`https://MY-VAULT.vault.azure.net/::DB-Credentials::password`) },
      { key: "c", identifier: id(`${VAULT}:443::db-credentials::port`) },
      { key: "d", identifier: id(`${VAULT}::plain`) },
    ]);
    expect(port.calls).toHaveLength(2);
  });

  it("caches per integration with a TTL", async () => {
    let clock = 1_000_000;
    const { manager, port } = setup({ cacheTtlMs: 60_000 }, new FakePort(), () => clock);
    const request = [{ key: "p", identifier: id(`${VAULT}::plain`) }];
    await manager.fetch(integration, request);
    await manager.fetch(integration, request);
    expect(port.calls).toHaveLength(1);
    // Another integration never reads this one's cached values.
    await manager.fetch({ ...integration, id: "cspi-other" }, request);
    expect(port.calls).toHaveLength(2);
    clock += 60_001;
    await manager.fetch(integration, request);
    expect(port.calls).toHaveLength(3);
    manager.invalidate(integration.id);
    await manager.fetch(integration, request);
    expect(port.calls).toHaveLength(4);
  });

  it("shares one in-flight GET among 200 concurrent fetches", async () => {
    const port = new FakePort();
    port.delayMs = 20;
    const { manager } = setup({}, port);
    const all = await Promise.all(Array.from({ length: 200 }, (_, i) => manager.fetch(integration, [{ key: `k${i}`, identifier: id(`${VAULT}::db-credentials::user`) }])));
    expect(port.calls).toHaveLength(1);
    expect(all.every((r) => r[0]?.ok)).toBe(true);
  });

  it("caps concurrent requests per vault", async () => {
    const port = new FakePort();
    port.delayMs = 10;
    for (let i = 0; i < 20; i++) port.set(VAULT, `s${i}`, "v");
    const { manager } = setup({ concurrencyPerVault: 3 }, port);
    await manager.fetch(integration, Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, identifier: id(`${VAULT}::s${i}`) })));
    expect(port.calls).toHaveLength(20);
    expect(port.maxActive).toBe(3);
  });

  it("retries 429 without Retry-After, 5xx and dropped connections, then succeeds", async () => {
    const { manager, port } = setup();
    port.failures = [
      restError(429, "Throttled", "Request was not processed because too many requests were received."),
      restError(503, "ServiceUnavailable", "unavailable"),
      Object.assign(new Error("socket hang up"), { name: "RestError", code: "ECONNRESET" }),
    ];
    const [result] = await manager.fetch(integration, [{ key: "p", identifier: id(`${VAULT}::plain`) }]);
    expect(result?.ok).toBe(true);
    expect(port.calls).toHaveLength(4);
  });

  it("gives up on throttling after the attempts, with an actionable message", async () => {
    const { manager, port } = setup();
    port.failures = Array.from({ length: 10 }, () => restError(429, "Throttled", "throttled", undefined, { "retry-after": "0" }));
    const [result] = await manager.fetch(integration, [{ key: "p", identifier: id(`${VAULT}::plain`) }]);
    expect(result?.ok).toBe(false);
    if (result?.ok === false) {
      expect(result.error.code).toBe("THROTTLED");
      expect(result.error.transient).toBe(true);
      expect(result.error.message).toMatch(/^p \(https:\/\/my-vault\.vault\.azure\.net::plain\): Key Vault throttled the requests/);
    }
    expect(port.calls).toHaveLength(4);
  });

  it("stops at the deadline", async () => {
    const port = new FakePort();
    port.delayMs = 5_000;
    const { manager } = setup({ fetchDeadlineMs: 50 }, port);
    const started = Date.now();
    const [result] = await manager.fetch(integration, [{ key: "p", identifier: id(`${VAULT}::plain`) }]);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(result?.ok === false && result.error.code).toBe("TIMEOUT");
  });

  it.each([
    [restError(404, "SecretNotFound", "not found"), "SECRET_NOT_FOUND", "was not found in vault https://my-vault.vault.azure.net"],
    [restError(403, "Forbidden", "Operation get is not allowed on a disabled secret.", "SecretDisabled"), "SECRET_DISABLED", "is disabled"],
    [restError(403, "Forbidden", "Caller is not authorized to perform action on resource.\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'", "ForbiddenByRbac"), "PERMISSION_DENIED_RBAC", "denied the permission getSecret (Get Secret) (Microsoft.KeyVault/vaults/secrets/getSecret/action). Assign the role \"Key Vault Secrets User\", which grants getSecret and readMetadata"],
    [restError(403, "Forbidden", "The user, group or application 'x' does not have secrets get permission on key vault 'v'", "ForbiddenByPolicy"), "PERMISSION_DENIED_ACCESS_POLICY", "has none granting secrets \"get\" (ForbiddenByPolicy)"],
    [restError(403, "Forbidden", "The user, group or application 'x' does not have secrets get permission on key vault 'v'", "AccessDenied"), "PERMISSION_DENIED_ACCESS_POLICY", "(AccessDenied)"],
    [restError(403, "Forbidden", "Client address is not authorized and caller is not a trusted service.", "ForbiddenByFirewall"), "FIREWALL", "firewall"],
    [restError(401, "Unauthorized", "AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://vault.azure.cn."), "WRONG_AUDIENCE", "another Azure cloud"],
    [Object.assign(new Error("ClientSecretCredential authentication failed: AADSTS7000215: Invalid client secret provided."), { name: "AuthenticationError" }), "INVALID_CLIENT_SECRET", "rejected the client secret of vaultwire's application"],
    [Object.assign(new Error("AADSTS90002: Tenant 't' not found."), { name: "AuthenticationError" }), "UNKNOWN_TENANT", "does not exist in Entra ID (AADSTS90002)"],
    [Object.assign(new Error("AADSTS700016: Application with identifier 'a' was not found in the directory 't'."), { name: "AuthenticationError" }), "APP_NOT_CONSENTED", "must grant consent (https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/adminconsent?client_id=aaaaaaaa-0000-0000-0000-000000000001)"],
    [Object.assign(new Error("AADSTS70021: No matching federated identity record found for presented assertion."), { name: "AuthenticationError" }), "FEDERATED_IDENTITY_MISMATCH", "federated identity credential"],
    [Object.assign(new Error("getaddrinfo ENOTFOUND my-vault.vault.azure.net"), { name: "RestError", code: "ENOTFOUND" }), "VAULT_HOST_UNRESOLVABLE", "cannot be resolved (ENOTFOUND)"],
    [Object.assign(new Error("self-signed certificate in certificate chain"), { name: "RestError", code: "SELF_SIGNED_CERT_IN_CHAIN" }), "TLS_FAILURE", "TLS connection"],
  ])("maps %s to %s", async (error, code, fragment) => {
    const { manager, port } = setup();
    port.failures = [error];
    const [result] = await manager.fetch(integration, [{ key: "database.password", identifier: id(`${VAULT}::plain`) }]);
    expect(result?.ok).toBe(false);
    if (result?.ok !== false) return;
    expect(result.error.code).toBe(code);
    expect(result.error.message).toContain("database.password (https://my-vault.vault.azure.net::plain): ");
    expect(result.error.message).toContain(fragment);
    expect(result.error.message).not.toContain(CANARY);
  });

  it("fails only the fields whose JSON key is wrong, naming the keys that exist", async () => {
    const { manager } = setup();
    const results = await manager.fetch(integration, [
      { key: "ok", identifier: id(`${VAULT}::db-credentials::user`) },
      { key: "missing", identifier: id(`${VAULT}::db-credentials::username`) },
      { key: "object", identifier: id(`${VAULT}::db-credentials::nested`) },
      { key: "null", identifier: id(`${VAULT}::db-credentials::nothing`) },
      { key: "plain", identifier: id(`${VAULT}::plain::user`) },
    ]);
    expect(values(results)).toEqual({ ok: "dbadmin", missing: "ERROR JSON_KEY_MISSING", object: "ERROR JSON_VALUE_NOT_SCALAR", null: "ERROR JSON_VALUE_NOT_SCALAR", plain: "ERROR JSON_NOT_OBJECT" });
    const missing = results[1];
    expect(missing?.ok === false && missing.error.message).toContain("it has no key \"username\"; its keys are \"user\", \"password\", \"port\", \"ssl\", \"nested\", \"nothing\"");
    expect(JSON.stringify(results.map((r) => (r.ok ? null : r.error)))).not.toContain(CANARY);
    expect(JSON.stringify(results.map((r) => (r.ok ? null : r.error)))).not.toContain("dbadmin");
  });

  it("refuses secrets outside their activation window", async () => {
    const clock = Date.parse("2026-06-01T00:00:00Z");
    const port = new FakePort();
    port.set(VAULT, "future", "v", { notBefore: new Date("2026-07-01T00:00:00Z") });
    port.set(VAULT, "past", "v", { expiresOn: new Date("2026-05-01T00:00:00Z") });
    port.set(VAULT, "current", "v", { notBefore: new Date("2026-05-01T00:00:00Z"), expiresOn: new Date("2026-07-01T00:00:00Z") });
    const { manager } = setup({}, port, () => clock);
    const results = await manager.fetch(integration, ["future", "past", "current"].map((n) => ({ key: n, identifier: id(`${VAULT}::${n}`) })));
    expect(values(results)).toEqual({ future: "ERROR SECRET_NOT_YET_VALID", past: "ERROR SECRET_EXPIRED", current: "v" });
    expect(results[0]?.ok === false && results[0].error.message).toContain("is not valid before 2026-07-01T00:00:00.000Z");
    expect(results[1]?.ok === false && results[1].error.message).toContain("expired at 2026-05-01T00:00:00.000Z");
  });

  it("says when a secret expires (its exp), for the expiry warning: whole values, JSON keys, expired ones; nothing without an exp", async () => {
    const clock = Date.parse("2026-06-01T00:00:00Z");
    const port = new FakePort();
    port.set(VAULT, "soon", "v", { expiresOn: new Date("2026-06-10T12:00:00Z") });
    port.set(VAULT, "json", JSON.stringify({ password: "p" }), { expiresOn: new Date("2026-08-01T00:00:00Z") });
    port.set(VAULT, "past", "v", { expiresOn: new Date("2026-05-01T00:00:00Z") });
    port.set(VAULT, "forever", "v");
    const { manager } = setup({}, port, () => clock);
    const results = await manager.fetch(integration, [
      { key: "a", identifier: id(`${VAULT}::soon`) },
      { key: "b", identifier: id(`${VAULT}::json::password`) },
      { key: "c", identifier: id(`${VAULT}::past`) },
      { key: "d", identifier: id(`${VAULT}::forever`) },
    ]);
    expect(results.map((r) => (r.ok ? r.expiresAt ?? null : `ERROR ${r.error.code} ${r.error.expiresAt ?? ""}`))).toEqual([
      "2026-06-10T12:00:00.000Z", "2026-08-01T00:00:00.000Z", "ERROR SECRET_EXPIRED 2026-05-01T00:00:00.000Z", null,
    ]);
    expect(results[3]).not.toHaveProperty("expiresAt");
  });

  it("keeps values out of logs and JSON", async () => {
    const { manager } = setup();
    const results = await manager.fetch(integration, [{ key: "p", identifier: id(`${VAULT}::plain`) }]);
    expect(JSON.stringify(results)).not.toContain(CANARY);
    expect(inspect(results, { depth: 10 })).not.toContain(CANARY);
    expect(String(results[0]?.ok && results[0].value)).not.toContain(CANARY);
  });
});
