// The emulator's Key Vault data plane through the real SecretClient: the
// operations, their shapes as the SDK sees them, paging and request counters.
import type { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIdentity, failure, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

let test: TestEmulator;
let client: SecretClient;
let vaultUri: string;
const VAULT = "data-plane";

beforeAll(async () => {
  test = await startTestEmulator();
  const { emulator } = test;
  const identity = createIdentity(emulator);
  ({ vaultUri } = await emulator.createVault({ name: VAULT, tenantId: identity.tenantId }));
  emulator.assignRole(VAULT, { principalObjectId: identity.objectId, role: "Key Vault Secrets Officer" });
  client = secretClient(emulator, vaultUri, identity.credential);
});
afterAll(async () => { await test.close(); });
beforeEach(() => { test.emulator.resetRequestCounts(VAULT); });

describe("Key Vault secrets through SecretClient", () => {
  it("puts a vault on its own localhost port", () => {
    expect(vaultUri).toMatch(/^https:\/\/localhost:\d+$/);
    expect(test.emulator.vaultUri(VAULT.toUpperCase())).toBe(vaultUri);
  });

  it("sets and gets a secret with its properties, the id built from the host the client used", async () => {
    const set = await client.setSecret("Db-Credentials", "{\"user\":\"app\"}", { contentType: "application/json", tags: { team: "data" } });
    expect(set.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(set.properties.id).toBe(`${vaultUri}/secrets/Db-Credentials/${set.properties.version ?? ""}`);
    expect(set.properties.vaultUrl).toBe(vaultUri);
    const got = await client.getSecret("db-credentials");
    expect(got.value).toBe("{\"user\":\"app\"}");
    expect(got.name).toBe("Db-Credentials");
    expect(got.properties).toMatchObject({ contentType: "application/json", tags: { team: "data" }, enabled: true, recoveryLevel: "CustomizedRecoverable+Purgeable", recoverableDays: 7 });
    expect(got.properties.createdOn).toBeInstanceOf(Date);
    expect(Math.abs((got.properties.createdOn?.getTime() ?? 0) - Date.now())).toBeLessThan(5000);
  });

  it("keeps versions, gets each by id and lists them", async () => {
    const v1 = await client.setSecret("rotating", "one");
    const v2 = await client.setSecret("rotating", "two");
    expect((await client.getSecret("rotating")).value).toBe("two");
    expect((await client.getSecret("rotating", { version: v1.properties.version ?? "" })).value).toBe("one");
    const versions: string[] = [];
    for await (const properties of client.listPropertiesOfSecretVersions("rotating")) versions.push(properties.version ?? "");
    expect(versions.sort()).toEqual([v1.properties.version, v2.properties.version].sort());
    const none: unknown[] = [];
    for await (const properties of client.listPropertiesOfSecretVersions("never-created")) none.push(properties);
    expect(none).toEqual([]);
  });

  it("pages listPropertiesOfSecrets through nextLink with maxresults", async () => {
    const { emulator } = test;
    for (let i = 0; i < 7; i++) emulator.setSecret(VAULT, `paged-${i}`, "v");
    emulator.resetRequestCounts(VAULT);
    const pages: string[][] = [];
    for await (const page of client.listPropertiesOfSecrets().byPage({ maxPageSize: 3 })) pages.push(page.map((p) => p.name));
    const all = pages.flat();
    expect(all.filter((n) => n.startsWith("paged-"))).toEqual(["paged-0", "paged-1", "paged-2", "paged-3", "paged-4", "paged-5", "paged-6"]);
    expect(pages.slice(0, -1).every((p) => p.length === 3)).toBe(true);
    expect(emulator.requestCounts(VAULT).byOperation.list).toBe(pages.length);
  });

  it("pages versions too", async () => {
    for (let i = 0; i < 5; i++) await client.setSecret("many-versions", `v${i}`);
    const pages: number[] = [];
    for await (const page of client.listPropertiesOfSecretVersions("many-versions").byPage({ maxPageSize: 2 })) pages.push(page.length);
    expect(pages).toEqual([2, 2, 1]);
  });

  it("updates attributes; a disabled secret is listed but its value is refused", async () => {
    const { properties } = await client.setSecret("to-disable", "x");
    const updated = await client.updateSecretProperties("to-disable", properties.version ?? "", { enabled: false, tags: { state: "off" } });
    expect(updated).toMatchObject({ enabled: false, tags: { state: "off" } });
    const error = await failure(client.getSecret("to-disable"));
    expect(error.statusCode).toBe(403);
    expect(error.code).toBe("Forbidden");
    expect(error.message).toBe("Operation get is not allowed on a disabled secret.");
    expect(error.details?.error?.innerError?.code).toBe("SecretDisabled");
    const listed: (boolean | undefined)[] = [];
    for await (const p of client.listPropertiesOfSecrets()) if (p.name === "to-disable") listed.push(p.enabled);
    expect(listed).toEqual([false]);
  });

  it("returns expired and not-yet-valid secrets, as the real service does", async () => {
    const { emulator } = test;
    emulator.setSecret(VAULT, "expired", "old", { expiresOn: new Date(Date.now() - 86_400_000) });
    emulator.setSecret(VAULT, "future", "new", { notBefore: new Date(Date.now() + 86_400_000) });
    const expired = await client.getSecret("expired");
    expect(expired.value).toBe("old");
    expect((expired.properties.expiresOn?.getTime() ?? 0) < Date.now()).toBe(true);
    expect((await client.getSecret("future")).properties.notBefore?.getTime()).toBeGreaterThan(Date.now());
  });

  it("applies admin attribute updates to the current version", async () => {
    const { emulator } = test;
    emulator.setSecret(VAULT, "admin-updated", "x", { expiresOn: new Date(Date.now() + 1000_000) });
    emulator.updateSecret(VAULT, "admin-updated", { expiresOn: null, enabled: false });
    emulator.updateSecret(VAULT, "admin-updated", { enabled: true });
    const got = await client.getSecret("admin-updated");
    expect(got.properties.expiresOn).toBeUndefined();
    expect(got.properties.enabled).toBe(true);
  });

  it("answers 404 SecretNotFound for a missing secret or version", async () => {
    const error = await failure(client.getSecret("does-not-exist"));
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe("SecretNotFound");
    expect(error.message).toMatch(/^A secret with \(name\/id\) does-not-exist was not found in this key vault\./);
    await client.setSecret("has-versions", "x");
    const versionError = await failure(client.getSecret("has-versions", { version: "0".repeat(32) }));
    expect(versionError.message).toContain(`(name/id) has-versions/${"0".repeat(32)} was not found`);
  });

  it("soft-deletes, then recovers and purges through the SDK's pollers", async () => {
    await client.setSecret("to-delete", "x");
    const deleted = await (await client.beginDeleteSecret("to-delete")).pollUntilDone();
    expect(deleted.recoveryId).toBe(`${vaultUri}/deletedsecrets/to-delete`);
    expect(deleted.scheduledPurgeDate?.getTime()).toBeGreaterThan(Date.now());
    expect((await failure(client.getSecret("to-delete"))).statusCode).toBe(404);
    const conflict = await failure(client.setSecret("to-delete", "y"));
    expect(conflict.statusCode).toBe(409);
    await (await client.beginRecoverDeletedSecret("to-delete")).pollUntilDone();
    expect((await client.getSecret("to-delete")).value).toBe("x");
    await (await client.beginDeleteSecret("to-delete")).pollUntilDone();
    await client.purgeDeletedSecret("to-delete");
    expect((await client.setSecret("to-delete", "y")).value).toBe("y");
  });

  it("refuses an invalid secret name with 400 BadParameter", async () => {
    const error = await failure(client.getSecret("bad_name"));
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe("BadParameter");
  });

  it("counts requests by operation, and resets", async () => {
    const { emulator } = test;
    emulator.setSecret(VAULT, "counted", "x");
    await client.getSecret("counted");
    await client.getSecret("counted");
    await client.setSecret("counted", "y");
    expect(emulator.requestCounts(VAULT)).toEqual({ total: 3, byOperation: { get: 2, set: 1 } });
    emulator.resetRequestCounts();
    expect(emulator.requestCounts(VAULT)).toEqual({ total: 0, byOperation: {} });
  });

  it("sees the SDK's first, tokenless request as the challenge", async () => {
    const { emulator } = test;
    const identity = createIdentity(emulator);
    await emulator.createVault({ name: "challenged", tenantId: identity.tenantId });
    emulator.assignRole("challenged", { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
    emulator.setSecret("challenged", "s", "v");
    const fresh = secretClient(emulator, emulator.vaultUri("challenged"), identity.credential);
    await fresh.getSecret("s");
    await fresh.getSecret("s");
    expect(emulator.requestCounts("challenged")).toEqual({ total: 3, byOperation: { challenge: 1, get: 2 } });
  });
});
