import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CorruptRowError, decodeConfig, decodeIntegrationConfig, decodeScope, decodeStatus, decodeStringList, encodeConfig, encodeIntegrationConfig, encodeScope, encodeStatus, encodeStringList } from "./json-columns.js";

function configOf(entries: readonly (readonly [string, string])[]): Record<string, string> {
  const config = Object.create(null) as Record<string, string>;
  for (const [key, value] of entries) config[key] = value;
  return config;
}

describe("config maps", () => {
  it("round-trip keys in order, __proto__ as a plain key, into a prototype-less object", () => {
    const config = configOf([["b", "1"], ["__proto__", "x"], ["a", "2"], ["constructor", "y"]]);
    const decoded = decodeConfig(encodeConfig(config), "lcc-1");
    expect(Object.entries(decoded)).toEqual([["b", "1"], ["__proto__", "x"], ["a", "2"], ["constructor", "y"]]);
    expect(Object.getPrototypeOf(decoded)).toBeNull();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it("round-trip any Unicode keys and values exactly", () => {
    fc.assert(fc.property(
      fc.uniqueArray(fc.tuple(fc.string({ unit: "binary", maxLength: 20 }), fc.string({ unit: "binary", maxLength: 40 })), { selector: ([key]) => key, maxLength: 20 }),
      (entries) => {
        const config = configOf(entries);
        const decoded = decodeConfig(encodeConfig(config), "lcc-1");
        expect(Object.entries(decoded)).toEqual(Object.entries(config));
      },
    ));
  });

  it("survive lone surrogates and NUL as JSON escapes (PostgreSQL text cannot hold NUL)", () => {
    const text = encodeConfig(configOf([["k", "a\u0000b\ud800c"]]));
    expect(text).not.toContain("\u0000");
    expect(decodeConfig(text, "lcc-1").k).toBe("a\u0000b\ud800c");
  });

  it.each(["not json", "[]", "null", '"x"', '{"a":1}', '{"a":null}'])("refuse a stored config %s", (text) => {
    expect(() => decodeConfig(text, "lcc-1")).toThrow(CorruptRowError);
  });

  it("name the row, not the value, when a config is corrupt", () => {
    expect(() => decodeConfig('{"password":{"v":"hunter2"}}', "lcc-9")).toThrow('the stored config of "lcc-9" is not valid; the database was changed outside vaultwire');
  });
});

describe("other JSON columns", () => {
  it("round-trip string lists", () => {
    expect(decodeStringList(encodeStringList(["http://a:8083", "http://b:8083"]), "connect URLs", "lkc-1")).toEqual(["http://a:8083", "http://b:8083"]);
    expect(decodeStringList(encodeStringList([]), "connect URLs", "lkc-1")).toEqual([]);
    expect(() => decodeStringList("[1]", "connect URLs", "lkc-1")).toThrow(CorruptRowError);
    expect(() => decodeStringList("{}", "connect URLs", "lkc-1")).toThrow(CorruptRowError);
  });

  it("round-trip connector statuses", () => {
    const status = { state: "RUNNING", workerId: "w:8083", trace: null, tasks: [{ id: 0, state: "RUNNING", workerId: "w:8083", trace: null }], observedAt: "2024-01-01T00:00:00.000Z" } as const;
    expect(decodeStatus(encodeStatus(status), "lcc-1")).toEqual(status);
    expect(() => decodeStatus('{"state":"RUNNING"}', "lcc-1")).toThrow(CorruptRowError);
  });

  it("round-trip integration configs and null", () => {
    const config = { kind: "AzureIntegrationConfig", customerAzureTenantId: "t" } as const;
    expect(decodeIntegrationConfig(encodeIntegrationConfig(config), "cspi-1")).toEqual(config);
    expect(encodeIntegrationConfig(null)).toBeNull();
    expect(decodeIntegrationConfig(null, "cspi-1")).toBeNull();
    expect(() => decodeIntegrationConfig("{}", "cspi-1")).toThrow(CorruptRowError);
  });

  it("round-trip API key scopes", () => {
    expect(decodeScope(encodeScope({ kind: "org" }, "OrganizationAdmin"), "K")).toEqual({ scope: { kind: "org" }, role: "OrganizationAdmin" });
    expect(decodeScope(encodeScope({ kind: "org" }, "Operator"), "K")).toEqual({ scope: { kind: "org" }, role: "Operator" });
    expect(decodeScope(encodeScope({ kind: "environment", environmentId: "env-1" }, "DeveloperManage"), "K")).toEqual({ scope: { kind: "environment", environmentId: "env-1" }, role: "DeveloperManage" });
    // Keys stored before roles existed keep what they could do.
    expect(decodeScope('{"kind":"org"}', "K")).toEqual({ scope: { kind: "org" }, role: "OrganizationAdmin" });
    expect(decodeScope('{"kind":"environment","environmentId":"env-1"}', "K")).toEqual({ scope: { kind: "environment", environmentId: "env-1" }, role: "EnvironmentAdmin" });
    // A role the scope cannot have is not something vaultwire writes.
    expect(() => decodeScope('{"kind":"environment","environmentId":"env-1","role":"OrganizationAdmin"}', "K")).toThrow(CorruptRowError);
    expect(() => decodeScope('{"kind":"environment"}', "K")).toThrow(CorruptRowError);
    expect(() => decodeScope('{"kind":"cluster"}', "K")).toThrow(CorruptRowError);
  });
});
