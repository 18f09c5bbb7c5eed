/**
 * vaultwire's public API for embedders: the pure core that decides whether a
 * connector config that uses a secret manager is valid.
 */
import { parseAzureKeyVaultIdentifier, type AzureKeyVaultSecretIdentifier, type IdentifierError } from "./secret-managers/azure-key-vault/identifier.js";
import { err, type Result } from "./domain/result.js";
import type { ConnectorConfig } from "./domain/connector-config.js";
import { validateConnectorConfig as validateDomainConfig, validateConnectorConfigInput as validateDomainConfigInput, type ValidationContext as DomainValidationContext, type ValidationReport } from "./domain/connector-validation.js";
import { isSecretManagerKind, SECRET_MANAGER_KINDS, supportedSecretManagers, type SecretManagerGrammars, type SecretManagerKind, type SecretReference } from "./domain/secret-managers.js";
import type { AwsSecretReference } from "./secret-managers/aws-secrets-manager/identifier.js";
import { identifierGrammars } from "./secret-managers/grammars.js";
import { createVaultHostPolicy, DEFAULT_VAULT_HOST_POLICY, type VaultHostPolicy } from "./secret-managers/azure-key-vault/vault-host-policy.js";

export interface ParseSecretIdentifierOptions {
  /** A compiled policy (see `createVaultHostPolicy`); takes precedence over `allowedVaultHosts`. */
  readonly vaultHosts?: VaultHostPolicy;
  /** Exact `host` or `host:port` entries allowed besides the Azure clouds, e.g. `localhost:8443`. */
  readonly allowedVaultHosts?: readonly string[];
}

/**
 * Parses a secret identifier. With one argument (and options), an Azure Key
 * Vault identifier (`<vault-uri>::<secret-name>` or
 * `<vault-uri>::<secret-name>::<json-key>`), as before; with the manager kind
 * first, that manager's identifier, e.g.
 * `parseSecretIdentifier("AWS_SECRETS_MANAGER", "arn:aws:secretsmanager:…:secret:db::password")`.
 * Never throws; the error names the part that is wrong and shows the format,
 * never the value.
 */
export function parseSecretIdentifier(value: string, options?: ParseSecretIdentifierOptions): Result<AzureKeyVaultSecretIdentifier, IdentifierError>;
export function parseSecretIdentifier(manager: "AZURE_KEY_VAULT", value: string, options?: ParseSecretIdentifierOptions): Result<AzureKeyVaultSecretIdentifier, IdentifierError>;
export function parseSecretIdentifier(manager: "AWS_SECRETS_MANAGER", value: string): Result<AwsSecretReference, IdentifierError>;
export function parseSecretIdentifier(manager: SecretManagerKind, value: string, options?: ParseSecretIdentifierOptions): Result<SecretReference, IdentifierError>;
export function parseSecretIdentifier(first: string, second?: string | ParseSecretIdentifierOptions, third?: ParseSecretIdentifierOptions): Result<SecretReference, IdentifierError> {
  if (typeof second !== "string") return parseAzure(first, second ?? {});
  if (!isSecretManagerKind(first)) return err({ part: "manager", message: `unknown secret manager ${JSON.stringify(first.slice(0, 40))}; expected one of ${SECRET_MANAGER_KINDS.join(", ")}` });
  if (first === "AZURE_KEY_VAULT") return parseAzure(second, third ?? {});
  const grammar = identifierGrammars()[first];
  if (grammar === undefined) return err({ part: "manager", message: `secret manager ${first} is not supported yet; supported: ${supportedSecretManagers(identifierGrammars()).join(", ")}` });
  return grammar.parse(second);
}

function parseAzure(value: string, options: ParseSecretIdentifierOptions): Result<AzureKeyVaultSecretIdentifier, IdentifierError> {
  let policy = options.vaultHosts ?? DEFAULT_VAULT_HOST_POLICY;
  if (!options.vaultHosts && options.allowedVaultHosts) {
    const compiled = createVaultHostPolicy({ extraHosts: options.allowedVaultHosts });
    if (!compiled.ok) return err({ part: "host", message: compiled.error });
    policy = compiled.value;
  }
  return parseAzureKeyVaultIdentifier(value, policy);
}

export { formatAwsSecretsManagerIdentifier, AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT, AWS_SECRETS_MANAGER_IDENTIFIER_EXAMPLE, type AwsSecretReference } from "./secret-managers/aws-secrets-manager/identifier.js";

export {
  formatAzureKeyVaultIdentifier as formatSecretIdentifier,
  AZURE_KEY_VAULT_IDENTIFIER_FORMAT,
  AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE,
  type AzureKeyVaultSecretIdentifier,
  type IdentifierError,
  type IdentifierPart,
} from "./secret-managers/azure-key-vault/identifier.js";
export { createVaultHostPolicy, DEFAULT_VAULT_HOST_POLICY, AZURE_KEY_VAULT_DNS_SUFFIXES, type VaultHostPolicy, type VaultHostPolicyInput } from "./secret-managers/azure-key-vault/vault-host-policy.js";
export type { Result } from "./domain/result.js";
export { newId, isId, ID_PREFIXES, type IdKind } from "./domain/ids.js";
export { parseConnectorConfig, parseConnectorConfigDocument, CONFIG_LIMITS, type ConnectorConfig, type ConnectorConfigDocument, type ConfigInputError } from "./domain/connector-config.js";
export {
  secretBinding,
  secretManagerEnabled,
  MASKED_VALUE,
  SECRET_MANAGER_FIELDS,
  type ValidationReport,
  type ValidationEntry,
  type ValidationWarning,
  type SecretBinding,
  type ManagedSecret,
} from "./domain/connector-validation.js";
export { SECRET_MANAGER_KINDS, supportedSecretManagers, type SecretManagerKind } from "./domain/secret-managers.js";
export { DEFAULT_REGION_POLICY, parseRegionPolicy, secretManagerRegionRestriction, type ClusterPlacement, type RegionPolicy, type RegionRule } from "./domain/region-policy.js";
export type { PluginDefinition, ConfigDefinition, PluginLookup } from "./domain/plugin-definition.js";
export { catalog, createCatalog, type Catalog, type CatalogPlugin } from "./catalog/index.js";

/** The validation context of the public API: the grammars (`identifierGrammars(...)`), or, as before, just the Azure vault hosts. */
export interface PublicValidationContext extends Omit<DomainValidationContext, "grammars"> {
  readonly grammars?: SecretManagerGrammars;
  /** The older form: Azure Key Vault hosts beyond the public clouds'. */
  readonly secretIdentifiers?: { readonly vaultHosts?: VaultHostPolicy };
}
export type ValidationContext = PublicValidationContext;

function domainContext(context: PublicValidationContext): DomainValidationContext {
  const vaultHosts = context.secretIdentifiers?.vaultHosts;
  return { ...context, grammars: context.grammars ?? identifierGrammars(vaultHosts === undefined ? {} : { vaultHosts }) };
}

export function validateConnectorConfig(config: ConnectorConfig, context: PublicValidationContext): ValidationReport {
  return validateDomainConfig(config, domainContext(context));
}

export function validateConnectorConfigInput(input: unknown, context: PublicValidationContext): ValidationReport {
  return validateDomainConfigInput(input, domainContext(context));
}

export { identifierGrammars, type GrammarSettings } from "./secret-managers/grammars.js";
export type { IdentifierGrammar, SecretManagerGrammars, SecretReference } from "./domain/secret-managers.js";
