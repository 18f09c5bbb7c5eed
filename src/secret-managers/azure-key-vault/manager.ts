/**
 * The Azure Key Vault secret manager: fetches the secrets a connector config
 * names, one GET per distinct secret, and probes an integration's permissions.
 */
import { setMaxListeners } from "node:events";
import type { AzureKeyVaultSecretIdentifier } from "./identifier.js";
import { formatAzureKeyVaultIdentifier } from "./identifier.js";
import { KeyedConcurrencyLimiter } from "../concurrency.js";
import { withRetry, type RetryPolicy } from "../retry.js";
import { SecretCache } from "../secret-cache.js";
import type { IntegrationValidation, PermissionProbe, SecretError, SecretRequest, SecretResult } from "../secret-manager.js";
import { SecretValue } from "../secret-value.js";
import { CredentialFactory, type IntegrationCredentials } from "./credentials.js";
import { diagnoseAuthority, isEndpointResolutionFailure } from "./authority-diagnosis.js";
import { classifyAzureError, describeFailure, explain, GET_SECRET_ACTION, READ_METADATA_ACTION, SECRETS_USER_ROLE, type Classified, type ErrorContext } from "./errors.js";
import { readJsonKey } from "../json-secret.js";
import { SdkKeyVaultPort, type FetchedSecret, type KeyVaultPort, type VaultAccess } from "./key-vault-port.js";
import { authorityHostOf, cloudOfVaultHost, SETTINGS_DEFAULTS, type AzureIntegration, type AzureKeyVaultSettings } from "./settings.js";

export type AzureSecretRequest = SecretRequest<AzureKeyVaultSecretIdentifier>;

export interface AzureKeyVaultSecretManager {
  readonly kind: "AZURE_KEY_VAULT";
  /** Results in the order of `requests`; each field succeeds or fails on its own. */
  /** `live`: read each secret from the vault now, not from the cache (dry runs before a create or update). */
  fetch(integration: AzureIntegration, requests: readonly AzureSecretRequest[], options?: { live?: boolean }): Promise<SecretResult[]>;
  validateIntegration(integration: AzureIntegration, options?: { vaultUri?: string; identifier?: AzureKeyVaultSecretIdentifier }): Promise<IntegrationValidation>;
  /** Drops cached values: of one integration, or all. */
  invalidate(integrationId?: string): void;
}

export interface ManagerDependencies {
  readonly port?: KeyVaultPort;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly randomSecretName?: () => string;
  /** Told about every Key Vault call, for metrics (never with values). */
  readonly onRequest?: (event: { vaultUri: string; operation: "get" | "list"; outcome: string; attempt: number }) => void;
}

