/**
 * The contract every secret manager implements (one folder per manager, see
 * docs/adding-a-secret-manager.md). Static checks live in domain/; these are
 * the live operations.
 */
import type { IntegrationConfig } from "../domain/resources.js";
import type { IdentifierGrammar, SecretManagerKind, SecretReference } from "../domain/secret-managers.js";
import type { SecretValue } from "./secret-value.js";

/** One config field whose value must be fetched. */
export interface SecretRequest<Identifier> {
  /** The connector config key, e.g. `database.password`; named in every error. */
  readonly key: string;
  readonly identifier: Identifier;
}

export type SecretErrorCode =
  | "SECRET_NOT_FOUND"
  | "SECRET_DISABLED"
  | "SECRET_NOT_YET_VALID"
  | "SECRET_EXPIRED"
  | "PERMISSION_DENIED_RBAC"
  | "PERMISSION_DENIED_ACCESS_POLICY"
  | "FIREWALL"
  | "WRONG_AUDIENCE"
  | "WRONG_TENANT"
  | "INVALID_CLIENT_SECRET"
  | "INVALID_CLIENT_CERTIFICATE"
  | "UNKNOWN_TENANT"
  | "APP_NOT_CONSENTED"
  | "FEDERATED_IDENTITY_MISMATCH"
  | "CREDENTIAL_UNAVAILABLE"
  | "VAULT_HOST_UNRESOLVABLE"
  | "CONNECTION_FAILED"
  | "TLS_FAILURE"
  | "THROTTLED"
  | "SERVICE_UNAVAILABLE"
  | "TIMEOUT"
  | "JSON_NOT_OBJECT"
  | "JSON_KEY_MISSING"
  | "JSON_VALUE_NOT_SCALAR"
  // AWS Secrets Manager (aws-secrets-manager/errors.ts says when each applies).
  | "ASSUME_ROLE_DENIED"
  | "PERMISSION_DENIED_IAM"
  | "PERMISSION_DENIED_KMS"
  | "DECRYPTION_FAILURE"
  | "SECRET_SCHEDULED_FOR_DELETION"
  | "SECRET_BINARY"
  | "SESSION_EXPIRED"
  | "INVALID_PLATFORM_CREDENTIALS"
  | "WRONG_REGION"
  | "WRONG_PARTITION"
  | "ENDPOINT_UNRESOLVABLE"
  | "ENDPOINT_NOT_ALLOWED"
  | "INTEGRATION_MISMATCH"
  | "UNEXPECTED";

/** A failure for one field: a stable code and one line a user can act on. Never holds a value or token. */
export interface SecretError {
  readonly code: SecretErrorCode;
  readonly message: string;
  /** True when trying again later may succeed (throttling, outages, timeouts). */
  readonly transient: boolean;
  /** SECRET_EXPIRED: when it expired (ISO 8601), for the expiry gauge. */
  readonly expiresAt?: string;
}

export type SecretResult =
  /** `expiresAt` (ISO 8601): when the secret expires, when the manager knows (Key Vault's `exp`; AWS Secrets Manager has no expiry). */
  | { readonly key: string; readonly ok: true; readonly value: SecretValue; readonly version: string; readonly expiresAt?: string }
  | { readonly key: string; readonly ok: false; readonly error: SecretError };

export type PermissionStatus = "granted" | "denied" | "unknown";

export interface PermissionProbe {
  /** e.g. `getSecret`, `readMetadata`. */
  readonly permission: string;
  /** e.g. `Microsoft.KeyVault/vaults/secrets/getSecret/action`. */
  readonly action: string;
  readonly status: PermissionStatus;
  readonly reason: string;
}

export interface IntegrationValidation {
  /** True when a token was acquired and every probe that ran was granted. */
  readonly ready: boolean;
  readonly token: { readonly ok: boolean; readonly message: string; readonly code?: SecretErrorCode };
  readonly permissions: readonly PermissionProbe[];
}

/** A provider integration's own credential (an Azure service principal of its own), decrypted; never logged. */
export type OwnCredential =
  | { readonly kind: "client-secret"; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: "client-certificate"; readonly clientId: string; readonly certificatePem: string };

/** What any manager is told about a provider integration (the integrations service builds it). */
export interface IntegrationAccess {
  /** `cspi-…`, quoted in messages. */
  readonly id: string;
  /** The stored configuration; each manager reads the kind it understands and refuses the others. */
  readonly config: IntegrationConfig;
  /** The integration's own credential; null when vaultwire's platform identity is used. */
  readonly credential: OwnCredential | null;
}

/**
 * One secret manager (one folder under secret-managers/), registered by kind.
 * Nothing outside its folder and the registry names a provider.
 */
export interface SecretManager<Reference extends SecretReference = SecretReference> {
  readonly kind: SecretManagerKind;
  /** Its identifier grammar (pure: also what the domain's validation and the console use). */
  readonly grammar: IdentifierGrammar;
  /** Results in the order of `requests`; each field succeeds or fails on its own. `live`: not from the cache. */
  fetch(integration: IntegrationAccess, requests: readonly SecretRequest<Reference>[], options?: { readonly live?: boolean }): Promise<SecretResult[]>;
  /**
   * Token or session, then permission probes: on `reference`'s secret, or in
   * `location` (a vault URI, a region) without a particular secret.
   */
  validateIntegration(integration: IntegrationAccess, options?: { readonly reference?: Reference; readonly location?: string }): Promise<IntegrationValidation>;
  /** Drops cached values: of one integration, or all. */
  invalidate(integrationId?: string): void;
}
