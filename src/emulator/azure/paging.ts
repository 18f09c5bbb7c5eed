/**
 * Key Vault's list paging: items in key order (uppercase names, then version
 * ids, as the service's storage sorts them), `maxresults` up to 25 (the
 * default), and an absolute `nextLink` carrying an opaque `$skiptoken` (base64url
 * JSON `{"NextMarker", "TargetLocation"}` like the real one) that names the
 * first item of the next page, so pages stay stable when items are added.
 */

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 25;

export interface Page<T> {
  readonly items: readonly T[];
  /** Sort key of the first item of the next page; null on the last page. */
  readonly nextMarker: string | null;
}

/** `maxresults` → page size; null when absent; "invalid" unless an integer from 1 to 25. */
export function parseMaxResults(value: string | null): number | null | "invalid" {
  if (value === null) return null;
  if (!/^\d{1,4}$/.test(value)) return "invalid";
  const n = Number(value);
  return n >= 1 && n <= MAX_PAGE_SIZE ? n : "invalid";
}

export function encodeSkipToken(marker: string): string {
  const inner = Buffer.from(marker, "utf8").toString("base64url");
  return Buffer.from(JSON.stringify({ NextMarker: `2!${inner.length}!${inner}`, TargetLocation: 0 }), "utf8").toString("base64url");
}

/** The marker inside a `$skiptoken`; null when the token is not one of ours. */
export function decodeSkipToken(token: string): string | null {
  try {
    const parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as unknown;
    if (typeof parsed !== "object" || parsed === null) return null;
    const next = (parsed as { NextMarker?: unknown }).NextMarker;
    if (typeof next !== "string") return null;
    const match = /^2!(\d+)!([A-Za-z0-9_-]*)$/.exec(next);
    if (!match || Number(match[1]) !== (match[2] ?? "").length) return null;
    return Buffer.from(match[2] ?? "", "base64url").toString("utf8");
  } catch {
    return null;
  }
}

/** Orders by `keyOf` (ordinal comparison of the keys, which callers uppercase). */
export function sortByKey<T>(items: readonly T[], keyOf: (item: T) => string): T[] {
  return [...items].sort((a, b) => compareOrdinal(keyOf(a), keyOf(b)));
}

/** One page of `sorted` items starting at `marker` (inclusive), or at the start. */
export function pageOf<T>(sorted: readonly T[], keyOf: (item: T) => string, pageSize: number, marker: string | null): Page<T> {
  const start = marker === null ? 0 : firstIndexAtOrAfter(sorted, keyOf, marker);
  const items = sorted.slice(start, start + pageSize);
  const next = sorted[start + pageSize];
  return { items, nextMarker: next === undefined ? null : keyOf(next) };
}

function firstIndexAtOrAfter<T>(sorted: readonly T[], keyOf: (item: T) => string, marker: string): number {
  const index = sorted.findIndex((item) => compareOrdinal(keyOf(item), marker) >= 0);
  return index < 0 ? sorted.length : index;
}

function compareOrdinal(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
