/**
 * Assumed-role sessions per provider integration, in memory only: reused
 * until a margin before they expire, one AssumeRole in flight per key.
 */
import type { AwsSession } from "./aws-port.js";

export class SessionCache {
  readonly #sessions = new Map<string, AwsSession>();
  readonly #inFlight = new Map<string, Promise<AwsSession>>();

  constructor(private readonly options: { readonly refreshMarginMs: number; readonly now: () => number }) {}

  /** The cached session while it has more than the margin left, else the shared in-flight or a new AssumeRole. */
  get(key: string, assume: () => Promise<AwsSession>, options: { fresh?: boolean } = {}): Promise<AwsSession> {
    const session = this.#sessions.get(key);
    if (options.fresh !== true && session && session.expiration.getTime() - this.options.refreshMarginMs > this.options.now()) return Promise.resolve(session);
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const promise = (async () => {
      try {
        const fresh = await assume();
        this.#sessions.set(key, fresh);
        return fresh;
      } finally {
        this.#inFlight.delete(key);
      }
    })();
    this.#inFlight.set(key, promise);
    return promise;
  }

  /** Drops one session, e.g. one AWS said had expired; `only`: unless it was already replaced. */
  drop(key: string, only?: AwsSession): void {
    if (only === undefined || this.#sessions.get(key) === only) this.#sessions.delete(key);
  }

  deleteWhere(match: (key: string) => boolean): void {
    for (const key of [...this.#sessions.keys()]) if (match(key)) this.#sessions.delete(key);
  }

  clear(): void {
    this.#sessions.clear();
  }
}
