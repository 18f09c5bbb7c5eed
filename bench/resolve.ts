/**
 * bench/resolve: identifiers resolved per second through the whole client
 * path, cold and warm cache, and secret-manager GETs per resolution, for each
 * manager:
 *
 *   Azure Key Vault      credential, SDK, HTTPS, the Azure emulator;
 *   AWS Secrets Manager  AssumeRole session, SDK, HTTP, a moto_server the
 *                        bench starts itself (test/aws/moto.ts, IAM
 *                        enforcement on); skipped with a note when moto is
 *                        not installed.
 *
 *   npm run bench:resolve        (VAULTWIRE_BENCH_ROUNDS=N, default 5)
 *
 * The baseline, measured in the same process against the same peer, is the
 * bare SDK: one GET per distinct secret (SecretClient.getSecret,
 * GetSecretValue with the role's session), with the same concurrency. Ratios
 * compare vaultwire's paths with it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { parseAzureKeyVaultIdentifier } from "../src/secret-managers/azure-key-vault/identifier.js";
import { createVaultHostPolicy } from "../src/secret-managers/azure-key-vault/vault-host-policy.js";
import { startAzureEmulator } from "../src/emulator/azure/index.js";
import { createAzureKeyVaultSecretManager, type AzureKeyVaultSettings } from "../src/secret-managers/azure-key-vault/index.js";
import { KeyedConcurrencyLimiter } from "../src/secret-managers/concurrency.js";
import { CreateSecretCommand, GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { createAwsSecretsManager, parseAwsSecretsManagerIdentifier } from "../src/secret-managers/aws-secrets-manager/index.js";
import { motoBinary, setUpAwsAccount, startMoto } from "../test/aws/moto.js";

const ROUNDS = Number(process.env.VAULTWIRE_BENCH_ROUNDS ?? "5");
const SECRETS = 50;
const KEYS_PER_SECRET = 2;
const CONCURRENCY = 8;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const rate = (n: number) => Math.round(n).toLocaleString("en-US");

/** Median identifiers/s over ROUNDS runs, after one warm-up run; `reset` clears the request counts after the warm-up. */
async function measure(identifiers: number, run: () => Promise<void>, reset: () => void): Promise<number> {
  await run(); // warm-up: TLS sessions, token or role session (and, for the warm case, the cache)
  reset();
  const rates: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    await run();
    rates.push(identifiers / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(rates);
}

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

  const resetCounts = () => { emulator.resetRequestCounts(); };

  // Baseline: the bare SDK, one GET per distinct secret with the same concurrency cap.
  const client = new SecretClient(vaultUri, new ClientSecretCredential(customer, appId, secret, { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emulator.caCertPem } }), { disableChallengeResourceVerification: true, tlsOptions: { ca: emulator.caCertPem }, retryOptions: { maxRetries: 0 } });
  const limiter = new KeyedConcurrencyLimiter(CONCURRENCY);
  const baseline = await measure(requests.length, async () => {
    await Promise.all(Array.from({ length: SECRETS }, (_, i) => limiter.run("v", () => client.getSecret(`secret-${i}`))));
  }, resetCounts);

  const cold = createAzureKeyVaultSecretManager(settings(0));
  const coldRate = await measure(requests.length, async () => {
    const results = await cold.fetch(integration, requests);
    if (!results.every((r) => r.ok)) throw new Error("cold fetch failed");
  }, resetCounts);
  const coldGets = emulator.requestCounts("bench-vault").byOperation.get ?? 0;

  const warm = createAzureKeyVaultSecretManager(settings(60_000));
  const warmRate = await measure(requests.length, async () => {
    const results = await warm.fetch(integration, requests);
    if (!results.every((r) => r.ok)) throw new Error("warm fetch failed");
  }, resetCounts);
  const warmGets = emulator.requestCounts("bench-vault").byOperation.get ?? 0;
  const resolutions = requests.length * ROUNDS;

  console.log(`bench/resolve — ${requests.length} identifiers on ${SECRETS} JSON secrets, concurrency ${CONCURRENCY}, median of ${ROUNDS} rounds, node ${process.version}`);
  console.log("Azure Key Vault (the Azure emulator)");
  console.log(`bare SDK baseline (one GET per secret):  ${rate(baseline)} identifiers/s`);
  console.log(`vaultwire, cold cache:                   ${rate(coldRate)} identifiers/s (${(coldRate / baseline).toFixed(2)}× baseline), ${(coldGets / resolutions).toFixed(3)} Key Vault GETs per resolution`);
  console.log(`vaultwire, warm cache:                   ${rate(warmRate)} identifiers/s (${(warmRate / baseline).toFixed(2)}× baseline), ${(warmGets / resolutions).toFixed(3)} Key Vault GETs per resolution`);
} finally {
  await emulator.stop();
  await rm(stateDir, { recursive: true, force: true });
}

