import type { FastifyInstance } from "fastify";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { allowedVaultHosts, DEFAULT_VAULT_HOST_POLICY } from "../secret-managers/azure-key-vault/vault-host-policy.js";
import { createHttpApp, type HttpServices } from "./app.js";
import { cachedProbe, PING_CACHE_MS, type Lifecycle } from "./health.js";

/** Services that fail if touched: health routes must need none of them (and no API key). */
function inert(name: string): never {
  return new Proxy({}, { get: (_target, property) => () => { throw new Error(`${name}.${String(property)} called`); } }) as never;
}

interface Fixture {
  app: FastifyInstance;
  lifecycle: { started: boolean; draining: boolean };
  pings: () => number;
  setStore: (answers: boolean | "throws") => void;
  advance: (ms: number) => void;
}

const apps: FastifyInstance[] = [];
// Only the clock is faked (the ping cache reads Date.now); Fastify's own timers run for real.
beforeEach(() => { vi.useFakeTimers({ toFake: ["Date"] }); });
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function fixture(lifecycle: Lifecycle & { started: boolean; draining: boolean } = { started: true, draining: false }): Promise<Fixture> {
  let pings = 0;
  let answers: boolean | "throws" = true;
  const services: HttpServices = { environments: inert("environments"), organization: inert("organization"), clusters: inert("clusters"), integrations: inert("integrations"), connectors: inert("connectors"), connectorOffsets: inert("connectorOffsets"), apiKeys: inert("apiKeys"), serviceAccounts: inert("serviceAccounts"), roleBindings: inert("roleBindings"), workerCredentials: inert("workerCredentials"), secretEvents: inert("secretEvents"), audit: inert("audit") };
  const app = await createHttpApp({
    services,
    store: {
      ping: () => {
        pings++;
        return answers === "throws" ? Promise.reject(new Error("connection refused")) : Promise.resolve(answers);
      },
      connectors: inert("connectors"),
    },
    logger: pino({ level: "silent" }),
    links: { publicUrl: "http://127.0.0.1:8080", organizationId: "00000000-0000-0000-0000-000000000000" },
    platformAppId: "",
    vaultHosts: DEFAULT_VAULT_HOST_POLICY,
    secretManagerHosts: { AZURE_KEY_VAULT: allowedVaultHosts(DEFAULT_VAULT_HOST_POLICY) },
    lifecycle,
  });
  apps.push(app);
  return { app, lifecycle, pings: () => pings, setStore: (value) => { answers = value; }, advance: (ms) => { vi.setSystemTime(Date.now() + ms); } };
}

describe("health endpoints", () => {
  it("/health/ready is 200 ready when started, not draining and the store answers; public and never cached", async () => {
    const { app } = await fixture();
    const response = await app.inject({ method: "GET", url: "/health/ready" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.headers["content-type"]).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ status: "ready", checks: { database: "ok", started: true, draining: false } });
  });

  it("/health/ready is 503 naming why: store unreachable, draining, starting", async () => {
    const f = await fixture({ started: true, draining: false });
    f.setStore(false);
    const unreachable = await f.app.inject({ method: "GET", url: "/health/ready" });
    expect(unreachable.statusCode).toBe(503);
    expect(unreachable.headers["cache-control"]).toBe("no-store");
    expect(unreachable.json()).toEqual({ status: "unavailable", reason: "store unreachable", problems: ["store unreachable"], checks: { database: "unavailable", started: true, draining: false } });

    f.setStore(true);
    f.advance(PING_CACHE_MS);
    f.lifecycle.draining = true;
    const draining = await f.app.inject({ method: "GET", url: "/health/ready" });
    expect(draining.statusCode).toBe(503);
    expect(draining.json()).toMatchObject({ status: "unavailable", reason: "draining", problems: ["draining"] });

    const starting = await fixture({ started: false, draining: false });
    expect((await starting.app.inject({ method: "GET", url: "/health/ready" })).json()).toMatchObject({ reason: "starting" });
  });

  it("counts a ping that throws as an unreachable store", async () => {
    const f = await fixture();
    f.setStore("throws");
    const response = await f.app.inject({ method: "GET", url: "/health/ready" });
    expect(response.statusCode).toBe(503);
    expect(response.body).not.toContain("connection refused");
    expect((await f.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(503);
  });

  it("pings the store at most once a second however often it is probed", async () => {
    const f = await fixture();
    await Promise.all(Array.from({ length: 20 }, () => f.app.inject({ method: "GET", url: "/health/ready" })));
    for (let i = 0; i < 10; i++) await f.app.inject({ method: "GET", url: i % 2 === 0 ? "/health/ready" : "/health" });
    expect(f.pings()).toBe(1);
    f.advance(PING_CACHE_MS - 1);
    await f.app.inject({ method: "GET", url: "/health/ready" });
    expect(f.pings()).toBe(1);
    f.advance(1);
    f.setStore(false);
    expect((await f.app.inject({ method: "GET", url: "/health/ready" })).statusCode).toBe(503);
    expect(f.pings()).toBe(2);
  });

  it("/health/live is 200 even while draining or with the store down", async () => {
    const f = await fixture({ started: true, draining: true });
    f.setStore(false);
    const response = await f.app.inject({ method: "GET", url: "/health/live" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["cache-control"]).toBe("no-store");
    expect(response.json()).toEqual({ status: "ok" });
    expect(f.pings()).toBe(0);
  });

  it("/health keeps its body, and answers 503 only for the store (not while draining)", async () => {
    const f = await fixture({ started: true, draining: true });
    const response = await f.app.inject({ method: "GET", url: "/health" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: "ok", checks: { database: "ok" } });
  });

  it("is not swallowed by the console's page fallback, and unknown /health paths are JSON 404s", async () => {
    const { app } = await fixture();
    const ready = await app.inject({ method: "GET", url: "/health/ready", headers: { accept: "text/html" } });
    expect(ready.statusCode).toBe(200);
    expect(ready.headers["content-type"]).toMatch(/^application\/json/);
    const unknown = await app.inject({ method: "GET", url: "/health/nope", headers: { accept: "text/html" } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/^application\/json/);
  });
});

describe("cachedProbe", () => {
  it("shares one probe among concurrent callers and reuses its answer for ttl", async () => {
    let calls = 0;
    let release: (ok: boolean) => void = () => undefined;
    let now = 0;
    const probe = cachedProbe(() => { calls++; return new Promise<boolean>((resolve) => { release = resolve; }); }, 1_000, () => now);
    const first = probe();
    const second = probe();
    release(true);
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(calls).toBe(1);
    now = 999;
    expect(await probe()).toBe(true);
    expect(calls).toBe(1);
    now = 1_000;
    const third = probe();
    release(false);
    expect(await third).toBe(false);
    expect(calls).toBe(2);
  });
});
