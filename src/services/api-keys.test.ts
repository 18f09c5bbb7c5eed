import { describe, expect, it } from "vitest";
import { hashSecret, newKeyId, newKeySecret, verifySecret } from "./api-keys.js";
import { FieldChecks, checkResourceName } from "./input.js";

describe("API key secrets", () => {
  it("are hashed with scrypt and a random salt, and verified only with the right secret", async () => {
    const secret = newKeySecret();
    const [a, b] = [await hashSecret(secret), await hashSecret(secret)];
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain(secret);
    expect(await verifySecret(secret, a)).toBe(true);
    expect(await verifySecret(`${secret}x`, a)).toBe(false);
    expect(await verifySecret(secret, "plain$text")).toBe(false);
  });

  it("have ids and secrets of the expected shape", () => {
    expect(newKeyId()).toMatch(/^[A-Z2-7]{16}$/);
    expect(newKeySecret()).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect(new Set(Array.from({ length: 100 }, newKeyId)).size).toBe(100);
  });
});

describe("request field checks", () => {
  it.each([
    ["ok-name.1", null],
    ["", "name must not be empty"],
    ["a/b", "must not contain \"/\""],
    ["..", "must not contain \"..\""],
    ["a\u0000b", "control characters"],
    [" padded", "must not start or end with spaces"],
    ["x".repeat(256), "at most 255 characters (got 256)"],
    [42, "name is required and must be a string"],
  ])("resource name %j", (value, problem) => {
    const checks = new FieldChecks();
    const result = checkResourceName(checks, "name", value);
    if (problem === null) {
      expect(result).toBe(value);
      expect(checks.problems).toEqual([]);
    } else {
      expect(result).toBeUndefined();
      expect(checks.problems[0]?.message).toContain(problem);
    }
  });

  it("collects every problem and throws them together", () => {
    const checks = new FieldChecks();
    checks.requiredString("display_name", undefined, 64);
    checks.requiredString("region", "x".repeat(65), 64);
    checks.oneOf("cloud", "IBM", ["AWS", "AZURE"] as const);
    expect(() => { checks.throwIfAny("invalid cluster"); }).toThrow("invalid cluster: display_name is required; region must be at most 64 characters (got 65); cloud must be one of AWS, AZURE");
    expect(checks.oneOf("cloud", "azure", ["AWS", "AZURE"] as const)).toBe("AZURE");
  });
});
