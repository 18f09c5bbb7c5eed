/**
 * The persistence port. Two implementations share one Kysely schema and one
 * repository test suite: SQLite (embedded default) and PostgreSQL (shared by
 * several control-plane replicas). Nothing secret is stored in plaintext:
 * config values that are secrets arrive here already encrypted.
 */
import type { ApiKey, Connector, ConnectorOffset, ConnectorOffsetRequest, ConnectorStatus, DesiredConnectorState, Environment, EventSubscription, IntegrationConfig, KafkaCluster, ProviderIntegration, StoredIntegrationStatus, WorkerCredential } from "../domain/resources.js";
import type { ConnectorConfig } from "../domain/connector-config.js";
import type { ApiKeyResource, CrnScope, RoleBinding, RoleName, ServiceAccount } from "../domain/identity.js";
import type { Page, PageRequest } from "../domain/page-token.js";
import type { AuditEvent, AuditPageRequest, AuditQuery, AuditRecord, RestartCause, SecretLastAccess } from "../domain/audit.js";

// The paging contract is the domain's (domain/page-token.ts); the repositories speak it.
export { InvalidPageTokenError, type Page, type PageRequest } from "../domain/page-token.js";

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

export interface ApiKeyListFilter {
  readonly ownerId?: string;
  readonly resource?: ApiKeyResource;
  /** Keys whose resource is in this environment (Environment and Cluster keys). */
  readonly environmentId?: string;
}

export interface ApiKeyRepository {
  /** Throws UniqueViolationError("api_key_id") for a taken id; ForeignKeyViolationError for a missing owner. */
  insert(key: ApiKey): Promise<void>;
  get(id: string): Promise<ApiKey | undefined>;
  /** Ordered by creation (then id). */
  list(filter?: ApiKeyListFilter, page?: PageRequest): Promise<Page<ApiKey>>;
  count(): Promise<number>;
  touch(id: string, lastUsedAt: string): Promise<void>;
  /** Sets display name and description (nothing else of a key changes). */
  update(id: string, patch: { readonly displayName: string; readonly description: string; readonly updatedAt: string }): Promise<ApiKey | undefined>;
  delete(id: string): Promise<boolean>;
}

export interface ServiceAccountRepository {
  /** Throws UniqueViolationError("service_account_display_name") when the name is taken. */
  insert(account: ServiceAccount): Promise<void>;
  get(id: string): Promise<ServiceAccount | undefined>;
  /** Ordered by creation (then id). */
  list(page: PageRequest, filter?: { readonly displayName?: string }): Promise<Page<ServiceAccount>>;
  update(id: string, patch: { readonly displayName: string; readonly description: string; readonly updatedAt: string }): Promise<ServiceAccount | undefined>;
  /** Deletes its role bindings and API keys with it. True when a row was deleted. */
  delete(id: string): Promise<boolean>;
}

export interface RoleBindingListFilter {
  readonly serviceAccountId?: string;
  readonly roleName?: RoleName;
  /** Bindings whose scope is this one or lies within it. */
  readonly within?: CrnScope;
  /** Only bindings in these environments (and none at organization scope); for callers that see only some. */
  readonly environmentIds?: readonly string[];
}

export interface RoleBindingRepository {
  /** Throws UniqueViolationError("role_binding") when the account has the role on that scope already. */
  insert(binding: RoleBinding): Promise<void>;
  get(id: string): Promise<RoleBinding | undefined>;
  /** Ordered by creation (then id). */
  list(filter: RoleBindingListFilter, page: PageRequest): Promise<Page<RoleBinding>>;
  /** Every binding of one service account (what its keys may do), ordered by creation. */
  listByServiceAccount(serviceAccountId: string): Promise<readonly RoleBinding[]>;
  /** Bindings of a role at organization scope (the last OrganizationAdmin is kept). */
  countOrganizationRole(roleName: RoleName): Promise<number>;
  delete(id: string): Promise<boolean>;
  /** Removes the bindings on an environment and its resources (the environment is being deleted). */
  deleteByEnvironment(environmentId: string): Promise<number>;
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
  /** Sets the value, whatever was there. */
  set(key: string, value: string): Promise<void>;
}

/** A replica's hold on a Kafka cluster's background work. */
export interface Lease {
  readonly clusterId: string;
  readonly holder: string;
  /** The fencing token: a takeover by another replica increments it. */
  readonly token: number;
  /** Milliseconds since the epoch, by the database's clock on PostgreSQL. */
  readonly expiresAt: number;
}

/** What a write of the lease owner carries: it lands only while nobody took the lease over. */
export interface Fence {
  readonly clusterId: string;
  readonly holder: string;
  readonly token: number;
}

export interface LeaseRepository {
  /**
   * Takes the cluster's lease for `holder` for `ttlMs` when it is free or
   * expired, or renews it when `holder` has it; returns the fencing token, or
   * null while another replica holds it. Expiry is judged by the database's
   * clock (PostgreSQL), so replicas' clocks need not agree.
   */
  acquire(clusterId: string, holder: string, ttlMs: number): Promise<number | null>;
  /** Ends the lease now (a graceful stop), when it is still this fence's. */
  release(fence: Fence): Promise<void>;
  list(): Promise<readonly Lease[]>;
}

export interface SeenVersion {
  readonly version: string;
  readonly seenAt: string;
}

