/** /org/v2/environments and /org/v2/organizations — Confluent's Org API v2 shapes. */
import type { FastifyInstance } from "fastify";
import type { Environment } from "../../domain/resources.js";
import { ORGANIZATION_NAME_PATTERN, type Organization } from "../../services/organization.js";
import type { RouteDependencies } from "../app.js";
import { crn, listMetadata, selfLink, type LinkContext } from "../links.js";
import { objectBody, pageRequest } from "../request.js";
import { listMetadataSchema, listQuery, metadata, pathId, requiredText, str, v2ErrorResponses } from "../schemas.js";

const BASE = "/org/v2/environments";
const environmentSchema = {
  type: "object",
  properties: { api_version: { const: "org/v2" }, kind: { const: "Environment" }, id: str(64), metadata, display_name: str(64) },
} as const;

export function renderEnvironment(links: LinkContext, environment: Environment): Record<string, unknown> {
  return {
    api_version: "org/v2",
    kind: "Environment",
    id: environment.id,
    metadata: {
      self: selfLink(links, `${BASE}/${environment.id}`),
      resource_name: crn(links, ["environment", environment.id]),
      created_at: environment.createdAt,
      updated_at: environment.updatedAt,
    },
    display_name: environment.displayName,
  };
}

const ORGANIZATIONS = "/org/v2/organizations";
const organizationSchema = {
  type: "object",
  properties: { api_version: { const: "org/v2" }, kind: { const: "Organization" }, id: str(255), metadata, display_name: str(31), jit_enabled: { type: "boolean" } },
} as const;

export function renderOrganization(links: LinkContext, organization: Organization): Record<string, unknown> {
  return {
    api_version: "org/v2",
    kind: "Organization",
    id: organization.id,
    metadata: {
      self: selfLink(links, `${ORGANIZATIONS}/${organization.id}`),
      resource_name: crn(links),
      created_at: organization.createdAt,
      updated_at: organization.updatedAt,
    },
    display_name: organization.displayName,
    // Just-in-time SSO provisioning: vaultwire has no SSO, so never on.
    jit_enabled: false,
  };
}

interface IdParams { id: string }
interface ListQuery { page_size?: string; page_token?: string }

export function registerOrgV2(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.environments;
  const tags = ["Environments (org/v2)"];
  const body = { type: "object", properties: { display_name: requiredText(64) }, required: ["display_name"] } as const;
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;

  app.post(BASE, { schema: { tags, summary: "Create an environment", body, response: { 201: environmentSchema, ...v2ErrorResponses(400, 403) } } }, async (request, reply) => {
    const environment = await service.create(deps.principalOf(request), { displayName: objectBody(request.body).display_name });
    return reply.status(201).send(renderEnvironment(deps.links, environment));
  });

  app.get<{ Querystring: ListQuery }>(BASE, { schema: { tags, summary: "List environments", querystring: listQuery, response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: listMetadataSchema, data: { type: "array", items: environmentSchema } } }, ...v2ErrorResponses(400) } } }, async (request) => {
    const page = await service.list(deps.principalOf(request), pageRequest(request.query));
    return {
      api_version: "org/v2",
      kind: "EnvironmentList",
      metadata: listMetadata(deps.links, BASE, { page_size: request.query.page_size }, page.nextPageToken),
      data: page.items.map((e) => renderEnvironment(deps.links, e)),
    };
  });

  app.get<{ Params: IdParams }>(`${BASE}/:id`, { schema: { tags, summary: "Read an environment", params, response: { 200: environmentSchema, ...v2ErrorResponses(404) } } }, async (request) => {
    return renderEnvironment(deps.links, await service.get(deps.principalOf(request), request.params.id));
  });

  app.patch<{ Params: IdParams }>(`${BASE}/:id`, { schema: { tags, summary: "Rename an environment", params, body, response: { 200: environmentSchema, ...v2ErrorResponses(400, 404) } } }, async (request) => {
    return renderEnvironment(deps.links, await service.update(deps.principalOf(request), request.params.id, { displayName: objectBody(request.body).display_name }));
  });

  app.delete<{ Params: IdParams }>(`${BASE}/:id`, { schema: { tags, summary: "Delete an empty environment", params, response: { 204: { type: "null" }, ...v2ErrorResponses(403, 404, 409) } } }, async (request, reply) => {
    await service.delete(deps.principalOf(request), request.params.id);
    return reply.status(204).send();
  });

  registerOrganizations(app, deps);
}

function registerOrganizations(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.organization;
  const tags = ["Organizations (org/v2)"];
  const params = { type: "object", properties: { id: pathId(255) }, required: ["id"] } as const;
  // Confluent's PATCH takes display_name and jit_enabled; vaultwire has no SSO, so jit_enabled may only be false.
  const body = {
    type: "object",
    properties: { display_name: { ...requiredText(31), allOf: [{ pattern: ORGANIZATION_NAME_PATTERN }], description: "1 to 31 characters, none of < > # % ' * ^ ` { | } ~ \"; trimmed" }, jit_enabled: { type: "boolean", const: false, description: "vaultwire: no SSO, so just-in-time provisioning is never on; only false is accepted" } },
    required: ["display_name"],
  } as const;

  app.get<{ Querystring: ListQuery }>(ORGANIZATIONS, { schema: { tags, summary: "List organizations (vaultwire serves one)", querystring: listQuery, response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: listMetadataSchema, data: { type: "array", items: organizationSchema } } }, ...v2ErrorResponses(400) } } }, async (request) => {
    const page = await service.list(deps.principalOf(request), pageRequest(request.query));
    return {
      api_version: "org/v2",
      kind: "OrganizationList",
      metadata: listMetadata(deps.links, ORGANIZATIONS, { page_size: request.query.page_size }, page.nextPageToken),
      data: page.items.map((o) => renderOrganization(deps.links, o)),
    };
  });

  app.get<{ Params: IdParams }>(`${ORGANIZATIONS}/:id`, { schema: { tags, summary: "Read the organization", params, response: { 200: organizationSchema, ...v2ErrorResponses(404) } } }, async (request) => {
    return renderOrganization(deps.links, await service.get(deps.principalOf(request), request.params.id));
  });

  app.patch<{ Params: IdParams }>(`${ORGANIZATIONS}/:id`, { schema: { tags, summary: "Rename the organization (organization-wide OrganizationAdmin keys)", params, body, response: { 200: organizationSchema, ...v2ErrorResponses(400, 403, 404) } } }, async (request) => {
    const body = objectBody(request.body);
    return renderOrganization(deps.links, await service.update(deps.principalOf(request), request.params.id, { displayName: body.display_name, jitEnabled: body.jit_enabled }));
  });
}
