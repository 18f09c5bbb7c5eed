/**
 * Health endpoints for load balancers and orchestrators, public and never
 * cached, with nothing secret in them:
 *
 * - `/health`: the store answers (as it always was).
 * - `/health/live`: the process runs; 200 while the event loop does, draining
 *   or not (a liveness probe that failed during a drain would kill the replica).
 * - `/health/ready`: send traffic here: the server finished starting
 *   (migrations ran before it listened), is not draining, and the store answers.
 *
 * However often they are probed, the store is pinged at most once per
 * PING_CACHE_MS per replica, so a load balancer probing every few hundred
 * milliseconds does not load the database.
 */
import type { FastifyInstance, FastifyReply } from "fastify";

/** Where the server is in its life; the composition root owns it, the readiness route reads it. */
export interface Lifecycle {
  /** Migrations ran, the server listens and background work started. */
  readonly started: boolean;
  /** Shutting down: readiness is 503 while requests are still served. */
  readonly draining: boolean;
}

/** How long one answer of the store's ping is reused. */
export const PING_CACHE_MS = 1_000;

export type ReadinessProblem = "starting" | "draining" | "store unreachable";

export interface HealthDependencies {
  readonly ping: () => Promise<boolean>;
  /** Absent: started and not draining (an app that is not the server's, e.g. the OpenAPI generator's). */
  readonly lifecycle?: Lifecycle;
}

/**
 * `probe` at most once per `ttlMs`: the last answer is reused until it is
 * that old, and callers arriving while a probe runs share it. A probe that
 * throws answers false.
 */
export function cachedProbe(probe: () => Promise<boolean>, ttlMs: number, now: () => number = () => Date.now()): () => Promise<boolean> {
  let last: { at: number; ok: boolean } | undefined;
  let running: Promise<boolean> | undefined;
  return () => {
    if (last !== undefined && now() - last.at < ttlMs) return Promise.resolve(last.ok);
    running ??= probe().catch(() => false).then((ok) => {
      last = { at: now(), ok };
      running = undefined;
      return ok;
    });
    return running;
  };
}

export function registerHealth(app: FastifyInstance, deps: HealthDependencies): void {
  const storeAnswers = cachedProbe(deps.ping, PING_CACHE_MS);
  const lifecycle = deps.lifecycle ?? { started: true, draining: false };
  const options = { config: { public: true }, schema: { hide: true } } as const;
  const json = (reply: FastifyReply, status: number, body: unknown): FastifyReply =>
    reply.status(status).header("cache-control", "no-store").type("application/json; charset=utf-8").send(body);

  app.get("/health", options, async (_request, reply) => {
    const database = await storeAnswers();
    return json(reply, database ? 200 : 503, { status: database ? "ok" : "unavailable", checks: { database: database ? "ok" : "unavailable" } });
  });

  app.get("/health/live", options, async (_request, reply) => json(reply, 200, { status: "ok" }));

  app.get("/health/ready", options, async (_request, reply) => {
    const database = await storeAnswers();
    const problems: ReadinessProblem[] = [];
    if (!lifecycle.started) problems.push("starting");
    if (lifecycle.draining) problems.push("draining");
    if (!database) problems.push("store unreachable");
    const checks = { database: database ? "ok" : "unavailable", started: lifecycle.started, draining: lifecycle.draining };
    if (problems.length === 0) return json(reply, 200, { status: "ready", checks });
    return json(reply, 503, { status: "unavailable", reason: problems.join(", "), problems, checks });
  });
}
