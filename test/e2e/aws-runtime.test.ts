// vaultwire end to end with AWS Secrets Manager: the server (its platform
// identity an IAM user in this suite's own moto, test/aws/moto.ts, with IAM
// enforcement on) runs a PostgresCdcSourceV2 connector on a real Kafka Connect
// worker with Debezium; its user and password come from a JSON secret in
// Secrets Manager, read through a customer role that trusts the platform user
// with the integration's external id (created with /pim/v1), and reach the
// worker only through vaultwire's ConfigProvider. Rows reach the topic;
// Connect holds placeholders only; a rotation (ALTER ROLE and PutSecretValue)
// restarts the connector and rows keep coming; a wrong password makes it
// FAILED with the database's refusal explained; the canary scanner
// (test/security/canaries.ts) finds neither password, nor the platform
// secret access key, nor the worker credential in Connect's REST answers,
// topics and logs or in vaultwire's log, database and responses.
//
// Needs the local Kafka jars (bash infra/kafka/bin/fetch.sh), a PostgreSQL
// superuser (infra/postgres/setup.sh) and moto; skipped without them, required in CI.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePorts, startLocalKafka, type LocalKafka } from "../../src/dev/local-kafka.js";
import { readTopic, readWholeTopic } from "../../src/dev/kafka-reader.js";
import { motoRoleArn, requireMoto, setUpAwsAccount, startMoto, type AwsAccount, type Moto } from "../aws/moto.js";
import { ADMIN_KEY, ADMIN_SECRET, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "../http/harness.js";
import { CanaryRegistry, describeHits, scanKafkaConnect, type CanaryHit } from "../security/canaries.js";
import type { TestDatabase } from "../store/harness.js";
import { canAdminPostgres, dropDatabaseAndRole, pgPort, psqlAdmin } from "./postgres-admin.js";

const LIB_DIR = fileURLToPath(new URL("../../infra/kafka/target/lib", import.meta.url));
const IN_CI = process.env.CI !== undefined && process.env.CI !== "";
const haveStack = existsSync(LIB_DIR) && canAdminPostgres();
if (IN_CI && !haveStack) throw new Error("CI: the AWS end-to-end test needs infra/kafka/target (bash infra/kafka/bin/fetch.sh) and a PostgreSQL superuser");
const haveMoto = requireMoto("test/e2e/aws-runtime.test.ts");

const run = randomBytes(4).toString("hex");
const REGION = "us-east-1";
const DB = { name: `vw_awsrt_${run}`, user: `vw_awsrt_cdc_${run}`, table: "orders" };
const PASSWORDS = { first: `Canary-PG-${randomBytes(9).toString("base64url")}`, second: `Canary-PG2-${randomBytes(9).toString("base64url")}` };
const PREFIX = `vwawsrt${run}`;
const TOPIC = `${PREFIX}.public.${DB.table}`;
const CONNECT_TOPICS = ["connect-configs", "connect-offsets", "connect-status"];
const ROLE_NAME = `vaultwire-reader-${run}`;
const SECRET_NAME = `pg-credentials-${run}`;

/** The worker properties with a worker credential, read with a plain fetch so the harness does not record the one response that carries it. */
async function workerConfig(server: TestServer, clusterId: string): Promise<Record<string, string>> {
  const headers = { authorization: `Basic ${Buffer.from(`${ADMIN_KEY}:${ADMIN_SECRET}`).toString("base64")}`, "content-type": "application/json" };
  const response = await fetch(`${server.url}/cmk/v2/clusters/${clusterId}/worker-config`, { method: "POST", headers, body: JSON.stringify({ spec: { description: "e2e workers" } }) });
  const body = await response.json() as { properties?: Record<string, string> };
  if (response.status >= 300 || !body.properties?.["config.providers.vaultwire.param.token"]) throw new Error(`no worker credential from worker-config: HTTP ${response.status}`);
  return body.properties;
}

async function insert(id: number, item: string, password: string): Promise<void> {
  const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password });
  await client.connect();
  try {
    await client.query(`INSERT INTO ${DB.table} VALUES ($1, $2)`, [id, item]);
  } finally {
    await client.end();
  }
}

