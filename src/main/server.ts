/**
 * The composition root of `vaultwire server`: reads nothing itself (settings
 * come in), opens the store, checks the master key, wires the services and
 * the HTTP app, and returns a handle that closes everything in order.
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import pino, { type DestinationStream, type Logger } from "pino";
import { createConnectHostPolicy } from "../domain/connect-host-policy.js";
import { parseRegionPolicy, type RegionPolicy } from "../domain/region-policy.js";
import { createVaultHostPolicy } from "../domain/vault-host-policy.js";
import { createHttpApp } from "../http/app.js";
import { createAzureKeyVaultSecretManager, UNCONFIGURED_AZURE_KEY_VAULT, type AzureKeyVaultSecretManager } from "../secret-managers/azure-key-vault/index.js";
import { createApiKeyService, type CreatedApiKey } from "../services/api-keys.js";
import { createClusterService } from "../services/clusters.js";
import { createConnectorService } from "../services/connectors.js";
import { defaultServiceContext } from "../services/context.js";
import { createEnvironmentService } from "../services/environments.js";
import { createIntegrationService } from "../services/integrations.js";
import type { ConnectorRuntime } from "../services/runtime.js";
import { createSecretDelivery } from "../services/secret-delivery.js";
import { createWorkerCredentialService } from "../services/worker-credentials.js";
import { createWorkerDelivery } from "../services/worker-delivery.js";
import { FailedAttemptLimiter } from "../http/auth.js";
import { createReconciler, type Reconciler } from "../runtime/kafka-connect/reconciler.js";
import { loadMasterKey, SecretBox, verifyMasterKey } from "../services/secret-box.js";
import { openStore } from "../store/index.js";
import type { Store } from "../store/store.js";
import type { ServerSettings } from "./settings.js";

/** Paths pino removes from every log line: credentials and anything that may hold a config value. */
export const LOG_REDACTIONS = [
  "req.headers.authorization",
  "headers.authorization",
  "*.password",
  "*.secret",
  "*.clientSecret",
  "*.client_secret",
  "*.config",
  "*.body",
  "config",
  "body",
];

export interface ServerOverrides {
  /** Where logs go (tests capture them to scan for canaries); stdout by default. */
  readonly logDestination?: DestinationStream;
  readonly runtime?: ConnectorRuntime;
  /** The failed sign-in limiter (tests that must sign in wrongly many times); the default limits otherwise. */
  readonly failedAttempts?: FailedAttemptLimiter;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly url: string;
  readonly logger: Logger;
  /** The admin key created on first start (null when the store already had keys). */
  readonly bootstrapKey: CreatedApiKey | null;
  readonly masterKeySource: string;
  close(): Promise<void>;
}

