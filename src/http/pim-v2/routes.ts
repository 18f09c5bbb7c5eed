/** /pim/v2/integrations — Confluent's Provider Integration API v2 shapes, plus permission probes on validate. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT, AWS_SECRETS_MANAGER_IDENTIFIER_PATTERN, MAX_AWS_IDENTIFIER_LENGTH } from "../../secret-managers/aws-secrets-manager/identifier.js";
import { AZURE_KEY_VAULT_IDENTIFIER_FORMAT, azureKeyVaultPatterns, MAX_IDENTIFIER_LENGTH, parseAzureKeyVaultIdentifier } from "../../secret-managers/azure-key-vault/identifier.js";
import { InputError, UnprocessableError } from "../../domain/errors.js";
import { AWS_ROLE_ARN_PATTERN } from "../../secret-managers/aws-secrets-manager/integration-config.js";
import type { Connector } from "../../domain/resources.js";
import { CERTIFICATE_AND_KEY_PEM_PATTERN, MAX_INTEGRATION_NAME, PROVIDERS, type IntegrationView } from "../../services/integrations.js";
import { characterCount, GUID_PATTERN } from "../../services/input.js";
import type { RouteDependencies } from "../app.js";
import { crn, listMetadata, selfLink, type LinkContext } from "../links.js";
import { objectBody, objectField, pageRequest, requiredQuery } from "../request.js";
import { anyCase, listMetadataSchema, listQuery, metadata, pathId, requiredQueryText, requiredText, str, v2ErrorResponses, v2Errors } from "../schemas.js";
import type { VaultHostPolicy } from "../../secret-managers/azure-key-vault/vault-host-policy.js";

const BASE = "/pim/v2/integrations";

/** The config as responses show it. */
const configSchema = {
  type: "object",
  properties: {
    kind: { enum: ["AzureIntegrationConfig", "AwsIntegrationConfig"] },
    customer_azure_tenant_id: str(36),
    confluent_multi_tenant_app_id: str(36),
    customer_iam_role_arn: str(2048),
    iam_role_arn: str(2048),
    external_id: str(64),
    credential: {
      description: "vaultwire: the integration's own service principal (its secret is never shown)",
      type: "object",
      properties: { kind: { enum: ["ClientSecret", "ClientCertificate"] }, client_id: str(36) },
    },
  },
} as const;
const guid = { type: "string", minLength: 36, maxLength: 36, pattern: GUID_PATTERN } as const;
/** What PATCH may set: the tenant (while DRAFT) and/or the integration's own credential. */
const configUpdateSchema = {
  type: "object",
  properties: {
    kind: { enum: ["AzureIntegrationConfig", "AwsIntegrationConfig"] },
    customer_azure_tenant_id: { ...guid, description: "the customer's Entra ID tenant (a GUID); only while the integration is DRAFT" },
    customer_iam_role_arn: { type: "string", minLength: 20, maxLength: 2048, pattern: AWS_ROLE_ARN_PATTERN, description: "AWS: the customer's IAM role vaultwire assumes; only while the integration is DRAFT" },
    credential: {
      description: "vaultwire: the integration's own service principal (write-only secret); null removes it",
      anyOf: [
        { type: "null" },
        { type: "object", properties: { kind: { const: "ClientSecret" }, client_id: guid, client_secret: requiredText(1024, { writeOnly: true }) }, required: ["kind", "client_id", "client_secret"] },
        { type: "object", properties: { kind: { const: "ClientCertificate" }, client_id: guid, certificate_pem: { type: "string", maxLength: 65536, pattern: CERTIFICATE_AND_KEY_PEM_PATTERN, writeOnly: true, description: "PEM with the certificate and its private key" } }, required: ["kind", "client_id", "certificate_pem"] },
      ],
    },
  },
  anyOf: [{ required: ["kind"] }, { required: ["customer_azure_tenant_id"] }, { required: ["customer_iam_role_arn"] }, { required: ["credential"] }],
} as const;
const integrationSchema = {
  type: "object",
  properties: {
    api_version: { const: "pim/v2" },
    kind: { const: "Integration" },
    id: str(64),
    display_name: str(60),
    provider: { enum: ["AZURE", "AWS", "GCP"] },
    config: configSchema,
    environment: { type: "object", properties: { id: str(64), related: str(2048), resource_name: str(2048) } },
    status: { enum: ["DRAFT", "CREATED", "ACTIVE"] },
    usages: { type: "array", items: str(2048) },
    metadata,
  },
} as const;
const probeSchema = { type: "object", properties: { permission: str(32), action: str(128), status: { enum: ["granted", "denied", "unknown"] }, reason: str(4096) } } as const;
const validationSchema = {
  type: "object",
  properties: { ready: { type: "boolean" }, token: { type: "object", properties: { ok: { type: "boolean" }, message: str(4096), code: str(64) } }, permissions: { type: "array", items: probeSchema } },
} as const;

