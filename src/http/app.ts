/**
 * The Fastify application: authentication, the API families, health,
 * metrics and the OpenAPI document. Route schemas document the API (and
 * generate /openapi.json); the services validate input themselves so every
 * problem is reported at once, in each family's error shape.
 */
import swagger from "@fastify/swagger";
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { ApiKeyService } from "../services/api-keys.js";
import type { AuditService } from "../services/audit-trail.js";
import { createRequestRates, type RequestRates } from "../services/request-rates.js";
import type { ClusterService } from "../services/clusters.js";
import type { ConnectorService } from "../services/connectors.js";
import type { ConnectorOffsetsService } from "../services/connector-offsets.js";
import type { EnvironmentService } from "../services/environments.js";
import type { OrganizationService } from "../services/organization.js";
import type { RoleBindingService, ServiceAccountService } from "../services/identity.js";
import type { IntegrationService } from "../services/integrations.js";
import type { Principal } from "../services/principal.js";
import type { SecretEventService } from "../services/secret-events.js";
import type { WorkerCredentialService } from "../services/worker-credentials.js";
import type { Store } from "../store/store.js";
import type { VaultHostPolicy } from "../secret-managers/azure-key-vault/vault-host-policy.js";
import { AuthenticationError, DomainError, InputError } from "../domain/errors.js";
import { basicKeyId, FailedAttemptLimiter } from "./auth.js";
import { registerAuditV1 } from "./audit-v1/routes.js";
import { registerCmkV2 } from "./cmk-v2/routes.js";
import { registerConnectV1 } from "./connect-v1/routes.js";
import { registerConsole } from "./console.js";
import { registerHealth, type Lifecycle } from "./health.js";
import { errorBody, familyOf, ProtocolError, toHttpError } from "./errors.js";
import { registerIamV2 } from "./iam-v2/routes.js";
import type { LinkContext } from "./links.js";
import { createMetricsRegistry } from "./metrics.js";
import { registerOrgV2 } from "./org-v2/routes.js";
import { registerPimV1 } from "./pim-v1/routes.js";
import { registerPimV2 } from "./pim-v2/routes.js";
import { registerEventSubscriptions } from "./pim-v2/event-subscriptions.js";
import { registerEventsV1, stripWebhookToken } from "./events/routes.js";
import { registerSecretManagers, type SecretManagerHosts } from "./pim-v2/secret-managers.js";
import { commonErrorResponses, SHARED_SCHEMAS } from "./schemas.js";
import { clientErrorHandler, MAX_PARAM_LENGTH, MAX_URL_LENGTH, methodNotAllowed, RouteMethods, uriTooLong } from "./protocol.js";
import { registerInternalV1, type InternalDependencies } from "./internal/routes.js";

export const BODY_LIMIT_BYTES = 1024 * 1024;
export const OPENAPI_INFO = { title: "vaultwire API", version: "0.1.0", description: "Confluent Cloud-compatible API for connectors whose credentials live in a cloud secret manager." };

export interface HttpServices {
  readonly environments: EnvironmentService;
  readonly organization: OrganizationService;
  readonly clusters: ClusterService;
  readonly integrations: IntegrationService;
  readonly connectors: ConnectorService;
  readonly connectorOffsets: ConnectorOffsetsService;
  readonly apiKeys: ApiKeyService;
  readonly serviceAccounts: ServiceAccountService;
  readonly roleBindings: RoleBindingService;
  readonly workerCredentials: WorkerCredentialService;
  /** Event Grid push: the integrations' event subscriptions and their webhook. */
  readonly secretEvents: SecretEventService;
  readonly audit: AuditService;
}