/** A validation failure held for a config generation, retried with back-off. */
export interface HeldFailure {
  readonly generation: number;
  readonly status: ConnectorStatus;
  readonly attempts: number;
  /** Milliseconds since the epoch. */
  readonly nextAt: number;
}

export interface ConnectorRuntimeState {
  readonly connectorId: string;
  /** The secret versions the connector was last started with, by config key; null before its first start. */
  readonly seenVersions: Readonly<Record<string, SeenVersion>> | null;
  readonly heldFailure: HeldFailure | null;
}

export interface RuntimeStateRepository {
  get(connectorId: string): Promise<ConnectorRuntimeState | undefined>;
  /** Writes the state when `fence` still holds (nobody took the cluster's lease over); false otherwise or when the connector is gone. */
  put(state: ConnectorRuntimeState, fence: Fence, updatedAt: string): Promise<boolean>;
}

/** `rotate`: a pushed event said these secrets have new versions (decision 41): the owner checks the connector's rotation for them. */
export type RuntimeAction = "apply" | "restart" | "remove" | "rotate";

/** Work for a cluster's lease owner, recorded by whichever replica served the API call (or by the owner itself). */
export interface RuntimeRequest {
  readonly id: number;
  readonly clusterId: string;
  readonly connectorId: string;
  /** The connector's name in Kafka Connect (a removed connector has no row to read it from). */
  readonly connectorName: string;
  readonly action: RuntimeAction;
  readonly requestedAt: string;
  /** `rotate`: the versions the event named, by secret reference (`SecretReference.secretKey`). */
  readonly secretVersions?: Readonly<Record<string, string>>;
  /** Why a restart was asked for; null for other actions and rows written before causes were recorded. */
  readonly cause?: RestartCause | null;
}

export interface RuntimeRequestRepository {
  enqueue(request: Omit<RuntimeRequest, "id">): Promise<number>;
  /** The requests of these clusters, oldest first. */
  listByClusters(clusterIds: readonly string[]): Promise<readonly RuntimeRequest[]>;
  /** Deletes the requests done, when `fence` still holds; false otherwise. */
  complete(ids: readonly number[], fence: Fence): Promise<boolean>;
}

export interface SecretVersionRepository {
  /** The last version any replica read, by secret reference (`<vault URI>|<secret name>`). */
  get(refs: readonly string[]): Promise<ReadonlyMap<string, string>>;
  record(entries: readonly { readonly ref: string; readonly version: string }[], seenAt: string): Promise<void>;
}

export interface EventSubscriptionRepository {
  insert(subscription: EventSubscription): Promise<void>;
  get(id: string): Promise<EventSubscription | undefined>;
  /** An integration's subscriptions, ordered by creation. */
  listByIntegration(integrationId: string): Promise<readonly EventSubscription[]>;
  touch(id: string, lastEventAt: string): Promise<void>;
  /** True when a row was deleted. */
  delete(id: string): Promise<boolean>;
}

export interface ConnectorOffsetRequestRepository {
  get(connectorId: string): Promise<ConnectorOffsetRequest | undefined>;
  /**
   * Records a new PENDING request, replacing the previous one unless that one
   * is still PENDING and was requested after `staleBefore` (one request at a
   * time per connector). False when refused, or when the connector is gone.
   */
  start(request: ConnectorOffsetRequest, staleBefore: string): Promise<boolean>;
  /** Records the outcome of the request made at `requestedAt` (a newer one is left alone). */
  finish(connectorId: string, requestedAt: string, outcome: Pick<ConnectorOffsetRequest, "phase" | "message" | "previousOffsets" | "appliedAt">): Promise<void>;
  /** The offsets last read from Kafka Connect for the connector, and when. */
  observed(connectorId: string): Promise<{ readonly offsets: readonly ConnectorOffset[]; readonly observedAt: string } | undefined>;
  /** Keeps what was just read (a newer observation is not replaced by an older one); nothing when the connector is gone. */
  recordObserved(connectorId: string, offsets: readonly ConnectorOffset[], observedAt: string): Promise<void>;
}

/** The audit trail (decision 42): events and the last access per secret; never a value. */
export interface AuditRepository {
  /** Appends the events in order (ids increase); granted accesses also become each secret's last access. */
  append(events: readonly AuditRecord[]): Promise<void>;
  /** Newest first unless `page.order` is "asc"; throws InvalidPageTokenError for a token that is not ours. */
  list(query: AuditQuery, page: AuditPageRequest): Promise<Page<AuditEvent>>;
  /** The last granted access of each secret read through this integration, newest first. */
  lastAccess(integrationId: string): Promise<readonly SecretLastAccess[]>;
  /** Deletes what happened before `before` (ISO-8601); returns how many events went. Idempotent. */
  prune(before: string): Promise<number>;
}

export interface Repositories {
  readonly environments: EnvironmentRepository;
  readonly clusters: ClusterRepository;
  readonly integrations: IntegrationRepository;
  readonly connectors: ConnectorRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly serviceAccounts: ServiceAccountRepository;
  readonly roleBindings: RoleBindingRepository;
  readonly workerCredentials: WorkerCredentialRepository;
  readonly meta: MetaRepository;
  readonly leases: LeaseRepository;
  readonly runtimeState: RuntimeStateRepository;
  readonly runtimeRequests: RuntimeRequestRepository;
  readonly secretVersions: SecretVersionRepository;
  readonly eventSubscriptions: EventSubscriptionRepository;
  readonly offsetRequests: ConnectorOffsetRequestRepository;
  readonly audit: AuditRepository;
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
