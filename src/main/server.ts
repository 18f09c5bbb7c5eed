/**
 * The composition root of `vaultwire server`: reads nothing itself (settings
 * come in), opens the store, checks the master key, wires the services and
 * the HTTP app, and returns a handle that drains and closes everything in order.
 */
import { readFile } from "node:fs/promises";
import type { FastifyInstance } from "fastify";
import pino, { type DestinationStream, type Logger } from "pino";
import { createConnectHostPolicy } from "../domain/connect-host-policy.js";
import { parseRegionPolicy, type RegionPolicy } from "../domain/region-policy.js";
import { allowedVaultHosts, createVaultHostPolicy } from "../secret-managers/azure-key-vault/vault-host-policy.js";
import { createHttpApp } from "../http/app.js";
import { auditTrailMetrics, createMetricsRegistry, secretEventMetrics, secretExpiryMetrics, workerDeliveryMetrics } from "../http/metrics.js";
import { createAuditService, createAuditTrail } from "../services/audit-trail.js";
import { createRequestRates } from "../services/request-rates.js";
import { createAzureKeyVaultSecretManager, UNCONFIGURED_AZURE_KEY_VAULT, type AzureKeyVaultSecretManager } from "../secret-managers/azure-key-vault/index.js";
import { createApiKeyService, type CreatedApiKey } from "../services/api-keys.js";
import { createClusterService } from "../services/clusters.js";
import { createConnectorService } from "../services/connectors.js";
import { createConnectorOffsetsService } from "../services/connector-offsets.js";
import { defaultServiceContext } from "../services/context.js";
import { createEnvironmentService } from "../services/environments.js";
import { createOrganizationService } from "../services/organization.js";
import { createRoleBindingService, createServiceAccountService } from "../services/identity.js";
import { createIntegrationService } from "../services/integrations.js";
import type { ConnectorRuntime } from "../services/runtime.js";
import { createSecretDelivery } from "../services/secret-delivery.js";
import { createConnectorBindings } from "../services/connector-secrets.js";
import { azureKeyVaultGrammar } from "../secret-managers/azure-key-vault/identifier.js";
import { azureKeyVaultSecretManager } from "../secret-managers/azure-key-vault/secret-manager.js";
import { createSecretManagerRegistry } from "../secret-managers/registry.js";
import { allowedSecretsManagerHosts, createAwsSecretsManager, createEndpointPolicy, UNCONFIGURED_AWS_SECRETS_MANAGER } from "../secret-managers/aws-secrets-manager/index.js";
import { createWorkerCredentialService } from "../services/worker-credentials.js";
import { createSecretEventService, type ExpiryNotice } from "../services/secret-events.js";
import { createWorkerDelivery } from "../services/worker-delivery.js";
import { FailedAttemptLimiter } from "../http/auth.js";
import { createLeaseKeeper, defaultReplicaId } from "../runtime/kafka-connect/leases.js";
import { createReconciler, type Reconciler } from "../runtime/kafka-connect/reconciler.js";
import { loadMasterKey, SecretBox, verifyMasterKey } from "../services/secret-box.js";
import { openStore } from "../store/index.js";
import type { Store } from "../store/store.js";
import { ServerLifecycle } from "./lifecycle.js";
import type { ServerSettings } from "./settings.js";

