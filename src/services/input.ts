/**
 * Checks for request fields, collecting every problem so one answer names
 * them all. Each string has a maximum length; names reject path tricks and
 * control characters.
 *
 * Every rule here is also a JSON Schema pattern (the `*_PATTERN` sources,
 * ECMA-262 syntax, used by the route schemas and so the OpenAPI document):
 * lengths count characters (code points, as JSON Schema does), control
 * characters are refused anywhere, and surrounding whitespace (what
 * `String.prototype.trim` removes) is trimmed after those checks.
 */
import { InputError, type FieldProblem } from "../domain/errors.js";

/** C0 controls and DEL, refused in every text field. */
const CONTROL = String.raw`\u0000-\u001f\u007f`;
/** What `trim()` removes besides the controls above: the Unicode space separators, LS, PS and the BOM. */
const SPACE = String.raw` \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff`;
/** All that `trim()` removes. */
const TRIMMED = String.raw`\u0009-\u000d${SPACE}`;

/** Text without control characters (may be empty or blank). */
export const TEXT_PATTERN = String.raw`^[^${CONTROL}]*$`;
/** Text without control characters that is not blank. */
export const NON_BLANK_TEXT_PATTERN = String.raw`^[^${CONTROL}]*[^${CONTROL}${SPACE}][^${CONTROL}]*$`;
/** Anything that is not blank (query parameters, which are trimmed but not otherwise checked). */
export const NOT_BLANK_PATTERN = String.raw`[^${TRIMMED}]`;
/** Leading or trailing space a trimmed field may have. */
export const SPACE_CLASS = `[${SPACE}]`;

const CONTROL_CHARACTER = new RegExp(`[${CONTROL}]`);

/** Length in characters (code points), as JSON Schema's maxLength counts. */
export function characterCount(text: string): number {
  return text.length - (text.match(/[\ud800-\udbff][\udc00-\udfff]/g)?.length ?? 0);
}

/** ASCII-only upper-casing: "azure" → "AZURE", but no Unicode case folding ("ſ" stays). */
export function asciiUpper(text: string): string {
  return text.replace(/[a-z]/g, (c) => c.toUpperCase());
}

export function asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** A pattern matching exactly the given words in any ASCII case: `^(?:[Aa][Ww][Ss]|…)$`. */
export function anyCasePattern(words: readonly string[]): string {
  const letters = (word: string) => word.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/[A-Za-z]/g, (c) => `[${c.toUpperCase()}${c.toLowerCase()}]`);
  return `^(?:${words.map(letters).join("|")})$`;
}

export class FieldChecks {
  readonly problems: FieldProblem[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  /** A required string of at most max characters, not blank; returns the trimmed value or undefined. */
  requiredString(field: string, value: unknown, max: number): string | undefined {
    if (value === undefined || value === null) {
      this.add(field, `${field} is required`);
      return undefined;
    }
    return this.string(field, value, max, 1);
  }

  optionalString(field: string, value: unknown, max: number): string | undefined {
    if (value === undefined || value === null) return undefined;
    return this.string(field, value, max, 0);
  }

  /** At most max characters and no control characters (as given), then at least min once trimmed. */
  string(field: string, value: unknown, max: number, min: number): string | undefined {
    if (typeof value !== "string") {
      this.add(field, `${field} must be a string`);
      return undefined;
    }
    const length = characterCount(value);
    if (length > max) {
      this.add(field, `${field} must be at most ${max} characters (got ${length})`);
      return undefined;
    }
    if (CONTROL_CHARACTER.test(value)) {
      this.add(field, `${field} must not contain control characters`);
      return undefined;
    }
    const trimmed = value.trim();
    if (trimmed.length < min) {
      this.add(field, `${field} must not be empty`);
      return undefined;
    }
    return trimmed;
  }

  /** One of the options, in any ASCII case (`anyCasePattern`); the fallback when absent or null, if there is one. */
  oneOf<T extends string>(field: string, value: unknown, options: readonly T[], fallback?: T): T | undefined {
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    const text = typeof value === "string" ? asciiUpper(value) : undefined;
    const match = options.find((o) => o === text);
    if (match === undefined) this.add(field, `${field} must be one of ${options.join(", ")}`);
    return match;
  }

  /** Throws an InputError naming every problem, when there are any. */
  throwIfAny(summary = "invalid request"): void {
    if (this.problems.length === 0) return;
    const first = this.problems[0];
    throw new InputError(this.problems.length === 1 && first ? first.message : `${summary}: ${this.problems.map((p) => p.message).join("; ")}`, this.problems);
  }
}

export const MAX_RESOURCE_NAME = 255;

/** A name character other than "." and "/"; a name's first and last characters are not spaces either. */
const NAME_CHAR = `[^./${CONTROL}]`;
const NAME_EDGE = `[^./${CONTROL}${SPACE}]`;
/**
 * checkResourceName's rules as a pattern: no "/", no "..", no control
 * characters, no leading or trailing space, not empty (dots stand alone).
 */
export const RESOURCE_NAME_PATTERN = `^(?:${[
  String.raw`\.(?:${NAME_CHAR}+\.)*`,
  String.raw`\.(?:${NAME_CHAR}+\.)*${NAME_CHAR}*${NAME_EDGE}`,
  String.raw`${NAME_EDGE}${NAME_CHAR}*\.(?:${NAME_CHAR}+\.)*`,
  String.raw`${NAME_EDGE}${NAME_CHAR}*\.(?:${NAME_CHAR}+\.)*${NAME_CHAR}*${NAME_EDGE}`,
  NAME_EDGE,
  `${NAME_EDGE}${NAME_CHAR}*${NAME_EDGE}`,
].join("|")})$`;

/**
 * A resource name a user picks (connector names): 1–255 characters, no "/",
 * no "..", no control characters, not blank.
 */
export function checkResourceName(checks: FieldChecks, field: string, value: unknown): string | undefined {
  if (typeof value !== "string") {
    checks.add(field, `${field} is required and must be a string`);
    return undefined;
  }
  const length = characterCount(value);
  if (value.trim() === "") checks.add(field, `${field} must not be empty`);
  else if (length > MAX_RESOURCE_NAME) checks.add(field, `${field} must be at most ${MAX_RESOURCE_NAME} characters (got ${length})`);
  else if (value.includes("/")) checks.add(field, `${field} must not contain "/"`);
  else if (value.includes("..")) checks.add(field, `${field} must not contain ".."`);
  else if (CONTROL_CHARACTER.test(value)) checks.add(field, `${field} must not contain control characters`);
  else if (value !== value.trim()) checks.add(field, `${field} must not start or end with spaces`);
  else return value;
  return undefined;
}

export const GUID_PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
export const GUID = new RegExp(GUID_PATTERN);