export function createAzureKeyVaultSecretManager(settings: AzureKeyVaultSettings, dependencies: ManagerDependencies = {}): AzureKeyVaultSecretManager {
  const port = dependencies.port ?? new SdkKeyVaultPort({ ...(settings.caCertificatesPem ? { caCertificatesPem: settings.caCertificatesPem } : {}), emulatorHosts: settings.emulatorHosts ?? [] });
  const now = dependencies.now ?? Date.now;
  const credentials = new CredentialFactory(settings);
  const limiter = new KeyedConcurrencyLimiter(settings.concurrencyPerVault ?? SETTINGS_DEFAULTS.concurrencyPerVault);
  const deadlineMs = settings.fetchDeadlineMs ?? SETTINGS_DEFAULTS.fetchDeadlineMs;
  const retryPolicy: RetryPolicy = settings.retry ?? SETTINGS_DEFAULTS.retry;
  const cache = new SecretCache<FetchedSecret>({ ttlMs: settings.cacheTtlMs ?? SETTINGS_DEFAULTS.cacheTtlMs, maxEntries: settings.cacheMaxEntries ?? SETTINGS_DEFAULTS.cacheMaxEntries, now });
  const authorityHost = authorityHostOf(settings);
  const randomName = dependencies.randomSecretName ?? (() => `vaultwire-probe-${globalThis.crypto.randomUUID()}`);

  /**
   * One call to Key Vault with vaultwire's retry policy, within `signal`. The
   * per-vault cap applies to each attempt, not to the waits between them.
   */
  function call<T>(access: VaultAccess, operation: "get" | "list", signal: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry((attempt) => limiter.run(access.vaultUri, async () => {
      try {
        const result = await run(signal);
        dependencies.onRequest?.({ vaultUri: access.vaultUri, operation, outcome: "ok", attempt });
        return result;
      } catch (error) {
        dependencies.onRequest?.({ vaultUri: access.vaultUri, operation, outcome: classifyAzureError(error).code, attempt });
        throw error;
      }
    }), {
      policy: retryPolicy,
      signal,
      ...(dependencies.random ? { random: dependencies.random } : {}),
      classify: (error) => {
        const c = classifyAzureError(error);
        return c.transient && c.code !== "TIMEOUT" ? { retry: true, ...(c.retryAfterMs === undefined ? {} : { afterMs: c.retryAfterMs }) } : { retry: false };
      },
    });
  }

  function accessFor(creds: IntegrationCredentials, vaultUri: string): VaultAccess {
    return { vaultUri, credential: creds.credential, credentialKey: creds.cacheKey };
  }

  function contextFor(request: AzureSecretRequest, integration: AzureIntegration, creds: IntegrationCredentials): ErrorContext {
    const id = request.identifier;
    return {
      key: request.key,
      identifier: formatAzureKeyVaultIdentifier(id),
      vaultUri: id.vaultUri,
      secretName: id.secretName,
      jsonKey: id.jsonKey,
      integrationId: integration.id,
      tenantId: integration.customerTenantId,
      owner: creds.owner,
      deadlineMs,
      authorityHost,
    };
  }

  function fieldError(context: ErrorContext, code: SecretError["code"], problem: string): SecretError {
    return { code, transient: false, message: `${context.key} (${context.identifier}): secret "${context.secretName}" in vault ${context.vaultUri} ${problem}.` };
  }

  /** Applies dates, then the JSON key, to a fetched secret for one field. */
  function resultFor(request: AzureSecretRequest, context: ErrorContext, secret: FetchedSecret): SecretResult {
    const at = now();
    if (secret.notBefore && secret.notBefore.getTime() > at) {
      return { key: request.key, ok: false, error: fieldError(context, "SECRET_NOT_YET_VALID", `is not valid before ${secret.notBefore.toISOString()} (its activation date); wait, or change the date in Key Vault`) };
    }
    if (secret.expiresOn && secret.expiresOn.getTime() <= at) {
      return { key: request.key, ok: false, error: { ...fieldError(context, "SECRET_EXPIRED", `expired at ${secret.expiresOn.toISOString()}; store a new version or extend its expiration date in Key Vault`), expiresAt: secret.expiresOn.toISOString() } };
    }
    // Key Vault's `exp` attribute, for the expiry warning (the poll's GET, or a cached one, carries it).
    const expiry = secret.expiresOn ? { expiresAt: secret.expiresOn.toISOString() } : {};
    const jsonKey = request.identifier.jsonKey;
    if (jsonKey === null) return { key: request.key, ok: true, value: secret.value, version: secret.version, ...expiry };
    const extracted = readJsonKey(secret.value.reveal(), jsonKey);
    if (!extracted.ok) {
      const hint = extracted.code === "JSON_NOT_OBJECT" ? `, so its key ${JSON.stringify(jsonKey)} cannot be read; store a JSON object or drop "::${jsonKey}" to use the whole value` : "";
      return { key: request.key, ok: false, error: fieldError(context, extracted.code, `cannot be used: ${extracted.problem}${hint}`) };
    }
    return { key: request.key, ok: true, value: new SecretValue(extracted.value), version: secret.version, ...expiry };
  }

  async function fetch(integration: AzureIntegration, requests: readonly AzureSecretRequest[], options: { live?: boolean } = {}): Promise<SecretResult[]> {
    const creds = credentials.for(integration);
    const signal = AbortSignal.timeout(deadlineMs);
    // Every request and retry wait of this fetch listens on the one deadline.
    setMaxListeners(0, signal);
    // One load per distinct secret; every field that names it waits for the same promise.
    const loads = new Map<string, Promise<FetchedSecret>>();
    for (const request of requests) {
      const id = request.identifier;
      if (loads.has(id.secretKey)) continue;
      const cacheKey = `${creds.cacheKey}|${id.secretKey}`;
      const load = cache.get(cacheKey, () => call(accessFor(creds, id.vaultUri), "get", signal, (s) => port.getSecret(accessFor(creds, id.vaultUri), id.secretName, s)), { fresh: options.live === true });
      load.catch(() => undefined);
      loads.set(id.secretKey, load);
    }
    let diagnosis: Promise<Classified> | undefined;
    return Promise.all(requests.map(async (request): Promise<SecretResult> => {
      const context = contextFor(request, integration, creds);
      try {
        const secret = await (loads.get(request.identifier.secretKey) ?? Promise.reject(new Error("no load")));
        return resultFor(request, context, secret);
      } catch (error) {
        let classified = classifyAzureError(error);
        if (isEndpointResolutionFailure(error)) {
          diagnosis ??= diagnoseAuthority(authorityHost, integration.customerTenantId, settings.caCertificatesPem);
          classified = await diagnosis;
        }
        return { key: request.key, ok: false, error: describeFailure(classified, context) };
      }
    }));
  }

  async function validateIntegration(integration: AzureIntegration, options: { vaultUri?: string; identifier?: AzureKeyVaultSecretIdentifier } = {}): Promise<IntegrationValidation> {
    const creds = credentials.for(integration);
    const vaultUri = options.identifier?.vaultUri ?? options.vaultUri;
    const cloud = cloudOfVaultHost(vaultUri === undefined ? "" : new URL(vaultUri).hostname, settings.cloud);
    const probeContext = (secretName: string): ErrorContext => ({
      key: "validation",
      identifier: vaultUri === undefined ? "" : `${vaultUri}::${secretName}`,
      vaultUri: vaultUri ?? "",
      secretName,
      jsonKey: null,
      integrationId: integration.id,
      tenantId: integration.customerTenantId,
      owner: creds.owner,
      deadlineMs,
      authorityHost,
    });
    const signal = AbortSignal.timeout(deadlineMs);
    try {
      await creds.credential.getToken(`${cloud.vaultResource}/.default`, { abortSignal: signal, tenantId: integration.customerTenantId });
    } catch (error) {
      const classified = isEndpointResolutionFailure(error)
        ? await diagnoseAuthority(authorityHost, integration.customerTenantId, settings.caCertificatesPem)
        : classifyAzureError(error);
      return { ready: false, token: { ok: false, code: classified.code, message: explain(classified, probeContext("")) }, permissions: [] };
    }
    const token = { ok: true, message: `acquired an access token for ${cloud.vaultResource} in tenant ${integration.customerTenantId} as ${creds.owner.kind === "platform" ? "vaultwire's application" : "the integration's service principal"} (app id ${creds.owner.clientId})` };
    if (vaultUri === undefined) return { ready: true, token, permissions: [] };

    const access = accessFor(creds, vaultUri);
    const probe = async (permission: "readMetadata" | "getSecret", run: () => Promise<unknown>, secretName: string): Promise<PermissionProbe> => {
      const action = permission === "readMetadata" ? READ_METADATA_ACTION : GET_SECRET_ACTION;
      try {
        await run();
        return { permission, action, status: "granted", reason: permission === "readMetadata" ? `listed the secrets of ${vaultUri}` : `read secret "${secretName}"` };
      } catch (error) {
        const c: Classified = classifyAzureError(error);
        if (permission === "getSecret" && c.code === "SECRET_NOT_FOUND") {
          return { permission, action, status: "granted", reason: options.identifier ? `secret "${secretName}" does not exist, but reading it was allowed` : `reading a secret that does not exist was allowed (HTTP 404), so reading existing secrets is allowed too` };
        }
        if (c.code === "SECRET_DISABLED") return { permission, action, status: "granted", reason: `secret "${secretName}" is disabled, but reading it was allowed` };
        if (c.code === "PERMISSION_DENIED_RBAC" || c.code === "PERMISSION_DENIED_ACCESS_POLICY") {
          return { permission, action, status: "denied", reason: explain({ ...c, deniedAction: c.deniedAction ?? action }, probeContext(secretName)) };
        }
        return { permission, action, status: "unknown", reason: explain(c, probeContext(secretName)) };
      }
    };
    const probeName = options.identifier?.secretName ?? randomName();
    const permissions = [
      await probe("readMetadata", () => call(access, "list", signal, (s) => port.listOneSecret(access, s)), probeName),
      // The value read for an identifier is dropped at once; a random name reads nothing.
      await probe("getSecret", () => call(access, "get", signal, (s) => port.getSecret(access, probeName, s)), probeName),
    ];
    const ready = permissions.every((p) => p.status === "granted");
    return { ready, token, permissions };
  }

  return {
    kind: "AZURE_KEY_VAULT",
    fetch,
    validateIntegration,
    invalidate: (integrationId) => {
      if (integrationId === undefined) cache.clear();
      else {
        cache.deleteWhere((key) => key.startsWith(`${integrationId}|`));
        credentials.forget(integrationId);
      }
    },
  };
}

export { SECRETS_USER_ROLE };
