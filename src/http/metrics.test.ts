import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { secretExpiryMetrics, type SecretExpiryReading } from "./metrics.js";

describe("vaultwire_secret_expiry_seconds", () => {
  it("reports seconds to expiry per integration and secret at each scrape, negative once expired, and drops secrets no longer read", async () => {
    const registry = new Registry();
    let readings: SecretExpiryReading[] = [
      { integrationId: "cspi-1", secret: "https://pg-kv.vault.azure.net::db", expiresAt: "2030-01-11T00:00:00.000Z" },
      { integrationId: "cspi-2", secret: "https://pg-kv.vault.azure.net::old", expiresAt: "2029-12-31T23:59:00.000Z" },
    ];
    secretExpiryMetrics(registry, () => readings, () => Date.parse("2030-01-01T00:00:00.000Z"));
    const lines = async () => (await registry.metrics()).split("\n").filter((line) => line.startsWith("vaultwire_secret_expiry_seconds{"));
    expect(await lines()).toEqual([
      "vaultwire_secret_expiry_seconds{integration=\"cspi-1\",secret=\"https://pg-kv.vault.azure.net::db\"} 864000",
      "vaultwire_secret_expiry_seconds{integration=\"cspi-2\",secret=\"https://pg-kv.vault.azure.net::old\"} -60",
    ]);
    readings = [readings[0] as SecretExpiryReading];
    expect(await lines()).toHaveLength(1);
    readings = [];
    expect(await lines()).toEqual([]);
  });
});
