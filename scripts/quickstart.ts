/**
 * npm run quickstart — the specification end to end on one machine, no cloud
 * account: a local Azure (Entra ID + Key Vault) with a JSON secret holding the
 * database credentials, PostgreSQL, Kafka, Kafka Connect with Debezium and
 * vaultwire's ConfigProvider, and the vaultwire server; then, with the
 * vaultwire CLI, a provider integration and a PostgresCdcSourceV2 connector
 * from examples/postgres_cdc_with_key_vault.json (the specification's example
 * with only the plugin, host and vault changed). Rows inserted into PostgreSQL
 * are printed as they arrive in Kafka. On Azure it then shows push rotation:
 * vaultwire's Event Grid webhook (`vaultwire pi events create`) subscribed to
 * the vault (`vaultwire dev azure events subscribe`), the database password
 * changed and a new secret version stored, and the connector restarted by the
 * pushed event within seconds. Ctrl-C stops everything it started,
 * and drops the database, replication slot and role it created.
 *
 * With `--secret-manager aws` the secret lives in AWS Secrets Manager instead:
 * moto (a local AWS, installed into ~/.cache/vaultwire/moto-venv when missing,
 * as .ci/run does) with IAM enforcement on, a customer role that trusts
 * vaultwire's platform user with the integration's external id, and the
 * connector from examples/postgres_cdc_with_aws_secrets_manager.json.
 *
 *   npm run quickstart [-- --exit] [-- --port 8080] [-- --secret-manager azure|aws]
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import pg from "pg";
import { run } from "../src/cli/run.js";
import type { CliIo } from "../src/cli/io.js";
import { startLocalKafka, type LocalKafka } from "../src/dev/local-kafka.js";
import { installMoto, MOTO_VENV, motoRoleArn, setUpAwsAccount, startMoto, type Moto } from "../src/dev/moto.js";
import { startAzureEmulator, type AzureEmulator } from "../src/emulator/azure/index.js";
import { startServer, type RunningServer } from "../src/main/server.js";
import type { ServerSettings } from "../src/main/settings.js";
import { readTopic } from "../src/dev/kafka-reader.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WORK = join(ROOT, ".vaultwire", "quickstart");
const SECRET_MANAGERS = ["azure", "aws"] as const;
type SecretManagerChoice = (typeof SECRET_MANAGERS)[number];
const USAGE = "usage: npm run quickstart [-- --exit] [-- --port 8080] [-- --secret-manager azure|aws]";

/** The flags, or the usage error to print (exit 2) before anything starts. */
function readFlags(): { exit: boolean; port: string | undefined; secretManager: SecretManagerChoice } | string {
  let values: { exit?: boolean; port?: string; "secret-manager"?: string };
  try {
    ({ values } = parseArgs({ options: { exit: { type: "boolean" }, port: { type: "string" }, "secret-manager": { type: "string" } } }));
  } catch (error) {
    return (error as Error).message;
  }
  const secretManager = (values["secret-manager"] ?? "azure").toLowerCase();
  if (!(SECRET_MANAGERS as readonly string[]).includes(secretManager)) {
    return `unknown --secret-manager "${values["secret-manager"] ?? ""}": expected azure (Azure Key Vault, the default) or aws (AWS Secrets Manager)`;
  }
  return { exit: values.exit === true, port: values.port, secretManager: secretManager as SecretManagerChoice };
}
const VAULT_PORT = 8443;
const DB = { name: "db123", user: "cdc_user", password: `Pa55-${randomBytes(12).toString("base64url")}`, table: "table123" };

const bold = (text: string) => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);
let step = 0;
function say(text: string): void {
  step++;
  process.stdout.write(`\n${bold(`[${step}] ${text}`)}\n`);
}
function detail(text: string): void {
  process.stdout.write(`    ${text}\n`);
}

