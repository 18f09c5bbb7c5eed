/**
 * Connector offsets, the way Confluent's Connect API exposes them, on real
 * Kafka Connect (KIP-875): read them; alter (PATCH) or reset (DELETE) them
 * through a request whose status is polled. A request stops the connector,
 * waits until Connect shows it STOPPED, reads the offsets it had, changes
 * them, and brings the connector back to its desired state (RUNNING or
 * PAUSED), recording APPLIED or FAILED with Connect's message. One request
 * at a time per connector; the request and its outcome are in the store, so
 * any replica answers the status.
 */
import type { ConnectHostPolicy } from "../domain/connect-host-policy.js";
import { ConflictError, InputError, NotFoundError, type FieldProblem } from "../domain/errors.js";
import type { Connector, ConnectorOffset, ConnectorOffsetRequest, KafkaCluster, OffsetRequestType } from "../domain/resources.js";
import { ConnectError, createConnectClient, type ConnectClient, type ConnectOffsetsApi } from "../runtime/kafka-connect/client.js";
import { connectName } from "../runtime/kafka-connect/translate.js";
import type { Store } from "../store/store.js";
import type { ClusterService } from "./clusters.js";
import type { ConnectorLocation, ConnectorService } from "./connectors.js";
import { assertConnectorManager, type Principal } from "./principal.js";

export type OffsetsClient = Pick<ConnectClient, "status" | "resume" | "pause"> & ConnectOffsetsApi;

export interface ConnectorOffsetsDependencies {
  readonly store: Pick<Store, "offsetRequests">;
  readonly connectors: Pick<ConnectorService, "get">;
  readonly clusters: Pick<ClusterService, "get">;
  readonly connectHosts: ConnectHostPolicy;
  readonly now: () => string;
  /** Tests may give another client; the real Connect client by default. */
  readonly clientFor?: (cluster: KafkaCluster) => OffsetsClient;
  /** How long to wait for Connect to show the connector STOPPED (default 60 s). */
  readonly stopTimeoutMs?: number;
  /** Told when a request fails (the message is Connect's or vaultwire's, never a config value). */
  readonly onFailure?: (connector: Connector, message: string) => void;
}

export interface ConnectorOffsets {
  readonly connector: Connector;
  readonly offsets: readonly ConnectorOffset[];
  /** When Kafka Connect reported them; null: vaultwire has not been able to read them yet. */
  readonly observedAt: string | null;
}

export interface ConnectorOffsetsService {
  get(principal: Principal, at: ConnectorLocation, name: string): Promise<ConnectorOffsets>;
  /** Records the request (202) and performs it in the background. */
  request(principal: Principal, at: ConnectorLocation, name: string, body: unknown): Promise<{ connector: Connector; request: ConnectorOffsetRequest }>;
  status(principal: Principal, at: ConnectorLocation, name: string): Promise<{ connector: Connector; request: ConnectorOffsetRequest }>;
  /** Resolves when every request this process started has finished (tests, shutdown). */
  idle(): Promise<void>;
}

/** A PENDING request older than this is presumed abandoned (its replica stopped) and may be replaced. */
export const STALE_OFFSET_REQUEST_MS = 10 * 60_000;
export const MAX_OFFSET_ENTRIES = 1000;

export const APPLIED_MESSAGES: Readonly<Record<OffsetRequestType, string>> = {
  PATCH: "The Connect framework-managed offsets for this connector have been altered successfully. However, if this connector manages offsets externally, they will need to be altered manually in the system that the connector uses.",
  DELETE: "The Connect framework-managed offsets for this connector have been reset successfully. However, if this connector manages offsets externally, they will need to be reset manually in the system that the connector uses.",
};

