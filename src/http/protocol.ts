/**
 * HTTP-level answers that Fastify or Node give before a route runs, in the
 * API's error shapes: malformed URLs (400), over-long URLs and route
 * parameters (414), header blocks too large (431), unparseable requests
 * (400), slow requests (408), and methods a path does not support (405 with
 * `Allow`, after authentication, instead of 404).
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { errorBody, familyOf, ProtocolError, type HttpError } from "./errors.js";

/** Longest request target (path and query) served; longer ones get 414. */
export const MAX_URL_LENGTH = 8192;
/**
 * Longest route parameter as sent, percent-encoded (Fastify's maxParamLength);
 * longer ones get 414. Room for the longest documented parameter (a
 * 255-character connector name) even when every character takes 12.
 */
export const MAX_PARAM_LENGTH = 4096;

export function uriTooLong(): ProtocolError {
  return new ProtocolError(414, "uri_too_long", `the request URL is longer than ${MAX_URL_LENGTH} characters`);
}

/**
 * The methods each route path answers, to tell "no such resource" (404)
 * from "not with this method" (405). Wildcard routes (the console's
 * catch-alls) are left out: they answer every path and mean "not found".
 */
export class RouteMethods {
  readonly #routes: { readonly pattern: RegExp; readonly methods: Set<string> }[] = [];
  readonly #byUrl = new Map<string, Set<string>>();

  add(url: string, method: string | readonly string[]): void {
    if (url.includes("*")) return;
    let methods = this.#byUrl.get(url);
    if (!methods) {
      methods = new Set();
      this.#byUrl.set(url, methods);
      this.#routes.push({ pattern: routePattern(url), methods });
    }
    for (const m of typeof method === "string" ? [method] : method) methods.add(m.toUpperCase());
    if (methods.has("GET")) methods.add("HEAD");
  }

  /** The methods some route answers at this request path (no query), sorted; empty when none does. */
  allowed(url: string): string[] {
    let path = url.split("?")[0] ?? "";
    if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
    const methods = new Set<string>();
    for (const route of this.#routes) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort();
  }
}

/** find-my-way's syntax: `:name` is one parameter of up to MAX_PARAM_LENGTH characters, `::` a literal colon. */
function routePattern(url: string): RegExp {
  let source = "";
  for (let i = 0; i < url.length; i++) {
    const char = url.charAt(i);
    if (char === ":" && url.charAt(i + 1) === ":") {
      source += ":";
      i++;
    } else if (char === ":") {
      while (i + 1 < url.length && /[A-Za-z0-9_]/.test(url.charAt(i + 1))) i++;
      source += `[^/]{1,${MAX_PARAM_LENGTH}}`;
    } else {
      source += char.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`);
}

export function methodNotAllowed(method: string, allowed: readonly string[]): ProtocolError {
  return new ProtocolError(405, "method_not_allowed", `method ${method} is not allowed here; allowed: ${allowed.join(", ")}`, { allow: allowed.join(", ") });
}

/**
 * Node's clientError handler (requests that never reached Fastify), answering
 * in the error shape of the family the request line names.
 */
export function clientErrorHandler(error: Error & { code?: string | undefined; rawPacket?: unknown }, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const raw = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.toString("latin1") : "";
  const requestLine = /^[A-Z]+ (\S+)/.exec(raw);
  let status = 400;
  let code = "invalid_input";
  let message = "the request is not valid HTTP/1.1";
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    status = 408;
    code = "request_timeout";
    message = "the request was not received in time";
  } else if (error.code === "HPE_HEADER_OVERFLOW") {
    // Node counts the request line with the headers: a request line longer than any URL we serve is the culprit.
    const lineEnd = raw.indexOf("\r\n");
    if (requestLine !== null && (lineEnd === -1 ? raw.length : lineEnd) > MAX_URL_LENGTH) {
      status = 414;
      code = "uri_too_long";
      message = `the request URL is longer than ${MAX_URL_LENGTH} characters`;
    } else {
      status = 431;
      code = "request_header_fields_too_large";
      message = "the request's header fields are too large (16 KiB at most, request line included)";
    }
  }
  const mapped: HttpError = { status, code, message, problems: [], unexpected: false };
  const body = JSON.stringify(errorBody(familyOf(requestLine?.[1] ?? "/"), mapped, ""));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? "Error"}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy(error);
}
