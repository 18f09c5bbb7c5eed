// The local Kafka stack end to end: a KRaft broker and a Connect worker from
// infra/kafka/target (bash infra/kafka/bin/fetch.sh), vaultwire's
// ConfigProvider in plugin.path, a stand-in for vaultwire's internal secrets
// endpoint, and a Debezium PostgreSQL connector whose user and password are
// `${vaultwire:…}` placeholders. Rows inserted into PostgreSQL must reach the
// topic, and the password must appear nowhere: not in the config topic, not in
// Connect's REST answers, not in the worker's log.
//
// Skipped (with the reason in its title) without the jars or a local
// PostgreSQL superuser; in CI (CI set) both are required.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { cp, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalKafka, type LocalKafka } from "../../src/dev/local-kafka.js";
import { readTopic, readWholeTopic } from "../../src/dev/kafka-reader.js";
import { canAdminPostgres, pgPort, psqlAdmin } from "./postgres-admin.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LIB_DIR = join(REPO_ROOT, "infra", "kafka", "target", "lib");
const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "kafka-stack");
const IN_CI = process.env.CI !== undefined && process.env.CI !== "";

const CLUSTER = "lkc-test01";
const CONNECTOR = "lcc-test01";
const WORKER_TOKEN = `vwt_${randomBytes(18).toString("base64url")}`;
const run = randomBytes(4).toString("hex");
const DB = { name: `vw_e2e_${run}`, user: `vw_e2e_cdc_${run}`, password: `pw-${randomBytes(15).toString("base64url")}`, slot: `vw_e2e_${run}`, table: "orders" };
const TOPIC_PREFIX = `vwe2e${run}`;

const haveJars = existsSync(LIB_DIR);
const havePostgres = haveJars && canAdminPostgres();
if (IN_CI && !haveJars) throw new Error(`CI: the local Kafka jars are missing at ${LIB_DIR}: run bash infra/kafka/bin/fetch.sh (.ci/run does)`);
if (IN_CI && !havePostgres) throw new Error(`CI: no PostgreSQL superuser on 127.0.0.1:${pgPort} through runuser/sudo (bash infra/postgres/setup.sh)`);
const skipReason = !haveJars ? " (skipped: run bash infra/kafka/bin/fetch.sh)" : !havePostgres ? " (skipped: no local PostgreSQL superuser; bash infra/postgres/setup.sh as root)" : "";
if (skipReason !== "") console.warn(`test/e2e/kafka-stack.test.ts${skipReason}`);

/** Drops what this test (or an earlier, interrupted run of it) left in PostgreSQL. */
function dropLeftovers(onlyThisRun: boolean): void {
  const like = onlyThisRun ? `vw_e2e_%${run}` : "vw_e2e_%";
  for (let attempt = 0; ; attempt++) {
    try {
      psqlAdmin(`
        SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name LIKE '${like}' AND active_pid IS NOT NULL;
        SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE '${like}' AND NOT active;`);
      const databases = psqlAdmin(`SELECT datname FROM pg_database WHERE datname LIKE '${like}'`).split("\n").filter((name) => name !== "");
      for (const name of databases) psqlAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      const roles = psqlAdmin(`SELECT rolname FROM pg_roles WHERE rolname LIKE '${like.replace("vw_e2e_", "vw_e2e_cdc_")}'`).split("\n").filter((name) => name !== "");
      for (const name of roles) psqlAdmin(`DROP ROLE IF EXISTS "${name}"`);
      return;
    } catch (error) {
      // A slot's walsender may take a moment to let go after the connector stops.
      if (attempt >= 20) throw error;
      spawnSync("sleep", ["0.5"]);
    }
  }
}

// ---- a stand-in for vaultwire's internal secrets endpoint -----------------------------

interface SecretsRequest {
  readonly path: string;
  readonly keys: readonly string[];
  readonly authorized: boolean;
}

