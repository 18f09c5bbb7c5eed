/** Caps how many tasks run at once per key (e.g. per vault), queueing the rest in order. */
export class KeyedConcurrencyLimiter {
  readonly #active = new Map<string, number>();
  readonly #queues = new Map<string, (() => void)[]>();

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError("concurrency limit must be a positive integer");
  }

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    await this.#acquire(key);
    try {
      return await task();
    } finally {
      this.#release(key);
    }
  }

  /** Tasks running now for a key (for tests and metrics). */
  active(key: string): number {
    return this.#active.get(key) ?? 0;
  }

  #acquire(key: string): Promise<void> {
    const active = this.#active.get(key) ?? 0;
    if (active < this.limit) {
      this.#active.set(key, active + 1);
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const queue = this.#queues.get(key) ?? [];
      queue.push(resolve);
      this.#queues.set(key, queue);
    });
  }

  #release(key: string): void {
    const next = this.#queues.get(key)?.shift();
    if (next) {
      next();
      return;
    }
    this.#queues.delete(key);
    const active = (this.#active.get(key) ?? 1) - 1;
    if (active <= 0) this.#active.delete(key);
    else this.#active.set(key, active);
  }
}
