/**
 * Reads one top-level key of a JSON object secret. Failures describe the
 * secret's shape (which keys exist, what type a value has) but never a value.
 */
export type JsonKeyResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly code: "JSON_NOT_OBJECT" | "JSON_KEY_MISSING" | "JSON_VALUE_NOT_SCALAR"; readonly problem: string };

const MAX_LISTED_KEYS = 20;

export function readJsonKey(secretValue: string, jsonKey: string): JsonKeyResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretValue);
  } catch {
    return { ok: false, code: "JSON_NOT_OBJECT", problem: "its value is not JSON" };
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    return { ok: false, code: "JSON_NOT_OBJECT", problem: `its value is JSON ${describe(parsed)}, not an object` };
  }
  const object = parsed as Record<string, unknown>;
  if (!Object.prototype.hasOwnProperty.call(object, jsonKey)) {
    const keys = Object.keys(object);
    const listed = keys.slice(0, MAX_LISTED_KEYS).map((k) => JSON.stringify(k)).join(", ");
    const more = keys.length > MAX_LISTED_KEYS ? ` and ${keys.length - MAX_LISTED_KEYS} more` : "";
    return { ok: false, code: "JSON_KEY_MISSING", problem: keys.length === 0 ? `it has no key ${JSON.stringify(jsonKey)}: the JSON object is empty` : `it has no key ${JSON.stringify(jsonKey)}; its keys are ${listed}${more}` };
  }
  const value = object[jsonKey];
  if (typeof value === "string") return { ok: true, value };
  if (typeof value === "number" && Number.isFinite(value)) return { ok: true, value: String(value) };
  if (typeof value === "boolean") return { ok: true, value: String(value) };
  return { ok: false, code: "JSON_VALUE_NOT_SCALAR", problem: `the value of key ${JSON.stringify(jsonKey)} is ${describe(value)}; only strings, numbers and booleans can be used` };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "object": return "an object";
    case "string": return "a string";
    case "number": return "a number";
    case "boolean": return "a boolean";
    default: return "of another type";
  }
}
