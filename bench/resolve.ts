/**
 * bench/resolve: identifiers resolved per second through the whole client
 * path (credential, SDK, HTTPS, the Azure emulator), cold and warm cache, and
 * Key Vault requests per resolution.
 *
 *   npm run bench:resolve        (VAULTWIRE_BENCH_ROUNDS=N, default 5)
 *
 * The baseline, measured in the same process against the same emulator, is
 * the bare SDK: one SecretClient.getSecret per distinct secret, sequentially
 * and with the same concurrency. Ratios compare vaultwire's cold path with it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { parseAzureKeyVaultIdentifier } from "../src/domain/azure-key-vault-identifier.js";
import { createVaultHostPolicy } from "../src/domain/vault-host-policy.js";
import { startAzureEmulator } from "../src/emulator/azure/index.js";
import { createAzureKeyVaultSecretManager, type AzureKeyVaultSettings } from "../src/secret-managers/azure-key-vault/index.js";
import { KeyedConcurrencyLimiter } from "../src/secret-managers/concurrency.js";

const ROUNDS = Number(process.env.VAULTWIRE_BENCH_ROUNDS ?? "5");
const SECRETS = 50;
const KEYS_PER_SECRET = 2;
const CONCURRENCY = 8;

const stateDir = await mkdtemp(join(tmpdir(), "vaultwire-bench-resolve-"));
const emulator = await startAzureEmulator({ stateDir });
try {
  const platform = emulator.createTenant().tenantId;
  const customer = emulator.createTenant().tenantId;
  const { appId } = emulator.createApp({ homeTenantId: platform, displayName: "bench", multiTenant: true });
  const { secret } = emulator.addClientSecret(appId);
  const { servicePrincipalObjectId } = emulator.consent(appId, customer);
  const { vaultUri } = await emulator.createVault({ name: "bench-vault", tenantId: customer });
  emulator.assignRole("bench-vault", { principalObjectId: servicePrincipalObjectId, role: "Key Vault Secrets User" });
  for (let i = 0; i < SECRETS; i++) emulator.setSecret("bench-vault", `secret-${i}`, JSON.stringify({ user: `u${i}`, password: `p${i}` }));

  const host = new URL(vaultUri).host;
  const policy = createVaultHostPolicy({ extraHosts: [host] });
  if (!policy.ok) throw new Error(policy.error);
  const requests = Array.from({ length: SECRETS * KEYS_PER_SECRET }, (_, i) => {
    const parsed = parseAzureKeyVaultIdentifier(`${vaultUri}::secret-${Math.floor(i / KEYS_PER_SECRET)}::${i % 2 === 0 ? "user" : "password"}`, policy.value);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return { key: `field-${i}`, identifier: parsed.value };
  });
  const settings = (cacheTtlMs: number): AzureKeyVaultSettings => ({
    cloud: "public",
    authorityHost: emulator.authorityHost,
    platformIdentity: { method: "client-secret", clientId: appId, clientSecret: secret },
    caCertificatesPem: emulator.caCertPem,
    emulatorHosts: [host],
    concurrencyPerVault: CONCURRENCY,
    cacheTtlMs,
  });
  const integration = { id: "cspi-bench", customerTenantId: customer };

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  async function measure(run: () => Promise<void>): Promise<number> {
    await run(); // warm-up: TLS sessions, token (and, for the warm case, the cache)
    emulator.resetRequestCounts();
    const rates: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const start = process.hrtime.bigint();
      await run();
      rates.push(requests.length / (Number(process.hrtime.bigint() - start) / 1e9));
    }
    return median(rates);
  }

  // Baseline: the bare SDK, one GET per distinct secret with the same concurrency cap.
  const client = new SecretClient(vaultUri, new ClientSecretCredential(customer, appId, secret, { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emulator.caCertPem } }), { disableChallengeResourceVerification: true, tlsOptions: { ca: emulator.caCertPem }, retryOptions: { maxRetries: 0 } });
  const limiter = new KeyedConcurrencyLimiter(CONCURRENCY);
  const baseline = await measure(async () => {
    await Promise.all(Array.from({ length: SECRETS }, (_, i) => limiter.run("v", () => client.getSecret(`secret-${i}`))));
  });

  const cold = createAzureKeyVaultSecretManager(settings(0));
  const coldRate = await measure(async () => {
    const results = await cold.fetch(integration, requests);
    if (!results.every((r) => r.ok)) throw new Error("cold fetch failed");
  });
  const coldGets = emulator.requestCounts("bench-vault").byOperation.get ?? 0;

  const warm = createAzureKeyVaultSecretManager(settings(60_000));
  const warmRate = await measure(async () => {
    const results = await warm.fetch(integration, requests);
    if (!results.every((r) => r.ok)) throw new Error("warm fetch failed");
  });
  const warmGets = emulator.requestCounts("bench-vault").byOperation.get ?? 0;
  const resolutions = requests.length * ROUNDS;

  console.log(`bench/resolve — ${requests.length} identifiers on ${SECRETS} JSON secrets, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds, node ${process.version}`);
  console.log(`bare SDK baseline (one GET per secret):  ${Math.round(baseline).toLocaleString("en-US")} identifiers/s`);
  console.log(`vaultwire, cold cache:                   ${Math.round(coldRate).toLocaleString("en-US")} identifiers/s (${(coldRate / baseline).toFixed(2)}× baseline), ${(coldGets / resolutions).toFixed(3)} Key Vault GETs per resolution`);
  console.log(`vaultwire, warm cache:                   ${Math.round(warmRate).toLocaleString("en-US")} identifiers/s (${(warmRate / baseline).toFixed(2)}× baseline), ${(warmGets / resolutions).toFixed(3)} Key Vault GETs per resolution`);
} finally {
  await emulator.stop();
  await rm(stateDir, { recursive: true, force: true });
}