describe.skipIf(!haveStack || !haveMoto)("vaultwire runs a connector on Kafka Connect with secrets from AWS Secrets Manager", () => {
  let moto: Moto;
  let account: AwsAccount;
  let secrets: SecretsManagerClient;
  let secretArn = "";
  // The harness's server always has an Azure side; this suite uses none of it.
  let azure: AzureFixture;
  let server: TestServer;
  let kafka: LocalKafka;
  let dir: string;
  let database: TestDatabase;
  const target = storeTargets()[0];
  let base = "";
  let connectorId = "";
  let integrationId = "";
  const canaries = new CanaryRegistry();

  async function scanVaultwire(): Promise<CanaryHit[]> {
    const hits = [...canaries.scan(server.logs(), "vaultwire log"), ...canaries.scan(server.responses(), "vaultwire API responses")];
    const dataDir = database.options.dataDir;
    if (dataDir !== undefined) hits.push(...await canaries.scanDirectory(dataDir, "vaultwire data", { skip: (path) => path.endsWith("master.key") }));
    return hits;
  }
  const scanConnect = () => scanKafkaConnect(canaries, { connectUrl: kafka.connectUrl, bootstrapServers: kafka.bootstrapServers, topics: [...CONNECT_TOPICS, TOPIC], logDirs: [dirname(kafka.logFiles.connect)] });

  const status = async () => (await server.api<{ connector: { state: string; trace: string }; tasks: { state: string }[] }>("GET", `${base}/connectors/orders/status`)).body;
  async function waitFor(state: string, timeoutMs: number): Promise<{ connector: { state: string; trace: string } }> {
    const deadline = Date.now() + timeoutMs;
    let last = await status();
    while (last.connector.state !== state && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      last = await status();
    }
    if (last.connector.state !== state) throw new Error(`connector "orders" is ${last.connector.state}, not ${state}, after ${timeoutMs} ms: ${last.connector.trace}`);
    return last;
  }
  const credentials = (password: string) => JSON.stringify({ user: DB.user, password });

  beforeAll(async () => {
    psqlAdmin(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${PASSWORDS.first}'; CREATE DATABASE ${DB.name} OWNER ${DB.user};`);
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, database: DB.name, user: DB.user, password: PASSWORDS.first });
    await client.connect();
    await client.query(`CREATE TABLE ${DB.table} (id integer PRIMARY KEY, item text NOT NULL)`);
    await client.end();

    // AWS: the platform user and an admin, then IAM enforcement on for everything that follows.
    moto = await startMoto();
    account = await setUpAwsAccount(moto, run, REGION);
    await moto.setAuth("0");
    secrets = new SecretsManagerClient({ region: REGION, endpoint: moto.url, credentials: account.admin });
    secretArn = (await secrets.send(new CreateSecretCommand({ Name: SECRET_NAME, SecretString: credentials(PASSWORDS.first) }))).ARN ?? "";

    azure = await startAzureFixture();
    const [kafkaPort, connectPort] = await freePorts([undefined, undefined] as const);
    if (!target) throw new Error("no store");
    database = await target.createDatabase();
    server = await startTestServer(target, azure, {
      database, ...(database.options.dataDir === undefined ? {} : { dataDir: database.options.dataDir }),
      reconcileIntervalMs: 1_000, secretRefreshIntervalMs: 1_500,
      aws: { platformIdentity: { method: "static-keys", accessKeyId: account.platform.accessKeyId, secretAccessKey: account.platform.secretAccessKey }, endpoint: moto.url },
    });
    const environment = await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "e2e-aws" });
    const cluster = await server.api<{ id: string }>("POST", "/cmk/v2/clusters", {
      spec: { display_name: "e2e-aws-cluster", availability: "SINGLE_ZONE", cloud: "AWS", region: REGION, config: { kind: "Dedicated", cku: 1 }, environment: { id: environment.body.id }, networking: "PUBLIC", kafka_bootstrap_servers: `127.0.0.1:${kafkaPort}`, connect_urls: [`http://127.0.0.1:${connectPort}`] },
    });
    // The customer's role is named in the integration first; its trust policy then requires the external id the integration was given.
    const integration = await server.api<{ id: string; config: { external_id: string; iam_role_arn: string; customer_iam_role_arn: string } }>("POST", "/pim/v1/integrations", {
      display_name: "e2e-asm", provider: "AWS", config: { kind: "AwsIntegrationConfig", customer_iam_role_arn: motoRoleArn(ROLE_NAME) }, environment: { id: environment.body.id },
    });
    if (environment.status !== 201 || cluster.status !== 202 || integration.status !== 201) throw new Error(`seeding failed: ${environment.text} ${cluster.text} ${integration.text}`);
    expect(integration.body.config.external_id).toMatch(/\S{8,}/);
    expect(await account.createReaderRole(ROLE_NAME, integration.body.config.external_id)).toBe(motoRoleArn(ROLE_NAME));
    integrationId = integration.body.id;
    base = `/connect/v1/environments/${environment.body.id}/clusters/${cluster.body.id}`;

    const workerProperties = await workerConfig(server, cluster.body.id);
    canaries.add("vault-json-field", "first password", PASSWORDS.first);
    canaries.add("vault-json-field", "second password", PASSWORDS.second);
    canaries.add("worker-credential", "worker credential", workerProperties["config.providers.vaultwire.param.token"] ?? "");
    canaries.add("platform-app-secret", "platform AWS secret access key", account.platform.secretAccessKey);
    canaries.add("bootstrap-api-secret", "bootstrap API secret", ADMIN_SECRET);
    if (database.options.dataDir !== undefined) {
      const masterKey = readFileSync(join(database.options.dataDir, "master.key"), "utf8").trim();
      canaries.add("master-key", "master key (base64)", masterKey);
      canaries.add("master-key", "master key (bytes)", Buffer.from(masterKey, "base64"));
      canaries.add("master-key", "master key (hex)", Buffer.from(masterKey, "base64").toString("hex"));
    }
    dir = await mkdtemp(join(tmpdir(), "vaultwire-e2e-aws-"));
    kafka = await startLocalKafka({ dir, kafkaPort, connectPort, workerProperties: { ...workerProperties, "config.providers.vaultwire.param.timeout.ms": "10000" }, readyTimeoutMs: 120_000 });
  }, 240_000);

  afterAll(async () => {
    // Each may be unset when beforeAll stopped early: a TypeError there is ignored too.
    await Promise.resolve().then(() => kafka.stop()).catch(() => undefined);
    await Promise.resolve().then(() => server.close()).catch(() => undefined);
    await Promise.resolve().then(() => azure.close()).catch(() => undefined);
    await Promise.resolve().then(() => moto.close()).catch(() => undefined);
    await Promise.resolve().then(() => database.drop()).catch(() => undefined);
    await dropDatabaseAndRole(DB.name, DB.user);
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it("1. creates the connector with ARN identifiers, runs it, and streams rows to the topic", async () => {
    await insert(1, "before the connector", PASSWORDS.first);
    const created = await server.api("POST", `${base}/connectors`, {
      name: "orders",
      config: {
        "connector.class": "PostgresCdcSourceV2", name: "orders", "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-e2e",
        "authentication.method": "Password", "secret.manager.enabled": "true", "secret.manager": "AWS_SECRETS_MANAGER",
        "secret.manager.managed.configs": "database.user,database.password", "secret.manager.provider.integration.id": integrationId,
        "database.hostname": "127.0.0.1", "database.port": String(pgPort), "database.user": `${secretArn}::user`, "database.password": `${secretArn}::password`,
        "database.dbname": DB.name, "publication.autocreate.mode": "filtered", "table.include.list": `public.${DB.table}`,
        "topic.prefix": PREFIX, "output.data.format": "JSON", "output.key.format": "JSON", "tasks.max": "1",
      },
    });
    expect(created.status, created.text).toBe(201);
    await waitFor("RUNNING", 90_000);
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${base}/connectors?expand=id`);
    connectorId = ids.body.orders?.id.id ?? "";
    await insert(2, "after the connector", PASSWORDS.first);
    const records = await readTopic(kafka.bootstrapServers, TOPIC, (rs) => rs.some((r) => r.value?.includes("after the connector") === true), 60_000);
    expect(records.map((r) => r.value).join("\n")).toContain("before the connector");
  }, 180_000);

  it("2. Connect holds placeholders only; no secret is in a topic, REST answer or log", async () => {
    const config = await (await fetch(`${kafka.connectUrl}/connectors/${connectorId}/config`)).json() as Record<string, string>;
    expect(config["database.password"]).toBe(`\${vaultwire:${connectorId}:database.password}`);
    expect(config["database.user"]).toBe(`\${vaultwire:${connectorId}:database.user}`);
    expect(JSON.stringify(config)).not.toContain(secretArn);
    const configTopic = (await readWholeTopic(kafka.bootstrapServers, "connect-configs", 30_000)).map((r) => r.value ?? "").join("\n");
    expect(configTopic).toContain(`\${vaultwire:${connectorId}:database.password}`);
    const connect = await scanConnect();
    expect(connect.scanned).toContain(`GET /connectors/${connectorId}/tasks`);
    const hits = [...connect.hits, ...await scanVaultwire()];
    expect(hits, describeHits(hits)).toEqual([]);
  }, 90_000);

  it("3. rotation: a new password in PostgreSQL and a new secret version restart the connector, and rows keep coming", async () => {
    psqlAdmin(`ALTER ROLE ${DB.user} PASSWORD '${PASSWORDS.second}'`);
    const { VersionId: version = "" } = await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: credentials(PASSWORDS.second) }));
    // The restart reached Connect: its tasks read the new version through the ConfigProvider (the audit line names versions, never values).
    const delivered = () => server.logs().split("\n").some((line) => line.includes("worker secret access") && line.includes(version));
    const deadline = Date.now() + 30_000;
    while (!delivered() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(server.logs()).toContain("secret versions changed: restarting the connector and its tasks");
    expect(delivered(), `no worker read version ${version}`).toBe(true);
    await waitFor("RUNNING", 60_000);
    await insert(3, "after the rotation", PASSWORDS.second);
    await readTopic(kafka.bootstrapServers, TOPIC, (rs) => rs.some((r) => r.value?.includes("after the rotation") === true), 60_000);
  }, 120_000);

  it("4. a wrong password in Secrets Manager makes it FAILED with the database's refusal explained; the right one and a restart bring it back", async () => {
    await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: credentials("not-the-password") }));
    expect((await server.api("POST", `${base}/connectors/orders/restart`)).status).toBe(202);
    const failed = await waitFor("FAILED", 90_000);
    expect(failed.connector.trace).toContain("the database rejected the credentials read from AWS Secrets Manager");
    expect(failed.connector.trace).toContain(`${secretArn}::password`);
    expect(failed.connector.trace).not.toContain("Key Vault");
    await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: credentials(PASSWORDS.second) }));
    expect((await server.api("POST", `${base}/connectors/orders/restart`)).status).toBe(202);
    await waitFor("RUNNING", 90_000);
    await insert(4, "after the wrong password", PASSWORDS.second);
    await readTopic(kafka.bootstrapServers, TOPIC, (rs) => rs.some((r) => r.value?.includes("after the wrong password") === true), 60_000);
  }, 240_000);

  it("5. after everything: neither password, nor the platform's secret access key, nor the worker credential, in any encoding, anywhere", async () => {
    const connect = await scanConnect();
    const hits = [...connect.hits, ...await canaries.scanDirectory(join(dir, "kraft"), "kafka data", { skip: (path) => /\.(index|timeindex)$/.test(path) }), ...await scanVaultwire()];
    expect(hits, describeHits(hits)).toEqual([]);
    for (const topic of [...CONNECT_TOPICS, TOPIC]) expect(connect.scanned.find((s) => s.startsWith(`topic ${topic} `)), topic).toMatch(/\([1-9]\d* records\)$/);
    expect(canaries.scan(readFileSync(join(dir, "worker.properties")), "worker.properties").map((h) => h.canary)).toEqual(["worker credential"]);
  }, 120_000);
});
