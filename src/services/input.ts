/**
 * Checks for request fields, collecting every problem so one answer names
 * them all. Each string has a maximum length; names reject path tricks and
 * control characters.
 */
import { InputError, type FieldProblem } from "../domain/errors.js";

export class FieldChecks {
  readonly problems: FieldProblem[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  /** A required string of 1..max characters (after trimming); returns the trimmed value or undefined. */
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

  string(field: string, value: unknown, max: number, min: number): string | undefined {
    if (typeof value !== "string") {
      this.add(field, `${field} must be a string`);
      return undefined;
    }
    const trimmed = value.trim();
    if (trimmed.length < min) {
      this.add(field, `${field} must not be empty`);
      return undefined;
    }
    if (trimmed.length > max) {
      this.add(field, `${field} must be at most ${max} characters (got ${trimmed.length})`);
      return undefined;
    }
    // eslint-disable-next-line no-control-regex
    if (/[\u0000-\u001f\u007f]/.test(trimmed)) {
      this.add(field, `${field} must not contain control characters`);
      return undefined;
    }
    return trimmed;
  }

  oneOf<T extends string>(field: string, value: unknown, options: readonly T[], fallback?: T): T | undefined {
    if ((value === undefined || value === null) && fallback !== undefined) return fallback;
    const text = typeof value === "string" ? value.trim().toUpperCase() : undefined;
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

/**
 * A resource name a user picks (connector names): 1–255 characters, no "/",
 * no "..", no control characters, not blank.
 */
export function checkResourceName(checks: FieldChecks, field: string, value: unknown): string | undefined {
  if (typeof value !== "string") {
    checks.add(field, `${field} is required and must be a string`);
    return undefined;
  }
  if (value.trim() === "") checks.add(field, `${field} must not be empty`);
  else if (value.length > 255) checks.add(field, `${field} must be at most 255 characters (got ${value.length})`);
  else if (value.includes("/")) checks.add(field, `${field} must not contain "/"`);
  else if (value.includes("..")) checks.add(field, `${field} must not contain ".."`);
  // eslint-disable-next-line no-control-regex
  else if (/[\u0000-\u001f\u007f]/.test(value)) checks.add(field, `${field} must not contain control characters`);
  else if (value !== value.trim()) checks.add(field, `${field} must not start or end with spaces`);
  else return value;
  return undefined;
}

export const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
