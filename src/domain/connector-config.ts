/**
 * A connector config is a flat map of string keys to string values, as in
 * Kafka Connect and Confluent Cloud. This module turns untrusted input (parsed
 * JSON) into one, or says precisely what is wrong with it.
 */
import { err, ok, type Result } from "./result.js";

export type ConnectorConfig = Readonly<Record<string, string>>;

export const CONFIG_LIMITS = {
  maxKeys: 1000,
  maxKeyLength: 255,
  /** 64 KiB, counted in UTF-8 bytes. */
  maxValueBytes: 64 * 1024,
} as const;

/** A problem with the config's shape; `key` is null when it is about the whole config. */
export interface ConfigInputError {
  readonly key: string | null;
  readonly message: string;
}

export function nonStringValueMessage(key: string): string {
  return `only string values are permitted for the configuration "${key}"`;
}

/**
 * Reads a config from parsed JSON. Every problem is reported at once; keys
 * are copied into a prototype-less object so `__proto__` is an ordinary key.
 */
export function parseConnectorConfig(input: unknown): Result<ConnectorConfig, ConfigInputError[]> {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return err([{ key: null, message: `the connector configuration must be a JSON object of string keys to string values, not ${describeJsonType(input)}` }]);
  }
  const keys = Object.keys(input);
  if (keys.length > CONFIG_LIMITS.maxKeys) {
    return err([{ key: null, message: `a connector configuration may have at most ${formatCount(CONFIG_LIMITS.maxKeys)} keys; this one has ${formatCount(keys.length)}` }]);
  }
  const errors: ConfigInputError[] = [];
  const config: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const key of keys) {
    const value: unknown = (input as Record<string, unknown>)[key];
    if (key.trim() === "") {
      errors.push({ key, message: "configuration keys must not be empty" });
      continue;
    }
    if (key.length > CONFIG_LIMITS.maxKeyLength) {
      errors.push({ key: key.slice(0, 64) + "…", message: `configuration keys may be at most ${CONFIG_LIMITS.maxKeyLength} characters; this one has ${formatCount(key.length)}` });
      continue;
    }
    if (typeof value !== "string") {
      errors.push({ key, message: nonStringValueMessage(key) });
      continue;
    }
    const bytes = utf8Length(value);
    if (bytes > CONFIG_LIMITS.maxValueBytes) {
      errors.push({ key, message: `the value of the configuration "${key}" is ${formatCount(bytes)} bytes; at most ${formatCount(CONFIG_LIMITS.maxValueBytes)} bytes (64 KiB) are permitted` });
      continue;
    }
    config[key] = value;
  }
  return errors.length > 0 ? err(errors) : ok(config);
}

/** The body of a connector create request or CLI config file. */
export interface ConnectorConfigDocument {
  /** The connector name from `name` (wrapped form) or the config's `name` key. */
  readonly name: string | null;
  readonly config: ConnectorConfig;
}

/**
 * Accepts both shapes the confluent CLI accepts for `--config-file`:
 * `{"name": …, "config": {…}}` and a flat map of strings.
 */
export function parseConnectorConfigDocument(input: unknown): Result<ConnectorConfigDocument, ConfigInputError[]> {
  if (typeof input === "object" && input !== null && !Array.isArray(input) && "config" in input) {
    const wrapped = input as { name?: unknown; config: unknown };
    const errors: ConfigInputError[] = [];
    if (wrapped.name !== undefined && typeof wrapped.name !== "string") {
      errors.push({ key: "name", message: `"name" must be a string, not ${describeJsonType(wrapped.name)}` });
    }
    const parsed = parseConnectorConfig(wrapped.config);
    if (!parsed.ok) errors.push(...parsed.error);
    if (!parsed.ok || errors.length > 0) return err(errors);
    const name = typeof wrapped.name === "string" ? wrapped.name : (parsed.value.name ?? null);
    return ok({ name, config: parsed.value });
  }
  const parsed = parseConnectorConfig(input);
  if (!parsed.ok) return parsed;
  return ok({ name: parsed.value.name ?? null, config: parsed.value });
}

/** UTF-8 length of a string without allocating (lone surrogates count as U+FFFD, 3 bytes). */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < value.length && isLowSurrogate(value.charCodeAt(i + 1))) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function describeJsonType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string": return "a string";
    case "number": return "a number";
    case "boolean": return "a boolean";
    case "undefined": return "nothing";
    default: return "an object";
  }
}

export function formatCount(n: number): string {
  return n.toLocaleString("en-US");
}
