/**
 * /internal/v1 — what Kafka Connect workers call: their ConfigProvider asks
 * for the secrets of one connector of their cluster, with a worker
 * credential. The checks, the audit trail and the lock-out live in the
 * worker-delivery use case; this only adapts HTTP. The one response in
 * vaultwire that carries secret values.
 */
import type { FastifyInstance } from "fastify";
import type { WorkerDelivery } from "../../services/worker-delivery.js";

export interface InternalDependencies {
  readonly workerDelivery: WorkerDelivery;
}

interface Params { cluster_id: string; connector_id: string }

export function registerInternalV1(app: FastifyInstance, deps: InternalDependencies): void {
  app.get<{ Params: Params; Querystring: { keys?: string } }>("/internal/v1/clusters/:cluster_id/connectors/:connector_id/secrets", {
    config: { public: true },
    schema: { hide: true },
  }, async (request, reply) => {
    const values = await deps.workerDelivery.deliver({
      clusterId: request.params.cluster_id,
      connectorId: request.params.connector_id,
      keys: typeof request.query.keys === "string" ? request.query.keys : "",
      token: /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1],
      remote: request.ip,
      userAgent: request.headers["user-agent"],
      worker: typeof request.headers["x-vaultwire-worker"] === "string" ? request.headers["x-vaultwire-worker"] : undefined,
    });
    const data: Record<string, string> = {};
    for (const [key, value] of values) data[key] = value.reveal();
    return reply.header("cache-control", "no-store").send({ data });
  });
}
