/**
 * The Prometheus registry of a server and the metrics of services that know
 * nothing of Prometheus: they report through a callback (a port), and this
 * turns the reports into counters. Labels are classes only — never an id, a
 * key or a value (ids would make the series unbounded; values are secrets) —
 * except the expiry gauge's, which name each referenced secret: bounded by
 * what connectors reference, and identifiers are not secrets.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from "prom-client";
import { SECRET_EVENT_OUTCOMES, type SecretEventOutcome } from "../services/secret-events.js";
import type { AuditWriteReport } from "../services/audit-trail.js";
import { WORKER_DELIVERY_OUTCOMES, type WorkerDeliveryReport } from "../services/worker-delivery.js";

/** A registry with Node's default metrics, for createHttpApp and the services' metrics. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * `vaultwire_worker_secret_requests_total{outcome}`: the workers'
 * ConfigProvider requests by outcome (served, or why not), and
 * `vaultwire_worker_secret_lookup_failures_total{kind}`: the secret lookups
 * that failed while serving them (transient: worth retrying; permanent: a
 * missing secret, a permission, a bad identifier). Every series starts at 0.
 */
export function workerDeliveryMetrics(registry: Registry): (report: WorkerDeliveryReport) => void {
  const requests = new Counter({ name: "vaultwire_worker_secret_requests_total", help: "Secret requests from Kafka Connect workers, by outcome", labelNames: ["outcome"], registers: [registry] });
  const lookupFailures = new Counter({ name: "vaultwire_worker_secret_lookup_failures_total", help: "Secret lookups that failed while serving Kafka Connect workers, by kind", labelNames: ["kind"], registers: [registry] });
  for (const outcome of WORKER_DELIVERY_OUTCOMES) requests.inc({ outcome }, 0);
  for (const kind of ["transient", "permanent"]) lookupFailures.inc({ kind }, 0);
  return (report) => {
    requests.inc({ outcome: report.outcome });
    for (const failure of report.failedLookups) lookupFailures.inc({ kind: failure.transient ? "transient" : "permanent" });
  };
}

/**
 * `vaultwire_secret_events_total{outcome}`: Key Vault events pushed by Event
 * Grid, by what came of them (queued for a rotation check, a duplicate, a
 * secret no connector uses, …) and the deliveries refused (unauthenticated,
 * unknown subscription, unknown vault, malformed). Every series starts at 0.
 */
export function secretEventMetrics(registry: Registry): (outcome: SecretEventOutcome, count: number) => void {
  const events = new Counter({ name: "vaultwire_secret_events_total", help: "Key Vault events pushed by Event Grid, by outcome", labelNames: ["outcome"], registers: [registry] });
  for (const outcome of SECRET_EVENT_OUTCOMES) events.inc({ outcome }, 0);
  return (outcome, count) => { events.inc({ outcome }, count); };
}

/** One secret a connector references, with its known expiry (identifiers only). */
export interface SecretExpiryReading {
  readonly integrationId: string;
  /** The identifier without a JSON key; never a value. */
  readonly secret: string;
  /** ISO 8601. */
  readonly expiresAt: string;
}

/**
 * `vaultwire_secret_expiry_seconds{integration, secret}`: seconds until each
 * referenced secret expires (negative once it has), read at every scrape from
 * `read` (the connectors of the clusters this replica holds). A secret no
 * connector references any more, or without an expiry, has no series.
 */
export function secretExpiryMetrics(registry: Registry, read: () => readonly SecretExpiryReading[], now: () => number = Date.now): void {
  new Gauge({
    name: "vaultwire_secret_expiry_seconds",
    help: "Seconds until a secret referenced by a connector expires (negative: expired), per provider integration and secret identifier",
    labelNames: ["integration", "secret"],
    registers: [registry],
    collect() {
      this.reset();
      const at = now();
      for (const reading of read()) {
        const expiresAt = Date.parse(reading.expiresAt);
        if (!Number.isNaN(expiresAt)) this.set({ integration: reading.integrationId, secret: reading.secret }, Math.round((expiresAt - at) / 1000));
      }
    },
  });
}

/**
 * `vaultwire_audit_events_total{result}`: audit events written to the store,
 * lost because a write failed, or dropped because the queue was full
 * (decision 42). Every series starts at 0.
 */
export function auditTrailMetrics(registry: Registry): (report: AuditWriteReport) => void {
  const events = new Counter({ name: "vaultwire_audit_events_total", help: "Audit events by what became of them: written, failed (a write failed) or dropped (queue full)", labelNames: ["result"], registers: [registry] });
  for (const result of ["written", "failed", "dropped"]) events.inc({ result }, 0);
  return (report) => {
    if (report.written > 0) events.inc({ result: "written" }, report.written);
    if (report.failed > 0) events.inc({ result: "failed" }, report.failed);
    if (report.dropped > 0) events.inc({ result: "dropped" }, report.dropped);
  };
}
