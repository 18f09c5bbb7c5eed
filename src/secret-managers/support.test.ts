import { describe, expect, it } from "vitest";
import { KeyedConcurrencyLimiter } from "./concurrency.js";
import { abortableSleep, withRetry } from "./retry.js";
import { SecretCache } from "./secret-cache.js";
import { readJsonKey } from "./json-secret.js";

describe("SecretCache", () => {
  it("reads fresh when asked, shares a load in flight, and keeps the fresh value", async () => {
    const cache = new SecretCache<string>({ ttlMs: 1000, maxEntries: 10, now: () => 0 });
    let loads = 0;
    const load = () => { loads++; return Promise.resolve(`v${loads}`); };
    expect(await cache.get("k", load)).toBe("v1");
    expect(await cache.get("k", load, { fresh: true })).toBe("v2");
    expect(await cache.get("k", load)).toBe("v2");
    const [a, b] = await Promise.all([cache.get("k", load, { fresh: true }), cache.get("k", load, { fresh: true })]);
    expect([a, b, loads]).toEqual(["v3", "v3", 3]);
  });

  it("expires entries after the TTL and does not cache failures", async () => {
    let now = 0;
    const cache = new SecretCache<string>({ ttlMs: 100, maxEntries: 10, now: () => now });
    let loads = 0;
    const load = () => { loads++; return Promise.resolve(`v${loads}`); };
    expect(await cache.get("k", load)).toBe("v1");
    expect(await cache.get("k", load)).toBe("v1");
    now = 101;
    expect(await cache.get("k", load)).toBe("v2");
    await expect(cache.get("bad", () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(cache.has("bad")).toBe(false);
    expect(await cache.get("bad", load)).toBe("v3");
  });

  it("shares one load among concurrent callers, including its failure", async () => {
    const cache = new SecretCache<string>({ ttlMs: 1000, maxEntries: 10 });
    let loads = 0;
    let fail = true;
    const load = async () => { loads++; await new Promise((r) => setTimeout(r, 10)); if (fail) throw new Error("once"); return "v"; };
    const first = await Promise.allSettled(Array.from({ length: 50 }, () => cache.get("k", load)));
    expect(loads).toBe(1);
    expect(first.every((r) => r.status === "rejected")).toBe(true);
    fail = false;
    expect(await Promise.all(Array.from({ length: 50 }, () => cache.get("k", load)))).toHaveLength(50);
    expect(loads).toBe(2);
  });

  it("evicts the oldest entries beyond the cap, and caches nothing with a TTL of 0", async () => {
    const cache = new SecretCache<number>({ ttlMs: 1000, maxEntries: 2 });
    for (const k of ["a", "b", "c"]) await cache.get(k, () => Promise.resolve(1));
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([false, true, true]);
    cache.deleteWhere((k) => k === "b");
    expect(cache.size).toBe(1);
    const off = new SecretCache<number>({ ttlMs: 0, maxEntries: 2 });
    await off.get("a", () => Promise.resolve(1));
    expect(off.size).toBe(0);
  });
});

describe("KeyedConcurrencyLimiter", () => {
  it("runs at most `limit` tasks per key, independently per key, in order", async () => {
    const limiter = new KeyedConcurrencyLimiter(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => { active++; peak = Math.max(peak, active); await new Promise((r) => setTimeout(r, 5)); order.push(i); active--; };
    await Promise.all([...Array.from({ length: 6 }, (_, i) => limiter.run("a", task(i))), limiter.run("b", () => Promise.resolve())]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(limiter.active("a")).toBe(0);
    expect(() => new KeyedConcurrencyLimiter(0)).toThrow(RangeError);
  });

  it("releases the slot when a task fails", async () => {
    const limiter = new KeyedConcurrencyLimiter(1);
    await expect(limiter.run("a", () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await limiter.run("a", () => Promise.resolve(7))).toBe(7);
  });
});

describe("withRetry", () => {
  const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

  it("backs off exponentially with full jitter, honouring a server-requested delay", async () => {
    const delays: number[] = [];
    let calls = 0;
    const result = await withRetry(() => { calls++; if (calls < 5) return Promise.reject(new Error(calls === 2 ? "after" : "x")); return Promise.resolve("done"); }, {
      policy,
      signal: new AbortController().signal,
      random: () => 0.5,
      classify: (e) => ((e as Error).message === "after" ? { retry: true, afterMs: 777 } : { retry: true }),
      sleep: (ms) => { delays.push(ms); return Promise.resolve(); },
    });
    expect(result).toBe("done");
    expect(delays).toEqual([50, 777, 200, 400]);
  });

  it("stops at maxAttempts and on errors that are not retryable", async () => {
    let calls = 0;
    const fail = () => { calls++; return Promise.reject(new Error(`e${calls}`)); };
    await expect(withRetry(fail, { policy, signal: new AbortController().signal, classify: () => ({ retry: true }), sleep: () => Promise.resolve() })).rejects.toThrow("e5");
    calls = 0;
    await expect(withRetry(fail, { policy, signal: new AbortController().signal, classify: () => ({ retry: false }), sleep: () => Promise.resolve() })).rejects.toThrow("e1");
  });

  it("gives up when aborted while waiting, with the last error", async () => {
    const controller = new AbortController();
    setTimeout(() => { controller.abort(); }, 20);
    await expect(withRetry(() => Promise.reject(new Error("last")), { policy: { ...policy, baseDelayMs: 10_000, maxDelayMs: 10_000 }, signal: controller.signal, random: () => 1, classify: () => ({ retry: true }) })).rejects.toThrow("last");
    await expect(abortableSleep(10, AbortSignal.abort())).rejects.toBeDefined();
  });
});

describe("readJsonKey", () => {
  it.each([
    ["{\"a\":\"x\"}", "a", { ok: true, value: "x" }],
    ["{\"a.b\":\"dotted\",\"a\":{\"b\":\"nested\"}}", "a.b", { ok: true, value: "dotted" }],
    ["{\"n\":1.5}", "n", { ok: true, value: "1.5" }],
    ["{\"f\":false}", "f", { ok: true, value: "false" }],
    ["{\"e\":\"\"}", "e", { ok: true, value: "" }],
  ])("reads %s [%s]", (secret, key, expected) => {
    expect(readJsonKey(secret, key)).toEqual(expected);
  });

  it.each([
    ["not json", "a", "JSON_NOT_OBJECT", "its value is not JSON"],
    ["[1,2]", "a", "JSON_NOT_OBJECT", "JSON an array, not an object"],
    ["\"str\"", "a", "JSON_NOT_OBJECT", "JSON a string"],
    ["{}", "a", "JSON_KEY_MISSING", "the JSON object is empty"],
    ["{\"user\":\"u\"}", "toString", "JSON_KEY_MISSING", "its keys are \"user\""],
    ["{\"a\":[1]}", "a", "JSON_VALUE_NOT_SCALAR", "is an array"],
    ["{\"a\":null}", "a", "JSON_VALUE_NOT_SCALAR", "is null"],
  ])("rejects %s [%s] without quoting values", (secret, key, code, fragment) => {
    const result = readJsonKey(secret, key);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe(code);
    expect(result.problem).toContain(fragment);
    expect(result.problem).not.toContain("\"u\"");
  });

  it("lists at most 20 key names", () => {
    const secret = JSON.stringify(Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`k${i}`, "v"])));
    const result = readJsonKey(secret, "x");
    expect(!result.ok && result.problem).toContain("and 5 more");
  });
});
