/** /iam/v2/api-keys — API keys in Confluent's IAM v2 shapes; the secret appears only in the create response. */
import type { FastifyInstance } from "fastify";
import { ConflictError } from "../../domain/errors.js";
import { API_KEY_ROLES, ROLES_BY_SCOPE, type ApiKey } from "../../domain/resources.js";
import type { RouteDependencies } from "../app.js";
import { crn, selfLink, type LinkContext } from "../links.js";
import { objectBody, objectField } from "../request.js";
import { anyCase, metadata, noStoreHeaders, optionalText, pathId, str, v2ErrorResponses } from "../schemas.js";

const BASE = "/iam/v2/api-keys";
const keySchema = {
  type: "object",
  properties: {
    api_version: { const: "iam/v2" },
    kind: { const: "ApiKey" },
    id: str(64),
    metadata,
    spec: { type: "object", properties: { secret: str(128, { description: "only in the create response" }), display_name: str(64), description: str(255), owner: { type: "object" }, resource: { type: "object", properties: { id: str(64), kind: str(32) } }, role: { enum: API_KEY_ROLES, description: "vaultwire: what the key may do within its resource (docs/security.md)" } } },
  },
} as const;

export function renderApiKey(links: LinkContext, key: ApiKey, secret?: string): Record<string, unknown> {
  return {
    api_version: "iam/v2",
    kind: "ApiKey",
    id: key.id,
    metadata: { self: selfLink(links, `${BASE}/${key.id}`), resource_name: crn(links, ["api-key", key.id]), created_at: key.createdAt, updated_at: key.lastUsedAt ?? key.createdAt },
    spec: {
      ...(secret === undefined ? {} : { secret }),
      display_name: key.id,
      description: key.description,
      owner: { id: "vaultwire", kind: "ServiceAccount" },
      resource: key.scope.kind === "org" ? { id: links.organizationId, kind: "Organization" } : { id: key.scope.environmentId, kind: "Environment" },
      role: key.role,
    },
  };
}

export function registerIamV2(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.apiKeys;
  const tags = ["API keys (iam/v2)"];
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;
  const body = {
    type: "object",
    properties: {
      spec: {
        type: ["object", "null"],
        properties: {
          description: optionalText(255),
          resource: { type: ["object", "null"], properties: { id: optionalText(64, { description: "the environment the key is scoped to; absent or null for an org-wide key" }) } },
          role: anyCase(API_KEY_ROLES, { nullable: true, description: "vaultwire: OrganizationAdmin (the default without resource) or Operator for organization-wide keys; EnvironmentAdmin (the default), DeveloperManage or Operator for environment keys (docs/security.md)" }),
        },
        // Which roles a key may have depends on its scope: with an environment, the environment roles.
        if: { type: "object", properties: { resource: { type: "object", properties: { id: { type: "string" } }, required: ["id"] } }, required: ["resource"] },
        then: { properties: { role: anyCase(ROLES_BY_SCOPE.environment, { nullable: true }) } },
        else: { properties: { role: anyCase(ROLES_BY_SCOPE.org, { nullable: true }) } },
      },
    },
  } as const;

  app.post(BASE, { schema: { tags, summary: "Create an API key (org-wide, or scoped to one environment with spec.resource.id)", body, response: { 202: { ...keySchema, headers: noStoreHeaders }, ...v2ErrorResponses(400, 403, 404) } } }, async (request, reply) => {
    const spec = objectField(objectBody(request.body).spec, "spec");
    const resource = objectField(spec.resource, "spec.resource");
    const created = await service.create(deps.principalOf(request), { description: spec.description, environmentId: resource.id, role: spec.role });
    // The one response with the key's secret: no cache may keep it.
    return reply.status(202).header("cache-control", "no-store").send(renderApiKey(deps.links, created.key, created.secret));
  });

  app.get(BASE, { schema: { tags, summary: "List API keys (never their secrets)", response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: { type: "object" }, data: { type: "array", items: keySchema } } }, ...v2ErrorResponses(403) } } }, async (request) => {
    const keys = await service.list(deps.principalOf(request));
    return { api_version: "iam/v2", kind: "ApiKeyList", metadata: { first: selfLink(deps.links, BASE) }, data: keys.map((k) => renderApiKey(deps.links, k)) };
  });

  app.get<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { tags, summary: "Read an API key", params, response: { 200: keySchema, ...v2ErrorResponses(403, 404) } } }, async (request) => {
    return renderApiKey(deps.links, await service.get(deps.principalOf(request), request.params.id));
  });

  app.delete<{ Params: { id: string } }>(`${BASE}/:id`, { schema: { tags, summary: "Delete an API key (not the one making the request: 409)", params, response: { 204: { type: "null" }, ...v2ErrorResponses(403, 404, 409) } } }, async (request, reply) => {
    const principal = deps.principalOf(request);
    // A well-formed request that the key's own state refuses: a conflict, not a bad request.
    if (principal.kind === "org" && principal.keyId === request.params.id) {
      throw new ConflictError(`API key "${request.params.id}" is the one making this request; delete it with another admin key`);
    }
    await service.delete(principal, request.params.id);
    return reply.status(204).send();
  });
}
