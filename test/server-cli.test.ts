// `vaultwire server` as users run it: the built binary, a real port, signals.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { request as httpRequest } from "node:http";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const bin = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));

interface Started { child: ChildProcess; url: string; stderr: () => string; stdout: () => string; exit: Promise<number | null> }

function start(args: string[], env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [bin, "server", ...args], { env: { PATH: process.env.PATH ?? "", VAULTWIRE_LOG_LEVEL: "warn", VAULTWIRE_DRAIN_MS: "0", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => { stdout += chunk.toString(); });
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => { resolve(code); }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { reject(new Error(`server did not start: ${stderr}`)); }, 20_000);
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], stderr: () => stderr, stdout: () => stdout, exit });
      }
    });
    void exit.then((code) => {
      clearTimeout(timer);
      resolve({ child, url: "", stderr: () => stderr, stdout: () => stdout, exit: Promise.resolve(code) });
    });
  });
}

describe("vaultwire server (the binary)", () => {
  let dataDir: string;
  beforeAll(async () => { dataDir = await mkdtemp(join(tmpdir(), "vaultwire-server-cli-")); });
  afterAll(async () => { await rm(dataDir, { recursive: true, force: true }); });

  it("starts, prints the first admin key once, serves the API, and stops cleanly on SIGTERM", async () => {
    const server = await start(["--port", "0", "--data-dir", dataDir], {});
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const key = /API key: +(\S+)/.exec(server.stderr())?.[1];
    const secret = /API secret: +(\S+)/.exec(server.stderr())?.[1];
    expect(key).toBeDefined();
    expect(secret).toBeDefined();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const listed = await fetch(`${server.url}/org/v2/environments`, { headers: { authorization: `Basic ${Buffer.from(`${key ?? ""}:${secret ?? ""}`).toString("base64")}` } });
    expect(listed.status).toBe(200);
    expect(((await stat(join(dataDir, "master.key"))).mode & 0o777).toString(8)).toBe("600");
    server.child.kill("SIGTERM");
    expect(await server.exit).toBe(0);
    expect(server.stderr()).toContain("received SIGTERM, shutting down");
  });

  it("does not print a key on later starts", async () => {
    const server = await start(["--port", "0", "--data-dir", dataDir], {});
    expect(server.stderr()).not.toContain("API secret");
    server.child.kill("SIGINT");
    expect(await server.exit).toBe(0);
  });

  it("does not print a bootstrap secret the operator supplied", async () => {
    const ownDir = await mkdtemp(join(tmpdir(), "vaultwire-server-cli-bootstrap-"));
    try {
      const secret = `Operator-Bootstrap-Secret-${randomBytes(8).toString("hex")}`;
      const server = await start(["--port", "0", "--data-dir", ownDir], { VAULTWIRE_BOOTSTRAP_API_KEY: "OPERATORKEY0001", VAULTWIRE_BOOTSTRAP_API_SECRET: secret, VAULTWIRE_LOG_LEVEL: "debug" });
      expect(server.stderr()).not.toContain(secret);
      expect(server.stderr()).toContain("Created the first admin API key \"OPERATORKEY0001\" from VAULTWIRE_BOOTSTRAP_API_KEY, with the secret set in VAULTWIRE_BOOTSTRAP_API_SECRET (not shown).");
      expect(server.stderr()).not.toContain("API secret:");
      const listed = await fetch(`${server.url}/org/v2/environments`, { headers: { authorization: `Basic ${Buffer.from(`OPERATORKEY0001:${secret}`).toString("base64")}` } });
      expect(listed.status).toBe(200);
      server.child.kill("SIGTERM");
      expect(await server.exit).toBe(0);
      expect(server.stderr()).not.toContain(secret);
      expect(server.stdout()).not.toContain(secret);
    } finally {
      await rm(ownDir, { recursive: true, force: true });
    }
  });

  it("refuses to start with another master key, saying why", async () => {
    const server = await start(["--port", "0", "--data-dir", dataDir], { VAULTWIRE_MASTER_KEY: randomBytes(32).toString("base64") });
    expect(await server.exit).toBe(1);
    expect(server.stderr()).toContain("Error: the server could not start: the master key (VAULTWIRE_MASTER_KEY) is not the one this database was created with");
  });

  it.each([
    [["--port", "http"], {}, "--port: expected a port number from 0 to 65535"],
    [[], { VAULTWIRE_PORT: "x" }, "VAULTWIRE_PORT: expected a port number"],
    [[], { VAULTWIRE_MASTER_KEY: "short" }, "VAULTWIRE_MASTER_KEY must hold a 32-byte key"],
    [[], { VAULTWIRE_DRAIN_MS: "5s" }, "VAULTWIRE_DRAIN_MS: expected milliseconds from 0 to 600000, got \"5s\""],
    [["--database-url", "postgres://nobody:pw@127.0.0.1:1/db"], {}, "cannot connect to PostgreSQL"],
  ])("fails with one clear line for %j %j", async (args, env, fragment) => {
    // Each case fails before listening; the env cases must not be overridden by a --port flag.
    const server = await start([...args, "--data-dir", dataDir], env);
    expect(await server.exit).toBe(1);
    expect(server.stderr()).toContain(fragment);
    expect(server.stderr()).not.toMatch(/\n\s+at /);
    expect(server.stderr()).not.toContain(":pw@");
  });
});

