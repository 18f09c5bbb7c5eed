/**
 * /pim/v1/integrations — Confluent's Provider Integration API v1, the AWS
 * shape: the user gives `customer_iam_role_arn`; vaultwire answers with the
 * role it assumes from (`iam_role_arn`) and the integration's `external_id`,
 * the two the customer's trust policy names. Created configured (no DRAFT).
 */
import type { FastifyInstance } from "fastify";
import { InputError, NotFoundError } from "../../domain/errors.js";
import { AWS_ROLE_ARN_PATTERN } from "../../secret-managers/aws-secrets-manager/integration-config.js";
import type { IntegrationView } from "../../services/integrations.js";
import type { RouteDependencies } from "../app.js";
import { crn, listMetadata, selfLink } from "../links.js";
import { objectBody, objectField, pageRequest, requiredQuery } from "../request.js";
import { anyCase, listMetadataSchema, listQuery, pathId, requiredQueryText, requiredText, str, v2ErrorResponses } from "../schemas.js";
import { usageCrn } from "../pim-v2/routes.js";

const BASE = "/pim/v1/integrations";

const configSchema = {
  type: "object",
  properties: {
    kind: { const: "AwsIntegrationConfig" },
    customer_iam_role_arn: str(2048),
    iam_role_arn: str(2048, { description: "the role vaultwire assumes the customer's role from (its platform AWS identity); empty when none is configured" }),
    external_id: str(64, { description: "the external id the customer's trust policy must require" }),
  },
} as const;
const integrationSchema = {
  type: "object",
  properties: {
    api_version: { const: "pim/v1" },
    kind: { const: "Integration" },
    id: str(64),
    display_name: str(60),
    provider: { const: "AWS" },
    config: configSchema,
    usages: { type: "array", items: str(2048) },
    environment: { type: "object", properties: { id: str(64), related: str(2048), resource_name: str(2048) } },
  },
} as const;

export interface PimV1Dependencies extends RouteDependencies {
  /** `iam_role_arn`: the ARN of vaultwire's platform AWS identity (VAULTWIRE_AWS_PLATFORM_ROLE_ARN), "" when not configured. */
  readonly awsPlatformRoleArn: string;
}

export function registerPimV1(app: FastifyInstance, deps: PimV1Dependencies): void {
  const service = deps.services.integrations;
  const tags = ["Provider integrations (pim/v1, AWS)"];
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;
  const envQuery = { type: "object", properties: { environment: str(64, { description: "the integration's environment (optional; another one is a 404)" }) } } as const;
  const render = (view: IntegrationView): Record<string, unknown> => {
    const { integration } = view;
    const config = integration.config?.kind === "AwsIntegrationConfig" ? integration.config : null;
    return {
      api_version: "pim/v1",
      kind: "Integration",
      id: integration.id,
      display_name: integration.displayName,
      provider: "AWS",
      config: { kind: "AwsIntegrationConfig", customer_iam_role_arn: config?.customerIamRoleArn ?? "", iam_role_arn: deps.awsPlatformRoleArn, external_id: config?.externalId ?? "" },
      usages: view.usages.map((c) => usageCrn(deps.links, c)),
      environment: { id: integration.environmentId, related: selfLink(deps.links, `/org/v2/environments/${integration.environmentId}`), resource_name: crn(deps.links, ["environment", integration.environmentId]) },
    };
  };

  const createBody = {
    type: "object",
    properties: {
      display_name: requiredText(60),
      provider: anyCase(["AWS"], { description: "AWS, any case (Azure integrations are pim/v2's)" }),
      config: { type: "object", properties: { kind: { const: "AwsIntegrationConfig" }, customer_iam_role_arn: { type: "string", minLength: 20, maxLength: 2048, pattern: AWS_ROLE_ARN_PATTERN, description: "the IAM role in your account that vaultwire assumes, e.g. arn:aws:iam::123456789012:role/vaultwire-reader" } }, required: ["kind", "customer_iam_role_arn"] },
      environment: { type: "object", properties: { id: requiredText(64) }, required: ["id"] },
    },
    required: ["display_name", "provider", "config", "environment"],
  } as const;
  app.post(BASE, { schema: { tags, summary: "Create an AWS provider integration", body: createBody, response: { 201: integrationSchema, ...v2ErrorResponses(400, 404) } } }, async (request, reply) => {
    const body = objectBody(request.body);
    // pim/v1 is AWS's shape: another provider would be created and then shown as AWS.
    if (typeof body.provider !== "string" || body.provider.trim().toUpperCase() !== "AWS") {
      throw new InputError("provider must be AWS: /pim/v1/integrations creates AWS integrations; create Azure ones with POST /pim/v2/integrations", [{ field: "provider", message: "must be AWS" }]);
    }
    const view = await service.create(deps.principalOf(request), { displayName: body.display_name, provider: body.provider, config: body.config, environmentId: objectField(body.environment, "environment").id });
    return reply.status(201).send(render(view));
  });

  app.get<{ Querystring: { environment?: string; page_size?: string; page_token?: string } }>(BASE, { schema: { tags, summary: "List AWS provider integrations", querystring: { ...listQuery, properties: { ...listQuery.properties, environment: requiredQueryText(64) }, required: ["environment"] }, response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: listMetadataSchema, data: { type: "array", items: integrationSchema } } }, ...v2ErrorResponses(400, 404) } } }, async (request) => {
    const q = request.query;
    const environmentId = requiredQuery(q.environment, "environment", "env-a1b2c3d4");
    const page = await service.list(deps.principalOf(request), { environmentId, provider: "AWS" }, pageRequest(q));
    return {
      api_version: "pim/v1",
      kind: "IntegrationList",
      metadata: listMetadata(deps.links, BASE, { environment: environmentId, page_size: q.page_size }, page.nextPageToken),
      data: page.items.map(render),
    };
  });

  app.get<{ Params: { id: string }; Querystring: { environment?: string } }>(`${BASE}/:id`, { schema: { tags, summary: "Read an AWS provider integration", params, querystring: envQuery, response: { 200: integrationSchema, ...v2ErrorResponses(404) } } }, async (request) => {
    const view = await service.get(deps.principalOf(request), request.params.id, request.query.environment);
    if (view.integration.provider !== "AWS") throw awsOnly(request.params.id);
    return render(view);
  });

  app.delete<{ Params: { id: string }; Querystring: { environment?: string } }>(`${BASE}/:id`, { schema: { tags, summary: "Delete an AWS provider integration no connector uses", params, querystring: envQuery, response: { 204: { type: "null" }, ...v2ErrorResponses(404, 409) } } }, async (request, reply) => {
    const view = await service.get(deps.principalOf(request), request.params.id, request.query.environment);
    if (view.integration.provider !== "AWS") throw awsOnly(request.params.id);
    await service.delete(deps.principalOf(request), request.params.id, request.query.environment);
    return reply.status(204).send();
  });
}

function awsOnly(id: string): Error {
  return new NotFoundError(`provider integration "${id}" was not found among the AWS integrations (pim/v1); read Azure integrations with /pim/v2/integrations`);
}