function sh(command: string, args: string[], what: string): string {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${what} failed: ${(result.stderr || result.stdout || "").trim().split("\n").slice(-5).join("\n")}`);
  return result.stdout.trim();
}

function psql(sql: string, database = "postgres"): void {
  const asRoot = process.getuid?.() === 0;
  const psqlArgs = ["psql", "--no-psqlrc", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql];
  sh(asRoot ? "runuser" : "sudo", asRoot ? ["-u", "postgres", "--", ...psqlArgs] : ["-n", "-u", "postgres", ...psqlArgs], "psql");
}

function freePort(preferred?: number): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => { resolve(freePort()); });
    server.listen(preferred ?? 0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => { resolve(port); });
    });
  });
}

/**
 * Runs the vaultwire CLI in this process and echoes the command and its output
 * indented under the step, unless the output carries the worker credential
 * (`secret`); each `redact` string (a webhook token) is shown as <token>.
 */
async function vaultwire(args: string[], env: Record<string, string>, options: { secret?: boolean; hiddenOutput?: string; redact?: readonly string[] } = {}): Promise<string> {
  let out = "";
  const io: CliIo = {
    stdout: (text) => { out += text; },
    stderr: (text) => { out += text; },
    readFile: (path) => readFile(path, "utf8"),
    env: { ...process.env, ...env },
    readStdin: () => Promise.resolve(""),
    waitForShutdown: () => new Promise(() => undefined),
    stdoutIsTTY: false,
  };
  const shown = (text: string): string => (options.redact ?? []).reduce((t, hidden) => (hidden === "" ? t : t.replaceAll(hidden, "<token>")), text);
  detail(shown(`$ vaultwire ${args.join(" ")}`));
  const code = await run(args, io);
  if (options.secret === true && code === 0) detail("  (output not shown: it holds the worker credential, handed to the worker below)");
  else if (options.hiddenOutput !== undefined && code === 0) detail(`  ${options.hiddenOutput}`);
  else for (const line of out.trimEnd().split("\n")) detail(shown(`  ${line}`));
  if (code !== 0) throw new Error(`vaultwire ${args.join(" ")} exited ${code}`);
  return out;
}

let emulator: AzureEmulator | undefined;
let moto: Moto | undefined;
let server: RunningServer | undefined;
let kafka: LocalKafka | undefined;

let databaseCreated = false;
/** The quickstart's own session in the database, while it is open. */
let openClient: pg.Client | undefined;

/**
 * Drops what the quickstart made in PostgreSQL: Debezium's logical
 * replication slot (an inactive slot makes PostgreSQL keep WAL for the whole
 * cluster), the publication with the database, and the role. Kafka Connect is
 * stopped first, so the slot's walsender lets go within a few seconds.
 */
async function dropDatabase(): Promise<void> {
  if (!databaseCreated) return;
  const slots = `SELECT slot_name FROM pg_replication_slots WHERE database = '${DB.name}'`;
  for (let attempt = 0; ; attempt++) {
    try {
      psql(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = '${DB.name}' AND active_pid IS NOT NULL`);
      psql(`SELECT pg_drop_replication_slot(slot_name) FROM (${slots}) AS s`);
      psql(`DROP DATABASE IF EXISTS ${DB.name} WITH (FORCE)`);
      psql(`DROP ROLE IF EXISTS ${DB.user}`);
      process.stdout.write(`Dropped the database ${DB.name}, its replication slot and the role ${DB.user}.\n`);
      return;
    } catch (error) {
      if (attempt >= 19) {
        process.stderr.write(`could not drop the database ${DB.name} and its replication slot: ${(error as Error).message}\nDrop them by hand: SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = '${DB.name}'; DROP DATABASE ${DB.name};\n`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

async function stopAll(): Promise<void> {
  await kafka?.stop().catch(() => undefined);
  await openClient?.end().catch(() => undefined);
  await dropDatabase();
  await server?.close().catch(() => undefined);
  await emulator?.stop().catch(() => undefined);
  await moto?.close().catch(() => undefined);
}

/**
 * Where the database credentials live, and how vaultwire reaches them: the
 * server's settings for that secret manager, the cluster's cloud, the
 * provider integration (created with the CLI), and the connector's config.
 */
interface SecretSide {
  readonly name: string;
  readonly server: Pick<ServerSettings, "azure" | "aws">;
  readonly clusterArgs: readonly string[];
  createIntegration(scoped: Record<string, string>): Promise<string>;
  connectorConfig(integrationId: string): Promise<{ file: string; text: string }>;
  /** Push rotation (Azure: Event Grid); without it the quickstart does not rotate. */
  readonly push?: PushSide;
}

interface PushSide {
  /** Creates vaultwire's webhook for the integration and subscribes the vault's secret events to it. */
  subscribe(scoped: Record<string, string>, integrationId: string): Promise<void>;
  /** Stores a new version of the database secret; its version id. */
  storeSecret(value: string): string;
  /** When the version's event was first delivered to vaultwire with a 2xx answer (ms since the epoch). */
  deliveredAt(version: string): number | undefined;
  /** The CLI arguments that show the deliveries (dev azure events deliveries). */
  readonly deliveriesArgs: readonly string[];
}

const UNCONFIGURED_AWS: ServerSettings["aws"] = { platformIdentity: undefined, partition: "aws", region: "us-east-1", secretsManagerEndpoint: undefined, stsEndpoint: undefined, platformRoleArn: undefined };
const UNCONFIGURED_AZURE: ServerSettings["azure"] = { cloud: "public", authorityHost: undefined, caFile: undefined, allowedVaultHosts: [], emulatorHosts: [], platformIdentity: undefined };
const SECRET_VALUE = JSON.stringify({ user: DB.user, password: DB.password });

async function startAzureSide(): Promise<SecretSide> {
  say("Starting a local Azure (Entra ID + Key Vault) with a JSON secret holding the database credentials");
  emulator = await startAzureEmulator({ stateDir: join(WORK, "azure") });
  const azure = emulator;
  const platformTenant = azure.createTenant({ displayName: "vaultwire platform" }).tenantId;
  const customerTenant = azure.createTenant({ displayName: "your company" }).tenantId;
  const { appId } = azure.createApp({ homeTenantId: platformTenant, displayName: "vaultwire", multiTenant: true });
  const { secret: appSecret } = azure.addClientSecret(appId);
  const vaultPort = await freePort(VAULT_PORT);
  const { vaultUri } = await azure.createVault({ name: "quickstart-vault", tenantId: customerTenant, port: vaultPort });
  azure.setSecret("quickstart-vault", "postgres-db-secret", SECRET_VALUE, { contentType: "application/json" });
  detail(`Entra ID: ${azure.authorityHost}   vault: ${vaultUri}   secret: postgres-db-secret = {"user", "password"}`);
  const vaultHost = new URL(vaultUri).host;
  // How `vaultwire dev azure …` reaches this emulator (`start` would write them to its state directory).
  const emulatorArgs = ["--url", azure.authorityHost, "--ca", join(WORK, "azure", "ca.pem")];
  return {
    name: "the Azure emulator",
    server: {
      aws: UNCONFIGURED_AWS,
      azure: { cloud: "public", authorityHost: azure.authorityHost, caFile: join(WORK, "azure", "ca.pem"), allowedVaultHosts: [vaultHost], emulatorHosts: [vaultHost], platformIdentity: { method: "client-secret", clientId: appId, clientSecret: appSecret } },
    },
    clusterArgs: ["--cloud", "azure", "--region", "westus3"],
    async createIntegration(scoped) {
      say("Creating the provider integration and granting it \"Key Vault Secrets User\" on the vault");
      const piOut = await vaultwire(["provider-integration", "create", "quickstart-akv", "--cloud", "azure", "-o", "json"], scoped);
      const integrationId = (JSON.parse(piOut) as { id: string }).id;
      azure.consent(appId, customerTenant);
      const sp = azure.servicePrincipalObjectId(appId, customerTenant) ?? "";
      azure.assignRole("quickstart-vault", { principalObjectId: sp, role: "Key Vault Secrets User" });
      detail(`(in Azure: admin consent for app ${appId} in tenant ${customerTenant}, role assigned to its service principal)`);
      await vaultwire(["provider-integration", "update", integrationId, "--azure-tenant-id", customerTenant], scoped);
      await vaultwire(["provider-integration", "validate", integrationId, "--vault-uri", vaultUri], scoped);
      return integrationId;
    },
    async connectorConfig(integrationId) {
      const text = (await readFile(join(ROOT, "examples", "postgres_cdc_with_key_vault.json"), "utf8"))
        .replaceAll("cspi-devxxxxxx", integrationId)
        .replaceAll("https://localhost:8443", vaultUri);
      return { file: "postgres_cdc_with_key_vault.json", text };
    },
    push: {
      async subscribe(scoped, integrationId) {
        say("Subscribing vaultwire to the vault's secret events (Event Grid), so a rotation restarts the connector in seconds");
        const created = JSON.parse(await vaultwire(["pi", "events", "create", "--integration", integrationId, "--description", "quickstart-vault", "-o", "json"], scoped, { hiddenOutput: "(output not shown: the webhook's endpoint carries its token, shown once; in Azure you would run the az command it prints)" })) as { id: string; token: string; endpoint_url: string; webhook_url: string };
        detail(`webhook ${created.id}: ${created.webhook_url}?token=<token>`);
        await vaultwire(["dev", "azure", "events", "subscribe", "--vault", "quickstart-vault", "--endpoint", created.endpoint_url, ...emulatorArgs], scoped, { redact: [created.token] });
      },
      storeSecret: (value) => azure.setSecret("quickstart-vault", "postgres-db-secret", value, { contentType: "application/json" }).version,
      deliveredAt(version) {
        const delivery = azure.eventDeliveries().find((d) => d.vault === "quickstart-vault" && d.version === version && typeof d.outcome === "number" && d.outcome >= 200 && d.outcome < 300);
        return delivery === undefined ? undefined : Date.parse(delivery.at);
      },
      deliveriesArgs: ["dev", "azure", "events", "deliveries", "--vault", "quickstart-vault", ...emulatorArgs],
    },
  };
}

/** The example's secret ARN, replaced by the one moto gives the secret (its 6-character suffix is random). */
const EXAMPLE_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:postgres-db-secret-AbCdEf";
const AWS_REGION = "us-east-1";

async function startAwsSide(): Promise<SecretSide> {
  say("Starting a local AWS (moto: IAM, STS and Secrets Manager) with a JSON secret holding the database credentials");
  if (!existsSync(join(MOTO_VENV, "bin", "moto_server")) && process.env.VAULTWIRE_TEST_MOTO_SERVER === undefined) detail(`installing moto[server] into ${MOTO_VENV} (python3 -m venv, pip)…`);
  moto = await startMoto(installMoto());
  const aws = moto;
  // vaultwire's platform identity (an IAM user allowed sts:AssumeRole only) and an admin for this setup; then IAM is enforced.
  const account = await setUpAwsAccount(aws, "quickstart", AWS_REGION);
  await aws.setAuth("0");
  const secrets = new SecretsManagerClient({ region: AWS_REGION, endpoint: aws.url, credentials: account.admin });
  const created = await secrets.send(new CreateSecretCommand({ Name: "postgres-db-secret", SecretString: SECRET_VALUE }));
  secrets.destroy();
  const secretArn = created.ARN ?? "";
  detail(`moto: ${aws.url} (IAM enforced)   secret: ${secretArn} = {"user", "password"}`);
  detail(`vaultwire's AWS identity: IAM user ${account.platform.arn} (sts:AssumeRole only)`);
  const roleName = "quickstart-secrets-reader";
  return {
    name: "moto",
    server: {
      azure: UNCONFIGURED_AZURE,
      aws: { ...UNCONFIGURED_AWS, platformIdentity: { method: "static-keys", accessKeyId: account.platform.accessKeyId, secretAccessKey: account.platform.secretAccessKey }, region: AWS_REGION, secretsManagerEndpoint: aws.url, stsEndpoint: aws.url },
    },
    clusterArgs: ["--cloud", "aws", "--region", AWS_REGION],
    async createIntegration(scoped) {
      say("Creating the provider integration and a role in your AWS account that trusts vaultwire with its external id");
      const piOut = await vaultwire(["provider-integration", "create", "quickstart-asm", "--cloud", "aws", "--customer-role-arn", motoRoleArn(roleName), "-o", "json"], scoped);
      const integration = JSON.parse(piOut) as { id: string; external_id?: string };
      const externalId = integration.external_id ?? "";
      if (externalId === "") throw new Error(`provider integration "${integration.id}" has no external id`);
      const roleArn = await account.createReaderRole(roleName, externalId);
      detail(`(in AWS: role ${roleArn} trusts ${account.platform.arn} on the condition sts:ExternalId = "${externalId}" and may call secretsmanager:GetSecretValue)`);
      await vaultwire(["provider-integration", "validate", integration.id], scoped);
      return integration.id;
    },
    async connectorConfig(integrationId) {
      const text = (await readFile(join(ROOT, "examples", "postgres_cdc_with_aws_secrets_manager.json"), "utf8"))
        .replaceAll("cspi-devxxxxxx", integrationId)
        .replaceAll(EXAMPLE_SECRET_ARN, secretArn);
      return { file: "postgres_cdc_with_aws_secrets_manager.json", text };
    },
  };
}

/** The quickstart waits this long for the pushed restart: well inside the 60 s periodic check. */
const PUSH_DEADLINE_MS = 45_000;

/**
 * Rotates the database password as an operator would, PostgreSQL first and
 * then a new version of the secret, and shows the connector restarted by the
 * pushed event within seconds: a replication session of the connector's role
 * that started after the new version (PostgreSQL keeps the old session after
 * ALTER ROLE, so a new one means the restarted task logged in with the new
 * password), then a row inserted now arriving in Kafka.
 */
async function rotateWithPush(push: PushSide, bootstrapServers: string, topic: string, scoped: Record<string, string>): Promise<void> {
  say("Rotating the database password: PostgreSQL first, then a new version of the secret, which Event Grid pushes to vaultwire");
  const password = `Pa55-${randomBytes(12).toString("base64url")}`;
  psql(`ALTER ROLE ${DB.user} PASSWORD '${password}'`);
  detail(`(in PostgreSQL: ALTER ROLE ${DB.user} PASSWORD '…'; the connector's open session keeps working)`);
  const rotatedAt = Date.now();
  const version = push.storeSecret(JSON.stringify({ user: DB.user, password }));
  detail(`(in Azure: version ${version} of postgres-db-secret, with the new password)`);
  const db = new pg.Client({ host: "127.0.0.1", port: 5432, database: DB.name, user: DB.user, password });
  db.on("error", () => undefined);
  openClient = db;
  await db.connect();
  let restartedAt = 0;
  while (restartedAt === 0) {
    const result = await db.query<{ started: Date | null }>("SELECT max(backend_start) AS started FROM pg_stat_activity WHERE usename = $1 AND backend_type = 'walsender'", [DB.user]);
    const started = result.rows[0]?.started?.getTime() ?? 0;
    if (started > rotatedAt) restartedAt = started;
    else if (Date.now() - rotatedAt > PUSH_DEADLINE_MS) throw new Error(`the connector did not restart within ${PUSH_DEADLINE_MS / 1000} s of the new secret version: see "vaultwire ${push.deliveriesArgs.slice(0, 4).join(" ")}" for what Event Grid delivered`);
    else await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const deliveredAt = push.deliveredAt(version);
  if (deliveredAt === undefined || deliveredAt > restartedAt) throw new Error(`the connector restarted, but not after vaultwire accepted the event of version ${version}`);
  await vaultwire([...push.deliveriesArgs], scoped);
  await db.query(`INSERT INTO ${DB.table} (item, amount) VALUES ($1, $2)`, ["tea", "2.75"]);
  openClient = undefined;
  await db.end();
  const records = await readTopic(bootstrapServers, topic, (rs) => rs.some((r) => (r.value ?? "").includes("\"item\":\"tea\"")), 60_000);
  detail(`topic ${topic}, a row inserted after the rotation:`);
  detail(`  ${records.find((r) => (r.value ?? "").includes("\"item\":\"tea\""))?.value ?? ""}`);
  const seconds = (ms: number): string => (ms / 1000).toFixed(1);
  detail(`Pushed by Event Grid: the connector restarted with the new password ${seconds(restartedAt - rotatedAt)} s after the new secret version (Event Grid delivered the event in ${Math.max(0, deliveredAt - rotatedAt)} ms; the periodic check alone could take up to 60 s).`);
}

async function main(flags: Exclude<ReturnType<typeof readFlags>, string>): Promise<SecretSide> {
  say("Installing what is missing (PostgreSQL, the Kafka stack, the build)");
  const pgLine = sh("bash", ["infra/postgres/setup.sh"], "PostgreSQL setup");
  detail(`PostgreSQL: ${pgLine.split("@")[1] ?? "running"}`);
  sh("bash", ["-c", "command -v mvn >/dev/null && command -v javac >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null; }"], "installing a JDK and Maven");
  sh("bash", ["infra/kafka/bin/fetch.sh"], "fetching Kafka, Kafka Connect and Debezium");
  detail("Kafka 4.4.0, Kafka Connect, Debezium 3.6.1 and vaultwire's ConfigProvider: ready");
  if (!existsSync(join(ROOT, "dist", "console", "index.html"))) sh("npm", ["run", "build", "--silent"], "npm run build");
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });

  const side = flags.secretManager === "aws" ? await startAwsSide() : await startAzureSide();

  say("Preparing PostgreSQL: a replication user and a table");
  psql(`DROP DATABASE IF EXISTS ${DB.name} WITH (FORCE)`);
  psql(`DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB.user}') THEN DROP ROLE ${DB.user}; END IF; END $$`);
  psql(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${DB.password}'`);
  psql(`CREATE DATABASE ${DB.name} OWNER ${DB.user}`);
  databaseCreated = true;
  const db = new pg.Client({ host: "127.0.0.1", port: 5432, database: DB.name, user: DB.user, password: DB.password });
  // A step below that fails leaves it open: the drop at the end ends its session, which must not crash the script.
  db.on("error", () => undefined);
  openClient = db;
  await db.connect();
  await db.query(`CREATE TABLE ${DB.table} (id serial PRIMARY KEY, item text NOT NULL, amount numeric NOT NULL)`);
  // Debezium's default publication (all tables) needs a superuser to create; the DBA makes it once.
  psql("CREATE PUBLICATION dbz_publication FOR ALL TABLES", DB.name);
  detail(`database ${DB.name}, table public.${DB.table}, user ${DB.user} (its password lives only in the secret manager), publication dbz_publication`);

  say("Starting the vaultwire server");
  const apiKey = `QUICKSTART${randomBytes(4).toString("hex").toUpperCase()}`;
  const apiSecret = randomBytes(24).toString("base64url");
  const port = flags.port === undefined ? await freePort(8080) : flags.port === "0" ? await freePort() : Number(flags.port);
  const [kafkaPort, connectPort] = [await freePort(), await freePort()];
  server = await startServer({
    host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}`, dataDir: join(WORK, "data"), databaseUrl: undefined, logLevel: "warn",
    masterKey: undefined, bootstrapApiKey: apiKey, bootstrapApiSecret: apiSecret, regionPolicyFile: undefined,
    reconcileIntervalMs: 2_000, secretRefreshIntervalMs: 60_000, secretExpiryWarningDays: 30, leaseTtlMs: 10_000, replicaId: undefined, drainMs: 0, trustedProxies: [],
    // Kafka Connect runs on this machine: loopback is refused unless allowed.
    allowedConnectHosts: ["127.0.0.1", "localhost", "::1"],
    // The default Connect worker pool: the Kafka and Connect this script starts. A cluster created
    // without endpoints (as Confluent's Terraform provider creates one) runs its connectors there.
    connectPools: { defaultPool: "local", pools: [{ name: "local", connectUrls: [`http://127.0.0.1:${connectPort}`], bootstrapServers: `127.0.0.1:${kafkaPort}`, environments: [], placements: [] }] },
    auditRetentionDays: 90,
    ...side.server,
  }, { logDestination: { write: () => undefined } });
  const env = { VAULTWIRE_URL: server.url, VAULTWIRE_API_KEY: apiKey, VAULTWIRE_API_SECRET: apiSecret, HOME: WORK };
  detail(`${server.url} (API key ${apiKey})`);

  say("Creating an environment and registering the Kafka cluster, with the vaultwire CLI");
  const envOut = await vaultwire(["environment", "create", "quickstart", "-o", "json"], env);
  const environmentId = (JSON.parse(envOut) as { id: string }).id;
  const clusterOut = await vaultwire(["kafka", "cluster", "create", "quickstart", ...side.clusterArgs, "--type", "dedicated", "--environment", environmentId, "-o", "json"], env);
  const clusterId = (JSON.parse(clusterOut) as { id: string }).id;
  detail(`cluster ${clusterId} runs on the default Connect worker pool "local" (Kafka 127.0.0.1:${kafkaPort}, Connect http://127.0.0.1:${connectPort})`);
  const scoped = { ...env, VAULTWIRE_ENVIRONMENT: environmentId, VAULTWIRE_CLUSTER: clusterId };

  say("Starting Kafka and Kafka Connect (with Debezium and vaultwire's ConfigProvider)");
  // The worker properties, with a worker credential created for this Connect worker (shown once).
  const workerConfig = await vaultwire(["kafka", "cluster", "worker-config", "--cluster", clusterId, "--create-credential", "--description", "quickstart worker", "-o", "json"], env, { secret: true });
  const { properties } = JSON.parse(workerConfig) as { properties: Record<string, string> };
  kafka = await startLocalKafka({ dir: join(WORK, "kafka"), kafkaPort, connectPort, workerProperties: properties });
  detail(`Kafka ${kafka.bootstrapServers}, Kafka Connect ${kafka.connectUrl}`);

  const integrationId = await side.createIntegration(scoped);
  await side.push?.subscribe(scoped, integrationId);

  const example = await side.connectorConfig(integrationId);
  say(`Creating the connector from examples/${example.file}`);
  const configFile = join(WORK, example.file);
  await writeFile(configFile, example.text);
  await vaultwire(["connect", "cluster", "create", "--config-file", configFile, "--wait", "--timeout", "3m"], scoped);

  say("Inserting rows into PostgreSQL and reading the messages they produce in Kafka");
  for (const [item, amount] of [["coffee", "3.50"], ["bagel", "2.25"], ["juice", "4.00"]] as const) {
    await db.query(`INSERT INTO ${DB.table} (item, amount) VALUES ($1, $2)`, [item, amount]);
  }
  openClient = undefined;
  await db.end();
  const topic = `pgcdc.public.${DB.table}`;
  const records = await readTopic(kafka.bootstrapServers, topic, (rs) => rs.length >= 3, 90_000);
  detail(`topic ${topic}:`);
  for (const record of records) detail(`  ${record.value ?? ""}`);

  if (side.push) await rotateWithPush(side.push, kafka.bootstrapServers, topic, scoped);

  say("Done: the connector authenticated with credentials that exist only in the secret manager");
  detail(`Web console: ${server.url}/  (sign in with API key ${apiKey} and secret ${apiSecret})`);
  detail(`CLI:         VAULTWIRE_URL=${server.url} VAULTWIRE_API_KEY=${apiKey} VAULTWIRE_API_SECRET=${apiSecret} npx vaultwire connect cluster list --environment ${environmentId} --cluster ${clusterId}`);
  if (flags.exit) return side;
  detail("Press Ctrl-C to stop everything the quickstart started.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => { resolve(); });
    process.once("SIGTERM", () => { resolve(); });
  });
  return side;
}

const flags = readFlags();
if (typeof flags === "string") {
  process.stderr.write(`quickstart: ${flags}\n${USAGE}\n`);
  process.exitCode = 2;
} else {
  try {
    const side = await main(flags);
    process.stdout.write(`\nStopping Kafka Connect, Kafka, the vaultwire server and ${side.name}…\n`);
  } catch (error) {
    process.stderr.write(`\nquickstart failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await stopAll();
  }
}
