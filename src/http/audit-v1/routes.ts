/**
 * /audit/v1 — the audit trail (decision 42): worker secret accesses and
 * refusals, rotations detected, restarts; the last access per secret of an
 * integration; and /audit/v1/secret-manager-requests, this replica's
 * secret-manager requests per minute per vault or region. Never a value:
 * keys, versions and secret references only.
 */
import type { FastifyInstance } from "fastify";
import { AUDIT_EVENT_TYPES, AUDIT_PAGE_TOKEN_PATTERN, RESTART_CAUSES, ROTATION_SOURCES, type AuditEvent, type SecretLastAccess } from "../../domain/audit.js";
import { AUDIT_TIME_PATTERN, AUDIT_TYPE_LIST_PATTERN } from "../../services/audit-trail.js";
import { TEXT_PATTERN } from "../../services/input.js";
import { assertOrgReader } from "../../services/principal.js";
import type { RequestRates } from "../../services/request-rates.js";
import type { RouteDependencies } from "../app.js";
import { InputError } from "../../domain/errors.js";
import { listMetadata, pageSizeOf } from "../links.js";
import { requiredQuery } from "../request.js";
import { listMetadataSchema, requiredQueryText, str, v2ErrorResponses } from "../schemas.js";

const EVENTS = "/audit/v1/events";
const ACCESSES = "/audit/v1/secret-accesses";
const RATES = "/audit/v1/secret-manager-requests";

const nullableId = { type: ["string", "null"], maxLength: 128 } as const;
const byKey = (description: string) => ({ type: "object", additionalProperties: { type: ["string", "null"], maxLength: 1024 }, description } as const);

const eventSchema = {
  type: "object",
  properties: {
    api_version: { const: "audit/v1" },
    kind: { const: "AuditEvent" },
    id: str(20, { description: "monotonic per database" }),
    type: { enum: AUDIT_EVENT_TYPES },
    time: str(40),
    environment_id: nullableId,
    cluster_id: nullableId,
    connector_id: nullableId,
    connector_name: { type: ["string", "null"], maxLength: 255 },
    integration_id: nullableId,
    keys: { type: "array", items: str(255), maxItems: 101 },
    versions: byKey("secret version by configuration key: delivered, or a rotation's new one"),
    previous_versions: byKey("a rotation's previous version by key (null: none was seen)"),
    secrets: byKey("where each key's secret is (a reference, never a value)"),
    outcome: str(32, { description: "granted or failed (secret.access), denied (secret.access.refused), restart-requested or no-workers (rotation.detected), restarted or skipped (connector.restarted)" }),
    reason: { type: ["string", "null"], maxLength: 64, description: "why, as a class (e.g. refused_credential, not_secret, not_deployed)" },
    worker_credential_id: nullableId,
    worker_name: { type: ["string", "null"], maxLength: 200 },
    remote_address: { type: ["string", "null"], maxLength: 64 },
    user_agent: { type: ["string", "null"], maxLength: 200 },
    detected_by: { enum: [...ROTATION_SOURCES, null] },
    restart_cause: { enum: [...RESTART_CAUSES, null] },
  },
} as const;

export function renderAuditEvent(event: AuditEvent): Record<string, unknown> {
  return {
    api_version: "audit/v1",
    kind: "AuditEvent",
    id: String(event.id),
    type: event.type,
    time: event.at,
    environment_id: event.environmentId,
    cluster_id: event.clusterId,
    connector_id: event.connectorId,
    connector_name: event.connectorName,
    integration_id: event.integrationId,
    keys: event.keys,
    versions: event.versions,
    previous_versions: event.previousVersions,
    secrets: event.secrets,
    outcome: event.outcome,
    reason: event.reason,
    worker_credential_id: event.workerCredentialId,
    worker_name: event.workerName,
    remote_address: event.remoteAddress,
    user_agent: event.userAgent,
    detected_by: event.detectedBy,
    restart_cause: event.restartCause,
  };
}

const accessSchema = {
  type: "object",
  properties: {
    secret: str(1024, { description: "the secret's reference (vault URI and name, or ARN)" }),
    time: str(40),
    environment_id: str(128),
    connector_id: str(128),
    connector_name: str(255),
    key: str(255),
    version: { type: ["string", "null"], maxLength: 1024 },
    worker_credential_id: nullableId,
    worker_name: { type: ["string", "null"], maxLength: 200 },
    event_id: str(20),
  },
} as const;

function renderAccess(access: SecretLastAccess): Record<string, unknown> {
  return {
    secret: access.secret,
    time: access.at,
    environment_id: access.environmentId,
    connector_id: access.connectorId,
    connector_name: access.connectorName,
    key: access.key,
    version: access.version,
    worker_credential_id: access.workerCredentialId,
    worker_name: access.workerName,
    event_id: String(access.eventId),
  };
}

