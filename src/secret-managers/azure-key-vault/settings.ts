/**
 * How vaultwire reaches Azure: the cloud, the authority, and the platform
 * identity it authenticates as (the counterpart of Confluent's multi-tenant
 * app), plus per-integration service principals for least privilege.
 */
import type { RetryPolicy } from "../retry.js";
import { DEFAULT_RETRY_POLICY } from "../retry.js";

export type AzureCloudName = "public" | "china" | "usgov";

export interface AzureCloud {
  readonly name: AzureCloudName;
  readonly authorityHost: string;
  readonly vaultDnsSuffix: string;
  /** The token audience Key Vault expects (the scope is `<resource>/.default`). */
  readonly vaultResource: string;
}

export const AZURE_CLOUDS: Readonly<Record<AzureCloudName, AzureCloud>> = {
  public: { name: "public", authorityHost: "https://login.microsoftonline.com", vaultDnsSuffix: "vault.azure.net", vaultResource: "https://vault.azure.net" },
  china: { name: "china", authorityHost: "https://login.chinacloudapi.cn", vaultDnsSuffix: "vault.azure.cn", vaultResource: "https://vault.azure.cn" },
  usgov: { name: "usgov", authorityHost: "https://login.microsoftonline.us", vaultDnsSuffix: "vault.usgovcloudapi.net", vaultResource: "https://vault.usgovcloudapi.net" },
};

/** The Entra application vaultwire authenticates as, in each customer tenant that consented to it. */
export type PlatformIdentity =
  | { readonly method: "client-secret"; readonly clientId: string; readonly clientSecret: string }
  /** PEM with the certificate and its private key. */
  | { readonly method: "client-certificate"; readonly clientId: string; readonly certificatePem: string; readonly sendCertificateChain?: boolean }
  /** A federated token (e.g. Kubernetes service account token) in a file that is re-read at each token request. */
  | { readonly method: "workload-identity"; readonly clientId: string; readonly tokenFilePath: string }
  /** A managed identity whose token is exchanged as a federated credential of the multi-tenant app. */
  | { readonly method: "managed-identity"; readonly clientId: string; readonly managedIdentityClientId?: string };

/** A provider integration's own service principal, used instead of the platform identity. */
export type IntegrationCredential =
  | { readonly kind: "client-secret"; readonly clientId: string; readonly clientSecret: string }
  | { readonly kind: "client-certificate"; readonly clientId: string; readonly certificatePem: string };

/** What the secret manager needs to know about a provider integration. */
export interface AzureIntegration {
  /** `cspi-…`, quoted in messages. */
  readonly id: string;
  /** `customer_azure_tenant_id`: the tenant the vaults live in. */
  readonly customerTenantId: string;
  readonly credential?: IntegrationCredential | null;
}

export interface AzureKeyVaultSettings {
  readonly cloud: AzureCloudName;
  /** Overrides the cloud's authority host (e.g. the emulator's). */
  readonly authorityHost?: string;
  readonly platformIdentity: PlatformIdentity;
  /** Extra CA certificates (PEM) to trust for Entra ID and vaults, e.g. the emulator's CA. */
  readonly caCertificatesPem?: string;
  /**
   * Exact `host:port` vault hosts known to be emulators: the SDK's check that
   * a vault host belongs to the challenge's resource is skipped for these only.
   */
  readonly emulatorHosts?: readonly string[];
  /** Concurrent Key Vault requests per vault. */
  readonly concurrencyPerVault?: number;
  /** Overall time for one fetch, retries included. */
  readonly fetchDeadlineMs?: number;
  readonly retry?: RetryPolicy;
  /** How long a fetched secret is reused from memory; 0 disables the cache. */
  readonly cacheTtlMs?: number;
  readonly cacheMaxEntries?: number;
}

export const SETTINGS_DEFAULTS = {
  concurrencyPerVault: 8,
  fetchDeadlineMs: 30_000,
  retry: DEFAULT_RETRY_POLICY,
  cacheTtlMs: 5 * 60_000,
  cacheMaxEntries: 10_000,
} as const;

/** The cloud a vault host belongs to, by DNS suffix; emulator and other hosts use the configured cloud. */
export function cloudOfVaultHost(host: string, fallback: AzureCloudName): AzureCloud {
  for (const cloud of Object.values(AZURE_CLOUDS)) {
    if (host === cloud.vaultDnsSuffix || host.endsWith(`.${cloud.vaultDnsSuffix}`)) return cloud;
  }
  return AZURE_CLOUDS[fallback];
}

export function authorityHostOf(settings: AzureKeyVaultSettings): string {
  return (settings.authorityHost ?? AZURE_CLOUDS[settings.cloud].authorityHost).replace(/\/+$/, "");
}
