/**
 * /iam/v2 — Confluent's IAM v2 shapes (decision 45): API keys (the secret
 * appears only in the create response), service accounts and role bindings.
 */
import type { FastifyInstance } from "fastify";
import type { RoleBinding, ServiceAccount } from "../../domain/identity.js";
import { API_KEY_RESOURCE_ID_PATTERN, CRN_PATTERN_PATTERN, ROLE_NAMES, SERVICE_ACCOUNT_ID_PATTERN, SERVICE_ACCOUNT_PRINCIPAL_PATTERN } from "../../domain/identity.js";
import { API_KEY_ROLES, type ApiKey } from "../../domain/resources.js";
import type { RouteDependencies } from "../app.js";
import { crn, listMetadata, selfLink, type LinkContext } from "../links.js";
import { objectBody, objectField, pageRequest } from "../request.js";
import { anyCase, listMetadataSchema, listQuery, metadata, noStoreHeaders, optionalText, pathId, requiredText, str, v2ErrorResponses } from "../schemas.js";

const KEYS = "/iam/v2/api-keys";
const ACCOUNTS = "/iam/v2/service-accounts";
const BINDINGS = "/iam/v2/role-bindings";

/** Confluent's ObjectReference: id, related and resource_name always; kind and api_version as Confluent sends them. */
const objectReference = {
  type: "object",
  properties: { id: str(255), environment: str(255), related: str(2048), resource_name: str(2048), api_version: str(16), kind: str(32) },
  required: ["id", "related", "resource_name"],
} as const;

const keySchema = {
  type: "object",
  properties: {
    api_version: { const: "iam/v2" },
    kind: { const: "ApiKey" },
    id: str(64),
    metadata,
    spec: {
      type: "object",
      properties: {
        secret: str(128, { description: "only in the create response" }),
        display_name: str(255),
        description: str(255),
        owner: { ...objectReference, description: "the service account that owns the key: its role bindings say what the key may do" },
        resource: { ...objectReference, description: "Cloud (id cloud, kind Cloud, api_version iam/v2): the cloud API with all of the owner's roles; vaultwire's Environment keys (org/v2): the owner's roles within that environment; Cluster keys (cmk/v2): a Kafka cluster's key, which opens nothing of this API" },
      },
      required: ["owner", "resource"],
    },
  },
  required: ["api_version", "kind", "id", "metadata", "spec"],
} as const;

const accountSchema = {
  type: "object",
  properties: { api_version: { const: "iam/v2" }, kind: { const: "ServiceAccount" }, id: str(64), metadata, display_name: str(64), description: str(128) },
  required: ["api_version", "kind", "id", "metadata", "display_name", "description"],
} as const;

const bindingSchema = {
  type: "object",
  properties: {
    api_version: { const: "iam/v2" },
    kind: { const: "RoleBinding" },
    id: str(64),
    metadata,
    principal: str(128, { pattern: SERVICE_ACCOUNT_PRINCIPAL_PATTERN }),
    role_name: { enum: ROLE_NAMES },
    crn_pattern: str(1024, { pattern: "^crn://.+$" }),
  },
  required: ["api_version", "kind", "id", "metadata", "principal", "role_name", "crn_pattern"],
} as const;

const list = (kind: string, items: unknown) => ({ type: "object", properties: { api_version: { const: "iam/v2" }, kind: { const: kind }, metadata: listMetadataSchema, data: { type: "array", items } }, required: ["api_version", "kind", "metadata", "data"] });

function accountReference(links: LinkContext, id: string): Record<string, unknown> {
  return { id, kind: "ServiceAccount", api_version: "iam/v2", related: selfLink(links, `${ACCOUNTS}/${id}`), resource_name: crn(links, ["service-account", id]) };
}

function keyResource(links: LinkContext, key: ApiKey): Record<string, unknown> {
  const resource = key.resource;
  switch (resource.kind) {
    case "Cloud":
      return { id: "cloud", kind: "Cloud", api_version: "iam/v2", related: selfLink(links, "/"), resource_name: crn(links) };
    case "Environment":
      return { id: resource.environmentId, kind: "Environment", api_version: "org/v2", related: selfLink(links, `/org/v2/environments/${resource.environmentId}`), resource_name: crn(links, ["environment", resource.environmentId]) };
    case "Cluster":
      return {
        id: resource.clusterId,
        kind: "Cluster",
        api_version: "cmk/v2",
        environment: resource.environmentId,
        related: selfLink(links, `/cmk/v2/clusters/${resource.clusterId}?environment=${resource.environmentId}`),
        resource_name: crn(links, ["environment", resource.environmentId], ["cloud-cluster", resource.clusterId]),
      };
  }
}

