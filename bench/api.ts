/**
 * bench/api: requests per second and p50/p99 latency of the HTTP API, with
 * the server in its own process(es) — the built binary, `node
 * dist/cli/main.js server` — and the load from another: `wrk` when it is
 * installed (Lua scripts add the Basic auth header and give every create a
 * unique connector name), otherwise bench/load-client.ts in a separate Node
 * process. Never from the server's own event loop, which would distort the
 * figures (in-process, GET /health read ~764/s where wrk measures ~8,000/s).
 *
 * Cases, each a few seconds long: GET /health (the baseline; no
 * authentication), an authenticated list (GET /org/v2/environments), a
 * connector config validation and a connector create. Validate and create use
 * the specification's SQL Server connector with the secret manager off (a
 * plaintext password, stored encrypted), so no vault is involved: these
 * figures are the API, the store and the encryption, not Key Vault. The
 * cluster has no Connect URLs, so created connectors stay PROVISIONING.
 *
 * Stores: SQLite (one replica: it is an embedded, single-node store) and,
 * when VAULTWIRE_BENCH_DATABASE_URL or VAULTWIRE_TEST_DATABASE_URL is set
 * (`bash infra/postgres/setup.sh` prints one), PostgreSQL with 1 and 2
 * replicas on a fresh database created for the run and dropped afterwards.
 * With 2 replicas two load generators run at once, one per replica, with
 * half the connections each; requests/s is their sum and p50/p99 the worse of
 * the two.
 *
 *   npm run build && npm run bench:api
 *   VAULTWIRE_BENCH_SECONDS=3 VAULTWIRE_BENCH_CONNECTIONS=32 VAULTWIRE_BENCH_THREADS=2
 *   VAULTWIRE_BENCH_LOADER=node   (use bench/load-client.ts even if wrk is installed)
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { plainConnector } from "../test/http/harness.js";

const SECONDS = Math.max(1, Math.min(30, Number(process.env.VAULTWIRE_BENCH_SECONDS ?? "3")));
const CONNECTIONS = Math.max(2, Number(process.env.VAULTWIRE_BENCH_CONNECTIONS ?? "32"));
const THREADS = Math.max(1, Number(process.env.VAULTWIRE_BENCH_THREADS ?? "2"));
const KEY = "BENCHAPIKEY00001";
const SECRET = "bench-api-secret-0123456789abcdef";
const AUTHORIZATION = `Basic ${Buffer.from(`${KEY}:${SECRET}`).toString("base64")}`;
const bin = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const loadClient = fileURLToPath(new URL("./load-client.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../node_modules/tsx/dist/cli.mjs", import.meta.url));

const useWrk = process.env.VAULTWIRE_BENCH_LOADER !== "node" && spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined;

interface Figures { readonly perSecond: number; readonly p50: number; readonly p99: number; readonly non2xx: number; readonly requests: number }

interface Case {
  readonly label: string;
  readonly method: "GET" | "PUT" | "POST";
  readonly path: string;
  readonly auth: boolean;
  /** JSON; `{n}` is replaced by a unique string per request. */
  readonly body?: string;
}

// ---- servers --------------------------------------------------------------

interface Server { readonly url: string; stop(): Promise<void> }

async function startServer(env: Record<string, string>): Promise<Server> {
  const dataDir = await mkdtemp(join(tmpdir(), "vaultwire-bench-api-"));
  const child: ChildProcess = spawn(process.execPath, [bin, "server", "--port", "0", "--data-dir", dataDir], {
    env: { PATH: process.env.PATH ?? "", VAULTWIRE_LOG_LEVEL: "warn", VAULTWIRE_BOOTSTRAP_API_KEY: KEY, VAULTWIRE_BOOTSTRAP_API_SECRET: SECRET, VAULTWIRE_DRAIN_MS: "0", ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`server did not start: ${stderr}`)); }, 30_000);
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${stderr}`)); });
    // Keep reading stderr for the server's whole life: a full pipe would block it.
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString("utf8")).slice(-8192);
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    url,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: AUTHORIZATION, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text) as unknown };
}

/** An environment and a cluster without Connect URLs; returns the connect-v1 base path. */
async function seed(url: string, label: string): Promise<string> {
  const environment = await api(url, "POST", "/org/v2/environments", { display_name: `bench-${label}` });
  const environmentId = (environment.body as { id?: string } | undefined)?.id;
  const cluster = await api(url, "POST", "/cmk/v2/clusters", {
    spec: { display_name: `bench-${label}-cluster`, availability: "SINGLE_ZONE", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated", cku: 1 }, environment: { id: environmentId }, networking: "PUBLIC", kafka_bootstrap_servers: "localhost:9092" },
  });
  const clusterId = (cluster.body as { id?: string } | undefined)?.id;
  if (environment.status !== 201 || cluster.status !== 202 || environmentId === undefined || clusterId === undefined) {
    throw new Error(`seeding failed: ${environment.status} ${JSON.stringify(environment.body)} ${cluster.status} ${JSON.stringify(cluster.body)}`);
  }
  return `/connect/v1/environments/${environmentId}/clusters/${clusterId}`;
}

/** The specification's SQL Server connector with the secret manager off: a plaintext user and password, no vault. */
function plainConfig(name: string): Record<string, string> {
  return plainConnector(name, "bench-Pa55w0rd").config;
}

// ---- load -----------------------------------------------------------------

const scratch = await mkdtemp(join(tmpdir(), "vaultwire-bench-api-load-"));
let scripts = 0;

function luaString(text: string): string {
  return `[==[${text}]==]`;
}

async function wrkScript(c: Case, prefix: string): Promise<string> {
  const headers = [c.auth ? `["Authorization"] = ${luaString(AUTHORIZATION)}` : "", c.body === undefined ? "" : `["Content-Type"] = "application/json"`].filter((h) => h !== "").join(", ");
  const lua = `-- generated by bench/api.ts
