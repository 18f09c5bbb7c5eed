/**
 * Secrets seen coming to their expiry: which keys of a connector use a secret
 * that expires within the warning window, as status warnings naming the key,
 * the secret's identifier and the date (never a value). Pure: the clock and
 * the window come in.
 */
import type { StatusWarning } from "../../domain/resources.js";

/** The default warning window: 30 days (VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS). */
export const DEFAULT_EXPIRY_WARNING_DAYS = 30;
export const DAY_MS = 86_400_000;

/** One key of a connector whose secret has a known expiry. */
export interface KeyExpiry {
  readonly key: string;
  /** The identifier as the config names it (with its JSON key, if any). */
  readonly identifier: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/** "in 12 days", "in 5 hours", "in less than an hour". */
export function timeLeft(ms: number): string {
  if (ms >= 2 * DAY_MS) return `in ${Math.floor(ms / DAY_MS)} days`;
  if (ms >= DAY_MS) return "in 1 day";
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 2) return `in ${hours} hours`;
  return hours === 1 ? "in 1 hour" : "in less than an hour";
}

/**
 * A warning per key whose secret expires within `windowMs` of `nowMs`,
 * soonest first. A secret already expired gets none: resolving it fails the
 * connector (SECRET_EXPIRED) before it is used. `windowMs` 0: no warnings.
 */
export function expiryWarnings(keys: readonly KeyExpiry[], nowMs: number, windowMs: number, managerName: string): StatusWarning[] {
  if (windowMs <= 0) return [];
  const warnings: { at: number; warning: StatusWarning }[] = [];
  for (const { key, identifier, expiresAt } of keys) {
    const at = Date.parse(expiresAt);
    if (Number.isNaN(at) || at <= nowMs || at - nowMs > windowMs) continue;
    const date = new Date(at).toISOString();
    warnings.push({
      at,
      warning: {
        code: "SECRET_NEAR_EXPIRY",
        key,
        secret: identifier,
        expiresAt: date,
        message: `${key} (${identifier}): the secret expires at ${date} (${timeLeft(at - nowMs)}); store a new version or extend its expiration date in ${managerName} before then: once it has expired, vaultwire fails the connector instead of using it`,
      },
    });
  }
  return warnings.sort((a, b) => a.at - b.at || a.warning.key.localeCompare(b.warning.key)).map((w) => w.warning);
}

/** Whether two warning lists say the same (the date of each, not the time left, which changes every pass). */
export function sameWarnings(a: readonly StatusWarning[] | undefined, b: readonly StatusWarning[] | undefined): boolean {
  const left = a ?? [];
  const right = b ?? [];
  return left.length === right.length && left.every((w, i) => w.key === right[i]?.key && w.secret === right[i].secret && w.expiresAt === right[i].expiresAt && w.message === right[i].message);
}
