/**
 * The CLI's HTTP client for the vaultwire API: fetch with HTTP Basic
 * authentication, JSON in and out, and errors rebuilt from both error bodies
 * (`{"error": {"code", "message"}}` under /connect/v1, `{"errors": [{detail,
 * source}]}` elsewhere) into one-line CliErrors with suggestions. Never puts
 * the API secret in a message.
 */
import { CliError, lowerFirst } from "./cli-error.js";

export interface ApiClientOptions {
  /** The server's base URL, e.g. http://127.0.0.1:8080 (no trailing slash). */
  readonly url: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly fetch?: typeof fetch;
  readonly timeoutMs?: number;
}

export interface ApiResponse<T> {
  readonly status: number;
  readonly body: T;
}

/** A failed API call: the CLI message plus what the server said, for commands that handle some failures. */
export class ApiError extends CliError {
  constructor(
    message: string,
    readonly status: number,
    readonly body: unknown,
    suggestions: readonly string[] = [],
    details: readonly string[] = [],
  ) {
    super(message, 1, suggestions, details);
    this.name = "ApiError";
  }
}

export type Query = Readonly<Record<string, string | undefined>>;

const DEFAULT_TIMEOUT_MS = 60_000;

export class ApiClient {
  readonly url: string;
  readonly apiKey: string;
  readonly #authorization: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.url = options.url.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.#authorization = `Basic ${Buffer.from(`${options.apiKey}:${options.apiSecret}`).toString("base64")}`;
    this.#fetch = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  get<T>(path: string, query: Query = {}): Promise<ApiResponse<T>> {
    return this.request<T>("GET", path, undefined, query);
  }

  post<T>(path: string, body: unknown, query: Query = {}): Promise<ApiResponse<T>> {
    return this.request<T>("POST", path, body, query);
  }

  put<T>(path: string, body?: unknown, query: Query = {}): Promise<ApiResponse<T>> {
    return this.request<T>("PUT", path, body, query);
  }

  patch<T>(path: string, body: unknown, query: Query = {}): Promise<ApiResponse<T>> {
    return this.request<T>("PATCH", path, body, query);
  }

  delete<T>(path: string, query: Query = {}): Promise<ApiResponse<T>> {
    return this.request<T>("DELETE", path, undefined, query);
  }

  /** Every item of a v2 list (`{data, metadata: {next}}`), following the page tokens. */
  async listAll<T>(path: string, query: Query = {}): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    for (let page = 0; page < 1000; page++) {
      const { body } = await this.get<{ data?: T[]; metadata?: { next?: string } }>(path, { ...query, page_size: "100", page_token: token });
      items.push(...(body.data ?? []));
      const next = body.metadata?.next;
      token = next === undefined ? undefined : new URL(next).searchParams.get("page_token") ?? undefined;
      if (token === undefined) break;
    }
    return items;
  }

  async request<T>(method: string, path: string, body?: unknown, query: Query = {}): Promise<ApiResponse<T>> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) search.set(key, value);
    const target = `${this.url}${path}${search.size > 0 ? `?${search.toString()}` : ""}`;
    const headers: Record<string, string> = { authorization: this.#authorization, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.#fetch(target, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw connectionError(error, this.url, this.#timeoutMs);
    }
    const text = await response.text();
    if (!response.ok) throw errorFromResponse(response.status, text, response.headers.get("retry-after"), this.url);
    if (text === "") return { status: response.status, body: undefined as T };
    try {
      return { status: response.status, body: JSON.parse(text) as T };
    } catch {
      throw notVaultwire(this.url, response.status);
    }
  }
}

/** What a failed connection means, in one line, with where to look. */
export function connectionError(error: unknown, url: string, timeoutMs: number): CliError {
  const e = error as { name?: string; cause?: { code?: string; name?: string; message?: string } };
  if (e.name === "TimeoutError" || e.name === "AbortError") {
    return new CliError(`vaultwire at ${url} did not answer within ${Math.round(timeoutMs / 1000)} s`, 1, ["Check that the server is running and reachable; its log may say why it is slow."]);
  }
  const code = e.cause?.code ?? "";
  const reasons: Readonly<Record<string, string>> = {
    ECONNREFUSED: "connection refused",
    ENOTFOUND: "host not found",
    EAI_AGAIN: "host not found",
    ECONNRESET: "connection reset",
    EHOSTUNREACH: "host unreachable",
    ENETUNREACH: "network unreachable",
    UND_ERR_CONNECT_TIMEOUT: "connection timed out",
    UND_ERR_SOCKET: "connection closed",
  };
  const fallback = code !== "" ? code : typeof e.cause?.message === "string" && e.cause.message !== "" ? lowerFirst(e.cause.message) : "unknown error";
  const reason = reasons[code] ?? (/CERT|TLS|SSL/.test(code) ? `TLS error ${code}` : fallback);
  return new CliError(`couldn't connect to vaultwire at ${url}: ${reason}`, 1, [
    `Check the URL: run "vaultwire login --url <url>" or set VAULTWIRE_URL.`,
    `Start a server with "vaultwire server" if none is running there.`,
  ]);
}

function notVaultwire(url: string, status: number): CliError {
  return new CliError(`unexpected answer from ${url} (HTTP ${status}): this does not look like a vaultwire server`, 1, [`Check the URL: run "vaultwire login --url <url>" or set VAULTWIRE_URL.`]);
}

/** Rebuilds the server's error (either body shape) as a CliError. */
export function errorFromResponse(status: number, text: string, retryAfter: string | null, url: string): ApiError | CliError {
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch {
    return status >= 500 ? new CliError(`the server at ${url} failed with HTTP ${status}`, 1, ["Check the server's log for details."]) : notVaultwire(url, status);
  }
  const messages = messagesOf(body);
  if (messages === null) return notVaultwire(url, status);
  const [first = `HTTP ${status}`, ...rest] = messages.join("; ").split("\n");
  const details = rest.filter((line) => line.trim() !== "" && !line.startsWith("You can also find the above list of errors"));
  let message = lowerFirst(first.trim());
  let suggestions: string[] = [];
  if (status === 401) {
    message = `authentication failed: ${message}`;
    suggestions = [`Run "vaultwire login" to store a valid API key and secret, or check VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET.`];
  } else if (status === 403) {
    suggestions = ["Use an organization-wide API key for this command."];
  } else if (status === 429) {
    suggestions = [`Wait${retryAfter === null ? "" : ` ${retryAfter} s`} and try again.`];
  } else if (status >= 500) {
    suggestions = ["Check the server's log for details."];
  }
  return new ApiError(message, status, body, suggestions, details);
}

function messagesOf(body: unknown): string[] | null {
  if (typeof body !== "object" || body === null) return null;
  const record = body as { error?: unknown; errors?: unknown };
  if (typeof record.error === "object" && record.error !== null) {
    const message = (record.error as { message?: unknown }).message;
    if (typeof message === "string") return [message];
  }
  if (Array.isArray(record.errors)) {
    const details = record.errors.map((e: unknown) => {
      const entry = (typeof e === "object" && e !== null ? e : {}) as { detail?: unknown; title?: unknown };
      return typeof entry.detail === "string" ? entry.detail : typeof entry.title === "string" ? entry.title : "";
    }).filter((d) => d !== "");
    if (details.length > 0) return details;
  }
  return null;
}
