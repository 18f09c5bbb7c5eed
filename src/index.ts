/**
 * vaultwire's public API for embedders: the pure core that decides whether a
 * connector config that uses a secret manager is valid.
 */
import { parseAzureKeyVaultIdentifier, type AzureKeyVaultSecretIdentifier, type IdentifierError } from "./domain/azure-key-vault-identifier.js";
import { err, type Result } from "./domain/result.js";
import { createVaultHostPolicy, DEFAULT_VAULT_HOST_POLICY, type VaultHostPolicy } from "./domain/vault-host-policy.js";

export interface ParseSecretIdentifierOptions {
  /** A compiled policy (see `createVaultHostPolicy`); takes precedence over `allowedVaultHosts`. */
  readonly vaultHosts?: VaultHostPolicy;
  /** Exact `host` or `host:port` entries allowed besides the Azure clouds, e.g. `localhost:8443`. */
  readonly allowedVaultHosts?: readonly string[];
}

/**
 * Parses an Azure Key Vault secret identifier
 * (`<vault-uri>::<secret-name>` or `<vault-uri>::<secret-name>::<json-key>`).
 * Never throws; the error names the part that is wrong and shows the format.
 */
export function parseSecretIdentifier(value: string, options: ParseSecretIdentifierOptions = {}): Result<AzureKeyVaultSecretIdentifier, IdentifierError> {
  let policy = options.vaultHosts ?? DEFAULT_VAULT_HOST_POLICY;
  if (!options.vaultHosts && options.allowedVaultHosts) {
    const compiled = createVaultHostPolicy({ extraHosts: options.allowedVaultHosts });
    if (!compiled.ok) return err({ part: "host", message: compiled.error });
    policy = compiled.value;
  }
  return parseAzureKeyVaultIdentifier(value, policy);
}

export {
  formatAzureKeyVaultIdentifier as formatSecretIdentifier,
  AZURE_KEY_VAULT_IDENTIFIER_FORMAT,
  AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE,
  type AzureKeyVaultSecretIdentifier,
  type IdentifierError,
  type IdentifierPart,
} from "./domain/azure-key-vault-identifier.js";
export { createVaultHostPolicy, DEFAULT_VAULT_HOST_POLICY, AZURE_KEY_VAULT_DNS_SUFFIXES, type VaultHostPolicy, type VaultHostPolicyInput } from "./domain/vault-host-policy.js";
export type { Result } from "./domain/result.js";
export { newId, isId, ID_PREFIXES, type IdKind } from "./domain/ids.js";
export { parseConnectorConfig, parseConnectorConfigDocument, CONFIG_LIMITS, type ConnectorConfig, type ConnectorConfigDocument, type ConfigInputError } from "./domain/connector-config.js";
export {
  validateConnectorConfig,
  validateConnectorConfigInput,
  managedFields,
  MASKED_VALUE,
  SECRET_MANAGER_FIELDS,
  type ValidationContext,
  type ValidationReport,
  type ValidationEntry,
  type ValidationWarning,
  type ManagedField,
} from "./domain/connector-validation.js";
export { SECRET_MANAGER_KINDS, supportedSecretManagers, type SecretManagerKind } from "./domain/secret-managers.js";
export { DEFAULT_REGION_POLICY, parseRegionPolicy, secretManagerRegionRestriction, type ClusterPlacement, type RegionPolicy, type RegionRule } from "./domain/region-policy.js";
export type { PluginDefinition, ConfigDefinition, PluginLookup } from "./domain/plugin-definition.js";
export { catalog, createCatalog, type Catalog, type CatalogPlugin } from "./catalog/index.js";
