/**
 * Secret delivery to Kafka Connect workers, as a use case: the one path by
 * which a secret value leaves vaultwire. A worker's ConfigProvider asks for
 * some keys of one connector; this checks, in order:
 * 1. neither the address nor this credential at this address is locked out
 *    for failed tokens (the same limiter as Basic auth: 10 failures lock a
 *    credential id at an address, 100 lock the address);
 * 2. the token is a valid, unrevoked worker credential of that very cluster;
 * 3. the keys are 1 to 100 names;
 * 4. the connector exists and runs on that cluster's Connect workers: it is
 *    the cluster's, or another cluster's that names one of the same Connect
 *    URLs (as every cluster a Connect worker pool gave its endpoints does:
 *    the pool's workers hold one cluster's credential and run them all);
 * 5. every key is one of the connector's secret keys (managed or encrypted plaintext);
 * then resolves them. Every answer and every refusal is audited — who
 * (credential, address, user agent), which connector, which keys, the
 * outcome and the versions — never a value. Each request is also reported to
 * `onOutcome` as one id-free class (for the operator's metrics).
 */
import { sharesConnectWorkers } from "../domain/connect-pools.js";
import { AuthenticationError, InputError, NotFoundError, UnavailableError, UnprocessableError } from "../domain/errors.js";
import type { SecretValue } from "../secret-managers/secret-value.js";
import type { Store } from "../store/store.js";
import type { Connector } from "../domain/resources.js";
import type { AuditRecorder } from "./audit-trail.js";
import type { SecretDelivery } from "./secret-delivery.js";
import type { WorkerCredentialService } from "./worker-credentials.js";

/** Failed attempts per client address and credential id (the HTTP layer's limiter, narrowed). */
export interface FailedTokenLimiter {
  /** Throws a TooManyRequestsError while the address, or this credential at it, is locked out. */
  check(address: string, credentialId: string | undefined): void;
  fail(address: string, credentialId: string | undefined): void;
  succeed(address: string, credentialId: string | undefined): void;
}

export interface WorkerSecretRequest {
  readonly clusterId: string;
  readonly connectorId: string;
  /** The `keys` query parameter as sent: comma-separated. */
  readonly keys: string;
  /** The bearer token, when one was sent. */
  readonly token: string | undefined;
  /** The client address and what it says it is, for the audit trail. */
  readonly remote: string;
  readonly userAgent?: string | undefined;
  /** What the worker calls itself (the provider's X-Vaultwire-Worker header, `param.worker.id` or its host name). */
  readonly worker?: string | undefined;
}

export interface AuditEvent {
  readonly audit: "secret-access";
  readonly cluster: string;
  readonly connector: string;
  readonly keys: readonly string[];
  readonly outcome: string;
  readonly remote: string;
  readonly credential: string | null;
  readonly [detail: string]: unknown;
}

export interface WorkerDelivery {
  /** The values of the requested keys; throws a domain error (and audits it) otherwise. */
  deliver(request: WorkerSecretRequest): Promise<ReadonlyMap<string, SecretValue>>;
}

/**
 * What became of one request, as a class with no ids or values in it: served,
 * or why not. `internal_error` is a request that failed unexpectedly (the
 * store or a credential check threw) before any other outcome.
 */
export const WORKER_DELIVERY_OUTCOMES = ["served", "locked_out", "no_credential", "refused_credential", "bad_keys", "unknown_connector", "not_secret", "secret_error", "internal_error"] as const;
export type WorkerDeliveryOutcome = (typeof WORKER_DELIVERY_OUTCOMES)[number];

export interface WorkerDeliveryReport {
  readonly outcome: WorkerDeliveryOutcome;
  /** The secret lookups that failed (for `secret_error`; empty otherwise), transient or not. */
  readonly failedLookups: readonly { readonly transient: boolean }[];
}

export interface WorkerDeliveryDependencies {
  readonly store: Pick<Store, "connectors" | "clusters">;
  readonly credentials: Pick<WorkerCredentialService, "verify">;
  readonly delivery: SecretDelivery;
  readonly limiter: FailedTokenLimiter;
  readonly audit: (event: AuditEvent) => void;
  /** The audit trail in the store (decision 42): the same answers and refusals, as rows. */
  readonly trail?: AuditRecorder;
  /** Called once per request with its outcome (metrics); must not throw, and is ignored if it does. */
  readonly onOutcome?: (report: WorkerDeliveryReport) => void;
}

const MAX_KEYS = 100;

/** A header value as an audit field: one line of printable text, at most 200 characters. */
function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, "?").slice(0, 200);
}
const MAX_KEY_LENGTH = 255;

