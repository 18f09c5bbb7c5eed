/**
 * npm run quickstart — the specification end to end on one machine, no cloud
 * account: a local Azure (Entra ID + Key Vault) with a JSON secret holding the
 * database credentials, PostgreSQL, Kafka, Kafka Connect with Debezium and
 * vaultwire's ConfigProvider, and the vaultwire server; then, with the
 * vaultwire CLI, a provider integration and a PostgresCdcSourceV2 connector
 * from examples/postgres_cdc_with_key_vault.json (the specification's example
 * with only the plugin, host and vault changed). Rows inserted into PostgreSQL
 * are printed as they arrive in Kafka. Ctrl-C stops everything it started,
 * and drops the database, replication slot and role it created.
 *
 *   npm run quickstart [-- --exit] [-- --port 8080]
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import pg from "pg";
import { run } from "../src/cli/run.js";
import type { CliIo } from "../src/cli/io.js";
import { startLocalKafka, type LocalKafka } from "../src/dev/local-kafka.js";
import { startAzureEmulator, type AzureEmulator } from "../src/emulator/azure/index.js";
import { startServer, type RunningServer } from "../src/main/server.js";
import { readTopic } from "../test/e2e/kafka-reader.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WORK = join(ROOT, ".vaultwire", "quickstart");
const { values: flags } = parseArgs({ options: { exit: { type: "boolean" }, port: { type: "string" } } });
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

/** The vaultwire CLI, in this process, with its output indented under the step. */
/** Runs the CLI in process and echoes its output, unless it carries a credential (`secret`). */
async function vaultwire(args: string[], env: Record<string, string>, options: { secret?: boolean } = {}): Promise<string> {
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
  detail(`$ vaultwire ${args.join(" ")}`);
  const code = await run(args, io);
  if (options.secret === true && code === 0) detail("  (output not shown: it holds the worker credential, handed to the worker below)");
  else for (const line of out.trimEnd().split("\n")) detail(`  ${line}`);
  if (code !== 0) throw new Error(`vaultwire ${args.join(" ")} exited ${code}`);
  return out;
}

let emulator: AzureEmulator | undefined;
let server: RunningServer | undefined;
let kafka: LocalKafka | undefined;

let databaseCreated = false;

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
  await dropDatabase();
  await server?.close().catch(() => undefined);
  await emulator?.stop().catch(() => undefined);
}

