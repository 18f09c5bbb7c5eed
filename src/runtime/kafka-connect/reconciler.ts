/**
 * Makes Kafka Connect match the desired state in the store: on every change
 * (through the ConnectorRuntime port) and periodically, idempotently. Before
 * deploying it resolves the connector's secrets (a pre-flight that turns a
 * missing secret or permission into a FAILED status with the secret manager's
 * message); it never sends a value to Connect, only placeholders. A second,
 * slower loop re-reads each distinct secret and restarts, with their tasks,
 * the connectors whose secret versions changed.
 *
 * Several replicas: each Kafka cluster's background work is done by the
 * replica holding its lease (leases.ts). Every replica records what the API
 * asks of the runtime (deploy, restart, remove) as a runtime request in the
 * store; the owner performs it (at once when it is the replica that served
 * the call, otherwise within `requestPollMs`). What must survive a restart or
 * a failover is in the store: the secret versions each connector was last
 * started with, held validation failures, pending restarts. Every Connect
 * change is made only while this replica's lease is valid, and the state
 * written after it is fenced by the lease's token.
 */
import type { Logger } from "pino";
import type { ConnectHostPolicy } from "../../domain/connect-host-policy.js";
import type { Connector, ConnectorStatus, KafkaCluster, StatusWarning } from "../../domain/resources.js";
import { createSecretScrubber, NO_SECRETS, type SecretScrubber } from "../../domain/secret-scrub.js";
import type { SecretManagerGrammars } from "../../domain/secret-managers.js";
import type { RestartCause } from "../../domain/audit.js";
import type { AuditRecorder } from "../../services/audit-trail.js";
import type { ConnectorBindings } from "../../services/connector-secrets.js";
import type { ConnectorRuntime } from "../../services/runtime.js";
import type { DeliveredSecrets, SecretDelivery } from "../../services/secret-delivery.js";
import type { ConnectorRuntimeState, Fence, HeldFailure, RuntimeAction, RuntimeRequest, SeenVersion, Store } from "../../store/store.js";
import { ConnectError, createConnectClient, type ConnectClient, type ExpandedConnector } from "./client.js";
import { databaseAddress, isAuthenticationFailure, mapStatus, secretManagerName, type StatusContext } from "./status.js";
import { DAY_MS, DEFAULT_EXPIRY_WARNING_DAYS, expiryWarnings, sameWarnings } from "./expiry.js";
import { LeaseLostError, type LeaseKeeper } from "./leases.js";
import { connectName, translate } from "./translate.js";
import { unresponsiveWorkers } from "./worker-liveness.js";

export interface ReconcilerOptions {
  readonly store: Pick<Store, "connectors" | "clusters" | "runtimeState" | "runtimeRequests" | "secretVersions" | "transaction">;
  /** Which clusters this replica acts on (started and stopped with the reconciler). */
  readonly leases: LeaseKeeper;
  /** How often the owner looks for runtime requests other replicas recorded (default REQUEST_POLL_MS). */
  readonly requestPollMs?: number;
  readonly delivery: SecretDelivery;
  /** Each connector's parsed secret-manager binding, and the grammars that write its identifiers back in messages. */
  readonly bindings: ConnectorBindings;
  readonly grammars: SecretManagerGrammars;
  /** Which Kafka Connect hosts may be called (VAULTWIRE_ALLOWED_CONNECT_HOSTS). */
  readonly connectHosts: ConnectHostPolicy;
  readonly logger: Logger;
  /** The audit trail (decision 42): rotations detected and restarts made; never a value. */
  readonly audit?: AuditRecorder;
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
  /** Secrets that expire within this window put a warning on the connectors that use them (default 30 days; 0: no warnings). */
  readonly expiryWarningMs?: number;
  /**
   * After a task or Connect's validation failed to authenticate and a live
   * re-read found the same versions: the first wait before the secrets are
   * read again while the failure lasts, and the cap of its doubling.
   */
  readonly reactiveBackoffMs?: number;
  readonly reactiveBackoffMaxMs?: number;
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
  /** One rotation check of the clusters this replica holds, or of some of them (also what the slower timer runs). */
  refreshSecrets(clusterIds?: ReadonlySet<string>): Promise<void>;
  /** Performs the runtime requests recorded for the clusters this replica holds. */
  drainRequests(): Promise<void>;
  /**
   * The known expiry of each secret the connectors of the clusters this
   * replica holds use (one entry per integration and secret; the expiry gauge).
   */
  secretExpiries(): SecretExpiry[];
}

/** When one referenced secret expires (identifiers only: not a secret). */
export interface SecretExpiry {
  readonly integrationId: string;
  /** The secret's identifier without a JSON key (`https://<vault>::<name>`, an ARN). */
  readonly secret: string;
  readonly expiresAt: string;
}

/** How a rotation was noticed: the periodic check, a pushed event, or a task that failed to authenticate. */
export type RotationSource = "poll" | "event" | "reactive";

/** What one connector's rotation check found. */
export interface RotationOutcome {
  readonly connectorId: string;
  readonly changed: readonly { readonly key: string; readonly ref: string; readonly from: string | null; readonly to: string }[];
  /** Whether a restart was recorded (false when the cluster has no Connect workers yet). */
  readonly restart: boolean;
  /** Whether the secrets were read and compared with versions on record (false: a read failed, or nothing was on record yet). */
  readonly compared: boolean;
}

