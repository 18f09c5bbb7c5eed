/**
 * bench/e2e: from a connector create to RUNNING and to its first message on a
 * real stack (Azure emulator, vaultwire, Kafka, Kafka Connect, Debezium,
 * PostgreSQL), split into vaultwire's share and the rest (Kafka Connect,
 * Debezium, PostgreSQL). vaultwire's share is the create request (validation
 * and the live dry run of each secret) plus the time its /internal/v1
 * endpoint spent serving the workers' ConfigProvider, both read from its own
 * Prometheus metrics. Target: vaultwire's share under 5% of the total.
 *
 *   npm run bench:e2e      (needs npm run kafka:fetch and infra/postgres/setup.sh; VAULTWIRE_BENCH_ROUNDS=N, default 3)
 */
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePorts, startLocalKafka } from "../src/dev/local-kafka.js";
import { seedEnvironment, startAzureFixture, startTestServer, storeTargets } from "../test/http/harness.js";
import { readTopic } from "../src/dev/kafka-reader.js";
import { dropDatabaseAndRole, pgPort, psqlAdmin } from "../test/e2e/postgres-admin.js";

const ROUNDS = Number(process.env.VAULTWIRE_BENCH_ROUNDS ?? "3");
const run = randomBytes(3).toString("hex");
const DB = { name: `vw_bench_${run}`, user: `vw_bench_cdc_${run}`, password: `pw-${randomBytes(12).toString("base64url")}` };


/** Seconds spent in a route, from the server's latency histogram. */
function routeSeconds(metrics: string, method: string, route: string): number {
  const line = metrics.split("\n").find((l) => l.startsWith("vaultwire_http_request_duration_seconds_sum{") && l.includes(`method="${method}"`) && l.includes(`route="${route}"`));
  return line === undefined ? 0 : Number(line.split(" ").pop());
}

psqlAdmin(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${DB.password}'; CREATE DATABASE ${DB.name} OWNER ${DB.user};`);
const azure = await startAzureFixture();
azure.emulator.setSecret("sql-vault", "pg-credentials", JSON.stringify({ user: DB.user, password: DB.password }));
const [kafkaPort, connectPort] = await freePorts([undefined, undefined] as const);
const target = storeTargets()[0];
if (!target) throw new Error("no store");
const server = await startTestServer(target, azure, { reconcileIntervalMs: 60_000 });
const dir = await mkdtemp(join(tmpdir(), "vaultwire-bench-e2e-"));
const seed = await seedEnvironment(server, azure, "bench");
await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { kafka_bootstrap_servers: `127.0.0.1:${kafkaPort}`, connect_urls: [`http://127.0.0.1:${connectPort}`] } });
const worker = await server.api<{ properties: Record<string, string> }>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, {});
const kafka = await startLocalKafka({ dir, kafkaPort, connectPort, workerProperties: worker.body.properties });
const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
const INTERNAL = "/internal/v1/clusters/:cluster_id/connectors/:connector_id/secrets";
const CREATE = "/connect/v1/environments/:environment_id/clusters/:kafka_cluster_id/connectors";

try {
  const rows: { total: number; running: number; first: number; vaultwire: number }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const table = `t${round}`;
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password: DB.password });
    await client.connect();
    await client.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, v text)`);
    const before = await metrics();
    const started = performance.now();
    const created = await server.api("POST", `${seed.base}/connectors`, {
      name: `bench-${round}`,
      config: {
        "connector.class": "PostgresCdcSourceV2", name: `bench-${round}`, "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
        "secret.manager.managed.configs": "database.user,database.password", "secret.manager.provider.integration.id": seed.integrationId,
        "database.hostname": "127.0.0.1", "database.port": String(pgPort), "database.user": `${azure.vaultUri}::pg-credentials::user`,
        "database.password": `${azure.vaultUri}::pg-credentials::password`, "database.dbname": DB.name, "publication.name": `pub_${run}_${round}`,
        "publication.autocreate.mode": "filtered", "table.include.list": `public.${table}`, "slot.name": `bench_${run}_${round}`,
        "topic.prefix": `bench${run}r${round}`, "output.data.format": "JSON", "tasks.max": "1",
      },
    });
    if (created.status !== 201) throw new Error(`create failed: ${created.text}`);
    let running = 0;
    while (running === 0) {
      const status = await server.api<{ connector: { state: string; trace: string } }>("GET", `${seed.base}/connectors/bench-${round}/status`);
      if (status.body.connector.state === "RUNNING") running = performance.now() - started;
      else if (status.body.connector.state === "FAILED") throw new Error(status.body.connector.trace);
      else await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await client.query(`INSERT INTO ${table} VALUES (1, 'x')`);
    await client.end();
    await readTopic(kafka.bootstrapServers, `bench${run}r${round}.public.${table}`, (records) => records.length > 0, 60_000);
    const first = performance.now() - started;
    const after = await metrics();
    const vaultwire = 1000 * (routeSeconds(after, "POST", CREATE) - routeSeconds(before, "POST", CREATE) + routeSeconds(after, "GET", INTERNAL) - routeSeconds(before, "GET", INTERNAL));
    rows.push({ total: first, running, first, vaultwire });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const running = median(rows.map((r) => r.running));
  const first = median(rows.map((r) => r.first));
  const vaultwire = median(rows.map((r) => r.vaultwire));
  const share = (100 * vaultwire) / running;
  console.log(`bench/e2e — PostgresCdcSourceV2 with 2 secret-manager fields, median of ${ROUNDS} rounds, node ${process.version}`);
  console.log(`  create → RUNNING:        ${running.toFixed(0)} ms`);
  console.log(`  create → first message:  ${first.toFixed(0)} ms`);
  console.log(`  vaultwire's share:       ${vaultwire.toFixed(1)} ms (create request with live validation + secret delivery to the workers)`);
  console.log(`  Kafka Connect and the rest: ${(running - vaultwire).toFixed(0)} ms`);
  console.log(`  vaultwire / total to RUNNING: ${share.toFixed(2)}% (target < 5%: ${share < 5 ? "met" : "NOT MET"})`);
} finally {
  await kafka.stop().catch(() => undefined);
  await server.close().catch(() => undefined);
  await azure.close().catch(() => undefined);
  await dropDatabaseAndRole(DB.name, DB.user);
  await rm(dir, { recursive: true, force: true });
}
