/**
 * bench/reconcile: one periodic reconciler pass over 1,000 connectors
 * (VAULTWIRE_BENCH_CONNECTORS=N), Kafka Connect requests per pass and pass
 * time, against a server answering Connect's recorded shapes in a separate
 * process (bench/connect-recorded-server.ts, which counts the requests).
 *
 *   npm run bench:reconcile      (VAULTWIRE_BENCH_ROUNDS=N, default 3)
 *
 * Compared in the same run against the same server: the per-connector
 * approach (the pass before the batched listing: the single-connector path,
 * GET config + GET status for each connector, one after the other), and the
 * same per-connector path 8 at a time. The store is an in-memory port and
 * secret delivery is stubbed at its port (no vault): what is measured is the
 * reconciler's Connect traffic. Figures only; nothing is asserted on time.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import pino from "pino";
import { createConnectHostPolicy } from "../src/domain/connect-host-policy.js";
import type { Connector, ConnectorStatus, KafkaCluster } from "../src/domain/resources.js";
import { identifierGrammars } from "../src/secret-managers/grammars.js";
import { createConnectorBindings } from "../src/services/connector-secrets.js";
import { createLeaseKeeper } from "../src/runtime/kafka-connect/leases.js";
import { createReconciler, PASS_CONCURRENCY } from "../src/runtime/kafka-connect/reconciler.js";
import { memoryRuntimeStore } from "../test/runtime/memory-runtime-store.js";
import { SecretValue } from "../src/secret-managers/secret-value.js";
import type { SecretDelivery } from "../src/services/secret-delivery.js";
import type { Store } from "../src/store/store.js";

const CONNECTORS = Number(process.env.VAULTWIRE_BENCH_CONNECTORS ?? "1000");
const ROUNDS = Number(process.env.VAULTWIRE_BENCH_ROUNDS ?? "3");

const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL("./connect-recorded-server.ts", import.meta.url))], { stdio: ["ignore", "pipe", "inherit"] });
const port = await new Promise<number>((resolve, reject) => {
  child.once("error", reject);
  child.once("exit", (code) => { reject(new Error(`the Connect server exited (${code})`)); });
  createInterface({ input: child.stdout }).once("line", (line) => { resolve((JSON.parse(line) as { port: number }).port); });
});
const base = `http://127.0.0.1:${port}`;

try {
  const cluster: KafkaCluster = {
    id: "lkc-bench", environmentId: "env-1", displayName: "bench", cloud: "AZURE", region: "westus3", availability: "SINGLE_ZONE", type: "DEDICATED",
    cku: 1, networking: "PUBLIC", bootstrapServers: "10.20.0.4:9092", connectUrls: [base], createdAt: "", updatedAt: "",
  };
  const connectors = new Map<string, Connector>();
  for (let i = 0; i < CONNECTORS; i++) {
    const id = `lcc-b${i.toString(36)}`;
    connectors.set(id, {
      id, environmentId: "env-1", clusterId: cluster.id, name: `orders-${i}`, plugin: "PostgresCdcSourceV2",
      config: {
        "connector.class": "PostgresCdcSourceV2", name: `orders-${i}`, "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
        "secret.manager.managed.configs": "database.password", "secret.manager.provider.integration.id": "cspi-1",
        "database.hostname": "db", "database.port": "5432", "database.user": "u", "database.password": "https://v.vault.azure.net::db::password",
        "database.dbname": "app", "topic.prefix": `pg${i}`, "slot.name": `slot${i}`, "tasks.max": "1",
      },
      sensitiveCiphertext: null, integrationId: "cspi-1", desiredState: "RUNNING",
      status: { state: "PROVISIONING", workerId: null, trace: null, tasks: [], observedAt: "" }, generation: 1, createdAt: "", updatedAt: "",
    });
  }
  const statuses = new Map<string, ConnectorStatus>();
  const store = {
    ...memoryRuntimeStore(),
    connectors: {
      get: (id: string) => Promise.resolve(connectors.get(id)),
      listAll: () => Promise.resolve([...connectors.values()]),
      updateStatus: (id: string, status: ConnectorStatus) => { statuses.set(id, status); return Promise.resolve(); },
    },
    clusters: { get: (id: string) => Promise.resolve(id === cluster.id ? cluster : undefined), listAll: () => Promise.resolve([cluster]) },
  } as unknown as Store;
  const delivery: SecretDelivery = {
    secretKeys: () => ({ managed: ["database.password"], plaintext: [] }),
    resolve: () => Promise.resolve({ values: new Map([["database.password", new SecretValue("bench-pw")]]), versions: new Map([["database.password", "v1"]]), references: new Map(), errors: [] }),
  };
  const hosts = createConnectHostPolicy(["127.0.0.1"]);
  if (!hosts.ok) throw new Error(hosts.error);
  const reconciler = createReconciler({
    store, leases: createLeaseKeeper({ store, holder: "bench", logger: pino({ level: "silent" }) }), delivery, bindings: createConnectorBindings(identifierGrammars()), grammars: identifierGrammars(), connectHosts: hosts.value, logger: pino({ level: "silent" }), invalidateSecrets: () => undefined,
  });

  const count = async (): Promise<{ requests: number; byRoute: Record<string, number> }> => (await fetch(`${base}/__count`)).json() as Promise<{ requests: number; byRoute: Record<string, number> }>;
  const reset = async () => { await fetch(`${base}/__count`, { method: "DELETE" }); };
  const measure = async (work: () => Promise<void>) => {
    await reset();
    const started = performance.now();
    await work();
    const ms = performance.now() - started;
    return { ms, ...(await count()) };
  };
  const ids = [...connectors.keys()];
  const limited = async (limit: number, each: (id: string) => Promise<unknown>) => {
    let next = 0;
    await Promise.all(Array.from({ length: limit }, async () => {
      while (next < ids.length) await each(ids[next++] ?? "");
    }));
  };

  // First pass: deploys every connector (validate + PUT config each); later passes find them unchanged.
  const deploy = await measure(() => reconciler.reconcileAll());
  const running = [...statuses.values()].filter((s) => s.state === "RUNNING").length;
  if (running !== CONNECTORS) throw new Error(`after the first pass ${running} of ${CONNECTORS} connectors are RUNNING`);

  const approaches = [
    { label: `batched pass (reconcileAll, ${PASS_CONCURRENCY} at a time)`, run: () => reconciler.reconcileAll() },
    { label: "per-connector, sequential (reconcileOne each)", run: () => limited(1, (id) => reconciler.reconcileOne(id)) },
    { label: `per-connector, ${PASS_CONCURRENCY} at a time`, run: () => limited(PASS_CONCURRENCY, (id) => reconciler.reconcileOne(id)) },
  ];
  const results: { label: string; requests: number; ms: number; byRoute: Record<string, number> }[] = [];
  for (const approach of approaches) {
    const rounds = [];
    for (let round = 0; round < ROUNDS; round++) rounds.push(await measure(approach.run));
    rounds.sort((a, b) => a.ms - b.ms);
    const median = rounds[Math.floor(rounds.length / 2)] ?? rounds[0];
    if (median) results.push({ label: approach.label, requests: median.requests, ms: median.ms, byRoute: median.byRoute });
  }
  await reconciler.stop();

  const routes = (byRoute: Record<string, number>) => Object.entries(byRoute).map(([route, n]) => `${n} × ${route}`).join(", ");
  console.log(`bench/reconcile: ${CONNECTORS} connectors on one Connect cluster (recorded-shape server in a child process), median of ${ROUNDS} passes, Node ${process.version}`);
  console.log(`  first pass (deploys all): ${deploy.requests} requests, ${deploy.ms.toFixed(0)} ms (${routes(deploy.byRoute)})`);
  for (const result of results) {
    console.log(`  ${result.label.padEnd(48)} ${String(result.requests).padStart(6)} requests/pass  ${result.ms.toFixed(1).padStart(8)} ms/pass  (${routes(result.byRoute)})`);
  }
  const [batched, ...others] = results;
  if (batched) {
    for (const other of others) {
      console.log(`  batched vs ${other.label}: ${(other.requests / batched.requests).toFixed(0)}× fewer requests, ${(other.ms / batched.ms).toFixed(1)}× faster`);
    }
  }
} finally {
  child.kill("SIGTERM");
}