export function renderApiKey(links: LinkContext, key: ApiKey, secret?: string): Record<string, unknown> {
  return {
    api_version: "iam/v2",
    kind: "ApiKey",
    id: key.id,
    metadata: { self: selfLink(links, `${KEYS}/${key.id}`), resource_name: crn(links, ["service-account", key.ownerId], ["api-key", key.id]), created_at: key.createdAt, updated_at: key.updatedAt },
    spec: {
      ...(secret === undefined ? {} : { secret }),
      display_name: key.displayName,
      description: key.description,
      owner: accountReference(links, key.ownerId),
      resource: keyResource(links, key),
    },
  };
}

export function renderServiceAccount(links: LinkContext, account: ServiceAccount): Record<string, unknown> {
  return {
    api_version: "iam/v2",
    kind: "ServiceAccount",
    id: account.id,
    metadata: { self: selfLink(links, `${ACCOUNTS}/${account.id}`), resource_name: crn(links, ["service-account", account.id]), created_at: account.createdAt, updated_at: account.updatedAt },
    display_name: account.displayName,
    description: account.description,
  };
}

export function renderRoleBinding(links: LinkContext, binding: RoleBinding): Record<string, unknown> {
  return {
    api_version: "iam/v2",
    kind: "RoleBinding",
    id: binding.id,
    metadata: { self: selfLink(links, `${BINDINGS}/${binding.id}`), resource_name: crn(links, ["role-binding", binding.id]), created_at: binding.createdAt },
    principal: binding.principal,
    role_name: binding.roleName,
    crn_pattern: binding.crnPattern,
  };
}

interface IdParams { id: string }
interface KeyListQuery { "spec.owner"?: string; "spec.resource"?: string; page_size?: string; page_token?: string }
interface AccountListQuery { display_name?: string; page_size?: string; page_token?: string }
interface BindingListQuery { crn_pattern?: string; principal?: string; role_name?: string; page_size?: string; page_token?: string }

export function registerIamV2(app: FastifyInstance, deps: RouteDependencies): void {
  registerApiKeys(app, deps);
  registerServiceAccounts(app, deps);
  registerRoleBindings(app, deps);
}