export function usageCrn(links: LinkContext, connector: Connector): string {
  return crn(links, ["environment", connector.environmentId], ["cloud-cluster", connector.clusterId], ["connector", connector.name]);
}

export function renderIntegration(links: LinkContext, platformAppId: string, view: IntegrationView, awsPlatformRoleArn = ""): Record<string, unknown> {
  const { integration } = view;
  return {
    api_version: "pim/v2",
    kind: "Integration",
    id: integration.id,
    display_name: integration.displayName,
    provider: integration.provider,
    config: integration.config?.kind === "AwsIntegrationConfig" || (integration.config === null && integration.provider === "AWS")
      ? { kind: "AwsIntegrationConfig", customer_iam_role_arn: integration.config?.customerIamRoleArn ?? "", iam_role_arn: awsPlatformRoleArn, external_id: integration.config?.externalId ?? "" }
      : {
        kind: "AzureIntegrationConfig",
        customer_azure_tenant_id: integration.config?.kind === "AzureIntegrationConfig" ? integration.config.customerAzureTenantId : "",
        confluent_multi_tenant_app_id: platformAppId,
        ...(view.credential ? { credential: { kind: view.credential.kind === "client-secret" ? "ClientSecret" : "ClientCertificate", client_id: view.credential.clientId } } : {}),
      },
    environment: { id: integration.environmentId, related: selfLink(links, `/org/v2/environments/${integration.environmentId}`), resource_name: crn(links, ["environment", integration.environmentId]) },
    status: view.status,
    usages: view.usages.map((c) => usageCrn(links, c)),
    metadata: {
      self: selfLink(links, `${BASE}/${integration.id}`),
      resource_name: crn(links, ["environment", integration.environmentId], ["provider-integration", integration.id]),
      created_at: integration.createdAt,
      updated_at: integration.updatedAt,
    },
  };
}

interface IdParams { id: string }
interface ListQuery { environment?: string; provider?: string; status?: string; display_name?: string; page_size?: string; page_token?: string }

export interface PimDependencies extends RouteDependencies {
  readonly vaultHosts: VaultHostPolicy;
}

