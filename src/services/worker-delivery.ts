/**
 * Secret delivery to Kafka Connect workers, as a use case: the one path by
 * which a secret value leaves vaultwire. A worker's ConfigProvider asks for
 * some keys of one connector; this checks, in order:
 * 1. neither the address nor this credential at this address is locked out
 *    for failed tokens (the same limiter as Basic auth: 10 failures lock a
 *    credential id at an address, 100 lock the address);
 * 2. the token is a valid, unrevoked worker credential of that very cluster;
 * 3. the keys are 1 to 100 names;
 * 4. the connector exists and is deployed on that cluster;
 * 5. every key is one of the connector's secret keys (managed or encrypted plaintext);
 * then resolves them. Every answer and every refusal is audited — who
 * (credential, address, user agent), which connector, which keys, the
 * outcome and the versions — never a value.
 */
import { AuthenticationError, InputError, NotFoundError, UnavailableError, UnprocessableError } from "../domain/errors.js";
import type { SecretValue } from "../secret-managers/secret-value.js";
import type { Store } from "../store/store.js";
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

export interface WorkerDeliveryDependencies {
  readonly store: Pick<Store, "connectors">;
  readonly credentials: Pick<WorkerCredentialService, "verify">;
  readonly delivery: SecretDelivery;
  readonly limiter: FailedTokenLimiter;
  readonly audit: (event: AuditEvent) => void;
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
      const keys = request.keys.split(",").map((k) => k.trim()).filter((k) => k !== "").slice(0, MAX_KEYS + 1).map((k) => k.slice(0, MAX_KEY_LENGTH));
      let credential: string | null = null;
      const audit = (outcome: string, extra: Record<string, unknown> = {}) => {
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
          ...extra,
        });
      };
      // The id a token names (vwc_<id>_<secret>), valid or not: what the lock-out counts against.
      const claimed = /^vwc_(wcr-[a-z0-9]{1,64})_/.exec(request.token ?? "")?.[1];
      try {
        deps.limiter.check(request.remote, claimed);
      } catch (error) {
        audit("denied: too many failed worker tokens from this address");
        throw error;
      }
      const verified = await deps.credentials.verify(request.clusterId, request.token);
      if (!verified) {
        deps.limiter.fail(request.remote, claimed);
        audit(request.token === undefined ? "denied: no worker credential" : "denied: invalid or revoked worker credential");
        throw new AuthenticationError(`invalid or revoked worker credential for Kafka cluster "${request.clusterId.slice(0, 128)}": create one with "vaultwire kafka cluster worker-credential create"`);
      }
      deps.limiter.succeed(request.remote, verified.id);
      credential = verified.id;
      if (keys.length === 0 || keys.length > MAX_KEYS) {
        audit("denied: no keys or too many");
        throw new InputError(`keys must name 1 to ${MAX_KEYS} configuration keys, comma-separated`, [{ field: "keys", message: "1 to 100 comma-separated keys" }]);
      }
      const connector = await deps.store.connectors.get(request.connectorId);
      if (!connector || connector.clusterId !== verified.clusterId) {
        audit("denied: unknown connector for this cluster");
        throw new NotFoundError(`connector "${request.connectorId.slice(0, 128)}" does not exist in Kafka cluster "${verified.clusterId}"`);
      }
      const secretKeys = deps.delivery.secretKeys(connector);
      const allowed = new Set([...secretKeys.managed, ...secretKeys.plaintext]);
      const refused = keys.filter((k) => !allowed.has(k));
      if (refused.length > 0) {
        audit("denied: not secret keys", { refused });
        throw new NotFoundError(`connector "${connector.name}" (${connector.id}) has no secret for ${refused.join(", ")}`);
      }
      const secrets = await deps.delivery.resolve(connector, keys);
      if (secrets.errors.length > 0) {
        audit("failed", { errors: secrets.errors.map((e) => e.key) });
        const message = secrets.errors.map((e) => e.message).join("; ");
        throw secrets.errors.every((e) => e.transient) ? new UnavailableError(message) : new UnprocessableError(message);
      }
      audit("granted", { versions: Object.fromEntries(secrets.versions) });
      return secrets.values;
    },
  };
}
