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
  const total = (w: readonly number[]): number => w.reduce((a, b) => a + b, 0) + 3 * w.length - 1;
  const hardMin = columns.map((c, i) => Math.min(natural[i] ?? 0, Math.max(c.header.length, 5)));
  // First try not to break words: a wrapped column keeps its longest word, up to
  // a fair share of what the other columns leave. Only if that cannot fit do
  // columns shrink to their headers, and words longer than the column break.
  const fixed = columns.reduce((sum, c, i) => sum + (c.wrap ? 0 : (natural[i] ?? 0)), 0);
  const wrapped = columns.filter((c) => c.wrap).length;
  const share = wrapped === 0 ? 0 : Math.floor((maxWidth - total(columns.map(() => 0)) - fixed) / wrapped);
  const softMin = columns.map((c, i) => {
    if (!c.wrap) return hardMin[i] ?? 0;
    const longestWord = Math.max(0, ...cells.map((r) => longestUnit(r[i] ?? "")));
    return Math.min(natural[i] ?? 0, Math.max(hardMin[i] ?? 0, Math.min(longestWord, share)));
  });
  const limits = (mins: readonly number[]) => columns.map((c, i) => ({ min: mins[i] ?? 0, flexible: c.flexible === true }));
  const widths = balanceWrapped(columns, cells, fit(fit(natural, limits(softMin), total, maxWidth), limits(hardMin), total, maxWidth), natural, hardMin);
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

/**
 * With two wrapped columns, shares their combined width the way that costs the
 * least: each row costs its height squared (tall cells are worst), each word
 * cut in the middle (not after a break character) 20 more.
 */
function balanceWrapped<R extends RowModel>(columns: readonly Column<R>[], cells: readonly (readonly string[])[], widths: number[], natural: readonly number[], hardMin: readonly number[]): number[] {
  const wrapped = columns.flatMap((c, i) => (c.wrap ? [i] : []));
  if (wrapped.length !== 2) return widths;
  const [a = 0, b = 0] = wrapped;
  const sum = (widths[a] ?? 0) + (widths[b] ?? 0);
  const cost = (wa: number, wb: number): number => cells.reduce((total, row) => {
    const left = wrapWithStats(row[a] ?? "", wa);
    const right = wrapWithStats(row[b] ?? "", wb);
    const height = Math.max(left.lines.length, right.lines.length);
    return total + height * height + 20 * (left.cuts + right.cuts);
  }, 0);
  let best = { wa: widths[a] ?? 0, cost: cost(widths[a] ?? 0, widths[b] ?? 0) };
  for (let wa = hardMin[a] ?? 1; wa <= Math.min(natural[a] ?? 0, sum - (hardMin[b] ?? 1)); wa++) {
    const wb = Math.min(natural[b] ?? 0, sum - wa);
    const c = cost(wa, wb);
    if (c < best.cost) best = { wa, cost: c };
  }
  const result = [...widths];
  result[a] = best.wa;
  result[b] = Math.min(natural[b] ?? 0, sum - best.wa);
  return result;
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

/** Characters after which a word may break when it is longer than its column. */
const BREAK_AFTER = /[,/:.&]/;

/** The longest piece of a text that wrapping keeps whole: words, split after "," "/" ":" "." or "&". */
function longestUnit(text: string): number {
  return Math.max(0, ...text.split(/\s+/).flatMap((word) => word.split(/(?<=[,/:.&])/)).map((unit) => unit.length));
}

/**
 * Wraps at spaces: a word moves whole to the next line when it does not fit.
 * Only a word longer than the width breaks, after its last "," "/" ":" "." or
 * "&" that fits (if not too early), else at the width.
 */
export function wrapText(text: string, width: number): string[] {
  return wrapWithStats(text, width).lines;
}

/** The wrapped lines, and how many words were cut where no break character allowed it. */
function wrapWithStats(text: string, width: number): { lines: string[]; cuts: number } {
  const lines: string[] = [];
  let cuts = 0;
  for (const paragraph of text.split("\n")) {
    if (paragraph.length <= width) {
      lines.push(paragraph);
      continue;
    }
    let line = "";
    for (const word of paragraph.split(" ").filter((w) => w !== "")) {
      if (line !== "" && line.length + 1 + word.length <= width) {
        line += ` ${word}`;
        continue;
      }
      if (line !== "") lines.push(line);
      let rest = word;
      while (rest.length > width) {
        const window = rest.slice(0, width);
        let cut = -1;
        for (let i = window.length - 1; i >= 0; i--) {
          if (BREAK_AFTER.test(window.charAt(i))) {
            cut = i;
            break;
          }
        }
        const at = cut + 1 >= Math.max(1, Math.floor(width / 3)) ? cut + 1 : width;
        if (at === width && !BREAK_AFTER.test(window.charAt(width - 1))) cuts++;
        lines.push(rest.slice(0, at));
        rest = rest.slice(at);
      }
      line = rest;
    }
    lines.push(line);
  }
  return { lines, cuts };
}
