import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clampPageSize, decodePageToken, encodePageToken, readPageRequest, toPage } from "./page-token.js";
import { InvalidPageTokenError } from "./store.js";

const position = { createdAt: "2024-05-06T07:08:09.123Z", id: "env-ab12cd34" };

describe("page tokens", () => {
  it("round-trip a position", () => {
    const token = encodePageToken(position);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodePageToken(token)).toEqual(position);
  });

  it("round-trip any id and timestamp", () => {
    fc.assert(fc.property(
      fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }),
      fc.string({ minLength: 1, maxLength: 64, unit: "binary" }),
      (date, id) => {
        const p = { createdAt: date.toISOString(), id };
        expect(decodePageToken(encodePageToken(p))).toEqual(p);
      },
    ));
  });

  it.each([
    ["empty", ""],
    ["not base64url", "abc+/="],
    ["spaces", "abc def"],
    ["not JSON", Buffer.from("hello").toString("base64url")],
    ["an object", Buffer.from('{"createdAt":"2024-01-01T00:00:00.000Z","id":"env-1"}').toString("base64url")],
    ["another version", Buffer.from('[2,"2024-01-01T00:00:00.000Z","env-1"]').toString("base64url")],
    ["a bad timestamp", Buffer.from('[1,"yesterday","env-1"]').toString("base64url")],
    ["an empty id", Buffer.from('[1,"2024-01-01T00:00:00.000Z",""]').toString("base64url")],
    ["a numeric id", Buffer.from('[1,"2024-01-01T00:00:00.000Z",7]').toString("base64url")],
    ["invalid UTF-8", Buffer.from([0x5b, 0x31, 0x2c, 0xff, 0x5d]).toString("base64url")],
    ["too long", "A".repeat(600)],
  ])("reject %s", (_, token) => {
    expect(() => decodePageToken(token)).toThrow(InvalidPageTokenError);
  });

  it("reject a token with stray trailing bits", () => {
    const token = encodePageToken(position);
    // base64url of a length that leaves unused bits: flip them.
    const altered = token.length % 4 === 0 ? token + "A" : token.slice(0, -1) + (token.endsWith("A") ? "B" : "A");
    expect(() => decodePageToken(altered)).toThrow(InvalidPageTokenError);
  });

  it("reject any random string that is not one of ours", () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (token) => {
      try {
        const decoded = decodePageToken(token);
        // If it decodes, it must be exactly what we would write for it.
        expect(encodePageToken(decoded)).toBe(token);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPageTokenError);
      }
    }));
  });
});

describe("page sizes", () => {
  it.each([
    [undefined, 10], [Number.NaN, 10], [0, 1], [-3, 1], [1, 1], [10, 10], [100, 100], [101, 100], [1e9, 100], [7.9, 7], [Infinity, 100], [-Infinity, 1],
  ])("clamp %s to %s", (input, expected) => {
    expect(clampPageSize(input)).toBe(expected);
  });
});

describe("page requests", () => {
  it("read the first page from an absent, null or empty token", () => {
    expect(readPageRequest({})).toEqual({ size: 10, after: null });
    expect(readPageRequest({ pageToken: null, pageSize: 3 })).toEqual({ size: 3, after: null });
    expect(readPageRequest({ pageToken: "" })).toEqual({ size: 10, after: null });
    expect(readPageRequest({ pageToken: encodePageToken(position) })).toEqual({ size: 10, after: position });
  });
});

describe("toPage", () => {
  const rows = Array.from({ length: 4 }, (_, i) => ({ createdAt: `2024-01-01T00:00:0${i}.000Z`, id: `env-${i}` }));

  it("has no next page when no extra row came back", () => {
    expect(toPage(rows.slice(0, 3), 3)).toEqual({ items: rows.slice(0, 3), nextPageToken: null });
    expect(toPage([], 3)).toEqual({ items: [], nextPageToken: null });
  });

  it("points the next page after the last item when an extra row came back", () => {
    const page = toPage(rows, 3);
    expect(page.items).toEqual(rows.slice(0, 3));
    expect(page.nextPageToken).not.toBeNull();
    expect(decodePageToken(page.nextPageToken ?? "")).toEqual(rows[2]);
  });
});
