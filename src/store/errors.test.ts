import { describe, expect, it } from "vitest";
import { ForeignKeyViolationError, mapDatabaseError, UNIQUE_CONSTRAINTS } from "./errors.js";
import { UniqueViolationError } from "./store.js";

function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { name: "SqliteError", code });
}

function postgresError(code: string, constraint?: string): Error {
  return Object.assign(new Error("duplicate key value violates unique constraint"), { name: "error", code, constraint });
}

describe("mapDatabaseError", () => {
  it.each(UNIQUE_CONSTRAINTS.map((c) => [c.name, c] as const))("names the %s constraint the same on both dialects", (name, constraint) => {
    const fromSqlite = mapDatabaseError(sqliteError(constraint.sqlite.includes(",") ? "SQLITE_CONSTRAINT_UNIQUE" : "SQLITE_CONSTRAINT_PRIMARYKEY", `UNIQUE constraint failed: ${constraint.sqlite}`));
    const fromPostgres = mapDatabaseError(postgresError("23505", constraint.postgres));
    expect(fromSqlite).toBeInstanceOf(UniqueViolationError);
    expect(fromPostgres).toBeInstanceOf(UniqueViolationError);
    expect((fromSqlite as UniqueViolationError).constraint).toBe(name);
    expect((fromPostgres as UniqueViolationError).constraint).toBe(name);
  });

  it("keeps the driver's error as the cause", () => {
    const original = postgresError("23505", "connectors_cluster_id_name_key");
    const mapped = mapDatabaseError(original) as UniqueViolationError;
    expect(mapped.message).toBe("unique constraint connector_name violated");
    expect(mapped.cause).toBe(original);
  });

  it("passes through the name of a constraint it does not know", () => {
    expect((mapDatabaseError(postgresError("23505", "later_added_key")) as UniqueViolationError).constraint).toBe("later_added_key");
    expect((mapDatabaseError(sqliteError("SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed: t.a, t.b")) as UniqueViolationError).constraint).toBe("t.a, t.b");
  });

  it("maps foreign key violations", () => {
    const pg = mapDatabaseError(postgresError("23503", "clusters_environment_id_fkey"));
    expect(pg).toBeInstanceOf(ForeignKeyViolationError);
    expect((pg as ForeignKeyViolationError).constraint).toBe("clusters_environment_id_fkey");
    expect(mapDatabaseError(sqliteError("SQLITE_CONSTRAINT_FOREIGNKEY", "FOREIGN KEY constraint failed"))).toBeInstanceOf(ForeignKeyViolationError);
    // ON DELETE RESTRICT in SQLite.
    expect(mapDatabaseError(sqliteError("SQLITE_CONSTRAINT_TRIGGER", "FOREIGN KEY constraint failed"))).toBeInstanceOf(ForeignKeyViolationError);
  });

  it("leaves every other error alone", () => {
    const others = [sqliteError("SQLITE_BUSY", "database is locked"), sqliteError("SQLITE_CONSTRAINT_TRIGGER", "raised by a trigger"), postgresError("40001"), new Error("x"), "text", null, undefined];
    for (const other of others) expect(mapDatabaseError(other)).toBe(other);
  });
});
