/**
 * The persistence port. Two implementations share one Kysely schema and one
 * repository test suite: SQLite (embedded default) and PostgreSQL (shared by
 * several control-plane replicas). Nothing secret is stored in plaintext:
 * config values that are secrets arrive here already encrypted.
 */
import type { ApiKey, Connector, ConnectorStatus, DesiredConnectorState, Environment, IntegrationConfig, KafkaCluster, ProviderIntegration, StoredIntegrationStatus, WorkerCredential } from "../domain/resources.js";
import type { ConnectorConfig } from "../domain/connector-config.js";

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; null on the last page. */
  readonly nextPageToken: string | null;
}

export interface PageRequest {
  /** 1–100; default 10 (Confluent's default page size). */
  readonly pageSize?: number;
  readonly pageToken?: string | null;
}

/** A page token that does not decode, or names a position that cannot exist. */
export class InvalidPageTokenError extends Error {
  constructor() {
    super("invalid page_token");
    this.name = "InvalidPageTokenError";
  }
}

/** A unique constraint was violated; `constraint` names it (e.g. "connector_name"). */
export class UniqueViolationError extends Error {
  constructor(readonly constraint: string) {
    super(`unique constraint ${constraint} violated`);
    this.name = "UniqueViolationError";
  }
}

export interface EnvironmentRepository {
  insert(environment: Environment): Promise<void>;
  get(id: string): Promise<Environment | undefined>;
  /** Ordered by creation (then id). `ids`, when given, restricts to those ids (scoped API keys). */
  list(page: PageRequest, filter?: { readonly ids?: readonly string[] }): Promise<Page<Environment>>;
  update(id: string, patch: { readonly displayName: string; readonly updatedAt: string }): Promise<Environment | undefined>;
  /** True when a row was deleted. */
  delete(id: string): Promise<boolean>;
}

export interface ClusterRepository {
  insert(cluster: KafkaCluster): Promise<void>;
  get(id: string): Promise<KafkaCluster | undefined>;
  list(environmentId: string, page: PageRequest): Promise<Page<KafkaCluster>>;
  /** Every cluster (for the reconciler), ordered by id. */
  listAll(): Promise<readonly KafkaCluster[]>;
  update(cluster: KafkaCluster): Promise<void>;
  delete(id: string): Promise<boolean>;
  countByEnvironment(environmentId: string): Promise<number>;
}

export interface IntegrationListFilter {
  readonly environmentId: string;
  readonly provider?: string;
  readonly displayName?: string;
  /** Stored statuses only; the service derives ACTIVE. */
  readonly statuses?: readonly StoredIntegrationStatus[];
}

export interface IntegrationRepository {
  insert(integration: ProviderIntegration): Promise<void>;
  get(id: string): Promise<ProviderIntegration | undefined>;
  list(filter: IntegrationListFilter, page: PageRequest): Promise<Page<ProviderIntegration>>;
  /** Sets config, credential and status together. */
  update(id: string, patch: { readonly config: IntegrationConfig | null; readonly credentialCiphertext: string | null; readonly status: StoredIntegrationStatus; readonly updatedAt: string }): Promise<ProviderIntegration | undefined>;
  delete(id: string): Promise<boolean>;
  countByEnvironment(environmentId: string): Promise<number>;
}

export interface ConnectorRepository {
  /** Throws UniqueViolationError("connector_name") when the cluster has a connector of that name. */
  insert(connector: Connector): Promise<void>;
  get(id: string): Promise<Connector | undefined>;
  getByName(clusterId: string, name: string): Promise<Connector | undefined>;
  /** Ordered by name. */
  listByCluster(clusterId: string): Promise<readonly Connector[]>;
  /** Connectors whose integrationId is this one (the integration's usages), ordered by id. */
  listByIntegration(integrationId: string): Promise<readonly Connector[]>;
  /** Every connector (for the reconciler), ordered by id. */
  listAll(): Promise<readonly Connector[]>;
  countByCluster(clusterId: string): Promise<number>;
  /**
   * Replaces config, plugin, secrets, integration and desired state when the
   * stored generation equals `expectedGeneration`; increments the generation.
   * Returns the updated record, or undefined when it was missing or changed meanwhile.
   */
  updateSpec(id: string, expectedGeneration: number, spec: {
    readonly plugin: string;
    readonly config: ConnectorConfig;
    readonly sensitiveCiphertext: string | null;
    readonly integrationId: string | null;
    readonly desiredState: DesiredConnectorState;
    readonly updatedAt: string;
  }): Promise<Connector | undefined>;
  /** Records an observed status (does not change the generation). */
  updateStatus(id: string, status: ConnectorStatus): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface ApiKeyRepository {
  insert(key: ApiKey): Promise<void>;
  get(id: string): Promise<ApiKey | undefined>;
  /** All keys, or those of one environment, ordered by creation. */
  list(filter?: { readonly environmentId?: string }): Promise<readonly ApiKey[]>;
  count(): Promise<number>;
  touch(id: string, lastUsedAt: string): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface WorkerCredentialRepository {
  insert(credential: WorkerCredential): Promise<void>;
  get(id: string): Promise<WorkerCredential | undefined>;
  /** A cluster's credentials, ordered by creation. */
  listByCluster(clusterId: string): Promise<readonly WorkerCredential[]>;
  touch(id: string, lastUsedAt: string): Promise<void>;
  /** True when a row was deleted. */
  delete(id: string): Promise<boolean>;
}

/** Small key/value facts about the store itself (e.g. the master key's check value). */
export interface MetaRepository {
  get(key: string): Promise<string | undefined>;
  /** Sets the value only when the key is absent; returns the value now stored. */
  setIfAbsent(key: string, value: string): Promise<string>;
}

export interface Repositories {
  readonly environments: EnvironmentRepository;
  readonly clusters: ClusterRepository;
  readonly integrations: IntegrationRepository;
  readonly connectors: ConnectorRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly workerCredentials: WorkerCredentialRepository;
  readonly meta: MetaRepository;
}

export interface Store extends Repositories {
  readonly dialect: "sqlite" | "postgres";
  /**
   * Runs `work` in one database transaction; the repositories it receives
   * write in that transaction. No network call may run inside it.
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Whether the database answers (for /health). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface StoreOptions {
  /** `postgres://…` for PostgreSQL; otherwise SQLite in `dataDir`. */
  readonly databaseUrl?: string;
  /** Directory for `vaultwire.db` (SQLite); created 0700 when missing. */
  readonly dataDir?: string;
}
