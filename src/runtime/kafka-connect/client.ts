/**
 * A typed Kafka Connect REST client, close to the wire: each call once,
 * status codes turned into typed errors, and only Connect's "rebalance in
 * progress" 409 retried, within a deadline. Several worker URLs may be given;
 * a worker that cannot be reached is skipped for the next.
 *
 * Every URL is checked against the Connect host policy before each request
 * (a URL stored under an older setting is refused too), and the transport
 * checks what a host name resolves to. An answer that is not Connect's is
 * summarised, never quoted: only Connect's own `{"error_code", "message"}`
 * bodies give a message.
 */
import { checkConnectUrl, type ConnectHostPolicy } from "../../domain/connect-host-policy.js";
import { ConnectHostRefusedError, createGuardedTransport, type ConnectTransport } from "./guarded-http.js";
import { probeWorker, type WorkerLiveness } from "./worker-liveness.js";

export type ConnectState = "UNASSIGNED" | "RUNNING" | "PAUSED" | "STOPPED" | "FAILED" | "RESTARTING";

export interface ConnectStatus {
  readonly name: string;
  readonly connector: { readonly state: ConnectState; readonly worker_id: string; readonly trace?: string };
  readonly tasks: readonly { readonly id: number; readonly state: ConnectState; readonly worker_id: string; readonly trace?: string }[];
  readonly type?: string;
}

/** One connector as `GET /connectors?expand=status&expand=info` describes it. */
export interface ExpandedConnector {
  readonly info: {
    readonly name: string;
    readonly config: Record<string, string>;
    readonly type?: string;
    readonly tasks: readonly { readonly connector: string; readonly task: number }[];
  };
  readonly status: ConnectStatus;
}

/** One entry of Connect's offsets API: a partition and its offset, both JSON objects of the connector's own shape. */
export interface ConnectOffset {
  readonly partition: Readonly<Record<string, unknown>>;
  readonly offset: Readonly<Record<string, unknown>> | null;
}

export class ConnectError extends Error {
  /** `refused`: the Connect host policy refuses every URL; nothing was sent. */
  constructor(message: string, readonly status: number | null, readonly kind: "not-found" | "conflict" | "bad-request" | "unreachable" | "refused" | "server" | "unexpected" | "slow") {
    super(message);
    this.name = "ConnectError";
  }
}

export interface ConnectClientOptions {
  readonly urls: readonly string[];
  /** Which hosts may be called (checked before every request). */
  readonly hosts: ConnectHostPolicy;
  /** Per request. */
  readonly timeoutMs?: number;
  /**
   * For config validation, which connects to the database: against one it
   * cannot reach, Debezium's validate waits for the driver's connection
   * timeout (about 30 s for SQL Server), so this is longer (default 90 s, the
   * time Connect's own REST layer gives a request).
   */
  readonly validateTimeoutMs?: number;
  /** Overall time to keep retrying a rebalance 409. */
  readonly rebalanceDeadlineMs?: number;
  /** Defaults to node:http(s) with the policy's DNS check (see guarded-http.ts); a fetch works too, without it. */
  readonly fetch?: ConnectTransport;
}

export interface ConnectClient {
  readonly urls: readonly string[];
  health(): Promise<boolean>;
  listNames(): Promise<string[]>;
  /**
   * Every connector with its config and status, in one request
   * (`GET /connectors?expand=status&expand=info`). Connect leaves out an
   * expansion of a connector removed while it builds the answer: such a
   * connector is left out of the map too (callers ask for it on its own).
   */
  listExpanded(): Promise<Map<string, ExpandedConnector>>;
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
  /**
   * Whether the worker a status names (`worker_id`, host:port) still answers
   * `GET /`, within about 2 s, through this client's transport and host
   * policy (see worker-liveness.ts). Optional: a client without it probes nothing.
   */
  probeWorker?(workerId: string): Promise<WorkerLiveness>;
}

/** Connect's offsets API (KIP-875, Kafka 3.6+), which the connector offsets endpoints drive. */
export interface ConnectOffsetsApi {
  /**
   * The offsets Connect manages for the connector (`GET /connectors/{name}/offsets`,
   * Kafka 3.6+): source partitions and their offsets, or a sink's topic
   * partitions and Kafka offsets. Null when Connect has no such connector.
   */
  offsets(name: string): Promise<ConnectOffset[] | null>;
  /** `PUT /connectors/{name}/stop`: the connector and its tasks stop (STOPPED), keeping the config; needed before offsets change. */
  stop(name: string): Promise<void>;
  /** `PATCH /connectors/{name}/offsets` (connector STOPPED): Connect's message. */
  alterOffsets(name: string, offsets: readonly ConnectOffset[]): Promise<string>;
  /** `DELETE /connectors/{name}/offsets` (connector STOPPED): Connect's message. */
  resetOffsets(name: string): Promise<string>;
}

interface Answer {
  readonly status: number;
  /** The parsed body, or undefined when it is not JSON. */
  readonly json: unknown;
  /** scheme://host:port of the worker that answered. */
  readonly origin: string;
}

