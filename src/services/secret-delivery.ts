/**
 * Resolves a connector's secrets for Kafka Connect: secret-manager fields
 * through the secret manager (its cache and single flight), plaintext values
 * from their encrypted copy. Used by the reconciler's pre-flight check and by
 * the internal endpoint the workers' ConfigProvider calls. Values stay
 * SecretValue until the one place that writes them to a worker.
 */
import type { Connector } from "../domain/resources.js";
import type { SecretReference } from "../domain/secret-managers.js";
import type { SecretManagerRegistry } from "../secret-managers/registry.js";
import type { IntegrationAccess, SecretManager, SecretRequest, SecretResult } from "../secret-managers/secret-manager.js";
import type { ConnectorBindings } from "./connector-secrets.js";
import { SecretValue } from "../secret-managers/secret-value.js";
import type { Store } from "../store/store.js";
import { openSensitive } from "./connectors.js";
import type { IntegrationService } from "./integrations.js";
import type { SecretBox } from "./secret-box.js";

export interface DeliveredSecrets {
  readonly values: ReadonlyMap<string, SecretValue>;
  /** Secret-manager versions by key (for rotation); absent for plaintext values. */
  readonly versions: ReadonlyMap<string, string>;
  /** Where each secret-manager key's secret is (`<vault>/secrets/<name>`, never a value), for the deployment-wide version record. */
  readonly references: ReadonlyMap<string, string>;
  /**
   * When each secret-manager key's secret expires (ISO 8601), where the
   * manager says (Key Vault's `exp`): of the keys resolved, and of the keys
   * that failed because the secret expired. Absent or missing a key: no expiry known.
   */
  readonly expiries?: ReadonlyMap<string, string>;
  /** One spec-style message per key that could not be resolved (never a value). */
  readonly errors: readonly { readonly key: string; readonly message: string; readonly transient: boolean }[];
}

export interface SecretDelivery {
  /** The keys whose values come from vaultwire: managed fields and encrypted plaintext ones. */
  secretKeys(connector: Connector): { managed: string[]; plaintext: string[] };
  /**
   * Resolves the given keys (all secret keys when omitted). `coherent` (what a
   * worker is served): a cached value whose version is not the last one any
   * replica read (the store's record) is read again from the vault, so a task
   * started after a rotation never gets the old value from another replica's
   * cache; the versions read are recorded. `live`: every secret-manager key is
   * read from the manager now, not from the cache (the new values replace the
   * cached ones).
   */
  resolve(connector: Connector, keys?: readonly string[], options?: { readonly coherent?: boolean; readonly live?: boolean }): Promise<DeliveredSecrets>;
}

export interface SecretDeliveryDependencies {
  readonly store: Pick<Store, "integrations" | "secretVersions">;
  readonly box: SecretBox;
  readonly integrations: Pick<IntegrationService, "accessOf">;
  readonly managers: Pick<SecretManagerRegistry, "get">;
  readonly bindings: ConnectorBindings;
  readonly now?: () => string;
}

export function createSecretDelivery(deps: SecretDeliveryDependencies): SecretDelivery {
  function managedKeys(connector: Connector): string[] {
    const binding = deps.bindings.of(connector);
    return binding === null ? [] : [...binding.fields.map((f) => f.key), ...binding.invalid.map((f) => f.key)];
  }

  return {
    secretKeys(connector) {
      return { managed: managedKeys(connector), plaintext: Object.keys(openSensitive(deps.box, connector)) };
    },

    async resolve(connector, keys, options = {}) {
      const binding = deps.bindings.of(connector);
      const plaintext = openSensitive(deps.box, connector);
      const wanted = keys ?? [...managedKeys(connector), ...Object.keys(plaintext)];
      const values = new Map<string, SecretValue>();
      const versions = new Map<string, string>();
      const references = new Map<string, string>();
      const expiries = new Map<string, string>();
      const errors: { key: string; message: string; transient: boolean }[] = [];
      const requests: SecretRequest<SecretReference>[] = [];
      for (const key of wanted) {
        const literal = plaintext[key];
        if (literal !== undefined) {
          values.set(key, new SecretValue(literal));
          continue;
        }
        const field = binding?.fields.find((f) => f.key === key);
        if (!field) {
          const invalid = binding?.invalid.find((f) => f.key === key);
          errors.push({ key, message: invalid?.message ?? `${key}: connector "${connector.name}" has no secret for this configuration`, transient: false });
          continue;
        }
        requests.push({ key, identifier: field.reference });
        references.set(key, field.reference.secretKey);
      }
      if (requests.length > 0 && binding) {
        const integrationId = connector.integrationId;
        const integration = integrationId === null ? undefined : await deps.store.integrations.get(integrationId);
        const manager = deps.managers.get(binding.manager);
        // An integration serves only the connectors of its own environment.
        if (!integration || integration.config === null || integration.environmentId !== connector.environmentId) {
          for (const request of requests) errors.push({ key: request.key, message: `${request.key}: provider integration "${integrationId ?? ""}" no longer exists or is not set up; validate the integration or choose another`, transient: false });
        } else if (!manager) {
          for (const request of requests) errors.push({ key: request.key, message: `${request.key}: secret manager ${binding.manager} is not configured on this vaultwire server`, transient: false });
        } else {
          const access = deps.integrations.accessOf(integration);
          let results: readonly SecretResult[] = await manager.fetch(access, requests, options.live === true ? { live: true } : undefined);
          if (options.coherent === true) results = await coherent(manager, access, requests, results);
          for (const result of results) {
            if (result.ok) {
              values.set(result.key, result.value);
              versions.set(result.key, result.version);
              if (result.expiresAt !== undefined) expiries.set(result.key, result.expiresAt);
            } else {
              errors.push({ key: result.key, message: result.error.message, transient: result.error.transient });
              if (result.error.expiresAt !== undefined) expiries.set(result.key, result.error.expiresAt);
            }
          }
        }
      }
      return { values, versions, references, expiries, errors };
    },
  };

  /**
   * Results whose version differs from the store's record are read again
   * live; then the store records what was read. One extra GET per secret and
   * replica after a rotation, none otherwise.
   */
  async function coherent(manager: SecretManager, integration: IntegrationAccess, requests: readonly SecretRequest<SecretReference>[], results: readonly SecretResult[]): Promise<readonly SecretResult[]> {
    const refOf = new Map(requests.map((r) => [r.key, r.identifier.secretKey]));
    const known = await deps.store.secretVersions.get([...refOf.values()]);
    const stale = new Set(results.filter((r) => r.ok && known.has(refOf.get(r.key) ?? "") && known.get(refOf.get(r.key) ?? "") !== r.version).map((r) => r.key));
    let final = results;
    if (stale.size > 0) {
      const again = await manager.fetch(integration, requests.filter((r) => stale.has(r.key)), { live: true });
      const byKey = new Map(again.map((r) => [r.key, r]));
      final = results.map((r) => byKey.get(r.key) ?? r);
    }
    const changed = final.flatMap((r) => (r.ok && known.get(refOf.get(r.key) ?? "") !== r.version ? [{ ref: refOf.get(r.key) ?? "", version: r.version }] : []));
    await deps.store.secretVersions.record(changed, (deps.now ?? (() => new Date().toISOString()))());
    return final;
  }
}
