/** What every service needs: the store, a clock and id generation (narrowed per service with Pick). */
import { newId as generateId, type IdKind } from "../domain/ids.js";
import type { Store } from "../store/store.js";

export interface ServiceContext {
  readonly store: Store;
  /** ISO-8601 UTC timestamp of now. */
  readonly now: () => string;
  readonly newId: (kind: IdKind) => string;
}

export function defaultServiceContext(store: Store): ServiceContext {
  return { store, now: () => new Date().toISOString(), newId: (kind) => generateId(kind) };
}
