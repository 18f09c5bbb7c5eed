/**
 * bench/api: connector creates and validations per second, with p50/p99
 * latency, from 50 concurrent clients over HTTP against a real server (the
 * Azure emulator behind the secret manager, the runtime stubbed at its
 * interface), on the embedded SQLite store and, when
 * VAULTWIRE_BENCH_DATABASE_URL (or VAULTWIRE_TEST_DATABASE_URL) is set, on
 * PostgreSQL. Baseline in the same process: GET /health through the same
 * HTTP stack and authentication-free path.
 *
 *   npm run bench:api        (VAULTWIRE_BENCH_REQUESTS=N per case, default 2000)
 */
import type { StoreTarget } from "../test/store/harness.js";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, type TestServer } from "../test/http/harness.js";

const REQUESTS = Number(process.env.VAULTWIRE_BENCH_REQUESTS ?? "2000");
const CONCURRENCY = 50;

interface Figures { perSecond: number; p50: number; p99: number; failures: number }

async function load(run: (i: number) => Promise<number>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < REQUESTS; i = next++) {
      const t0 = performance.now();
      const status = await run(i);
      latencies.push(performance.now() - t0);
      if (status >= 300) failures++;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pick = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { perSecond: REQUESTS / seconds, p50: pick(0.5), p99: pick(0.99), failures };
}

function line(label: string, f: Figures, baseline?: Figures): string {
  const ratio = baseline ? `, ${(baseline.perSecond / f.perSecond).toFixed(1)}× the time of GET /health` : "";
  return `  ${label.padEnd(26)} ${Math.round(f.perSecond).toLocaleString("en-US").padStart(7)}/s  p50 ${f.p50.toFixed(1)} ms  p99 ${f.p99.toFixed(1)} ms${f.failures > 0 ? `  (${f.failures} FAILED)` : ""}${ratio}`;
}

async function bench(target: StoreTarget, server: TestServer, azureVault: string, seed: Awaited<ReturnType<typeof seedEnvironment>>): Promise<void> {
  const health = await load(async () => (await fetch(`${server.url}/health`)).status);
  const validations = await load(async () => (await server.api("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, specConnector(azureVault, seed.integrationId).config)).status);
  const creates = await load(async (i) => (await server.api("POST", `${seed.base}/connectors`, specConnector(azureVault, seed.integrationId, `bench-${target.name}-${i}`))).status);
  console.log(`${target.name}: ${REQUESTS} requests per case, ${CONCURRENCY} concurrent clients`);
  console.log(line("GET /health (baseline)", health));
  console.log(line("validate (live dry run)", validations, health));
  console.log(line("create connector", creates, health));
}

const azure = await startAzureFixture();
try {
  const targets = process.env.VAULTWIRE_BENCH_DATABASE_URL ? storeTargets().filter((t) => t.name === "sqlite").concat(storeTargets().filter((t) => t.name === "postgres")) : storeTargets();
  console.log(`bench/api — node ${process.version}`);
  for (const target of targets) {
    const server = await startTestServer(target, azure);
    try {
      const seed = await seedEnvironment(server, azure, `bench-${target.name}`);
      await bench(target, server, azure.vaultUri, seed);
    } finally {
      await server.close();
    }
  }
} finally {
  await azure.close();
}