export function createConnectorOffsetsService(deps: ConnectorOffsetsDependencies): ConnectorOffsetsService {
  const clientFor = deps.clientFor ?? ((cluster: KafkaCluster) => createConnectClient({ urls: cluster.connectUrls, hosts: deps.connectHosts }));
  const running = new Set<Promise<void>>();

  async function located(principal: Principal, at: ConnectorLocation, name: string): Promise<{ connector: Connector; cluster: KafkaCluster }> {
    const connector = await deps.connectors.get(principal, at, name);
    const cluster = await deps.clusters.get(principal, at.clusterId, at.environmentId);
    return { connector, cluster };
  }

  async function perform(connector: Connector, cluster: KafkaCluster, request: ConnectorOffsetRequest): Promise<void> {
    const client = clientFor(cluster);
    const name = connectName(connector);
    let stopped = false;
    try {
      await client.stop(name);
      stopped = true;
      await waitForStopped(client, name, deps.stopTimeoutMs ?? 60_000);
      const previous = (await client.offsets(name)) ?? [];
      const said = request.type === "PATCH" ? await client.alterOffsets(name, request.offsets) : await client.resetOffsets(name);
      await bringBack(client, name, connector);
      stopped = false;
      await deps.store.offsetRequests.finish(connector.id, request.requestedAt, {
        phase: "APPLIED",
        // Connect's own sentence (it says the same as Confluent's), or Confluent's when Connect wrote none.
        message: said === "" ? APPLIED_MESSAGES[request.type] : said,
        previousOffsets: previous,
        appliedAt: deps.now(),
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (stopped) await bringBack(client, name, connector).catch(() => undefined);
      deps.onFailure?.(connector, message);
      await deps.store.offsetRequests.finish(connector.id, request.requestedAt, { phase: "FAILED", message: message.slice(0, 4000), previousOffsets: null, appliedAt: null }).catch(() => undefined);
    }
  }

  return {
    async get(principal, at, name) {
      const { connector, cluster } = await located(principal, at, name);
      // No workers: nothing runs it, so Connect keeps no offsets for it (yet).
      if (cluster.connectUrls.length === 0) return { connector, offsets: [], observedAt: deps.now() };
      const observedAt = deps.now();
      try {
        // Connect has not got the connector yet (null): no offsets yet.
        const offsets = (await clientFor(cluster).offsets(connectName(connector))) ?? [];
        await deps.store.offsetRequests.recordObserved(connector.id, offsets, observedAt);
        return { connector, offsets, observedAt };
      } catch (error) {
        if (!(error instanceof ConnectError)) throw error;
        // Confluent answers offsets as last observed: so does vaultwire while Connect cannot answer, saying when.
        deps.onFailure?.(connector, `reading offsets: ${error.message}`);
        const last = await deps.store.offsetRequests.observed(connector.id);
        return { connector, offsets: last?.offsets ?? [], observedAt: last?.observedAt ?? null };
      }
    },

    async request(principal, at, name, body) {
      const { connector, cluster } = await located(principal, at, name);
      assertConnectorManager(principal, "changing a connector's offsets", connector.environmentId);
      const { type, offsets } = readRequest(body);
      if (cluster.connectUrls.length === 0) {
        throw new ConflictError(`connector "${name}" is not running on Kafka Connect yet: Kafka cluster "${cluster.id}" has no Connect URLs, so it has no offsets to change`);
      }
      const requestedAt = deps.now();
      const request: ConnectorOffsetRequest = { connectorId: connector.id, type, offsets, requestedAt, phase: "PENDING", message: null, previousOffsets: null, appliedAt: null };
      const staleBefore = new Date(Date.parse(requestedAt) - STALE_OFFSET_REQUEST_MS).toISOString();
      if (!(await deps.store.offsetRequests.start(request, staleBefore))) {
        throw new ConflictError(`connector "${name}" already has an offsets request in progress; wait until GET …/offsets/request/status shows it APPLIED or FAILED`);
      }
      const work = perform(connector, cluster, request).finally(() => { running.delete(work); });
      running.add(work);
      return { connector, request };
    },

    async status(principal, at, name) {
      const { connector } = await located(principal, at, name);
      const request = await deps.store.offsetRequests.get(connector.id);
      if (!request) throw new NotFoundError(`connector "${name}" has no offsets request: make one with POST …/connectors/${name}/offsets/request`);
      return { connector, request };
    },

    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

async function waitForStopped(client: OffsetsClient, name: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 100; ; wait = Math.min(2_000, wait * 2)) {
    const status = await client.status(name);
    if (status === null) throw new Error(`Kafka Connect has no connector ${name}: it is not deployed yet`);
    if (status.connector.state === "STOPPED" && status.tasks.length === 0) return;
    if (Date.now() + wait > deadline) throw new Error(`Kafka Connect did not stop connector ${name} within ${Math.round(timeoutMs / 1000)} s (it is ${status.connector.state})`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** From STOPPED back to what the user asked for: resume (RUNNING) or pause (PAUSED). */
async function bringBack(client: OffsetsClient, name: string, connector: Connector): Promise<void> {
  if (connector.desiredState === "PAUSED") await client.pause(name);
  else await client.resume(name);
}

/** `{"type": "PATCH", "offsets": [{partition, offset}]}` or `{"type": "DELETE"}`; every problem named. */
export function readRequest(body: unknown): { type: OffsetRequestType; offsets: ConnectorOffset[] } {
  const record = typeof body === "object" && body !== null && !Array.isArray(body) ? body as Record<string, unknown> : {};
  const problems: FieldProblem[] = [];
  const type = record.type === "PATCH" || record.type === "DELETE" ? record.type : undefined;
  if (type === undefined) problems.push({ field: "type", message: `type must be PATCH (alter the given offsets) or DELETE (reset them all)${record.type === undefined ? "" : `, not ${JSON.stringify(record.type).slice(0, 40)}`}` });
  const offsets: ConnectorOffset[] = [];
  const given = record.offsets;
  if (type === "DELETE" && given !== undefined && !(Array.isArray(given) && given.length === 0)) {
    problems.push({ field: "offsets", message: "offsets must be absent or empty with type DELETE: a reset clears every offset" });
  } else if (type === "PATCH") {
    if (!Array.isArray(given) || given.length === 0 || given.length > MAX_OFFSET_ENTRIES) {
      problems.push({ field: "offsets", message: `offsets must be a list of 1-${MAX_OFFSET_ENTRIES} entries {"partition": {…}, "offset": {…}} with type PATCH` });
    } else {
      for (const [index, entry] of given.entries()) {
        const item = typeof entry === "object" && entry !== null && !Array.isArray(entry) ? entry as Record<string, unknown> : undefined;
        const partition = item?.partition;
        const offset = item?.offset;
        const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
        if (!isObject(partition) || Object.keys(partition).length === 0) problems.push({ field: `offsets[${index}].partition`, message: `offsets[${index}].partition must be a non-empty JSON object (e.g. {"kafka_topic": "orders", "kafka_partition": 0} for a sink)` });
        if (!(offset === null || isObject(offset))) problems.push({ field: `offsets[${index}].offset`, message: `offsets[${index}].offset must be a JSON object (e.g. {"kafka_offset": 1000} for a sink), or null to remove the partition's offset` });
        if (isObject(partition) && (offset === null || isObject(offset))) offsets.push({ partition, offset });
      }
    }
  }
  if (problems.length > 0) {
    throw new InputError(problems.length === 1 ? problems[0]?.message ?? "invalid offsets request" : `invalid offsets request: ${problems.map((p) => p.message).join("; ")}`, problems);
  }
  return { type: type ?? "DELETE", offsets };
}
