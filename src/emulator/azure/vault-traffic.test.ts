import { describe, expect, it } from "vitest";
import { VaultTraffic } from "./vault-traffic.js";

function traffic(): { traffic: VaultTraffic; advance: (ms: number) => void } {
  let now = 0;
  return { traffic: new VaultTraffic(() => now), advance: (ms) => { now += ms; } };
}

describe("vault traffic controls", () => {
  it("admits N requests per sliding 10 s, with or without Retry-After", () => {
    const { traffic: t, advance } = traffic();
    t.setThrottle({ limitPer10Seconds: 2 });
    expect([t.admit().admitted, t.admit().admitted, t.admit()]).toEqual([true, true, { admitted: false, retryAfterSeconds: undefined }]);
    advance(9_999);
    expect(t.admit().admitted).toBe(false);
    advance(1);
    expect(t.admit().admitted).toBe(true);
    t.setThrottle({ limitPer10Seconds: 0, retryAfterSeconds: 3 });
    expect(t.admit()).toEqual({ admitted: false, retryAfterSeconds: 3 });
    t.setThrottle(null);
    expect(t.admit().admitted).toBe(true);
  });

  it("consumes drops first, then failures, then nothing", () => {
    const { traffic: t } = traffic();
    t.setFaults({ dropNext: 1, failNext: { count: 2, status: 503 }, latencyMs: 50 });
    expect([t.takeFault(), t.takeFault(), t.takeFault(), t.takeFault()]).toEqual([{ kind: "drop" }, { kind: "fail", status: 503 }, { kind: "fail", status: 503 }, { kind: "none" }]);
    expect(t.latency()).toBe(50);
    t.setFaults(null);
    expect(t.latency()).toBe(0);
  });

  it("counts by operation and resets", () => {
    const { traffic: t } = traffic();
    t.count("get");
    t.count("get");
    t.count("challenge");
    expect(t.counts()).toEqual({ total: 3, byOperation: { get: 2, challenge: 1 } });
    t.resetCounts();
    expect(t.counts()).toEqual({ total: 0, byOperation: {} });
  });
});

describe("Retry-After from the throttle window", () => {
  it("is the whole seconds until the oldest request that blocks leaves the 10 s window", () => {
    const { traffic: t, advance } = traffic();
    t.setThrottle({ limitPer10Seconds: 3, retryAfterSeconds: "window" });
    t.admit(); // at 0
    advance(2_500);
    t.admit(); // at 2500
    advance(1_000);
    t.admit(); // at 3500
    advance(500); // now 4000: the request at 0 frees a slot at 10000
    expect(t.admit()).toEqual({ admitted: false, retryAfterSeconds: 6 });
    advance(5_001); // 9001: 999 ms left, rounded up
    expect(t.admit()).toEqual({ admitted: false, retryAfterSeconds: 1 });
    advance(999); // 10000: the first request has left the window
    expect(t.admit().admitted).toBe(true);
    // Full again (2500, 3500, 10000): the slot frees when the request at 2500 leaves, at 12500.
    expect(t.admit()).toEqual({ admitted: false, retryAfterSeconds: 3 });
  });

  it("counts from the request that must leave for one more to fit, with limit 1", () => {
    const { traffic: t, advance } = traffic();
    t.setThrottle({ limitPer10Seconds: 1, retryAfterSeconds: "window" });
    t.admit();
    advance(1);
    expect(t.admit()).toEqual({ admitted: false, retryAfterSeconds: 10 });
    advance(8_998);
    expect(t.admit()).toEqual({ admitted: false, retryAfterSeconds: 2 });
  });

  it("keeps a fixed number when one is configured", () => {
    const { traffic: t } = traffic();
    t.setThrottle({ limitPer10Seconds: 1, retryAfterSeconds: 7 });
    t.admit();
    expect(t.admit()).toEqual({ admitted: false, retryAfterSeconds: 7 });
  });
});
