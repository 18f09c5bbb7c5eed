import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ServerLifecycle } from "./lifecycle.js";

function logger(): { lines: string[]; info: (a: object | string, b?: string) => void } {
  const lines: string[] = [];
  return { lines, info: (a, b) => { lines.push(typeof a === "string" ? a : b ?? ""); } };
}

describe("ServerLifecycle", () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it("drains for drainMs: draining at once, the wait resolves after the period, logged once", async () => {
    const log = logger();
    const lifecycle = new ServerLifecycle(5_000, log);
    expect(lifecycle.draining).toBe(false);
    let done = false;
    const wait = lifecycle.drain().then(() => { done = true; });
    expect(lifecycle.draining).toBe(true);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await wait;
    expect(done).toBe(true);
    expect(log.lines).toEqual(["draining: /health/ready answers 503, requests are still served"]);
    // Once over, a further call changes nothing.
    await lifecycle.drain();
    expect(log.lines).toHaveLength(1);
  });

  it("ends the wait at once when drain is called again (a second signal)", async () => {
    const log = logger();
    const lifecycle = new ServerLifecycle(60_000, log);
    const first = lifecycle.drain();
    let done = false;
    void first.then(() => { done = true; });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(done).toBe(false);
    await lifecycle.drain();
    expect(done).toBe(true);
    expect(lifecycle.draining).toBe(true);
    expect(log.lines).toEqual(["draining: /health/ready answers 503, requests are still served", "drain cut short"]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("resolves at once with a drain of 0", async () => {
    const lifecycle = new ServerLifecycle(0, logger());
    const wait = lifecycle.drain();
    await vi.advanceTimersByTimeAsync(0);
    await expect(wait).resolves.toBeUndefined();
  });

  it("stopWaiting marks the server draining and ends a wait in progress (close without a signal)", async () => {
    const idle = new ServerLifecycle(5_000, logger());
    idle.stopWaiting();
    expect(idle.draining).toBe(true);
    const waiting = new ServerLifecycle(5_000, logger());
    const wait = waiting.drain();
    waiting.stopWaiting();
    await wait;
    expect(vi.getTimerCount()).toBe(0);
  });
});
