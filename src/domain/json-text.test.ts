import { describe, expect, it } from "vitest";
import { parseJsonText } from "./json-text.js";

const SECRET = "QsZuDq4ejA-Secret-7731";

describe("parseJsonText", () => {
  it("parses JSON", () => {
    expect(parseJsonText('{"a": "b"}')).toEqual({ ok: true, value: { a: "b" } });
  });

  it.each([
    ['{"clientSecret": QsZuDq4ejA-Secret-7731}'],
    ["{'database.password': 'QsZuDq4ejA-Secret-7731'}"],
    ['{"database.password": "QsZuDq4ejA-Secret-7731",}'],
    ['{"database.password": "QsZuDq4ejA-Secret-7731"'],
    ['{"x": 1}\n{"database.password": "QsZuDq4ejA-Secret-7731"}'],
    ['["QsZuDq4ejA-Secret-7731" "QsZuDq4ejA-Secret-7731"]'],
  ])("never quotes the text it could not parse: %s", (text) => {
    const result = parseJsonText(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatch(/^not valid JSON/);
    for (let i = 0; i + 4 <= SECRET.length; i++) expect(result.error).not.toContain(SECRET.slice(i, i + 4));
  });

  it("says where, when the engine tells", () => {
    const result = parseJsonText('{\n  "a": "b",\n}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(/^not valid JSON( at line 3, column \d+)?$/);
    const truncated = parseJsonText('{"a": ');
    if (!truncated.ok) expect(truncated.error).toBe("not valid JSON (it ends too early)");
  });
});
