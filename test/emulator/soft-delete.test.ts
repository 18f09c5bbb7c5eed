// Soft delete that takes time, as in Key Vault, through the real SecretClient:
// the deletion window (404 on the deleted secret, 409 on purge, recover and
// re-create), then the deleted state (listed, 409 "deleted but recoverable"),
// recovery of every version, and a purge that also takes time.
import type { SecretClient } from "@azure/keyvault-secrets";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, failure, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

const DELETION_MS = 1_200;
const PURGE_MS = 1_200;
const VAULT = "soft-delete";
const INSTANT = "instant-delete";
const POLL = { intervalInMs: 100 };

let test: TestEmulator;
let client: SecretClient;
let instant: SecretClient;
let vaultUri: string;

beforeAll(async () => {
  test = await startTestEmulator({ timing: { deletionMs: DELETION_MS, purgeMs: PURGE_MS } });
  const { emulator } = test;
  const identity = createIdentity(emulator);
  ({ vaultUri } = await emulator.createVault({ name: VAULT, tenantId: identity.tenantId }));
  await emulator.createVault({ name: INSTANT, tenantId: identity.tenantId, timing: { deletionMs: 0, purgeMs: 0 } });
  for (const name of [VAULT, INSTANT]) emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets Officer" });
  client = secretClient(emulator, vaultUri, identity.credential);
  instant = secretClient(emulator, emulator.vaultUri(INSTANT), identity.credential);
});
afterAll(async () => { await test.close(); });

