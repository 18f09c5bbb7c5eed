/**
 * Resolves a connector's secrets for Kafka Connect: secret-manager fields
 * through the secret manager (its cache and single flight), plaintext values
 * from their encrypted copy. Used by the reconciler's pre-flight check and by
 * the internal endpoint the workers' ConfigProvider calls. Values stay
 * SecretValue until the one place that writes them to a worker.
 */
import { parseAzureKeyVaultIdentifier } from "../domain/azure-key-vault-identifier.js";
import { splitList } from "../domain/connector-validation.js";
import type { Connector } from "../domain/resources.js";
import type { VaultHostPolicy } from "../domain/vault-host-policy.js";
import type { AzureKeyVaultSecretManager } from "../secret-managers/azure-key-vault/index.js";
import { SecretValue } from "../secret-managers/secret-value.js";
import type { Store } from "../store/store.js";
import { openSensitive } from "./connectors.js";
import type { IntegrationService } from "./integrations.js";
import type { SecretBox } from "./secret-box.js";

export interface DeliveredSecrets {
  readonly values: ReadonlyMap<string, SecretValue>;
  /** Secret-manager versions by key (for rotation); absent for plaintext values. */
  readonly versions: ReadonlyMap<string, string>;
  /** One spec-style message per key that could not be resolved (never a value). */
  readonly errors: readonly { readonly key: string; readonly message: string; readonly transient: boolean }[];
}

export interface SecretDelivery {
  /** The keys whose values come from vaultwire: managed fields and encrypted plaintext ones. */
  secretKeys(connector: Connector): { managed: string[]; plaintext: string[] };
  /** Resolves the given keys (all secret keys when omitted). */
  resolve(connector: Connector, keys?: readonly string[]): Promise<DeliveredSecrets>;
}

export interface SecretDeliveryDependencies {
  readonly store: Pick<Store, "integrations">;
  readonly box: SecretBox;
  readonly integrations: Pick<IntegrationService, "toAzureIntegration">;
  readonly azure: Pick<AzureKeyVaultSecretManager, "fetch">;
  readonly vaultHosts: VaultHostPolicy;
}

export function createSecretDelivery(deps: SecretDeliveryDependencies): SecretDelivery {
  function managedKeys(connector: Connector): string[] {
    if (connector.config["secret.manager.enabled"]?.trim().toLowerCase() !== "true") return [];
    return [...new Set(splitList(connector.config["secret.manager.managed.configs"] ?? "").filter((k) => k !== ""))];
  }

  return {
    secretKeys(connector) {
      return { managed: managedKeys(connector), plaintext: Object.keys(openSensitive(deps.box, connector)) };
    },

    async resolve(connector, keys) {
      const managed = managedKeys(connector);
      const plaintext = openSensitive(deps.box, connector);
      const wanted = keys ?? [...managed, ...Object.keys(plaintext)];
      const values = new Map<string, SecretValue>();
      const versions = new Map<string, string>();
      const errors: { key: string; message: string; transient: boolean }[] = [];
      const requests = [];
      for (const key of wanted) {
        const literal = plaintext[key];
        if (literal !== undefined) {
          values.set(key, new SecretValue(literal));
          continue;
        }
        if (!managed.includes(key)) {
          errors.push({ key, message: `${key}: connector "${connector.name}" has no secret for this configuration`, transient: false });
          continue;
        }
        const parsed = parseAzureKeyVaultIdentifier(connector.config[key] ?? "", deps.vaultHosts);
        if (!parsed.ok) {
          errors.push({ key, message: `${key}: ${parsed.error.message}`, transient: false });
          continue;
        }
        requests.push({ key, identifier: parsed.value });
      }
      if (requests.length > 0) {
        const integrationId = connector.integrationId;
        const integration = integrationId === null ? undefined : await deps.store.integrations.get(integrationId);
        // An integration serves only the connectors of its own environment.
        if (!integration || integration.config === null || integration.environmentId !== connector.environmentId) {
          for (const request of requests) errors.push({ key: request.key, message: `${request.key}: provider integration "${integrationId ?? ""}" no longer exists or has no tenant; validate the integration or choose another`, transient: false });
        } else {
          for (const result of await deps.azure.fetch(deps.integrations.toAzureIntegration(integration), requests)) {
            if (result.ok) {
              values.set(result.key, result.value);
              versions.set(result.key, result.version);
            } else {
              errors.push({ key: result.key, message: result.error.message, transient: result.error.transient });
            }
          }
        }
      }
      return { values, versions, errors };
    },
  };
}
