/**
 * /connect/v1/environments/{env}/clusters/{lkc}/… — Confluent's Connect API v1
 * (Kafka Connect's REST shapes), plus vaultwire's restart. Errors use
 * `{"error": {"code", "message"}}`.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { InputError } from "../../domain/errors.js";
import type { Connector, ConnectorOffsetRequest } from "../../domain/resources.js";
import type { ConnectorLocation, ConnectorService } from "../../services/connectors.js";
import type { RouteDependencies } from "../app.js";
import { objectBody } from "../request.js";
import { MAX_OFFSET_ENTRIES } from "../../services/connector-offsets.js";
import { CONFIG_LIMITS } from "../../domain/connector-config.js";
import { characterCount, MAX_RESOURCE_NAME, NOT_BLANK_PATTERN, RESOURCE_NAME_PATTERN } from "../../services/input.js";
import { connectErrorResponses, pathId, str } from "../schemas.js";

const BASE = "/connect/v1/environments/:environment_id/clusters/:kafka_cluster_id";
/** A connector config as responses show it. */
const configMap = { type: "object", additionalProperties: str(65536), maxProperties: CONFIG_LIMITS.maxKeys } as const;
/** A connector config as requests give it: string keys (not blank, at most 255 characters) to string values (at most 64 KiB in UTF-8). */
const configInput = {
  type: "object",
  maxProperties: CONFIG_LIMITS.maxKeys,
  propertyNames: { minLength: 1, maxLength: CONFIG_LIMITS.maxKeyLength, pattern: NOT_BLANK_PATTERN },
  additionalProperties: { type: "string", maxLength: CONFIG_LIMITS.maxValueBytes, description: "at most 64 KiB in UTF-8" },
  description: "the connector's configuration; whether it is valid for its plugin (connector.class) the validate endpoint reports, key by key",
} as const;
const connectorName = { type: "string", minLength: 1, maxLength: MAX_RESOURCE_NAME, pattern: RESOURCE_NAME_PATTERN, description: "1–255 characters; no \"/\", \"..\", control characters or surrounding spaces" } as const;
const EXPANSIONS = ["info", "status", "id"] as const;
const SPACES = "[\\u0009-\\u000d \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff]*";
const EXPANSION = `${SPACES}(?:${EXPANSIONS.join("|")})?${SPACES}`;
/** `expand`: a comma list of info, status and id (each may be padded; empty entries are skipped). */
const EXPAND_PATTERN = `^${EXPANSION}(?:,${EXPANSION})*$`;
const MAX_EXPAND = 64;
const taskId = { type: "object", properties: { connector: str(255), task: { type: "integer" } } } as const;
const infoSchema = { type: "object", properties: { name: str(255), config: configMap, tasks: { type: "array", items: taskId }, type: { enum: ["source", "sink"] } } } as const;
/** vaultwire's addition to Kafka Connect's status: what to act on before it breaks the connector (absent: nothing). */
const warningSchema = {
  type: "object",
  required: ["code", "key", "secret", "expires_at", "message"],
  properties: {
    code: { type: "string", enum: ["SECRET_NEAR_EXPIRY"], description: "SECRET_NEAR_EXPIRY: a secret the connector uses expires within the server's warning window (VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS, default 30)" },
    key: { ...str(255), description: "the config key whose value comes from the secret" },
    secret: { ...str(2048), description: "the secret's identifier, as the config names it (never its value)" },
    expires_at: { ...str(64), format: "date-time", description: "when the secret expires" },
    message: str(4096),
  },
} as const;
const statusSchema = {
  type: "object",
  properties: {
    name: str(255),
    connector: { type: "object", properties: { state: str(16), worker_id: str(255), trace: str(65536), warnings: { type: "array", maxItems: CONFIG_LIMITS.maxKeys, items: warningSchema, description: "vaultwire: present only when there is something to warn about" } } },
    tasks: { type: "array", items: { type: "object", properties: { id: { type: "integer" }, state: str(16), worker_id: str(255), msg: str(65536) } } },
    type: { enum: ["source", "sink"] },
  },
} as const;
const locationParams = { type: "object", properties: { environment_id: pathId(64), kafka_cluster_id: pathId(64) }, required: ["environment_id", "kafka_cluster_id"] } as const;
const nameParams = { type: "object", properties: { ...locationParams.properties, connector_name: pathId(MAX_RESOURCE_NAME) }, required: ["environment_id", "kafka_cluster_id", "connector_name"] } as const;
/** PUT …/config creates the connector when absent, so its name follows the naming rules. */
const newNameParams = { ...nameParams, properties: { ...nameParams.properties, connector_name: connectorName } } as const;