function startSecretsEndpoint(): Promise<{ url: string; requests: SecretsRequest[]; server: Server }> {
  const requests: SecretsRequest[] = [];
  const secrets: Record<string, string> = { "database.user": DB.user, "database.password": DB.password };
  const reply = (response: ServerResponse, status: number, body: unknown): void => {
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const keys = (url.searchParams.get("keys") ?? "").split(",").filter((key) => key !== "");
    const authorized = request.headers.authorization === `Bearer ${WORKER_TOKEN}`;
    requests.push({ path: url.pathname, keys, authorized });
    const unknown = keys.filter((key) => !(key in secrets));
    if (!authorized) reply(response, 401, { error: { code: 401, message: `the worker token is not valid for cluster ${CLUSTER}` } });
    else if (url.pathname !== `/internal/v1/clusters/${CLUSTER}/connectors/${CONNECTOR}/secrets`) reply(response, 404, { error: { code: 404, message: `no connector at ${url.pathname}` } });
    else if (keys.length === 0 || unknown.length > 0) reply(response, 422, { error: { code: 422, message: `connector ${CONNECTOR} has no managed secret for ${unknown.join(", ") || "(no key)"}` } });
    else reply(response, 200, { data: Object.fromEntries(keys.map((key) => [key, secrets[key]])) });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server });
    });
  });
}

// ---- Kafka Connect's REST API ---------------------------------------------------------

