// A real vaultwire server on a real listening port, in front of the local
// Azure emulator, on each store the suite targets (SQLite always, PostgreSQL
// when VAULTWIRE_TEST_DATABASE_URL is set; CI requires it). Logs are captured
// so tests can scan them for canaries.
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { startAzureEmulator, type AzureEmulator } from "../../src/emulator/azure/index.js";
import type { FailedAttemptLimiter } from "../../src/http/auth.js";
import type { AwsPlatformIdentity } from "../../src/secret-managers/aws-secrets-manager/index.js";
import { startServer, type RunningServer } from "../../src/main/server.js";
import type { ServerSettings } from "../../src/main/settings.js";
import type { ConnectorRuntime } from "../../src/services/runtime.js";
import type { StoreTarget, TestDatabase } from "../store/harness.js";

export { storeTargets } from "../store/harness.js";

export const ADMIN_KEY = "ADMINTESTKEY0001";
export const ADMIN_SECRET = "admin-test-secret-0123456789abcdef";
/** The password stored in the emulated vault; must never leave memory. */
export const VAULT_CANARY = "Canary-KV-Pa55w0rd-91f3e7";
export const VAULT_USER = "cdc_user";

export interface AzureFixture {
  readonly emulator: AzureEmulator;
  readonly stateDir: string;
  readonly platformTenant: string;
  readonly customerTenant: string;
  readonly appId: string;
  readonly appSecret: string;
  readonly servicePrincipalObjectId: string;
  /** A vault with "db-credentials" = {"user", "password": VAULT_CANARY}, readable by the app. */
  readonly vaultUri: string;
  /** A vault the app has no role on. */
  readonly lockedVaultUri: string;
  /** The app's "Key Vault Secrets User" assignment on the readable vault. */
  readonly roleAssignmentId: string;
  close(): Promise<void>;
}

