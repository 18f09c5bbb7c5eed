import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createSecretScrubber, NO_SECRETS, SECRET_MASK, secretEncodings } from "./secret-scrub.js";

const VALUE = "Canary-Pa55w0rd/+?&= é";

/** Every 8-character window of every encoding of `value`, folded to lower case one unit at a time. */
function windowsOf(value: string): string[] {
  const out = new Set<string>();
  for (const form of secretEncodings(value)) {
    const folded = fold(form);
    for (let i = 0; i + 8 <= folded.length; i++) out.add(folded.slice(i, i + 8));
  }
  return [...out];
}

function fold(text: string): string {
  return [...text].map((c) => (c.toLowerCase().length === c.length ? c.toLowerCase() : c)).join("");
}

function survivors(text: string, value: string): string[] {
  const folded = fold(text);
  return windowsOf(value).filter((w) => folded.includes(w));
}

describe("secret scrubber", () => {
  it("lists the encodings a library may print", () => {
    const forms = secretEncodings("p@ss w/rd+é");
    expect(forms).toEqual(expect.arrayContaining([
      "p@ss w/rd+é", "P@SS W/RD+É",
      Buffer.from("p@ss w/rd+é").toString("base64"), Buffer.from("p@ss w/rd+é").toString("base64").replace(/=+$/, ""),
      Buffer.from("p@ss w/rd+é").toString("base64url"), Buffer.from("p@ss w/rd+é").toString("hex"),
      encodeURIComponent("p@ss w/rd+é"), "p%40ss+w%2Frd%2B%C3%A9", "p@ss w\\/rd+é", "p@ss w/rd+\\u00e9", "p@ss w/rd+\\u00e9",
    ]));
    expect(secretEncodings("a\"b\\c\n")).toContain("a\\\"b\\\\c\\n");
    expect(secretEncodings("<a&b>")).toContain("\\u003ca\\u0026b\\u003e");
  });

  it.each([
    ["raw", VALUE],
    ["upper case", VALUE.toUpperCase()],
    ["lower case", VALUE.toLowerCase()],
    ["base64", Buffer.from(VALUE).toString("base64")],
    ["base64 without padding", Buffer.from(VALUE).toString("base64").replace(/=+$/, "")],
    ["base64url", Buffer.from(VALUE).toString("base64url")],
    ["hex", Buffer.from(VALUE).toString("hex")],
    ["HEX", Buffer.from(VALUE).toString("hex").toUpperCase()],
    ["encodeURIComponent", encodeURIComponent(VALUE)],
    ["form encoding", new URLSearchParams({ x: VALUE }).toString().slice(2)],
    ["form encoding, lower-case escapes", new URLSearchParams({ x: VALUE }).toString().slice(2).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())],
    ["JSON", JSON.stringify(VALUE).slice(1, -1)],
    ["a Basic header", Buffer.from(`user:${VALUE}`).toString("base64")],
    ["a Basic header, other alignment", Buffer.from(`usr:${VALUE}`).toString("base64")],
    ["a fragment", VALUE.slice(3, 12)],
    ["a fragment of the base64", Buffer.from(VALUE).toString("base64").slice(5, 14)],
  ])("masks the value %s inside a trace", (_label, printed) => {
    const trace = `org.postgresql.util.PSQLException: FATAL: password "${printed}" rejected\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)`;
    const clean = createSecretScrubber([VALUE]).scrub(trace);
    expect(clean).toContain(SECRET_MASK);
    expect(clean).not.toContain(printed);
    expect(clean).toContain("org.postgresql.util.PSQLException: FATAL: password \"");
    expect(clean).toContain("\" rejected\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:693)");
    expect(survivors(clean, VALUE)).toEqual([]);
  });

  it("masks short values where they appear whole, ignores values under 3 characters, and leaves other text alone", () => {
    expect(createSecretScrubber(["pw1"]).scrub("login pw1 failed; PW1 again; cHcx")).toBe(`login ${SECRET_MASK} failed; ${SECRET_MASK} again; ${SECRET_MASK}`);
    expect(createSecretScrubber(["ab", ""]).scrub("ab cd")).toBe("ab cd");
    expect(createSecretScrubber([VALUE]).scrub("nothing to see here")).toBe("nothing to see here");
    expect(createSecretScrubber([VALUE]).scrub("")).toBe("");
    expect(NO_SECRETS.scrub("x")).toBe("x");
  });

  it("merges overlapping matches into one mask and masks at both ends", () => {
    const scrubber = createSecretScrubber(["abcdefghijkl", "0123456789"]);
    expect(scrubber.scrub("abcdefghijkl")).toBe(SECRET_MASK);
    expect(scrubber.scrub("x abcdefghijkl0123456789 y")).toBe(`x ${SECRET_MASK} y`);
    expect(scrubber.scrub("defghijk-23456789")).toBe(`${SECRET_MASK}-${SECRET_MASK}`);
  });

  it("leaves no 8-character window of any encoding of the value (property)", () => {
    const noMask = (s: string) => !s.includes("*");
    const text = fc.oneof(fc.string({ unit: "binary-ascii", maxLength: 40 }), fc.string({ unit: "grapheme", maxLength: 20 })).filter(noMask);
    const value = fc.oneof(fc.string({ unit: "grapheme-ascii", minLength: 8, maxLength: 40 }), fc.string({ unit: "binary", minLength: 8, maxLength: 24 })).filter(noMask);
    fc.assert(fc.property(value, fc.nat(), fc.nat(), fc.nat(), fc.array(fc.boolean(), { maxLength: 200 }), text, text, (secret, which, start, length, upper, before, after) => {
      const forms = secretEncodings(secret);
      const form = forms[which % forms.length] ?? secret;
      fc.pre(form.length >= 8);
      const from = start % (form.length - 7);
      const to = from + 8 + (length % (form.length - from - 7));
      // Any mix of case, one character at a time (as a library that upper-cases hex might).
      const fragment = [...form.slice(from, to)].map((c, i) => {
        const changed = upper[i % Math.max(1, upper.length)] ? c.toUpperCase() : c.toLowerCase();
        return changed.length === c.length ? changed : c;
      }).join("");
      const clean = createSecretScrubber([secret]).scrub(`${before}${fragment}${after}`);
      expect(survivors(clean, secret)).toEqual([]);
    }), { numRuns: 500 });
  });

  it("is quick on a long trace", () => {
    const values = ["Canary-KV-Pa55w0rd-91f3e7", "cdc_user", "another-secret-value-0123456789"];
    const line = "\tat io.debezium.connector.postgresql.connection.PostgresConnection.<init>(PostgresConnection.java:123) password=é\n";
    const trace = `${line.repeat(600)}${values[0] ?? ""}${line.repeat(600)}`;
    expect(trace.length).toBeGreaterThan(100_000);
    const scrubber = createSecretScrubber(values);
    const started = performance.now();
    const clean = scrubber.scrub(trace);
    for (let i = 0; i < 9; i++) scrubber.scrub(trace);
    expect(clean).not.toContain(values[0]);
    expect(clean.length).toBe(trace.length - (values[0]?.length ?? 0) + SECRET_MASK.length);
    // Ten passes over 100 KB; generous for a busy machine (it takes a few milliseconds each).
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