local method, path, headers = ${luaString(c.method)}, ${luaString(c.path)}, { ${headers} }
local template = ${c.body === undefined ? "nil" : luaString(c.body)}
local prefix = ${luaString(prefix)}
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
local counter = 0
function request()
  if template == nil then return wrk.format(method, path, headers) end
  counter = counter + 1
  local unique = prefix .. "-" .. tostring(tid) .. "-" .. tostring(counter)
  return wrk.format(method, path, headers, (string.gsub(template, "{n}", unique)))
end
`;
  const file = join(scratch, `case-${++scripts}.lua`);
  await writeFile(file, lua);
  return file;
}

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => { out += chunk.toString("utf8"); });
    child.stderr.on("data", (chunk: Buffer) => { err += chunk.toString("utf8"); });
    const timer = setTimeout(() => { child.kill("SIGKILL"); }, (SECONDS + 30) * 1000);
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} exited with ${code}: ${err}${out}`));
    });
  });
}

function milliseconds(value: string, unit: string): number {
  const n = Number(value);
  switch (unit) {
    case "us": return n / 1000;
    case "ms": return n;
    case "s": return n * 1000;
    case "m": return n * 60_000;
    default: throw new Error(`unknown wrk latency unit ${unit}`);
  }
}

function parseWrk(output: string): Figures {
  const perSecond = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const p50 = /^\s*50%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const p99 = /^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(output);
  const requests = /(\d+) requests in/.exec(output);
  if (!perSecond?.[1] || !p50?.[1] || !p50[2] || !p99?.[1] || !p99[2] || !requests?.[1]) throw new Error(`could not read wrk's output:\n${output}`);
  const non2xx = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(output)?.[1] ?? "0");
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  const errors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return { perSecond: Number(perSecond[1]), p50: milliseconds(p50[1], p50[2]), p99: milliseconds(p99[1], p99[2]), non2xx: non2xx + errors, requests: Number(requests[1]) };
}

async function loadOne(url: string, c: Case, threads: number, connections: number, prefix: string): Promise<Figures> {
  if (useWrk) {
    const script = await wrkScript(c, prefix);
    return parseWrk(await run("wrk", [`-t${threads}`, `-c${connections}`, `-d${SECONDS}s`, "--timeout", "10s", "--latency", "-s", script, url]));
  }
  const headers: Record<string, string> = { ...(c.auth ? { authorization: AUTHORIZATION } : {}), ...(c.body === undefined ? {} : { "content-type": "application/json" }) };
  const body = c.body?.replaceAll("{n}", `${prefix}-{n}`);
  const out = await run(process.execPath, [tsx, loadClient, JSON.stringify({ url, method: c.method, path: c.path, headers, ...(body === undefined ? {} : { body }), connections, seconds: SECONDS })]);
  const f = JSON.parse(out.trim().split("\n").pop() ?? "{}") as Figures & { errors: number };
  return { perSecond: f.perSecond, p50: f.p50, p99: f.p99, non2xx: f.non2xx + f.errors, requests: f.requests };
}

/** One load generator per replica, all at once, the connections split between them. */
async function load(urls: readonly string[], c: Case, prefix: string): Promise<Figures> {
  const threads = Math.max(1, Math.floor(THREADS / urls.length));
  const connections = Math.max(1, Math.floor(CONNECTIONS / urls.length));
  const parts = await Promise.all(urls.map((url, i) => loadOne(url, c, threads, connections, `${prefix}-r${i}`)));
  return {
    perSecond: parts.reduce((sum, f) => sum + f.perSecond, 0),
    p50: Math.max(...parts.map((f) => f.p50)),
    p99: Math.max(...parts.map((f) => f.p99)),
    non2xx: parts.reduce((sum, f) => sum + f.non2xx, 0),
    requests: parts.reduce((sum, f) => sum + f.requests, 0),
  };
}

