/**
 * Worker credentials: what a Kafka Connect worker's ConfigProvider presents
 * (`Authorization: Bearer vwc_<id>_<secret>`) to fetch the secrets of its
 * cluster's connectors. Kafka Connect workers are a separate trust zone, so
 * their credentials are their own resource: only an organization admin
 * creates or revokes one, the secret is shown once and stored as a SHA-256
 * hash, and two or more may be valid at once so a worker fleet can rotate
 * without downtime (create a new one, roll the workers, revoke the old one).
 * Verification reads the store every time, so a revocation takes effect at
 * once on every replica.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { ConflictError, NotFoundError } from "../domain/errors.js";
import type { KafkaCluster, WorkerCredential } from "../domain/resources.js";
import type { ClusterService } from "./clusters.js";
import type { ServiceContext } from "./context.js";
import { FieldChecks } from "./input.js";
import { assertOrgAdmin, assertOrgReader, type Principal } from "./principal.js";

const TOKEN_PATTERN = /^vwc_(wcr-[a-z0-9]{1,64})_([A-Za-z0-9_-]{43})$/;
const TOUCH_INTERVAL_MS = 60_000;
/** A cluster's credentials at most: rotation needs two; a few more for separate worker pools. */
export const MAX_CREDENTIALS_PER_CLUSTER = 10;

export interface CreatedWorkerCredential {
  readonly credential: WorkerCredential;
  /** The bearer token; shown once, never stored. */
  readonly token: string;
}

export interface WorkerCredentialService {
  create(principal: Principal, clusterId: string, environmentId: string | undefined, input: { description: unknown }): Promise<CreatedWorkerCredential & { cluster: KafkaCluster }>;
  list(principal: Principal, clusterId: string, environmentId: string | undefined): Promise<readonly WorkerCredential[]>;
  revoke(principal: Principal, clusterId: string, environmentId: string | undefined, credentialId: string): Promise<void>;
  /** The credential a presented token is, when it is a valid one of that cluster; null otherwise. */
  verify(clusterId: string, token: string | undefined): Promise<WorkerCredential | null>;
}

export interface WorkerCredentialDependencies extends ServiceContext {
  readonly clusters: Pick<ClusterService, "get">;
}

function digest(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

export function workerCredentialNotFound(id: string, clusterId: string): NotFoundError {
  return new NotFoundError(`worker credential "${id}" was not found in Kafka cluster "${clusterId}"`);
}

export function createWorkerCredentialService(deps: WorkerCredentialDependencies): WorkerCredentialService {
  const { store } = deps;
  const touched = new Map<string, number>();

  return {
    async create(principal, clusterId, environmentId, input) {
      const cluster = await deps.clusters.get(principal, clusterId, environmentId);
      assertOrgAdmin(principal, "creating a worker credential");
      const checks = new FieldChecks();
      const description = checks.optionalString("spec.description", input.description, 255) ?? "";
      checks.throwIfAny("invalid worker credential");
      const existing = await store.workerCredentials.listByCluster(cluster.id);
      if (existing.length >= MAX_CREDENTIALS_PER_CLUSTER) {
        throw new ConflictError(`Kafka cluster "${cluster.id}" already has ${existing.length} worker credentials, the most it may have; revoke one first`);
      }
      const secret = randomBytes(32).toString("base64url");
      const credential: WorkerCredential = { id: deps.newId("workerCredential"), clusterId: cluster.id, secretHash: digest(secret), description, createdAt: deps.now(), lastUsedAt: null };
      await store.workerCredentials.insert(credential);
      return { credential, token: `vwc_${credential.id}_${secret}`, cluster };
    },

    async list(principal, clusterId, environmentId) {
      const cluster = await deps.clusters.get(principal, clusterId, environmentId);
      assertOrgReader(principal, "listing worker credentials");
      return store.workerCredentials.listByCluster(cluster.id);
    },

    async revoke(principal, clusterId, environmentId, credentialId) {
      const cluster = await deps.clusters.get(principal, clusterId, environmentId);
      assertOrgAdmin(principal, "revoking a worker credential");
      const credential = await store.workerCredentials.get(credentialId);
      if (!credential || credential.clusterId !== cluster.id) throw workerCredentialNotFound(credentialId, cluster.id);
      await store.workerCredentials.delete(credential.id);
      touched.delete(credential.id);
    },

    async verify(clusterId, token) {
      const match = TOKEN_PATTERN.exec(token ?? "");
      // The hash is computed whatever the token, so a malformed or unknown one costs the same.
      const presented = Buffer.from(digest(match?.[2] ?? token ?? ""));
      if (!match?.[1]) return null;
      const credential = await store.workerCredentials.get(match[1]);
      const expected = Buffer.from(credential?.secretHash ?? "");
      const equal = expected.length === presented.length && timingSafeEqual(expected, presented);
      if (!credential || !equal || credential.clusterId !== clusterId) return null;
      const now = Date.now();
      if ((touched.get(credential.id) ?? 0) + TOUCH_INTERVAL_MS < now) {
        touched.set(credential.id, now);
        await store.workerCredentials.touch(credential.id, deps.now());
        if (touched.size > 10_000) touched.clear();
      }
      return credential;
    },
  };
}
