/**
 * The tables as Kysely sees them, one schema for SQLite and PostgreSQL: text
 * ids, ISO-8601 timestamps as text (they sort as text), JSON as text (config
 * maps, Connect URLs, statuses, API key scopes) and integers. Migrations in
 * `migrations/` create exactly these columns.
 */

export interface EnvironmentsTable {
  id: string;
  display_name: string;
  created_at: string;
  updated_at: string;
}

export interface ClustersTable {
  id: string;
  environment_id: string;
  display_name: string;
  cloud: string;
  region: string;
  availability: string;
  cluster_type: string;
  cku: number | null;
  networking: string;
  bootstrap_servers: string;
  /** JSON array of strings. */
  connect_urls: string;
  created_at: string;
  updated_at: string;
}

export interface IntegrationsTable {
  id: string;
  environment_id: string;
  display_name: string;
  provider: string;
  status: string;
  /** JSON object, or null. */
  config: string | null;
  credential_ciphertext: string | null;
  created_at: string;
  updated_at: string;
}

export interface ConnectorsTable {
  id: string;
  environment_id: string;
  cluster_id: string;
  name: string;
  plugin: string;
  /** JSON object of string values, keys in the config's order. */
  config: string;
  sensitive_ciphertext: string | null;
  integration_id: string | null;
  desired_state: string;
  /** JSON ConnectorStatus. */
  status: string;
  generation: number;
  created_at: string;
  updated_at: string;
}

export interface ApiKeysTable {
  id: string;
  secret_hash: string;
  /** JSON ApiKeyScope. */
  scope: string;
  /** The scope's environment, for filtering; null for org keys. */
  environment_id: string | null;
  description: string;
  created_at: string;
  last_used_at: string | null;
}

export interface WorkerCredentialsTable {
  id: string;
  cluster_id: string;
  /** SHA-256 of the secret, base64url. */
  secret_hash: string;
  description: string;
  created_at: string;
  last_used_at: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  environments: EnvironmentsTable;
  clusters: ClustersTable;
  integrations: IntegrationsTable;
  connectors: ConnectorsTable;
  api_keys: ApiKeysTable;
  worker_credentials: WorkerCredentialsTable;
  meta: MetaTable;
}

export type StoreDialect = "sqlite" | "postgres";

/** Kysely's bookkeeping tables, named for vaultwire so they cannot collide with another application's in a shared database. */
export const MIGRATION_TABLE = "vaultwire_migration";
export const MIGRATION_LOCK_TABLE = "vaultwire_migration_lock";
