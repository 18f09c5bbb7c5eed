// RBAC propagation delay through the real SecretClient: a role assignment
// grants only after the delay, and a removed one keeps granting for as long.
import type { SecretClient } from "@azure/keyvault-secrets";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, failure, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

const DELAY_MS = 1_000;
const VAULT = "propagating";

let test: TestEmulator;
let identity: ReturnType<typeof createIdentity>;
let client: SecretClient;

beforeAll(async () => {
  test = await startTestEmulator({ timing: { rbacPropagationMs: DELAY_MS } });
  identity = createIdentity(test.emulator);
  await test.emulator.createVault({ name: VAULT, tenantId: identity.tenantId });
  test.emulator.setSecret(VAULT, "s", "v");
  client = secretClient(test.emulator, test.emulator.vaultUri(VAULT), identity.credential);
});
afterAll(async () => { await test.close(); });

describe("RBAC propagation delay", () => {
  it("denies with ForbiddenByRbac right after the assignment, grants once it has propagated", async () => {
    const { assignmentId } = test.emulator.assignRole(VAULT, { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
    const assignedAt = Date.now();
    expect(test.emulator.listRoleAssignments({ vault: VAULT }).map((a) => a.assignmentId)).toEqual([assignmentId]);
    const denied = await failure(client.getSecret("s"));
    expect([denied.statusCode, denied.details?.error?.innerError?.code]).toEqual([403, "ForbiddenByRbac"]);
    expect(denied.message).toContain("If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.");
    await sleep(Math.max(0, DELAY_MS - (Date.now() - assignedAt)) + 50);
    expect((await client.getSecret("s")).value).toBe("v");

    test.emulator.removeRoleAssignment(VAULT, assignmentId);
    const removedAt = Date.now();
    expect(test.emulator.listRoleAssignments({ vault: VAULT })).toEqual([]);
    expect((await client.getSecret("s")).value).toBe("v");
    await sleep(Math.max(0, DELAY_MS - (Date.now() - removedAt)) + 50);
    expect((await failure(client.getSecret("s"))).statusCode).toBe(403);
    expect(() => { test.emulator.removeRoleAssignment(VAULT, assignmentId); }).toThrow(`role assignment "${assignmentId}" does not exist in vault "${VAULT}"`);
  });

  it("applies at once when the vault's delay is set back to 0", async () => {
    test.emulator.setTiming(VAULT, { rbacPropagationMs: 0 });
    test.emulator.assignRole(VAULT, { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
    expect((await client.getSecret("s")).value).toBe("v");
    test.emulator.setTiming(VAULT, { rbacPropagationMs: DELAY_MS });
  });
});
