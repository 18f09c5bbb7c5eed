/** /cmk/v2/clusters — Confluent's Cluster Management API v2 shapes, plus vaultwire's connection fields. */
import type { FastifyInstance } from "fastify";
import type { KafkaCluster, WorkerCredential } from "../../domain/resources.js";
import { workerProperties, workerPropertiesText } from "../../services/worker-config.js";
import type { RouteDependencies } from "../app.js";
import { crn, kafkaClusterCrn, listMetadata, selfLink, type LinkContext } from "../links.js";
import { objectBody, objectField, pageRequest, requiredQuery } from "../request.js";
import { anyCase, listMetadataSchema, listQuery, metadata, noStoreHeaders, optionalText, pathId, requiredQueryText, requiredText, str, v2ErrorResponses } from "../schemas.js";
import { CLOUDS, NETWORKING_KINDS } from "../../domain/region-policy.js";
import { BOOTSTRAP_SERVERS_PATTERN, CONNECT_URL_PATTERN, REGION_PATTERN, type ClusterInput } from "../../services/clusters.js";

const BASE = "/cmk/v2/clusters";
const KIND_NAMES: Readonly<Record<KafkaCluster["type"], string>> = { BASIC: "Basic", STANDARD: "Standard", ENTERPRISE: "Enterprise", DEDICATED: "Dedicated" };

/** The spec as responses show it. */
const specSchema = {
  type: "object",
  properties: {
    display_name: str(64),
    availability: { enum: ["SINGLE_ZONE", "MULTI_ZONE"] },
    cloud: { enum: ["AWS", "GCP", "AZURE"] },
    region: str(64),
    config: { type: "object", properties: { kind: { enum: ["Basic", "Standard", "Enterprise", "Dedicated"] }, cku: { type: "integer", minimum: 1, maximum: 152 } } },
    environment: { type: "object", properties: { id: str(64), related: str(2048), resource_name: str(2048) } },
    networking: { enum: ["PUBLIC", "PRIVATE_LINK"], description: "vaultwire: the networking kind the secret-manager region policy reads" },
    kafka_bootstrap_servers: str(1024, { description: "vaultwire: Kafka bootstrap servers (host:port, comma-separated)" }),
    connect_urls: { type: "array", maxItems: 10, items: str(512), description: "vaultwire: Kafka Connect REST URLs (http(s)://host[:port]) of the workers that run this cluster's connectors" },
    kafka_bootstrap_endpoint: str(1024, { description: "SASL_SSL://<first bootstrap server>, or empty while the cluster has none" }),
    http_endpoint: str(1024, { format: "uri", description: "the cluster's REST endpoint: vaultwire's public URL, which serves the cluster's Connect API (connect/v1)" }),
    api_endpoint: str(1024, { description: "vaultwire's public URL" }),
  },
} as const;

/**
 * The spec fields a request may set, as the cluster service checks them
 * (other fields, such as the read-only endpoints, are ignored). `null` keeps
 * the default for availability and networking and is "none" for cku,
 * bootstrap servers and Connect URLs.
 */
const writableSpec = {
  display_name: requiredText(64),
  availability: anyCase(["SINGLE_ZONE", "MULTI_ZONE"], { nullable: true, description: "SINGLE_ZONE (default) or MULTI_ZONE, any case" }),
  cloud: anyCase(CLOUDS),
  region: { type: "string", minLength: 1, maxLength: 64, pattern: REGION_PATTERN, description: "a region name of letters, digits and \"-\", e.g. westus3 (stored in lower case)" },
  networking: anyCase(NETWORKING_KINDS, { nullable: true, description: "vaultwire: the networking kind the secret-manager region policy reads: PUBLIC (default) or PRIVATE_LINK, any case" }),
  kafka_bootstrap_servers: { type: ["string", "null"], maxLength: 1024, pattern: BOOTSTRAP_SERVERS_PATTERN, description: "vaultwire: Kafka bootstrap servers (host:port, comma-separated)" },
  connect_urls: { type: ["array", "null"], maxItems: 10, items: { type: "string", maxLength: 512, pattern: CONNECT_URL_PATTERN }, description: "vaultwire: Kafka Connect REST URLs (http:// or https://, a host name or IPv4 address and an optional port; no credentials, path, query or fragment) of the workers that run this cluster's connectors; set only with an organization-wide OrganizationAdmin key, to hosts the server's VAULTWIRE_ALLOWED_CONNECT_HOSTS allows" },
} as const;
const configKind = anyCase(["Basic", "Standard", "Enterprise", "Dedicated"], { description: "Basic, Standard, Enterprise or Dedicated, any case" });
const cku = { type: ["integer", "null"], minimum: 1, maximum: 152 } as const;
const createBody = {
  type: "object",
  properties: {
    spec: {
      type: "object",
      properties: {
        ...writableSpec,
        config: { type: "object", properties: { kind: configKind, cku }, required: ["kind"] },
        environment: { type: "object", properties: { id: requiredText(64) }, required: ["id"] },
      },
      required: ["display_name", "cloud", "region", "config", "environment"],
    },
  },
  required: ["spec"],
} as const;
const updateBody = {
  type: "object",
  properties: {
    spec: {
      type: ["object", "null"],
      description: "the fields to change; the others keep their values",
      properties: {
        ...writableSpec,
        config: { type: ["object", "null"], properties: { kind: configKind, cku } },
        environment: { type: ["object", "null"], description: "ignored: a cluster's environment does not change" },
      },
    },
  },
} as const;
const clusterSchema = {
  type: "object",
  properties: { api_version: { const: "cmk/v2" }, kind: { const: "Cluster" }, id: str(64), metadata, spec: specSchema, status: { type: "object", properties: { phase: str(32), cku: { type: "integer" } } } },
} as const;

