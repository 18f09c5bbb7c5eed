/**
 * What the drivers throw, turned into the store's errors (pure). Only error
 * codes and constraint names are read: SQLite names the columns of a violated
 * unique constraint in its message, PostgreSQL names the constraint.
 */
import { UniqueViolationError } from "./store.js";

/**
 * A foreign key blocked the write: a delete of a row that others still
 * reference (constraints are ON DELETE RESTRICT), or a row that names a
 * missing parent. Services check first; this is the database's backstop.
 */
export class ForeignKeyViolationError extends Error {
  /** The PostgreSQL constraint name; null on SQLite, which does not report it. */
  readonly constraint: string | null;
  constructor(constraint: string | null) {
    super(constraint === null ? "foreign key constraint violated" : `foreign key constraint ${constraint} violated`);
    this.name = "ForeignKeyViolationError";
    this.constraint = constraint;
  }
}

/** Which StoreOptions field a failure to open the store is about. */
export type StoreSetting = "databaseUrl" | "dataDir";

/**
 * The store could not be opened: a one-line message naming the database or
 * directory (never a password). `setting` lets the composition root say
 * which environment variable or flag to fix.
 */
export class StoreOpenError extends Error {
  readonly setting: StoreSetting;
  constructor(setting: StoreSetting, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreOpenError";
    this.setting = setting;
  }
}

interface UniqueConstraint {
  /** The name UniqueViolationError carries. */
  readonly name: string;
  /** PostgreSQL's name for it (migrations name every constraint). */
  readonly postgres: string;
  /** SQLite's message lists `table.column, …`. */
  readonly sqlite: string;
}

export const UNIQUE_CONSTRAINTS: readonly UniqueConstraint[] = [
  { name: "connector_name", postgres: "connectors_cluster_id_name_key", sqlite: "connectors.cluster_id, connectors.name" },
  { name: "environment_id", postgres: "environments_pkey", sqlite: "environments.id" },
  { name: "cluster_id", postgres: "clusters_pkey", sqlite: "clusters.id" },
  { name: "integration_id", postgres: "integrations_pkey", sqlite: "integrations.id" },
  { name: "connector_id", postgres: "connectors_pkey", sqlite: "connectors.id" },
  { name: "api_key_id", postgres: "api_keys_pkey", sqlite: "api_keys.id" },
  { name: "meta_key", postgres: "meta_pkey", sqlite: "meta.key" },
  { name: "service_account_id", postgres: "service_accounts_pkey", sqlite: "service_accounts.id" },
  { name: "service_account_display_name", postgres: "service_accounts_display_name_key", sqlite: "service_accounts.display_name" },
  { name: "role_binding_id", postgres: "role_bindings_pkey", sqlite: "role_bindings.id" },
  { name: "role_binding", postgres: "role_bindings_service_account_id_role_name_scope_key", sqlite: "role_bindings.service_account_id, role_bindings.role_name, role_bindings.scope" },
];

interface DriverError {
  readonly code?: unknown;
  readonly constraint?: unknown;
  readonly message?: unknown;
}

const SQLITE_UNIQUE_PREFIX = "UNIQUE constraint failed: ";
const SQLITE_FOREIGN_KEY_MESSAGE = "FOREIGN KEY constraint failed";

/** The store's error for a driver error, or the error itself when it is not a constraint violation. */
export function mapDatabaseError(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const e = error as DriverError;
  const code = typeof e.code === "string" ? e.code : "";
  if (code === "23505") {
    const constraint = typeof e.constraint === "string" ? e.constraint : "unknown";
    const known = UNIQUE_CONSTRAINTS.find((c) => c.postgres === constraint);
    return withCause(new UniqueViolationError(known?.name ?? constraint), error);
  }
  if (code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY") {
    const message = typeof e.message === "string" ? e.message : "";
    const columns = message.startsWith(SQLITE_UNIQUE_PREFIX) ? message.slice(SQLITE_UNIQUE_PREFIX.length).trim() : "";
    const known = UNIQUE_CONSTRAINTS.find((c) => c.sqlite === columns);
    return withCause(new UniqueViolationError(known?.name ?? (columns === "" ? "unknown" : columns)), error);
  }
  if (code === "23503") {
    return withCause(new ForeignKeyViolationError(typeof e.constraint === "string" ? e.constraint : null), error);
  }
  if (code === "SQLITE_CONSTRAINT_FOREIGNKEY") return withCause(new ForeignKeyViolationError(null), error);
  // ON DELETE RESTRICT is enforced like a trigger in SQLite, with its own code.
  if (code === "SQLITE_CONSTRAINT_TRIGGER" && e.message === SQLITE_FOREIGN_KEY_MESSAGE) return withCause(new ForeignKeyViolationError(null), error);
  return error;
}

function withCause<E extends Error>(mapped: E, cause: unknown): E {
  Object.defineProperty(mapped, "cause", { value: cause, enumerable: false, writable: true, configurable: true });
  return mapped;
}