/** Resolves with fn()'s first truthy answer, polling every 50 ms. */
async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Readiness { status: string; reason?: string }

async function readiness(url: string): Promise<{ status: number; body: Readiness; cacheControl: string | null }> {
  const response = await fetch(`${url}/health/ready`);
  return { status: response.status, body: await response.json() as Readiness, cacheControl: response.headers.get("cache-control") };
}

describe("vaultwire server drains on SIGTERM (the binary)", () => {
  const key = "DRAINKEY0000001";
  const secret = `Drain-Test-Secret-${randomBytes(8).toString("hex")}`;
  const authorization = `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}`;
  let dataDir: string;
  beforeAll(async () => { dataDir = await mkdtemp(join(tmpdir(), "vaultwire-server-drain-")); });
  afterAll(async () => { await rm(dataDir, { recursive: true, force: true }); });

  it("turns readiness to 503 draining, keeps serving for VAULTWIRE_DRAIN_MS, lets a request in flight finish, and exits 0", async () => {
    const server = await start(["--port", "0", "--data-dir", dataDir], { VAULTWIRE_DRAIN_MS: "3000", VAULTWIRE_LOG_LEVEL: "info", VAULTWIRE_BOOTSTRAP_API_KEY: key, VAULTWIRE_BOOTSTRAP_API_SECRET: secret });
    expect(server.url, server.stderr()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const ready = await readiness(server.url);
    expect(ready).toMatchObject({ status: 200, body: { status: "ready" }, cacheControl: "no-store" });
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);

    // A request whose headers arrived before the signal and whose body arrives only once the server is closing.
    const body = JSON.stringify({ display_name: "in-flight" });
    const inFlight = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${server.url}/org/v2/environments`, { method: "POST", agent: false, headers: { authorization, "content-type": "application/json", "content-length": Buffer.byteLength(body) } }, (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => { text += chunk.toString(); });
        res.on("end", () => { resolve({ status: res.statusCode ?? 0, text }); });
      });
      req.on("error", reject);
      req.write(body.slice(0, 5));
      void until("the server to close its listener", () => server.stdout().includes("closing the HTTP server")).then(() => { req.end(body.slice(5)); }, reject);
    });
    await new Promise((resolve) => setTimeout(resolve, 200));

    const signalled = Date.now();
    server.child.kill("SIGTERM");
    const draining = await until("readiness to turn 503", async () => { const r = await readiness(server.url); return r.status === 503 ? r : undefined; });
    expect(draining).toMatchObject({ body: { status: "unavailable", reason: "draining" }, cacheControl: "no-store" });
    // Still serving, API and liveness, during the drain.
    const listed = await fetch(`${server.url}/org/v2/environments`, { headers: { authorization } });
    expect(listed.status).toBe(200);
    expect((await fetch(`${server.url}/health/live`)).status).toBe(200);
    expect(server.child.exitCode).toBeNull();
    expect(Date.now() - signalled).toBeLessThan(3_000);

    const finished = await inFlight;
    expect(finished.status, finished.text).toBe(201);
    expect(JSON.parse(finished.text)).toMatchObject({ display_name: "in-flight" });
    expect(await server.exit).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(3_000);
    expect(server.stderr()).toContain("received SIGTERM, shutting down: draining for 3000 ms");
    const messages = server.stdout().split("\n").filter((line) => line.startsWith("{")).map((line) => (JSON.parse(line) as { msg: string }).msg);
    const phases = ["draining: /health/ready answers 503, requests are still served", "stopping background work", "closing the HTTP server; requests in flight finish", "closing the store", "vaultwire server stopped"];
    expect(messages.filter((m) => phases.includes(m))).toEqual(phases);
    expect(server.stdout()).not.toContain(secret);
  });

  it("skips the rest of the drain on a second signal", async () => {
    const server = await start(["--port", "0", "--data-dir", dataDir], { VAULTWIRE_DRAIN_MS: "60000", VAULTWIRE_LOG_LEVEL: "info" });
    expect(server.url, server.stderr()).not.toBe("");
    server.child.kill("SIGTERM");
    await until("readiness to turn 503", async () => (await readiness(server.url)).status === 503);
    const second = Date.now();
    server.child.kill("SIGINT");
    expect(await server.exit).toBe(0);
    expect(Date.now() - second).toBeLessThan(10_000);
    expect(server.stdout()).toContain("drain cut short");
  });
});
