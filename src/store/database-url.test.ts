import { describe, expect, it } from "vitest";
import { connectFailureReason, displayPostgresUrl, readDatabaseUrl } from "./database-url.js";

describe("readDatabaseUrl", () => {
  it("chooses SQLite when no URL is given", () => {
    expect(readDatabaseUrl(undefined)).toEqual({ kind: "sqlite" });
    expect(readDatabaseUrl("")).toEqual({ kind: "sqlite" });
    expect(readDatabaseUrl("   ")).toEqual({ kind: "sqlite" });
  });

  it.each(["postgres://u:p@db:5432/vaultwire", "postgresql://u:p@db/vaultwire", "POSTGRES://u@db/x"])("chooses PostgreSQL for %s", (url) => {
    expect(readDatabaseUrl(url).kind).toBe("postgres");
  });

  it.each([
    ["mysql://root:pw@localhost/db", 'databaseUrl has the unsupported scheme "mysql:"; use postgres:// or postgresql:// (or leave it unset for SQLite in the data directory)'],
    ["sqlite:///var/lib/vaultwire.db", 'databaseUrl has the unsupported scheme "sqlite:"; use postgres:// or postgresql:// (or leave it unset for SQLite in the data directory)'],
    ["./data/vaultwire.db", "databaseUrl must be a postgres:// or postgresql:// URL (leave it unset for SQLite in the data directory)"],
    ["postgres://u:p@[::1/db", "databaseUrl is not a valid PostgreSQL URL (expected postgres://user:password@host:5432/database)"],
  ])("refuses %s", (url, message) => {
    expect(readDatabaseUrl(url)).toEqual({ kind: "invalid", message });
  });
});

describe("displayPostgresUrl", () => {
  it.each([
    ["postgres://vaultwire:s3cret@db.internal:5432/vaultwire", "postgres://vaultwire@db.internal:5432/vaultwire"],
    ["postgresql://vaultwire:s3cret@db/vw?sslmode=require&password=other", "postgresql://vaultwire@db/vw"],
    ["postgres://db/vw", "postgres://db/vw"],
    ["postgres://u:p@[::1]:6432/vw", "postgres://u@[::1]:6432/vw"],
    ["postgres:///vw?host=/var/run/postgresql&password=x", "postgres:///vw?host=/var/run/postgresql"],
  ])("shows %s as %s", (url, shown) => {
    expect(displayPostgresUrl(url)).toBe(shown);
  });

  it("gives null for a URL that does not parse", () => {
    expect(displayPostgresUrl("postgres://u:p@/vw")).toBeNull();
  });
});

describe("connectFailureReason", () => {
  it.each([
    [{ code: "ECONNREFUSED" }, "ECONNREFUSED"],
    [{ code: "ENOTFOUND" }, "ENOTFOUND"],
    [{ code: "28P01", message: 'password authentication failed for user "vaultwire"' }, "password authentication failed, 28P01"],
    [{ code: "3D000" }, "database does not exist, 3D000"],
    [Object.assign(new AggregateError([Object.assign(new Error("a"), { code: "ECONNREFUSED" })]), {}), "ECONNREFUSED"],
    [new Error("Connection terminated due to connection timeout"), "timed out"],
    [new Error("SASL: SCRAM-SERVER-FIRST-MESSAGE: client password must be a string"), "authentication failed"],
    [new Error("something postgres://u:secret@h said"), "connection failed"],
    ["weird", "connection failed"],
  ])("gives %s as %s", (error, reason) => {
    expect(connectFailureReason(error)).toBe(reason);
  });
});
