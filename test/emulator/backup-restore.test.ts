// Backup and restore through the real SecretClient: an opaque blob with every
// version, a 409 when the name is in use (live, deleted or being purged),
// restore into another vault of the same emulator, 400 for a malformed blob.
import { ClientSecretCredential } from "@azure/identity";
import type { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, credentialOptions, failure, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

const CANARY = "Canary-Restore-Value-6d2a0c";
const VAULT = "backups";
const OTHER = "backups-other";
const SLOW = "backups-slow";

let test: TestEmulator;
let client: SecretClient;
let other: SecretClient;
let slow: SecretClient;
let reader: SecretClient;
let vaultUri: string;

beforeAll(async () => {
  test = await startTestEmulator();
  const { emulator } = test;
  const identity = createIdentity(emulator);
  const readerApp = emulator.createApp({ homeTenantId: identity.tenantId, displayName: "reader" });
  const readerCredential = new ClientSecretCredential(identity.tenantId, readerApp.appId, emulator.addClientSecret(readerApp.appId).secret, credentialOptions(emulator));
  ({ vaultUri } = await emulator.createVault({ name: VAULT, tenantId: identity.tenantId }));
  await emulator.createVault({ name: OTHER, tenantId: identity.tenantId });
  await emulator.createVault({ name: SLOW, tenantId: identity.tenantId, timing: { purgeMs: 60_000 } });
  for (const name of [VAULT, OTHER, SLOW]) emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets Officer" });
  emulator.assignRole(VAULT, { principalObjectId: readerApp.homeServicePrincipalObjectId, role: "Key Vault Secrets User" });
  client = secretClient(emulator, vaultUri, identity.credential);
  other = secretClient(emulator, emulator.vaultUri(OTHER), identity.credential);
  slow = secretClient(emulator, emulator.vaultUri(SLOW), identity.credential);
  reader = secretClient(emulator, vaultUri, readerCredential);
});
afterAll(async () => { await test.close(); });

describe("backup and restore", () => {
  it("backs up every version into an opaque blob and restores them all once the name is free", async () => {
    const v1 = await client.setSecret("db-password", "first", { contentType: "text/plain" });
    const v2 = await client.setSecret("db-password", CANARY, { tags: { rotated: "yes" } });
    const blob = await client.backupSecret("db-password");
    if (!blob) throw new Error("no backup blob");
    expect(Buffer.from(blob).toString("utf8").startsWith(")AzureKeyVaultSecretBackupV1.microsoft.com")).toBe(true);
    expect(Buffer.from(blob).toString("utf8")).not.toContain(CANARY);

    const conflict = await failure(client.restoreSecretBackup(blob));
    expect([conflict.statusCode, conflict.code]).toEqual([409, "Conflict"]);
    expect(conflict.message).toContain(`There was a conflict restoring the secret '${vaultUri}/secrets/db-password/${v2.properties.version ?? ""}'.`);

    await (await client.beginDeleteSecret("db-password")).pollUntilDone();
    const deletedConflict = await failure(client.restoreSecretBackup(blob));
    expect(deletedConflict.statusCode).toBe(409);
    await client.purgeDeletedSecret("db-password");

    const restored = await client.restoreSecretBackup(blob);
    expect(restored).toMatchObject({ name: "db-password", version: v2.properties.version, tags: { rotated: "yes" } });
    expect((await client.getSecret("db-password")).value).toBe(CANARY);
    const first = await client.getSecret("db-password", { version: v1.properties.version ?? "" });
    expect([first.value, first.properties.contentType]).toEqual(["first", "text/plain"]);
    expect(first.properties.createdOn?.getTime()).toBe(v1.properties.createdOn?.getTime());
  });

  it("restores into another vault of the same emulator", async () => {
    await client.setSecret("shared", "v");
    const blob = await client.backupSecret("shared");
    if (!blob) throw new Error("no backup blob");
    const restored = await other.restoreSecretBackup(blob);
    expect(restored.vaultUrl).toBe(test.emulator.vaultUri(OTHER));
    expect((await other.getSecret("shared")).value).toBe("v");
  });

  it("refuses a restore while the name is still being purged", async () => {
    await slow.setSecret("purging", "v");
    const blob = await slow.backupSecret("purging");
    if (!blob) throw new Error("no backup blob");
    await (await slow.beginDeleteSecret("purging")).pollUntilDone();
    await slow.purgeDeletedSecret("purging");
    const error = await failure(slow.restoreSecretBackup(blob));
    expect([error.statusCode, error.code]).toEqual([409, "Conflict"]);
  });

  it("answers 400 for a malformed or foreign blob and 404 for the backup of a missing secret", async () => {
    const malformed = await failure(client.restoreSecretBackup(new Uint8Array(64)));
    expect([malformed.statusCode, malformed.code, malformed.message]).toEqual([400, "Malformed backup blob", "Backup blob contains invalid or corrupt version."]);
    const foreign = await failure(client.restoreSecretBackup(new TextEncoder().encode(")AzureKeyVaultSecretBackupV1.microsoft.comeyJhbGciOiJkaXIifQ..AAAA.AAAA.AAAA")));
    expect(foreign.statusCode).toBe(400);
    const missing = await failure(client.backupSecret("never-created"));
    expect([missing.statusCode, missing.code]).toEqual([404, "SecretNotFound"]);
  });

  it("needs the backup and restore permissions: a Secrets User gets 403 ForbiddenByRbac", async () => {
    await client.setSecret("guarded", "v");
    const backup = await failure(reader.backupSecret("guarded"));
    expect([backup.statusCode, backup.details?.error?.innerError?.code]).toEqual([403, "ForbiddenByRbac"]);
    expect(backup.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/backup/action'");
    const blob = await client.backupSecret("guarded");
    if (!blob) throw new Error("no backup blob");
    const restore = await failure(reader.restoreSecretBackup(blob));
    expect(restore.message).toContain("Action: 'Microsoft.KeyVault/vaults/secrets/restore/action'");
  });
});
