/**
 * Makes Kafka Connect match the desired state in the store: on every change
 * (through the ConnectorRuntime port) and periodically, idempotently. Before
 * deploying it resolves the connector's secrets (a pre-flight that turns a
 * missing secret or permission into a FAILED status with the secret manager's
 * message); it never sends a value to Connect, only placeholders. A second,
 * slower loop re-reads each distinct secret and restarts, with their tasks,
 * the connectors whose secret versions changed.
 */
import type { Logger } from "pino";
import { formatAzureKeyVaultIdentifier, parseAzureKeyVaultIdentifier } from "../../domain/azure-key-vault-identifier.js";
import type { ConnectHostPolicy } from "../../domain/connect-host-policy.js";
import type { Connector, ConnectorStatus, KafkaCluster } from "../../domain/resources.js";
import { createSecretScrubber, NO_SECRETS, type SecretScrubber } from "../../domain/secret-scrub.js";
import type { VaultHostPolicy } from "../../domain/vault-host-policy.js";
import type { ConnectorRuntime } from "../../services/runtime.js";
import type { SecretDelivery } from "../../services/secret-delivery.js";
import type { Store } from "../../store/store.js";
import { ConnectError, createConnectClient, type ConnectClient, type ExpandedConnector } from "./client.js";
import { databaseAddress, mapStatus, type StatusContext } from "./status.js";
import { connectName, translate } from "./translate.js";

export interface ReconcilerOptions {
  readonly store: Pick<Store, "connectors" | "clusters">;
  readonly delivery: SecretDelivery;
  readonly vaultHosts: VaultHostPolicy;
  /** Which Kafka Connect hosts may be called (VAULTWIRE_ALLOWED_CONNECT_HOSTS). */
  readonly connectHosts: ConnectHostPolicy;
  readonly logger: Logger;
  /** Invalidates cached secrets before a rotation check (the secret manager's cache). */
  readonly invalidateSecrets: () => void;
  readonly reconcileIntervalMs?: number;
  readonly refreshIntervalMs?: number;
  readonly clientFor?: (cluster: KafkaCluster) => ConnectClient;
  /** First wait before a config Connect's validation refused is validated again, and the cap of its doubling. */
  readonly validationBackoffMs?: number;
  readonly validationBackoffMaxMs?: number;
  /** How long a connector may stay RESTARTING before it is restarted again (default STUCK_RESTARTING_MS). */
  readonly stuckRestartingMs?: number;
  readonly now?: () => string;
}

export interface Reconciler extends ConnectorRuntime {
  start(): void;
  stop(): Promise<void>;
  /**
   * One full pass over every connector and cluster (also what the timer runs):
   * one listing of each Connect cluster, then only the calls a connector needs.
   */
  reconcileAll(): Promise<void>;
  /** The single-connector path (what apply and follow-ups run): reads its config and status on their own. */
  reconcileOne(connectorId: string): Promise<ConnectorStatus | null>;
  /** One rotation check (also what the slower timer runs). */
  refreshSecrets(): Promise<void>;
}

const MANAGED_NAME = /^lcc-[a-z0-9]+$/;
/** What the ConfigProvider says when vaultwire could not be reached within its deadline. */
const PROVIDER_UNREACHABLE = /vaultwire: could not fetch the secrets of connector [^\n]*(connection refused or unreachable|connect timeout|no answer within the deadline|HTTP 5\d\d)/;

/** A refused config is validated again after 30 s, then 1, 2, 4… min, at most every 15 min. */
export const VALIDATION_BACKOFF_MS = 30_000;
export const VALIDATION_BACKOFF_MAX_MS = 15 * 60_000;

