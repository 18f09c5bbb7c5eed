/**
 * How long Kafka Connect waits before it gives a departed worker's work to
 * the others: the one worker setting that vaultwire's worker-config snippet
 * (services/worker-config.ts), the status messages (status.ts) and the local
 * stack's workers (src/dev/local-kafka.ts) must agree on. A Kafka Connect
 * fact, so it lives in this layer, which all three may import.
 */

export const REBALANCE_DELAY_PROPERTY = "scheduled.rebalance.max.delay.ms";

/**
 * How long Connect holds the connectors and tasks of a worker that left the
 * group before giving them to the others (Connect's default: 300000, five
 * minutes). Measured with two workers: a killed worker's task ran again after
 * 10–20 s with a low delay and after 310 s with the default. The cost of a
 * short delay: a worker that restarts slower than this has its tasks moved to
 * the others and then partly moved back when it returns (each move is a task
 * restart). 15 s covers a quick restart and keeps an outage short; the worker
 * is noticed gone after `session.timeout.ms` (10 s) before the delay starts.
 */
export const SCHEDULED_REBALANCE_MAX_DELAY_MS = 15_000;
