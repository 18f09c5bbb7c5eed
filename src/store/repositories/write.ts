import { mapDatabaseError } from "../errors.js";

/** Runs a statement and rethrows a constraint violation as the store's error. */
export async function write<T>(statement: () => Promise<T>): Promise<T> {
  try {
    return await statement();
  } catch (error) {
    throw mapDatabaseError(error);
  }
}

/** `count(*)` arrives as a number from SQLite and as a bigint string from PostgreSQL. */
export function toCount(value: string | number | bigint | undefined): number {
  return value === undefined ? 0 : Number(value);
}