// ---- cases and output -------------------------------------------------------

function cases(base: string): Case[] {
  const connector = JSON.stringify({ name: "{n}", config: plainConfig("{n}") });
  return [
    { label: "GET /health", method: "GET", path: "/health", auth: false },
    { label: "list environments", method: "GET", path: "/org/v2/environments", auth: true },
    { label: "validate", method: "PUT", path: `${base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, auth: true, body: JSON.stringify(plainConfig("bench-validate")) },
    { label: "create connector", method: "POST", path: `${base}/connectors`, auth: true, body: connector },
  ];
}

function row(store: string, replicas: number, label: string, f: Figures, health: Figures): string {
  const ratio = f === health ? "baseline" : `${(f.perSecond / health.perSecond).toFixed(3)}× health (${(health.perSecond / f.perSecond).toFixed(1)}× the time)`;
  return [
    store.padEnd(8),
    String(replicas).padStart(8),
    label.padEnd(18),
    `${Math.round(f.perSecond).toLocaleString("en-US")}/s`.padStart(9),
    `${f.p50.toFixed(2)} ms`.padStart(10),
    `${f.p99.toFixed(2)} ms`.padStart(10),
    String(f.non2xx).padStart(7),
    `  ${ratio}`,
  ].join(" ");
}

async function benchStore(store: string, servers: readonly Server[]): Promise<void> {
  const urls = servers.map((s) => s.url);
  const first = urls[0] ?? "";
  const base = await seed(first, `${store}-${servers.length}`);
  const probe = await api(first, "PUT", `${base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, plainConfig("bench-probe"));
  const errorCount = (probe.body as { error_count?: number } | undefined)?.error_count;
  if (probe.status !== 200 || errorCount !== 0) throw new Error(`the bench connector does not validate: ${probe.status} ${JSON.stringify(probe.body)}`);
  let health: Figures | undefined;
  const run = `${store}-${servers.length}-${randomBytes(3).toString("hex")}`;
  for (const c of cases(base)) {
    const f = await load(urls, c, `bench-${run}`);
    health ??= f;
    console.log(row(store, servers.length, c.label, f, health));
  }
}

async function withPostgres<T>(adminUrl: string, work: (url: string) => Promise<T>): Promise<T> {
  const name = `vaultwire_bench_${process.pid}_${randomBytes(6).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try { await client.query(sql); } finally { await client.end(); }
  };
  await admin(`CREATE DATABASE "${name}"`);
  try {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return await work(url.toString());
  } finally {
    await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

async function withServers(count: number, env: Record<string, string>, work: (servers: Server[]) => Promise<void>): Promise<void> {
  const servers: Server[] = [];
  try {
    // One after the other: the first applies the migrations.
    for (let i = 0; i < count; i++) servers.push(await startServer(env));
    await work(servers);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build (or npx tsc -p tsconfig.build.json) first`);
const databaseUrl = process.env.VAULTWIRE_BENCH_DATABASE_URL || process.env.VAULTWIRE_TEST_DATABASE_URL || undefined;
const masterKey = randomBytes(32).toString("base64");
const loader = useWrk
  ? `wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s --latency`
  : `bench/load-client.ts (wrk not installed: apt-get install wrk), ${CONNECTIONS} connections, ${SECONDS}s`;
console.log(`bench/api — node ${process.version}; server: node dist/cli/main.js server, own process(es); load: ${loader}, own process`);
console.log("validate/create: secret manager off (plaintext password, stored encrypted), no vault; cluster without Connect URLs (connectors stay PROVISIONING)");
console.log(`2 replicas: one load generator per replica at once, half the connections each; requests/s summed, p50/p99 the worse of the two`);
console.log(`${"store".padEnd(8)} ${"replicas".padStart(8)} ${"endpoint".padEnd(18)} ${"req/s".padStart(9)} ${"p50".padStart(10)} ${"p99".padStart(10)} ${"non-2xx".padStart(7)}   ratio to GET /health (same store, replicas)`);
try {
  await withServers(1, { VAULTWIRE_MASTER_KEY: masterKey }, (servers) => benchStore("sqlite", servers));
  console.log(`sqlite   2 replicas: skipped (SQLite is an embedded single-replica store; replicas share PostgreSQL)`);
  if (databaseUrl === undefined) {
    console.log("postgres: skipped (set VAULTWIRE_BENCH_DATABASE_URL or VAULTWIRE_TEST_DATABASE_URL; bash infra/postgres/setup.sh prints one)");
  } else {
    for (const replicas of [1, 2]) {
      await withPostgres(databaseUrl, (url) => withServers(replicas, { VAULTWIRE_MASTER_KEY: masterKey, VAULTWIRE_DATABASE_URL: url }, (servers) => benchStore("postgres", servers)));
    }
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