interface LocationParams { environment_id: string; kafka_cluster_id: string }
interface NameParams extends LocationParams { connector_name: string }

function locationOf(params: LocationParams): ConnectorLocation {
  return { environmentId: params.environment_id, clusterId: params.kafka_cluster_id };
}

export function renderInfo(service: ConnectorService, connector: Connector): Record<string, unknown> {
  return {
    name: connector.name,
    config: service.maskedConfig(connector),
    tasks: connector.status.tasks.map((t) => ({ connector: connector.name, task: t.id })),
    type: service.connectorType(connector),
  };
}

export function renderStatus(service: ConnectorService, connector: Connector): Record<string, unknown> {
  const status = connector.status;
  return {
    name: connector.name,
    connector: {
      state: status.state, worker_id: status.workerId ?? "", trace: status.trace ?? "",
      ...(status.warnings === undefined || status.warnings.length === 0 ? {} : { warnings: status.warnings.map((w) => ({ code: w.code, key: w.key, secret: w.secret, expires_at: w.expiresAt, message: w.message })) }),
    },
    tasks: status.tasks.map((t) => ({ id: t.id, state: t.state, worker_id: t.workerId ?? "", msg: t.trace ?? "" })),
    type: service.connectorType(connector),
  };
}

/** `expand` as a comma list and/or repeated parameter. */
function expansions(query: unknown): Set<string> {
  const raw = (query as { expand?: string | string[] } | undefined)?.expand;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const result = new Set<string>();
  for (const value of values) {
    if (characterCount(value) > MAX_EXPAND) throw new InputError(`expand must be at most ${MAX_EXPAND} characters`, [{ field: "expand", message: `must be at most ${MAX_EXPAND} characters` }]);
    for (const part of value.split(",")) if (part.trim() !== "") result.add(part.trim());
  }
  for (const part of result) {
    if (!(EXPANSIONS as readonly string[]).includes(part)) throw new InputError(`expand must list info, status and/or id, not "${part.slice(0, 32)}"`, [{ field: "expand", message: "unknown expansion" }]);
  }
  return result;
}