export async function startServer(settings: ServerSettings, overrides: ServerOverrides = {}): Promise<RunningServer> {
  const logger = pino({ level: settings.logLevel, redact: { paths: LOG_REDACTIONS, censor: "[redacted]" }, base: { service: "vaultwire" } }, overrides.logDestination ?? pino.destination(1));
  const store = await openStore({ dataDir: settings.dataDir, ...(settings.databaseUrl === undefined ? {} : { databaseUrl: settings.databaseUrl }) });
  try {
    const masterKey = await loadMasterKey({ fromEnvironment: settings.masterKey, dataDir: settings.dataDir });
    const masterKeySource = masterKey.source === "environment" ? "VAULTWIRE_MASTER_KEY" : `${masterKey.path ?? "master.key"}${masterKey.source === "generated" ? " (generated)" : ""}`;
    const box = new SecretBox(masterKey.key);
    await verifyMasterKey(box, store.meta, masterKeySource);

    const hosts = createVaultHostPolicy({ extraHosts: settings.azure.allowedVaultHosts });
    if (!hosts.ok) throw new Error(`VAULTWIRE_ALLOWED_VAULT_HOSTS: ${hosts.error}`);
    const connectHosts = createConnectHostPolicy(settings.allowedConnectHosts);
    if (!connectHosts.ok) throw new Error(`VAULTWIRE_ALLOWED_CONNECT_HOSTS: ${connectHosts.error}`);
    let regionPolicy: RegionPolicy | undefined;
    if (settings.regionPolicyFile !== undefined) {
      const parsed = parseRegionPolicy(JSON.parse(await readFile(settings.regionPolicyFile, "utf8")) as unknown);
      if (!parsed.ok) throw new Error(`${settings.regionPolicyFile}: ${parsed.error}`);
      regionPolicy = parsed.value;
    }
    const caCertificatesPem = settings.azure.caFile === undefined ? undefined : await readFile(settings.azure.caFile, "utf8");
    const identity = settings.azure.platformIdentity;
    const azure: AzureKeyVaultSecretManager = identity === undefined ? UNCONFIGURED_AZURE_KEY_VAULT : createAzureKeyVaultSecretManager({
      cloud: settings.azure.cloud,
      ...(settings.azure.authorityHost === undefined ? {} : { authorityHost: settings.azure.authorityHost }),
      platformIdentity: identity,
      ...(caCertificatesPem === undefined ? {} : { caCertificatesPem }),
      emulatorHosts: settings.azure.emulatorHosts,
    }, { onRequest: (event) => { logger.debug({ vault: event.vaultUri, operation: event.operation, outcome: event.outcome, attempt: event.attempt }, "key vault request"); } });

    const context = defaultServiceContext(store);
    const organizationId = await store.meta.setIfAbsent("organization_id", crypto.randomUUID());
    const environments = createEnvironmentService(context);
    const clusters = createClusterService({ ...context, connectHosts: connectHosts.value });
    const integrations = createIntegrationService({ ...context, box, azure });
    const delivery = createSecretDelivery({ store, box, integrations, azure, vaultHosts: hosts.value });
    const reconciler: Reconciler | null = overrides.runtime ? null : createReconciler({
      store,
      delivery,
      vaultHosts: hosts.value,
      connectHosts: connectHosts.value,
      logger: logger.child({ component: "reconciler" }),
      invalidateSecrets: () => { azure.invalidate(); },
      reconcileIntervalMs: settings.reconcileIntervalMs,
      refreshIntervalMs: settings.secretRefreshIntervalMs,
    });
    const connectors = createConnectorService({
      ...context,
      box,
      clusters,
      integrations,
      azure,
      runtime: overrides.runtime ?? reconciler ?? (() => { throw new Error("no runtime"); })(),
      vaultHosts: hosts.value,
      ...(regionPolicy === undefined ? {} : { regionPolicy }),
    });
    const sealed = await connectors.sealStoredPlaintext();
    if (sealed > 0) logger.warn({ connectors: sealed }, "encrypted secret values an older vaultwire had stored in plaintext");
    const apiKeys = createApiKeyService(context);
    const workerCredentials = createWorkerCredentialService({ ...context, clusters });
    const auditLog = logger.child({ log: "audit" });
    const workerDelivery = createWorkerDelivery({
      store,
      credentials: workerCredentials,
      delivery,
      limiter: new FailedAttemptLimiter(),
      audit: (event) => { auditLog.info(event, "worker secret access"); },
    });
    const bootstrapKey = await apiKeys.bootstrap({ key: settings.bootstrapApiKey, secret: settings.bootstrapApiSecret });

    const links = { publicUrl: settings.publicUrl, organizationId };
    const app = await createHttpApp({
      services: { environments, clusters, integrations, connectors, apiKeys, workerCredentials },
      store,
      logger,
      links,
      platformAppId: identity?.clientId ?? "",
      vaultHosts: hosts.value,
      internal: { workerDelivery },
      trustedProxies: settings.trustedProxies,
      ...(overrides.failedAttempts ? { failedAttempts: overrides.failedAttempts } : {}),
    });
    await app.listen({ host: settings.host, port: settings.port });
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : settings.port;
    const url = `http://${settings.host.includes(":") ? `[${settings.host}]` : settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host}:${port}`;
    // With port 0 the default public URL names the port actually bound.
    if (/:0$/.test(settings.publicUrl)) links.publicUrl = url;
    reconciler?.start();
    logger.info({ url, store: store.dialect, masterKey: masterKeySource, azureIdentity: identity?.method ?? "none" }, "vaultwire server listening");
    let closed = false;
    return {
      app,
      store,
      url,
      logger,
      bootstrapKey,
      masterKeySource,
      async close() {
        if (closed) return;
        closed = true;
        await reconciler?.stop();
        await app.close();
        await store.close();
        logger.info("vaultwire server stopped");
        logger.flush();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
