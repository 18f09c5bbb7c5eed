/**
 * A typed Kafka Connect REST client, close to the wire: each call once,
 * status codes turned into typed errors, and only Connect's "rebalance in
 * progress" 409 retried, within a deadline. Several worker URLs may be given;
 * a worker that cannot be reached is skipped for the next.
 */

export type ConnectState = "UNASSIGNED" | "RUNNING" | "PAUSED" | "STOPPED" | "FAILED" | "RESTARTING";

export interface ConnectStatus {
  readonly name: string;
  readonly connector: { readonly state: ConnectState; readonly worker_id: string; readonly trace?: string };
  readonly tasks: readonly { readonly id: number; readonly state: ConnectState; readonly worker_id: string; readonly trace?: string }[];
  readonly type?: string;
}

export class ConnectError extends Error {
  constructor(message: string, readonly status: number | null, readonly kind: "not-found" | "conflict" | "bad-request" | "unreachable" | "server" | "unexpected") {
    super(message);
    this.name = "ConnectError";
  }
}

export interface ConnectClientOptions {
  readonly urls: readonly string[];
  /** Per request. */
  readonly timeoutMs?: number;
  /** Overall time to keep retrying a rebalance 409. */
  readonly rebalanceDeadlineMs?: number;
  readonly fetch?: typeof fetch;
}

export interface ConnectClient {
  readonly urls: readonly string[];
  health(): Promise<boolean>;
  listNames(): Promise<string[]>;
  getConfig(name: string): Promise<Record<string, string> | null>;
  /** 201 created / 200 updated. */
  putConfig(name: string, config: Readonly<Record<string, string>>): Promise<{ created: boolean }>;
  status(name: string): Promise<ConnectStatus | null>;
  pause(name: string): Promise<void>;
  resume(name: string): Promise<void>;
  restart(name: string, options: { includeTasks: boolean; onlyFailed: boolean }): Promise<void>;
  /** True when it existed. */
  delete(name: string): Promise<boolean>;
  /**
   * Connect's own validation of a config (it resolves placeholders and, for
   * Debezium, connects to the database). Only fields with errors are returned.
   */
  validate(connectorClass: string, config: Readonly<Record<string, string>>): Promise<{ name: string; errors: string[] }[]>;
}

export function createConnectClient(options: ConnectClientOptions): ConnectClient {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const rebalanceDeadlineMs = options.rebalanceDeadlineMs ?? 30_000;
  if (options.urls.length === 0) throw new Error("no Kafka Connect URL");
  let preferred = 0;

  async function once(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let lastError: unknown;
    for (let i = 0; i < options.urls.length; i++) {
      const index = (preferred + i) % options.urls.length;
      const url = `${options.urls[index] ?? ""}${path}`;
      try {
        const response = await doFetch(url, {
          method,
          headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeoutMs),
        });
        preferred = index;
        const text = await response.text();
        let json: unknown = null;
        try {
          json = text === "" ? null : JSON.parse(text);
        } catch {
          json = { message: text.slice(0, 500) };
        }
        return { status: response.status, json };
      } catch (error) {
        lastError = error;
      }
    }
    const cause = (lastError as { cause?: { code?: string } } | undefined)?.cause?.code ?? (lastError as Error | undefined)?.name ?? "error";
    throw new ConnectError(`Kafka Connect is not reachable at ${options.urls.join(", ")} (${cause})`, null, "unreachable");
  }

  /** One call, retrying only a rebalance 409 until the deadline. */
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const deadline = Date.now() + rebalanceDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      const result = await once(method, path, body);
      const message = messageOf(result.json);
      if (result.status === 409 && /rebalanc/i.test(message) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
        continue;
      }
      return result;
    }
  }

  function fail(method: string, path: string, result: { status: number; json: unknown }): never {
    const message = messageOf(result.json);
    const kind = result.status === 404 ? "not-found" : result.status === 409 ? "conflict" : result.status === 400 ? "bad-request" : result.status >= 500 ? "server" : "unexpected";
    throw new ConnectError(`Kafka Connect answered ${result.status} to ${method} ${path}: ${message}`, result.status, kind);
  }

  const enc = encodeURIComponent;
  return {
    urls: options.urls,
    async health() {
      try {
        return (await once("GET", "/health")).status === 200;
      } catch {
        return false;
      }
    },
    async listNames() {
      const result = await call("GET", "/connectors");
      if (result.status !== 200 || !Array.isArray(result.json)) fail("GET", "/connectors", result);
      return (result.json as unknown[]).filter((n): n is string => typeof n === "string");
    },
    async getConfig(name) {
      const path = `/connectors/${enc(name)}/config`;
      const result = await call("GET", path);
      if (result.status === 404) return null;
      if (result.status !== 200) fail("GET", path, result);
      return result.json as Record<string, string>;
    },
    async putConfig(name, config) {
      const path = `/connectors/${enc(name)}/config`;
      const result = await call("PUT", path, config);
      if (result.status !== 200 && result.status !== 201) fail("PUT", path, result);
      return { created: result.status === 201 };
    },
    async status(name) {
      const path = `/connectors/${enc(name)}/status`;
      const result = await call("GET", path);
      if (result.status === 404) return null;
      if (result.status !== 200) fail("GET", path, result);
      return result.json as ConnectStatus;
    },
    async pause(name) {
      const path = `/connectors/${enc(name)}/pause`;
      const result = await call("PUT", path);
      if (result.status !== 202 && result.status !== 204) fail("PUT", path, result);
    },
    async resume(name) {
      const path = `/connectors/${enc(name)}/resume`;
      const result = await call("PUT", path);
      if (result.status !== 202 && result.status !== 204) fail("PUT", path, result);
    },
    async restart(name, { includeTasks, onlyFailed }) {
      const path = `/connectors/${enc(name)}/restart?includeTasks=${includeTasks}&onlyFailed=${onlyFailed}`;
      const result = await call("POST", path);
      if (result.status !== 202 && result.status !== 204 && result.status !== 200) fail("POST", path, result);
    },
    async validate(connectorClass, config) {
      const plugin = connectorClass.split(".").pop() ?? connectorClass;
      const path = `/connector-plugins/${enc(plugin)}/config/validate`;
      const result = await call("PUT", path, config);
      if (result.status !== 200) fail("PUT", path, result);
      const configs = (result.json as { configs?: { value?: { name?: string; errors?: string[] } | null }[] }).configs ?? [];
      // Debezium leaves some entries without a value; they carry no errors.
      return configs.flatMap((entry) => {
        const value = entry.value;
        if (!value || !Array.isArray(value.errors) || value.errors.length === 0) return [];
        return [{ name: value.name ?? "", errors: value.errors.filter((e): e is string => typeof e === "string") }];
      });
    },
    async delete(name) {
      const path = `/connectors/${enc(name)}`;
      const result = await call("DELETE", path);
      if (result.status === 404) return false;
      if (result.status !== 204 && result.status !== 200) fail("DELETE", path, result);
      return true;
    },
  };
}

function messageOf(json: unknown): string {
  if (typeof json === "object" && json !== null && "message" in json && typeof (json).message === "string") {
    return (json as { message: string }).message.slice(0, 2000);
  }
  return "";
}
