import { describe, expect, it } from "vitest";
import { CONFIG_LIMITS, parseConnectorConfig, parseConnectorConfigDocument, utf8Length } from "./connector-config.js";

describe("parseConnectorConfig", () => {
  it("accepts a flat map of strings", () => {
    const result = parseConnectorConfig({ "connector.class": "PostgresCdcSourceV2", "tasks.max": "1" });
    expect(result).toEqual({ ok: true, value: { "connector.class": "PostgresCdcSourceV2", "tasks.max": "1" } });
  });

  it("names every non-string value", () => {
    const result = parseConnectorConfig({ a: 1, b: true, c: null, d: { x: "y" }, e: ["x"], f: "ok" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual(["a", "b", "c", "d", "e"].map((key) => ({ key, message: `only string values are permitted for the configuration "${key}"` })));
  });

  it.each([[null, "null"], [[], "an array"], ["x", "a string"], [3, "a number"], [undefined, "nothing"]])("rejects %j as a whole", (input, what) => {
    const result = parseConnectorConfig(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toEqual([{ key: null, message: `the connector configuration must be a JSON object of string keys to string values, not ${what}` }]);
  });

  it("rejects empty and blank keys", () => {
    const result = parseConnectorConfig({ "": "x", "  ": "y" });
    expect(result.ok ? [] : result.error.map((e) => e.message)).toEqual(["configuration keys must not be empty", "configuration keys must not be empty"]);
  });

  it("rejects overlong keys without echoing all of them", () => {
    const key = "k".repeat(CONFIG_LIMITS.maxKeyLength + 1);
    const result = parseConnectorConfig({ [key]: "x" });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error[0]?.message).toBe("configuration keys may be at most 255 characters; this one has 256");
  });

  it("allows 1,000 keys and rejects 1,001", () => {
    const config = Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`k${i}`, "v"]));
    expect(parseConnectorConfig(config).ok).toBe(true);
    const result = parseConnectorConfig({ ...config, extra: "v" });
    expect(result.ok ? null : result.error).toEqual([{ key: null, message: "a connector configuration may have at most 1,000 keys; this one has 1,001" }]);
  });

  it("allows a value of exactly 64 KiB in UTF-8 and rejects one byte more", () => {
    expect(parseConnectorConfig({ v: "a".repeat(65536) }).ok).toBe(true);
    expect(parseConnectorConfig({ v: "é".repeat(32768) }).ok).toBe(true);
    const result = parseConnectorConfig({ v: "é".repeat(32768) + "a" });
    expect(result.ok ? null : result.error).toEqual([{ key: "v", message: "the value of the configuration \"v\" is 65,537 bytes; at most 65,536 bytes (64 KiB) are permitted" }]);
  });

  it("treats __proto__ as an ordinary key", () => {
    const input = JSON.parse('{"__proto__": "x", "a": "b"}') as unknown;
    const result = parseConnectorConfig(input);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(Object.keys(result.value)).toEqual(["__proto__", "a"]);
    expect(result.value.__proto__).toBe("x");
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("parseConnectorConfigDocument", () => {
  it("accepts the wrapped {name, config} form", () => {
    const result = parseConnectorConfigDocument({ name: "c1", config: { "connector.class": "X", name: "c1" } });
    expect(result.ok && result.value.name).toBe("c1");
  });

  it("accepts a flat map and takes the name from it", () => {
    const result = parseConnectorConfigDocument({ "connector.class": "X", name: "flat" });
    expect(result.ok && result.value.name).toBe("flat");
  });

  it("reports a bad name and bad config values together", () => {
    const result = parseConnectorConfigDocument({ name: 5, config: { a: 1 } });
    expect(result.ok ? null : result.error.map((e) => e.key)).toEqual(["name", "a"]);
  });

  it("returns a null name when there is none", () => {
    const result = parseConnectorConfigDocument({ config: {} });
    expect(result.ok && result.value.name).toBeNull();
  });
});

describe("utf8Length", () => {
  it("agrees with TextEncoder, including surrogate pairs and lone surrogates", () => {
    const encoder = new TextEncoder();
    for (const s of ["", "abc", "é", "€", "😀", "a😀b", "\ud800", "x\udc00y", "\ud83d"]) {
      expect(utf8Length(s)).toBe(encoder.encode(s).length);
    }
  });
});
