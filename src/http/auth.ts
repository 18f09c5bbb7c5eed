/**
 * Authentication for every API route, with failed attempts limited per
 * client address: after `maxFailures` within `windowMs`, further attempts
 * from that address get 429 until the window passes.
 */
import { TooManyRequestsError } from "../domain/errors.js";

export class FailedAttemptLimiter {
  readonly #attempts = new Map<string, { count: number; windowStart: number }>();

  constructor(private readonly maxFailures = 10, private readonly windowMs = 60_000, private readonly now: () => number = Date.now) {}

  /** Throws TooManyRequestsError while the address is locked out. */
  check(address: string): void {
    const entry = this.#attempts.get(address);
    if (!entry) return;
    const elapsed = this.now() - entry.windowStart;
    if (elapsed >= this.windowMs) {
      this.#attempts.delete(address);
      return;
    }
    if (entry.count >= this.maxFailures) {
      const seconds = Math.ceil((this.windowMs - elapsed) / 1000);
      throw new TooManyRequestsError(`too many failed authentication attempts from this address; retry in ${seconds} s`, seconds);
    }
  }

  fail(address: string): void {
    const now = this.now();
    const entry = this.#attempts.get(address);
    if (!entry || now - entry.windowStart >= this.windowMs) this.#attempts.set(address, { count: 1, windowStart: now });
    else entry.count++;
    if (this.#attempts.size > 100_000) this.#attempts.clear();
  }

  succeed(address: string): void {
    this.#attempts.delete(address);
  }
}
