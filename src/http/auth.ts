/**
 * Failed sign-in attempts, limited per client address (`request.ip`, which
 * names the client behind a trusted proxy) in two ways, each over a fixed
 * window of `windowMs` (60 s) from the first failure:
 *
 * - per (address, API key id): after `maxFailuresPerKey` (10) failures
 *   against key K from address A, K is locked at A: every attempt with K
 *   from A, even with the right secret, gets 429 until the window passes.
 *   Other keys at A, and K from other addresses, keep working, so one
 *   guessing client cannot lock an administrator out.
 * - per address, as an anti-flood guard: after `maxFailuresPerAddress`
 *   (100) failures from A against any keys (or malformed credentials,
 *   which name no key), every API request from A gets 429 until the window
 *   passes. This bounds the scrypt work one address can cause (~47 ms per
 *   wrong secret).
 *
 * Only wrong credentials count; a request without any does not. A success
 * clears its key's count at that address, not the address's count.
 * Locked-out attempts are not verified, so they add nothing. Unknown key ids
 * are counted exactly like known ones, so a 429 does not tell which ids exist.
 */
import { TooManyRequestsError } from "../domain/errors.js";

export const MAX_FAILURES_PER_KEY = 10;
export const MAX_FAILURES_PER_ADDRESS = 100;
export const FAILURE_WINDOW_MS = 60_000;
/** Counters kept at most; past it the oldest are dropped (never all at once, which would unlock everyone). */
const MAX_ENTRIES = 100_000;

export interface FailedAttemptLimits {
  readonly maxFailuresPerKey?: number;
  readonly maxFailuresPerAddress?: number;
  readonly windowMs?: number;
  readonly now?: () => number;
}

interface Entry { count: number; windowStart: number }

export class FailedAttemptLimiter {
  readonly #entries = new Map<string, Entry>();
  readonly #maxPerKey: number;
  readonly #maxPerAddress: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(limits: FailedAttemptLimits = {}) {
    this.#maxPerKey = limits.maxFailuresPerKey ?? MAX_FAILURES_PER_KEY;
    this.#maxPerAddress = limits.maxFailuresPerAddress ?? MAX_FAILURES_PER_ADDRESS;
    this.#windowMs = limits.windowMs ?? FAILURE_WINDOW_MS;
    this.#now = limits.now ?? Date.now;
  }

  /** Throws TooManyRequestsError while the address, or this key at this address, is locked out. */
  check(address: string, keyId: string | undefined): void {
    const perAddress = this.#remainingLock(addressKey(address), this.#maxPerAddress);
    if (perAddress !== null) {
      throw new TooManyRequestsError(`too many failed authentication attempts from this address; retry in ${perAddress} s`, perAddress);
    }
    if (keyId === undefined) return;
    const perKey = this.#remainingLock(pairKey(address, keyId), this.#maxPerKey);
    if (perKey !== null) {
      throw new TooManyRequestsError(`too many failed authentication attempts with this API key from this address; retry in ${perKey} s`, perKey);
    }
  }

  /** A wrong credential from `address`; `keyId` is the Basic user name, when the header had one. */
  fail(address: string, keyId: string | undefined): void {
    this.#count(addressKey(address));
    if (keyId !== undefined) this.#count(pairKey(address, keyId));
  }

  succeed(address: string, keyId: string | undefined): void {
    if (keyId !== undefined) this.#entries.delete(pairKey(address, keyId));
  }

  /** Seconds until the entry's window ends, when it is at its limit; null when not locked. */
  #remainingLock(key: string, max: number): number | null {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    const elapsed = this.#now() - entry.windowStart;
    if (elapsed >= this.#windowMs) {
      this.#entries.delete(key);
      return null;
    }
    return entry.count >= max ? Math.ceil((this.#windowMs - elapsed) / 1000) : null;
  }

  #count(key: string): void {
    const now = this.#now();
    const entry = this.#entries.get(key);
    if (entry && now - entry.windowStart < this.#windowMs) {
      entry.count++;
      return;
    }
    this.#entries.delete(key);
    this.#entries.set(key, { count: 1, windowStart: now });
    // Map order is insertion order: the first entries are the oldest windows.
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= MAX_ENTRIES) break;
      this.#entries.delete(oldest);
    }
  }
}

function addressKey(address: string): string {
  return `a\u0000${address}`;
}

function pairKey(address: string, keyId: string): string {
  return `k\u0000${address}\u0000${keyId}`;
}

/**
 * The key id (Basic user name) an Authorization header names, parsed the way
 * the API key service parses it; undefined when it names none.
 */
export function basicKeyId(authorization: string | undefined): string | undefined {
  if (authorization === undefined || !/^Basic\s+/i.test(authorization)) return undefined;
  const decoded = Buffer.from(authorization.replace(/^Basic\s+/i, "").trim(), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon <= 0 || decoded.length > 512) return undefined;
  return decoded.slice(0, colon);
}
