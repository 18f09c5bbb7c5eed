// A validation right after granting the role: the emulator applies role
// assignments after a delay, as Azure does, and vaultwire's advice says to
// validate again in a few minutes; after the delay the same validation passes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureEmulator, type AzureEmulator } from "../../src/emulator/azure/index.js";
import { createAzureKeyVaultSecretManager } from "../../src/secret-managers/azure-key-vault/index.js";
import { RBAC_PROPAGATION_ADVICE } from "../../src/secret-managers/azure-key-vault/errors.js";

const DELAY_MS = 1_500;
const CANARY = "Canary-Propagation-3b7e";
const VAULT = "propagation-vault";

let emulator: AzureEmulator;
let stateDir: string;
let customerTenant: string;
let appId: string;
let appSecret: string;
let spObjectId: string;

beforeAll(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "vaultwire-azure-propagation-"));
  emulator = await startAzureEmulator({ stateDir, timing: { rbacPropagationMs: DELAY_MS } });
  const platformTenant = emulator.createTenant({ displayName: "vaultwire platform" }).tenantId;
  customerTenant = emulator.createTenant({ displayName: "customer" }).tenantId;
  ({ appId } = emulator.createApp({ homeTenantId: platformTenant, displayName: "vaultwire", multiTenant: true }));
  ({ secret: appSecret } = emulator.addClientSecret(appId));
  ({ servicePrincipalObjectId: spObjectId } = emulator.consent(appId, customerTenant));
  await emulator.createVault({ name: VAULT, tenantId: customerTenant });
  emulator.setSecret(VAULT, "db-password", CANARY);
});

afterAll(async () => {
  await emulator.stop();
  await rm(stateDir, { recursive: true, force: true });
});

describe("validating right after granting the role", () => {
  it("reports denied with the propagation advice, then passes once Azure has applied the assignment", async () => {
    const vaultUri = emulator.vaultUri(VAULT);
    const manager = createAzureKeyVaultSecretManager({
      cloud: "public",
      authorityHost: emulator.authorityHost,
      platformIdentity: { method: "client-secret", clientId: appId, clientSecret: appSecret },
      caCertificatesPem: emulator.caCertPem,
      emulatorHosts: [new URL(vaultUri).host],
      retry: { maxAttempts: 2, baseDelayMs: 20, maxDelayMs: 40 },
      fetchDeadlineMs: 10_000,
    });
    const integration = { id: "cspi-prop1", customerTenantId: customerTenant };
    emulator.assignRole(VAULT, { principalObjectId: spObjectId, role: "Key Vault Secrets User" });
    const grantedAt = Date.now();

    const early = await manager.validateIntegration(integration, { vaultUri });
    expect(early.ready).toBe(false);
    expect(early.permissions.map((p) => [p.permission, p.status])).toEqual([["readMetadata", "denied"], ["getSecret", "denied"]]);
    for (const probe of early.permissions) {
      expect(probe.reason).toContain("Assign the role \"Key Vault Secrets User\"");
      expect(probe.reason).toContain(RBAC_PROPAGATION_ADVICE);
      expect(probe.reason).not.toContain(CANARY);
    }
    expect(RBAC_PROPAGATION_ADVICE).toBe("Azure can take several minutes to apply a new role assignment: if you have just assigned it, validate again in a few minutes.");

    await sleep(Math.max(0, DELAY_MS - (Date.now() - grantedAt)) + 50);
    const later = await manager.validateIntegration(integration, { vaultUri });
    expect(later.ready).toBe(true);
    expect(later.permissions.map((p) => p.status)).toEqual(["granted", "granted"]);
  });
});