export interface HttpDependencies {
  readonly services: HttpServices;
  readonly store: Pick<Store, "ping" | "connectors">;
  readonly logger: Logger;
  readonly links: LinkContext;
  /** The platform identity's app id, shown as confluent_multi_tenant_app_id. */
  readonly platformAppId: string;
  /** The platform AWS identity's role ARN, shown as pim/v1's iam_role_arn ("" when none). */
  readonly awsPlatformRoleArn?: string;
  /** Where /metrics reads from (the composition root's, shared with the services' metrics); a new one with Node's defaults otherwise. */
  readonly registry?: Registry;
  readonly failedAttempts?: FailedAttemptLimiter;
  /** Vault hosts the validate endpoint's vault_uri may name. */
  readonly vaultHosts: VaultHostPolicy;
  /** Each supported secret manager's allowed hosts, for GET /pim/v2/secret-managers (the composition root builds it from the same policies). */
  readonly secretManagerHosts: SecretManagerHosts;
  /** The workers' secret endpoint; absent, /internal/v1 is not served. */
  readonly internal?: InternalDependencies;
  /** Proxies whose X-Forwarded-For names the client (addresses or CIDRs). */
  readonly trustedProxies?: readonly string[];
  /** This replica's secret-manager requests per minute (/audit/v1/secret-manager-requests); absent, an empty one. */
  readonly requestRates?: Pick<RequestRates, "snapshot">;
  /** Started / draining, for /health/ready; absent, the app counts as started and never drains. */
  readonly lifecycle?: Lifecycle;
}

/** The caller of a request (set by the authentication hook). */
const principals = new WeakMap<FastifyRequest, Principal>();

export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (!principal) throw new Error("route reached without authentication");
  return principal;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Reachable without an API key. */
    readonly public?: boolean;
  }
}

