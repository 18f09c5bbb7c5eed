/**
 * What happens to a vault's traffic besides the API itself: request counters,
 * a throttle (N transactions per sliding 10 s, like the service limit), and
 * injected faults (latency, failing the next K requests with a 5xx, dropping
 * the next K connections). The clock is injected.
 */

export const THROTTLE_WINDOW_MS = 10_000;

export interface ThrottleSettings {
  readonly limitPer10Seconds: number;
  /**
   * Omitted: the 429 has no Retry-After header (real 429s may lack it).
   * A number: that many seconds, always. "window": the whole seconds until
   * the sliding window has room for one more request (at least 1).
   */
  readonly retryAfterSeconds?: number | "window";
}

export interface FaultSettings {
  readonly latencyMs?: number;
  readonly failNext?: { readonly count: number; readonly status: number };
  readonly dropNext?: number;
}

export interface RequestCounts {
  readonly total: number;
  readonly byOperation: Record<string, number>;
}

export type FaultDecision = { readonly kind: "none" } | { readonly kind: "drop" } | { readonly kind: "fail"; readonly status: number };

export class VaultTraffic {
  private throttle: ThrottleSettings | null = null;
  private admitted: number[] = [];
  private latencyMs = 0;
  private failNext: { count: number; status: number } | null = null;
  private dropNext = 0;
  private total = 0;
  private byOperation = new Map<string, number>();

  constructor(private readonly nowMs: () => number) {}

  setThrottle(settings: ThrottleSettings | null): void {
    this.throttle = settings;
    this.admitted = [];
  }

  throttleSettings(): ThrottleSettings | null {
    return this.throttle;
  }

  /** Replaces all faults (null clears them). */
  setFaults(settings: FaultSettings | null): void {
    this.latencyMs = settings?.latencyMs ?? 0;
    const fail = settings?.failNext;
    this.failNext = fail && fail.count > 0 ? { count: fail.count, status: fail.status } : null;
    this.dropNext = settings?.dropNext ?? 0;
  }

  faultSettings(): FaultSettings {
    return {
      latencyMs: this.latencyMs,
      ...(this.failNext ? { failNext: { ...this.failNext } } : {}),
      dropNext: this.dropNext,
    };
  }

  latency(): number {
    return this.latencyMs;
  }

  /** Consumes one pending drop, else one pending failure. */
  takeFault(): FaultDecision {
    if (this.dropNext > 0) {
      this.dropNext--;
      return { kind: "drop" };
    }
    if (this.failNext) {
      const { status } = this.failNext;
      this.failNext.count--;
      if (this.failNext.count <= 0) this.failNext = null;
      return { kind: "fail", status };
    }
    return { kind: "none" };
  }

  /** Admits the request unless the window is full; throttled requests do not use up the window. */
  admit(): { readonly admitted: true } | { readonly admitted: false; readonly retryAfterSeconds: number | undefined } {
    if (!this.throttle) return { admitted: true };
    const now = this.nowMs();
    this.admitted = this.admitted.filter((t) => t > now - THROTTLE_WINDOW_MS);
    if (this.admitted.length >= this.throttle.limitPer10Seconds) return { admitted: false, retryAfterSeconds: this.retryAfter(now) };
    this.admitted.push(now);
    return { admitted: true };
  }

  private retryAfter(now: number): number | undefined {
    const setting = this.throttle?.retryAfterSeconds;
    if (setting !== "window") return setting;
    // `admitted` is in arrival order; one slot frees when the oldest request
    // beyond the other limit-1 leaves the window.
    const limit = this.throttle?.limitPer10Seconds ?? 0;
    const freeing = this.admitted[this.admitted.length - limit];
    if (freeing === undefined) return Math.ceil(THROTTLE_WINDOW_MS / 1000);
    return Math.max(1, Math.ceil((freeing + THROTTLE_WINDOW_MS - now) / 1000));
  }

  count(operation: string): void {
    this.total++;
    this.byOperation.set(operation, (this.byOperation.get(operation) ?? 0) + 1);
  }

  counts(): RequestCounts {
    return { total: this.total, byOperation: Object.fromEntries(this.byOperation) };
  }

  resetCounts(): void {
    this.total = 0;
    this.byOperation = new Map();
  }
}