interface RotationCheck {
  readonly detectedBy: RotationSource;
  /** Only the keys whose secret is one of these. */
  readonly refs?: ReadonlySet<string>;
  /** Secrets already read live in this round; the others are read live. Absent: the cache is used (the poll invalidates it first). */
  readonly readLive?: Set<string>;
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

/** After an authentication failure with unchanged secrets, they are read again after 10 s, then 20 s, 40 s… at most every 5 min (the poll's default). */
export const REACTIVE_BACKOFF_MS = 10_000;
export const REACTIVE_BACKOFF_MAX_MS = 5 * 60_000;

/**
 * What the reactive path did for a connector's authentication failure, in
 * this process (decision 43: a replica that takes over reads the secrets live
 * once more; the versions on record make a restart happen once).
 */
interface ReactiveCheck {
  /** The failure is "the same" while the config generation and the versions on record are. */
  readonly generation: number;
  readonly versions: string;
  readonly attempts: number;
  /** When the secrets may be read again for this failure. */
  readonly nextAt: number;
  readonly inFlight: boolean;
  /** When a live re-read last found the versions unchanged (ISO), null before one did. */
  readonly unchangedAt: string | null;
}

/** A status with these warnings instead of its own (none: without the field). */
function withWarnings(status: ConnectorStatus, warnings: readonly StatusWarning[]): ConnectorStatus {
  const next: { -readonly [K in keyof ConnectorStatus]: ConnectorStatus[K] } = { ...status };
  if (warnings.length === 0) delete next.warnings;
  else next.warnings = warnings;
  return next;
}

function versionSignature(seen: Readonly<Record<string, SeenVersion>> | null): string {
  return seen === null ? "" : JSON.stringify(Object.keys(seen).sort().map((key) => [key, seen[key]?.version ?? ""]));
}

/** How long a connector may stay RESTARTING before vaultwire restarts it again (Connect restarts take seconds). */
export const STUCK_RESTARTING_MS = 30_000;

/** How many connectors a periodic pass works on at once. */
export const PASS_CONCURRENCY = 8;

/** How often a lease owner looks for runtime requests that other replicas recorded. */
export const REQUEST_POLL_MS = 500;
/** How long a runtime request that failed (Connect down) waits before it is tried again. */
export const REQUEST_RETRY_MS = 5_000;

function seenFrom(versions: ReadonlyMap<string, string>, previous: Readonly<Record<string, SeenVersion>> | null, at: string): Record<string, SeenVersion> {
  const seen: Record<string, SeenVersion> = {};
  for (const [key, version] of versions) seen[key] = previous?.[key]?.version === version ? previous[key] : { version, seenAt: at };
  return seen;
}

function sameVersions(a: Readonly<Record<string, SeenVersion>> | null, b: Readonly<Record<string, SeenVersion>>): boolean {
  if (a === null) return false;
  const keys = Object.keys(b);
  return keys.length === Object.keys(a).length && keys.every((key) => a[key]?.version === b[key]?.version);
}

/** What one pass read from a Connect cluster (keyed by its worker URLs): every connector, or why it could not. */
type Listing = { readonly entries: ReadonlyMap<string, ExpandedConnector>; readonly asOf: number; readonly unresponsive?: ReadonlySet<string> } | { readonly error: unknown };

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
  const { leases } = options;
  /** The stored runtime state of connectors of the clusters this replica holds (read once, written through). */
  const states = new Map<string, ConnectorRuntimeState>();
  /** The cluster of each connector this replica worked on (to forget them when a lease is lost). */
  const clusterOf = new Map<string, string>();
  /** When a failed runtime request may be tried again. */
  const retryAt = new Map<number, number>();
  /** Why a connector's last runtime request failed (a restart the API asked for reports it). */
  const requestErrors = new Map<string, Error>();
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
  /** Per connector: its secret-manager keys' known expiries (from each resolve; what the warnings and the gauge show). */
  const expiries = new Map<string, { integrationId: string; byKey: Map<string, { identifier: string; secret: string; expiresAt: string }> }>();
  /** The warnings this replica last recorded on each connector's status (the rotation check writes them only when they change). */
  const recordedWarnings = new Map<string, readonly StatusWarning[]>();
  /** The reactive re-reads of connectors whose tasks or validation failed to authenticate. */
  const reactive = new Map<string, ReactiveCheck>();
  const expiryWarningMs = options.expiryWarningMs ?? DEFAULT_EXPIRY_WARNING_DAYS * DAY_MS;
  /*
   * Validation failures are held per config generation (in the runtime state)
   * and retried with back-off: Connect's validation logs in to the database,
   * so a config it refuses (often rejected credentials) is not validated again
   * at every pass, which would be a failed login every pass and could lock the account.
   */
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
  let started = false;
  let passInFlight: Promise<void> | null = null;

  async function stateOf(connectorId: string): Promise<ConnectorRuntimeState> {
    let state = states.get(connectorId);
    if (!state) {
      state = await store.runtimeState.get(connectorId) ?? { connectorId, seenVersions: null, heldFailure: null };
      states.set(connectorId, state);
    }
    return state;
  }

  /** Writes a connector's runtime state under the fence; a fence that no longer holds stops the work. */
  async function saveState(connector: Connector, next: ConnectorRuntimeState, fence: Fence): Promise<void> {
    if (!(await store.runtimeState.put(next, fence, now()))) {
      states.delete(connector.id);
      throw new LeaseLostError(connector.clusterId);
    }
    states.set(connector.id, next);
  }

