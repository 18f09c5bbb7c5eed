export { createAzureKeyVaultSecretManager, type AzureKeyVaultSecretManager, type AzureSecretRequest, type ManagerDependencies } from "./manager.js";
export { AZURE_CLOUDS, cloudOfVaultHost, type AzureCloudName, type AzureIntegration, type AzureKeyVaultSettings, type IntegrationCredential, type PlatformIdentity } from "./settings.js";
export { UNCONFIGURED_AZURE_KEY_VAULT, UNCONFIGURED_MESSAGE } from "./unconfigured.js";
export { SdkKeyVaultPort, type KeyVaultPort, type FetchedSecret, type VaultAccess } from "./key-vault-port.js";
export { classifyAzureError, GET_SECRET_ACTION, READ_METADATA_ACTION, SECRETS_USER_ROLE } from "./errors.js";
