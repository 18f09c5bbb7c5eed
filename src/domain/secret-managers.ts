/**
 * The secret managers a connector config may name, and the identifier grammar
 * of each. The record types make the compiler reject a manager without an
 * entry; a manager whose grammar is null is known but not supported yet.
 */
import { AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE, AZURE_KEY_VAULT_IDENTIFIER_FORMAT, parseAzureKeyVaultIdentifier, looksLikeAzureKeyVaultIdentifier, type IdentifierError } from "./azure-key-vault-identifier.js";
import type { Result } from "./result.js";
import type { VaultHostPolicy } from "./vault-host-policy.js";
import type { Cloud } from "./region-policy.js";

export const SECRET_MANAGER_KINDS = ["AZURE_KEY_VAULT", "AWS_SECRETS_MANAGER", "GCP_SECRET_MANAGER"] as const;
export type SecretManagerKind = (typeof SECRET_MANAGER_KINDS)[number];

export function isSecretManagerKind(value: string): value is SecretManagerKind {
  return (SECRET_MANAGER_KINDS as readonly string[]).includes(value);
}

/** What every manager's parsed identifier has in common. */
export interface SecretReference {
  readonly manager: SecretManagerKind;
  /** Canonical key of the secret itself, for deduplicating fetches. */
  readonly secretKey: string;
  /** Key inside a JSON object secret, or null. */
  readonly jsonKey: string | null;
}

export interface SecretIdentifierSettings {
  readonly vaultHosts: VaultHostPolicy;
}

export interface IdentifierGrammar {
  readonly manager: SecretManagerKind;
  /** The cloud whose provider integrations can read this manager. */
  readonly cloud: Cloud;
  readonly format: string;
  readonly example: string;
  parse(value: string, settings: SecretIdentifierSettings): Result<SecretReference, IdentifierError>;
  looksLikeIdentifier(value: string): boolean;
}

const azureKeyVaultGrammar: IdentifierGrammar = {
  manager: "AZURE_KEY_VAULT",
  cloud: "AZURE",
  format: AZURE_KEY_VAULT_IDENTIFIER_FORMAT,
  example: AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE,
  parse: (value, settings) => parseAzureKeyVaultIdentifier(value, settings.vaultHosts),
  looksLikeIdentifier: looksLikeAzureKeyVaultIdentifier,
};

export const IDENTIFIER_GRAMMARS: Readonly<Record<SecretManagerKind, IdentifierGrammar | null>> = {
  AZURE_KEY_VAULT: azureKeyVaultGrammar,
  AWS_SECRETS_MANAGER: null,
  GCP_SECRET_MANAGER: null,
};

/** The cloud each manager belongs to, so the service layer can match integrations. */
export const SECRET_MANAGER_CLOUDS: Readonly<Record<SecretManagerKind, Cloud>> = {
  AZURE_KEY_VAULT: "AZURE",
  AWS_SECRETS_MANAGER: "AWS",
  GCP_SECRET_MANAGER: "GCP",
};

export function supportedSecretManagers(): SecretManagerKind[] {
  return SECRET_MANAGER_KINDS.filter((kind) => IDENTIFIER_GRAMMARS[kind] !== null);
}
