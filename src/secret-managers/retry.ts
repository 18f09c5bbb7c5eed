/**
 * Bounded exponential backoff with full jitter, within an overall deadline.
 * The caller classifies each failure; a delay the service asked for
 * (Retry-After) takes precedence over the computed one.
 */

export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 200, maxDelayMs: 8_000 };

export type RetryDecision = { readonly retry: false } | { readonly retry: true; readonly afterMs?: number };

export interface RetryOptions {
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly classify: (error: unknown) => RetryDecision;
  readonly random?: () => number;
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Called before each wait, for logs and metrics (never with secret data). */
  readonly onRetry?: (attempt: number, delayMs: number, error: unknown) => void;
}

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (options.signal.aborted || attempt >= options.policy.maxAttempts) throw error;
      const decision = options.classify(error);
      if (!decision.retry) throw error;
      const exponential = Math.min(options.policy.maxDelayMs, options.policy.baseDelayMs * 2 ** (attempt - 1));
      const delay = decision.afterMs !== undefined ? Math.min(decision.afterMs, options.policy.maxDelayMs * 4) : Math.round(random() * exponential);
      options.onRetry?.(attempt, delay, error);
      await sleep(delay, options.signal).catch(() => {
        throw error;
      });
    }
  }
}

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
