import { describe, expect, it } from "vitest";
import { DAY_MS, expiryWarnings, sameWarnings, timeLeft } from "./expiry.js";

const NOW = Date.parse("2030-01-01T00:00:00.000Z");
const at = (ms: number) => new Date(NOW + ms).toISOString();
const key = (name: string, expiresAt: string) => ({ key: name, identifier: `https://pg-kv.vault.azure.net::${name}`, expiresAt });

describe("expiryWarnings", () => {
  it("warns of the keys whose secret expires within the window, soonest first, naming the key, the secret and the date", () => {
    const warnings = expiryWarnings([key("later", at(29 * DAY_MS)), key("soon", at(3 * DAY_MS)), key("beyond", at(31 * DAY_MS))], NOW, 30 * DAY_MS, "Azure Key Vault");
    expect(warnings.map((w) => w.key)).toEqual(["soon", "later"]);
    expect(warnings[0]).toEqual({
      code: "SECRET_NEAR_EXPIRY", key: "soon", secret: "https://pg-kv.vault.azure.net::soon", expiresAt: at(3 * DAY_MS),
      message: `soon (https://pg-kv.vault.azure.net::soon): the secret expires at ${at(3 * DAY_MS)} (in 3 days); store a new version or extend its expiration date in Azure Key Vault before then: once it has expired, vaultwire fails the connector instead of using it`,
    });
  });

  it("counts the window's edge in, and leaves out secrets already expired (they fail the connector) and unreadable dates", () => {
    expect(expiryWarnings([key("edge", at(30 * DAY_MS))], NOW, 30 * DAY_MS, "Azure Key Vault")).toHaveLength(1);
    expect(expiryWarnings([key("gone", at(0)), key("past", at(-DAY_MS)), key("bad", "not a date")], NOW, 30 * DAY_MS, "Azure Key Vault")).toEqual([]);
  });

  it("warns of nothing with a window of 0", () => {
    expect(expiryWarnings([key("soon", at(60_000))], NOW, 0, "Azure Key Vault")).toEqual([]);
  });

  it("says how long is left in days, hours or less", () => {
    expect([timeLeft(40 * DAY_MS), timeLeft(DAY_MS + 5), timeLeft(5 * 3_600_000), timeLeft(3_600_000), timeLeft(60_000)]).toEqual(["in 40 days", "in 1 day", "in 5 hours", "in 1 hour", "in less than an hour"]);
  });

  it("compares warning lists by key, secret, date and message", () => {
    const a = expiryWarnings([key("soon", at(3 * DAY_MS))], NOW, 30 * DAY_MS, "Azure Key Vault");
    expect(sameWarnings(a, [...a])).toBe(true);
    expect(sameWarnings(undefined, [])).toBe(true);
    expect(sameWarnings(a, [])).toBe(false);
    expect(sameWarnings(a, expiryWarnings([key("soon", at(4 * DAY_MS))], NOW, 30 * DAY_MS, "Azure Key Vault"))).toBe(false);
  });
});
