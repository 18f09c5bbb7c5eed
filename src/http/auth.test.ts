import { describe, expect, it } from "vitest";
import { TooManyRequestsError } from "../domain/errors.js";
import { basicKeyId, FailedAttemptLimiter, MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_KEY } from "./auth.js";

function limiterAt(start = 0): { limiter: FailedAttemptLimiter; advance: (ms: number) => void } {
  let now = start;
  return { limiter: new FailedAttemptLimiter({ now: () => now }), advance: (ms) => { now += ms; } };
}

function lockedOut(limiter: FailedAttemptLimiter, address: string, keyId: string | undefined): TooManyRequestsError | null {
  try {
    limiter.check(address, keyId);
    return null;
  } catch (error) {
    if (error instanceof TooManyRequestsError) return error;
    throw error;
  }
}

describe("FailedAttemptLimiter", () => {
  it("defaults to 10 failures per key and address, 100 per address, in 60 s", () => {
    expect([MAX_FAILURES_PER_KEY, MAX_FAILURES_PER_ADDRESS]).toEqual([10, 100]);
  });

  it("locks key K at address A after 10 failures against K from A; other keys at A and K elsewhere keep working", () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < 9; i++) limiter.fail("198.51.100.7", "ADMINKEY");
    expect(lockedOut(limiter, "198.51.100.7", "ADMINKEY")).toBeNull();
    limiter.fail("198.51.100.7", "ADMINKEY");
    advance(15_000);
    const locked = lockedOut(limiter, "198.51.100.7", "ADMINKEY");
    expect(locked?.message).toBe("too many failed authentication attempts with this API key from this address; retry in 45 s");
    expect(locked?.retryAfterSeconds).toBe(45);
    expect(lockedOut(limiter, "198.51.100.7", "OTHERKEY")).toBeNull();
    expect(lockedOut(limiter, "198.51.100.7", undefined)).toBeNull();
    expect(lockedOut(limiter, "203.0.113.9", "ADMINKEY")).toBeNull();
    advance(45_000);
    expect(lockedOut(limiter, "198.51.100.7", "ADMINKEY")).toBeNull();
  });

  it("counts unknown and known key ids alike, and keeps the ids apart (no prefix games)", () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 10; i++) limiter.fail("a", "NOSUCHKEY");
    expect(lockedOut(limiter, "a", "NOSUCHKEY")).not.toBeNull();
    expect(lockedOut(limiter, "a", "NOSUCHKE")).toBeNull();
    expect(lockedOut(limiter, "a\u0000NOSUCHKEY", undefined)).toBeNull();
  });

  it("a success clears its key's count at that address", () => {
    const { limiter } = limiterAt();
    for (let i = 0; i < 9; i++) limiter.fail("a", "K");
    limiter.succeed("a", "K");
    for (let i = 0; i < 9; i++) limiter.fail("a", "K");
    expect(lockedOut(limiter, "a", "K")).toBeNull();
  });

  it("locks a whole address after 100 failures against any keys or none (anti-flood), until the window passes", () => {
    const { limiter, advance } = limiterAt();
    for (let i = 0; i < 60; i++) limiter.fail("a", `GUESS${i}`);
    for (let i = 0; i < 39; i++) limiter.fail("a", undefined);
    expect(lockedOut(limiter, "a", "ADMINKEY")).toBeNull();
    limiter.fail("a", undefined);
    const locked = lockedOut(limiter, "a", "ADMINKEY");
    expect(locked?.message).toBe("too many failed authentication attempts from this address; retry in 60 s");
    expect(lockedOut(limiter, "a", undefined)).not.toBeNull();
    expect(lockedOut(limiter, "b", "ADMINKEY")).toBeNull();
    // A success does not reset the address's count.
    limiter.succeed("a", "ADMINKEY");
    expect(lockedOut(limiter, "a", "ADMINKEY")).not.toBeNull();
    advance(60_000);
    expect(lockedOut(limiter, "a", "ADMINKEY")).toBeNull();
  });

  it("takes limits and a window from its options", () => {
    let now = 0;
    const limiter = new FailedAttemptLimiter({ maxFailuresPerKey: 2, maxFailuresPerAddress: 3, windowMs: 1000, now: () => now });
    limiter.fail("a", "K");
    limiter.fail("a", "K");
    expect(lockedOut(limiter, "a", "K")?.retryAfterSeconds).toBe(1);
    limiter.fail("a", "L");
    expect(lockedOut(limiter, "a", "L")).not.toBeNull();
    now = 1000;
    expect(lockedOut(limiter, "a", "K")).toBeNull();
  });
});

describe("basicKeyId", () => {
  const basic = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;
  it.each<[string, string | undefined, string | undefined]>([
    ["a secret with colons", basic("ADMINKEY:secret:with:colons"), "ADMINKEY"],
    ["lower-case scheme, spaces", `basic   ${Buffer.from("K:s").toString("base64")}`, "K"],
    ["an empty key", basic(":secret"), undefined],
    ["no colon", basic("no-colon"), undefined],
    ["over 512 characters", basic(`K:${"s".repeat(600)}`), undefined],
    ["a Bearer token", "Bearer abc", undefined],
    ["no header", undefined, undefined],
  ])("%s", (_label, header, expected) => {
    expect(basicKeyId(header)).toBe(expected);
  });
});
