/**
 * Keyset paging helpers (pure). A page token is the position of the last item
 * of the previous page, (createdAt, id), as base64url JSON: opaque to clients,
 * stable while rows are inserted or deleted, and cheap to seek to with an
 * index on (created_at, id).
 */
import { InvalidPageTokenError, type Page, type PageRequest } from "./store.js";

export const DEFAULT_PAGE_SIZE = 10;
export const MAX_PAGE_SIZE = 100;

/** Where the previous page ended. */
export interface PagePosition {
  readonly createdAt: string;
  readonly id: string;
}

/** What a repository needs to run one page query. */
export interface PageQuery {
  readonly size: number;
  readonly after: PagePosition | null;
}

const TOKEN_VERSION = 1;
/** Tokens longer than this are not ours (ids are at most 64 characters + prefix). */
const MAX_TOKEN_LENGTH = 512;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
/** ISO-8601 UTC, as `Date.prototype.toISOString` writes it (years 0000–9999). */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const MAX_ID_LENGTH = 128;

/** 1–100, default 10; fractions are truncated. */
export function clampPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || Number.isNaN(pageSize)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(pageSize)));
}

export function encodePageToken(position: PagePosition): string {
  return Buffer.from(JSON.stringify([TOKEN_VERSION, position.createdAt, position.id]), "utf8").toString("base64url");
}

/** The position a token names; throws InvalidPageTokenError when it is not a token of ours. */
export function decodePageToken(token: string): PagePosition {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !BASE64URL.test(token)) throw new InvalidPageTokenError();
  const bytes = Buffer.from(token, "base64url");
  // Buffer's decoder ignores stray trailing bits; a token must be exactly what we write.
  if (bytes.toString("base64url") !== token) throw new InvalidPageTokenError();
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw new InvalidPageTokenError();
  }
  if (!Array.isArray(decoded) || decoded.length !== 3) throw new InvalidPageTokenError();
  const [version, createdAt, id] = decoded as unknown[];
  if (version !== TOKEN_VERSION || typeof createdAt !== "string" || typeof id !== "string") throw new InvalidPageTokenError();
  if (!ISO_TIMESTAMP.test(createdAt) || id.length === 0 || id.length > MAX_ID_LENGTH) throw new InvalidPageTokenError();
  return { createdAt, id };
}

/** Reads a page request: the clamped size and the decoded position (null for the first page). */
export function readPageRequest(page: PageRequest): PageQuery {
  const token = page.pageToken;
  return {
    size: clampPageSize(page.pageSize),
    after: token === undefined || token === null || token === "" ? null : decodePageToken(token),
  };
}

/**
 * Builds a page from up to `size + 1` rows fetched in order: the extra row,
 * when present, only says that another page exists.
 */
export function toPage<T extends PagePosition>(rows: readonly T[], size: number): Page<T> {
  if (rows.length <= size) return { items: rows, nextPageToken: null };
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  return { items, nextPageToken: last === undefined ? null : encodePageToken(last) };
}
