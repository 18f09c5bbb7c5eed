/**
 * Azure Key Vault behind the provider-neutral port: the integration's
 * AzureIntegrationConfig becomes the tenant the vaults live in.
 */
import type { IdentifierGrammar } from "../../domain/secret-managers.js";
import type { IntegrationAccess, SecretManager } from "../secret-manager.js";
import type { AzureKeyVaultSecretIdentifier } from "./identifier.js";
import type { AzureKeyVaultSecretManager } from "./manager.js";
import type { AzureIntegration } from "./settings.js";

function azureIntegration(integration: IntegrationAccess): AzureIntegration {
  return {
    id: integration.id,
    customerTenantId: integration.config.kind === "AzureIntegrationConfig" ? integration.config.customerAzureTenantId : "",
    ...(integration.credential ? { credential: integration.credential } : {}),
  };
}

const NOT_AZURE = (id: string) => `provider integration "${id}" is not an Azure integration; Azure Key Vault secrets need an AZURE integration (customer_azure_tenant_id)`;

export function azureKeyVaultSecretManager(azure: AzureKeyVaultSecretManager, grammar: IdentifierGrammar<AzureKeyVaultSecretIdentifier>): SecretManager<AzureKeyVaultSecretIdentifier> {
  return {
    kind: "AZURE_KEY_VAULT",
    grammar,
    fetch(integration, requests, options) {
      if (integration.config.kind !== "AzureIntegrationConfig") {
        return Promise.resolve(requests.map((r) => ({ key: r.key, ok: false as const, error: { code: "UNEXPECTED" as const, transient: false, message: `${r.key}: ${NOT_AZURE(integration.id)}` } })));
      }
      return azure.fetch(azureIntegration(integration), requests, options?.live === true ? { live: true } : {});
    },
    validateIntegration(integration, options = {}) {
      if (integration.config.kind !== "AzureIntegrationConfig") {
        return Promise.resolve({ ready: false, token: { ok: false, code: "UNEXPECTED", message: NOT_AZURE(integration.id) }, permissions: [] });
      }
      return azure.validateIntegration(azureIntegration(integration), {
        ...(options.reference ? { identifier: options.reference } : {}),
        ...(options.location === undefined ? {} : { vaultUri: options.location }),
      });
    },
    invalidate: (integrationId) => { azure.invalidate(integrationId); },
  };
}