export function renderCluster(links: LinkContext, cluster: KafkaCluster): Record<string, unknown> {
  return {
    api_version: "cmk/v2",
    kind: "Cluster",
    id: cluster.id,
    metadata: {
      self: selfLink(links, `${BASE}/${cluster.id}`),
      resource_name: kafkaClusterCrn(links, cluster.environmentId, cluster.id),
      created_at: cluster.createdAt,
      updated_at: cluster.updatedAt,
    },
    spec: {
      display_name: cluster.displayName,
      availability: cluster.availability,
      cloud: cluster.cloud,
      region: cluster.region,
      config: { kind: KIND_NAMES[cluster.type], ...(cluster.cku === null ? {} : { cku: cluster.cku }) },
      kafka_bootstrap_endpoint: cluster.bootstrapServers === "" ? "" : `SASL_SSL://${cluster.bootstrapServers.split(",")[0] ?? ""}`,
      // Confluent's clients read the REST endpoint from here and refuse an empty one.
      http_endpoint: links.publicUrl,
      api_endpoint: links.publicUrl,
      environment: { id: cluster.environmentId, related: selfLink(links, `/org/v2/environments/${cluster.environmentId}`), resource_name: crn(links, ["environment", cluster.environmentId]) },
      networking: cluster.networking,
      kafka_bootstrap_servers: cluster.bootstrapServers,
      connect_urls: cluster.connectUrls,
    },
    status: { phase: "PROVISIONED", ...(cluster.cku === null ? {} : { cku: cluster.cku }) },
  };
}

function clusterInput(body: Record<string, unknown>): ClusterInput {
  const spec = objectField(body.spec, "spec");
  const config = objectField(spec.config, "spec.config");
  const environment = objectField(spec.environment, "spec.environment");
  return {
    ...(spec.display_name === undefined ? {} : { displayName: spec.display_name }),
    ...(environment.id === undefined ? {} : { environmentId: environment.id }),
    ...(spec.cloud === undefined ? {} : { cloud: spec.cloud }),
    ...(spec.region === undefined ? {} : { region: spec.region }),
    ...(spec.availability === undefined ? {} : { availability: spec.availability }),
    ...(config.kind === undefined ? {} : { kind: config.kind }),
    ...(config.cku === undefined ? {} : { cku: config.cku }),
    ...(spec.networking === undefined ? {} : { networking: spec.networking }),
    ...(spec.kafka_bootstrap_servers === undefined ? {} : { bootstrapServers: spec.kafka_bootstrap_servers }),
    ...(spec.connect_urls === undefined ? {} : { connectUrls: spec.connect_urls }),
  };
}

interface IdParams { id: string }
interface EnvironmentQuery { environment?: string; page_size?: string; page_token?: string }