  /** Before every change in Connect: this replica still holds the cluster. */
  function act(clusterId: string): Fence {
    const fence = leases.fence(clusterId);
    if (!fence) throw new LeaseLostError(clusterId);
    return fence;
  }

  /** Drops what this replica remembers of a connector (its cluster moved to another replica, or it was removed). */
  function forget(connectorId: string): void {
    states.delete(connectorId);
    clusterOf.delete(connectorId);
    settle(connectorId);
    revalidate.delete(connectorId);
    restartingSince.delete(connectorId);
    autoRestarts.delete(connectorId);
    expiries.delete(connectorId);
    recordedWarnings.delete(connectorId);
    reactive.delete(connectorId);
  }

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
    const binding = options.bindings.of(connector);
    const grammar = binding === null ? undefined : options.grammars[binding.manager];
    const managedFields = [
      ...(binding?.fields ?? []).map((f) => ({ key: f.key, identifier: grammar?.display(f.reference) ?? "" })),
      ...(binding?.invalid ?? []).map((f) => ({ key: f.key, identifier: "" })),
    ];
    const scrubber = remember(connector.id, secrets);
    return {
      managedFields,
      integrationId: connector.integrationId,
      ...(binding === null ? {} : { secretManager: binding.manager }),
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
   * Notes the expiries of the keys just resolved (`keys`: all of the
   * connector's, or the subset a rotation check read). A key read without an
   * expiry has none now; one that failed for another reason keeps the last
   * known (an outage does not hide it); keys no longer in the config go.
   */
  function noteExpiries(connector: Connector, secrets: DeliveredSecrets, keys: readonly string[]): void {
    const binding = options.bindings.of(connector);
    const grammar = binding === null ? undefined : options.grammars[binding.manager];
    if (binding === null || grammar === undefined || connector.integrationId === null) {
      expiries.delete(connector.id);
      return;
    }
    const current = new Set(binding.fields.map((f) => f.key));
    const byKey = new Map([...(expiries.get(connector.id)?.byKey ?? [])].filter(([key]) => current.has(key)));
    for (const key of keys) {
      const field = binding.fields.find((f) => f.key === key);
      if (!field) continue;
      const expiresAt = secrets.expiries?.get(key);
      if (expiresAt !== undefined) byKey.set(key, { identifier: grammar.display(field.reference), secret: grammar.display({ ...field.reference, jsonKey: null }), expiresAt });
      else if (secrets.versions.has(key)) byKey.delete(key);
    }
    if (byKey.size === 0) expiries.delete(connector.id);
    else expiries.set(connector.id, { integrationId: connector.integrationId, byKey });
  }

  function warningsOf(connector: Connector): StatusWarning[] {
    const known = expiries.get(connector.id);
    if (!known) return [];
    const keys = [...known.byKey].map(([key, e]) => ({ key, identifier: e.identifier, expiresAt: e.expiresAt }));
    return expiryWarnings(keys, Date.parse(now()), expiryWarningMs, secretManagerName(options.bindings.of(connector)?.manager));
  }

  /**
   * A status as recorded after the secrets resolved: with the connector's
   * expiry warnings, and, for an authentication failure, the reactive re-read
   * (started here, once per failure) and what it found.
   */
  function annotate(connector: Connector, status: ConnectorStatus, fromConnect: boolean): ConnectorStatus {
    const warnings = warningsOf(connector);
    let next = withWarnings(status, warnings);
    recordedWarnings.set(connector.id, warnings);
    if (!fromConnect) return next;
    if (!isAuthenticationFailure(next)) {
      if (next.state === "RUNNING" || next.state === "PAUSED") reactive.delete(connector.id);
      return next;
    }
    const check = reactive.get(connector.id);
    const versions = versionSignature(states.get(connector.id)?.seenVersions ?? null);
    const same = check !== undefined && check.generation === connector.generation && check.versions === versions;
    if (same && check.unchangedAt !== null) next = { ...next, trace: `${next.trace ?? ""}\n\n${unchangedNote(connector, check)}` };
    if (!same || (!check.inFlight && Date.now() >= check.nextAt)) react(connector, same ? check : undefined, versions);
    return next;
  }

  function unchangedNote(connector: Connector, check: ReactiveCheck): string {
    const binding = options.bindings.of(connector);
    const grammar = binding === null ? undefined : options.grammars[binding.manager];
    const keys = (binding?.fields ?? []).map((f) => `${f.key} (${grammar?.display(f.reference) ?? ""})`).join(", ");
    return `vaultwire read ${keys} again from ${secretManagerName(binding?.manager)} at ${check.unchangedAt ?? ""}, after this failure: the versions are the ones the connector was started with, so the refused credentials are the secret's current value. Store the database's current credentials in the secret (vaultwire restarts the connector as soon as a version changes) or set the database back to the secret's; vaultwire reads the secret again at ${new Date(check.nextAt).toISOString()}.`;
  }

  /**
   * The reactive path: a task or Connect's validation failed to authenticate,
   * so the connector's secrets are read live (not from the cache) through the
   * one rotation check. A changed version records the new versions and one
   * restart; the same versions keep the failure, with a note, and are read
   * again only after a back-off (or when the config or a version changes).
   */
  function react(connector: Connector, previous: ReactiveCheck | undefined, versions: string): void {
    if (stopped) return;
    const attempts = (previous?.attempts ?? 0) + 1;
    const delayMs = Math.min(options.reactiveBackoffMaxMs ?? REACTIVE_BACKOFF_MAX_MS, (options.reactiveBackoffMs ?? REACTIVE_BACKOFF_MS) * 2 ** (attempts - 1));
    const started: ReactiveCheck = { generation: connector.generation, versions, attempts, nextAt: Date.now() + delayMs, inFlight: true, unchangedAt: previous?.unchangedAt ?? null };
    reactive.set(connector.id, started);
    logger.info({ connector: connector.id, attempt: attempts }, "the connector failed to authenticate: reading its secrets again, bypassing the cache");
    void (async () => {
      const outcome = await checkRotation(connector, { detectedBy: "reactive", readLive: new Set() });
      if (reactive.get(connector.id) !== started) return;
      if (outcome.restart || outcome.changed.length > 0) {
        reactive.delete(connector.id);
        if (outcome.restart) await drainRequests();
        return;
      }
      reactive.set(connector.id, { ...started, inFlight: false, unchangedAt: outcome.compared ? now() : started.unchangedAt });
      // The status says what the re-read found (the note), without waiting for the next pass.
      if (outcome.compared) await locked(connector.id, () => reconcileOne(connector.id));
    })().catch((error: unknown) => {
      const current = reactive.get(connector.id);
      if (current === started) reactive.set(connector.id, { ...started, inFlight: false });
      logger.warn({ connector: connector.id, err: scrubbed(connector.id, error) }, "reactive secret check failed");
    });
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
    // Another replica holds this cluster: it does the work.
    const fence = leases.fence(cluster.id);
    if (!fence) return null;
    clusterOf.set(connector.id, cluster.id);
    try {
      return await reconcileOwned(connector, cluster, fence, listings);
    } catch (error) {
      if (error instanceof LeaseLostError) return null;
      throw error;
    }
  }

  async function reconcileOwned(connector: Connector, cluster: KafkaCluster, fence: Fence, listings?: ReadonlyMap<string, Listing>): Promise<ConnectorStatus | null> {
    if (cluster.connectUrls.length === 0) {
      return record(connector, simple("PROVISIONING", `Kafka cluster "${cluster.id}" has no Kafka Connect workers registered (spec.connect_urls); the connector will be deployed once it has`));
    }
    const keys = delivery.secretKeys(connector);
    const translation = translate(connector, cluster, keys.plaintext);
    if (!translation.ok) return record(connector, simple("FAILED", `There were some errors with your configuration:\n${translation.error}`));

    const secrets = await delivery.resolve(connector);
    const context = statusContext(connector, secrets.values);
    noteExpiries(connector, secrets, keys.managed);
    /** Records a status of this pass, with the expiry warnings (and, from Connect, the reactive path's part). */
    const done = (status: ConnectorStatus, fromConnect = true) => record(connector, annotate(connector, status, fromConnect));
    if (secrets.errors.length > 0) {
      const permanent = secrets.errors.filter((e) => !e.transient);
      const state = permanent.length > 0 ? "FAILED" : "PROVISIONING";
      return done(simple(state, `There were some errors with your configuration:\n${secrets.errors.map((e) => e.message).join("\n")}`), false);
    }
    let state = await stateOf(connector.id);
    if (state.seenVersions === null) {
      state = { ...state, seenVersions: seenFrom(secrets.versions, null, now()) };
      await saveState(connector, state, fence);
    }

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
      const held = state.heldFailure;
      const heldNow = held && held.generation === connector.generation && !revalidate.has(connector.id) ? held : undefined;
      if (heldNow && Date.now() < heldNow.nextAt) return await done(heldNow.status);
      if (held !== null) {
        state = { ...state, heldFailure: null };
        await saveState(connector, state, fence);
      }
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
          const heldFailure: HeldFailure = { generation: connector.generation, status: failed, attempts, nextAt };
          await saveState(connector, { ...state, heldFailure }, fence);
          return await done(failed);
        }
      }
      if (changed) {
        act(cluster.id);
        changing(connector.id);
        await client.putConfig(name, translation.value.config);
        logger.info({ connector: connector.id, name: connector.name, cluster: cluster.id, created: current === null }, "deployed connector to Kafka Connect");
        // Connect starts a changed connector again, with the values its tasks read now.
        const seen = seenFrom(secrets.versions, state.seenVersions, now());
        if (!sameVersions(state.seenVersions, seen)) {
          state = { ...state, seenVersions: seen };
          await saveState(connector, state, fence);
        }
      }
      let status = seen && !changed ? seen.status : await client.status(name);
      if (connector.desiredState === "PAUSED" && status && status.connector.state !== "PAUSED") {
        act(cluster.id);
        changing(connector.id);
        await client.pause(name);
        status = await client.status(name);
      } else if (connector.desiredState === "RUNNING" && status?.connector.state === "PAUSED") {
        act(cluster.id);
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
        act(cluster.id);
        changing(connector.id);
        await client.restart(name, { includeTasks: true, onlyFailed: true });
        audited(connector, "provider-unreachable", "restarted");
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
        act(cluster.id);
        changing(connector.id);
        await client.restart(name, { includeTasks: true, onlyFailed: false });
        audited(connector, "stuck-restarting", "restarted");
        status = await client.status(name);
        followUp(connector.id);
      }
      // The workers of this pass's listing that did not answer (worker-liveness.ts).
      const observed = mapStatus(status, listing && "entries" in listing ? { ...context, unresponsiveWorkers: listing.unresponsive } : context);
      // Connect pauses and resumes asynchronously: until it shows the desired state, look again soon.
      const pausing = connector.desiredState === "PAUSED" && observed.state === "RUNNING";
      const resuming = connector.desiredState === "RUNNING" && observed.state === "PAUSED";
      if (observed.state === "PROVISIONING" || pausing || resuming) followUp(connector.id);
      else settle(connector.id);
      return await done(observed);
    } catch (error) {
      if (error instanceof LeaseLostError) throw error;
      if (error instanceof ConnectError && error.kind === "slow") {
        return done(simple("PROVISIONING", `${context.scrub(error.message)}: Kafka Connect is slow to validate, not unreachable (validation connects to the database, and one it cannot reach makes it wait for the driver's connection timeout); vaultwire keeps retrying`));
      }
      if (error instanceof ConnectError && error.kind === "unreachable") {
        return done(simple("PROVISIONING", `waiting for Kafka Connect: ${context.scrub(error.message)}; vaultwire keeps retrying`));
      }
      if (error instanceof ConnectError && error.kind === "refused") {
        settle(connector.id);
        return done(simple("FAILED", `Kafka cluster "${cluster.id}": ${context.scrub(error.message)}`));
      }
      if (error instanceof ConnectError && (error.kind === "bad-request" || /vaultwire: /.test(error.message))) {
        const explained = mapStatus({ name, connector: { state: "FAILED", worker_id: "", trace: error.message }, tasks: [] }, context);
        return done(explained);
      }
      const message = context.scrub(error instanceof Error ? error.message : String(error));
      logger.warn({ connector: connector.id, err: message }, "reconcile failed");
      return done(simple("PROVISIONING", `waiting for Kafka Connect: ${message}`));
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
        const entries = await clientFor(cluster).listExpanded();
        // Each worker the listing names, probed once for this pass.
        listing = { entries, asOf, unresponsive: await unresponsiveWorkers(entries.values(), cluster, clientFor(cluster)) };
      } catch (error) {
        listing = { error };
      }
      return [key, { cluster, listing }] as const;
    }));
    return new Map(listed);
  }

  /**
   * Removes the managed connectors vaultwire no longer knows, from the names
   * the pass listed. The store is read after the listing: a connector is
   * recorded before it is deployed, so one the listing shows is known by then.
   */
  async function removeOrphans(listed: ReadonlyMap<string, { cluster: KafkaCluster; listing: Listing }>): Promise<void> {
    const known = new Set((await store.connectors.listAll()).map((c) => connectName(c)));
    for (const { cluster, listing } of listed.values()) {
      try {
        if ("error" in listing) throw listing.error;
        const client = clientFor(cluster);
        for (const name of listing.entries.keys()) {
          if (MANAGED_NAME.test(name) && !known.has(name)) {
            act(cluster.id);
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
      await leases.ready();
      const owned = new Set(leases.owned());
      if (owned.size === 0) return;
      await drainRequests();
      const listed = await listClusters((await store.clusters.listAll()).filter((c) => owned.has(c.id)));
      const listings = new Map([...listed].map(([key, { listing }]) => [key, listing]));
      const connectors = (await store.connectors.listAll()).filter((c) => owned.has(c.clusterId));
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
    })().finally(() => { passInFlight = null; });
    return passInFlight;
  }

  async function refreshSecrets(clusterIds?: ReadonlySet<string>): Promise<void> {
    await leases.ready();
    const owned = new Set(leases.owned().filter((id) => clusterIds === undefined || clusterIds.has(id)));
    if (owned.size === 0) return;
    options.invalidateSecrets();
    let restarts = 0;
    for (const connector of await store.connectors.listAll()) {
      if (stopped) return;
      if (!owned.has(connector.clusterId)) continue;
      if ((await checkRotation(connector, { detectedBy: "poll" })).restart) restarts++;
    }
    if (restarts > 0) await drainRequests();
  }

  /**
   * Reads a connector's secret-manager keys (or those of `check.refs`) and
   * compares their versions with those it was last started with; a change
   * records the new versions and a restart request together (the cluster's
   * owner restarts it, once). Under the connector's lock.
   */
  async function checkRotation(connector: Connector, check: RotationCheck): Promise<RotationOutcome> {
    const none: RotationOutcome = { connectorId: connector.id, changed: [], restart: false, compared: false };
    const binding = options.bindings.of(connector);
    const fields = binding?.fields.filter((f) => check.refs === undefined || check.refs.has(f.reference.secretKey)) ?? [];
    const managed = check.refs === undefined ? delivery.secretKeys(connector).managed : fields.map((f) => f.key);
    if (managed.length === 0) return none;
    return locked(connector.id, async (): Promise<RotationOutcome> => {
      const fence = leases.fence(connector.clusterId);
      if (!fence) return none;
      // Secrets not yet read live in this check are read live (once: the cache then holds the new version).
      const live = check.readLive === undefined ? false : fields.some((f) => !check.readLive?.has(f.reference.secretKey));
      const secrets = await delivery.resolve(connector, managed, { live });
      for (const field of fields) check.readLive?.add(field.reference.secretKey);
      noteExpiries(connector, secrets, managed);
      await refreshWarnings(connector);
      if (secrets.errors.length > 0) return none;
      const state = await stateOf(connector.id);
      const previous = state.seenVersions;
      // A check of some secrets only keeps the versions of the others as they were.
      const merged: Record<string, SeenVersion> | null = previous === null ? null : check.refs === undefined ? {} : { ...previous };
      const seen = seenFrom(secrets.versions, previous, now());
      if (previous === null || merged === null) {
        await saveState(connector, { ...state, seenVersions: seen }, fence);
        return none;
      }
      const changed = [...secrets.versions].filter(([key, version]) => previous[key]?.version !== version).map(([key, version]) => ({ key, ref: secrets.references.get(key) ?? "", from: previous[key]?.version ?? null, to: version }));
      if (changed.length === 0) return { ...none, compared: true };
      for (const [key, value] of Object.entries(seen)) merged[key] = value;
      // Every replica's next delivery of these secrets reads them again (services/secret-delivery.ts, coherent).
      await store.secretVersions.record(changed.map(({ ref, to }) => ({ ref, version: to })), now());
      const next = { ...state, seenVersions: merged };
      const cluster = await store.clusters.get(connector.clusterId);
      const rotated = (outcome: string) => {
        options.audit?.record({
          type: "rotation.detected",
          outcome,
          environmentId: connector.environmentId,
          clusterId: connector.clusterId,
          connectorId: connector.id,
          connectorName: connector.name,
          integrationId: connector.integrationId,
          keys: changed.map((c) => c.key),
          versions: Object.fromEntries(changed.map((c) => [c.key, c.to])),
          previousVersions: Object.fromEntries(changed.map((c) => [c.key, c.from])),
          secrets: Object.fromEntries(changed.map((c) => [c.key, c.ref])),
          detectedBy: check.detectedBy,
        });
      };
      if (!cluster || cluster.connectUrls.length === 0) {
        await saveState(connector, next, fence);
        rotated("no-workers");
        return { connectorId: connector.id, changed, restart: false, compared: true };
      }
      logger.info({ connector: connector.id, keys: changed.map((c) => c.key), detectedBy: check.detectedBy }, "secret versions changed: restarting the connector and its tasks");
      // The new versions and the pending restart are recorded together: a replica that takes over restarts it, once.
      await store.transaction(async (tx) => {
        if (!(await tx.runtimeState.put(next, fence, now()))) throw new LeaseLostError(connector.clusterId);
        await tx.runtimeRequests.enqueue({ clusterId: connector.clusterId, connectorId: connector.id, connectorName: connectName(connector), action: "restart", requestedAt: now(), cause: "rotation" });
      });
      states.set(connector.id, next);
      rotated("restart-requested");
      return { connectorId: connector.id, changed, restart: true, compared: true };
    }).catch((error: unknown) => {
      if (!(error instanceof LeaseLostError)) logger.warn({ connector: connector.id, err: scrubbed(connector.id, error) }, "rotation check failed");
      return none;
    });
  }

  /**
   * A rotation check read new expiry metadata (the poll, an event): the
   * connector's status gets the warnings it now has, when they changed,
   * without waiting for the next pass. Under the connector's lock.
   */
  async function refreshWarnings(connector: Connector): Promise<void> {
    const warnings = warningsOf(connector);
    if (recordedWarnings.has(connector.id) && sameWarnings(recordedWarnings.get(connector.id), warnings)) return;
    const stored = await store.connectors.get(connector.id);
    if (!stored) return;
    recordedWarnings.set(connector.id, warnings);
    if (sameWarnings(stored.status.warnings, warnings)) return;
    await store.connectors.updateStatus(connector.id, withWarnings(stored.status, warnings));
  }

  /** A restart for the audit trail: `restarted`, or `skipped` (Connect did not have it, or refused the host). */
  function audited(connector: Connector, cause: RestartCause, outcome: "restarted" | "skipped", reason: string | null = null): void {
    options.audit?.record({
      type: "connector.restarted",
      outcome,
      reason,
      environmentId: connector.environmentId,
      clusterId: connector.clusterId,
      connectorId: connector.id,
      connectorName: connector.name,
      integrationId: connector.integrationId,
      restartCause: cause,
    });
  }

  /** Restarts a connector and its tasks in Connect (a user's restart or a rotation), then reads it again. */
  async function restartNow(connector: Connector, cause: RestartCause): Promise<void> {
    const cluster = await store.clusters.get(connector.clusterId);
    if (!cluster || cluster.connectUrls.length === 0) return;
    revalidate.add(connector.id);
    act(cluster.id);
    changing(connector.id);
    try {
      await clientFor(cluster).restart(connectName(connector), { includeTasks: true, onlyFailed: false });
      logger.info({ connector: connector.id, cluster: cluster.id }, "restarted the connector and its tasks in Kafka Connect");
      audited(connector, cause, "restarted");
    } catch (error) {
      // Not deployed yet, or a refused host: the reconcile below deploys it or records FAILED.
      if (!(error instanceof ConnectError && (error.kind === "not-found" || error.kind === "refused"))) throw await scrubbedError(connector, error);
      audited(connector, cause, "skipped", error.kind === "not-found" ? "not_deployed" : "connect_host_refused");
    }
    followUp(connector.id);
  }

  /** Performs one connector's pending requests, oldest first, and marks them done. */
  async function perform(requests: readonly RuntimeRequest[]): Promise<void> {
    const first = requests[0];
    if (!first) return;
    const fence = leases.fence(first.clusterId);
    if (!fence) return;
    const ids = requests.map((r) => r.id);
    try {
      const connector = await store.connectors.get(first.connectorId);
      if (!connector) {
        // Removed (or never there): only a remove has anything to do.
        if (requests.some((r) => r.action === "remove")) {
          const cluster = await store.clusters.get(first.clusterId);
          if (cluster && cluster.connectUrls.length > 0) {
            act(cluster.id);
            try {
              await clientFor(cluster).delete(first.connectorName);
            } catch (error) {
              if (!(error instanceof ConnectError && error.kind === "not-found")) throw error;
            }
            logger.info({ connector: first.connectorId, name: first.connectorName, cluster: cluster.id }, "removed the connector from Kafka Connect");
          }
        }
        forget(first.connectorId);
        scrubbers.delete(first.connectorId);
        changedAt.delete(first.connectorId);
      } else {
        const restarts = requests.filter((r) => r.action === "restart");
        // One restart for every request: a rotation's cause wins over a user's request made meanwhile.
        if (restarts.length > 0) await restartNow(connector, restarts.some((r) => r.cause === "rotation") ? "rotation" : restarts.find((r) => r.cause)?.cause ?? "request");
        await reconcileOne(connector.id);
      }
      requestErrors.delete(first.connectorId);
      if (!(await store.runtimeRequests.complete(ids, fence))) return;
      for (const id of ids) retryAt.delete(id);
    } catch (error) {
      if (error instanceof LeaseLostError) return;
      requestErrors.set(first.connectorId, error instanceof Error ? error : new Error(String(error)));
      for (const id of ids) retryAt.set(id, Date.now() + REQUEST_RETRY_MS);
      logger.warn({ connector: first.connectorId, actions: requests.map((r) => r.action), err: scrubbed(first.connectorId, error) }, "runtime request failed; it is tried again");
      throw error;
    }
  }

  /**
   * The "rotate" requests a pushed event recorded (decision 41), one
   * connector at a time: the secrets whose event version the connector
   * already runs with are skipped (a duplicate or a late, older event: no
   * read); the others get the rotation check of those secrets only, each read
   * live once for the whole round. True when a restart was recorded.
   */
  async function performRotations(requests: readonly RuntimeRequest[]): Promise<boolean> {
    const byConnector = new Map<string, RuntimeRequest[]>();
    for (const request of requests) byConnector.set(request.connectorId, [...(byConnector.get(request.connectorId) ?? []), request]);
    const readLive = new Set<string>();
    let restarted = false;
    for (const group of byConnector.values()) {
      if (stopped) break;
      const first = group[0];
      if (!first) continue;
      const fence = leases.fence(first.clusterId);
      if (!fence) continue;
      const ids = group.map((r) => r.id);
      try {
        const connector = await store.connectors.get(first.connectorId);
        const binding = connector ? options.bindings.of(connector) : null;
        if (connector && binding) {
          const wanted = new Map<string, Set<string>>();
          for (const request of group) for (const [ref, version] of Object.entries(request.secretVersions ?? {})) wanted.set(ref, (wanted.get(ref) ?? new Set()).add(version));
          const seen = (await stateOf(connector.id)).seenVersions;
          const refs = new Set([...wanted].filter(([ref, versions]) => binding.fields.some((f) => {
            if (f.reference.secretKey !== ref) return false;
            // RECHECK_METADATA (an expiry event) is never a version a connector runs with: always read.
            const started = seen?.[f.key]?.version;
            return started === undefined || !versions.has(started);
          })).map(([ref]) => ref));
          if (refs.size > 0 && (await checkRotation(connector, { detectedBy: "event", refs, readLive })).restart) restarted = true;
        }
        if (await store.runtimeRequests.complete(ids, fence)) for (const id of ids) retryAt.delete(id);
      } catch (error) {
        for (const id of ids) retryAt.set(id, Date.now() + REQUEST_RETRY_MS);
        logger.warn({ connector: first.connectorId, err: scrubbed(first.connectorId, error) }, "pushed rotation check failed; it is tried again");
      }
    }
    return restarted;
  }

  let draining: Promise<void> | null = null;
  let drainAgain = false;
  /** Whether a drain was asked for while one ran (read through a function: it changes across awaits). */
  const askedAgain = () => drainAgain;

  /** Performs the runtime requests of the clusters this replica holds (single flight; a call during a drain runs one more round). */
  function drainRequests(): Promise<void> {
    if (draining) {
      drainAgain = true;
      return draining;
    }
    // Cleared in a `.finally` (a later tick): a round that returns before its first await must not clear `draining` before it is set.
    draining = (async () => {
      do {
        drainAgain = false;
        const owned = leases.owned();
        if (owned.length === 0) return;
        const requests = (await store.runtimeRequests.listByClusters(owned)).filter((r) => (retryAt.get(r.id) ?? 0) <= Date.now());
        // Pushed events first (their restarts are recorded as requests: one more round performs them).
        const rotations = requests.filter((r) => r.action === "rotate");
        if (rotations.length > 0 && (await performRotations(rotations))) drainAgain = true;
        const byConnector = new Map<string, RuntimeRequest[]>();
        for (const request of requests) {
          if (request.action === "rotate") continue;
          const list = byConnector.get(request.connectorId) ?? [];
          list.push(request);
          byConnector.set(request.connectorId, list);
        }
        const groups = [...byConnector.values()];
        let next = 0;
        const worker = async () => {
          while (!stopped && next < groups.length) {
            const group = groups[next++];
            if (!group?.[0]) break;
            await locked(group[0].connectorId, () => perform(group)).catch(() => undefined);
          }
        };
        await Promise.all(Array.from({ length: Math.min(PASS_CONCURRENCY, groups.length) }, worker));
      } while (askedAgain() && !stopped);
    })().finally(() => { draining = null; });
    return draining;
  }

  /** Records what the API asked for; the cluster's owner performs it (this replica at once, when it is the owner). */
  async function requestAction(connector: Connector, action: RuntimeAction): Promise<boolean> {
    await store.runtimeRequests.enqueue({ clusterId: connector.clusterId, connectorId: connector.id, connectorName: connectName(connector), action, requestedAt: now(), ...(action === "restart" ? { cause: "request" as const } : {}) });
    await leases.ready();
    if (stopped) return false;
    // A cluster registered since the last lease round has no holder yet: take part in a round now rather than wait for the next.
    if (leases.fence(connector.clusterId) === null) await leases.tick();
    return leases.fence(connector.clusterId) !== null;
  }

  /** A cluster this replica just took over: look at it now, and check its secrets for rotations made meanwhile. */
  const takenOver = new Set<string>();
  let takeoverTimer: NodeJS.Timeout | null = null;
  leases.onAcquired((clusterId) => {
    if (!started || stopped) return;
    takenOver.add(clusterId);
    takeoverTimer ??= setTimeout(() => {
      takeoverTimer = null;
      const clusters = new Set(takenOver);
      takenOver.clear();
      void reconcileAll().then(() => refreshSecrets(clusters)).catch((error: unknown) => {
        logger.warn({ err: (error as Error).message }, "first pass after taking over a cluster failed");
      });
    }, 0);
  });
  leases.onLost((clusterId) => {
    for (const [connectorId, owner] of [...clusterOf]) if (owner === clusterId) forget(connectorId);
  });

  return {
    // The API answers at once; deploying (which may wait on Connect) continues in the background, on the cluster's owner.
    apply: async (connector) => {
      if (await requestAction(connector, "apply")) void drainRequests();
      return null;
    },
    restart: async (connector) => {
      if (!(await requestAction(connector, "restart"))) return;
      requestErrors.delete(connector.id);
      await drainRequests();
      // Connect refused it now: the caller hears why (the request stays, and is tried again).
      const failed = requestErrors.get(connector.id);
      requestErrors.delete(connector.id);
      if (failed !== undefined) throw failed;
    },
    remove: async (connector) => {
      if (await requestAction(connector, "remove")) await drainRequests();
    },
    reconcileAll,
    reconcileOne: (connectorId) => locked(connectorId, () => reconcileOne(connectorId)),
    refreshSecrets,
    drainRequests,
    secretExpiries() {
      const owned = new Set(leases.owned());
      const bySecret = new Map<string, SecretExpiry>();
      for (const [connectorId, known] of expiries) {
        const clusterId = clusterOf.get(connectorId);
        if (clusterId !== undefined && !owned.has(clusterId)) continue;
        for (const entry of known.byKey.values()) {
          const id = `${known.integrationId}\u0000${entry.secret}`;
          const seen = bySecret.get(id);
          // Two connectors may have read the secret at different times: the later expiry is the newer read.
          if (!seen || Date.parse(entry.expiresAt) > Date.parse(seen.expiresAt)) bySecret.set(id, { integrationId: known.integrationId, secret: entry.secret, expiresAt: entry.expiresAt });
        }
      }
      return [...bySecret.values()].sort((a, b) => a.integrationId.localeCompare(b.integrationId) || a.secret.localeCompare(b.secret));
    },
    start() {
      stopped = false;
      started = true;
      leases.start();
      const every = (ms: number, work: () => Promise<void>) => {
        const timer = setInterval(() => { void work().catch((error: unknown) => { logger.warn({ err: (error as Error).message }, "background pass failed"); }); }, ms);
        timer.unref();
        timers.push(timer);
      };
      every(options.reconcileIntervalMs ?? 10_000, reconcileAll);
      every(options.refreshIntervalMs ?? 5 * 60_000, refreshSecrets);
      every(options.requestPollMs ?? REQUEST_POLL_MS, drainRequests);
    },
    async stop() {
      stopped = true;
      for (const timer of timers.splice(0)) clearInterval(timer);
      if (takeoverTimer) clearTimeout(takeoverTimer);
      for (const id of [...followUps.keys()]) settle(id);
      await passInFlight?.catch(() => undefined);
      await draining?.catch(() => undefined);
      await Promise.allSettled([...locks.values()]);
      // Only now, with nothing left in flight: another replica may take over at once.
      if (started) await leases.stop();
      started = false;
    },
  };
}

function sameConfig(current: Record<string, string> | null, desired: Readonly<Record<string, string>>): boolean {
  if (current === null) return false;
  const a = Object.keys(current).sort();
  const b = Object.keys(desired).sort();
  return a.length === b.length && a.every((key, i) => key === b[i] && current[key] === desired[key]);
}
