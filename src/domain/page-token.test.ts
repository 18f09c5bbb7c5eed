import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { clampPageSize, decodePageToken, encodePageToken, InvalidPageTokenError, PAGE_TOKEN_PATTERN, readPageRequest, toPage } from "./page-token.js";

const position = { createdAt: "2024-05-06T07:08:09.123Z", id: "env-ab12cd34" };

describe("page tokens", () => {
  it("round-trip a position", () => {
    const token = encodePageToken(position);
    expect(token).toBe("1_2024-05-06T07:08:09.123Z_env-ab12cd34");
    expect(decodePageToken(token)).toEqual(position);
  });

  it("round-trip any id of ours and timestamp", () => {
    fc.assert(fc.property(
      fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }),
      fc.stringMatching(/^[A-Za-z0-9._~-]{1,64}$/),
      (date, id) => {
        const p = { createdAt: date.toISOString(), id };
        expect(decodePageToken(encodePageToken(p))).toEqual(p);
      },
    ));
  });

  it("refuse to encode a position that is not ours", () => {
    expect(() => encodePageToken({ createdAt: "yesterday", id: "env-1" })).toThrow("cannot page after");
    expect(() => encodePageToken({ createdAt: position.createdAt, id: "a/b" })).toThrow("cannot page after");
  });

  it.each([
    ["empty", ""],
    ["base64url JSON (the old tokens)", Buffer.from('[1,"2024-01-01T00:00:00.000Z","env-1"]').toString("base64url")],
    ["spaces", "1_2024-01-01T00:00:00.000Z_env 1"],
    ["another version", "2_2024-01-01T00:00:00.000Z_env-1"],
    ["a bad timestamp", "1_yesterday_env-1"],
    ["a timestamp without its zone", "1_2024-01-01T00:00:00.000_env-1"],
    ["an empty id", "1_2024-01-01T00:00:00.000Z_"],
    ["an id with a slash", "1_2024-01-01T00:00:00.000Z_env/1"],
    ["too long", `1_2024-01-01T00:00:00.000Z_${"a".repeat(129)}`],
  ])("reject %s", (_, token) => {
    expect(() => decodePageToken(token)).toThrow(InvalidPageTokenError);
  });

  it("accept every token the documented pattern allows (so a well-formed token is never a 400)", () => {
    const pattern = new RegExp(PAGE_TOKEN_PATTERN, "u");
    fc.assert(fc.property(fc.stringMatching(pattern), (token) => {
      if (token === "") return;
      expect(encodePageToken(decodePageToken(token))).toBe(token);
    }));
  });

  it("reject any random string that is not one of ours, and nothing the pattern allows", () => {
    const pattern = new RegExp(PAGE_TOKEN_PATTERN, "u");
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (token) => {
      try {
        const decoded = decodePageToken(token);
        // If it decodes, it must be exactly what we would write for it.
        expect(encodePageToken(decoded)).toBe(token);
        expect(pattern.test(token)).toBe(true);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidPageTokenError);
        expect(token === "" || !pattern.test(token)).toBe(true);
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
