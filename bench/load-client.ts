/**
 * bench/load-client: the load generator bench/api falls back to when `wrk`
 * is not installed. It runs in its own process (started by bench/api with
 * tsx), never in the server's event loop: keep-alive HTTP/1.1 connections,
 * each sending its next request when the last response has been read, for a
 * fixed duration. `{n}` in the body is replaced by a per-process counter so
 * creates get unique names. Prints one JSON line of figures on stdout.
 *
 *   tsx bench/load-client.ts '<json: {url, method, path, headers, body?, connections, seconds}>'
 */
import { Agent, request } from "node:http";

interface Job {
  readonly url: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly connections: number;
  readonly seconds: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const target = new URL(job.url);
const agent = new Agent({ keepAlive: true, maxSockets: job.connections });
const latencies: number[] = [];
let non2xx = 0;
let errors = 0;
let counter = 0;

function once(): Promise<void> {
  return new Promise((resolve) => {
    const body = job.body?.replaceAll("{n}", String(counter++));
    const headers = body === undefined ? job.headers : { ...job.headers, "content-length": String(Buffer.byteLength(body)) };
    const started = performance.now();
    const req = request({ host: target.hostname, port: target.port, method: job.method, path: job.path, headers, agent }, (res) => {
      res.on("data", () => undefined);
      res.on("end", () => {
        latencies.push(performance.now() - started);
        if ((res.statusCode ?? 0) < 200 || (res.statusCode ?? 0) >= 300) non2xx++;
        resolve();
      });
    });
    req.on("error", () => { errors++; resolve(); });
    req.end(body);
  });
}

const started = performance.now();
const deadline = started + job.seconds * 1000;
await Promise.all(Array.from({ length: job.connections }, async () => {
  while (performance.now() < deadline) await once();
}));
const seconds = (performance.now() - started) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const pick = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
process.stdout.write(`${JSON.stringify({ requests: latencies.length, perSecond: latencies.length / seconds, p50: pick(0.5), p99: pick(0.99), non2xx, errors })}\n`);
