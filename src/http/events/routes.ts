/**
 * /events/v1/key-vault/{evs-id} — the webhook Azure Event Grid delivers Key
 * Vault secret events to (decision 41). Public (no API key): the
 * subscription's token authenticates, as `?token=` (what the endpoint URL
 * carries) or `Authorization: Bearer`. Both delivery schemas and both
 * handshakes: the Event Grid schema's SubscriptionValidationEvent (answered
 * with its validationResponse) and CloudEvents 1.0's OPTIONS abuse
 * protection (WebHook-Request-Origin → WebHook-Allowed-Origin). The answer
 * is sent before the events are acted on.
 */
import type { IncomingMessage } from "node:http";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { WEBHOOK_PATH, type SecretEventService } from "../../services/secret-events.js";
import { errorBody } from "../errors.js";
import { commonErrorResponses, str } from "../schemas.js";

/** Event Grid's largest delivery: 1 MB. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;
const CLOUD_EVENTS_TYPES = ["application/cloudevents+json", "application/cloudevents-batch+json"];
const tokens = new WeakMap<IncomingMessage, string>();

/**
 * Fastify's rewriteUrl: takes the token out of a webhook URL before anything
 * (routing, request logs) sees it; the route reads it back from here.
 */
export function stripWebhookToken(request: IncomingMessage): string {
  const url = request.url ?? "/";
  if (!url.startsWith(`${WEBHOOK_PATH}/`) || !url.includes("?")) return url;
  const [path, query = ""] = url.split("?", 2) as [string, string?];
  const params = new URLSearchParams(query);
  const token = params.get("token");
  if (token === null) return url;
  tokens.set(request, token);
  params.delete("token");
  const rest = params.toString();
  return rest === "" ? path : `${path}?${rest}`;
}

function tokenOf(request: FastifyRequest): string | undefined {
  const fromUrl = tokens.get(request.raw);
  if (fromUrl !== undefined) return fromUrl;
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? "");
  return match?.[1];
}

function refuse(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  const code = status === 401 ? "unauthenticated" : status === 403 ? "forbidden" : status === 404 ? "not_found" : "invalid_request";
  return reply.status(status).type("application/json; charset=utf-8").send(errorBody("v2", { status, code, message, problems: [], unexpected: false }, request.id));
}

export interface EventRoutesDependencies {
  readonly secretEvents: SecretEventService;
  readonly onWorkFailed: (error: unknown) => void;
}

export function registerEventsV1(app: FastifyInstance, deps: EventRoutesDependencies): void {
  const tags = ["Event Grid webhook (events/v1)"];
  const params = { type: "object", properties: { id: str(64) }, required: ["id"] } as const;
  const refusal = (description: string) => ({ description, $ref: "V2Errors#" });
  const responses = {
    400: refusal("Not a Key Vault event delivery (the problem names the field)"),
    401: refusal("The subscription's token is missing or wrong"),
    403: refusal("An event names a vault none of the integration's connectors use, or one the vault host policy refuses: nothing is acted on"),
    404: refusal("No such event subscription"),
  };
  void app.register((scope, _options, done) => {
    const json = scope.getDefaultJsonParser("remove", "remove");
    scope.addContentTypeParser(CLOUD_EVENTS_TYPES, { parseAs: "string", bodyLimit: WEBHOOK_BODY_LIMIT_BYTES }, json);

    scope.post<{ Params: { id: string } }>(`${WEBHOOK_PATH}/:id`, {
      config: { public: true },
      bodyLimit: WEBHOOK_BODY_LIMIT_BYTES,
      schema: {
        tags,
        summary: "vaultwire: receive Key Vault secret events from Azure Event Grid (Event Grid schema or CloudEvents 1.0, one event or a batch), or its subscription validation; authenticated by the subscription's token (?token= or Authorization: Bearer)",
        security: [],
        params,
        response: {
          ...commonErrorResponses("v2", true),
          200: { description: "Accepted (acted on after the answer); for a SubscriptionValidationEvent, the validation code", type: "object", properties: { validationResponse: str(4096) } },
          ...responses,
        },
      },
    }, async (request, reply) => {
      const contentType = (request.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
      const reception = await deps.secretEvents.receive({ subscriptionId: request.params.id, token: tokenOf(request), body: request.body, cloudEvents: CLOUD_EVENTS_TYPES.includes(contentType) });
      if (reception.status !== 200) return refuse(request, reply, reception.status, reception.message);
      void reception.work.catch(deps.onWorkFailed);
      return reply.status(200).send(reception.validationResponse === undefined ? {} : { validationResponse: reception.validationResponse });
    });

    scope.options<{ Params: { id: string } }>(`${WEBHOOK_PATH}/:id`, {
      config: { public: true },
      schema: {
        tags,
        summary: "vaultwire: CloudEvents 1.0 abuse protection handshake: answers WebHook-Allowed-Origin for the WebHook-Request-Origin Event Grid sends, when the subscription's token is right",
        security: [],
        params,
        headers: { type: "object", required: ["webhook-request-origin"], properties: { "webhook-request-origin": { type: "string", minLength: 1, maxLength: 255, pattern: "\\S", description: "The host name of the sender (eventgrid.azure.net)" } } },
        response: { ...commonErrorResponses("v2", false), 200: { description: "WebHook-Allowed-Origin (and WebHook-Allowed-Rate) name what may deliver here", type: "null" }, 400: refusal("No WebHook-Request-Origin header"), 401: refusal("Unknown event subscription, or its token is missing or wrong") },
      },
    }, async (request, reply) => {
      const origin = request.headers["webhook-request-origin"];
      if (typeof origin !== "string" || origin.trim() === "" || origin.length > 255) return refuse(request, reply, 400, "the WebHook-Request-Origin header is required: the host name of the sender (eventgrid.azure.net)");
      const subscription = await deps.secretEvents.authenticate(request.params.id, tokenOf(request));
      if (subscription === null) return refuse(request, reply, 401, "unknown event subscription, or its token is missing or wrong");
      return reply.status(200).header("webhook-allowed-origin", origin.trim()).header("webhook-allowed-rate", "*").send();
    });
    done();
  });
}
