/**
 * /internal/v1 — what Kafka Connect workers call: their ConfigProvider asks
 * for the secrets of one connector of their cluster, key by key, with the
 * cluster's worker token. Only that cluster's connectors, only the keys that
 * are secrets; every access is audited (who, which connector, which keys,
 * when, the outcome — never a value). The one response in vaultwire that
 * carries secret values.
 */
import type { FastifyInstance } from "fastify";
import { AuthenticationError, InputError, NotFoundError } from "../../domain/errors.js";
import type { SecretBox } from "../../services/secret-box.js";
import type { SecretDelivery } from "../../services/secret-delivery.js";
import { verifyWorkerToken } from "../../services/worker-tokens.js";
import type { Store } from "../../store/store.js";
import type { Logger } from "pino";

export interface InternalDependencies {
  readonly store: Pick<Store, "connectors">;
  readonly box: SecretBox;
  readonly delivery: SecretDelivery;
  readonly audit: Logger;
}

interface Params { cluster_id: string; connector_id: string }

export function registerInternalV1(app: FastifyInstance, deps: InternalDependencies): void {
  app.get<{ Params: Params; Querystring: { keys?: string } }>("/internal/v1/clusters/:cluster_id/connectors/:connector_id/secrets", {
    config: { public: true },
    schema: { hide: true },
  }, async (request, reply) => {
    const { cluster_id: clusterId, connector_id: connectorId } = request.params;
    const token = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const keys = (request.query.keys ?? "").split(",").map((k) => k.trim()).filter((k) => k !== "");
    const audit = (outcome: string, extra: Record<string, unknown> = {}) => {
      deps.audit.info({ audit: "secret-access", cluster: clusterId, connector: connectorId, keys, outcome, remote: request.ip, ...extra }, "worker secret access");
    };
    if (!verifyWorkerToken(deps.box, clusterId, token)) {
      audit("denied: invalid worker token");
      throw new AuthenticationError(`invalid worker token for Kafka cluster "${clusterId}"`);
    }
    if (keys.length === 0 || keys.length > 100) {
      audit("denied: no keys or too many");
      throw new InputError("keys must name 1 to 100 configuration keys, comma-separated");
    }
    const connector = await deps.store.connectors.get(connectorId);
    if (!connector || connector.clusterId !== clusterId) {
      audit("denied: unknown connector for this cluster");
      throw new NotFoundError(`connector "${connectorId}" does not exist in Kafka cluster "${clusterId}"`);
    }
    const secretKeys = deps.delivery.secretKeys(connector);
    const allowed = new Set([...secretKeys.managed, ...secretKeys.plaintext]);
    const refused = keys.filter((k) => !allowed.has(k));
    if (refused.length > 0) {
      audit("denied: not secret keys", { refused });
      throw new NotFoundError(`connector "${connector.name}" (${connectorId}) has no secret for ${refused.join(", ")}`);
    }
    const secrets = await deps.delivery.resolve(connector, keys);
    if (secrets.errors.length > 0) {
      audit("failed", { errors: secrets.errors.map((e) => e.key) });
      const status = secrets.errors.every((e) => e.transient) ? 503 : 422;
      return reply.status(status).send({ error: { code: status, message: secrets.errors.map((e) => e.message).join("; ") } });
    }
    audit("granted", { versions: Object.fromEntries(secrets.versions) });
    const data: Record<string, string> = {};
    for (const [key, value] of secrets.values) data[key] = value.reveal();
    return reply.header("cache-control", "no-store").send({ data });
  });
}
