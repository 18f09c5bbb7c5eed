import { describe, expect, it } from "vitest";
import { currentMark, renderData, renderRecord, renderTable, truncate, wrapText, type Column, type Field } from "./output.js";

interface Row {
  readonly is_current: boolean;
  readonly id: string;
  readonly name: string;
  readonly trace: string;
}

const columns: readonly Column<Row>[] = [
  { key: "is_current", header: "Current", format: currentMark },
  { key: "id", header: "ID" },
  { key: "name", header: "Name", flexible: true },
  { key: "trace", header: "Trace", flexible: true },
];

const widest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));

describe("renderTable", () => {
  it("prints None found. for an empty list", () => {
    expect(renderTable(columns, [])).toBe("None found.\n");
  });

  it("lays out a header, a rule and rows, with no trailing spaces", () => {
    const text = renderTable(columns, [{ is_current: true, id: "env-a1b2c3d4", name: "dev", trace: "" }, { is_current: false, id: "env-e5f6g7h8", name: "production", trace: "" }]);
    expect(text).toBe([
      " Current | ID           | Name       | Trace",
      "---------+--------------+------------+-------",
      " *       | env-a1b2c3d4 | dev        |",
      "         | env-e5f6g7h8 | production |",
      "",
    ].join("\n"));
  });

  it("fits 80 columns by cutting flexible columns first, widest first", () => {
    const row = { is_current: false, id: "lcc-a1b2c3d4", name: "SqlServerCdcSource1", trace: "x".repeat(200) };
    const text = renderTable(columns, [row]);
    expect(widest(text)).toBe(80);
    expect(text).toContain("| SqlServerCdcSource1 |");
    expect(text).toMatch(/x+…\n$/);
    const both = renderTable(columns, [{ ...row, name: "n".repeat(60) }]);
    expect(widest(both)).toBe(80);
    expect(both).toContain(`| ${"n".repeat(24)}… | ${"x".repeat(24)}…`);
  });

  it("never cuts a column below its header", () => {
    const narrow = renderTable(columns, [{ is_current: false, id: "lcc-a1b2c3d4", name: "n".repeat(50), trace: "t".repeat(50) }], 30);
    expect(narrow.split("\n")[0]).toBe(" Current | ID    | Name  | Trace");
    expect(narrow).toContain("| lcc-… |");
  });

  it("wraps columns marked wrap, one value over several lines", () => {
    const cols: readonly Column<{ config: string; value: string }>[] = [{ key: "config", header: "Config" }, { key: "value", header: "Value", wrap: true, flexible: true }];
    const value = "https://my-vault.vault.azure.net::sqlserver-db-secret::password-with-a-long-json-key-name-that-goes-on";
    const text = renderTable(cols, [{ config: "database.password", value }]);
    expect(widest(text)).toBeLessThanOrEqual(80);
    const lines = text.trimEnd().split("\n").slice(2);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.map((l) => l.split("| ")[1] ?? "").join("")).toBe(value);
    expect(lines[1]?.startsWith("                   |")).toBe(true);
  });

  it("keeps words whole in wrapped columns when another wrapped column can give way", () => {
    interface ConfigRow { readonly name: string; readonly type: string; readonly required: string; readonly default_value: string; readonly managed: string }
    const cols: readonly Column<ConfigRow>[] = [
      { key: "name", header: "Config", wrap: true },
      { key: "type", header: "Type" },
      { key: "required", header: "Required" },
      { key: "default_value", header: "Default", flexible: true, wrap: true },
      { key: "managed", header: "Managed" },
    ];
    const row = (name: string, value: string): ConfigRow => ({ name, type: "STRING", required: "", default_value: value, managed: "" });
    const text = renderTable(cols, [row("snapshot.isolation.mode", "repeatable_read"), row("event.processing.failure.handling.mode", "fail"), row("driver.applicationIntent", "ReadWrite")]);
    expect(widest(text)).toBeLessThanOrEqual(80);
    expect(text).toContain("| repeatable_read |");
    expect(text).toContain("| ReadWrite       |");
    // The long dotted name gives way, at a dot.
    expect(text).toMatch(/\n event\.processing\.failure\.[a-z.]* *\|.*\n [a-z.]*mode +\|/);
  });

  it("flattens newlines in cut columns", () => {
    expect(renderTable(columns, [{ is_current: false, id: "x", name: "y", trace: "line one\nline two" }])).toContain("line one line two");
  });
});

describe("renderRecord", () => {
  const fields: readonly Field<Row>[] = [{ key: "id", label: "ID" }, { key: "name", label: "Name" }, { key: "trace", label: "Trace" }];

  it("boxes labels and values", () => {
    expect(renderRecord(fields, { is_current: false, id: "env-a1b2c3d4", name: "dev", trace: "" })).toBe([
      "+-------+--------------+",
      "| ID    | env-a1b2c3d4 |",
      "| Name  | dev          |",
      "| Trace |              |",
      "+-------+--------------+",
      "",
    ].join("\n"));
  });

  it("wraps long values inside 80 columns and keeps multi-line values", () => {
    const text = renderRecord(fields, { is_current: false, id: "a", name: "first\nsecond", trace: "word ".repeat(40).trim() });
    expect(widest(text)).toBe(80);
    expect(text).toContain("| Name  | first ");
    expect(text).toContain("|       | second ");
    for (const line of text.trimEnd().split("\n")) expect(line).toMatch(/^[+|].*[+|]$/);
  });
});

describe("renderData", () => {
  it("prints JSON with the row's keys in order, and YAML", () => {
    const rows = [{ id: "env-1", name: "dev", is_current: true }];
    expect(renderData(rows, "json")).toBe("[\n  {\n    \"id\": \"env-1\",\n    \"name\": \"dev\",\n    \"is_current\": true\n  }\n]\n");
    expect(renderData(rows, "yaml")).toBe("- id: env-1\n  name: dev\n  is_current: true\n");
    expect(renderData([], "json")).toBe("[]\n");
  });
});

describe("wrapText and truncate", () => {
  it("wraps at spaces, then after separators, then anywhere", () => {
    expect(wrapText("alpha beta gamma", 10)).toEqual(["alpha beta", "gamma"]);
    expect(wrapText("https://vault::secret::key", 16)).toEqual(["https://vault::", "secret::key"]);
    expect(wrapText("abcdefghijkl", 5)).toEqual(["abcde", "fghij", "kl"]);
    expect(wrapText("", 5)).toEqual([""]);
  });

  it("moves a word whole to the next line, breaking only words longer than the width", () => {
    expect(wrapText("a supercalifragilistic", 20)).toEqual(["a", "supercalifragilistic"]);
    expect(wrapText("ab repeatable_read", 15)).toEqual(["ab", "repeatable_read"]);
    expect(wrapText("dbhistory.${topic.prefix}.{{.logicalClusterId}}", 18)).toEqual(["dbhistory.${topic.", "prefix}.{{.", "logicalClusterId}}"]);
    expect(wrapText("x DefaultReferenceSubjectNameStrategy", 20)).toEqual(["x", "DefaultReferenceSubj", "ectNameStrategy"]);
  });

  it("cuts with an ellipsis", () => {
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("abc", 4)).toBe("abc");
  });
});
