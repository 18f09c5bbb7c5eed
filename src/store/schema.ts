/**
 * The tables as Kysely sees them, one schema for SQLite and PostgreSQL: text
 * ids, ISO-8601 timestamps as text (they sort as text), JSON as text (config
 * maps, Connect URLs, statuses, API key scopes) and integers. Migrations in
 * `migrations/` create exactly these columns.
 */
import type { Generated } from "kysely";

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
  /**
   * JSON ApiKeyScope and role of decision 30. Since 0007 (decision 45) only
   * written, as the key's resource with the Operator role, so that an older
   * vaultwire reading it grants no more than reads.
   */
  scope: string;
  /** The resource's environment, for filtering; null for Cloud keys. */
  environment_id: string | null;
  description: string;
  created_at: string;
  last_used_at: string | null;
  /** The owning service account (0007); never null after it. */
  owner_id: string | null;
  display_name: string;
  /** JSON ApiKeyResource (0007); never null after it. */
  resource: string | null;
  updated_at: string | null;
}

export interface ServiceAccountsTable {
  id: string;
  display_name: string;
  description: string;
  created_at: string;
  updated_at: string;
}

export interface RoleBindingsTable {
  id: string;
  /** The bound service account (the principal is `User:<id>`). */
  service_account_id: string;
  role_name: string;
  /** As sent. */
  crn_pattern: string;
  /** JSON CrnScope: what the pattern names (compared for duplicates). */
  scope: string;
  /** The scope's environment, for filtering and for deleting with the environment; null at organization scope. */
  environment_id: string | null;
  created_at: string;
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

export interface ClusterLeasesTable {
  cluster_id: string;
  /** The replica holding the lease (VAULTWIRE_REPLICA_ID). */
  holder: string;
  /** The fencing token: incremented each time another replica takes the lease over. */
  token: string | number;
  /** Milliseconds since the epoch (the database's clock on PostgreSQL). */
  expires_at: string | number;
}

export interface ConnectorRuntimeTable {
  connector_id: string;
  /** JSON { key: { version, seenAt } }, or null. */
  seen_versions: string | null;
  /** JSON HeldFailure, or null. */
  held_failure: string | null;
  updated_at: string;
}

export interface RuntimeRequestsTable {
  id: Generated<string | number>;
  cluster_id: string;
  connector_id: string;
  connector_name: string;
  action: string;
  requested_at: string;
  /** Why a restart was asked for (RestartCause), or null (older rows, other actions). */
  cause: string | null;
  /** "rotate" requests: JSON { secret ref: version } a pushed event named (0005); null otherwise. */
  secret_versions?: string | null;
}

export interface EventSubscriptionsTable {
  id: string;
  integration_id: string;
  environment_id: string;
  description: string;
  delivery_schema: string;
  /** SHA-256 of the token, base64url. */
  token_hash: string;
  created_at: string;
  last_event_at: string | null;
}

export interface SecretVersionsTable {
  /** `<vault URI>|<secret name>`: where a secret is, never what it holds. */
  secret_ref: string;
  version: string;
  seen_at: string;
}

export interface ConnectorOffsetRequestsTable {
  connector_id: string;
  type: string;
  /** JSON list of { partition, offset }. */
  offsets: string;
  requested_at: string;
  phase: string;
  message: string | null;
  /** JSON list, or null. */
  previous_offsets: string | null;
  applied_at: string | null;
}

export interface ConnectorOffsetsTable {
  connector_id: string;
  /** JSON list of { partition, offset }: the offsets last read from Kafka Connect. */
  offsets: string;
  observed_at: string;
}

export interface AuditEventsTable {
  id: Generated<string | number>;
  at: string;
  type: string;
  environment_id: string | null;
  cluster_id: string | null;
  connector_id: string | null;
  connector_name: string | null;
  integration_id: string | null;
  /** JSON array of config keys. */
  keys: string;
  /** JSON { key: version }. */
  versions: string;
  /** JSON { key: version | null }. */
  previous_versions: string;
  /** JSON { key: secret reference } (where a secret is, never what it holds). */
  secrets: string;
  outcome: string;
  reason: string | null;
  worker_credential_id: string | null;
  worker_name: string | null;
  remote_address: string | null;
  user_agent: string | null;
  detected_by: string | null;
  restart_cause: string | null;
}

export interface AuditLastAccessTable {
  integration_id: string;
  secret_ref: string;
  at: string;
  environment_id: string;
  connector_id: string;
  connector_name: string;
  config_key: string;
  version: string | null;
  worker_credential_id: string | null;
  worker_name: string | null;
  event_id: string | number;
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
  cluster_leases: ClusterLeasesTable;
  connector_runtime: ConnectorRuntimeTable;
  runtime_requests: RuntimeRequestsTable;
  secret_versions: SecretVersionsTable;
  event_subscriptions: EventSubscriptionsTable;
  service_accounts: ServiceAccountsTable;
  role_bindings: RoleBindingsTable;
  connector_offset_requests: ConnectorOffsetRequestsTable;
  connector_offsets: ConnectorOffsetsTable;
  audit_events: AuditEventsTable;
  audit_last_access: AuditLastAccessTable;
}

export type StoreDialect = "sqlite" | "postgres";

/** Kysely's bookkeeping tables, named for vaultwire so they cannot collide with another application's in a shared database. */
export const MIGRATION_TABLE = "vaultwire_migration";
export const MIGRATION_LOCK_TABLE = "vaultwire_migration_lock";
