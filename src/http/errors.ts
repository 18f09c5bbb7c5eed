/**
 * The one table from domain errors (and Fastify's own request errors) to HTTP
 * status codes, and the two error bodies vaultwire speaks: Kafka Connect's
 * `{"error": {"code", "message"}}` under /connect/v1 (with the top-level
 * fields Confluent's SDK decodes for a 400 and a 500), and the v2 APIs'
 * `{"errors": [{"id", "status", "code", "title", "detail", "source"}]}`.
 * Unexpected errors answer 500 with a request id; their text stays in the log.
 */
import { randomUUID } from "node:crypto";
import { DomainError, type FieldProblem } from "../domain/errors.js";
import { InvalidPageTokenError } from "../domain/page-token.js";

export type ErrorFamily = "connect" | "v2";

export interface HttpError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly problems: readonly FieldProblem[];
  readonly retryAfterSeconds?: number;
  /** Response headers the status needs (`Allow` on a 405). */
  readonly headers?: Readonly<Record<string, string>>;
  /** True when the error was not foreseen (log it with its stack). */
  readonly unexpected: boolean;
}

/** A protocol problem with a fixed status (a 405, a 414), raised by the HTTP layer itself. */
export class ProtocolError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly headers: Readonly<Record<string, string>> = {}) {
    super(message);
    this.name = "ProtocolError";
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  408: "Request Timeout",
  409: "Conflict",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const DOMAIN_STATUS: Readonly<Record<DomainError["kind"], { status: number; code: string }>> = {
  input: { status: 400, code: "invalid_input" },
  "not-found": { status: 404, code: "not_found" },
  conflict: { status: 409, code: "conflict" },
  "not-allowed": { status: 403, code: "forbidden" },
  authentication: { status: 401, code: "unauthorized" },
  "too-many-requests": { status: 429, code: "too_many_requests" },
  unavailable: { status: 503, code: "unavailable" },
  unprocessable: { status: 422, code: "unprocessable" },
};

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  validation?: unknown;
}

/** Classifies anything thrown while handling a request. */
export function toHttpError(error: unknown, limits: { readonly bodyLimitBytes: number; readonly maxParamLength?: number }): HttpError {
  if (error instanceof DomainError) {
    const mapped = DOMAIN_STATUS[error.kind];
    const problems = "problems" in error ? (error as { problems: readonly FieldProblem[] }).problems : [];
    const retryAfterSeconds = "retryAfterSeconds" in error ? (error as { retryAfterSeconds?: number }).retryAfterSeconds : undefined;
    return { ...mapped, message: error.message, problems, unexpected: false, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  }
  if (error instanceof ProtocolError) {
    return { status: error.status, code: error.code, message: error.message, problems: [], headers: error.headers, unexpected: false };
  }
  if (error instanceof InvalidPageTokenError) {
    return { status: 400, code: "invalid_input", message: "page_token is invalid: use the next link of a previous page", problems: [{ field: "page_token", message: "invalid" }], unexpected: false };
  }
  const e = (typeof error === "object" && error !== null ? error : {}) as FastifyLikeError;
  const code = typeof e.code === "string" ? e.code : "";
  switch (code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return { status: 413, code: "payload_too_large", message: `the request body is larger than ${Math.round(limits.bodyLimitBytes / 1024)} KiB`, problems: [], unexpected: false };
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return { status: 415, code: "unsupported_media_type", message: "the request body must be JSON: send Content-Type: application/json", problems: [], unexpected: false };
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return { status: 400, code: "invalid_input", message: "the request body is empty; expected a JSON object", problems: [], unexpected: false };
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return { status: 400, code: "invalid_input", message: "the Content-Length header does not match the body", problems: [], unexpected: false };
    case "FST_ERR_CTP_INVALID_TYPE":
    case "FST_ERR_CTP_EMPTY_TYPE":
    case "FST_ERR_ROUTE_MISSING_CONTENT_TYPE":
      return { status: 415, code: "unsupported_media_type", message: "the request body must be JSON: send Content-Type: application/json", problems: [], unexpected: false };
    case "FST_ERR_BAD_URL":
      return { status: 400, code: "invalid_input", message: "the request URL is malformed (a path segment is not valid percent-encoding)", problems: [], unexpected: false };
    case "FST_ERR_MAX_PARAM_LENGTH":
      return { status: 414, code: "uri_too_long", message: `a path segment of the request URL is longer than ${limits.maxParamLength ?? 4096} characters (percent-encoded)`, problems: [], unexpected: false };
    default:
      break;
  }
  if (error instanceof SyntaxError || code === "FST_ERR_CTP_INVALID_JSON_BODY") {
    return { status: 400, code: "invalid_input", message: "the request body is not valid JSON", problems: [], unexpected: false };
  }
  const statusCode = typeof e.statusCode === "number" ? e.statusCode : 500;
  if (statusCode >= 400 && statusCode < 500 && typeof e.message === "string") {
    return { status: statusCode, code: "invalid_input", message: lowerFirst(e.message), problems: [], unexpected: false };
  }
  return { status: 500, code: "internal_error", message: "internal error", problems: [], unexpected: true };
}

export function errorBody(family: ErrorFamily, error: HttpError, requestId: string): unknown {
  const message = error.unexpected ? `internal error; the server log has the details under request id ${requestId}` : error.message;
  if (family === "connect") return connectErrorBody(error.status, message);
  const title = TITLES[error.status] ?? "Error";
  if (error.problems.length === 0) {
    return { errors: [{ id: randomUUID(), status: String(error.status), code: error.code, title, detail: message }] };
  }
  return {
    errors: error.problems.map((problem) => ({
      id: randomUUID(),
      status: String(error.status),
      code: error.code,
      title,
      // One problem: the error's own sentence names the field and what to do
      // (some problems carry only a terse "required" or "invalid").
      detail: error.problems.length === 1 ? message : problem.message,
      source: { pointer: `/${problem.field.replace(/\[(\d+)\]/g, ".$1").split(".").join("/")}` },
    })),
  };
}

/**
 * Kafka Connect's error body, `{"error": {"code", "message"}}`, plus the
 * top-level fields Confluent's Connect API documents for some statuses and
 * its SDK decodes for them: `{"code", "message"}` for a 400 and Kafka
 * Connect's own `{"error_code", "message"}` for a 500. Clients that read
 * `error.message` see the same sentence.
 */
export function connectErrorBody(status: number, message: string): Record<string, unknown> {
  const body: Record<string, unknown> = { error: { code: status, message } };
  if (status === 400) return { ...body, code: status, message };
  if (status === 500) return { ...body, error_code: status, message };
  return body;
}

export function familyOf(url: string): ErrorFamily {
  return url.startsWith("/connect/") || url.startsWith("/internal/") ? "connect" : "v2";
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}
