/**
 * A Kafka Connect REST server for bench/reconcile, run in its own process so
 * that its work does not count towards the reconciler's pass time. It answers
 * with the shapes Connect 4.x answers (GET /connectors[?expand=status&expand=info],
 * /connectors/{n}/config and /status, PUT config, validate, pause, resume,
 * restart, DELETE) and counts the requests it gets:
 *
 *   GET /__count    → {"requests": N, "byRoute": {...}}
 *   DELETE /__count → resets the count
 *
 * It prints {"port": N} on its first line of output once it listens.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

const WORKER = "10.20.0.5:8083";
const configs = new Map<string, Record<string, string>>();
const states = new Map<string, "RUNNING" | "PAUSED">();
let requests = 0;
let byRoute: Record<string, number> = {};

function json(res: ServerResponse, status: number, body?: unknown): void {
  res.writeHead(status, { "content-type": "application/json" }).end(body === undefined ? "" : JSON.stringify(body));
}

function status(name: string) {
  const state = states.get(name) ?? "RUNNING";
  return { name, connector: { state, worker_id: WORKER }, tasks: [{ id: 0, state, worker_id: WORKER }], type: "source" };
}

function info(name: string, config: Record<string, string>) {
  return { name, config, tasks: [{ connector: name, task: 0 }], type: "source" };
}

const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    const url = new URL(req.url ?? "/", "http://connect");
    const method = req.method ?? "GET";
    if (url.pathname === "/__count") {
      if (method === "DELETE") {
        requests = 0;
        byRoute = {};
        json(res, 204);
      } else json(res, 200, { requests, byRoute });
      return;
    }
    const parts = url.pathname.split("/").filter((p) => p !== "").map(decodeURIComponent);
    const route = `${method} /${parts[0] ?? ""}${parts.length > 1 ? "/{n}" : ""}${parts.slice(2).map((p) => `/${p}`).join("")}${url.search === "" ? "" : url.search}`;
    requests++;
    byRoute[route] = (byRoute[route] ?? 0) + 1;
    const body = Buffer.concat(chunks).toString("utf8");
    if (parts[0] === "connector-plugins" && parts[2] === "config" && parts[3] === "validate" && method === "PUT") {
      json(res, 200, { name: parts[1], error_count: 0, groups: ["Common"], configs: [] });
      return;
    }
    if (parts[0] !== "connectors") {
      json(res, 404, { error_code: 404, message: "HTTP 404 Not Found" });
      return;
    }
    if (parts.length === 1 && method === "GET") {
      const expand = url.searchParams.getAll("expand");
      if (expand.length === 0) {
        json(res, 200, [...configs.keys()]);
        return;
      }
      json(res, 200, Object.fromEntries([...configs].map(([name, config]) => [name, {
        ...(expand.includes("status") ? { status: status(name) } : {}),
        ...(expand.includes("info") ? { info: info(name, config) } : {}),
      }])));
      return;
    }
    const name = parts[1] ?? "";
    const action = parts[2];
    if (action === "config" && method === "PUT") {
      const created = !configs.has(name);
      configs.set(name, JSON.parse(body) as Record<string, string>);
      json(res, created ? 201 : 200, info(name, configs.get(name) ?? {}));
      return;
    }
    const config = configs.get(name);
    if (!config) {
      json(res, 404, { error_code: 404, message: `Connector ${name} not found` });
      return;
    }
    if (action === undefined && method === "DELETE") {
      configs.delete(name);
      states.delete(name);
      json(res, 204);
    } else if (action === undefined && method === "GET") json(res, 200, info(name, config));
    else if (action === "config" && method === "GET") json(res, 200, config);
    else if (action === "status" && method === "GET") json(res, 200, status(name));
    else if ((action === "pause" || action === "resume") && method === "PUT") {
      states.set(name, action === "pause" ? "PAUSED" : "RUNNING");
      json(res, 202);
    } else if (action === "restart" && method === "POST") json(res, 202, status(name));
    else json(res, 404, { error_code: 404, message: "HTTP 404 Not Found" });
  });
});

server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
});
process.on("SIGTERM", () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