export async function createHttpApp(deps: HttpDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    // Typed as Fastify's base logger so the app's type matches the route modules'.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    // A "__proto__" key is dropped rather than failing the whole body (it never reaches an object's prototype either way).
    onProtoPoisoning: "remove",
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    ...(deps.trustedProxies && deps.trustedProxies.length > 0 ? { trustProxy: [...deps.trustedProxies] } : {}),
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: MAX_PARAM_LENGTH },
    // An Event Grid webhook's ?token= never reaches routing or a log line.
    rewriteUrl: stripWebhookToken,
    // Malformed URLs and over-long path segments, before routing (no authentication yet).
    frameworkErrors: (error, request, reply) => {
      void sendError(request, reply, error);
    },
    clientErrorHandler,
  });
  // Services check input (all problems at once); schemas are documentation.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Bodies are JSON only: anything else is a 415, not a string for the services to puzzle over.
  app.removeContentTypeParser("text/plain");

  const routeMethods = new RouteMethods();
  app.addHook("onRoute", (route) => {
    const url = route.url;
    routeMethods.add(url, route.method);
    // Every documented operation declares the statuses any request can get, besides its own.
    const schema = route.schema as (Record<string, unknown> & { hide?: boolean; response?: Record<string, unknown> }) | undefined;
    if (schema !== undefined && schema.hide !== true && route.config?.public !== true) {
      route.schema = { ...schema, response: { ...commonErrorResponses(familyOf(url), schema.body !== undefined), ...schema.response } };
    }
  });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  const sendError = (request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply => {
    const mapped = toHttpError(error, { bodyLimitBytes: BODY_LIMIT_BYTES, maxParamLength: MAX_PARAM_LENGTH });
    if (mapped.unexpected) request.log.error({ err: error }, "unexpected error");
    else request.log.info({ status: mapped.status, code: mapped.code }, "request failed");
    if (mapped.retryAfterSeconds !== undefined) void reply.header("retry-after", String(mapped.retryAfterSeconds));
    if (mapped.status === 401) void reply.header("www-authenticate", request.url.startsWith("/internal/") ? "Bearer realm=\"vaultwire-workers\"" : "Basic realm=\"vaultwire\"");
    for (const [name, value] of Object.entries(mapped.headers ?? {})) void reply.header(name, value);
    return reply.status(mapped.status).type("application/json; charset=utf-8").send(errorBody(familyOf(request.url), mapped, request.id));
  };
  /** No route for this method and path: 405 with Allow when another method has one, else 404. */
  const sendNotFound = (request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    const allowed = routeMethods.allowed(request.url);
    if (allowed.length > 0) return sendError(request, reply, methodNotAllowed(request.method, allowed));
    const path = request.url.split("?")[0] ?? "";
    const message = `no route ${request.method} ${path.length > 256 ? `${path.slice(0, 256)}…` : path}`;
    return reply.status(404).type("application/json; charset=utf-8").send(errorBody(familyOf(request.url), { status: 404, code: "not_found", message, problems: [], unexpected: false }, request.id));
  };

  const registry = deps.registry ?? createMetricsRegistry();
  const requests = new Counter({ name: "vaultwire_http_requests_total", help: "HTTP requests by route and status", labelNames: ["method", "route", "status"], registers: [registry] });
  const latency = new Histogram({ name: "vaultwire_http_request_duration_seconds", help: "HTTP request latency", labelNames: ["method", "route"], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry] });
  new Gauge({
    name: "vaultwire_connectors",
    help: "Connectors by observed state",
    labelNames: ["state"],
    registers: [registry],
    async collect() {
      this.reset();
      for (const connector of await deps.store.connectors.listAll()) this.inc({ state: connector.status.state });
    },
  });

  await app.register(swagger, {
    // Shared schemas keep their $id as their name under components/schemas.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === "string" ? json.$id : `def-${i}`) },
    openapi: {
      openapi: "3.1.0",
      info: OPENAPI_INFO,
      components: { securitySchemes: { apiKey: { type: "http", scheme: "basic", description: "API key as user name, API secret as password" } } },
      security: [{ apiKey: [] }],
    },
  });

  app.addHook("onRequest", (request, _reply, done) => {
    done(request.url.length > MAX_URL_LENGTH ? uriTooLong() : undefined);
  });

  const failedAttempts = deps.failedAttempts ?? new FailedAttemptLimiter();
  app.addHook("onRequest", async (request) => {
    if (request.routeOptions.config.public === true) return;
    const address = request.ip;
    const keyId = basicKeyId(request.headers.authorization);
    failedAttempts.check(address, keyId);
    try {
      principals.set(request, await deps.services.apiKeys.authenticate(request.headers.authorization));
      failedAttempts.succeed(address, keyId);
    } catch (error) {
      // Only wrong credentials count: a request without any (a probe, a browser) is no guessing attempt.
      if (error instanceof AuthenticationError && request.headers.authorization !== undefined) failedAttempts.fail(address, keyId);
      throw error;
    }
  });

  // A query parameter given twice arrives as an array: only those the schema declares as arrays may.
  app.addHook("preHandler", (request, _reply, done) => {
    const declared = (request.routeOptions.schema?.querystring as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
    const repeated = Object.entries(request.query as Record<string, unknown>).find(([name, value]) => Array.isArray(value) && declared[name]?.type !== "array");
    done(repeated === undefined ? undefined : new InputError(`query parameter "${repeated[0]}" must be given once`, [{ field: repeated[0], message: "given more than once" }]));
  });

  app.addHook("onResponse", async (request, reply) => {
    const route = request.routeOptions.url ?? "unmatched";
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (error, request, reply) => {
    // A request without a route fails only on its body (a QUERY without Content-Type, bad JSON): it is still a 404 or 405.
    const authFailure = error instanceof DomainError && (error.kind === "authentication" || error.kind === "too-many-requests");
    if (request.is404 && !authFailure && !(error instanceof ProtocolError)) return sendNotFound(request, reply);
    return sendError(request, reply, error);
  });

  app.setNotFoundHandler(async (request, reply) => sendNotFound(request, reply));

  registerHealth(app, { ping: () => deps.store.ping(), ...(deps.lifecycle ? { lifecycle: deps.lifecycle } : {}) });
  app.get("/metrics", { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    return reply.type(registry.contentType).serializer((payload: string) => payload).send(await registry.metrics());
  });
  app.get("/openapi.json", { config: { public: true }, schema: { hide: true } }, () => Promise.resolve(app.swagger()));

  const routeDeps = { ...deps, principalOf };
  registerOrgV2(app, routeDeps);
  registerCmkV2(app, routeDeps);
  registerPimV2(app, routeDeps);
  registerEventSubscriptions(app, routeDeps);
  registerSecretManagers(app, routeDeps);
  registerPimV1(app, { ...routeDeps, awsPlatformRoleArn: deps.awsPlatformRoleArn ?? "" });
  registerConnectV1(app, routeDeps);
  registerIamV2(app, routeDeps);
  registerAuditV1(app, { ...routeDeps, requestRates: deps.requestRates ?? createRequestRates() });
  if (deps.internal) registerInternalV1(app, deps.internal);
  registerEventsV1(app, { secretEvents: deps.services.secretEvents, onWorkFailed: (error) => { deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "acting on key vault events failed; the periodic check is the safety net"); } });
  registerConsole(app);
  return app;
}

export type RouteDependencies = HttpDependencies & { readonly principalOf: (request: FastifyRequest) => Principal };
