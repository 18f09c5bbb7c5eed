import { describe, expect, it } from "vitest";
import { parseEventDelivery } from "./secret-events.js";

const VERSION = "ee059b2bb5bc48398a53b168c6cdcb10";
const data = (overrides: Record<string, unknown> = {}) => ({
  Id: `https://my-vault.vault.azure.net/secrets/db-password/${VERSION}`,
  VaultName: "my-vault",
  ObjectType: "Secret",
  ObjectName: "db-password",
  Version: VERSION,
  NBF: 1559081980,
  EXP: "1559082102",
  ...overrides,
});
const gridEvent = (type: string, d: unknown = data()) => ({ id: "00eccf70-95a7-4e7c-8299-2eb17ee9ad64", topic: "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/my-vault", subject: "db-password", eventType: type, eventTime: "2019-07-25T01:08:33.1036736Z", data: d, dataVersion: "1", metadataVersion: "1" });
const cloudEvent = (type: string, d: unknown = data()) => ({ id: "e1", source: "/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/my-vault", specversion: "1.0", type, subject: "db-password", time: "2019-07-25T01:08:33Z", data: d });

describe("parseEventDelivery", () => {
  it("reads an Event Grid schema batch of the three secret events, ignoring other types", () => {
    const parsed = parseEventDelivery([
      gridEvent("Microsoft.KeyVault.SecretNewVersionCreated"),
      gridEvent("Microsoft.KeyVault.SecretNearExpiry"),
      gridEvent("Microsoft.KeyVault.SecretExpired", data({ EXP: null, NBF: null })),
      gridEvent("Microsoft.KeyVault.KeyNewVersionCreated", { anything: true }),
    ], false);
    expect(parsed).toEqual({ ok: true, value: { kind: "events", ignored: 1, events: [
      { kind: "SecretNewVersionCreated", eventId: "00eccf70-95a7-4e7c-8299-2eb17ee9ad64", vaultName: "my-vault", secretName: "db-password", version: VERSION, vaultUrl: "https://my-vault.vault.azure.net", notBefore: 1559081980, expires: 1559082102 },
      expect.objectContaining({ kind: "SecretNearExpiry" }),
      expect.objectContaining({ kind: "SecretExpired", notBefore: null, expires: null }),
    ] } });
  });

  it("reads one CloudEvent and a CloudEvents batch", () => {
    const one = parseEventDelivery(cloudEvent("Microsoft.KeyVault.SecretNewVersionCreated"), true);
    expect(one.ok && one.value.kind === "events" ? one.value.events.map((e) => e.kind) : []).toEqual(["SecretNewVersionCreated"]);
    const batch = parseEventDelivery([cloudEvent("Microsoft.KeyVault.SecretNewVersionCreated"), cloudEvent("Microsoft.KeyVault.SecretExpired")], true);
    expect(batch.ok && batch.value.kind === "events" ? batch.value.events.length : 0).toBe(2);
    expect(parseEventDelivery({ ...cloudEvent("Microsoft.KeyVault.SecretExpired"), specversion: "0.3" }, true)).toMatchObject({ ok: false, error: { field: "[0].specversion" } });
  });

  it("reads the subscription validation event (Event Grid schema only)", () => {
    const validation = { ...gridEvent("Microsoft.EventGrid.SubscriptionValidationEvent", { validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl: "https://rp-eastus2.eventgrid.azure.net/validate?id=x" }) };
    expect(parseEventDelivery([validation], false)).toEqual({ ok: true, value: { kind: "validation", validationCode: "512d38b6-c7b8-40c8-89fe-f46f9e9622b6", validationUrl: "https://rp-eastus2.eventgrid.azure.net/validate?id=x" } });
    expect(parseEventDelivery([validation, validation], false)).toMatchObject({ ok: false, error: { field: "[0]" } });
  });

  it.each([
    ["an empty batch", [], "body"],
    ["a non-object", ["x"], "[0]"],
    ["no data", [gridEvent("Microsoft.KeyVault.SecretNewVersionCreated", null)], "[0].data"],
    ["a key, not a secret", [gridEvent("Microsoft.KeyVault.SecretNewVersionCreated", data({ ObjectType: "Key" }))], "[0].data.ObjectType"],
    ["an Id naming another secret", [gridEvent("Microsoft.KeyVault.SecretNewVersionCreated", data({ Id: `https://my-vault.vault.azure.net/secrets/other/${VERSION}` }))], "[0].data.Id"],
    ["an http:// Id", [gridEvent("Microsoft.KeyVault.SecretNewVersionCreated", data({ Id: `http://my-vault.vault.azure.net/secrets/db-password/${VERSION}` }))], "[0].data.Id"],
    ["a bad version", [gridEvent("Microsoft.KeyVault.SecretNewVersionCreated", data({ Version: "../x" }))], "[0].data.Version"],
    ["a bad EXP", [gridEvent("Microsoft.KeyVault.SecretNewVersionCreated", data({ EXP: "soon" }))], "[0].data.EXP"],
    ["no event type", [{ id: "1", data: data() }], "[0].eventType"],
  ])("refuses %s, naming the field", (_name, body, field) => {
    const parsed = parseEventDelivery(body, false);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error.field).toBe(field);
  });

  it("refuses more than 5,000 events", () => {
    expect(parseEventDelivery(Array.from({ length: 5_001 }, () => gridEvent("Microsoft.KeyVault.SecretExpired")), false)).toMatchObject({ ok: false, error: { field: "body" } });
  });
});