export function registerCmkV2(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.clusters;
  const tags = ["Kafka clusters (cmk/v2)"];
  const envQuery = { type: "object", properties: { environment: str(64, { description: "the cluster's environment (optional; another one is a 404)" }) } } as const;
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;

  app.post(BASE, { schema: { tags, summary: "Register a Kafka cluster", body: createBody, response: { 202: clusterSchema, ...v2ErrorResponses(400, 403, 404) } } }, async (request, reply) => {
    const cluster = await service.create(deps.principalOf(request), clusterInput(objectBody(request.body)));
    return reply.status(202).send(renderCluster(deps.links, cluster));
  });

  app.get<{ Querystring: EnvironmentQuery }>(BASE, { schema: { tags, summary: "List the Kafka clusters of an environment", querystring: { ...listQuery, properties: { ...listQuery.properties, environment: requiredQueryText(64) }, required: ["environment"] }, response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: listMetadataSchema, data: { type: "array", items: clusterSchema } } }, ...v2ErrorResponses(400, 404) } } }, async (request) => {
    const environmentId = requiredQuery(request.query.environment, "environment", "env-a1b2c3d4");
    const page = await service.list(deps.principalOf(request), environmentId, pageRequest(request.query));
    return {
      api_version: "cmk/v2",
      kind: "ClusterList",
      metadata: listMetadata(deps.links, BASE, { environment: environmentId, page_size: request.query.page_size }, page.nextPageToken),
      data: page.items.map((c) => renderCluster(deps.links, c)),
    };
  });

  app.get<{ Params: IdParams; Querystring: EnvironmentQuery }>(`${BASE}/:id`, { schema: { tags, summary: "Read a Kafka cluster", params, querystring: envQuery, response: { 200: clusterSchema, ...v2ErrorResponses(404) } } }, async (request) => {
    return renderCluster(deps.links, await service.get(deps.principalOf(request), request.params.id, request.query.environment));
  });

  app.patch<{ Params: IdParams; Querystring: EnvironmentQuery }>(`${BASE}/:id`, { schema: { tags, summary: "Update a Kafka cluster", params, querystring: envQuery, body: updateBody, response: { 200: clusterSchema, ...v2ErrorResponses(400, 403, 404) } } }, async (request) => {
    // The environment of a cluster does not change; spec.environment is ignored on update.
    const changes: ClusterInput = { ...clusterInput(objectBody(request.body)), environmentId: undefined };
    return renderCluster(deps.links, await service.update(deps.principalOf(request), request.params.id, request.query.environment, changes));
  });

  const poolSchema = {
    type: "object",
    properties: {
      name: str(64),
      connect_urls: { type: "array", maxItems: 10, items: str(512) },
      kafka_bootstrap_servers: str(1024),
      environments: { type: "array", items: str(64) },
      placements: { type: "array", items: str(80, { description: "CLOUD or CLOUD/region" }) },
      default: { type: "boolean" },
    },
  } as const;
  app.get("/cmk/v2/connect-pools", {
    schema: { tags: ["Connect worker pools (vaultwire)"], summary: "vaultwire: the operator's Kafka Connect worker pools (settings), whose endpoints a cluster created without any gets: by environment, cloud/region, or the default (organization-wide keys)", response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), data: { type: "array", items: poolSchema } } }, ...v2ErrorResponses(403) } },
  }, (request) => {
    const pools = service.connectPools(deps.principalOf(request));
    return {
      api_version: "cmk/v2",
      kind: "ConnectPoolList",
      data: pools.pools.map((pool) => ({
        name: pool.name,
        connect_urls: pool.connectUrls,
        kafka_bootstrap_servers: pool.bootstrapServers,
        environments: pool.environments,
        placements: pool.placements.map((p) => (p.region === null ? p.cloud : `${p.cloud}/${p.region}`)),
        default: pool.name === pools.defaultPool,
      })),
    };
  });

  /** What creating a worker credential takes: `{}` at least (a JSON body is required), and an optional description. */
  const credentialBody = { type: "object", properties: { spec: { type: ["object", "null"], properties: { description: optionalText(255, { description: "what the credential is for, e.g. which worker pool" }) } } } } as const;
  const workerConfigSchema = {
    type: "object",
    properties: {
      cluster: { type: "object", properties: { id: str(64) } },
      properties: { type: "object", additionalProperties: str(2048) },
      text: str(8192),
      credential: { type: "object", properties: { id: str(64) }, description: "only when the call created a worker credential" },
    },
  } as const;
  const workerConfig = (cluster: KafkaCluster, created?: { credential: WorkerCredential; token: string }) => {
    const properties = workerProperties({ publicUrl: deps.links.publicUrl, clusterId: cluster.id, bootstrapServers: cluster.bootstrapServers, ...(created ? { token: created.token } : {}) });
    return { cluster: { id: cluster.id }, properties, text: workerPropertiesText(properties, cluster.id), ...(created ? { credential: { id: created.credential.id } } : {}) };
  };

  app.get<{ Params: IdParams; Querystring: EnvironmentQuery }>(`${BASE}/:id/worker-config`, {
    schema: { tags, summary: "vaultwire: the Kafka Connect worker properties a worker of this cluster needs: vaultwire's ConfigProvider, the rebalance delay, the bootstrap servers when known (without a worker credential)", params, querystring: envQuery, response: { 200: workerConfigSchema, ...v2ErrorResponses(404) } },
  }, async (request) => {
    return workerConfig(await service.get(deps.principalOf(request), request.params.id, request.query.environment));
  });

  app.post<{ Params: IdParams; Querystring: EnvironmentQuery }>(`${BASE}/:id/worker-config`, {
    schema: { tags, summary: "vaultwire: create a worker credential and return the worker properties that carry it (organization admins only; shown once)", params, querystring: envQuery, body: credentialBody, response: { 201: { ...workerConfigSchema, headers: noStoreHeaders }, ...v2ErrorResponses(400, 403, 404, 409) } },
  }, async (request, reply) => {
    const spec = objectField(objectBody(request.body).spec, "spec");
    const created = await deps.services.workerCredentials.create(deps.principalOf(request), request.params.id, request.query.environment, { description: spec.description ?? "worker config" });
    return reply.status(201).header("cache-control", "no-store").send(workerConfig(created.cluster, created));
  });

  const credentialSchema = {
    type: "object",
    properties: {
      api_version: { const: "cmk/v2" },
      kind: { const: "WorkerCredential" },
      id: str(64),
      metadata,
      spec: { type: "object", properties: { cluster: { type: "object", properties: { id: str(64) } }, description: str(255), secret: str(128, { description: "only in the create response" }) } },
      status: { type: "object", properties: { last_used_at: { type: ["string", "null"], maxLength: 40 } } },
    },
  } as const;
  const renderCredential = (credential: WorkerCredential, token?: string) => ({
    api_version: "cmk/v2",
    kind: "WorkerCredential",
    id: credential.id,
    metadata: { self: selfLink(deps.links, `${BASE}/${credential.clusterId}/worker-credentials/${credential.id}`), created_at: credential.createdAt },
    spec: { cluster: { id: credential.clusterId }, description: credential.description, ...(token === undefined ? {} : { secret: token }) },
    status: { last_used_at: credential.lastUsedAt },
  });
  const credentialParams = { type: "object", properties: { id: str(64), credential_id: str(64) } } as const;
  const credentialTags = ["Worker credentials (cmk/v2)"];

  app.post<{ Params: IdParams; Querystring: EnvironmentQuery }>(`${BASE}/:id/worker-credentials`, {
    schema: { tags: credentialTags, summary: "vaultwire: create a worker credential for this cluster's Kafka Connect workers (organization admins only; the secret is shown once)", params, querystring: envQuery, body: credentialBody, response: { 201: credentialSchema, ...v2ErrorResponses(400, 403, 404, 409) } },
  }, async (request, reply) => {
    const spec = objectField(objectBody(request.body).spec, "spec");
    const created = await deps.services.workerCredentials.create(deps.principalOf(request), request.params.id, request.query.environment, { description: spec.description });
    return reply.status(201).header("cache-control", "no-store").send(renderCredential(created.credential, created.token));
  });

  app.get<{ Params: IdParams; Querystring: EnvironmentQuery }>(`${BASE}/:id/worker-credentials`, {
    schema: { tags: credentialTags, summary: "vaultwire: list a cluster's worker credentials (never their secrets; organization-wide keys only)", params, querystring: envQuery, response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: listMetadataSchema, data: { type: "array", items: credentialSchema } } }, ...v2ErrorResponses(403, 404) } },
  }, async (request) => {
    const credentials = await deps.services.workerCredentials.list(deps.principalOf(request), request.params.id, request.query.environment);
    return { api_version: "cmk/v2", kind: "WorkerCredentialList", metadata: { first: selfLink(deps.links, `${BASE}/${request.params.id}/worker-credentials`) }, data: credentials.map((c) => renderCredential(c)) };
  });

  app.delete<{ Params: IdParams & { credential_id: string }; Querystring: EnvironmentQuery }>(`${BASE}/:id/worker-credentials/:credential_id`, {
    schema: { tags: credentialTags, summary: "vaultwire: revoke a worker credential (organization admins only); workers using it are refused from then on", params: credentialParams, querystring: envQuery, response: { 204: { type: "null" }, ...v2ErrorResponses(403, 404) } },
  }, async (request, reply) => {
    await deps.services.workerCredentials.revoke(deps.principalOf(request), request.params.id, request.query.environment, request.params.credential_id);
    return reply.status(204).send();
  });

  app.delete<{ Params: IdParams; Querystring: EnvironmentQuery }>(`${BASE}/:id`, { schema: { tags, summary: "Remove a Kafka cluster without connectors", params, querystring: envQuery, response: { 204: { type: "null" }, ...v2ErrorResponses(404, 409) } } }, async (request, reply) => {
    await service.delete(deps.principalOf(request), request.params.id, request.query.environment);
    return reply.status(204).send();
  });
}