export async function startAzureFixture(): Promise<AzureFixture> {
  const stateDir = await mkdtemp(join(tmpdir(), "vaultwire-http-azure-"));
  const emulator = await startAzureEmulator({ stateDir });
  const platformTenant = emulator.createTenant({ displayName: "vaultwire" }).tenantId;
  const customerTenant = emulator.createTenant({ displayName: "customer" }).tenantId;
  const { appId } = emulator.createApp({ homeTenantId: platformTenant, displayName: "vaultwire", multiTenant: true });
  const { secret: appSecret } = emulator.addClientSecret(appId);
  const { servicePrincipalObjectId } = emulator.consent(appId, customerTenant);
  const { vaultUri } = await emulator.createVault({ name: "sql-vault", tenantId: customerTenant });
  const { vaultUri: lockedVaultUri } = await emulator.createVault({ name: "locked-vault", tenantId: customerTenant });
  const { assignmentId: roleAssignmentId } = emulator.assignRole("sql-vault", { principalObjectId: servicePrincipalObjectId, role: "Key Vault Secrets User" });
  const credentials = JSON.stringify({ user: VAULT_USER, password: VAULT_CANARY });
  emulator.setSecret("sql-vault", "sqlserver-db-secret", credentials);
  emulator.setSecret("locked-vault", "sqlserver-db-secret", credentials);
  return {
    emulator, stateDir, platformTenant, customerTenant, appId, appSecret, servicePrincipalObjectId, vaultUri, lockedVaultUri, roleAssignmentId,
    async close() {
      await emulator.stop();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export interface ApiResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly body: T;
}

export interface ApiOptions {
  /** `null` sends no Authorization header. */
  readonly auth?: { key: string; secret: string } | null;
  readonly headers?: Record<string, string>;
  /** Sent as is (for malformed-body tests). */
  readonly rawBody?: string;
}

export interface TestServer {
  readonly running: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  readonly database: TestDatabase;
  api<T = unknown>(method: string, path: string, body?: unknown, options?: ApiOptions): Promise<ApiResponse<T>>;
  /** Every log line written so far. */
  logs(): string;
  /** Every response body received so far. */
  responses(): string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly masterKey?: string;
  readonly runtime?: ConnectorRuntime;
  /** Reuse a database and data directory (restart tests). */
  readonly database?: TestDatabase;
  readonly dataDir?: string;
  readonly withoutAzureIdentity?: boolean;
  readonly reconcileIntervalMs?: number;
  readonly secretRefreshIntervalMs?: number;
  /** VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS (default 30). */
  readonly secretExpiryWarningDays?: number;
  /** VAULTWIRE_LEASE_TTL_MS and VAULTWIRE_REPLICA_ID (several replicas on one database). */
  readonly leaseTtlMs?: number;
  readonly replicaId?: string;
  readonly trustedProxies?: readonly string[];
  /** A fixed port (restart tests: workers keep calling the same URL); default a free one. */
  readonly port?: number;
  /** Extra vault hosts to allow (e.g. another emulator's). */
  readonly extraVaultHosts?: readonly string[];
  /** VAULTWIRE_ALLOWED_CONNECT_HOSTS; default this machine's (Connect runs on loopback in tests). */
  readonly allowedConnectHosts?: readonly string[];
  /** Adjusts the settings the server starts with (the security suite: chosen secrets, operator settings). */
  readonly settings?: (settings: ServerSettings) => ServerSettings;
  /** The failed sign-in limiter; the server's default limits otherwise. */
  readonly failedAttempts?: FailedAttemptLimiter;
  /** AWS Secrets Manager: vaultwire's identity and the endpoint (moto) it calls for Secrets Manager and STS. */
  readonly aws?: { readonly platformIdentity: AwsPlatformIdentity; readonly endpoint: string; readonly platformRoleArn?: string };
}

/** Kafka Connect runs on this machine in tests and the quickstart; loopback is refused unless allowed. */
export const LOCAL_CONNECT_HOSTS: readonly string[] = ["127.0.0.1", "localhost", "::1"];

export function testSettings(azure: AzureFixture, dataDir: string, database: TestDatabase, options: TestServerOptions = {}): ServerSettings {
  const vaultHosts = [new URL(azure.vaultUri).host, new URL(azure.lockedVaultUri).host, ...(options.extraVaultHosts ?? [])];
  return {
    host: "127.0.0.1",
    port: options.port ?? 0,
    publicUrl: `http://127.0.0.1:${options.port ?? 0}`,
    dataDir,
    databaseUrl: database.options.databaseUrl,
    logLevel: "info",
    masterKey: options.masterKey,
    bootstrapApiKey: ADMIN_KEY,
    bootstrapApiSecret: ADMIN_SECRET,
    regionPolicyFile: undefined,
    reconcileIntervalMs: options.reconcileIntervalMs ?? 60_000,
    secretRefreshIntervalMs: options.secretRefreshIntervalMs ?? 300_000,
    secretExpiryWarningDays: options.secretExpiryWarningDays ?? 30,
    leaseTtlMs: options.leaseTtlMs ?? 10_000,
    replicaId: options.replicaId,
    drainMs: 0,
    trustedProxies: options.trustedProxies ?? [],
    allowedConnectHosts: options.allowedConnectHosts ?? LOCAL_CONNECT_HOSTS,
    auditRetentionDays: 90,
    azure: {
      cloud: "public",
      authorityHost: azure.emulator.authorityHost,
      caFile: join(azure.stateDir, "ca.pem"),
      allowedVaultHosts: vaultHosts,
      emulatorHosts: vaultHosts,
      platformIdentity: options.withoutAzureIdentity ? undefined : { method: "client-secret", clientId: azure.appId, clientSecret: azure.appSecret },
    },    aws: {
      platformIdentity: options.aws?.platformIdentity,
      partition: "aws",
      region: "us-east-1",
      secretsManagerEndpoint: options.aws?.endpoint,
      stsEndpoint: options.aws?.endpoint,
      platformRoleArn: options.aws?.platformRoleArn,
    },

  };
}

export async function startTestServer(target: StoreTarget, azure: AzureFixture, options: TestServerOptions = {}): Promise<TestServer> {
  const database = options.database ?? await target.createDatabase();
  const dataDir = options.dataDir ?? database.options.dataDir ?? await mkdtemp(join(tmpdir(), "vaultwire-http-data-"));
  const lines: string[] = [];
  const bodies: string[] = [];
  const base = testSettings(azure, dataDir, database, options);
  const settings = options.settings ? options.settings(base) : base;
  const running = await startServer(settings, {
    logDestination: { write: (line: string) => { lines.push(line); } },
    ...(options.runtime ? { runtime: options.runtime } : {}),
    ...(options.failedAttempts ? { failedAttempts: options.failedAttempts } : {}),
  });
  const api = async <T>(method: string, path: string, body?: unknown, opts: ApiOptions = {}): Promise<ApiResponse<T>> => {
    const headers: Record<string, string> = { ...opts.headers };
    const auth = opts.auth === undefined ? { key: settings.bootstrapApiKey ?? ADMIN_KEY, secret: settings.bootstrapApiSecret ?? ADMIN_SECRET } : opts.auth;
    if (auth !== null) headers.authorization = `Basic ${Buffer.from(`${auth.key}:${auth.secret}`).toString("base64")}`;
    let payload: string | undefined = opts.rawBody;
    if (payload === undefined && body !== undefined) {
      payload = JSON.stringify(body);
      headers["content-type"] ??= "application/json";
    }
    const response = await fetch(`${running.url}${path}`, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    const text = await response.text();
    bodies.push(text);
    let parsed: unknown;
    try {
      parsed = text === "" ? undefined : JSON.parse(text);
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, text, body: parsed as T };
  };
  return {
    running,
    url: running.url,
    dataDir,
    database,
    api,
    logs: () => lines.join(""),
    responses: () => bodies.join("\n"),
    async close() {
      await running.close();
      if (!options.database) await database.drop();
      if (!options.dataDir && database.options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A database and data directory that outlive one server (restart tests):
 * pass both as the `database` and `dataDir` options, then `drop()` at the end.
 */
export async function persistentStorage(target: StoreTarget): Promise<{ database: TestDatabase; dataDir: string; drop(): Promise<void> }> {
  const database = await target.createDatabase();
  const ownDir = database.options.dataDir === undefined ? await mkdtemp(join(tmpdir(), "vaultwire-http-data-")) : undefined;
  return {
    database,
    dataDir: ownDir ?? database.options.dataDir ?? "",
    async drop() {
      await database.drop();
      if (ownDir !== undefined) await rm(ownDir, { recursive: true, force: true });
    },
  };
}

/**
 * Everything the server's database holds, as text to search for canaries:
 * on SQLite every file in the data directory (vaultwire.db, -wal, -shm) read
 * as bytes; on PostgreSQL every row of every user table, as text.
 */
export async function databaseText(server: TestServer): Promise<string> {
  const url = server.database.options.databaseUrl;
  if (url === undefined) {
    const entries = await readdir(server.dataDir, { withFileTypes: true });
    const contents = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(server.dataDir, e.name))));
    return contents.map((bytes) => bytes.toString("latin1")).join("\n");
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
    const texts: string[] = [];
    for (const { table_name: table } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${table.replace(/"/g, "\"\"")}" t`);
      texts.push(`${table}:`, ...rows.rows.map((r) => r.row));
    }
    return texts.join("\n");
  } finally {
    await client.end();
  }
}

/** The specification's connector config (sqlcdc_with_key_vault.json), pointed at the emulated vault. */
export function specConnector(vaultUri: string, integrationId: string, name = "SqlServerCdcSource1"): { name: string; config: Record<string, string> } {
  return {
    name,
    config: {
      "connector.class": "SqlServerCdcSourceV2",
      name,
      "kafka.auth.mode": "SERVICE_ACCOUNT",
      "kafka.service.account.id": "sa-xxxxxx",
      "authentication.method": "Password",
      "secret.manager.enabled": "true",
      "secret.manager": "AZURE_KEY_VAULT",
      "secret.manager.managed.configs": "database.password,database.user",
      "secret.manager.provider.integration.id": integrationId,
      "database.hostname": "203.0.113.0",
      "database.port": "1433",
      "database.user": `${vaultUri}::sqlserver-db-secret::user`,
      "database.password": `${vaultUri}::sqlserver-db-secret::password`,
      "database.names": "db123",
      "database.encrypt": "false",
      "output.data.format": "JSON",
      "output.key.format": "JSON",
      "table.include.list": "table123",
      "topic.prefix": "sqlcdc",
      "tasks.max": "1",
    },
  };
}

/** The specification's connector with the secret manager off: plaintext user and password (stored encrypted, shown masked); no vault needed. */
export function plainConnector(name: string, password: string): { name: string; config: Record<string, string> } {
  const { config } = specConnector("https://unused.vault.azure.net", "cspi-unused", name);
  for (const key of ["secret.manager.enabled", "secret.manager", "secret.manager.managed.configs", "secret.manager.provider.integration.id"]) Reflect.deleteProperty(config, key);
  return { name, config: { ...config, "database.user": "sa", "database.password": password } };
}

/** Creates an environment, a cluster (Azure Dedicated, westus3, PUBLIC) and an integration with the customer's tenant. */
export async function seedEnvironment(server: Pick<TestServer, "api">, azure: AzureFixture, name = "dev"): Promise<{ environmentId: string; clusterId: string; integrationId: string; base: string }> {
  const environment = await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: name });
  const cluster = await server.api<{ id: string }>("POST", "/cmk/v2/clusters", {
    spec: { display_name: `${name}-cluster`, availability: "SINGLE_ZONE", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated", cku: 1 }, environment: { id: environment.body.id }, networking: "PUBLIC", kafka_bootstrap_servers: "localhost:9092", connect_urls: ["http://127.0.0.1:8083"] },
  });
  const integration = await server.api<{ id: string }>("POST", "/pim/v2/integrations", { display_name: `${name}-akv`, provider: "AZURE", environment: { id: environment.body.id } });
  await server.api("PATCH", `/pim/v2/integrations/${integration.body.id}`, { config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant }, environment: { id: environment.body.id } });
  if (environment.status !== 201 || cluster.status !== 202 || integration.status !== 201) {
    throw new Error(`seeding failed: ${environment.text} ${cluster.text} ${integration.text}`);
  }
  return { environmentId: environment.body.id, clusterId: cluster.body.id, integrationId: integration.body.id, base: `/connect/v1/environments/${environment.body.id}/clusters/${cluster.body.id}` };
}