async function connectRequest(kafka: LocalKafka, method: string, path: string, body?: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(`${kafka.connectUrl}${path}`, {
    method,
    headers: { "content-type": "application/json", accept: "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(100_000),
  });
  return { status: response.status, text: await response.text() };
}

interface ConnectorStatus {
  connector: { state: string; trace?: string };
  tasks: { id: number; state: string; trace?: string }[];
}

async function waitForRunning(kafka: LocalKafka, timeoutMs: number): Promise<ConnectorStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, text } = await connectRequest(kafka, "GET", `/connectors/${CONNECTOR}/status`);
    const last = `${status} ${text}`;
    if (status === 200) {
      const parsed = JSON.parse(text) as ConnectorStatus;
      if (parsed.connector.state === "FAILED" || parsed.tasks.some((task) => task.state === "FAILED")) throw new Error(`the connector failed: ${text}`);
      if (parsed.connector.state === "RUNNING" && parsed.tasks.length > 0 && parsed.tasks.every((task) => task.state === "RUNNING")) return parsed;
    }
    if (Date.now() >= deadline) throw new Error(`the connector was not RUNNING within ${timeoutMs} ms; last status: ${last}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

// ---- the test --------------------------------------------------------------------------

describe.skipIf(skipReason !== "")(`the local Kafka stack with vaultwire's ConfigProvider and Debezium${skipReason}`, () => {
  let dir = "";
  let kafka: LocalKafka | undefined;
  let endpoint: Awaited<ReturnType<typeof startSecretsEndpoint>> | undefined;
  let connectorCreated = false;
  const placeholder = (key: string): string => `\${vaultwire:${CONNECTOR}:${key}}`;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    dropLeftovers(false);
    psqlAdmin(`
      SET password_encryption = 'scram-sha-256';
      CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${DB.password}';
      CREATE DATABASE ${DB.name} OWNER ${DB.user};`);
    // As the new role, with its password: the table is its own (publication.autocreate.mode=filtered needs that).
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password: DB.password });
    await client.connect();
    try {
      await client.query(`CREATE TABLE ${DB.table} (id integer PRIMARY KEY, item text NOT NULL)`);
      await client.query(`INSERT INTO ${DB.table} VALUES (1, 'before the connector')`);
    } finally {
      await client.end();
    }

    endpoint = await startSecretsEndpoint();
    dir = await mkdtemp(join(tmpdir(), "vaultwire-kafka-"));
    const tokenFile = join(dir, "worker-token");
    await writeFile(tokenFile, `${WORKER_TOKEN}\n`, { mode: 0o600 });
    const started = Date.now();
    kafka = await startLocalKafka({
      dir,
      workerProperties: {
        "config.providers": "vaultwire",
        "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
        "config.providers.vaultwire.param.url": endpoint.url,
        "config.providers.vaultwire.param.cluster": CLUSTER,
        "config.providers.vaultwire.param.token.file": tokenFile,
        "config.providers.vaultwire.param.timeout.ms": "10000",
      },
      readyTimeoutMs: 90_000,
    });
    timings.stackStartMs = Date.now() - started;
  }, 180_000);

  afterAll(async () => {
    try {
      if (kafka !== undefined && connectorCreated) {
        await connectRequest(kafka, "DELETE", `/connectors/${CONNECTOR}`).catch(() => undefined);
      }
      if (kafka !== undefined) {
        const stopping = Date.now();
        await kafka.stop();
        timings.stackStopMs = Date.now() - stopping;
      }
    } finally {
      endpoint?.server.close();
      if (havePostgres) dropLeftovers(true);
      if (dir !== "") {
        // Keep the logs for a failed CI run to look at (they hold no secret: the test checks).
        await mkdir(ARTIFACTS, { recursive: true });
        await cp(join(dir, "logs"), ARTIFACTS, { recursive: true }).catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      }
      console.log(`local Kafka stack timings: ${JSON.stringify(timings)}`);
    }
  }, 120_000);

  it("runs a Debezium connector whose credentials come from the ConfigProvider, and streams rows", async () => {
    if (kafka === undefined || endpoint === undefined) throw new Error("the stack did not start");
    const config = {
      "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
      "tasks.max": "1",
      "database.hostname": "127.0.0.1",
      "database.port": String(pgPort),
      "database.user": placeholder("database.user"),
      "database.password": placeholder("database.password"),
      "database.dbname": DB.name,
      "plugin.name": "pgoutput",
      "slot.name": DB.slot,
      "publication.name": `${DB.slot}_pub`,
      "publication.autocreate.mode": "filtered",
      "table.include.list": `public.${DB.table}`,
      "topic.prefix": TOPIC_PREFIX,
      "key.converter": "org.apache.kafka.connect.json.JsonConverter",
      "key.converter.schemas.enable": "false",
      "value.converter": "org.apache.kafka.connect.json.JsonConverter",
      "value.converter.schemas.enable": "false",
    };
    let started = Date.now();
    const created = await connectRequest(kafka, "POST", "/connectors", { name: CONNECTOR, config });
    expect(created.status, created.text).toBe(201);
    connectorCreated = true;
    expect(created.text).toContain(placeholder("database.password"));
    expect(created.text).not.toContain(DB.password);
    await waitForRunning(kafka, 60_000);
    timings.connectorRunningMs = Date.now() - started;

    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password: DB.password });
    await client.connect();
    try {
      await client.query(`INSERT INTO ${DB.table} VALUES (2, 'streamed'), (3, 'streamed too')`);
    } finally {
      await client.end();
    }

    started = Date.now();
    const topic = `${TOPIC_PREFIX}.public.${DB.table}`;
    const rows = (records: readonly { value: string | null }[]): Map<number, string> => {
      const found = new Map<number, string>();
      for (const record of records) {
        if (record.value === null) continue;
        const event = JSON.parse(record.value) as { op?: string; after?: { id: number; item: string } | null };
        if (event.after) found.set(event.after.id, `${event.op ?? "?"}:${event.after.item}`);
      }
      return found;
    };
    const records = await readTopic(kafka.bootstrapServers, topic, (read) => rows(read).size >= 3, 60_000);
    timings.rowsOnTopicMs = Date.now() - started;
    expect(Object.fromEntries(rows(records))).toEqual({ 1: "r:before the connector", 2: "c:streamed", 3: "c:streamed too" });

    // The provider asked for names only, with the worker token, for this connector.
    expect(endpoint.requests.length).toBeGreaterThan(0);
    for (const request of endpoint.requests) {
      expect(request).toEqual({ path: `/internal/v1/clusters/${CLUSTER}/connectors/${CONNECTOR}/secrets`, keys: ["database.password", "database.user"], authorized: true });
    }
  }, 150_000);

  it("keeps placeholders, never the password, in the config topic, the REST API and the worker log", async () => {
    if (kafka === undefined) throw new Error("the stack did not start");
    const configTopic = await readWholeTopic(kafka.bootstrapServers, "connect-configs", 30_000);
    const stored = configTopic.map((record) => record.value ?? "").join("\n");
    expect(stored).toContain(placeholder("database.password"));
    expect(stored).toContain(placeholder("database.user"));
    expect(stored).not.toContain(DB.password);

    for (const path of [`/connectors/${CONNECTOR}/config`, `/connectors/${CONNECTOR}/tasks`, `/connectors/${CONNECTOR}`, `/connectors?expand=info&expand=status`]) {
      const { status, text } = await connectRequest(kafka, "GET", path);
      expect(status, path).toBe(200);
      expect(text, path).toContain(placeholder("database.password"));
      expect(text, path).not.toContain(DB.password);
    }

    const workerLog = readFileSync(kafka.logFiles.connect, "utf8") + readFileSync(kafka.logFiles.connect.replace(/\.log$/, ".out"), "utf8");
    expect(workerLog).toContain(`fetched 2 secret(s) for connector ${CONNECTOR} in cluster ${CLUSTER}: [database.password, database.user]`);
    expect(workerLog).not.toContain(DB.password);
    expect(workerLog).not.toContain(WORKER_TOKEN);
    expect(readFileSync(kafka.logFiles.broker, "utf8")).not.toContain(DB.password);
  }, 60_000);
});
