/**
 * Reading `databaseUrl` (pure): which dialect it selects, and how to name the
 * database in a message without its password or query parameters.
 */

const POSTGRES_SCHEME = /^postgres(ql)?:\/\//i;
const ANY_SCHEME = /^([a-z][a-z0-9+.-]*):/i;

export type DatabaseTarget =
  | { readonly kind: "sqlite" }
  | { readonly kind: "postgres"; readonly url: string; readonly display: string }
  | { readonly kind: "invalid"; readonly message: string };

/**
 * Empty or absent → SQLite in the data directory; `postgres://` or
 * `postgresql://` → PostgreSQL; anything else is an error rather than a silent
 * fallback to SQLite.
 */
export function readDatabaseUrl(databaseUrl: string | undefined): DatabaseTarget {
  const url = databaseUrl?.trim() ?? "";
  if (url === "") return { kind: "sqlite" };
  if (POSTGRES_SCHEME.test(url)) {
    const display = displayPostgresUrl(url);
    if (display === null) {
      return { kind: "invalid", message: "databaseUrl is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database)" };
    }
    return { kind: "postgres", url, display };
  }
  const scheme = ANY_SCHEME.exec(url)?.[1];
  return {
    kind: "invalid",
    message: scheme === undefined
      ? "databaseUrl must be a postgres:// or postgresql:// URL (leave it unset for SQLite in the data directory)"
      : `databaseUrl has the unsupported scheme "${scheme.toLowerCase()}:"; use postgres:// or postgresql:// (or leave it unset for SQLite in the data directory)`,
  };
}

/** `postgres://user@host:port/database`: no password, no query string; null when it does not parse. */
export function displayPostgresUrl(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  const user = parsed.username === "" ? "" : `${parsed.username}@`;
  if (parsed.hostname !== "") return `${parsed.protocol}//${user}${parsed.host}${parsed.pathname}`;
  // A socket directory may be given as ?host=/path instead of a host name.
  const socket = parsed.searchParams.get("host");
  return `${parsed.protocol}//${user}${parsed.pathname}${socket === null ? "" : `?host=${socket}`}`;
}

/** PostgreSQL's codes for a refused connection, in words. */
const POSTGRES_CONNECT_CODES: Readonly<Record<string, string>> = {
  "28P01": "password authentication failed",
  "28000": "authentication rejected",
  "3D000": "database does not exist",
  "3F000": "schema does not exist",
  "42501": "permission denied",
  "53300": "too many connections",
  "57P03": "the database is starting up",
};

/**
 * A short reason for a failed connection: the system or SQLSTATE code, in
 * words where they help. Driver messages are not echoed (they may quote the
 * connection string), except to recognise a timeout.
 */
export function connectFailureReason(error: unknown): string {
  const e = (typeof error === "object" && error !== null ? error : {}) as { code?: unknown; message?: unknown; errors?: unknown };
  let code = typeof e.code === "string" ? e.code : undefined;
  if (code === undefined && Array.isArray(e.errors)) {
    const inner = (e.errors as unknown[]).find((item): item is { code: string } => typeof item === "object" && item !== null && typeof (item as { code?: unknown }).code === "string");
    code = inner?.code;
  }
  if (code !== undefined) {
    const words = POSTGRES_CONNECT_CODES[code];
    return words === undefined ? code : `${words}, ${code}`;
  }
  const message = typeof e.message === "string" ? e.message : "";
  if (/timeout|timed out/i.test(message)) return "timed out";
  if (/SASL|SCRAM|password/i.test(message)) return "authentication failed";
  if (/SSL|TLS/i.test(message)) return "TLS negotiation failed";
  return "connection failed";
}