export function createWorkerDelivery(deps: WorkerDeliveryDependencies): WorkerDelivery {
  return {
    async deliver(request) {
      const reported = { yet: false };
      const report = (outcome: WorkerDeliveryOutcome, failedLookups: readonly { readonly transient: boolean }[] = []) => {
        reported.yet = true;
        try {
          deps.onOutcome?.({ outcome, failedLookups: failedLookups.map((f) => ({ transient: f.transient })) });
        } catch {
          // Metrics never change what a worker gets.
        }
      };
      try {
        return await deliverChecked(request, report);
      } catch (error) {
        if (!reported.yet) report("internal_error");
        throw error;
      }
    },
  };

  async function deliverChecked(request: WorkerSecretRequest, report: (outcome: WorkerDeliveryOutcome, failedLookups?: readonly { readonly transient: boolean }[]) => void): Promise<ReadonlyMap<string, SecretValue>> {
    const keys = request.keys.split(",").map((k) => k.trim()).filter((k) => k !== "").slice(0, MAX_KEYS + 1).map((k) => k.slice(0, MAX_KEY_LENGTH));
    let credential: string | null = null;
    /** The connector's cluster, when it is another one on the same Connect workers as the credential's. */
    let connectorCluster: string | undefined;
    /** The connector, once it is known to be this cluster's. */
    const seen: { connector?: Connector } = {};
    const record = (kind: WorkerDeliveryOutcome, extra: { versions?: Record<string, string>; secrets?: Record<string, string> }) => {
      const found = seen.connector;
      deps.trail?.record({
        type: kind === "served" || kind === "secret_error" ? "secret.access" : "secret.access.refused",
        outcome: kind === "served" ? "granted" : kind === "secret_error" ? "failed" : "denied",
        reason: kind === "served" ? null : kind,
        environmentId: found?.environmentId ?? null,
        clusterId: found?.clusterId ?? request.clusterId.slice(0, 128),
        connectorId: found?.id ?? request.connectorId.slice(0, 128),
        connectorName: found?.name ?? null,
        integrationId: found?.integrationId ?? null,
        keys,
        versions: extra.versions ?? {},
        secrets: extra.secrets ?? {},
        workerCredentialId: credential,
        workerName: request.worker === undefined ? null : printable(request.worker),
        remoteAddress: request.remote,
        userAgent: request.userAgent === undefined ? null : printable(request.userAgent),
      });
    };
    const audit = (kind: WorkerDeliveryOutcome, outcome: string, extra: Record<string, unknown> = {}, trail: { versions?: Record<string, string>; secrets?: Record<string, string> } = {}) => {
      record(kind, trail);
      deps.audit({
        audit: "secret-access",
        cluster: request.clusterId.slice(0, 128),
        connector: request.connectorId.slice(0, 128),
        keys,
        outcome,
        remote: request.remote,
        credential,
        ...(request.userAgent === undefined ? {} : { userAgent: printable(request.userAgent) }),
        ...(request.worker === undefined ? {} : { worker: printable(request.worker) }),
        ...(connectorCluster === undefined ? {} : { connectorCluster }),
        ...extra,
      });
      if (kind !== "secret_error") report(kind);
    };
    // The id a token names (vwc_<id>_<secret>), valid or not: what the lock-out counts against.
    const claimed = /^vwc_(wcr-[a-z0-9]{1,64})_/.exec(request.token ?? "")?.[1];
    try {
      deps.limiter.check(request.remote, claimed);
    } catch (error) {
      audit("locked_out", "denied: too many failed worker tokens from this address");
      throw error;
    }
    const verified = await deps.credentials.verify(request.clusterId, request.token);
    if (!verified) {
      deps.limiter.fail(request.remote, claimed);
      if (request.token === undefined) audit("no_credential", "denied: no worker credential");
      else audit("refused_credential", "denied: invalid or revoked worker credential");
      throw new AuthenticationError(`invalid or revoked worker credential for Kafka cluster "${request.clusterId.slice(0, 128)}": create one with "vaultwire kafka cluster worker-credential create"`);
    }
    deps.limiter.succeed(request.remote, verified.id);
    credential = verified.id;
    if (keys.length === 0 || keys.length > MAX_KEYS) {
      audit("bad_keys", "denied: no keys or too many");
      throw new InputError(`keys must name 1 to ${MAX_KEYS} configuration keys, comma-separated`, [{ field: "keys", message: "1 to 100 comma-separated keys" }]);
    }
    const connector = await deps.store.connectors.get(request.connectorId);
    if (!connector || !(await runsOnWorkersOf(connector.clusterId, verified.clusterId))) {
      audit("unknown_connector", "denied: unknown connector for this cluster");
      throw new NotFoundError(`connector "${request.connectorId.slice(0, 128)}" does not exist in Kafka cluster "${verified.clusterId}" nor in another cluster on its Kafka Connect workers`);
    }
    seen.connector = connector;
    if (connector.clusterId !== verified.clusterId) connectorCluster = connector.clusterId;
    const secretKeys = deps.delivery.secretKeys(connector);
    const allowed = new Set([...secretKeys.managed, ...secretKeys.plaintext]);
    const refused = keys.filter((k) => !allowed.has(k));
    if (refused.length > 0) {
      audit("not_secret", "denied: not secret keys", { refused });
      throw new NotFoundError(`connector "${connector.name}" (${connector.id}) has no secret for ${refused.join(", ")}`);
    }
    const secrets = await deps.delivery.resolve(connector, keys, { coherent: true });
    if (secrets.errors.length > 0) {
      audit("secret_error", "failed", { errors: secrets.errors.map((e) => e.key) }, { versions: Object.fromEntries(secrets.versions), secrets: Object.fromEntries(secrets.references) });
      report("secret_error", secrets.errors);
      const message = secrets.errors.map((e) => e.message).join("; ");
      throw secrets.errors.every((e) => e.transient) ? new UnavailableError(message) : new UnprocessableError(message);
    }
    const versions = Object.fromEntries(secrets.versions);
    audit("served", "granted", { versions }, { versions, secrets: Object.fromEntries(secrets.references) });
    return secrets.values;
  }

  /** Whether a connector of `connectorClusterId` runs on the Connect workers of `credentialClusterId`. */
  async function runsOnWorkersOf(connectorClusterId: string, credentialClusterId: string): Promise<boolean> {
    if (connectorClusterId === credentialClusterId) return true;
    const [ofConnector, ofCredential] = await Promise.all([deps.store.clusters.get(connectorClusterId), deps.store.clusters.get(credentialClusterId)]);
    return ofConnector !== undefined && ofCredential !== undefined && sharesConnectWorkers(ofConnector, ofCredential);
  }
}