describe("soft delete that takes time", () => {
  it("answers 404 on the deleted secret and 409 on purge, recover and re-create while the deletion runs", async () => {
    await client.setSecret("slow", "one");
    const poller = await client.beginDeleteSecret("slow", POLL);
    const started = Date.now();
    const deleted = poller.getResult();
    expect(deleted?.recoveryId).toBe(`${vaultUri}/deletedsecrets/slow`);
    expect(deleted?.deletedOn).toBeInstanceOf(Date);

    const notYet = await failure(client.getDeletedSecret("slow"));
    expect([notYet.statusCode, notYet.code, notYet.message]).toEqual([404, "SecretNotFound", "Deleted Secret not found: slow"]);
    const purge = await failure(client.purgeDeletedSecret("slow"));
    expect([purge.statusCode, purge.code, purge.message]).toEqual([409, "Conflict", "Secret is currently being deleted."]);
    const recover = await failure(client.beginRecoverDeletedSecret("slow"));
    expect([recover.statusCode, recover.message]).toEqual([409, "Secret is currently being deleted."]);
    const recreate = await failure(client.setSecret("slow", "two"));
    expect([recreate.statusCode, recreate.code, recreate.message]).toEqual([409, "Conflict", "Secret slow is currently being deleted and cannot be re-created; retry later."]);
    const get = await failure(client.getSecret("slow"));
    expect([get.statusCode, get.code]).toEqual([404, "SecretNotFound"]);
    const again = await failure(client.beginDeleteSecret("slow"));
    expect([again.statusCode, again.code]).toEqual([404, "SecretNotFound"]);

    const done = await poller.pollUntilDone();
    expect(Date.now() - started).toBeGreaterThanOrEqual(DELETION_MS - 150);
    expect(done.scheduledPurgeDate?.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
  });

  it("then lists it, answers 404 SecretNotFound on the secret and 409 'deleted but recoverable' on set, until recovered with every version", async () => {
    const v1 = await client.setSecret("kept", "first");
    const v2 = await client.setSecret("kept", "second", { tags: { team: "data" } });
    await (await client.beginDeleteSecret("kept", POLL)).pollUntilDone();

    const listed: string[] = [];
    for await (const deletedSecret of client.listDeletedSecrets()) listed.push(deletedSecret.name);
    expect(listed).toContain("kept");
    const got = await client.getDeletedSecret("kept");
    expect(got.properties).toMatchObject({ name: "kept", version: v2.properties.version, tags: { team: "data" }, recoveryId: `${vaultUri}/deletedsecrets/kept` });
    expect(got.value).toBeUndefined();
    const get = await failure(client.getSecret("kept"));
    expect([get.statusCode, get.code]).toEqual([404, "SecretNotFound"]);
    const set = await failure(client.setSecret("kept", "third"));
    expect([set.statusCode, set.code, set.message]).toEqual([409, "Conflict", "Secret kept is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged."]);

    const recovered = await (await client.beginRecoverDeletedSecret("kept", POLL)).pollUntilDone();
    expect(recovered.version).toBe(v2.properties.version);
    expect((await client.getSecret("kept")).value).toBe("second");
    expect((await client.getSecret("kept", { version: v1.properties.version ?? "" })).value).toBe("first");
    const deletedAfter: string[] = [];
    for await (const deletedSecret of client.listDeletedSecrets()) deletedAfter.push(deletedSecret.name);
    expect(deletedAfter).not.toContain("kept");
  });

  it("purges in time too: the name stays 'being deleted' for the purge window, then can be reused", async () => {
    await client.setSecret("purged", "old");
    await (await client.beginDeleteSecret("purged", POLL)).pollUntilDone();
    await client.purgeDeletedSecret("purged");
    const started = Date.now();
    const deleted = await failure(client.getDeletedSecret("purged"));
    expect(deleted.statusCode).toBe(404);
    const secret = await failure(client.getSecret("purged"));
    expect(secret.statusCode).toBe(404);
    const recreate = await failure(client.setSecret("purged", "new"));
    expect([recreate.statusCode, recreate.message]).toEqual([409, "Secret purged is currently being deleted and cannot be re-created; retry later."]);
    const purgeAgain = await failure(client.purgeDeletedSecret("purged"));
    expect([purgeAgain.statusCode, purgeAgain.message]).toEqual([404, "Deleted Secret not found: purged"]);
    await sleep(Math.max(0, PURGE_MS - (Date.now() - started)) + 50);
    expect((await client.setSecret("purged", "new")).value).toBe("new");
  });

  it("is instant on a vault whose timing is 0, as before", async () => {
    await instant.setSecret("quick", "x");
    await instant.beginDeleteSecret("quick");
    expect((await instant.getDeletedSecret("quick")).name).toBe("quick");
    await instant.purgeDeletedSecret("quick");
    expect((await instant.setSecret("quick", "y")).value).toBe("y");
  });

  it("takes the timing set later through the admin API for what happens next", async () => {
    const { emulator } = test;
    expect(emulator.timing(INSTANT)).toEqual({ rbacPropagationMs: 0, deletionMs: 0, purgeMs: 0 });
    expect(emulator.setTiming(INSTANT, { deletionMs: 60_000 })).toEqual({ rbacPropagationMs: 0, deletionMs: 60_000, purgeMs: 0 });
    await instant.setSecret("later", "x");
    await instant.beginDeleteSecret("later");
    expect((await failure(instant.getDeletedSecret("later"))).statusCode).toBe(404);
    emulator.setTiming(INSTANT, { deletionMs: 0 });
    expect((await failure(instant.getDeletedSecret("later"))).statusCode).toBe(404);
    emulator.purgeDeletedSecret(INSTANT, "later");
    expect((await instant.setSecret("later", "y")).value).toBe("y");
  });

  it("refuses timing that is not whole milliseconds up to an hour, naming the field", () => {
    const { emulator } = test;
    expect(() => emulator.setTiming(VAULT, { deletionMs: -1 })).toThrow('timing "deletionMs" must be a whole number of milliseconds from 0 to 3600000');
    expect(() => emulator.setTiming(VAULT, { purgeMs: 1.5 })).toThrow(/"purgeMs"/);
    expect(() => emulator.setTiming(VAULT, { rbacPropagationMs: 3_600_001 })).toThrow(/"rbacPropagationMs"/);
    expect(() => emulator.setTiming(VAULT, { deletionMs: "2s" } as unknown as { deletionMs: number })).toThrow(/"deletionMs"/);
    expect(() => emulator.setTiming(VAULT, { slow: 1 } as unknown as { deletionMs: number })).toThrow('unknown timing field "slow": expected rbacPropagationMs, deletionMs, purgeMs');
    expect(() => emulator.setTiming("nope", {})).toThrow('vault "nope" does not exist');
    expect(emulator.timing(VAULT)).toEqual({ rbacPropagationMs: 0, deletionMs: DELETION_MS, purgeMs: PURGE_MS });
  });
});

describe("listing deleted secrets", () => {
  it("pages them through nextLink like the other lists, in name order", async () => {
    const { emulator } = test;
    emulator.setTiming(INSTANT, { deletionMs: 0 });
    for (let i = 0; i < 5; i++) {
      await instant.setSecret(`gone-${i}`, "v");
      await instant.beginDeleteSecret(`gone-${i}`);
    }
    const pages: string[][] = [];
    for await (const page of instant.listDeletedSecrets().byPage({ maxPageSize: 2 })) pages.push(page.map((d) => d.name));
    expect(pages.flat().filter((n) => n.startsWith("gone-"))).toEqual(["gone-0", "gone-1", "gone-2", "gone-3", "gone-4"]);
    expect(pages.slice(0, -1).every((p) => p.length === 2)).toBe(true);
    const first = pages.flat().length;
    expect(first).toBeGreaterThanOrEqual(5);
  });
});
