/**
 * Token credentials from @azure/identity for a provider integration: its own
 * service principal when it has one, otherwise the platform identity in the
 * integration's customer tenant. Credentials are reused so MSAL's token cache
 * works across fetches.
 */
import { readFile } from "node:fs/promises";
import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  type TokenCredential,
} from "@azure/identity";
import { AZURE_CLOUDS, authorityHostOf, type AzureIntegration, type AzureKeyVaultSettings } from "./settings.js";

/** Whose credential signs in, for error messages. */
export interface CredentialOwner {
  readonly kind: "platform" | "integration";
  readonly clientId: string;
  readonly method: string;
}

export interface IntegrationCredentials {
  readonly credential: TokenCredential;
  readonly owner: CredentialOwner;
  /** Distinguishes cache entries: same integration + same identity. */
  readonly cacheKey: string;
}

const FEDERATED_TOKEN_SCOPE = "api://AzureADTokenExchange/.default";

export class CredentialFactory {
  readonly #cache = new Map<string, IntegrationCredentials>();

  constructor(private readonly settings: AzureKeyVaultSettings) {}

  for(integration: AzureIntegration): IntegrationCredentials {
    const owner = ownerOf(this.settings, integration);
    const cacheKey = `${integration.id}|${integration.customerTenantId}|${owner.kind}|${owner.clientId}`;
    let entry = this.#cache.get(cacheKey);
    if (!entry) {
      entry = { credential: this.#create(integration), owner, cacheKey };
      this.#cache.set(cacheKey, entry);
    }
    return entry;
  }

  /** Forgets an integration's credentials (after its settings change). */
  forget(integrationId: string): void {
    for (const key of [...this.#cache.keys()]) if (key.startsWith(`${integrationId}|`)) this.#cache.delete(key);
  }

  #create(integration: AzureIntegration): TokenCredential {
    const tenantId = integration.customerTenantId;
    const authorityHost = authorityHostOf(this.settings);
    const options = {
      authorityHost,
      // Instance discovery asks the public cloud about the authority: only meaningful there.
      disableInstanceDiscovery: authorityHost !== AZURE_CLOUDS.public.authorityHost,
      ...(this.settings.caCertificatesPem ? { tlsOptions: { ca: this.settings.caCertificatesPem } } : {}),
    };
    const own = integration.credential;
    if (own) {
      return own.kind === "client-secret"
        ? new ClientSecretCredential(tenantId, own.clientId, own.clientSecret, options)
        : new ClientCertificateCredential(tenantId, own.clientId, { certificate: own.certificatePem }, options);
    }
    const platform = this.settings.platformIdentity;
    switch (platform.method) {
      case "client-secret":
        return new ClientSecretCredential(tenantId, platform.clientId, platform.clientSecret, options);
      case "client-certificate":
        return new ClientCertificateCredential(tenantId, platform.clientId, { certificate: platform.certificatePem }, { ...options, sendCertificateChain: platform.sendCertificateChain ?? false });
      case "workload-identity":
        return new ClientAssertionCredential(tenantId, platform.clientId, async () => (await readFile(platform.tokenFilePath, "utf8")).trim(), options);
      case "managed-identity": {
        const managedIdentity = new ManagedIdentityCredential(platform.managedIdentityClientId === undefined ? {} : { clientId: platform.managedIdentityClientId });
        return new ClientAssertionCredential(tenantId, platform.clientId, async () => {
          const token = await managedIdentity.getToken(FEDERATED_TOKEN_SCOPE);
          return token.token;
        }, options);
      }
    }
  }
}

export function ownerOf(settings: AzureKeyVaultSettings, integration: AzureIntegration): CredentialOwner {
  const own = integration.credential;
  if (own) return { kind: "integration", clientId: own.clientId, method: own.kind };
  return { kind: "platform", clientId: settings.platformIdentity.clientId, method: settings.platformIdentity.method };
}
