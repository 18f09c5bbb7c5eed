import { describe, expect, it } from "vitest";
import { createRequestRates } from "./request-rates.js";

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

describe("secret-manager request rates", () => {
  it("counts requests per minute and target, throttled and failed apart, with zeros for quiet minutes", () => {
    let now = T0 + 5_000;
    const rates = createRequestRates({ minutes: 3, now: () => now });
    rates.count("AZURE_KEY_VAULT", "https://a.vault.azure.net", "ok");
    rates.count("AZURE_KEY_VAULT", "https://a.vault.azure.net", "THROTTLED");
    rates.count("AZURE_KEY_VAULT", "https://a.vault.azure.net", "SECRET_NOT_FOUND");
    now += 2 * 60_000;
    rates.count("AZURE_KEY_VAULT", "https://a.vault.azure.net", "ok");
    rates.count("AWS_SECRETS_MANAGER", "us-east-1", "ok");
    const { windowMinutes, series } = rates.snapshot();
    expect(windowMinutes).toBe(3);
    expect(series.map((s) => [s.manager, s.target])).toEqual([["AWS_SECRETS_MANAGER", "us-east-1"], ["AZURE_KEY_VAULT", "https://a.vault.azure.net"]]);
    expect(series[1]?.minutes).toEqual([
      { minute: "2026-01-01T12:00:00.000Z", requests: 3, throttled: 1, failed: 1 },
      { minute: "2026-01-01T12:01:00.000Z", requests: 0, throttled: 0, failed: 0 },
      { minute: "2026-01-01T12:02:00.000Z", requests: 1, throttled: 0, failed: 0 },
    ]);
  });

  it("forgets minutes that left the window, and targets with nothing in it", () => {
    let now = T0;
    const rates = createRequestRates({ minutes: 2, now: () => now });
    rates.count("AZURE_KEY_VAULT", "https://old.vault.azure.net", "ok");
    rates.count("AZURE_KEY_VAULT", "https://new.vault.azure.net", "ok");
    now += 60_000;
    rates.count("AZURE_KEY_VAULT", "https://new.vault.azure.net", "ok");
    now += 60_000;
    // The ring slot of minute 0 is reused for minute 2: its old count is gone.
    rates.count("AZURE_KEY_VAULT", "https://new.vault.azure.net", "ok");
    const { series } = rates.snapshot();
    expect(series.map((s) => s.target)).toEqual(["https://new.vault.azure.net"]);
    expect(series[0]?.minutes.map((m) => m.requests)).toEqual([1, 1]);
  });
});
