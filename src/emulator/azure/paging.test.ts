import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeSkipToken, encodeSkipToken, pageOf, parseMaxResults, sortByKey, type Page } from "./paging.js";

describe("Key Vault paging", () => {
  it("round-trips markers through an opaque skiptoken shaped like the service's", () => {
    fc.assert(fc.property(fc.string(), (marker) => { expect(decodeSkipToken(encodeSkipToken(marker))).toBe(marker); }));
    const token = encodeSkipToken("SECRET/NAME");
    expect(Object.keys(JSON.parse(Buffer.from(token, "base64url").toString()) as object)).toEqual(["NextMarker", "TargetLocation"]);
  });

  it("rejects skiptokens it did not issue", () => {
    expect(decodeSkipToken("garbage")).toBeNull();
    expect(decodeSkipToken(Buffer.from(JSON.stringify({ NextMarker: "2!9!abc" })).toString("base64url"))).toBeNull();
    expect(decodeSkipToken(Buffer.from("[]").toString("base64url"))).toBeNull();
  });

  it("accepts maxresults from 1 to 25", () => {
    expect(parseMaxResults(null)).toBeNull();
    expect(parseMaxResults("1")).toBe(1);
    expect(parseMaxResults("25")).toBe(25);
    for (const bad of ["0", "26", "-1", "1.5", "x", ""]) expect(parseMaxResults(bad)).toBe("invalid");
  });

  it("visits every item exactly once, in key order, whatever the page size", () => {
    fc.assert(fc.property(fc.uniqueArray(fc.stringMatching(/^[A-Z0-9-]{1,8}$/), { maxLength: 60 }), fc.integer({ min: 1, max: 25 }), (keys, size) => {
      const sorted = sortByKey(keys, (k) => k);
      const seen: string[] = [];
      let marker: string | null = null;
      let pages = 0;
      do {
        const page: Page<string> = pageOf(sorted, (k) => k, size, marker);
        expect(page.items.length).toBeLessThanOrEqual(size);
        seen.push(...page.items);
        marker = page.nextMarker;
        pages++;
      } while (marker !== null && pages < 100);
      expect(seen).toEqual(sorted);
    }));
  });

  it("keeps its place when an item is added before the marker", () => {
    const first = pageOf(["A", "B", "C", "D"], (k) => k, 2, null);
    expect(first).toEqual({ items: ["A", "B"], nextMarker: "C" });
    expect(pageOf(["A", "AA", "B", "C", "D"], (k) => k, 2, first.nextMarker)).toEqual({ items: ["C", "D"], nextMarker: null });
  });

  it("sorts ordinally, as uppercase storage keys sort", () => {
    expect(sortByKey(["B", "A-1", "A", "A0"], (k) => k)).toEqual(["A", "A-1", "A0", "B"]);
  });
});
