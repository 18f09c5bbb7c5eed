/**
 * The migrations, in code (no files read at run time, so the built package
 * needs nothing beside its .js files). Kysely runs them in name order; names
 * are `NNNN-what`, and a released migration is never edited.
 */
import type { Migration, MigrationProvider } from "kysely";
import type { StoreDialect } from "../schema.js";
import { initialMigration } from "./0001-initial.js";
import { workerCredentialsMigration } from "./0002-worker-credentials.js";
import { runtimeStateMigration } from "./0003-runtime-state.js";
import { eventSubscriptionsMigration } from "./0005-event-subscriptions.js";
import { identityMigration } from "./0007-identity.js";
import { connectorOffsetRequestsMigration } from "./0008-connector-offset-requests.js";
import { auditMigration } from "./0009-audit.js";

export function migrationsFor(dialect: StoreDialect): Record<string, Migration> {
  return {
    "0001-initial": initialMigration(dialect),
    "0002-worker-credentials": workerCredentialsMigration(dialect),
    "0003-runtime-state": runtimeStateMigration(dialect),
    "0005-event-subscriptions": eventSubscriptionsMigration(dialect),
    "0007-identity": identityMigration(dialect),
    "0008-connector-offset-requests": connectorOffsetRequestsMigration(dialect),
    "0009-audit": auditMigration(dialect),
  };
}

export function migrationProvider(dialect: StoreDialect): MigrationProvider {
  return {
    getMigrations: () => Promise.resolve(migrationsFor(dialect)),
  };
}
