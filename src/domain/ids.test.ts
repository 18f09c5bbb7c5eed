import { describe, expect, it } from "vitest";
import { GENERATED_SUFFIX_LENGTH, ID_PREFIXES, isId, newId, type IdKind } from "./ids.js";

describe("ids", () => {
  it.each(Object.entries(ID_PREFIXES))("generates %s ids with the %s- prefix", (kind, prefix) => {
    const id = newId(kind as IdKind);
    expect(id).toMatch(new RegExp(`^${prefix}-[a-z0-9]{${GENERATED_SUFFIX_LENGTH}}$`));
    expect(isId(kind as IdKind, id)).toBe(true);
  });

  it("does not repeat itself", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("connector")));
    expect(ids.size).toBe(10_000);
  });

  it("draws every symbol with equal probability (rejects biased bytes)", () => {
    // Bytes 252..255 would favour the first four symbols; they must be skipped.
    const bytes = [255, 254, 253, 252, 0, 1, 35, 36, 71, 251, 2, 3, 4, 5, 6, 7];
    const id = newId("environment", (n) => Uint8Array.from({ length: n }, (_, i) => bytes[i % bytes.length] ?? 0));
    // 0→a 1→b 35→9 36→a 71→9 251→9 2→c 3→d (251 is the largest unbiased byte)
    expect(id).toBe("env-ab9a99cd");
  });

  it("keeps drawing when a batch is all rejected bytes", () => {
    let calls = 0;
    const id = newId("kafkaCluster", (n) => {
      calls++;
      return new Uint8Array(n).fill(calls === 1 ? 255 : 10);
    });
    expect(id).toBe("lkc-kkkkkkkk");
    expect(calls).toBe(2);
  });

  it("checks well-formedness per kind", () => {
    expect(isId("providerIntegration", "cspi-devxxxxxx")).toBe(true);
    expect(isId("connector", "lcc-ix4dl")).toBe(true);
    for (const bad of ["cspi-", "cspi-ABC", "cspi_abc", "lcc-abc", " cspi-abc", "cspi-abc ", "cspi-a-b", `cspi-${"a".repeat(65)}`]) {
      expect(isId("providerIntegration", bad)).toBe(false);
    }
    expect(isId("environment", "lkc-abc")).toBe(false);
  });
});
