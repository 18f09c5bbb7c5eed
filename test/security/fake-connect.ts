// A stand-in for the HTTP servers the reconciler may be pointed at: either a
// small Kafka Connect REST double (it keeps the configs it is given, answers
// validation, and reports each connector FAILED with the trace a test
// chooses), or a server that is not Kafka Connect at all and answers every
// request with a body of its own (an internal service an attacker wants read).
// Every request is recorded, bodies included, so tests see what vaultwire sent.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly body: string;
}

export interface FakeConnect {
  readonly url: string;
  readonly port: number;
  readonly requests: RecordedRequest[];
  /** Connector configs as PUT by vaultwire, by Connect name (the lcc- id). */
  readonly configs: Map<string, Record<string, string>>;
  /** The trace reported for a connector (FAILED), by name; none: RUNNING. */
  readonly traces: Map<string, string>;
  /** How long a restart takes to be answered (0: at once); a test sets it to widen the window a slow Connect leaves. */
  restartDelayMs: number;
  close(): Promise<void>;
}

export type FakeConnectMode =
  /** `trace` picks a FAILED trace from the connector's config (e.g. by its topic.prefix); none: `traces`, else RUNNING. */
  | { readonly kind: "connect"; readonly trace?: (config: Readonly<Record<string, string>>) => string | undefined }
  /** Not Kafka Connect: every answer is `status` with this body and content type. */
  | { readonly kind: "foreign"; readonly status: number; readonly body: string; readonly contentType: string };

export async function startFakeConnect(mode: FakeConnectMode = { kind: "connect" }): Promise<FakeConnect> {
  const requests: RecordedRequest[] = [];
  const configs = new Map<string, Record<string, string>>();
  const traces = new Map<string, string>();
  const json = (res: ServerResponse, status: number, body: unknown): ServerResponse =>
    res.writeHead(status, { "content-type": "application/json" }).end(body === undefined ? "" : JSON.stringify(body));
  const statusOf = (name: string, config: Record<string, string>) => {
    const trace = traces.get(name) ?? (mode.kind === "connect" && mode.trace ? mode.trace(config) : undefined);
    const state = trace === undefined ? "RUNNING" : "FAILED";
    return {
      name,
      connector: { state, worker_id: "127.0.0.1:8083", ...(trace === undefined ? {} : { trace }) },
      tasks: [{ id: 0, state, worker_id: "127.0.0.1:8083", ...(trace === undefined ? {} : { trace }) }],
      type: "source",
    };
  };
  const handle = (req: IncomingMessage, res: ServerResponse, body: string): ServerResponse => {
    const url = new URL(req.url ?? "/", "http://fake");
    requests.push({ method: req.method ?? "", url: `${url.pathname}${url.search}`, body });
    if (mode.kind === "foreign") return res.writeHead(mode.status, { "content-type": mode.contentType }).end(mode.body);
    const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
    if (parts[0] === "connector-plugins" && parts[2] === "config" && parts[3] === "validate") return json(res, 200, { name: parts[1], error_count: 0, groups: [], configs: [] });
    if (parts[0] !== "connectors") return json(res, 404, { error_code: 404, message: "Not found" });
    if (parts.length === 1) {
      const expand = url.searchParams.getAll("expand");
      if (expand.length === 0) return json(res, 200, [...configs.keys()]);
      // Connect's `?expand=status&expand=info`: each connector with the expansions asked for.
      return json(res, 200, Object.fromEntries([...configs].map(([name, config]) => [name, {
        ...(expand.includes("status") ? { status: statusOf(name, config) } : {}),
        ...(expand.includes("info") ? { info: { name, config, tasks: [{ connector: name, task: 0 }], type: "source" } } : {}),
      }])));
    }
    const name = parts[1] ?? "";
    const action = parts[2];
    if (action === undefined && req.method === "DELETE") {
      configs.delete(name);
      return json(res, 204, undefined);
    }
    if (action === "config" && req.method === "PUT") {
      const created = !configs.has(name);
      configs.set(name, JSON.parse(body) as Record<string, string>);
      return json(res, created ? 201 : 200, { name, config: configs.get(name), tasks: [], type: "source" });
    }
    const config = configs.get(name);
    if (!config) return json(res, 404, { error_code: 404, message: `Connector ${name} not found` });
    if (action === "config") return json(res, 200, config);
    if (action === "status") return json(res, 200, statusOf(name, config));
    if (action === "restart" && fake.restartDelayMs > 0) {
      setTimeout(() => json(res, 202, undefined), fake.restartDelayMs);
      return res;
    }
    if (action === "restart" || action === "pause" || action === "resume") return json(res, 202, undefined);
    return json(res, 404, { error_code: 404, message: "Not found" });
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => { handle(req, res, Buffer.concat(chunks).toString("utf8")); });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const fake: FakeConnect = {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    configs,
    traces,
    restartDelayMs: 0,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => { resolve(); });
    }),
  };
  return fake;
}

/** Polls `read` until `done` holds or the deadline passes; returns the last value. */
export async function waitUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    value = await read();
  }
  return value;
}