export function registerPimV2(app: FastifyInstance, deps: PimDependencies): void {
  const service = deps.services.integrations;
  const tags = ["Provider integrations (pim/v2)"];
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;
  const envQuery = { type: "object", properties: { environment: str(64, { description: "the integration's environment (optional; another one is a 404)" }) } } as const;
  const environmentRef = { type: ["object", "null"], properties: { id: { type: ["string", "null"], maxLength: 64 } } } as const;
  const render = (view: IntegrationView) => renderIntegration(deps.links, deps.platformAppId, view, deps.awsPlatformRoleArn ?? "");
  const patterns = azureKeyVaultPatterns(deps.vaultHosts);

  const createBody = {
    type: "object",
    properties: {
      display_name: requiredText(60),
      provider: anyCase(["AZURE", "AWS"], { description: "AZURE or AWS, any case (GCP is not supported yet); an AWS integration can also be created configured with /pim/v1/integrations" }),
      environment: { type: "object", properties: { id: requiredText(64) }, required: ["id"] },
    },
    required: ["display_name", "provider", "environment"],
  } as const;
  app.post(BASE, { schema: { tags, summary: "Create a provider integration (DRAFT)", body: createBody, response: { 201: integrationSchema, ...v2ErrorResponses(400, 404) } } }, async (request, reply) => {
    const body = objectBody(request.body);
    const view = await service.create(deps.principalOf(request), { displayName: body.display_name, provider: body.provider, environmentId: objectField(body.environment, "environment").id });
    return reply.status(201).send(render(view));
  });

  app.get<{ Querystring: ListQuery }>(BASE, { schema: { tags, summary: "List provider integrations", querystring: { ...listQuery, properties: { ...listQuery.properties, environment: requiredQueryText(64), provider: anyCase(PROVIDERS), status: anyCase(["DRAFT", "CREATED", "ACTIVE"]), display_name: str(MAX_INTEGRATION_NAME, { description: "exactly this display name" }) }, required: ["environment"] }, response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: listMetadataSchema, data: { type: "array", items: integrationSchema } } }, ...v2ErrorResponses(400, 404) } } }, async (request) => {
    const q = request.query;
    const environmentId = requiredQuery(q.environment, "environment", "env-a1b2c3d4");
    if (q.display_name !== undefined && characterCount(q.display_name) > MAX_INTEGRATION_NAME) {
      throw new InputError(`display_name must be at most ${MAX_INTEGRATION_NAME} characters`, [{ field: "display_name", message: `must be at most ${MAX_INTEGRATION_NAME} characters` }]);
    }
    const page = await service.list(deps.principalOf(request), {
      environmentId,
      ...(q.provider === undefined ? {} : { provider: q.provider }),
      ...(q.status === undefined ? {} : { status: q.status }),
      ...(q.display_name === undefined ? {} : { displayName: q.display_name }),
    }, pageRequest(q));
    return {
      api_version: "pim/v2",
      kind: "IntegrationList",
      metadata: listMetadata(deps.links, BASE, { environment: environmentId, provider: q.provider, status: q.status, display_name: q.display_name, page_size: q.page_size }, page.nextPageToken),
      data: page.items.map(render),
    };
  });

  app.get<{ Params: IdParams; Querystring: { environment?: string } }>(`${BASE}/:id`, { schema: { tags, summary: "Read a provider integration", params, querystring: envQuery, response: { 200: integrationSchema, ...v2ErrorResponses(404) } } }, async (request) => {
    return render(await service.get(deps.principalOf(request), request.params.id, request.query.environment));
  });

  app.patch<{ Params: IdParams; Querystring: { environment?: string } }>(`${BASE}/:id`, { schema: { tags, summary: "Attach the customer's tenant (and optionally the integration's own credential)", params, querystring: envQuery, body: { type: "object", properties: { config: configUpdateSchema, environment: environmentRef }, required: ["config"] }, response: { 200: integrationSchema, ...v2ErrorResponses(400, 404, 409) } } }, async (request) => {
    const body = objectBody(request.body);
    const config = objectField(body.config, "config");
    const environmentId = optionalId(objectField(body.environment, "environment").id, "environment.id") ?? request.query.environment;
    const view = await service.updateConfig(deps.principalOf(request), request.params.id, environmentId, {
      ...(config.kind === undefined ? {} : { kind: config.kind }),
      ...(config.customer_azure_tenant_id === undefined ? {} : { customerAzureTenantId: config.customer_azure_tenant_id }),
      ...(config.customer_iam_role_arn === undefined ? {} : { customerIamRoleArn: config.customer_iam_role_arn }),
      ...(config.credential === undefined ? {} : { credential: config.credential }),
    });
    return render(view);
  });

  app.delete<{ Params: IdParams; Querystring: { environment?: string } }>(`${BASE}/:id`, { schema: { tags, summary: "Delete a provider integration no connector uses", params, querystring: envQuery, response: { 204: { type: "null" }, ...v2ErrorResponses(404, 409) } } }, async (request, reply) => {
    await service.delete(deps.principalOf(request), request.params.id, request.query.environment);
    return reply.status(204).send();
  });

  const validateSchema = {
    tags,
    summary: "Validate a provider integration: acquire a token in the customer tenant (Azure) or assume the customer's role (AWS) and, given a vault or a secret, probe the permissions to read it",
    body: {
      type: "object",
      properties: {
        id: { type: "string", minLength: 1, maxLength: 64 },
        environment: environmentRef,
        vault_uri: { type: "string", maxLength: 512, allOf: [{ pattern: patterns.vaultUri }, { pattern: patterns.noDoubleHyphenInVaultName }], description: "vaultwire: probe this vault (an allowed vault host, https://, no path)" },
        secret_identifier: {
          type: "string",
          maxLength: Math.max(MAX_IDENTIFIER_LENGTH, MAX_AWS_IDENTIFIER_LENGTH),
          anyOf: [
            { maxLength: MAX_IDENTIFIER_LENGTH, allOf: [{ pattern: patterns.identifier }, { pattern: patterns.noDoubleHyphenInVaultName }], description: `an Azure integration: ${AZURE_KEY_VAULT_IDENTIFIER_FORMAT}` },
            { maxLength: MAX_AWS_IDENTIFIER_LENGTH, pattern: AWS_SECRETS_MANAGER_IDENTIFIER_PATTERN, description: `an AWS integration: ${AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT}` },
          ],
          description: `vaultwire: probe this secret (a role granted on one secret shows only there), in the form of the integration's provider: Azure ${AZURE_KEY_VAULT_IDENTIFIER_FORMAT}; AWS ${AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT}`,
        },
      },
      required: ["id"],
    },
    response: {
      200: validationSchema,
      204: { type: "null", description: "ready: a token was acquired in the customer's tenant (no vault was named)" },
      ...v2ErrorResponses(400, 404, 409),
      422: { description: "Not ready: the token or a permission probe failed (each failure is listed; validation has the whole report)", type: "object", properties: { errors: v2Errors.properties.errors, validation: validationSchema } },
    },
  };
  const vaultUriPatterns = [patterns.vaultUri, patterns.noDoubleHyphenInVaultName].map((p) => new RegExp(p, "u"));
  const identifierPatterns = [patterns.identifier, patterns.noDoubleHyphenInVaultName].map((p) => new RegExp(p, "u"));
  const awsIdentifierPattern = new RegExp(AWS_SECRETS_MANAGER_IDENTIFIER_PATTERN, "u");
  const validate = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = objectBody(request.body);
    const id = typeof body.id === "string" ? body.id : "";
    if (id === "") throw new InputError("id is required: the provider integration to validate", [{ field: "id", message: "required" }]);
    const environmentId = optionalId(objectField(body.environment, "environment").id, "environment.id");
    // The identifier's form is the integration's provider's.
    const { integration } = await service.get(deps.principalOf(request), id, environmentId);
    // A well-formed identifier of another manager than the integration's is a request that cannot be
    // processed for this integration (422), not a malformed one: the schema takes both forms.
    const secret = typeof body.secret_identifier === "string" ? body.secret_identifier : undefined;
    const azureForm = secret !== undefined && identifierPatterns.every((p) => p.test(secret));
    const awsForm = secret !== undefined && awsIdentifierPattern.test(secret);
    if (integration.provider !== "AZURE") {
      if (azureForm && !awsForm) throw new UnprocessableError(`secret_identifier is an Azure Key Vault identifier, but provider integration "${id}" is an ${integration.provider} integration: give one of its secrets (${AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT})`, [{ field: "secret_identifier", message: `not an ${integration.provider} secret` }]);
      if (body.vault_uri !== undefined && typeof body.vault_uri === "string") throw new UnprocessableError(`vault_uri names an Azure key vault, but provider integration "${id}" is an ${integration.provider} integration: probe one of its secrets with secret_identifier instead`, [{ field: "vault_uri", message: `not for an ${integration.provider} integration` }]);
      return validateOther(request, reply, id, environmentId, integration.provider, body);
    }
    if (awsForm && !azureForm) throw new UnprocessableError(`secret_identifier is an AWS Secrets Manager ARN, but provider integration "${id}" is an AZURE integration: give one of its vault's secrets (${AZURE_KEY_VAULT_IDENTIFIER_FORMAT})`, [{ field: "secret_identifier", message: "not an Azure Key Vault secret" }]);
    const options: { vaultUri?: string; identifier?: ReturnType<typeof identifierOf> } = {};
    // Both are checked when both are given (the secret wins), so neither is ever silently ignored.
    if (body.vault_uri !== undefined) {
      if (typeof body.vault_uri !== "string") throw new InputError("vault_uri must be a string such as https://my-vault.vault.azure.net", [{ field: "vault_uri", message: "must be a string" }]);
      const vaultUri = body.vault_uri;
      const parsed = identifierOf(`${vaultUri.replace(/\/$/, "")}::probe`, deps.vaultHosts, "vault_uri");
      if (characterCount(vaultUri) > 512 || !vaultUriPatterns.every((p) => p.test(vaultUri))) {
        throw new InputError("vault_uri must be the https:// URI of a vault on an allowed host, without path or surrounding spaces, e.g. https://my-vault.vault.azure.net", [{ field: "vault_uri", message: "not a vault URI" }]);
      }
      options.vaultUri = parsed.vaultUri;
    }
    if (body.secret_identifier !== undefined) {
      const identifier = identifierOf(body.secret_identifier, deps.vaultHosts);
      const text = body.secret_identifier as string;
      if (!identifierPatterns.every((p) => p.test(text))) {
        throw new InputError(`secret_identifier must be ${AZURE_KEY_VAULT_IDENTIFIER_FORMAT} without surrounding spaces, and a JSON key neither starting nor ending with ":" or a space`, [{ field: "secret_identifier", message: "not in the documented form" }]);
      }
      options.identifier = identifier;
      delete options.vaultUri;
    }
    const result = await service.validate(deps.principalOf(request), id, environmentId, {
      ...(options.vaultUri === undefined ? {} : { location: options.vaultUri }),
      ...(options.identifier === undefined ? {} : { reference: options.identifier }),
    });
    return answer(reply, result, options.vaultUri === undefined && options.identifier === undefined);
  };
  /** An AWS integration: no vault; `secret_identifier` is a secret ARN, parsed by the integration's secret manager. */
  const validateOther = async (request: FastifyRequest, reply: FastifyReply, id: string, environmentId: string | undefined, provider: string, body: Record<string, unknown>) => {
    if (body.vault_uri !== undefined) {
      throw new InputError(`vault_uri names an Azure key vault, but provider integration "${id}" is an ${provider} integration: probe one of its secrets with secret_identifier instead`, [{ field: "vault_uri", message: `not for an ${provider} integration` }]);
    }
    let identifier: string | undefined;
    if (body.secret_identifier !== undefined) {
      if (typeof body.secret_identifier !== "string") throw new InputError("secret_identifier must be a string", [{ field: "secret_identifier", message: "must be a string" }]);
      identifier = body.secret_identifier;
      // The documented form is what the parser accepts, less the white space it trims (identifier.test.ts).
      if (identifier !== identifier.trim()) {
        throw new InputError(`secret_identifier must be ${AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT} without surrounding spaces`, [{ field: "secret_identifier", message: "not in the documented form" }]);
      }
    }
    // The service parses the identifier with the grammar of the integration's secret manager (a 400 before any probe).
    const result = await service.validate(deps.principalOf(request), id, environmentId, identifier === undefined ? {} : { identifier });
    return answer(reply, result, identifier === undefined);
  };
  const answer = (reply: FastifyReply, result: Awaited<ReturnType<typeof service.validate>>, tokenOnly: boolean) => {
    if (!result.ready) {
      const failures = [
        ...(result.token.ok ? [] : [{ pointer: "/token", detail: result.token.message }]),
        ...result.permissions.filter((p) => p.status !== "granted").map((p) => ({ pointer: `/permissions/${p.permission}`, detail: `${p.permission} ${p.status}: ${p.reason}` })),
      ];
      return reply.status(422).send({
        errors: failures.map((f) => ({ id: crypto.randomUUID(), status: "422", code: "validation_failed", title: "Unprocessable Entity", detail: f.detail, source: { pointer: f.pointer } })),
        validation: result,
      });
    }
    if (tokenOnly) return reply.status(204).send();
    return reply.status(200).send(result);
  };
  app.post(`${BASE}::validate`, { schema: validateSchema }, validate);
  app.post(`${BASE}/validate`, { schema: { ...validateSchema, hide: true } }, validate);
}

/** An optional string id in a body (`environment.id`): absent or null is undefined, anything but a string a 400. */
function optionalId(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new InputError(`${field} must be a string`, [{ field, message: "must be a string" }]);
  return value;
}

function identifierOf(value: unknown, hosts: VaultHostPolicy, field = "secret_identifier") {
  const parsed = parseAzureKeyVaultIdentifier(value, hosts);
  if (!parsed.ok) throw new InputError(`${field}: ${parsed.error.message}`, [{ field, message: parsed.error.message }]);
  return parsed.value;
}
