/**
 * Whether the Connect workers a listing names still answer. After a worker
 * dies (kill -9, a lost VM), Connect keeps reporting its connectors and
 * tasks RUNNING on it until `scheduled.rebalance.max.delay.ms` has passed;
 * a cheap `GET http://<worker_id>/` per distinct worker, once per pass,
 * tells vaultwire the truth in the meantime.
 *
 * A worker is *unresponsive* only when the connection itself failed (refused,
 * reset, unreachable, or no answer within the probe's timeout). Anything else
 * is *unknown* and changes nothing: a host the Connect host policy refuses
 * (never called), a name that does not resolve, a TLS error, a worker id that
 * is not a plain `host:port`. And when no named worker answered at all while
 * the cluster's own URLs are none of them, vaultwire probably cannot reach
 * workers by their advertised addresses (a load balancer in front, internal
 * names): then every probe counts as unknown, so such a setup never shows
 * every connector DEGRADED.
 */
import { checkConnectUrl, type ConnectHostPolicy } from "../../domain/connect-host-policy.js";
import type { ConnectClient, ExpandedConnector } from "./client.js";
import { ConnectHostRefusedError, type ConnectTransport } from "./guarded-http.js";

export type WorkerLiveness = "alive" | "unresponsive" | "unknown";

/** Per probe: short, so a dead worker costs a pass at most this long. */
export const WORKER_PROBE_TIMEOUT_MS = 2_000;

/** At most this many workers are probed per cluster and pass (a listing is Connect's text, not ours). */
export const MAX_PROBED_WORKERS = 64;

/** `host:port` or `[v6]:port`, nothing else: a worker id is put in a URL as it is. */
const WORKER_ID = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,252})|\[[0-9A-Fa-f:.]{2,45}\]):[0-9]{1,5}$/;

/** What the transport's errors say when nothing is listening or the host is gone. */
const CONNECTION_FAILED = new Set(["ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "EHOSTDOWN", "ETIMEDOUT", "EPIPE", "ECONNABORTED"]);

export interface WorkerProbeOptions {
  readonly hosts: ConnectHostPolicy;
  /** The Connect client's transport (guarded-http.ts), so the probe goes through the same DNS check. */
  readonly transport: ConnectTransport;
  /** `http:` or `https:`, as the cluster's Connect URLs use. */
  readonly scheme?: string;
  readonly timeoutMs?: number;
}

/** One `GET http://<worker_id>/`: any HTTP answer means the worker's REST server is up. */
export async function probeWorker(workerId: string, options: WorkerProbeOptions): Promise<WorkerLiveness> {
  if (!WORKER_ID.test(workerId)) return "unknown";
  const url = `${options.scheme === "https:" ? "https:" : "http:"}//${workerId}/`;
  // A worker host the policy refuses is not called at all; it may well be alive.
  if (!checkConnectUrl(options.hosts, url).allowed) return "unknown";
  try {
    await options.transport(url, { method: "GET", headers: { accept: "application/json" }, signal: AbortSignal.timeout(options.timeoutMs ?? WORKER_PROBE_TIMEOUT_MS) });
    return "alive";
  } catch (error) {
    if (error instanceof ConnectHostRefusedError) return "unknown";
    const name = (error as Error | undefined)?.name;
    if (name === "TimeoutError" || name === "AbortError") return "unresponsive";
    const code = (error as { code?: unknown } | undefined)?.code ?? (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
    if (typeof code === "string" && CONNECTION_FAILED.has(code)) return "unresponsive";
    if ((error as Error | undefined)?.message === "socket hang up") return "unresponsive";
    return "unknown";
  }
}

/** Every distinct worker id a listing names for a connector or a task, in the order first named. */
export function workerIdsOf(entries: Iterable<ExpandedConnector>): string[] {
  const ids = new Set<string>();
  for (const { status } of entries) {
    for (const part of [status.connector, ...status.tasks]) if (part.worker_id !== "") ids.add(part.worker_id);
  }
  return [...ids];
}

/** `host:port` of a URL, with the scheme's default port when it has none. */
function hostPort(url: string): string | null {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || (parsed.protocol === "https:" ? "443" : "80")}`;
  } catch {
    return null;
  }
}

/**
 * The workers of one listing that did not answer, probed once each and in
 * parallel (none when the client cannot probe). The set is the pass's
 * cache: the next pass probes again.
 */
export async function unresponsiveWorkers(
  entries: Iterable<ExpandedConnector>,
  cluster: { readonly connectUrls: readonly string[] },
  client: Pick<ConnectClient, "probeWorker">,
): Promise<ReadonlySet<string>> {
  const ids = workerIdsOf(entries).slice(0, MAX_PROBED_WORKERS);
  if (ids.length === 0 || client.probeWorker === undefined) return new Set();
  const results = await Promise.all(ids.map(async (id) => [id, await (client.probeWorker?.(id) ?? Promise.resolve("unknown" as const)).catch((): WorkerLiveness => "unknown")] as const));
  const dead = results.filter(([, liveness]) => liveness === "unresponsive").map(([id]) => id);
  if (dead.length === 0) return new Set();
  const answered = results.some(([, liveness]) => liveness === "alive");
  const ownUrls = new Set(cluster.connectUrls.map(hostPort));
  // Nothing answered and the ids are not the addresses vaultwire calls Connect at: it cannot tell.
  if (!answered && !ids.some((id) => ownUrls.has(id))) return new Set();
  return new Set(dead);
}