function registerApiKeys(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.apiKeys;
  const tags = ["API keys (iam/v2)"];
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;
  const createBody = {
    type: "object",
    properties: {
      spec: {
        type: ["object", "null"],
        properties: {
          display_name: optionalText(255),
          description: optionalText(255),
          owner: { type: ["object", "null"], properties: { id: { type: ["string", "null"], maxLength: 67, pattern: SERVICE_ACCOUNT_ID_PATTERN, description: "the owning service account (sa-…); absent: vaultwire creates one for the key, with spec.role" }, kind: { type: ["string", "null"], enum: ["ServiceAccount", null] } } },
          resource: {
            type: ["object", "null"],
            properties: {
              id: { type: ["string", "null"], maxLength: 68, pattern: API_KEY_RESOURCE_ID_PATTERN, description: "cloud (or absent) for a Cloud API key, env-… for a key limited to one environment (vaultwire), lkc-… for a Kafka cluster's key; kind, when given, must be Cloud, Environment or Cluster accordingly" },
              kind: { type: ["string", "null"], enum: ["Cloud", "Environment", "Cluster", null] },
              environment: optionalText(64, { description: "a cluster key's environment, checked when given" }),
            },
          },
          role: anyCase(API_KEY_ROLES, { nullable: true, description: "vaultwire, only without spec.owner: the role of the service account created for the key — OrganizationAdmin (the default) or Operator for a Cloud key; EnvironmentAdmin (the default), DeveloperManage or Operator for an environment key (docs/security.md)" }),
        },
      },
    },
  } as const;
  const updateBody = {
    type: "object",
    properties: { spec: { type: ["object", "null"], properties: { display_name: optionalText(255), description: optionalText(255) }, additionalProperties: false, description: "only display_name and description change; any other spec field is a 400" } },
  } as const;
  const listQueryString = {
    type: "object",
    properties: {
      ...listQuery.properties,
      "spec.owner": { type: "string", maxLength: 67, pattern: SERVICE_ACCOUNT_ID_PATTERN, description: "only the keys of this service account (sa-…)" },
      "spec.resource": { type: "string", maxLength: 68, pattern: API_KEY_RESOURCE_ID_PATTERN, description: "only the keys of this resource: cloud, env-… or lkc-…" },
    },
  } as const;

  app.post(KEYS, { schema: { tags, summary: "Create an API key owned by a service account (spec.owner) for the cloud API, one environment, or a Kafka cluster", body: createBody, response: { 202: { ...keySchema, headers: noStoreHeaders }, ...v2ErrorResponses(400, 403, 404) } } }, async (request, reply) => {
    const spec = objectField(objectBody(request.body).spec, "spec");
    const owner = objectField(spec.owner, "spec.owner");
    const resource = objectField(spec.resource, "spec.resource");
    const created = await service.create(deps.principalOf(request), {
      displayName: spec.display_name,
      description: spec.description,
      ownerId: owner.id,
      ownerKind: owner.kind,
      resourceId: resource.id,
      resourceKind: resource.kind,
      resourceEnvironment: resource.environment,
      role: spec.role,
    });
    // The one response with the key's secret: no cache may keep it.
    return reply.status(202).header("cache-control", "no-store").send(renderApiKey(deps.links, created.key, created.secret));
  });

  app.get<{ Querystring: KeyListQuery }>(KEYS, { schema: { tags, summary: "List API keys (never their secrets)", querystring: listQueryString, response: { 200: list("ApiKeyList", keySchema), ...v2ErrorResponses(400, 403) } } }, async (request) => {
    const page = await service.list(deps.principalOf(request), { owner: request.query["spec.owner"], resource: request.query["spec.resource"] }, pageRequest(request.query));
    return {
      api_version: "iam/v2",
      kind: "ApiKeyList",
      metadata: listMetadata(deps.links, KEYS, { page_size: request.query.page_size, "spec.owner": request.query["spec.owner"], "spec.resource": request.query["spec.resource"] }, page.nextPageToken),
      data: page.items.map((k) => renderApiKey(deps.links, k)),
    };
  });

  app.get<{ Params: IdParams }>(`${KEYS}/:id`, { schema: { tags, summary: "Read an API key", params, response: { 200: keySchema, ...v2ErrorResponses(403, 404) } } }, async (request) => {
    return renderApiKey(deps.links, await service.get(deps.principalOf(request), request.params.id));
  });

  app.patch<{ Params: IdParams }>(`${KEYS}/:id`, { schema: { tags, summary: "Change an API key's display name or description (nothing else)", params, body: updateBody, response: { 200: keySchema, ...v2ErrorResponses(400, 403, 404) } } }, async (request) => {
    const spec = objectField(objectBody(request.body).spec, "spec");
    const others = Object.keys(spec).filter((field) => field !== "display_name" && field !== "description");
    return renderApiKey(deps.links, await service.update(deps.principalOf(request), request.params.id, { displayName: spec.display_name, description: spec.description, others }));
  });

  app.delete<{ Params: IdParams }>(`${KEYS}/:id`, { schema: { tags, summary: "Delete an API key (not the one making the request: 403)", params, response: { 204: { type: "null" }, ...v2ErrorResponses(403, 404) } } }, async (request, reply) => {
    await service.delete(deps.principalOf(request), request.params.id);
    return reply.status(204).send();
  });
}

function registerServiceAccounts(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.serviceAccounts;
  const tags = ["Service accounts (iam/v2)"];
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;
  const createBody = { type: "object", properties: { display_name: requiredText(64, { description: "unique in the organization" }), description: optionalText(128) }, required: ["display_name"] } as const;
  const updateBody = { type: "object", properties: { display_name: { ...requiredText(64), type: ["string", "null"] }, description: optionalText(128) }, description: "the fields to change; the others keep their values" } as const;
  const query = { type: "object", properties: { ...listQuery.properties, display_name: { ...optionalText(64), type: "string", description: "only the account of this name" } } } as const;

  app.post(ACCOUNTS, { schema: { tags, summary: "Create a service account (OrganizationAdmin)", body: createBody, response: { 201: accountSchema, ...v2ErrorResponses(400, 403, 409) } } }, async (request, reply) => {
    const body = objectBody(request.body);
    const account = await service.create(deps.principalOf(request), { displayName: body.display_name, description: body.description });
    return reply.status(201).send(renderServiceAccount(deps.links, account));
  });

  app.get<{ Querystring: AccountListQuery }>(ACCOUNTS, { schema: { tags, summary: "List service accounts", querystring: query, response: { 200: list("ServiceAccountList", accountSchema), ...v2ErrorResponses(400, 403) } } }, async (request) => {
    const page = await service.list(deps.principalOf(request), pageRequest(request.query), { displayName: request.query.display_name });
    return {
      api_version: "iam/v2",
      kind: "ServiceAccountList",
      metadata: listMetadata(deps.links, ACCOUNTS, { page_size: request.query.page_size, display_name: request.query.display_name }, page.nextPageToken),
      data: page.items.map((a) => renderServiceAccount(deps.links, a)),
    };
  });

  app.get<{ Params: IdParams }>(`${ACCOUNTS}/:id`, { schema: { tags, summary: "Read a service account", params, response: { 200: accountSchema, ...v2ErrorResponses(403, 404) } } }, async (request) => {
    return renderServiceAccount(deps.links, await service.get(deps.principalOf(request), request.params.id));
  });

  app.patch<{ Params: IdParams }>(`${ACCOUNTS}/:id`, { schema: { tags, summary: "Change a service account's display name or description", params, body: updateBody, response: { 200: accountSchema, ...v2ErrorResponses(400, 403, 404, 409) } } }, async (request) => {
    const body = objectBody(request.body);
    return renderServiceAccount(deps.links, await service.update(deps.principalOf(request), request.params.id, { displayName: body.display_name, description: body.description }));
  });

  app.delete<{ Params: IdParams }>(`${ACCOUNTS}/:id`, { schema: { tags, summary: "Delete a service account with its API keys and role bindings (403 for the caller's own, or the holder of the last OrganizationAdmin binding)", params, response: { 204: { type: "null" }, ...v2ErrorResponses(403, 404) } } }, async (request, reply) => {
    await service.delete(deps.principalOf(request), request.params.id);
    return reply.status(204).send();
  });
}