await benchAws();

/** The same figures for AWS Secrets Manager, against a moto_server of the bench's own. */
async function benchAws(): Promise<void> {
  if (motoBinary() === undefined) {
    console.log("AWS Secrets Manager: skipped (moto_server not found: install moto[server]==5.2.5 into ~/.cache/vaultwire/moto-venv as .ci/run does, or set VAULTWIRE_TEST_MOTO_SERVER)");
    return;
  }
  const region = "us-east-1";
  const externalId = globalThis.crypto.randomUUID();
  const moto = await startMoto();
  try {
    const account = await setUpAwsAccount(moto, "bench", region);
    const roleArn = await account.createReaderRole("bench-reader", externalId);
    const owner = new SecretsManagerClient({ region, endpoint: moto.url, credentials: account.admin });
    const arns: string[] = [];
    for (let i = 0; i < SECRETS; i++) arns.push((await owner.send(new CreateSecretCommand({ Name: `secret-${i}`, SecretString: JSON.stringify({ user: `u${i}`, password: `p${i}` }) }))).ARN ?? "");
    owner.destroy();
    await moto.setAuth("0");

    const requests = Array.from({ length: SECRETS * KEYS_PER_SECRET }, (_, i) => {
      const parsed = parseAwsSecretsManagerIdentifier(`${arns[Math.floor(i / KEYS_PER_SECRET)] ?? ""}::${i % 2 === 0 ? "user" : "password"}`);
      if (!parsed.ok) throw new Error(parsed.error.message);
      return { key: `field-${i}`, identifier: parsed.value };
    });
    const counts = { get: 0, assume: 0 };
    const resetCounts = () => { counts.get = 0; counts.assume = 0; };
    const onRequest = (event: { operation: string }) => {
      if (event.operation === "get-secret-value") counts.get++;
      if (event.operation === "assume-role") counts.assume++;
    };
    const platformIdentity = { method: "static-keys", accessKeyId: account.platform.accessKeyId, secretAccessKey: account.platform.secretAccessKey } as const;
    const manager = (cacheTtlMs: number) => createAwsSecretsManager({
      platformIdentity, region, endpointOverrides: { secretsManager: moto.url, sts: moto.url }, concurrencyPerAccountRegion: CONCURRENCY, cacheTtlMs,
    }, { onRequest });
    const integration = { id: "cspi-bench", config: { kind: "AwsIntegrationConfig", customerIamRoleArn: roleArn, externalId } as const, credential: null };

    // Baseline: the bare SDK with the role's session, one GetSecretValue per distinct secret, the same concurrency cap.
    const sts = new STSClient({ region, endpoint: moto.url, credentials: platformIdentity });
    const assumed = (await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, ExternalId: externalId, RoleSessionName: "bench" }))).Credentials;
    sts.destroy();
    const client = new SecretsManagerClient({ region, endpoint: moto.url, maxAttempts: 1, credentials: { accessKeyId: assumed?.AccessKeyId ?? "", secretAccessKey: assumed?.SecretAccessKey ?? "", sessionToken: assumed?.SessionToken ?? "" } });
    const limiter = new KeyedConcurrencyLimiter(CONCURRENCY);
    const baseline = await measure(requests.length, async () => {
      await Promise.all(arns.map((arn) => limiter.run("a", () => client.send(new GetSecretValueCommand({ SecretId: arn })))));
    }, resetCounts);
    client.destroy();

    const cold = manager(0);
    const coldRate = await measure(requests.length, async () => {
      const results = await cold.fetch(integration, requests);
      if (!results.every((r) => r.ok)) throw new Error("cold fetch failed");
    }, resetCounts);
    const coldCounts = { ...counts };
    const warm = manager(60_000);
    const warmRate = await measure(requests.length, async () => {
      const results = await warm.fetch(integration, requests);
      if (!results.every((r) => r.ok)) throw new Error("warm fetch failed");
    }, resetCounts);
    const warmCounts = { ...counts };
    const resolutions = requests.length * ROUNDS;
    const perResolution = (c: { get: number; assume: number }) => `${(c.get / resolutions).toFixed(3)} Secrets Manager GETs per resolution (${c.assume} AssumeRole)`;

    console.log("AWS Secrets Manager (moto, IAM enforced)");
    console.log(`bare SDK baseline (one GET per secret):  ${rate(baseline)} identifiers/s`);
    console.log(`vaultwire, cold cache:                   ${rate(coldRate)} identifiers/s (${(coldRate / baseline).toFixed(2)}× baseline), ${perResolution(coldCounts)}`);
    console.log(`vaultwire, warm cache:                   ${rate(warmRate)} identifiers/s (${(warmRate / baseline).toFixed(2)}× baseline), ${perResolution(warmCounts)}`);
  } finally {
    await moto.close();
  }
}