function waitText(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.max(1, Math.round(ms / 1_000))} s`;
}

/** How long a connector may stay RESTARTING before vaultwire restarts it again (Connect restarts take seconds). */
export const STUCK_RESTARTING_MS = 30_000;

/** How many connectors a periodic pass works on at once. */
export const PASS_CONCURRENCY = 8;

/** What one pass read from a Connect cluster (keyed by its worker URLs): every connector, or why it could not. */
type Listing = { readonly entries: ReadonlyMap<string, ExpandedConnector>; readonly asOf: number } | { readonly error: unknown };

export function createReconciler(options: ReconcilerOptions): Reconciler {
  const { store, delivery, logger } = options;
  const now = options.now ?? (() => new Date().toISOString());
  const clients = new Map<string, ConnectClient>();
  const clientFor = options.clientFor ?? ((cluster: KafkaCluster) => {
    const key = cluster.connectUrls.join(",");
    let client = clients.get(key);
    if (!client) {
      client = createConnectClient({ urls: cluster.connectUrls, hosts: options.connectHosts });
      clients.set(key, client);
    }
    return client;
  });
  /** Serialises work per connector. */
  const locks = new Map<string, Promise<unknown>>();
  /** Last seen secret versions per connector, for rotation. */
  const seenVersions = new Map<string, Map<string, string>>();
  const timers: NodeJS.Timeout[] = [];
  /**
   * Connectors to re-check with Connect's validation at their next pass (after a
   * restart or a rotation): Debezium keeps a task RUNNING while the database
   * refuses it, but validation connects and says so.
   */
  const revalidate = new Set<string>();
  /** Quick re-checks of a connector that Connect is still starting, so RUNNING shows within a second or two. */
  const followUps = new Map<string, { attempt: number; timer: NodeJS.Timeout }>();
  /** When a connector was last restarted because its tasks could not reach vaultwire. */
  const autoRestarts = new Map<string, number>();
  /** Since when Connect has shown a connector (or a task of it) RESTARTING, in this process. */
  const restartingSince = new Map<string, number>();
  /** A validation failure stays the status until the connector changes or is restarted. */
  /**
   * Validation failures, held per config generation and retried with back-off:
   * Connect's validation logs in to the database, so a config it refuses
   * (often rejected credentials) is not validated again at every pass, which
   * would be a failed login every pass and could lock the account.
   */
  const heldFailures = new Map<string, { generation: number; status: ConnectorStatus; attempts: number; nextAt: number }>();
  /**
   * Per connector, a scrubber for the values last delivered, for Connect's
   * messages that reach a log line or an error outside a reconcile pass.
   */
  const scrubbers = new Map<string, SecretScrubber>();
  /**
   * When vaultwire last changed each connector in Connect (a count, not a time):
   * a listing read before that change no longer describes it.
   */
  let changes = 0;
  const changedAt = new Map<string, number>();
  const changing = (connectorId: string) => { changedAt.set(connectorId, ++changes); };
  let stopped = false;
  let passInFlight: Promise<void> | null = null;

  function locked<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    locks.set(id, next);
    void next.finally(() => {
      if (locks.get(id) === next) locks.delete(id);
    }).catch(() => undefined);
    return next;
  }

  function statusContext(connector: Connector, secrets: ReadonlyMap<string, { reveal(): string }>): StatusContext {
    const managedFields = delivery.secretKeys(connector).managed.map((key) => {
      const parsed = parseAzureKeyVaultIdentifier(connector.config[key] ?? "", options.vaultHosts);
      return { key, identifier: parsed.ok ? formatAzureKeyVaultIdentifier(parsed.value) : "" };
    });
    const scrubber = remember(connector.id, secrets);
    return {
      managedFields,
      integrationId: connector.integrationId,
      database: databaseAddress(connector),
      observedAt: now(),
      scrub: (text) => scrubber.scrub(text),
    };
  }

  function remember(connectorId: string, secrets: ReadonlyMap<string, { reveal(): string }>): SecretScrubber {
    const scrubber = createSecretScrubber([...secrets.values()].map((v) => v.reveal()));
    scrubbers.set(connectorId, scrubber);
    return scrubber;
  }

  /** The text of an error, without any value last delivered to the connector. */
  function scrubbed(connectorId: string, error: unknown): string {
    return (scrubbers.get(connectorId) ?? NO_SECRETS).scrub(error instanceof Error ? error.message : String(error));
  }

  /** A Connect error from outside a reconcile pass, its message scrubbed (resolving the values if none were seen yet). */
  async function scrubbedError(connector: Connector, error: unknown): Promise<unknown> {
    if (!(error instanceof ConnectError)) return error;
    if (!scrubbers.has(connector.id)) {
      const secrets = await delivery.resolve(connector).catch(() => null);
      if (secrets) remember(connector.id, secrets.values);
    }
    return new ConnectError(scrubbed(connector.id, error), error.status, error.kind);
  }

  function simple(state: ConnectorStatus["state"], trace: string): ConnectorStatus {
    return { state, workerId: null, trace, tasks: [], observedAt: now() };
  }

  async function record(connector: Connector, status: ConnectorStatus): Promise<ConnectorStatus> {
    await store.connectors.updateStatus(connector.id, status);
    return status;
  }

  /**
   * With a listing (a periodic pass), the connector's config and status come
   * from it, and only a connector that needs something done calls Connect.
   */
  async function reconcileOne(connectorId: string, listings?: ReadonlyMap<string, Listing>): Promise<ConnectorStatus | null> {
    const connector = await store.connectors.get(connectorId);
    if (!connector) return null;
    const cluster = await store.clusters.get(connector.clusterId);
    if (!cluster) return null;
    if (cluster.connectUrls.length === 0) {
      return record(connector, simple("PROVISIONING", `Kafka cluster "${cluster.id}" has no Kafka Connect workers registered (spec.connect_urls); the connector will be deployed once it has`));
    }
    const keys = delivery.secretKeys(connector);
    const translation = translate(connector, cluster, keys.plaintext);
    if (!translation.ok) return record(connector, simple("FAILED", `There were some errors with your configuration:\n${translation.error}`));

    const secrets = await delivery.resolve(connector);
    const context = statusContext(connector, secrets.values);
    if (secrets.errors.length > 0) {
      const permanent = secrets.errors.filter((e) => !e.transient);
      const state = permanent.length > 0 ? "FAILED" : "PROVISIONING";
      return record(connector, simple(state, `There were some errors with your configuration:\n${secrets.errors.map((e) => e.message).join("\n")}`));
    }
    if (!seenVersions.has(connector.id)) seenVersions.set(connector.id, new Map(secrets.versions));

    const client = clientFor(cluster);
    const name = connectName(connector);
    const listing = listings?.get(cluster.connectUrls.join(","));
    try {
      // Connect could not be listed: every connector of it records why, as its own call would have.
      if (listing && "error" in listing) throw listing.error;
      // A connector missing from the listing (not deployed yet, or listed without its expansions) is read on its own.
      // So is one vaultwire changed since the listing was asked for (by apply, a follow-up or a restart).
      const seen = listing && (changedAt.get(connector.id) ?? 0) <= listing.asOf ? listing.entries.get(name) : undefined;
      const current = seen ? seen.info.config : await client.getConfig(name);
      const changed = !sameConfig(current, translation.value.config);
      const held = heldFailures.get(connector.id);
      const heldNow = held && held.generation === connector.generation && !revalidate.has(connector.id) ? held : undefined;
      if (heldNow && Date.now() < heldNow.nextAt) return await record(connector, heldNow.status);
      heldFailures.delete(connector.id);
      if (changed || revalidate.has(connector.id)) {
        revalidate.delete(connector.id);
        // Connect 4.4 answers an invalid create with a 500 (a NullPointerException in its
        // error builder with Debezium), so ask its validation first and fail with its errors.
        const invalid = await client.validate(translation.value.config["connector.class"] ?? "", translation.value.config);
        if (invalid.length > 0) {
          const trace = invalid.map((field) => `${field.name}: ${field.errors.join("; ")}`).join("\n");
          const attempts = (heldNow?.attempts ?? 0) + 1;
          const delayMs = Math.min(options.validationBackoffMaxMs ?? VALIDATION_BACKOFF_MAX_MS, (options.validationBackoffMs ?? VALIDATION_BACKOFF_MS) * 2 ** (attempts - 1));
          const nextAt = Date.now() + delayMs;
          const mapped = mapStatus({ name, connector: { state: "FAILED", worker_id: "", trace }, tasks: [] }, context);
          const failed = { ...mapped, trace: `${mapped.trace ?? trace}\n\nvaultwire validates this configuration again at ${new Date(nextAt).toISOString()} (attempt ${attempts + 1}; waits double up to ${waitText(options.validationBackoffMaxMs ?? VALIDATION_BACKOFF_MAX_MS)}), or at once when you change or restart the connector.` };
          heldFailures.set(connector.id, { generation: connector.generation, status: failed, attempts, nextAt });
          return await record(connector, failed);
        }
      }
      if (changed) {
        changing(connector.id);
        await client.putConfig(name, translation.value.config);
        logger.info({ connector: connector.id, name: connector.name, cluster: cluster.id, created: current === null }, "deployed connector to Kafka Connect");
      }
      let status = seen && !changed ? seen.status : await client.status(name);
      if (connector.desiredState === "PAUSED" && status && status.connector.state !== "PAUSED") {
        changing(connector.id);
        await client.pause(name);
        status = await client.status(name);
      } else if (connector.desiredState === "RUNNING" && status?.connector.state === "PAUSED") {
        changing(connector.id);
        await client.resume(name);
        status = await client.status(name);
      }
      // Tasks that failed only because the ConfigProvider could not reach vaultwire (it was
      // down or restarting) are restarted once the secrets resolve again, at most every 30 s.
      const unreachable = status !== null && [status.connector, ...status.tasks].some((part) => part.state === "FAILED" && part.trace !== undefined && PROVIDER_UNREACHABLE.test(part.trace));
      if (unreachable && Date.now() - (autoRestarts.get(connector.id) ?? 0) > 30_000) {
        autoRestarts.set(connector.id, Date.now());
        logger.info({ connector: connector.id }, "tasks failed while vaultwire was unreachable: restarting them");
        changing(connector.id);
        await client.restart(name, { includeTasks: true, onlyFailed: true });
        status = await client.status(name);
        followUp(connector.id);
      }
      // A restart whose start could not fetch the secrets (vaultwire was down when Connect
      // stopped the connector) leaves it RESTARTING for good: Connect never writes FAILED.
      // The secrets resolve now, so restart it again once it has been stuck a while.
      const restarting = status !== null && [status.connector, ...status.tasks].some((part) => part.state === "RESTARTING");
      if (!restarting) restartingSince.delete(connector.id);
      else if (!restartingSince.has(connector.id)) restartingSince.set(connector.id, Date.now());
      const stuckMs = Date.now() - (restartingSince.get(connector.id) ?? Date.now());
      if (restarting && stuckMs >= (options.stuckRestartingMs ?? STUCK_RESTARTING_MS) && Date.now() - (autoRestarts.get(connector.id) ?? 0) > 30_000) {
        autoRestarts.set(connector.id, Date.now());
        restartingSince.delete(connector.id);
        logger.info({ connector: connector.id, stuckSeconds: Math.round(stuckMs / 1000) }, "connector stuck in RESTARTING: restarting it and its tasks now that its secrets resolve");
        changing(connector.id);
        await client.restart(name, { includeTasks: true, onlyFailed: false });
        status = await client.status(name);
        followUp(connector.id);
      }
      const observed = mapStatus(status, context);
      // Connect pauses and resumes asynchronously: until it shows the desired state, look again soon.
      const pausing = connector.desiredState === "PAUSED" && observed.state === "RUNNING";
      const resuming = connector.desiredState === "RUNNING" && observed.state === "PAUSED";
      if (observed.state === "PROVISIONING" || pausing || resuming) followUp(connector.id);
      else settle(connector.id);
      return await record(connector, observed);
    } catch (error) {
      if (error instanceof ConnectError && error.kind === "slow") {
        return record(connector, simple("PROVISIONING", `${context.scrub(error.message)}: Kafka Connect is slow to validate, not unreachable (validation connects to the database, and one it cannot reach makes it wait for the driver's connection timeout); vaultwire keeps retrying`));
      }
      if (error instanceof ConnectError && error.kind === "unreachable") {
        return record(connector, simple("PROVISIONING", `waiting for Kafka Connect: ${context.scrub(error.message)}; vaultwire keeps retrying`));
      }
      if (error instanceof ConnectError && error.kind === "refused") {
        settle(connector.id);
        return record(connector, simple("FAILED", `Kafka cluster "${cluster.id}": ${context.scrub(error.message)}`));
      }
      if (error instanceof ConnectError && (error.kind === "bad-request" || /vaultwire: /.test(error.message))) {
        const explained = mapStatus({ name, connector: { state: "FAILED", worker_id: "", trace: error.message }, tasks: [] }, context);
        return record(connector, explained);
      }
      const message = context.scrub(error instanceof Error ? error.message : String(error));
      logger.warn({ connector: connector.id, err: message }, "reconcile failed");
      return record(connector, simple("PROVISIONING", `waiting for Kafka Connect: ${message}`));
    }
  }

  function followUp(connectorId: string): void {
    if (stopped) return;
    const previous = followUps.get(connectorId);
    const attempt = (previous?.attempt ?? 0) + 1;
    if (previous) clearTimeout(previous.timer);
    // About two minutes of checks, 250 ms apart at first, then every 5 s; the periodic pass takes over after.
    if (attempt > 30) {
      followUps.delete(connectorId);
      return;
    }
    const timer = setTimeout(() => {
      void locked(connectorId, () => reconcileOne(connectorId)).catch(() => undefined);
    }, Math.min(5_000, 250 * 2 ** Math.min(attempt - 1, 5)));
    timer.unref();
    followUps.set(connectorId, { attempt, timer });
  }

  function settle(connectorId: string): void {
    const pending = followUps.get(connectorId);
    if (pending) clearTimeout(pending.timer);
    followUps.delete(connectorId);
  }

  /** Every Connect cluster once (clusters sharing workers share a listing). */
  async function listClusters(clusters: readonly KafkaCluster[]): Promise<Map<string, { cluster: KafkaCluster; listing: Listing }>> {
    const byKey = new Map<string, KafkaCluster>();
    for (const cluster of clusters) {
      if (cluster.connectUrls.length === 0) continue;
      const key = cluster.connectUrls.join(",");
      if (!byKey.has(key)) byKey.set(key, cluster);
    }
    const listed = await Promise.all([...byKey].map(async ([key, cluster]) => {
      let listing: Listing;
      try {
        const asOf = changes;
        listing = { entries: await clientFor(cluster).listExpanded(), asOf };
      } catch (error) {
        listing = { error };
      }
      return [key, { cluster, listing }] as const;
    }));
    return new Map(listed);
  }

  /** Removes the managed connectors vaultwire no longer knows, from the names the pass listed. */
  async function removeOrphans(listed: ReadonlyMap<string, { cluster: KafkaCluster; listing: Listing }>): Promise<void> {
    const known = new Set((await store.connectors.listAll()).map((c) => connectName(c)));
    for (const { cluster, listing } of listed.values()) {
      try {
        if ("error" in listing) throw listing.error;
        const client = clientFor(cluster);
        for (const name of listing.entries.keys()) {
          if (MANAGED_NAME.test(name) && !known.has(name)) {
            await client.delete(name);
            logger.info({ name, cluster: cluster.id }, "removed a connector that no longer exists in vaultwire");
          }
        }
      } catch (error) {
        logger.debug({ cluster: cluster.id, err: (error as Error).message }, "orphan check skipped");
      }
    }
  }

  async function reconcileAll(): Promise<void> {
    passInFlight ??= (async () => {
      try {
        const listed = await listClusters(await store.clusters.listAll());
        const listings = new Map([...listed].map(([key, { listing }]) => [key, listing]));
        const connectors = await store.connectors.listAll();
        let next = 0;
        const worker = async () => {
          while (!stopped && next < connectors.length) {
            const connector = connectors[next++];
            if (!connector) break;
            await locked(connector.id, () => reconcileOne(connector.id, listings)).catch((error: unknown) => {
              logger.warn({ connector: connector.id, err: scrubbed(connector.id, error) }, "reconcile pass failed for a connector");
            });
          }
        };
        await Promise.all(Array.from({ length: Math.min(PASS_CONCURRENCY, connectors.length) }, worker));
        if (stopped) return;
        await removeOrphans(listed);
      } finally {
        passInFlight = null;
      }
    })();
    return passInFlight;
  }

  async function refreshSecrets(): Promise<void> {
    options.invalidateSecrets();
    for (const connector of await store.connectors.listAll()) {
      if (stopped) return;
      if (delivery.secretKeys(connector).managed.length === 0) continue;
      await locked(connector.id, async () => {
        const secrets = await delivery.resolve(connector, delivery.secretKeys(connector).managed);
        if (secrets.errors.length > 0) return;
        const scrubber = createSecretScrubber([...secrets.values.values()].map((v) => v.reveal()));
        const previous = seenVersions.get(connector.id);
        seenVersions.set(connector.id, new Map(secrets.versions));
        if (!previous) return;
        const changed = [...secrets.versions].filter(([key, version]) => previous.get(key) !== version).map(([key]) => key);
        if (changed.length === 0) return;
        const cluster = await store.clusters.get(connector.clusterId);
        if (!cluster || cluster.connectUrls.length === 0) return;
        logger.info({ connector: connector.id, keys: changed }, "secret versions changed: restarting the connector and its tasks");
        revalidate.add(connector.id);
        changing(connector.id);
        await clientFor(cluster).restart(connectName(connector), { includeTasks: true, onlyFailed: false }).catch((error: unknown) => {
          logger.warn({ connector: connector.id, err: scrubber.scrub(scrubbed(connector.id, error)) }, "restart after rotation failed; the next pass retries");
          seenVersions.set(connector.id, previous);
        });
      }).catch((error: unknown) => {
        logger.warn({ connector: connector.id, err: scrubbed(connector.id, error) }, "rotation check failed");
      });
    }
  }

  return {
    // The API answers at once; deploying (which may wait on Connect) continues in the background.
    apply: (connector) => {
      void locked(connector.id, () => reconcileOne(connector.id)).catch((error: unknown) => {
        logger.warn({ connector: connector.id, err: scrubbed(connector.id, error) }, "reconcile failed");
      });
      return Promise.resolve(null);
    },
    restart: async (connector) => {
      revalidate.add(connector.id);
      const cluster = await store.clusters.get(connector.clusterId);
      if (!cluster || cluster.connectUrls.length === 0) return;
      await locked(connector.id, async () => {
        changing(connector.id);
        await clientFor(cluster).restart(connectName(connector), { includeTasks: true, onlyFailed: false }).catch(async (error: unknown) => {
          // A refused host is for the pass below to record as FAILED.
          if (!(error instanceof ConnectError && (error.kind === "not-found" || error.kind === "refused"))) throw await scrubbedError(connector, error);
        });
      });
      await locked(connector.id, () => reconcileOne(connector.id));
    },
    remove: async (connector) => {
      seenVersions.delete(connector.id);
      heldFailures.delete(connector.id);
      settle(connector.id);
      revalidate.delete(connector.id);
      const cluster = await store.clusters.get(connector.clusterId);
      if (!cluster || cluster.connectUrls.length === 0) return;
      await locked(connector.id, async () => {
        try {
          await clientFor(cluster).delete(connectName(connector));
        } catch (error) {
          // The periodic orphan check removes it once Connect answers again.
          logger.warn({ connector: connector.id, err: scrubbed(connector.id, error) }, "could not remove the connector from Kafka Connect now");
        }
      });
      scrubbers.delete(connector.id);
      changedAt.delete(connector.id);
    },
    reconcileAll,
    reconcileOne: (connectorId) => locked(connectorId, () => reconcileOne(connectorId)),
    refreshSecrets,
    start() {
      stopped = false;
      const every = (ms: number, work: () => Promise<void>) => {
        const timer = setInterval(() => { void work().catch((error: unknown) => { logger.warn({ err: (error as Error).message }, "background pass failed"); }); }, ms);
        timer.unref();
        timers.push(timer);
      };
      every(options.reconcileIntervalMs ?? 10_000, reconcileAll);
      every(options.refreshIntervalMs ?? 5 * 60_000, refreshSecrets);
      void reconcileAll().catch(() => undefined);
    },
    async stop() {
      stopped = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      for (const id of [...followUps.keys()]) settle(id);
      await passInFlight?.catch(() => undefined);
      await Promise.allSettled([...locks.values()]);
    },
  };
}

function sameConfig(current: Record<string, string> | null, desired: Readonly<Record<string, string>>): boolean {
  if (current === null) return false;
  const a = Object.keys(current).sort();
  const b = Object.keys(desired).sort();
  return a.length === b.length && a.every((key, i) => key === b[i] && current[key] === desired[key]);
}
