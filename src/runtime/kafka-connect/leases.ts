/**
 * Per-Kafka-cluster leases: which replica does a cluster's background work
 * (deploys, status polling, orphan removal, rotation checks). Every replica
 * tries to take or renew the lease of every cluster every `ttlMs / 4`; the
 * store decides (by the database's clock) and hands out a fencing token that
 * grows at each takeover.
 *
 * Fencing: a replica counts a lease as its own only until `ttlMs - margin`
 * after it *sent* the renewal, by its own monotonic clock. The store's expiry
 * is at least `ttlMs` after the statement ran, so the old owner has stopped
 * acting (by `margin`) before any other replica can take the lease; its
 * writes of runtime state carry the token and land only while it still holds.
 * A killed owner is replaced within `ttlMs + ttlMs / 4` (12.5 s by default).
 */
import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Logger } from "pino";
import type { Fence, Store } from "../../store/store.js";

/** How long a lease lasts without renewal. */
export const LEASE_TTL_MS = 10_000;

export interface LeaseKeeperOptions {
  readonly store: Pick<Store, "leases" | "clusters">;
  /** This replica's name in the lease table (VAULTWIRE_REPLICA_ID); `defaultReplicaId()` otherwise. */
  readonly holder: string;
  readonly ttlMs?: number;
  readonly logger: Logger;
  /** A monotonic clock in milliseconds (tests). */
  readonly clock?: () => number;
}

export interface LeaseKeeper {
  readonly holder: string;
  readonly ttlMs: number;
  /** The fence of a cluster this replica may act on now, or null. */
  fence(clusterId: string): Fence | null;
  /** The clusters this replica may act on now. */
  owned(): readonly string[];
  /** One round: take or renew every cluster's lease; calls the listeners for what changed. */
  tick(): Promise<void>;
  /** Resolves once a first round has run (running one when none has). */
  ready(): Promise<void>;
  /** Called with a cluster this replica just took (after a start, a takeover or a failover). */
  onAcquired(listener: (clusterId: string) => void): void;
  /** Called with a cluster this replica no longer holds (taken over, expired, or the cluster is gone). */
  onLost(listener: (clusterId: string) => void): void;
  start(): void;
  /** Stops renewing and releases every lease, so another replica takes over at once. */
  stop(): Promise<void>;
}

export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`;
}

/** The error a fenced action throws when its replica no longer holds the cluster. */
export class LeaseLostError extends Error {
  constructor(readonly clusterId: string) {
    super(`this replica no longer holds the lease of Kafka cluster "${clusterId}"`);
    this.name = "LeaseLostError";
  }
}

export function createLeaseKeeper(options: LeaseKeeperOptions): LeaseKeeper {
  const ttlMs = options.ttlMs ?? LEASE_TTL_MS;
  const margin = Math.max(250, Math.round(ttlMs / 5));
  const clock = options.clock ?? (() => performance.now());
  const held = new Map<string, { token: number; validUntil: number }>();
  const acquired: ((clusterId: string) => void)[] = [];
  const lost: ((clusterId: string) => void)[] = [];
  let timer: NodeJS.Timeout | null = null;
  let ticking: Promise<void> | null = null;
  let stopped = false;
  let first: Promise<void> | null = null;

  function drop(clusterId: string, why: string): void {
    if (!held.delete(clusterId)) return;
    options.logger.info({ cluster: clusterId, holder: options.holder, why }, "lease lost: this replica stops acting on the Kafka cluster");
    for (const listener of lost) listener(clusterId);
  }

  function valid(clusterId: string): { token: number; validUntil: number } | null {
    const entry = held.get(clusterId);
    if (!entry) return null;
    if (entry.validUntil <= clock()) {
      drop(clusterId, "not renewed in time");
      return null;
    }
    return entry;
  }

  async function round(): Promise<void> {
    let clusters: readonly { id: string }[];
    try {
      clusters = await options.store.clusters.listAll();
    } catch (error) {
      options.logger.warn({ err: (error as Error).message }, "leases: the store did not answer; leases held lapse unless renewed");
      for (const id of [...held.keys()]) valid(id);
      return;
    }
    const present = new Set(clusters.map((c) => c.id));
    for (const id of [...held.keys()]) if (!present.has(id)) drop(id, "the cluster was deleted");
    await Promise.all(clusters.map(async ({ id }) => {
      const sentAt = clock();
      let token: number | null;
      try {
        token = await options.store.leases.acquire(id, options.holder, ttlMs);
      } catch (error) {
        options.logger.warn({ cluster: id, err: (error as Error).message }, "leases: could not renew");
        valid(id);
        return;
      }
      if (stopped) return;
      if (token === null) {
        drop(id, "another replica holds it");
        return;
      }
      const previous = held.get(id);
      held.set(id, { token, validUntil: sentAt + ttlMs - margin });
      if (!previous || previous.token !== token) {
        options.logger.info({ cluster: id, holder: options.holder, token }, "lease acquired: this replica runs the Kafka cluster's background work");
        for (const listener of acquired) listener(id);
      }
    }));
  }

  return {
    holder: options.holder,
    ttlMs,
    fence(clusterId) {
      const entry = valid(clusterId);
      return entry ? { clusterId, holder: options.holder, token: entry.token } : null;
    },
    owned() {
      return [...held.keys()].filter((id) => valid(id) !== null);
    },
    tick() {
      ticking ??= round().finally(() => { ticking = null; });
      first ??= ticking;
      return ticking;
    },
    ready() {
      return first ?? this.tick();
    },
    onAcquired(listener) { acquired.push(listener); },
    onLost(listener) { lost.push(listener); },
    start() {
      stopped = false;
      void this.tick();
      timer = setInterval(() => { void this.tick(); }, Math.max(50, Math.round(ttlMs / 4)));
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = null;
      await ticking?.catch(() => undefined);
      const fences = [...held].map(([clusterId, { token }]) => ({ clusterId, holder: options.holder, token }));
      held.clear();
      await Promise.all(fences.map((fence) => options.store.leases.release(fence).catch(() => undefined)));
    },
  };
}
