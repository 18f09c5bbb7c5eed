// Shared set-up for the emulator's integration suites: a fresh emulator in a
// temporary state directory, and the real SDKs pointed at it the way a client
// must (authorityHost + no instance discovery + the emulator's CA).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential, type TokenCredential } from "@azure/identity";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { startAzureEmulator, type AzureEmulator, type AzureEmulatorOptions } from "../../src/emulator/azure/index.js";

export interface TestEmulator {
  readonly emulator: AzureEmulator;
  readonly stateDir: string;
  close(): Promise<void>;
}

export async function startTestEmulator(options: Omit<AzureEmulatorOptions, "stateDir"> = {}): Promise<TestEmulator> {
  const stateDir = await mkdtemp(join(tmpdir(), "vaultwire-azure-emulator-"));
  const emulator = await startAzureEmulator({ stateDir, ...options });
  return {
    emulator,
    stateDir,
    close: async () => {
      await emulator.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export function credentialOptions(emulator: AzureEmulator): { authorityHost: string; disableInstanceDiscovery: true; tlsOptions: { ca: string } } {
  return { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emulator.caCertPem } };
}

export function secretClient(emulator: AzureEmulator, vaultUri: string, credential: TokenCredential, options: SecretClientOptions = {}): SecretClient {
  return new SecretClient(vaultUri, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca: emulator.caCertPem }, retryOptions: { maxRetries: 0 }, ...options });
}

/** A tenant, an app with a client secret, and its service principal's object id. */
export function createIdentity(emulator: AzureEmulator, options: { multiTenant?: boolean } = {}): { tenantId: string; appId: string; secret: string; objectId: string; credential: ClientSecretCredential } {
  const { tenantId } = emulator.createTenant();
  const { appId, homeServicePrincipalObjectId } = emulator.createApp({ homeTenantId: tenantId, displayName: "test app", ...options });
  const { secret } = emulator.addClientSecret(appId);
  return { tenantId, appId, secret, objectId: homeServicePrincipalObjectId, credential: new ClientSecretCredential(tenantId, appId, secret, credentialOptions(emulator)) };
}

/** The error a promise rejects with (fails the test when it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { statusCode?: number; code?: string; details?: { error?: { innerError?: { code?: string } } }; response?: { headers: { get(name: string): string | undefined } } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
