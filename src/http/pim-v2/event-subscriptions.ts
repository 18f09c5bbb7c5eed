/**
 * /pim/v2/integrations/{id}/event-subscriptions — vaultwire: the Event Grid
 * webhooks of an Azure provider integration (decision 41). Creating one
 * returns its token once, inside the webhook URL and the
 * `az eventgrid event-subscription create` command to run; listing never
 * shows it.
 */
import type { FastifyInstance } from "fastify";
import type { EventSubscriptionView } from "../../services/secret-events.js";
import type { RouteDependencies } from "../app.js";
import { selfLink } from "../links.js";
import { objectBody, objectField } from "../request.js";
import { metadata, noStoreHeaders, optionalText, pathId, str, v2ErrorResponses } from "../schemas.js";

const BASE = "/pim/v2/integrations";

interface Params { id: string; subscription_id?: string }
interface EnvironmentQuery { environment?: string }

export function registerEventSubscriptions(app: FastifyInstance, deps: RouteDependencies): void {
  const service = deps.services.secretEvents;
  const tags = ["Event subscriptions (pim/v2)"];
  const params = { type: "object", properties: { id: pathId(64) }, required: ["id"] } as const;
  const itemParams = { type: "object", properties: { id: pathId(64), subscription_id: pathId(64) }, required: ["id", "subscription_id"] } as const;
  const envQuery = { type: "object", properties: { environment: str(64, { description: "the integration's environment (optional; another one is a 404)" }) } } as const;
  const subscriptionSchema = {
    type: "object",
    properties: {
      api_version: { const: "pim/v2" },
      kind: { const: "EventSubscription" },
      id: str(64),
      metadata,
      spec: {
        type: "object",
        properties: {
          integration: { type: "object", properties: { id: str(64) } },
          description: str(255),
          delivery_schema: { enum: ["EventGridSchema", "CloudEventSchemaV1_0"] },
          webhook_url: str(2048, { description: "where Event Grid delivers (without the token)" }),
          token: str(64, { description: "only in the create response: the webhook's token (also in endpoint_url and az_command)" }),
          endpoint_url: str(2200, { description: "only in the create response: the webhook URL with its token, the --endpoint to give Event Grid" }),
          az_command: str(4096, { description: "the az eventgrid event-subscription create command to run (fill in the vault's resource id); it carries the token only in the create response" }),
        },
      },
      status: { type: "object", properties: { last_event_at: { type: ["string", "null"], maxLength: 40 } } },
    },
  } as const;
  const render = (view: EventSubscriptionView, token?: string) => ({
    api_version: "pim/v2",
    kind: "EventSubscription",
    id: view.subscription.id,
    metadata: { self: selfLink(deps.links, `${BASE}/${view.subscription.integrationId}/event-subscriptions/${view.subscription.id}`), created_at: view.subscription.createdAt },
    spec: {
      integration: { id: view.subscription.integrationId },
      description: view.subscription.description,
      delivery_schema: view.subscription.deliverySchema,
      webhook_url: view.webhookUrl,
      ...(token === undefined ? {} : { token, endpoint_url: `${view.webhookUrl}?token=${token}` }),
      az_command: view.azCommand,
    },
    status: { last_event_at: view.subscription.lastEventAt },
  });
  const createBody = {
    type: "object",
    properties: {
      spec: {
        type: ["object", "null"],
        properties: {
          description: optionalText(255, { description: "what the subscription is for, e.g. which vault" }),
          delivery_schema: { enum: ["EventGridSchema", "CloudEventSchemaV1_0"], default: "EventGridSchema", description: "the --event-delivery-schema the Event Grid subscription uses" },
        },
      },
    },
  } as const;

  app.post<{ Params: Params; Querystring: EnvironmentQuery }>(`${BASE}/:id/event-subscriptions`, {
    schema: { tags, summary: "vaultwire: create an Event Grid webhook for an Azure integration's Key Vault secret events (EnvironmentAdmin or OrganizationAdmin; the token is shown once)", params, querystring: envQuery, body: createBody, response: { 201: { ...subscriptionSchema, headers: noStoreHeaders }, ...v2ErrorResponses(400, 403, 404, 422) } },
  }, async (request, reply) => {
    const spec = objectField(objectBody(request.body).spec, "spec");
    const created = await service.create(deps.principalOf(request), request.params.id, request.query.environment, { description: spec.description, deliverySchema: spec.delivery_schema });
    return reply.status(201).header("cache-control", "no-store").send(render(created, created.token));
  });

  app.get<{ Params: Params; Querystring: EnvironmentQuery }>(`${BASE}/:id/event-subscriptions`, {
    schema: { tags, summary: "vaultwire: list an Azure integration's Event Grid webhooks (never their tokens)", params, querystring: envQuery, response: { 200: { type: "object", properties: { api_version: str(16), kind: str(32), metadata: { type: "object", properties: { first: str(4096) } }, data: { type: "array", items: subscriptionSchema } } }, ...v2ErrorResponses(404, 422) } },
  }, async (request) => {
    const views = await service.list(deps.principalOf(request), request.params.id, request.query.environment);
    return { api_version: "pim/v2", kind: "EventSubscriptionList", metadata: { first: selfLink(deps.links, `${BASE}/${request.params.id}/event-subscriptions`) }, data: views.map((v) => render(v)) };
  });

  app.delete<{ Params: Params; Querystring: EnvironmentQuery }>(`${BASE}/:id/event-subscriptions/:subscription_id`, {
    schema: { tags, summary: "vaultwire: delete an Event Grid webhook (EnvironmentAdmin or OrganizationAdmin); its deliveries are refused from then on", params: itemParams, querystring: envQuery, response: { 204: { type: "null" }, ...v2ErrorResponses(403, 404, 422) } },
  }, async (request, reply) => {
    await service.delete(deps.principalOf(request), request.params.id, request.query.environment, request.params.subscription_id ?? "");
    return reply.status(204).send();
  });
}
