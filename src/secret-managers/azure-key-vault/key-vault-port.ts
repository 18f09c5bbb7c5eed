/**
 * The few Key Vault calls vaultwire makes, as a narrow port. The real
 * implementation uses @azure/keyvault-secrets; unit tests may fake the port.
 * Retries are vaultwire's own (see manager.ts), so the SDK's are off.
 */
import type { PipelinePolicy, PipelineRequest } from "@azure/core-rest-pipeline";
import type { TokenCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { SecretValue } from "../secret-value.js";

export interface FetchedSecret {
  readonly value: SecretValue;
  readonly version: string;
  readonly enabled: boolean;
  readonly notBefore: Date | null;
  readonly expiresOn: Date | null;
  readonly contentType: string | null;
}

export interface VaultAccess {
  readonly vaultUri: string;
  readonly credential: TokenCredential;
  /** Identifies the credential, so clients are reused per vault and identity. */
  readonly credentialKey: string;
}

export interface KeyVaultPort {
  getSecret(access: VaultAccess, secretName: string, signal: AbortSignal): Promise<FetchedSecret>;
  /** Lists at most one secret's properties: the cheapest readMetadata probe. Reads no value. */
  listOneSecret(access: VaultAccess, signal: AbortSignal): Promise<void>;
}

export interface SdkPortOptions {
  readonly caCertificatesPem?: string;
  /** `host:port` vaults that are emulators (challenge resource verification off). */
  readonly emulatorHosts?: readonly string[];
}

export class SdkKeyVaultPort implements KeyVaultPort {
  readonly #clients = new Map<string, SecretClient>();
  readonly #emulatorHosts: ReadonlySet<string>;
  /** Parsed error bodies by request, kept until the request is garbage collected. */
  readonly #errorBodies = new WeakMap<PipelineRequest, unknown>();
  readonly #keepErrorBodies: PipelinePolicy = {
    name: "vaultwireKeepErrorBodies",
    sendRequest: async (request, next) => {
      const response = await next(request);
      if (response.status >= 400 && response.bodyAsText) {
        try {
          this.#errorBodies.set(request, JSON.parse(response.bodyAsText));
        } catch {
          // Not JSON: nothing to keep.
        }
      }
      return response;
    },
  };

  constructor(private readonly options: SdkPortOptions = {}) {
    this.#emulatorHosts = new Set((options.emulatorHosts ?? []).map((h) => h.toLowerCase()));
  }

  async getSecret(access: VaultAccess, secretName: string, signal: AbortSignal): Promise<FetchedSecret> {
    const secret = await this.#client(access).getSecret(secretName, { abortSignal: signal });
    const properties = secret.properties;
    return {
      value: new SecretValue(secret.value ?? ""),
      version: properties.version ?? "",
      enabled: properties.enabled ?? true,
      notBefore: properties.notBefore ?? null,
      expiresOn: properties.expiresOn ?? null,
      contentType: properties.contentType ?? null,
    };
  }

  async listOneSecret(access: VaultAccess, signal: AbortSignal): Promise<void> {
    const pages = this.#client(access).listPropertiesOfSecrets({ abortSignal: signal }).byPage({ maxPageSize: 1 });
    try {
      await pages.next();
    } catch (error) {
      // The SDK's pager drops the error body ("Pagination failed with unexpected
      // statusCode 403"); put back the one the pipeline kept, so the inner code
      // (ForbiddenByRbac, ForbiddenByFirewall, …) can be told apart.
      const request = (error as { request?: PipelineRequest; response?: { request?: PipelineRequest } }).response?.request
        ?? (error as { request?: PipelineRequest }).request;
      const details = request === undefined ? undefined : this.#errorBodies.get(request);
      if (details !== undefined && typeof error === "object" && error !== null && (error as { details?: unknown }).details === undefined) {
        Object.assign(error, { details });
      }
      throw error;
    }
  }

  #client(access: VaultAccess): SecretClient {
    const key = `${access.vaultUri}|${access.credentialKey}`;
    let client = this.#clients.get(key);
    if (!client) {
      const host = new URL(access.vaultUri).host.toLowerCase();
      client = new SecretClient(access.vaultUri, access.credential, {
        retryOptions: { maxRetries: 0 },
        additionalPolicies: [{ policy: this.#keepErrorBodies, position: "perRetry" }],
        disableChallengeResourceVerification: this.#emulatorHosts.has(host),
        ...(this.options.caCertificatesPem ? { tlsOptions: { ca: this.options.caCertificatesPem } } : {}),
      });
      this.#clients.set(key, client);
    }
    return client;
  }
}
