/**
 * The migrations, in code (no files read at run time, so the built package
 * needs nothing beside its .js files). Kysely runs them in name order; names
 * are `NNNN-what`, and a released migration is never edited.
 */
import type { Migration, MigrationProvider } from "kysely";
import type { StoreDialect } from "../schema.js";
import { initialMigration } from "./0001-initial.js";
import { workerCredentialsMigration } from "./0002-worker-credentials.js";

export function migrationsFor(dialect: StoreDialect): Record<string, Migration> {
  return {
    "0001-initial": initialMigration(dialect),
    "0002-worker-credentials": workerCredentialsMigration(dialect),
  };
}

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    getMigrations: () => Promise.resolve(migrationsFor(dialect)),
  };
}
