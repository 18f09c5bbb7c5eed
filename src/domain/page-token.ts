/**
 * Keyset paging helpers (pure). A page token is the position of the last item
 * of the previous page, (createdAt, id), written `1_<createdAt>_<id>`: stable
 * while rows are inserted or deleted, cheap to seek to with an index on
 * (created_at, id), and described exactly by PAGE_TOKEN_PATTERN, so that
 * every token of that form names a position (a page, possibly empty) and
 * everything else is refused. Clients treat it as opaque.
 *
 * The paging contract of the API, so it is the domain's: the store encodes
 * and decodes tokens, http/ puts PAGE_TOKEN_PATTERN in the route schemas and
 * maps InvalidPageTokenError to a 400.
 */

export interface Page<T> {
  readonly items: readonly T[];
  /** Opaque; null on the last page. */
  readonly nextPageToken: string | null;
}

export interface PageRequest {
  /** 1–100; default 10 (Confluent's default page size). */
  readonly pageSize?: number;
  readonly pageToken?: string | null;
}

/** A page token that does not decode, or names a position that cannot exist. */
export class InvalidPageTokenError extends Error {
  constructor() {
    super("invalid page_token");
    this.name = "InvalidPageTokenError";
  }
}

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

/** ISO-8601 UTC, as `Date.prototype.toISOString` writes it (years 0000–9999). */
const ISO_TIMESTAMP = String.raw`[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z`;
/** Ids are generated (`env-…`, `lkc-…`, `cspi-…`): letters, digits and a few marks. */
const ID = "[A-Za-z0-9._~-]{1,128}";
/** A page token, or empty (the first page): the query parameter's JSON Schema pattern. */
export const PAGE_TOKEN_PATTERN = `^(?:1_${ISO_TIMESTAMP}_${ID})?$`;
const TOKEN = new RegExp(`^1_(${ISO_TIMESTAMP})_(${ID})$`);

/** 1–100, default 10; fractions are truncated. */
export function clampPageSize(pageSize: number | undefined): number {
  if (pageSize === undefined || Number.isNaN(pageSize)) return DEFAULT_PAGE_SIZE;
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Math.trunc(pageSize)));
}

export function encodePageToken(position: PagePosition): string {
  const token = `1_${position.createdAt}_${position.id}`;
  if (!TOKEN.test(token)) throw new Error(`cannot page after (${position.createdAt}, ${position.id}): not a timestamp and id of ours`);
  return token;
}

/** The position a token names; throws InvalidPageTokenError when it is not a token of ours. */
export function decodePageToken(token: string): PagePosition {
  const match = TOKEN.exec(token);
  const [, createdAt, id] = match ?? [];
  if (createdAt === undefined || id === undefined) throw new InvalidPageTokenError();
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
