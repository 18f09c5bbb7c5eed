/**
 * The resources vaultwire manages, as records. Pure types: the store persists
 * them, services change them, the HTTP layer renders them in Confluent's shapes.
 * Timestamps are ISO-8601 strings in UTC.
 */
import type { ConnectorConfig } from "./connector-config.js";
import type { Cloud, ClusterType, Networking } from "./region-policy.js";

export interface Environment {
  readonly id: string;
  readonly displayName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type Availability = "SINGLE_ZONE" | "MULTI_ZONE";

/** A Kafka cluster registered with vaultwire, and where its Kafka Connect workers are. */
export interface KafkaCluster {
  readonly id: string;
  readonly environmentId: string;
  readonly displayName: string;
  readonly cloud: Cloud;
  readonly region: string;
  readonly availability: Availability;
  readonly type: ClusterType;
  readonly cku: number | null;
  readonly networking: Networking;
  /** Kafka bootstrap servers, comma-separated host:port list. */
  readonly bootstrapServers: string;
  /** Kafka Connect REST URLs of the workers that run this cluster's connectors. */
  readonly connectUrls: readonly string[];
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type IntegrationProvider = "AZURE" | "AWS" | "GCP";
/** Stored status; ACTIVE is derived at read time from usages. */
export type StoredIntegrationStatus = "DRAFT" | "CREATED";
export type IntegrationStatus = StoredIntegrationStatus | "ACTIVE";

export interface AzureIntegrationConfig {
  readonly kind: "AzureIntegrationConfig";
  readonly customerAzureTenantId: string;
}

export type IntegrationConfig = AzureIntegrationConfig;

export interface ProviderIntegration {
  readonly id: string;
  readonly environmentId: string;
  readonly displayName: string;
  readonly provider: IntegrationProvider;
  readonly status: StoredIntegrationStatus;
  readonly config: IntegrationConfig | null;
  /**
   * The integration's own service principal credential, encrypted
   * (AES-256-GCM envelope, see services/crypto); null when it uses the
   * platform identity. Never returned by the API.
   */
  readonly credentialCiphertext: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const CONNECTOR_STATES = ["NONE", "PROVISIONING", "RUNNING", "DEGRADED", "FAILED", "PAUSED", "DELETED"] as const;
export type ConnectorState = (typeof CONNECTOR_STATES)[number];
export type DesiredConnectorState = "RUNNING" | "PAUSED";

export interface TaskStatus {
  readonly id: number;
  readonly state: ConnectorState;
  readonly workerId: string | null;
  readonly trace: string | null;
}

export interface ConnectorStatus {
  readonly state: ConnectorState;
  readonly workerId: string | null;
  readonly trace: string | null;
  readonly tasks: readonly TaskStatus[];
  readonly observedAt: string;
}

export interface Connector {
  /** `lcc-…` */
  readonly id: string;
  readonly environmentId: string;
  readonly clusterId: string;
  readonly name: string;
  /** The managed plugin (`connector.class`). */
  readonly plugin: string;
  /**
   * The config as the user gave it, except that sensitive values typed in
   * plaintext are removed (they live encrypted in `sensitiveCiphertext`).
   * Secret identifiers stay: they are not secrets.
   */
  readonly config: ConnectorConfig;
  /** Encrypted JSON map of the sensitive plaintext values removed from `config`; null when none. */
  readonly sensitiveCiphertext: string | null;
  /** The provider integration named by `secret.manager.provider.integration.id`, for usages. */
  readonly integrationId: string | null;
  readonly desiredState: DesiredConnectorState;
  /** The last status observed from the runtime (PROVISIONING until it is deployed). */
  readonly status: ConnectorStatus;
  /** Incremented at every change of desired state or config; optimistic concurrency. */
  readonly generation: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type ApiKeyScope = { readonly kind: "org" } | { readonly kind: "environment"; readonly environmentId: string };

/**
 * What an API key may do within its scope (see docs/security.md):
 * - OrganizationAdmin (org scope only): everything, including API keys,
 *   environments, Connect URLs and worker credentials;
 * - EnvironmentAdmin (environment scope): clusters, provider integrations and
 *   connectors of that environment, and assigning its integrations to connectors;
 * - DeveloperManage (environment scope): connectors of that environment, but
 *   not assigning a provider integration to one;
 * - Operator (either scope): reads only; never a worker credential.
 */
export const API_KEY_ROLES = ["OrganizationAdmin", "EnvironmentAdmin", "DeveloperManage", "Operator"] as const;
export type ApiKeyRole = (typeof API_KEY_ROLES)[number];

/** Roles each scope allows; the first is the default. */
export const ROLES_BY_SCOPE: Readonly<Record<ApiKeyScope["kind"], readonly ApiKeyRole[]>> = {
  org: ["OrganizationAdmin", "Operator"],
  environment: ["EnvironmentAdmin", "DeveloperManage", "Operator"],
};

export interface ApiKey {
  /** The public key id users send as the Basic user name. */
  readonly id: string;
  /** scrypt hash of the secret, `scrypt$N$r$p$salt$hash` (base64url parts). */
  readonly secretHash: string;
  readonly scope: ApiKeyScope;
  readonly role: ApiKeyRole;
  readonly description: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}

/**
 * A credential a Kafka Connect worker presents to fetch the secrets of its
 * cluster's connectors. Created by an organization admin, shown once, stored
 * as a SHA-256 hash (the secret is 256 random bits, so a slow hash adds
 * nothing), revocable; several may be valid at once for rotation.
 */
export interface WorkerCredential {
  /** `wcr-…` */
  readonly id: string;
  readonly clusterId: string;
  /** SHA-256 of the secret, base64url. */
  readonly secretHash: string;
  readonly description: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
}
