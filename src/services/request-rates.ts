/**
 * Secret-manager requests per minute, per vault (Azure Key Vault) or region
 * (AWS Secrets Manager), as this replica made them: a ring buffer of the last
 * `minutes` minutes per target, fed by the managers' onRequest callbacks
 * (every attempt, retries included). So an operator sees throttling coming
 * (Key Vault allows about 4,000 GETs per 10 s per vault). Per replica and in
 * memory: it starts empty on each start, and several replicas each count
 * their own.
 */
import type { SecretManagerKind } from "../domain/secret-managers.js";

export interface RequestRateMinute {
  /** The minute's start, ISO-8601 UTC. */
  readonly minute: string;
  readonly requests: number;
  /** Answered 429 (throttled). */
  readonly throttled: number;
  /** Any other failure. */
  readonly failed: number;
}

export interface RequestRateSeries {
  readonly manager: SecretManagerKind;
  /** A vault URI or an AWS region: where the requests went, never what they carried. */
  readonly target: string;
  /** Oldest first, one entry per minute of the window, zeros included. */
  readonly minutes: readonly RequestRateMinute[];
}

export interface RequestRates {
  /** One request attempt and its outcome ("ok", or the error class such as THROTTLED). */
  count(manager: SecretManagerKind, target: string, outcome: string): void;
  /** The window up to the current minute, every target seen in it. */
  snapshot(): { readonly windowMinutes: number; readonly series: readonly RequestRateSeries[] };
}

interface Slot { minute: number; requests: number; throttled: number; failed: number }

const MINUTE_MS = 60_000;
/** Beyond this many targets the oldest is forgotten (a bound on memory, not a limit anyone should reach). */
const MAX_TARGETS = 500;

export function createRequestRates(options: { readonly minutes?: number; readonly now?: () => number } = {}): RequestRates {
  const windowMinutes = options.minutes ?? 60;
  const now = options.now ?? Date.now;
  const rings = new Map<string, { manager: SecretManagerKind; target: string; slots: Slot[] }>();
  return {
    count(manager, target, outcome) {
      const minute = Math.floor(now() / MINUTE_MS);
      const id = `${manager} ${target}`;
      let ring = rings.get(id);
      if (!ring) {
        if (rings.size >= MAX_TARGETS) {
          const oldest = rings.keys().next().value;
          if (oldest !== undefined) rings.delete(oldest);
        }
        ring = { manager, target, slots: Array.from({ length: windowMinutes }, () => ({ minute: -1, requests: 0, throttled: 0, failed: 0 })) };
        rings.set(id, ring);
      }
      const slot = ring.slots[minute % windowMinutes];
      if (!slot) return;
      if (slot.minute !== minute) Object.assign(slot, { minute, requests: 0, throttled: 0, failed: 0 });
      slot.requests++;
      if (outcome === "THROTTLED") slot.throttled++;
      else if (outcome !== "ok") slot.failed++;
    },
    snapshot() {
      const current = Math.floor(now() / MINUTE_MS);
      const first = current - windowMinutes + 1;
      const series: RequestRateSeries[] = [];
      for (const ring of rings.values()) {
        const byMinute = new Map(ring.slots.filter((s) => s.minute >= first && s.minute <= current).map((s) => [s.minute, s]));
        if (byMinute.size === 0) continue;
        series.push({
          manager: ring.manager,
          target: ring.target,
          minutes: Array.from({ length: windowMinutes }, (_, i) => {
            const slot = byMinute.get(first + i);
            return { minute: new Date((first + i) * MINUTE_MS).toISOString(), requests: slot?.requests ?? 0, throttled: slot?.throttled ?? 0, failed: slot?.failed ?? 0 };
          }),
        });
      }
      series.sort((a, b) => (a.manager === b.manager ? a.target.localeCompare(b.target) : a.manager.localeCompare(b.manager)));
      return { windowMinutes, series };
    },
  };
}
