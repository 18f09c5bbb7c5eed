// Throttling and injected faults as the real SDK experiences them: 429 with
// and without Retry-After, 5xx, dropped connections and latency.
import type { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createIdentity, failure, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

let test: TestEmulator;
let identity: ReturnType<typeof createIdentity>;
const VAULT = "traffic";

beforeAll(async () => {
  test = await startTestEmulator();
  identity = createIdentity(test.emulator);
  await test.emulator.createVault({ name: VAULT, tenantId: identity.tenantId });
  test.emulator.assignRole(VAULT, { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
  test.emulator.setSecret(VAULT, "s", "v");
});
afterAll(async () => { await test.close(); });
beforeEach(() => {
  test.emulator.setThrottle(VAULT, null);
  test.emulator.setFaults(VAULT, null);
});

/** A client that has already passed the challenge, so each call is one request. */
async function warmClient(retries = 0): Promise<SecretClient> {
  const client = secretClient(test.emulator, test.emulator.vaultUri(VAULT), identity.credential, { retryOptions: { maxRetries: retries, retryDelayInMs: 10, maxRetryDelayInMs: 50 } });
  await client.getSecret("s");
  test.emulator.resetRequestCounts(VAULT);
  return client;
}

describe("throttling", () => {
  it("answers 429 Throttled without Retry-After: the SDK does not retry", async () => {
    const client = await warmClient(3);
    test.emulator.setThrottle(VAULT, { limitPer10Seconds: 2 });
    await client.getSecret("s");
    await client.getSecret("s");
    const error = await failure(client.getSecret("s"));
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe("Throttled");
    expect(error.message).toBe("Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached");
    expect(error.response?.headers.get("retry-after")).toBeUndefined();
    expect(test.emulator.requestCounts(VAULT).total).toBe(3);
  });

  it("sends Retry-After when configured: the SDK retries, then gives up", async () => {
    const client = await warmClient(2);
    test.emulator.setThrottle(VAULT, { limitPer10Seconds: 0, retryAfterSeconds: 0 });
    const error = await failure(client.getSecret("s"));
    expect(error.statusCode).toBe(429);
    expect(error.response?.headers.get("retry-after")).toBe("0");
    expect(test.emulator.requestCounts(VAULT).total).toBe(3);
  });

  it("admits again once the throttle is lifted", async () => {
    const client = await warmClient();
    test.emulator.setThrottle(VAULT, { limitPer10Seconds: 0 });
    expect((await failure(client.getSecret("s"))).statusCode).toBe(429);
    test.emulator.setThrottle(VAULT, null);
    expect((await client.getSecret("s")).value).toBe("v");
  });
});

describe("injected faults", () => {
  it("fails the next K requests with the given 5xx", async () => {
    const client = await warmClient();
    test.emulator.setFaults(VAULT, { failNext: { count: 1, status: 503 } });
    const error = await failure(client.getSecret("s"));
    expect(error.statusCode).toBe(503);
    expect(error.code).toBe("ServiceUnavailable");
    expect((await client.getSecret("s")).value).toBe("v");
  });

  it("lets the SDK's retries ride out transient 5xx", async () => {
    const client = await warmClient(3);
    test.emulator.setFaults(VAULT, { failNext: { count: 2, status: 500 } });
    expect((await client.getSecret("s")).value).toBe("v");
    expect(test.emulator.requestCounts(VAULT).byOperation.get).toBe(3);
  });

  it("drops connections without a response", async () => {
    const client = await warmClient();
    test.emulator.setFaults(VAULT, { dropNext: 1 });
    const error = await failure(client.getSecret("s"));
    expect(error.name).toBe("RestError");
    expect(error.code).toMatch(/ECONNRESET|REQUEST_SEND_ERROR/);
    expect((await client.getSecret("s")).value).toBe("v");
    const retrying = await warmClient(2);
    test.emulator.setFaults(VAULT, { dropNext: 2 });
    expect((await retrying.getSecret("s")).value).toBe("v");
  });

  it("delays responses by the configured latency", async () => {
    const client = await warmClient();
    test.emulator.setFaults(VAULT, { latencyMs: 300 });
    const started = performance.now();
    await client.getSecret("s");
    expect(performance.now() - started).toBeGreaterThanOrEqual(295);
    test.emulator.setFaults(VAULT, null);
    const quick = performance.now();
    await client.getSecret("s");
    expect(performance.now() - quick).toBeLessThan(250);
  });
});

describe("Retry-After from the throttle window", () => {
  it("tells the seconds until the 10-second window has room again", async () => {
    const client = await warmClient();
    test.emulator.setThrottle(VAULT, { limitPer10Seconds: 2, retryAfterSeconds: "window" });
    await client.getSecret("s");
    await client.getSecret("s");
    const error = await failure(client.getSecret("s"));
    expect(error.statusCode).toBe(429);
    // Both admitted requests are less than a second old: the first leaves the window in 9.x s.
    expect(error.response?.headers.get("retry-after")).toBe("10");
  });

  it("refuses a window Retry-After with a limit of 0, and other values, naming the field", () => {
    expect(() => { test.emulator.setThrottle(VAULT, { limitPer10Seconds: 0, retryAfterSeconds: "window" }); }).toThrow("retryAfterSeconds \"window\" needs limitPer10Seconds of at least 1: with 0 the window never frees up");
    expect(() => { test.emulator.setThrottle(VAULT, { limitPer10Seconds: 1, retryAfterSeconds: -1 }); }).toThrow("retryAfterSeconds must be a whole number of seconds or \"window\"");
    expect(() => { test.emulator.setThrottle(VAULT, { limitPer10Seconds: 1, retryAfterSeconds: "soon" as "window" }); }).toThrow(/retryAfterSeconds/);
  });
});
