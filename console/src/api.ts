/**
 * The console's HTTP client: same-origin calls to vaultwire's API with the
 * signed-in key as Basic authentication. Errors come back in the two bodies
 * the API uses (`{"error": {code, message}}` under /connect/v1,
 * `{"errors": [{detail, source: {pointer}}]}` elsewhere) and are turned into
 * one `ApiError` with a message and, where the server named them, fields.
 */
import { basicAuthorization, type Credentials } from "./session.js";
import type { ListMetadata } from "./types.js";

export interface FieldError {
  /** A config key (`database.password`) or a dotted request field (`spec.region`). */
  readonly field: string;
  readonly message: string;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly fields: readonly FieldError[],
    readonly body: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

export interface ApiClient {
  readonly request: <T>(method: string, path: string, body?: unknown) => Promise<ApiResponse<T>>;
  readonly get: <T>(path: string) => Promise<T>;
  /** Every item of a paged v2 list (follows `metadata.next` with page_size=100). */
  readonly listAll: <T>(path: string) => Promise<T[]>;
}

/** Kafka Connect's "Connector configuration is invalid" message, one `key: message` line per error. */
export function fieldsFromConnectMessage(message: string): FieldError[] {
  const lines = message.split("\n");
  if (!/^Connector configuration is invalid/.test(lines[0] ?? "")) return [];
  const fields: FieldError[] = [];
  for (const line of lines.slice(1)) {
    if (line.startsWith("You can also find")) break;
    const colon = line.indexOf(": ");
    if (colon > 0) fields.push({ field: line.slice(0, colon), message: line.slice(colon + 2) });
  }
  return fields;
}

function toApiError(status: number, body: unknown): ApiError {
  if (typeof body === "object" && body !== null) {
    const record = body as { error?: { message?: unknown }; errors?: unknown };
    if (typeof record.error?.message === "string") {
      return new ApiError(record.error.message, status, fieldsFromConnectMessage(record.error.message), body);
    }
    if (Array.isArray(record.errors)) {
      const fields: FieldError[] = [];
      const details: string[] = [];
      for (const entry of record.errors as { detail?: unknown; source?: { pointer?: unknown } }[]) {
        const detail = typeof entry.detail === "string" ? entry.detail : "";
        details.push(detail);
        const pointer = entry.source?.pointer;
        if (typeof pointer === "string" && pointer.length > 1) fields.push({ field: pointer.slice(1).split("/").join("."), message: detail });
      }
      return new ApiError(details.filter((d) => d !== "").join("\n") || `request failed (HTTP ${status})`, status, fields, body);
    }
  }
  return new ApiError(`request failed (HTTP ${status})`, status, [], body);
}

export function createApiClient(credentials: Credentials, onUnauthorized: () => void): ApiClient {
  const authorization = basicAuthorization(credentials);

  async function request<T>(method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = { authorization, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    // credentials: "omit" keeps the browser's own Basic-auth prompt away on a 401.
    const response = await fetch(path, { method, headers, credentials: "omit", cache: "no-store", ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text !== "") {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (response.status === 401) onUnauthorized();
    if (!response.ok) throw toApiError(response.status, parsed);
    return { status: response.status, body: parsed as T };
  }

  return {
    request,
    async get<T>(path: string) {
      return (await request<T>("GET", path)).body;
    },
    async listAll<T>(path: string) {
      const items: T[] = [];
      const base = `${path}${path.includes("?") ? "&" : "?"}page_size=100`;
      let token: string | null = null;
      for (let page = 0; page < 100; page++) {
        const url: string = token === null ? base : `${base}&page_token=${encodeURIComponent(token)}`;
        const { body } = await request<{ data: T[]; metadata: ListMetadata }>("GET", url);
        items.push(...body.data);
        const next = body.metadata.next;
        token = next === undefined ? null : new URL(next, location.origin).searchParams.get("page_token");
        if (token === null) break;
      }
      return items;
    },
  };
}

/** Signs in by listing environments: the cheapest call every key may make. */
export async function checkCredentials(credentials: Credentials): Promise<void> {
  const seen = { unauthorized: false };
  const client = createApiClient(credentials, () => { seen.unauthorized = true; });
  try {
    await client.get("/org/v2/environments?page_size=1");
  } catch (error) {
    if (seen.unauthorized) throw new ApiError("The API key or secret is wrong, or the key was deleted.", 401, [], null);
    throw error;
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return "The vaultwire server could not be reached. Is it running?";
  return error instanceof Error ? error.message : String(error);
}

export function connectBase(environmentId: string, clusterId: string): string {
  return `/connect/v1/environments/${encodeURIComponent(environmentId)}/clusters/${encodeURIComponent(clusterId)}`;
}
