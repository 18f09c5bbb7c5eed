/** /org/v2/environments — Confluent's Org API v2 shapes. */
import type { FastifyInstance } from "fastify";
import type { Environment } from "../../domain/resources.js";
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
}
