/**
 * JSON Schema pieces shared by the route schemas (documentation and OpenAPI).
 * Request schemas say exactly what the services accept: the text patterns
 * come from services/input.ts, whose checks they mirror.
 */
import { anyCasePattern, NON_BLANK_TEXT_PATTERN, NOT_BLANK_PATTERN, TEXT_PATTERN } from "../services/input.js";
import { PAGE_TOKEN_PATTERN } from "../domain/page-token.js";

export const str = (maxLength: number, extra: Record<string, unknown> = {}) => ({ type: "string", maxLength, ...extra });
export const idRef = { type: "object", properties: { id: str(64) }, required: ["id"] } as const;

/** A required text field (FieldChecks.requiredString): 1–max characters, no control characters, not blank; trimmed. */
export const requiredText = (maxLength: number, extra: Record<string, unknown> = {}) => ({ type: "string", minLength: 1, maxLength, pattern: NON_BLANK_TEXT_PATTERN, ...extra });
/** An optional text field (FieldChecks.optionalString): null or up to max characters without control characters; trimmed. */
export const optionalText = (maxLength: number, extra: Record<string, unknown> = {}) => ({ type: ["string", "null"], maxLength, pattern: TEXT_PATTERN, ...extra });
/** One of some words in any ASCII case (FieldChecks.oneOf); null too when the field has a default. */
export const anyCase = (words: readonly string[], options: { nullable?: boolean; description?: string } = {}) => ({
  type: options.nullable === true ? ["string", "null"] : "string",
  pattern: anyCasePattern(words),
  description: options.description ?? `one of ${words.join(", ")} (any case)`,
});
/** A path parameter naming a resource: looked up as given, so anything else is a 404. */
export const pathId = (maxLength: number) => ({ type: "string", minLength: 1, maxLength });
/** A required query parameter (requiredQuery): not blank; trimmed. */
export const requiredQueryText = (maxLength: number) => ({ type: "string", minLength: 1, maxLength, pattern: NOT_BLANK_PATTERN });
export const listQuery = {
  type: "object",
  properties: {
    page_size: { type: "integer", minimum: 1, maximum: 100, default: 10 },
    page_token: { type: "string", maxLength: 512, pattern: PAGE_TOKEN_PATTERN, description: "the page_token of a previous page's next link; empty for the first page" },
  },
} as const;
export const metadata = {
  type: "object",
  properties: { self: str(2048), resource_name: str(2048), created_at: str(40), updated_at: str(40) },
} as const;
export const listMetadataSchema = { type: "object", properties: { first: str(4096), next: str(4096) } } as const;
export const v2Errors = {
  type: "object",
  properties: {
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: { id: str(64), status: str(3), code: str(64), title: str(64), detail: str(65536), source: { type: "object", properties: { pointer: str(1024) } } },
      },
    },
  },
} as const;
export const connectError = {
  type: "object",
  properties: {
    error: { type: "object", properties: { code: { type: "integer" }, message: str(1_048_576) } },
    code: { type: "integer", description: "a 400's status, as Confluent's Connect API documents it (same as error.code)" },
    error_code: { type: "integer", description: "a 500's status, as Kafka Connect writes it (same as error.code)" },
    message: str(1_048_576, { description: "a 400's or a 500's message (same as error.message)" }),
  },
} as const;

/** The error bodies, shared by every response that carries one (components/schemas in the OpenAPI document). */
export const SHARED_SCHEMAS = [
  { $id: "V2Errors", description: "The v2 APIs' errors: one entry per problem", ...v2Errors },
  { $id: "ConnectError", description: "Kafka Connect's error body", ...connectError },
] as const;

const ERROR_DESCRIPTIONS: Readonly<Record<number, string>> = {
  400: "The request is invalid (every problem is listed, each naming its field), or its URL or JSON body is malformed",
  401: "Missing or wrong credentials: send an API key and secret as HTTP Basic authentication",
  403: "This API key may not do this (it is scoped to one environment)",
  404: "No such resource, or not one this API key can see",
  408: "The request was not received in time",
  409: "The request conflicts with the resource's current state",
  413: "The request body is larger than 1 MiB",
  414: "The URL is longer than 8192 characters, or one of its path segments longer than 4096 (percent-encoded)",
  415: "The request body is not JSON: send Content-Type: application/json",
  422: "The request is well formed but what it asks for failed",
  429: "Too many failed sign-ins with this API key from this address (10 in 60 s), or from this address (100 in 60 s); retry after Retry-After seconds",
  431: "The request's header fields are larger than 16 KiB",
  500: "Internal error; the message names the request id under which the server log has the details",
};

const ERROR_HEADERS: Readonly<Record<number, Record<string, unknown>>> = {
  401: { "www-authenticate": { type: "string", const: "Basic realm=\"vaultwire\"", description: "The authentication scheme: HTTP Basic" } },
  429: { "retry-after": { type: "string", pattern: "^[1-9][0-9]*$", description: "Seconds until the lockout ends" } },
};

function errorResponse(family: "v2" | "connect", status: number): Record<string, unknown> {
  const headers = ERROR_HEADERS[status];
  return {
    description: ERROR_DESCRIPTIONS[status] ?? "Error",
    ...(headers === undefined ? {} : { headers }),
    $ref: family === "v2" ? "V2Errors#" : "ConnectError#",
  };
}

/** Standard error responses of a v2 route. */
export function v2ErrorResponses(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries([401, ...statuses].map((s) => [String(s), errorResponse("v2", s)]));
}

export function connectErrorResponses(...statuses: number[]): Record<string, unknown> {
  return Object.fromEntries([401, ...statuses].map((s) => [String(s), errorResponse("connect", s)]));
}

/** Statuses any authenticated operation can answer, whatever its input: malformed or over-long requests, credentials, failures. */
export const COMMON_ERROR_STATUSES = [400, 401, 408, 414, 429, 431, 500] as const;
/** …and those of an operation that takes a body. */
export const BODY_ERROR_STATUSES = [413, 415] as const;

/** The error responses every documented operation declares, besides its own (which win). */
export function commonErrorResponses(family: "v2" | "connect", takesBody: boolean): Record<string, unknown> {
  const statuses: number[] = [...COMMON_ERROR_STATUSES, ...(takesBody ? BODY_ERROR_STATUSES : [])];
  return Object.fromEntries(statuses.map((s) => [String(s), errorResponse(family, s)]));
}

/** A `Cache-Control: no-store` response header, for responses that carry a secret. */
export const noStoreHeaders = { "cache-control": { type: "string", const: "no-store", description: "The response carries a secret: no cache may keep it" } } as const;
