/**
 * The contract every secret manager implements (one folder per manager, see
 * docs/adding-a-secret-manager.md). Static checks live in domain/; these are
 * the live operations.
 */
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
  | "UNEXPECTED";

/** A failure for one field: a stable code and one line a user can act on. Never holds a value or token. */
export interface SecretError {
  readonly code: SecretErrorCode;
  readonly message: string;
  /** True when trying again later may succeed (throttling, outages, timeouts). */
  readonly transient: boolean;
}

export type SecretResult =
  | { readonly key: string; readonly ok: true; readonly value: SecretValue; readonly version: string }
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