async function main(): Promise<void> {
  say("Installing what is missing (PostgreSQL, the Kafka stack, the build)");
  const pgLine = sh("bash", ["infra/postgres/setup.sh"], "PostgreSQL setup");
  detail(`PostgreSQL: ${pgLine.split("@")[1] ?? "running"}`);
  sh("bash", ["-c", "command -v mvn >/dev/null && command -v javac >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven >/dev/null; }"], "installing a JDK and Maven");
  sh("bash", ["infra/kafka/bin/fetch.sh"], "fetching Kafka, Kafka Connect and Debezium");
  detail("Kafka 4.4.0, Kafka Connect, Debezium 3.6.1 and vaultwire's ConfigProvider: ready");
  if (!existsSync(join(ROOT, "dist", "console", "index.html"))) sh("npm", ["run", "build", "--silent"], "npm run build");
  await rm(WORK, { recursive: true, force: true });
  await mkdir(WORK, { recursive: true });

  say("Starting a local Azure (Entra ID + Key Vault) with a JSON secret holding the database credentials");
  emulator = await startAzureEmulator({ stateDir: join(WORK, "azure") });
  const platformTenant = emulator.createTenant({ displayName: "vaultwire platform" }).tenantId;
  const customerTenant = emulator.createTenant({ displayName: "your company" }).tenantId;
  const { appId } = emulator.createApp({ homeTenantId: platformTenant, displayName: "vaultwire", multiTenant: true });
  const { secret: appSecret } = emulator.addClientSecret(appId);
  const vaultPort = await freePort(VAULT_PORT);
  const { vaultUri } = await emulator.createVault({ name: "quickstart-vault", tenantId: customerTenant, port: vaultPort });
  emulator.setSecret("quickstart-vault", "postgres-db-secret", JSON.stringify({ user: DB.user, password: DB.password }), { contentType: "application/json" });
  detail(`Entra ID: ${emulator.authorityHost}   vault: ${vaultUri}   secret: postgres-db-secret = {"user", "password"}`);

  say("Preparing PostgreSQL: a replication user and a table");
  psql(`DROP DATABASE IF EXISTS ${DB.name} WITH (FORCE)`);
  psql(`DO $$ BEGIN IF EXISTS (SELECT FROM pg_roles WHERE rolname = '${DB.user}') THEN DROP ROLE ${DB.user}; END IF; END $$`);
  psql(`SET password_encryption = 'scram-sha-256'; CREATE ROLE ${DB.user} LOGIN REPLICATION PASSWORD '${DB.password}'`);
  psql(`CREATE DATABASE ${DB.name} OWNER ${DB.user}`);
  databaseCreated = true;
  const db = new pg.Client({ host: "127.0.0.1", port: 5432, database: DB.name, user: DB.user, password: DB.password });
  await db.connect();
  await db.query(`CREATE TABLE ${DB.table} (id serial PRIMARY KEY, item text NOT NULL, amount numeric NOT NULL)`);
  // Debezium's default publication (all tables) needs a superuser to create; the DBA makes it once.
  psql("CREATE PUBLICATION dbz_publication FOR ALL TABLES", DB.name);
  detail(`database ${DB.name}, table public.${DB.table}, user ${DB.user} (its password lives only in the vault), publication dbz_publication`);

  say("Starting the vaultwire server");
  const apiKey = `QUICKSTART${randomBytes(4).toString("hex").toUpperCase()}`;
  const apiSecret = randomBytes(24).toString("base64url");
  const port = flags.port === undefined ? await freePort(8080) : flags.port === "0" ? await freePort() : Number(flags.port);
  const vaultHost = new URL(vaultUri).host;
  server = await startServer({
    host: "127.0.0.1", port, publicUrl: `http://127.0.0.1:${port}`, dataDir: join(WORK, "data"), databaseUrl: undefined, logLevel: "warn",
    masterKey: undefined, bootstrapApiKey: apiKey, bootstrapApiSecret: apiSecret, regionPolicyFile: undefined,
    reconcileIntervalMs: 2_000, secretRefreshIntervalMs: 60_000, trustedProxies: [],
    // Kafka Connect runs on this machine: loopback is refused unless allowed.
    allowedConnectHosts: ["127.0.0.1", "localhost", "::1"],
    azure: { cloud: "public", authorityHost: emulator.authorityHost, caFile: join(WORK, "azure", "ca.pem"), allowedVaultHosts: [vaultHost], emulatorHosts: [vaultHost], platformIdentity: { method: "client-secret", clientId: appId, clientSecret: appSecret } },
  }, { logDestination: { write: () => undefined } });
  const env = { VAULTWIRE_URL: server.url, VAULTWIRE_API_KEY: apiKey, VAULTWIRE_API_SECRET: apiSecret, HOME: WORK };
  detail(`${server.url} (API key ${apiKey})`);

  say("Creating an environment and registering the Kafka cluster, with the vaultwire CLI");
  const [kafkaPort, connectPort] = [await freePort(), await freePort()];
  const envOut = await vaultwire(["environment", "create", "quickstart", "-o", "json"], env);
  const environmentId = (JSON.parse(envOut) as { id: string }).id;
  const clusterOut = await vaultwire(["kafka", "cluster", "create", "quickstart", "--cloud", "azure", "--region", "westus3", "--type", "dedicated", "--bootstrap-servers", `127.0.0.1:${kafkaPort}`, "--connect-url", `http://127.0.0.1:${connectPort}`, "--environment", environmentId, "-o", "json"], env);
  const clusterId = (JSON.parse(clusterOut) as { id: string }).id;
  const scoped = { ...env, VAULTWIRE_ENVIRONMENT: environmentId, VAULTWIRE_CLUSTER: clusterId };

  say("Starting Kafka and Kafka Connect (with Debezium and vaultwire's ConfigProvider)");
  // The worker properties, with a worker credential created for this Connect worker (shown once).
  const workerConfig = await vaultwire(["kafka", "cluster", "worker-config", "--cluster", clusterId, "--create-credential", "--description", "quickstart worker", "-o", "json"], env, { secret: true });
  const { properties } = JSON.parse(workerConfig) as { properties: Record<string, string> };
  kafka = await startLocalKafka({ dir: join(WORK, "kafka"), kafkaPort, connectPort, workerProperties: properties });
  detail(`Kafka ${kafka.bootstrapServers}, Kafka Connect ${kafka.connectUrl}`);

  say("Creating the provider integration and granting it \"Key Vault Secrets User\" on the vault");
  const piOut = await vaultwire(["provider-integration", "create", "quickstart-akv", "--cloud", "azure", "-o", "json"], scoped);
  const integrationId = (JSON.parse(piOut) as { id: string }).id;
  emulator.consent(appId, customerTenant);
  const sp = emulator.servicePrincipalObjectId(appId, customerTenant) ?? "";
  emulator.assignRole("quickstart-vault", { principalObjectId: sp, role: "Key Vault Secrets User" });
  detail(`(in Azure: admin consent for app ${appId} in tenant ${customerTenant}, role assigned to its service principal)`);
  await vaultwire(["provider-integration", "update", integrationId, "--azure-tenant-id", customerTenant], scoped);
  await vaultwire(["provider-integration", "validate", integrationId, "--vault-uri", vaultUri], scoped);

  say("Creating the connector from examples/postgres_cdc_with_key_vault.json");
  const example = (await readFile(join(ROOT, "examples", "postgres_cdc_with_key_vault.json"), "utf8"))
    .replaceAll("cspi-devxxxxxx", integrationId)
    .replaceAll("https://localhost:8443", vaultUri);
  const configFile = join(WORK, "postgres_cdc_with_key_vault.json");
  await writeFile(configFile, example);
  await vaultwire(["connect", "cluster", "create", "--config-file", configFile, "--wait", "--timeout", "3m"], scoped);

  say("Inserting rows into PostgreSQL and reading the messages they produce in Kafka");
  for (const [item, amount] of [["coffee", "3.50"], ["bagel", "2.25"], ["juice", "4.00"]] as const) {
    await db.query(`INSERT INTO ${DB.table} (item, amount) VALUES ($1, $2)`, [item, amount]);
  }
  await db.end();
  const topic = `pgcdc.public.${DB.table}`;
  const records = await readTopic(kafka.bootstrapServers, topic, (rs) => rs.length >= 3, 90_000);
  detail(`topic ${topic}:`);
  for (const record of records) detail(`  ${record.value ?? ""}`);

  say("Done: the connector authenticated with credentials that exist only in the vault");
  detail(`Web console: ${server.url}/  (sign in with API key ${apiKey} and secret ${apiSecret})`);
  detail(`CLI:         VAULTWIRE_URL=${server.url} VAULTWIRE_API_KEY=${apiKey} VAULTWIRE_API_SECRET=${apiSecret} npx vaultwire connect cluster list --environment ${environmentId} --cluster ${clusterId}`);
  if (flags.exit) return;
  detail("Press Ctrl-C to stop everything the quickstart started.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => { resolve(); });
    process.once("SIGTERM", () => { resolve(); });
  });
}

try {
  await main();
  process.stdout.write("\nStopping Kafka Connect, Kafka, the vaultwire server and the Azure emulator…\n");
} catch (error) {
  process.stderr.write(`\nquickstart failed: ${(error as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await stopAll();
}
