/**
 * bench/rotation: seconds from a rotation (the database password changed,
 * then a new secret version in Key Vault) to the first message the connector
 * writes with the new credentials, on a real stack (Azure emulator with its
 * Event Grid, vaultwire as its own process, Kafka, Kafka Connect, Debezium,
 * PostgreSQL): push (the emulator's Event Grid calls vaultwire's webhook) and
 * poll (vaultwire's periodic check, no subscription), with the Key Vault GETs
 * and connector restarts each rotation caused.
 *
 * "Written with the new credentials": PostgreSQL keeps the old task's session
 * after ALTER ROLE, so the first message of the new credentials is the first
 * message for a row inserted after a replication session of the connector's
 * role started after the rotation (rows are inserted every 100 ms
 * throughout). The same vaultwire store serves both modes; the server is
 * restarted between them with the poll period of the mode: 5 min for push (so
 * every restart is the push's), VAULTWIRE_BENCH_POLL_MS (default 20 s) for
 * poll, whose expected delay is half the period plus Connect's restart.
 * Target: push under 5 s, exactly 1 restart and 1 GET per changed secret.
 *
 *   npm run bench:rotation   (needs npm run build, npm run kafka:fetch and infra/postgres/setup.sh; VAULTWIRE_BENCH_ROUNDS=N, default 3)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, statSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { freePorts, startLocalKafka } from "../src/dev/local-kafka.js";
import { readTopic } from "../src/dev/kafka-reader.js";
import { ADMIN_KEY, ADMIN_SECRET, LOCAL_CONNECT_HOSTS, seedEnvironment, startAzureFixture } from "../test/http/harness.js";
import { dropDatabaseAndRole, pgPort, psqlAdmin } from "../test/e2e/postgres-admin.js";

const ROUNDS = Number(process.env.VAULTWIRE_BENCH_ROUNDS ?? "3");
const POLL_MS = Number(process.env.VAULTWIRE_BENCH_POLL_MS ?? "20000");
const BIN = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const RESTARTED = "restarted the connector and its tasks in Kafka Connect";
const run = randomBytes(3).toString("hex");
const DB = { name: `vw_rot_${run}`, user: `vw_rot_cdc_${run}`, table: "ticks" };
const TOPIC = `rot${run}.public.${DB.table}`;
const MASTER_KEY = randomBytes(32).toString("base64");
const password = () => `Rot-${randomBytes(12).toString("base64url")}`;

let current = password();
psqlAdmin(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${current}'; CREATE DATABASE ${DB.name} OWNER ${DB.user};`);
const azure = await startAzureFixture();
const setSecret = (value: string) => azure.emulator.setSecret("sql-vault", "pg-credentials", JSON.stringify({ user: DB.user, password: value }));
setSecret(current);
const dir = await mkdtemp(join(tmpdir(), "vaultwire-bench-rotation-"));
const [port, kafkaPort, connectPort] = await freePorts([undefined, undefined, undefined] as const);
const url = `http://127.0.0.1:${port}`;
const logFile = join(dir, "server.log");
let server: ChildProcess | undefined;

async function startServer(refreshMs: number): Promise<void> {
  const hosts = new URL(azure.vaultUri).host;
  const out = openSync(logFile, "a");
  const offset = statSync(logFile).size;
  try {
    server = spawn(process.execPath, [BIN, "server", "--port", String(port)], {
      env: {
        PATH: process.env.PATH ?? "", HOME: dir, VAULTWIRE_DATA_DIR: join(dir, "data"), VAULTWIRE_MASTER_KEY: MASTER_KEY,
        VAULTWIRE_BOOTSTRAP_API_KEY: ADMIN_KEY, VAULTWIRE_BOOTSTRAP_API_SECRET: ADMIN_SECRET, VAULTWIRE_PUBLIC_URL: url, VAULTWIRE_LOG_LEVEL: "info",
        VAULTWIRE_RECONCILE_INTERVAL_MS: "10000", VAULTWIRE_SECRET_REFRESH_INTERVAL_MS: String(refreshMs),
        VAULTWIRE_ALLOWED_CONNECT_HOSTS: LOCAL_CONNECT_HOSTS.join(","), VAULTWIRE_AZURE_AUTHORITY_HOST: azure.emulator.authorityHost,
        VAULTWIRE_AZURE_CA_FILE: join(azure.stateDir, "ca.pem"), VAULTWIRE_ALLOWED_VAULT_HOSTS: hosts, VAULTWIRE_AZURE_EMULATOR_HOSTS: hosts,
        VAULTWIRE_AZURE_CLIENT_ID: azure.appId, VAULTWIRE_AZURE_CLIENT_SECRET: azure.appSecret,
      },
      stdio: ["ignore", out, out],
    });
  } finally {
    closeSync(out);
  }
  for (const deadline = Date.now() + 30_000; ;) {
    const output = readFileSync(logFile).subarray(offset).toString("utf8");
    if (output.includes(`listening on ${url}`)) return;
    if (server.exitCode !== null || Date.now() > deadline) throw new Error(`vaultwire did not start: ${output.slice(-2_000)}`);
    await sleep(100);
  }
}

async function stopServer(): Promise<void> {
  const child = server;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

interface Answer { readonly status: number; readonly body: unknown; readonly text: string }
async function api(method: string, path: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${ADMIN_KEY}:${ADMIN_SECRET}`).toString("base64")}` };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) as unknown, text };
}

const restartsSoFar = () => readFileSync(logFile, "utf8").split(RESTARTED).length - 1;
const getsSoFar = () => azure.emulator.requestCounts("sql-vault").byOperation.get ?? 0;

// Rows every 100 ms, from one session opened before any rotation (PostgreSQL keeps a session after ALTER ROLE).
const writer = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password: current });
let kafka: Awaited<ReturnType<typeof startLocalKafka>> | undefined;
const ticking = { on: true };
let lastRow = 0;
const inserted = new Map<number, number>();

try {
  await startServer(5 * 60_000);
  const seed = await seedEnvironment({ api: api as unknown as Parameters<typeof seedEnvironment>[0]["api"] }, azure, "rotation");
  await api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { kafka_bootstrap_servers: `127.0.0.1:${kafkaPort}`, connect_urls: [`http://127.0.0.1:${connectPort}`] } });
  const worker = await api("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, {});
  kafka = await startLocalKafka({ dir, kafkaPort, connectPort, workerProperties: (worker.body as { properties: Record<string, string> }).properties });
  const bootstrap = kafka.bootstrapServers;
  await writer.connect();
  await writer.query(`CREATE TABLE public.${DB.table} (id integer PRIMARY KEY, at text)`);
  const created = await api("POST", `${seed.base}/connectors`, {
    name: "rotation",
    config: {
      "connector.class": "PostgresCdcSourceV2", name: "rotation", "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
      "secret.manager.managed.configs": "database.user,database.password", "secret.manager.provider.integration.id": seed.integrationId,
      "database.hostname": "127.0.0.1", "database.port": String(pgPort), "database.user": `${azure.vaultUri}::pg-credentials::user`,
      "database.password": `${azure.vaultUri}::pg-credentials::password`, "database.dbname": DB.name, "publication.name": `pub_${run}`,
      "publication.autocreate.mode": "filtered", "table.include.list": `public.${DB.table}`, "slot.name": `rot_${run}`,
      "topic.prefix": `rot${run}`, "output.data.format": "JSON", "tasks.max": "1",
    },
  });
  if (created.status !== 201) throw new Error(`create failed: ${created.text}`);
  for (const deadline = Date.now() + 120_000; ;) {
    const status = await api("GET", `${seed.base}/connectors/rotation/status`);
    const state = (status.body as { connector?: { state?: string } }).connector?.state;
    if (state === "RUNNING") break;
    if (state === "FAILED" || Date.now() > deadline) throw new Error(`not RUNNING: ${status.text}`);
    await sleep(200);
  }
  void (async () => {
    while (ticking.on) {
      lastRow++;
      inserted.set(lastRow, Date.now());
      await writer.query(`INSERT INTO public.${DB.table} VALUES ($1, $2)`, [lastRow, new Date().toISOString()]).catch(() => undefined);
      await sleep(100);
    }
  })();
  await readTopic(bootstrap, TOPIC, (records) => records.length > 0, 120_000);

  /** Rows whose message is in the topic (the JSON value carries the row id). */
  const rowsIn = (records: readonly { value: string | null }[]) => records.flatMap((r) => {
    const match = r.value === null ? null : /"after":\{"id":(\d+)/.exec(r.value) ?? /"id":(\d+)/.exec(r.value);
    return match?.[1] === undefined ? [] : [Number(match[1])];
  });

  async function rotateOnce(): Promise<{ seconds: number; restarts: number; gets: number }> {
    const beforeRestarts = restartsSoFar();
    const beforeGets = getsSoFar();
    current = password();
    psqlAdmin(`ALTER ROLE ${DB.user} PASSWORD '${current}'`);
    const t0 = Date.now();
    setSecret(current);
    // The connector's new replication session: started after the rotation.
    let firstRow = 0;
    for (const deadline = t0 + POLL_MS * 3 + 60_000; firstRow === 0;) {
      const result = await writer.query<{ started: Date }>("SELECT backend_start AS started FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'walsender' ORDER BY backend_start DESC LIMIT 1", [DB.user]);
      const started = result.rows[0]?.started.getTime() ?? 0;
      if (started > t0) firstRow = [...inserted].find(([, at]) => at > started)?.[0] ?? 0;
      if (Date.now() > deadline) throw new Error("no new replication session of the connector after the rotation");
      if (firstRow === 0) await sleep(50);
    }
    let arrived = 0;
    await readTopic(bootstrap, TOPIC, (records) => {
      if (rowsIn(records).some((id) => id >= firstRow)) arrived = Date.now();
      return arrived !== 0;
    }, 120_000);
    // Let late work (a duplicate event, a follow-up) show up in the counts.
    await sleep(3_000);
    return { seconds: (arrived - t0) / 1000, restarts: restartsSoFar() - beforeRestarts, gets: getsSoFar() - beforeGets };
  }

  const token = await api("POST", `/pim/v2/integrations/${seed.integrationId}/event-subscriptions`, { spec: { description: "bench" } });
  if (token.status !== 201) throw new Error(`event subscription: ${token.text}`);
  const subscription = await azure.emulator.subscribeEvents("sql-vault", { endpoint: (token.body as { spec: { endpoint_url: string } }).spec.endpoint_url });
  const push = [];
  for (let round = 0; round < ROUNDS; round++) push.push(await rotateOnce());
  azure.emulator.unsubscribeEvents(subscription.subscriptionId);
  await stopServer();
  await startServer(POLL_MS);
  await sleep(2_000);
  const poll = [];
  for (let round = 0; round < ROUNDS; round++) poll.push(await rotateOnce());

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const line = (name: string, rows: { seconds: number; restarts: number; gets: number }[]) =>
    `  ${name.padEnd(5)} median ${median(rows.map((r) => r.seconds)).toFixed(2)} s (rounds: ${rows.map((r) => r.seconds.toFixed(2)).join(", ")}), restarts per rotation ${rows.map((r) => r.restarts).join(", ")}, Key Vault GETs per rotation ${rows.map((r) => r.gets).join(", ")}`;
  const pushMedian = median(push.map((r) => r.seconds));
  console.log(`bench/rotation — PostgresCdcSourceV2, one JSON secret (user, password), ${ROUNDS} rotations per mode, node ${process.version}`);
  console.log(line("push", push));
  console.log(line("poll", poll));
  console.log(`  poll period ${POLL_MS / 1000} s (default in production: 300 s); push / poll: ${(pushMedian / median(poll.map((r) => r.seconds))).toFixed(2)}`);
  console.log(`  target push < 5 s: ${pushMedian < 5 ? "met" : "NOT MET"}; exactly 1 restart and 1 GET per rotation: ${push.every((r) => r.restarts === 1 && r.gets === 1) ? "met" : "NOT MET"}`);
} finally {
  ticking.on = false;
  await writer.end().catch(() => undefined);
  await kafka?.stop().catch(() => undefined);
  await stopServer().catch(() => undefined);
  await azure.close().catch(() => undefined);
  await dropDatabaseAndRole(DB.name, DB.user);
  await rm(dir, { recursive: true, force: true });
}
