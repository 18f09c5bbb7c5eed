// The databases the store suite runs on, and record factories. SQLite always
// (a temporary directory per database); PostgreSQL when
// VAULTWIRE_TEST_DATABASE_URL is set, which CI requires (infra/postgres/setup.sh
// prints it). Each PostgreSQL database is created for the run through that
// URL (its role needs CREATEDB) and dropped afterwards.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { ConnectorConfig } from "../../src/domain/connector-config.js";
import type { ApiKey, Connector, ConnectorStatus, Environment, KafkaCluster, ProviderIntegration } from "../../src/domain/resources.js";
import type { StoreOptions } from "../../src/store/index.js";

export interface TestDatabase {
  readonly options: StoreOptions;
  drop(): Promise<void>;
}

export interface StoreTarget {
  readonly name: "sqlite" | "postgres";
  /** A new, empty database. */
  createDatabase(): Promise<TestDatabase>;
}

export const TEST_DATABASE_URL_VARIABLE = "VAULTWIRE_TEST_DATABASE_URL";

export function storeTargets(): StoreTarget[] {
  const targets: StoreTarget[] = [{ name: "sqlite", createDatabase: createSqliteDatabase }];
  const url = process.env[TEST_DATABASE_URL_VARIABLE];
  if (url !== undefined && url !== "") {
    targets.push({ name: "postgres", createDatabase: () => createPostgresDatabase(url) });
  } else if (process.env.CI !== undefined && process.env.CI !== "") {
    throw new Error(`${TEST_DATABASE_URL_VARIABLE} must be set in CI: the store suite runs on PostgreSQL too (sudo bash infra/postgres/setup.sh prints it)`);
  }
  return targets;
}

async function createSqliteDatabase(): Promise<TestDatabase> {
  const root = await mkdtemp(join(tmpdir(), "vaultwire-store-"));
  return {
    options: { dataDir: join(root, "data") },
    drop: () => rm(root, { recursive: true, force: true }),
  };
}

async function createPostgresDatabase(adminUrl: string): Promise<TestDatabase> {
  const name = `vaultwire_test_${process.pid}_${randomBytes(6).toString("hex")}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    options: { databaseUrl: url.toString() },
    drop: async () => {
      // FORCE ends this role's connections, but refuses while another role (a superuser's psql or
      // autovacuum worker) is still in the database: those end on their own, so wait and try again.
      for (let attempt = 1; ; attempt++) {
        try {
          await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
          return;
        } catch (error) {
          const code = (error as { code?: string }).code;
          if (code !== "42501" && code !== "55006") throw error;
          if (attempt >= 20) {
            console.warn(`test database ${name} left behind: ${(error as Error).message}`);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    },
  };
}

async function withAdmin<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// ---- record factories ---------------------------------------------------------

let sequence = 0;
/** A unique id suffix within this process (ids need not be random here). */
export function uniqueSuffix(): string {
  sequence += 1;
  return `${process.pid.toString(36)}${sequence.toString(36).padStart(4, "0")}`;
}

/** Distinct, increasing timestamps: the nth is n milliseconds after 2024-01-01. */
export function timestamp(n: number): string {
  return new Date(Date.UTC(2024, 0, 1) + n).toISOString();
}

export function environment(overrides: Partial<Environment> = {}): Environment {
  return { id: `env-${uniqueSuffix()}`, displayName: "production", createdAt: timestamp(0), updatedAt: timestamp(0), ...overrides };
}

export function cluster(environmentId: string, overrides: Partial<KafkaCluster> = {}): KafkaCluster {
  return {
    id: `lkc-${uniqueSuffix()}`,
    environmentId,
    displayName: "orders",
    cloud: "AZURE",
    region: "westus3",
    availability: "SINGLE_ZONE",
    type: "DEDICATED",
    cku: 2,
    networking: "PUBLIC",
    bootstrapServers: "broker-1:9092,broker-2:9092",
    connectUrls: ["http://connect-1:8083", "http://connect-2:8083"],
    createdAt: timestamp(0),
    updatedAt: timestamp(0),
    ...overrides,
  };
}

export function integration(environmentId: string, overrides: Partial<ProviderIntegration> = {}): ProviderIntegration {
  return {
    id: `cspi-${uniqueSuffix()}`,
    environmentId,
    displayName: "key-vault",
    provider: "AZURE",
    status: "CREATED",
    config: { kind: "AzureIntegrationConfig", customerAzureTenantId: "00000000-0000-0000-0000-000000000001" },
    credentialCiphertext: null,
    createdAt: timestamp(0),
    updatedAt: timestamp(0),
    ...overrides,
  };
}

export const PROVISIONING: ConnectorStatus = { state: "PROVISIONING", workerId: null, trace: null, tasks: [], observedAt: timestamp(0) };

export function config(entries: Record<string, string> = {}): ConnectorConfig {
  const result = Object.create(null) as Record<string, string>;
  Object.assign(result, { "connector.class": "PostgresCdcSourceV2", "tasks.max": "1" });
  for (const [key, value] of Object.entries(entries)) result[key] = value;
  return result;
}

export function connector(target: { environmentId: string; clusterId: string }, overrides: Partial<Connector> = {}): Connector {
  return {
    id: `lcc-${uniqueSuffix()}`,
    environmentId: target.environmentId,
    clusterId: target.clusterId,
    name: `connector-${uniqueSuffix()}`,
    plugin: "PostgresCdcSourceV2",
    config: config(),
    sensitiveCiphertext: null,
    integrationId: null,
    desiredState: "RUNNING",
    status: PROVISIONING,
    generation: 1,
    createdAt: timestamp(0),
    updatedAt: timestamp(0),
    ...overrides,
  };
}

export function apiKey(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: `KEY${uniqueSuffix().toUpperCase()}`,
    secretHash: "scrypt$16384$8$1$c2FsdA$aGFzaA",
    ownerId: "sa-owner000",
    resource: { kind: "Cloud" },
    displayName: "ci key",
    description: "ci",
    createdAt: timestamp(0),
    updatedAt: timestamp(0),
    lastUsedAt: null,
    ...overrides,
  };
}
