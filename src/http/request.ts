/** Helpers for reading untrusted request parts. */
import { InputError } from "../domain/errors.js";
import { pageSizeOf } from "./links.js";
import { decodePageToken } from "../domain/page-token.js";
import type { PageRequest } from "../store/store.js";

/** The body as a JSON object, or a 400 that says what was expected. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InputError("the request body must be a JSON object", [{ field: "body", message: "must be a JSON object" }]);
  }
  return body as Record<string, unknown>;
}

/** A nested object field, or an empty object when absent (the service reports missing fields). */
export function objectField(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) throw new InputError(`${field} must be a JSON object`, [{ field, message: "must be a JSON object" }]);
  return value as Record<string, unknown>;
}

export function pageRequest(query: { page_size?: string; page_token?: string }): PageRequest {
  const pageSize = pageSizeOf(query.page_size);
  if (Number.isNaN(pageSize)) throw new InputError("page_size must be a whole number from 1 to 100", [{ field: "page_size", message: "must be a whole number from 1 to 100" }]);
  const pageToken = query.page_token ?? null;
  // Checked here, not only where a repository decodes it: a list a service answers without
  // a query (another organization's scope, nothing visible) must refuse a bad token all the same.
  if (pageToken !== null && pageToken !== "") decodePageToken(pageToken);
  return { ...(pageSize === undefined ? {} : { pageSize }), pageToken };
}

/** A required query parameter such as `environment`. */
export function requiredQuery(value: string | undefined, name: string, example: string): string {
  if (value === undefined || value.trim() === "") throw new InputError(`query parameter "${name}" is required, e.g. ?${name}=${example}`, [{ field: name, message: "required" }]);
  return value.trim();
}
