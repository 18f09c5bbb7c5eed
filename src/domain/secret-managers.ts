/**
 * The secret managers a connector config may name, and what every manager's
 * identifier grammar offers. The grammars themselves live with their manager
 * (secret-managers/<kind>/identifier.ts, pure) and reach the domain's
 * validation through its context: the domain names no provider.
 */
import type { Result } from "./result.js";
import type { Cloud } from "./region-policy.js";

export const SECRET_MANAGER_KINDS = ["AZURE_KEY_VAULT", "AWS_SECRETS_MANAGER", "GCP_SECRET_MANAGER"] as const;
export type SecretManagerKind = (typeof SECRET_MANAGER_KINDS)[number];

export function isSecretManagerKind(value: string): value is SecretManagerKind {
  return (SECRET_MANAGER_KINDS as readonly string[]).includes(value);
}

/** Which part of an identifier is wrong (each manager names its own parts: "vault-uri", "arn", "region", …). */
export type IdentifierPart = string;

export interface IdentifierError {
  readonly part: IdentifierPart;
  /** One line, naming the problem and showing the expected format; never the value typed. */
  readonly message: string;
}

/** What every manager's parsed identifier has in common. */
export interface SecretReference {
  readonly manager: SecretManagerKind;
  /** Canonical key of the secret itself, for deduplicating fetches (and the deployment-wide version record). */
  readonly secretKey: string;
  /** Key inside a JSON object secret, or null. */
  readonly jsonKey: string | null;
}

export interface IdentifierGrammar<Reference extends SecretReference = SecretReference> {
  readonly manager: SecretManagerKind;
  /** The cloud whose provider integrations can read this manager. */
  readonly cloud: Cloud;
  readonly format: string;
  readonly example: string;
  /** Strict; never throws, never echoes the value. Operator settings (allowed hosts) are bound in. */
  parse(value: string): Result<Reference, IdentifierError>;
  /** The identifier again, in its canonical written form (for messages: never a value). */
  display(reference: Reference): string;
  looksLikeIdentifier(value: string): boolean;
}

/**
 * Where a manager's identifiers may point, as a form shows it before anything
 * is sent (the grammars and endpoint policies enforce it): host patterns such
 * as `<vault-name>.vault.azure.net`, and the exact hosts the operator added.
 */
export interface AllowedSecretHosts {
  readonly patterns: readonly string[];
  readonly hosts: readonly string[];
}

/** The grammars of the managers this deployment supports (absent: known but not supported). */
export type SecretManagerGrammars = Readonly<Partial<Record<SecretManagerKind, IdentifierGrammar>>>;

export function supportedSecretManagers(grammars: SecretManagerGrammars): SecretManagerKind[] {
  return SECRET_MANAGER_KINDS.filter((kind) => grammars[kind] !== undefined);
}

/** The cloud each manager belongs to, so the service layer can match integrations. */
export const SECRET_MANAGER_CLOUDS: Readonly<Record<SecretManagerKind, Cloud>> = {
  AZURE_KEY_VAULT: "AZURE",
  AWS_SECRETS_MANAGER: "AWS",
  GCP_SECRET_MANAGER: "GCP",
};