/** Paths pino removes from every log line: credentials and anything that may hold a config value. */
export const LOG_REDACTIONS = [
  "req.headers.authorization",
  "headers.authorization",
  "*.password",
  "*.secret",
  "*.clientSecret",
  "*.client_secret",
  "*.secretAccessKey",
  "*.sessionToken",
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
  /** Key Vault SecretNearExpiry / SecretExpired events for secrets connectors use (default: a log line). */
  readonly onSecretExpiry?: (notice: ExpiryNotice) => void;
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly url: string;
  readonly logger: Logger;
  /** The admin key created on first start (null when the store already had keys). */
  readonly bootstrapKey: CreatedApiKey | null;
  readonly masterKeySource: string;
  /** The audit trail's writer: flush() writes what is queued now (tests; it flushes every 250 ms anyway). */
  readonly auditTrail: { flush(): Promise<void> };
  /** True once drain() or close() began: /health/ready answers 503 "draining". */
  readonly draining: boolean;
  /**
   * Takes the replica out of its load balancers' rotation: /health/ready
   * answers 503 "draining" at once while every request is still served, and
   * the promise resolves after settings.drainMs. Called again during the
   * wait (a second signal), it ends the wait at once.
   */
  drain(): Promise<void>;
  /** Stops background work (releasing its leases), then the HTTP server (in-flight requests finish), then the store. */
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
    // Secret-manager requests per minute per vault or region, for the console's chart (this replica's).
    const requestRates = createRequestRates();
    const registry = createMetricsRegistry();
    const audit = createAuditTrail({
      store,
      retentionDays: settings.auditRetentionDays,
      warn: (details, message) => { logger.warn(details, message); },
      onWrite: auditTrailMetrics(registry),
    });
    const caCertificatesPem = settings.azure.caFile === undefined ? undefined : await readFile(settings.azure.caFile, "utf8");
    const identity = settings.azure.platformIdentity;
    const azure: AzureKeyVaultSecretManager = identity === undefined ? UNCONFIGURED_AZURE_KEY_VAULT : createAzureKeyVaultSecretManager({
      cloud: settings.azure.cloud,
      ...(settings.azure.authorityHost === undefined ? {} : { authorityHost: settings.azure.authorityHost }),
      platformIdentity: identity,
      ...(caCertificatesPem === undefined ? {} : { caCertificatesPem }),
      emulatorHosts: settings.azure.emulatorHosts,
    }, { onRequest: (event) => {
      requestRates.count("AZURE_KEY_VAULT", event.vaultUri, event.outcome);
      logger.debug({ vault: event.vaultUri, operation: event.operation, outcome: event.outcome, attempt: event.attempt }, "key vault request");
    } });

    // The same overrides the manager checks (createAwsSecretsManager refuses bad ones); here for GET /pim/v2/secret-managers.
    const awsEndpoints = createEndpointPolicy(settings.aws.secretsManagerEndpoint === undefined ? {} : { secretsManager: settings.aws.secretsManagerEndpoint });
    if (!awsEndpoints.ok) throw new Error(`VAULTWIRE_AWS_SECRETS_MANAGER_ENDPOINT: ${awsEndpoints.error}`);
    const aws = settings.aws.platformIdentity === undefined ? UNCONFIGURED_AWS_SECRETS_MANAGER : createAwsSecretsManager({
      platformIdentity: settings.aws.platformIdentity,
      partition: settings.aws.partition,
      region: settings.aws.region,
      endpointOverrides: {
        ...(settings.aws.secretsManagerEndpoint === undefined ? {} : { secretsManager: settings.aws.secretsManagerEndpoint }),
        ...(settings.aws.stsEndpoint === undefined ? {} : { sts: settings.aws.stsEndpoint }),
      },
    }, { onRequest: (event) => {
      requestRates.count("AWS_SECRETS_MANAGER", event.region, event.outcome);
      logger.debug({ region: event.region, operation: event.operation, outcome: event.outcome, attempt: event.attempt }, "aws request");
    } });
    const managers = createSecretManagerRegistry([
      azureKeyVaultSecretManager(azure, azureKeyVaultGrammar(hosts.value)),
      aws,
    ]);
    const bindings = createConnectorBindings(managers.grammars);

    const context = defaultServiceContext(store);
    const organizationId = await store.meta.setIfAbsent("organization_id", crypto.randomUUID());
    const environments = createEnvironmentService(context);
    const clusters = createClusterService({ ...context, connectHosts: connectHosts.value, ...(settings.connectPools === undefined ? {} : { pools: settings.connectPools }) });
    const integrations = createIntegrationService({ ...context, box, managers });
    const delivery = createSecretDelivery({ store, box, integrations, managers, bindings });
    const reconciler: Reconciler | null = overrides.runtime ? null : createReconciler({
      store,
      // SQLite is one replica: a restarted process takes its own lease back at once.
      leases: createLeaseKeeper({ store, holder: settings.replicaId ?? (store.dialect === "sqlite" ? "local" : defaultReplicaId()), ttlMs: settings.leaseTtlMs, logger: logger.child({ component: "leases" }) }),
      delivery,
      bindings,
      grammars: managers.grammars,
      connectHosts: connectHosts.value,
      logger: logger.child({ component: "reconciler" }),
      audit,
      invalidateSecrets: () => { managers.invalidate(); },
      reconcileIntervalMs: settings.reconcileIntervalMs,
      refreshIntervalMs: settings.secretRefreshIntervalMs,
      expiryWarningMs: settings.secretExpiryWarningDays * 86_400_000,
    });
    const connectors = createConnectorService({
      ...context,
      box,
      clusters,
      integrations,
      managers,
      runtime: overrides.runtime ?? reconciler ?? (() => { throw new Error("no runtime"); })(),
      ...(regionPolicy === undefined ? {} : { regionPolicy }),
    });
    const connectorOffsets = createConnectorOffsetsService({
      store,
      connectors,
      clusters,
      connectHosts: connectHosts.value,
      now: context.now,
      onFailure: (connector, message) => { logger.warn({ connector: connector.id, err: message }, "connector offsets request failed"); },
    });
    const sealed = await connectors.sealStoredPlaintext();
    if (sealed > 0) logger.warn({ connectors: sealed }, "encrypted secret values an older vaultwire had stored in plaintext");
    const apiKeys = createApiKeyService({ ...context, organizationId });
    const serviceAccounts = createServiceAccountService({ ...context, organizationId });
    const roleBindings = createRoleBindingService({ ...context, organizationId });
    const workerCredentials = createWorkerCredentialService({ ...context, clusters });
    const auditLog = logger.child({ log: "audit" });
    if (reconciler) secretExpiryMetrics(registry, () => reconciler.secretExpiries());
    const workerDelivery = createWorkerDelivery({
      store,
      credentials: workerCredentials,
      delivery,
      limiter: new FailedAttemptLimiter(),
      audit: (event) => { auditLog.info(event, "worker secret access"); },
      trail: audit,
      onOutcome: workerDeliveryMetrics(registry),
    });
    const eventLog = logger.child({ component: "secret-events" });
    const links = { publicUrl: settings.publicUrl, organizationId };
    const secretEvents = createSecretEventService({
      ...context,
      integrations,
      bindings,
      grammar: azureKeyVaultGrammar(hosts.value),
      publicUrl: () => links.publicUrl,
      wake: () => { void reconciler?.drainRequests().catch(() => undefined); },
      onOutcome: secretEventMetrics(registry),
      onExpiry: overrides.onSecretExpiry ?? ((notice) => { eventLog.warn({ kind: notice.kind, secret: notice.ref, version: notice.version, expires: notice.expires, connectors: notice.connectorIds }, "a secret connectors use is expiring or expired"); }),
      log: (fields, message) => { eventLog.info(fields, message); },
    });
    const bootstrapKey = await apiKeys.bootstrap({ key: settings.bootstrapApiKey, secret: settings.bootstrapApiSecret });

    const lifecycle = new ServerLifecycle(settings.drainMs, logger);
    const app = await createHttpApp({
      services: { environments, organization: createOrganizationService({ ...context, organizationId }), clusters, integrations, connectors, connectorOffsets, apiKeys, serviceAccounts, roleBindings, workerCredentials, secretEvents, audit: createAuditService({ store }) },
      store,
      logger,
      links,
      platformAppId: identity?.clientId ?? "",
      ...(settings.aws.platformRoleArn === undefined ? {} : { awsPlatformRoleArn: settings.aws.platformRoleArn }),
      registry,
      requestRates,
      vaultHosts: hosts.value,
      secretManagerHosts: {
        AZURE_KEY_VAULT: allowedVaultHosts(hosts.value),
        AWS_SECRETS_MANAGER: allowedSecretsManagerHosts(awsEndpoints.value),
      },
      internal: { workerDelivery },
      trustedProxies: settings.trustedProxies,
      lifecycle,
      ...(overrides.failedAttempts ? { failedAttempts: overrides.failedAttempts } : {}),
    });
    await app.listen({ host: settings.host, port: settings.port });
    const address = app.server.address();
    const port = typeof address === "object" && address !== null ? address.port : settings.port;
    const url = `http://${settings.host.includes(":") ? `[${settings.host}]` : settings.host === "0.0.0.0" ? "127.0.0.1" : settings.host}:${port}`;
    // With port 0 the default public URL names the port actually bound.
    if (/:0$/.test(settings.publicUrl)) links.publicUrl = url;
    reconciler?.start();
    audit.start();
    lifecycle.started = true;
    logger.info({ url, store: store.dialect, masterKey: masterKeySource, azureIdentity: identity?.method ?? "none", awsIdentity: settings.aws.platformIdentity?.method ?? "none" }, "vaultwire server listening");
    let closing: Promise<void> | undefined;
    return {
      app,
      store,
      url,
      logger,
      bootstrapKey,
      masterKeySource,
      auditTrail: audit,
      get draining() { return lifecycle.draining; },
      drain: () => lifecycle.drain(),
      close() {
        closing ??= (async () => {
          lifecycle.stopWaiting();
          if (reconciler) {
            logger.info("stopping background work");
            await reconciler.stop();
          }
          logger.info("closing the HTTP server; requests in flight finish");
          await app.close();
          // An offsets request under way brings its connector back before the store closes.
          await connectorOffsets.idle();
          // After the last request and the reconciler: what they recorded is written before the store closes.
          await audit.stop();
          logger.info("closing the store");
          await store.close();
          logger.info("vaultwire server stopped");
          logger.flush();
        })();
        return closing;
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
