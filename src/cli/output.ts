/**
 * One row model, three renderings (`-o human|json|yaml`): a command builds
 * plain objects with stable snake_case keys; JSON and YAML print them as they
 * are, and the human form lays them out as a table (lists) or a two-column
 * box (one resource) that fits an 80-column terminal.
 */
import { stringify as toYaml } from "yaml";
import type { CliIo, OutputFormat } from "./io.js";

export const TERMINAL_WIDTH = 80;
export const NONE_FOUND = "None found.\n";

export type CellValue = string | number | boolean | null | undefined | readonly string[];
export type RowModel = object;

export interface Column<R extends RowModel> {
  readonly key: keyof R & string;
  readonly header: string;
  /** Long values wrap onto more lines instead of being cut short with "…". */
  readonly wrap?: boolean;
  /** Shrunk first when the table is wider than the terminal. */
  readonly flexible?: boolean;
  readonly format?: (value: CellValue, row: R) => string;
}

export interface Field<R extends RowModel> {
  readonly key: keyof R & string;
  readonly label: string;
  readonly format?: (value: CellValue) => string;
}

/** `*` for the selected resource, nothing otherwise. */
export const currentMark = (value: CellValue): string => (value === true ? "*" : "");

export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.join("\n");
  return String(value);
}

function valueOf<R extends RowModel>(row: R, key: keyof R & string): CellValue {
  return (row as Record<string, CellValue>)[key];
}

/** Machine-readable output: pretty JSON or YAML of the row model. */
export function renderData(value: unknown, format: Exclude<OutputFormat, "human">): string {
  return format === "json" ? `${JSON.stringify(value, null, 2)}\n` : toYaml(value);
}

export function printList<R extends RowModel>(io: CliIo, format: OutputFormat, columns: readonly Column<R>[], rows: readonly R[]): void {
  io.stdout(format === "human" ? renderTable(columns, rows) : renderData(rows, format));
}

export function printRecord<R extends RowModel>(io: CliIo, format: OutputFormat, fields: readonly Field<R>[], record: R): void {
  io.stdout(format === "human" ? renderRecord(fields, record) : renderData(record, format));
}

/**
 * A list as the confluent CLI prints one: a header, a rule, one row per
 * resource, columns separated by "|". Empty lists print "None found.".
 */
export function renderTable<R extends RowModel>(columns: readonly Column<R>[], rows: readonly R[], maxWidth = TERMINAL_WIDTH): string {
  if (rows.length === 0) return NONE_FOUND;
  const cells = rows.map((row) => columns.map((c) => {
    const text = c.format ? c.format(valueOf(row, c.key), row) : cellText(valueOf(row, c.key));
    return c.wrap ? text : text.replace(/\s*\n\s*/g, " ");
  }));
  const natural = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => longestLine(r[i] ?? ""))));
  const widths = fit(natural, columns.map((c, i) => ({ min: Math.min(natural[i] ?? 0, Math.max(c.header.length, 5)), flexible: c.flexible === true })), (w) => w.reduce((a, b) => a + b, 0) + 3 * w.length - 1, maxWidth);
  const line = (parts: readonly string[]) => parts.map((p, i) => ` ${p.padEnd(widths[i] ?? 0)} `).join("|").trimEnd();
  const out = [line(columns.map((c) => c.header)), widths.map((w) => "-".repeat(w + 2)).join("+")];
  for (const row of cells) {
    const wrapped = row.map((text, i) => (columns[i]?.wrap ? wrapText(text, widths[i] ?? 1) : [truncate(text, widths[i] ?? 1)]));
    const height = Math.max(...wrapped.map((w) => w.length));
    for (let l = 0; l < height; l++) out.push(line(wrapped.map((w) => w[l] ?? "")));
  }
  return `${out.join("\n")}\n`;
}

/** One resource as a two-column box of labels and values; long values wrap. */
export function renderRecord<R extends RowModel>(fields: readonly Field<R>[], record: R, maxWidth = TERMINAL_WIDTH): string {
  const pairs = fields.map((f) => [f.label, (f.format ?? cellText)(valueOf(record, f.key))] as const);
  return renderPairs(pairs, maxWidth);
}

export function renderPairs(pairs: readonly (readonly [string, string])[], maxWidth = TERMINAL_WIDTH): string {
  const labelWidth = Math.max(...pairs.map(([label]) => label.length));
  const natural = Math.max(1, ...pairs.map(([, value]) => longestLine(value)));
  const valueWidth = Math.min(natural, Math.max(10, maxWidth - 7 - labelWidth));
  const rule = `+${"-".repeat(labelWidth + 2)}+${"-".repeat(valueWidth + 2)}+`;
  const out = [rule];
  for (const [label, value] of pairs) {
    wrapText(value, valueWidth).forEach((part, i) => out.push(`| ${(i === 0 ? label : "").padEnd(labelWidth)} | ${part.padEnd(valueWidth)} |`));
  }
  out.push(rule);
  return `${out.join("\n")}\n`;
}

/** A titled section of a describe output (confluent's "Connector Details" and the like). */
export function section(title: string, body: string): string {
  return `${title}\n${body}`;
}

/** Narrows columns until the total fits: flexible columns first, the widest first. */
function fit(natural: readonly number[], limits: readonly { min: number; flexible: boolean }[], total: (w: readonly number[]) => number, maxWidth: number): number[] {
  const widths = [...natural];
  while (total(widths) > maxWidth) {
    const shrinkable = (flexibleOnly: boolean) => widths.map((w, i) => ({ w, i })).filter(({ w, i }) => w > (limits[i]?.min ?? 1) && (!flexibleOnly || limits[i]?.flexible === true));
    const candidates = shrinkable(true).length > 0 ? shrinkable(true) : shrinkable(false);
    const widest = candidates.sort((a, b) => b.w - a.w || a.i - b.i)[0];
    if (!widest) break;
    widths[widest.i] = widest.w - 1;
  }
  return widths;
}

function longestLine(text: string): number {
  return Math.max(0, ...text.split("\n").map((l) => l.length));
}

export function truncate(text: string, width: number): string {
  if (text.length <= width) return text;
  return width <= 1 ? "…".slice(0, width) : `${text.slice(0, width - 1)}…`;
}

/** Wraps at spaces where it can, after "," "/" ":" "." or "&" otherwise, and cuts long words as a last resort. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split("\n")) {
    let rest = paragraph;
    while (rest.length > width) {
      const window = rest.slice(0, width + 1);
      let cut = window.lastIndexOf(" ");
      if (cut >= Math.floor(width / 3)) {
        lines.push(rest.slice(0, cut).trimEnd());
        rest = rest.slice(cut + 1).trimStart();
        continue;
      }
      cut = Math.max(...[",", "/", ":", ".", "&"].map((c) => rest.slice(0, width).lastIndexOf(c)));
      const at = cut >= Math.floor(width / 3) ? cut + 1 : width;
      lines.push(rest.slice(0, at));
      rest = rest.slice(at);
    }
    lines.push(rest);
  }
  return lines;
}