interface EventsQuery {
  environment?: string;
  cluster?: string;
  connector?: string;
  integration?: string;
  type?: string;
  since?: string;
  until?: string;
  order?: string;
  page_size?: string;
  page_token?: string;
}

export function registerAuditV1(app: FastifyInstance, deps: RouteDependencies & { readonly requestRates: Pick<RequestRates, "snapshot"> }): void {
  const service = deps.services.audit;
  const tags = ["Audit trail (audit/v1)"];
  const time = (description: string) => ({ type: "string", maxLength: 40, pattern: AUDIT_TIME_PATTERN, description });
  const querystring = {
    type: "object",
    properties: {
      environment: str(128, { pattern: TEXT_PATTERN, description: "only this environment's events" }),
      cluster: str(128, { pattern: TEXT_PATTERN, description: "only this Kafka cluster's events" }),
      connector: str(128, { pattern: TEXT_PATTERN, description: "only this connector's events: its id (lcc-…) or its name" }),
      integration: str(128, { pattern: TEXT_PATTERN, description: "only events of connectors using this provider integration" }),
      type: str(256, { pattern: AUDIT_TYPE_LIST_PATTERN, description: `comma-separated event types: ${AUDIT_EVENT_TYPES.join(", ")}` }),
      since: time("RFC 3339 date-time: events at or after it"),
      until: time("RFC 3339 date-time: events before it (a range that ends before it starts has no events)"),
      order: { enum: ["asc", "desc"], default: "desc", description: "desc: newest first (default); asc: oldest first" },
      page_size: { type: "integer", minimum: 1, maximum: 100, default: 10 },
      page_token: { type: "string", maxLength: 64, pattern: AUDIT_PAGE_TOKEN_PATTERN, description: "the page_token of a previous page's next link; empty for the first page" },
    },
  } as const;

  app.get<{ Querystring: EventsQuery }>(EVENTS, {
    schema: {
      tags,
      summary: "List audit events (secret accesses and refusals, rotations, restarts)",
      description: "Organization-wide keys see every event; EnvironmentAdmin and Operator keys of an environment see its events; DeveloperManage keys none. Never a secret value.",
      querystring,
      response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: listMetadataSchema, data: { type: "array", items: eventSchema } } }, ...v2ErrorResponses(400, 403, 404) },
    },
  }, async (request) => {
    const q = request.query;
    const pageSize = pageSizeOf(q.page_size);
    if (Number.isNaN(pageSize)) throw new InputError("page_size must be a whole number from 1 to 100", [{ field: "page_size", message: "must be a whole number from 1 to 100" }]);
    const page = await service.list(deps.principalOf(request), {
      environment: q.environment, cluster: q.cluster, connector: q.connector, integration: q.integration, type: q.type,
      since: q.since, until: q.until, order: q.order, pageToken: q.page_token, ...(pageSize === undefined ? {} : { pageSize }),
    });
    return {
      api_version: "audit/v1",
      kind: "AuditEventList",
      metadata: listMetadata(deps.links, EVENTS, { ...q }, page.nextPageToken),
      data: page.items.map(renderAuditEvent),
    };
  });

  app.get<{ Querystring: { integration?: string } }>(ACCESSES, {
    schema: {
      tags,
      summary: "The last granted access to each secret of a provider integration",
      querystring: { type: "object", properties: { integration: { ...requiredQueryText(128), description: "the provider integration (cspi-…)" } }, required: ["integration"] },
      response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), data: { type: "array", items: accessSchema } } }, ...v2ErrorResponses(400, 403, 404) },
    },
  }, async (request) => {
    const integrationId = requiredQuery(request.query.integration, "integration", "cspi-a1b2c3");
    const accesses = await service.lastAccess(deps.principalOf(request), integrationId);
    return { api_version: "audit/v1", kind: "SecretLastAccessList", data: accesses.map(renderAccess) };
  });

  const minuteSchema = { type: "object", properties: { minute: str(40), requests: { type: "integer" }, throttled: { type: "integer" }, failed: { type: "integer" } } } as const;
  app.get(RATES, {
    schema: {
      tags,
      summary: "Secret-manager requests per minute per vault or region (this replica, last hour)",
      description: "Counted by the replica that answers, in memory: each replica counts its own and starts empty. Organization-wide keys only.",
      response: {
        200: {
          type: "object",
          properties: {
            api_version: str(16),
            kind: str(32),
            window_minutes: { type: "integer" },
            data: { type: "array", items: { type: "object", properties: { manager: str(32), target: str(1024, { description: "a vault URI or an AWS region" }), minutes: { type: "array", items: minuteSchema } } } },
          },
        },
        ...v2ErrorResponses(403),
      },
    },
  }, (request) => {
    assertOrgReader(deps.principalOf(request), "reading secret-manager request rates");
    const snapshot = deps.requestRates.snapshot();
    return Promise.resolve({ api_version: "audit/v1", kind: "SecretManagerRequestRates", window_minutes: snapshot.windowMinutes, data: snapshot.series });
  });
}