export function registerConnectV1(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.connectors;
  const tags = ["Connectors (connect/v1)"];
  const principal = (request: FastifyRequest) => deps.principalOf(request);

  app.get<{ Params: LocationParams }>(`${BASE}/connector-plugins`, { schema: { tags, summary: "List the managed connector plugins", params: locationParams, response: { 200: { type: "array", items: { type: "object", properties: { class: str(128), type: str(8), version: str(32) } } }, ...connectErrorResponses(404) } } }, async (request) => {
    await service.list(principal(request), locationOf(request.params));
    return service.plugins().map((p) => ({ class: p.name, type: p.connectorType.toLowerCase(), version: "0.1.0" }));
  });

  app.put<{ Params: LocationParams & { plugin_name: string } }>(`${BASE}/connector-plugins/:plugin_name/config/validate`, {
    schema: { tags, summary: "Validate a config: every static rule and a live dry run of each secret-manager field (never returns values)", params: { type: "object", properties: { ...locationParams.properties, plugin_name: pathId(128) }, required: ["environment_id", "kafka_cluster_id", "plugin_name"] }, body: { type: "object", description: "the config to check: any JSON object (every problem, such as a value that is not a string, is reported in the response); its connector.class, when given, must be the plugin in the path" }, response: { 200: { type: "object", properties: { name: str(128), groups: { type: "array", items: str(128) }, error_count: { type: "integer" }, configs: { type: "array" }, warnings: { type: "array" } } }, ...connectErrorResponses(400, 404) } },
  }, async (request) => {
    return service.validate(principal(request), locationOf(request.params), request.params.plugin_name, objectBody(request.body));
  });

  app.get<{ Params: LocationParams }>(`${BASE}/connectors`, {
    schema: { tags, summary: "List connectors: names, or a map with expand=info,status,id", params: locationParams, querystring: { type: "object", properties: { expand: { type: "array", items: { type: "string", maxLength: MAX_EXPAND, pattern: EXPAND_PATTERN }, description: "info, status and/or id: comma-separated, repeated, or both" } } }, response: { 200: { oneOf: [{ type: "array", items: str(255) }, { type: "object" }] }, ...connectErrorResponses(400, 404) } },
  }, async (request) => {
    const expand = expansions(request.query);
    const connectors = await service.list(principal(request), locationOf(request.params));
    if (expand.size === 0) return connectors.map((c) => c.name);
    return Object.fromEntries(connectors.map((c) => [c.name, {
      ...(expand.has("id") ? { id: { id: c.id, id_type: "ID" } } : {}),
      ...(expand.has("info") ? { info: renderInfo(service, c) } : {}),
      ...(expand.has("status") ? { status: renderStatus(service, c) } : {}),
    }]));
  });

  app.post<{ Params: LocationParams }>(`${BASE}/connectors`, {
    schema: { tags, summary: "Create a connector (validated in full first; nothing is created when invalid)", params: locationParams, body: { type: "object", properties: { name: connectorName, config: configInput }, required: ["name", "config"] }, response: { 201: infoSchema, ...connectErrorResponses(400, 404, 409) } },
  }, async (request, reply) => {
    const body = objectBody(request.body);
    const connector = await service.create(principal(request), locationOf(request.params), { name: body.name, config: body.config });
    return reply.status(201).send(renderInfo(service, connector));
  });

  app.get<{ Params: NameParams }>(`${BASE}/connectors/:connector_name`, { schema: { tags, summary: "Read a connector", params: nameParams, response: { 200: infoSchema, ...connectErrorResponses(404) } } }, async (request) => {
    return renderInfo(service, await service.get(principal(request), locationOf(request.params), request.params.connector_name));
  });

  app.delete<{ Params: NameParams }>(`${BASE}/connectors/:connector_name`, { schema: { tags, summary: "Delete a connector", params: nameParams, response: { 200: { type: "object", properties: { error: { type: "null" }, notices: { type: "array", items: str(2048), description: "vaultwire: what the connector leaves in its source database (e.g. a PostgreSQL replication slot) and how to remove it" } } }, ...connectErrorResponses(404) } } }, async (request) => {
    const { notices } = await service.delete(principal(request), locationOf(request.params), request.params.connector_name);
    return { error: null, ...(notices.length === 0 ? {} : { notices }) };
  });

  app.get<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/config`, { schema: { tags, summary: "Read a connector's config (identifiers shown, other secrets masked)", params: nameParams, response: { 200: configMap, ...connectErrorResponses(404) } } }, async (request) => {
    return service.maskedConfig(await service.get(principal(request), locationOf(request.params), request.params.connector_name));
  });

  app.put<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/config`, {
    schema: { tags, summary: "Create or update a connector's config (masked values keep what is stored); 200 either way, as Confluent's Connect API answers", params: newNameParams, body: configInput, response: { 200: infoSchema, ...connectErrorResponses(400, 404, 409) } },
  }, async (request) => {
    // Confluent's API (and its SDK, which refuses anything else) answers 200 whether the config created the connector or not.
    const { connector } = await service.putConfig(principal(request), locationOf(request.params), request.params.connector_name, objectBody(request.body));
    return renderInfo(service, connector);
  });

  app.get<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/status`, { schema: { tags, summary: "A connector's status and its tasks'", params: nameParams, response: { 200: statusSchema, ...connectErrorResponses(404) } } }, async (request) => {
    return renderStatus(service, await service.get(principal(request), locationOf(request.params), request.params.connector_name));
  });

  app.get<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/tasks`, { schema: { tags, summary: "A connector's tasks", params: nameParams, response: { 200: { type: "array", items: { type: "object", properties: { id: taskId } } }, ...connectErrorResponses(404) } } }, async (request) => {
    const connector = await service.get(principal(request), locationOf(request.params), request.params.connector_name);
    return connector.status.tasks.map((t) => ({ id: { connector: connector.name, task: t.id } }));
  });

  for (const [action, state] of [["pause", "PAUSED"], ["resume", "RUNNING"]] as const) {
    app.put<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/${action}`, { schema: { tags, summary: `${action === "pause" ? "Pause" : "Resume"} a connector`, params: nameParams, response: { 202: { type: "null" }, ...connectErrorResponses(404, 409) } } }, async (request, reply) => {
      await service.setDesiredState(principal(request), locationOf(request.params), request.params.connector_name, state);
      return reply.status(202).send();
    });
  }

  const offsetTags = ["Offsets (connect/v1)"];
  const offsetList = {
    type: "array",
    maxItems: 10_000,
    items: { type: "object", properties: { partition: { type: "object", additionalProperties: true }, offset: { type: ["object", "null"], additionalProperties: true } } },
  } as const;
  const requestInfoSchema = {
    type: "object",
    properties: { id: str(64), name: str(255), offsets: offsetList, requested_at: str(40, { format: "date-time" }), type: { enum: ["PATCH", "DELETE"] } },
    required: ["id", "name", "requested_at", "type"],
  } as const;
  const renderRequest = (connector: Connector, request: ConnectorOffsetRequest) => ({ id: connector.id, name: connector.name, offsets: request.offsets, requested_at: request.requestedAt, type: request.type });
  const offsets = deps.services.connectorOffsets;

  app.get<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/offsets`, {
    schema: { tags: offsetTags, summary: "A connector's offsets as Kafka Connect last reported them (read live; while Connect cannot answer, the last ones read, with when; empty until it is deployed)", params: nameParams, response: { 200: { type: "object", properties: { id: str(64), name: str(255), offsets: offsetList, metadata: { type: "object", properties: { observed_at: str(40, { format: "date-time", description: "absent while vaultwire has never been able to read them" }) } } } }, ...connectErrorResponses(404) } },
  }, async (request) => {
    const read = await offsets.get(principal(request), locationOf(request.params), request.params.connector_name);
    return { id: read.connector.id, name: read.connector.name, offsets: read.offsets, metadata: read.observedAt === null ? {} : { observed_at: read.observedAt } };
  });

  app.post<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/offsets/request`, {
    schema: {
      tags: offsetTags,
      summary: "Alter (PATCH) or reset (DELETE) a connector's offsets: the connector is stopped, its offsets changed in Kafka Connect, then it is brought back; poll …/offsets/request/status",
      params: nameParams,
      body: {
        type: "object",
        properties: {
          type: { enum: ["PATCH", "DELETE"], description: "PATCH: set the given partitions' offsets; DELETE: reset every offset" },
          offsets: {
            type: "array",
            maxItems: MAX_OFFSET_ENTRIES,
            items: {
              type: "object",
              properties: { partition: { type: "object", minProperties: 1, additionalProperties: true }, offset: { type: ["object", "null"], additionalProperties: true, description: "null removes the partition's offset" } },
              required: ["partition", "offset"],
            },
            description: "PATCH: 1-1000 entries {partition, offset}; DELETE: absent or empty",
          },
        },
        required: ["type"],
        if: { properties: { type: { const: "PATCH" } } },
        then: { required: ["offsets"], properties: { offsets: { minItems: 1 } } },
        else: { properties: { offsets: { maxItems: 0 } } },
      },
      response: { 202: requestInfoSchema, ...connectErrorResponses(400, 403, 404, 409) },
    },
  }, async (request, reply) => {
    const made = await offsets.request(principal(request), locationOf(request.params), request.params.connector_name, objectBody(request.body));
    return reply.status(202).send(renderRequest(made.connector, made.request));
  });

  app.get<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/offsets/request/status`, {
    schema: {
      tags: offsetTags,
      summary: "The status of the connector's last offsets request: PENDING, APPLIED (with the offsets before it) or FAILED (with the reason)",
      params: nameParams,
      response: {
        200: {
          type: "object",
          properties: {
            request: requestInfoSchema,
            status: { type: "object", properties: { phase: { enum: ["PENDING", "APPLIED", "FAILED"] }, message: str(4096) }, required: ["phase"] },
            previous_offsets: offsetList,
            applied_at: { type: ["string", "null"], maxLength: 40, format: "date-time" },
          },
          required: ["request", "status"],
        },
        ...connectErrorResponses(404),
      },
    },
  }, async (request) => {
    const found = await offsets.status(principal(request), locationOf(request.params), request.params.connector_name);
    const { request: made } = found;
    return {
      request: renderRequest(found.connector, made),
      status: { phase: made.phase, ...(made.message === null ? {} : { message: made.message }) },
      ...(made.previousOffsets === null ? {} : { previous_offsets: made.previousOffsets }),
      applied_at: made.appliedAt,
    };
  });

  app.post<{ Params: NameParams }>(`${BASE}/connectors/:connector_name/restart`, { schema: { tags, summary: "vaultwire: restart a connector and its tasks", params: nameParams, response: { 202: { type: "null" }, ...connectErrorResponses(404) } } }, async (request, reply) => {
    await service.restart(principal(request), locationOf(request.params), request.params.connector_name);
    return reply.status(202).send();
  });
}