export function createConnectClient(options: ConnectClientOptions): ConnectClient & ConnectOffsetsApi {
  const doFetch = options.fetch ?? createGuardedTransport({ hosts: options.hosts });
  const timeoutMs = options.timeoutMs ?? 15_000;
  const validateTimeoutMs = options.validateTimeoutMs ?? 90_000;
  const rebalanceDeadlineMs = options.rebalanceDeadlineMs ?? 30_000;
  if (options.urls.length === 0) throw new Error("no Kafka Connect URL");
  let preferred = 0;

  async function once(method: string, path: string, body?: unknown, limitMs = timeoutMs): Promise<Answer> {
    let timedOut = 0;
    let lastError: unknown;
    const refusals: string[] = [];
    for (let i = 0; i < options.urls.length; i++) {
      const index = (preferred + i) % options.urls.length;
      const base = options.urls[index] ?? "";
      const allowed = checkConnectUrl(options.hosts, base);
      if (!allowed.allowed) {
        refusals.push(`${base} (${allowed.problem})`);
        continue;
      }
      try {
        const response = await doFetch(`${base}${path}`, {
          method,
          headers: { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(limitMs),
        });
        preferred = index;
        const text = await response.text();
        let json: unknown;
        try {
          json = text === "" ? null : JSON.parse(text);
        } catch {
          json = undefined;
        }
        return { status: response.status, json, origin: base };
      } catch (error) {
        if (error instanceof ConnectHostRefusedError) refusals.push(`${base} (${error.problem})`);
        else {
          lastError = error;
          if ((error as Error | undefined)?.name === "TimeoutError") timedOut++;
        }
      }
    }
    if (refusals.length === options.urls.length) {
      throw new ConnectError(`vaultwire will not call Kafka Connect at ${refusals.join("; ")}`, null, "refused");
    }
    // Every worker took the connection but none answered in time: Connect is there, just slow.
    if (timedOut > 0 && timedOut + refusals.length === options.urls.length) {
      throw new ConnectError(`Kafka Connect at ${options.urls.join(", ")} is slow: no answer to ${method} ${path.split("?")[0] ?? path} within ${limitMs >= 1_000 ? `${Math.round(limitMs / 1_000)} s` : `${limitMs} ms`}`, null, "slow");
    }
    const cause = (lastError as { cause?: { code?: string } } | undefined)?.cause?.code ?? (lastError as { code?: string } | undefined)?.code ?? (lastError as Error | undefined)?.name ?? "error";
    const refused = refusals.length === 0 ? "" : `; vaultwire will not call ${refusals.join("; ")}`;
    throw new ConnectError(`Kafka Connect is not reachable at ${options.urls.join(", ")} (${cause})${refused}`, null, "unreachable");
  }

  /** One call, retrying only a rebalance 409 until the deadline. */
  async function call(method: string, path: string, body?: unknown, limitMs = timeoutMs): Promise<Answer> {
    const deadline = Date.now() + rebalanceDeadlineMs;
    for (let attempt = 0; ; attempt++) {
      const result = await once(method, path, body, limitMs);
      const message = messageOf(result.json);
      if (result.status === 409 && message !== null && /rebalanc/i.test(message) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * 2 ** attempt)));
        continue;
      }
      return result;
    }
  }

  /** Connect's error (its own message) or, for anything else, a summary that quotes nothing of the answer. */
  function fail(method: string, path: string, result: Answer): never {
    const message = messageOf(result.json);
    if (message === null) throw notConnect(method, path, result);
    const kind = result.status === 404 ? "not-found" : result.status === 409 ? "conflict" : result.status === 400 ? "bad-request" : result.status >= 500 ? "server" : "unexpected";
    throw new ConnectError(`Kafka Connect answered ${result.status} to ${method} ${path}: ${message}`, result.status, kind);
  }

  function notConnect(method: string, path: string, result: Answer): ConnectError {
    return new ConnectError(`${result.origin} answered ${result.status} to ${method} ${path}, not Kafka Connect's API`, result.status, result.status >= 500 ? "server" : "unexpected");
  }

  const enc = encodeURIComponent;
  const scheme = options.urls[0]?.startsWith("https:") ? "https:" : "http:";
  return {
    urls: options.urls,
    probeWorker: (workerId) => probeWorker(workerId, { hosts: options.hosts, transport: doFetch, scheme }),
    async health() {
      try {
        return (await once("GET", "/health")).status === 200;
      } catch {
        return false;
      }
    },
    async listNames() {
      const result = await call("GET", "/connectors");
      if (result.status !== 200) fail("GET", "/connectors", result);
      if (!Array.isArray(result.json)) throw notConnect("GET", "/connectors", result);
      return (result.json as unknown[]).filter((n): n is string => typeof n === "string");
    },
    async listExpanded() {
      const path = "/connectors?expand=status&expand=info";
      const result = await call("GET", path);
      if (result.status !== 200) fail("GET", path, result);
      const json = result.json;
      if (typeof json !== "object" || json === null || Array.isArray(json)) throw notConnect("GET", path, result);
      const out = new Map<string, ExpandedConnector>();
      for (const [name, entry] of Object.entries(json as Record<string, unknown>)) {
        if (typeof entry !== "object" || entry === null || Array.isArray(entry)) throw notConnect("GET", path, result);
        const { info, status } = entry as { info?: unknown; status?: unknown };
        if (info !== undefined && !isConnectorInfo(info)) throw notConnect("GET", path, result);
        if (status !== undefined && !isConnectStatus(status)) throw notConnect("GET", path, result);
        if (info !== undefined && status !== undefined) out.set(name, { info, status });
      }
      return out;
    },
    async getConfig(name) {
      const path = `/connectors/${enc(name)}/config`;
      const result = await call("GET", path);
      if (result.status === 404) return null;
      if (result.status !== 200) fail("GET", path, result);
      if (!isStringRecord(result.json)) throw notConnect("GET", path, result);
      return result.json;
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
      if (!isConnectStatus(result.json)) throw notConnect("GET", path, result);
      return result.json;
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
      const result = await call("PUT", path, config, validateTimeoutMs);
      if (result.status !== 200) fail("PUT", path, result);
      const configs = (result.json as { configs?: unknown } | null)?.configs;
      if (!Array.isArray(configs)) throw notConnect("PUT", path, result);
      // Debezium leaves some entries without a value; they carry no errors.
      return (configs as { value?: { name?: string; errors?: unknown[] } | null }[]).flatMap((entry) => {
        const value = entry.value;
        if (!value || !Array.isArray(value.errors) || value.errors.length === 0) return [];
        return [{ name: value.name ?? "", errors: value.errors.filter((e): e is string => typeof e === "string") }];
      });
    },
    async offsets(name) {
      const path = `/connectors/${enc(name)}/offsets`;
      const result = await call("GET", path);
      if (result.status === 404) return null;
      if (result.status !== 200) fail("GET", path, result);
      const offsets = (result.json as { offsets?: unknown } | null)?.offsets;
      if (!Array.isArray(offsets) || !offsets.every(isConnectOffset)) throw notConnect("GET", path, result);
      return offsets;
    },
    async stop(name) {
      const path = `/connectors/${enc(name)}/stop`;
      const result = await call("PUT", path);
      if (result.status !== 202 && result.status !== 204 && result.status !== 200) fail("PUT", path, result);
    },
    async alterOffsets(name, offsets) {
      const path = `/connectors/${enc(name)}/offsets`;
      const result = await call("PATCH", path, { offsets });
      if (result.status !== 200) fail("PATCH", path, result);
      return offsetMessage(result.json);
    },
    async resetOffsets(name) {
      const path = `/connectors/${enc(name)}/offsets`;
      const result = await call("DELETE", path);
      if (result.status !== 200) fail("DELETE", path, result);
      return offsetMessage(result.json);
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

/** The message of Connect's own error body, `{"error_code": <number>, "message": "…"}`; null for anything else. */
function messageOf(json: unknown): string | null {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return null;
  const { error_code: code, message } = json as { error_code?: unknown; message?: unknown };
  return typeof code === "number" && typeof message === "string" ? message.slice(0, 2000) : null;
}

function isJsonObject(json: unknown): json is Record<string, unknown> {
  return typeof json === "object" && json !== null && !Array.isArray(json);
}

function isConnectOffset(json: unknown): json is ConnectOffset {
  if (!isJsonObject(json)) return false;
  return isJsonObject(json.partition) && (json.offset === null || isJsonObject(json.offset));
}

/** Connect's `{"message": "…"}` after an offsets change ("" when it wrote none). */
function offsetMessage(json: unknown): string {
  const message = isJsonObject(json) ? json.message : undefined;
  return typeof message === "string" ? message.slice(0, 2000) : "";
}

function isStringRecord(json: unknown): json is Record<string, string> {
  return typeof json === "object" && json !== null && !Array.isArray(json) && Object.values(json).every((v) => typeof v === "string");
}

function isConnectorInfo(json: unknown): json is ExpandedConnector["info"] {
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const { name, config, tasks } = json as { name?: unknown; config?: unknown; tasks?: unknown };
  return typeof name === "string" && isStringRecord(config) && Array.isArray(tasks)
    && tasks.every((task: unknown) => typeof task === "object" && task !== null && typeof (task as { task?: unknown }).task === "number");
}

function isConnectStatus(json: unknown): json is ConnectStatus {
  if (typeof json !== "object" || json === null) return false;
  const { connector, tasks } = json as { connector?: unknown; tasks?: unknown };
  return typeof connector === "object" && connector !== null && typeof (connector as { state?: unknown }).state === "string" && Array.isArray(tasks)
    && tasks.every((task: unknown) => typeof task === "object" && task !== null && typeof (task as { id?: unknown }).id === "number" && typeof (task as { state?: unknown }).state === "string");
}