function registerRoleBindings(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.roleBindings;
  const tags = ["Role bindings (iam/v2)"];
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;
  const crnPattern = { type: "string", minLength: 1, maxLength: 1024, pattern: CRN_PATTERN_PATTERN, description: "crn://confluent.cloud/organization=<id>[/environment=env-…[/provider-integration=cspi-…]] (another organization's: 403 to bind on, no bindings to list)" };
  const createBody = {
    type: "object",
    properties: {
      principal: { type: "string", maxLength: 128, pattern: SERVICE_ACCOUNT_PRINCIPAL_PATTERN, description: "User:sa-… (a service account)" },
      role_name: { enum: ROLE_NAMES, description: "OrganizationAdmin and Operator on the organization; EnvironmentAdmin, DeveloperManage and Operator on an environment; ResourceOwner and Assigner on a provider integration" },
      crn_pattern: crnPattern,
    },
    required: ["principal", "role_name", "crn_pattern"],
  } as const;
  const query = {
    type: "object",
    properties: {
      ...listQuery.properties,
      crn_pattern: { ...crnPattern, description: "the bindings on this scope and within it" },
      principal: { type: "string", maxLength: 128, pattern: SERVICE_ACCOUNT_PRINCIPAL_PATTERN, description: "only this principal's bindings (User:sa-…)" },
      role_name: { enum: ROLE_NAMES, description: "only bindings of this role" },
    },
    required: ["crn_pattern"],
  } as const;

  app.post(BINDINGS, { schema: { tags, summary: "Bind a role to a service account on a CRN pattern (OrganizationAdmin; EnvironmentAdmin within its environment)", body: createBody, response: { 201: bindingSchema, ...v2ErrorResponses(400, 403, 409) } } }, async (request, reply) => {
    const body = objectBody(request.body);
    const binding = await service.create(deps.principalOf(request), { principal: body.principal, roleName: body.role_name, crnPattern: body.crn_pattern });
    return reply.status(201).send(renderRoleBinding(deps.links, binding));
  });

  app.get<{ Querystring: BindingListQuery }>(BINDINGS, { schema: { tags, summary: "List the role bindings on a CRN pattern and within it", querystring: query, response: { 200: list("RoleBindingList", bindingSchema), ...v2ErrorResponses(400) } } }, async (request) => {
    const page = await service.list(deps.principalOf(request), { crnPattern: request.query.crn_pattern, principal: request.query.principal, roleName: request.query.role_name }, pageRequest(request.query));
    return {
      api_version: "iam/v2",
      kind: "RoleBindingList",
      metadata: listMetadata(deps.links, BINDINGS, { page_size: request.query.page_size, crn_pattern: request.query.crn_pattern, principal: request.query.principal, role_name: request.query.role_name }, page.nextPageToken),
      data: page.items.map((b) => renderRoleBinding(deps.links, b)),
    };
  });

  app.get<{ Params: IdParams }>(`${BINDINGS}/:id`, { schema: { tags, summary: "Read a role binding", params, response: { 200: bindingSchema, ...v2ErrorResponses(404) } } }, async (request) => {
    return renderRoleBinding(deps.links, await service.get(deps.principalOf(request), request.params.id));
  });

  app.delete<{ Params: IdParams }>(`${BINDINGS}/:id`, { schema: { tags, summary: "Delete a role binding; answers the deleted binding (403 for the last OrganizationAdmin binding)", params, response: { 200: bindingSchema, ...v2ErrorResponses(403, 404) } } }, async (request) => {
    return renderRoleBinding(deps.links, await service.delete(deps.principalOf(request), request.params.id));
  });
}
