/** Flag parsing shared by the commands: usage errors (exit 2) that say which flag is wrong. */
import { CliError, lowerFirst, usageError } from "./cli-error.js";
import { OUTPUT_FORMATS, type OutputFormat } from "./io.js";

export const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;
export const OUTPUT_OPTION = { output: { type: "string", short: "o" } } as const;
export const ENVIRONMENT_OPTION = { environment: { type: "string" } } as const;
export const CLUSTER_OPTION = { cluster: { type: "string" } } as const;
export const FORCE_OPTION = { force: { type: "boolean" } } as const;

/** Runs node:util parseArgs and turns its errors into usage errors for `command`. */
export function parseFlags<T>(parse: () => T, command: string): T {
  try {
    return parse();
  } catch (error) {
    // node:util adds a hint about "--" to unknown options when positionals are allowed; the usage suggestion is clearer.
    throw usageError(lowerFirst((error as Error).message.replace(/\. To specify a positional argument[\s\S]*$/, "")), command);
  }
}

export function parseOutput(value: string | undefined, command: string): OutputFormat {
  if (value === undefined) return "human";
  const format = OUTPUT_FORMATS.find((f) => f === value.toLowerCase());
  if (!format) throw usageError(`invalid value "${value}" for flag "--output": expected one of human, json, yaml`, command);
  return format;
}

/** Checks the number of positional arguments; `name` is how the help calls them (e.g. "<id>"). */
export function expectPositionals(positionals: readonly string[], command: string, name: string, min: number, max = min): string[] {
  if (positionals.length < min) throw usageError(`missing argument ${name}`, command);
  if (positionals.length > max) throw usageError(`unexpected argument "${positionals[max] ?? ""}": ${command} takes ${max === 0 ? "no arguments" : max === 1 ? `one argument ${name}` : `at most ${max} arguments`}`, command);
  const blank = positionals.find((p) => p.trim() === "");
  if (blank !== undefined) throw usageError(`argument ${name} must not be empty`, command);
  return positionals.map((p) => p.trim());
}

export function requireFlag(value: string | undefined, flag: string, command: string): string {
  if (value === undefined || value.trim() === "") throw usageError(`required flag "${flag}" not set`, command);
  return value.trim();
}

/** A choice flag, case-insensitive: returns the matching entry of `options`. */
export function choice<T extends string>(value: string, flag: string, options: readonly T[], command: string): T {
  const match = options.find((o) => o.toLowerCase() === value.trim().toLowerCase());
  if (match === undefined) throw usageError(`invalid value "${value}" for flag "--${flag}": expected ${options.length === 1 ? options[0] ?? "" : `one of ${options.join(", ")}`}`, command);
  return match;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "5m", "30s", "1h", "500ms" or a number of seconds, as milliseconds. */
export function parseDuration(value: string, flag: string, command: string): number {
  const match = DURATION.exec(value.trim());
  const ms = match ? Number(match[1]) * (UNIT_MS[match[2] ?? "s"] ?? 1000) : Number.NaN;
  if (!Number.isFinite(ms) || ms <= 0 || ms > 24 * 3_600_000) throw usageError(`invalid value "${value}" for flag "--${flag}": expected a duration such as 30s, 5m or 1h`, command);
  return Math.round(ms);
}

/** "5m0s", "30s", "1h2m3s": how the CLI prints a duration. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}

/** `key=value` pairs of repeated `--config` flags; the value may contain "=" and ",". */
export function parseKeyValues(entries: readonly string[], flag: string, command: string): Record<string, string> {
  const result: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const entry of entries) {
    const eq = entry.indexOf("=");
    const key = eq < 0 ? "" : entry.slice(0, eq).trim();
    if (key === "") throw usageError(`invalid value "${entry}" for flag "--${flag}": expected key=value`, command);
    result[key] = entry.slice(eq + 1);
  }
  return result;
}

/** Thrown when a selection (environment, cluster) the command needs is missing. */
export function missingSelection(what: string, flag: string, useCommand: string, listCommand: string): CliError {
  return new CliError(`no ${what} selected`, 1, [
    `Pass --${flag}, set VAULTWIRE_${flag.toUpperCase()}, or run "${useCommand}" to remember one.`,
    `Run "${listCommand}" to see them.`,
  ]);
}
