/**
 * An in-memory cache with a time to live and single flight: concurrent
 * requests for one key share one load. Failed loads are not cached. Nothing is
 * ever written anywhere but this process's memory.
 */

export interface SecretCacheOptions {
  readonly ttlMs: number;
  /** Oldest entries are evicted beyond this. */
  readonly maxEntries: number;
  readonly now?: () => number;
}

interface Entry<V> {
  readonly value: V;
  readonly expiresAt: number;
}

export class SecretCache<V> {
  readonly #entries = new Map<string, Entry<V>>();
  readonly #inFlight = new Map<string, Promise<V>>();
  readonly #options: Required<SecretCacheOptions>;

  constructor(options: SecretCacheOptions) {
    this.#options = { now: Date.now, ...options };
  }

  /**
   * The cached value, or the shared in-flight load, or a new load. `fresh`:
   * never the cached value (a load already in flight is read live too, so it
   * is shared); the new value replaces the cached one.
   */
  async get(key: string, load: () => Promise<V>, options: { fresh?: boolean } = {}): Promise<V> {
    const entry = this.#entries.get(key);
    if (options.fresh !== true && entry && entry.expiresAt > this.#options.now()) return entry.value;
    const pending = this.#inFlight.get(key);
    if (pending) return pending;
    const promise = (async () => {
      try {
        const value = await load();
        this.#store(key, value);
        return value;
      } finally {
        this.#inFlight.delete(key);
      }
    })();
    this.#inFlight.set(key, promise);
    return promise;
  }

  /** Whether a fresh value is cached (for metrics and tests). */
  has(key: string): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > this.#options.now();
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  /** Drops every key for which `match` is true, e.g. all of one integration's secrets. */
  deleteWhere(match: (key: string) => boolean): void {
    for (const key of [...this.#entries.keys()]) if (match(key)) this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }

  #store(key: string, value: V): void {
    if (this.#options.ttlMs <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.#options.now() + this.#options.ttlMs });
    while (this.#entries.size > this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
  }
}
