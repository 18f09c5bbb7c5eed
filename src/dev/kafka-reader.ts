/**
 * Reads a topic from the first offset with kafkajs 2.2.4 and no consumer
 * group: a metadata request, then Fetch requests to each partition's leader.
 *
 * kafkajs has no public "assign" API (its consumer always joins a group), so
 * this uses its internal Cluster/Broker classes. kafkajs is pinned exactly
 * and has had no release since 2023, so these internals do not move. Checked
 * against Kafka 4.4.0, which dropped old protocol versions (KIP-896): kafkajs
 * negotiates Metadata, Fetch, ListOffsets and Produce versions the broker
 * still serves (its classic-protocol group consumer works too).
 *
 * Dev tooling beside local-kafka.ts: the quickstart reads the captured topic
 * with it, the end-to-end tests and benchmarks too. kafkajs is a
 * devDependency, which is fine because src/dev/ is not in the package.
 */
import { createRequire } from "node:module";

export interface TopicRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly key: string | null;
  readonly value: string | null;
}

interface FetchedMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

interface FetchResponse {
  responses: { topicName: string; partitions: { partition: number; errorCode: number; highWatermark: string; messages: FetchedMessage[] }[] }[];
}

interface KafkajsBroker {
  fetch(request: { maxWaitTime: number; minBytes: number; maxBytes: number; isolationLevel: number; topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[] }): Promise<FetchResponse>;
}

interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(topics: string[]): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(options: { nodeId: string }): Promise<KafkajsBroker>;
}

type ClusterConstructor = new (options: Record<string, unknown>) => KafkajsCluster;

const require = createRequire(import.meta.url);
const Cluster = require("kafkajs/src/cluster/index.js") as ClusterConstructor;
const { createLogger } = require("kafkajs/src/loggers/index.js") as { createLogger: (options: { level: number; logCreator: () => () => void }) => unknown };
const socketFactory = (require("kafkajs/src/network/socketFactory.js") as () => unknown)();

// kafkajs 2.2.4 re-arms its throttle-check timer after every response even
// when no request is waiting and no throttle is in force, with a delay of
// `-1 - Date.now()` ms: Node runs it after 1 ms (so an idle connection polls
// every millisecond until it closes), and Node 24 prints a
// TimeoutNegativeWarning for it. With nothing pending there is nothing to
// check (push() arms the timer when it queues a request), so the timer is only
// armed while a request waits. Applies to every kafkajs client in the process.
interface RequestQueueInternals {
  pending: unknown[];
  scheduleCheckPendingRequests: (this: RequestQueueInternals) => void;
}
const RequestQueue = require("kafkajs/src/network/requestQueue/index.js") as { prototype: RequestQueueInternals };
const scheduleCheckPendingRequests = RequestQueue.prototype.scheduleCheckPendingRequests;
RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueInternals) {
  if (this.pending.length > 0) scheduleCheckPendingRequests.call(this);
};

const READ_UNCOMMITTED = 0;

/**
 * Reads `topic` from offset 0 until `done(records, next offset per partition)` is true or the deadline
 * passes (then throws, saying how many records were read). A topic that does
 * not exist yet is waited for (it is never auto-created by this reader).
 */
export async function readTopic(bootstrapServers: string, topic: string, done: (records: readonly TopicRecord[], positions: ReadonlyMap<number, bigint>) => boolean, timeoutMs: number): Promise<TopicRecord[]> {
  const cluster = new Cluster({
    brokers: [bootstrapServers],
    clientId: "vaultwire-e2e-reader",
    logger: createLogger({ level: 0, logCreator: () => () => undefined }),
    socketFactory,
    connectionTimeout: 5_000,
    requestTimeout: 15_000,
    allowAutoTopicCreation: false,
    retry: { retries: 2, initialRetryTime: 200 },
  });
  const deadline = Date.now() + timeoutMs;
  const records: TopicRecord[] = [];
  const nextOffset = new Map<number, bigint>();
  let lastProblem = "";
  await cluster.connect();
  try {
    for (;;) {
      let partitions: { partitionId: number; leader: number }[] = [];
      try {
        await cluster.refreshMetadata([topic]);
        partitions = cluster.findTopicPartitionMetadata(topic);
      } catch (error) {
        lastProblem = `metadata: ${(error as Error).message}`;
      }
      for (const { partitionId, leader } of partitions) {
        const broker = await cluster.findBroker({ nodeId: String(leader) });
        const from = nextOffset.get(partitionId) ?? 0n;
        const response = await broker.fetch({
          maxWaitTime: 500,
          minBytes: 1,
          maxBytes: 8 << 20,
          isolationLevel: READ_UNCOMMITTED,
          topics: [{ topic, partitions: [{ partition: partitionId, fetchOffset: from.toString(), maxBytes: 8 << 20 }] }],
        });
        for (const topicResponse of response.responses) {
          for (const partition of topicResponse.partitions) {
            if (partition.errorCode !== 0) {
              lastProblem = `fetch error code ${partition.errorCode} on partition ${partition.partition}`;
              continue;
            }
            for (const message of partition.messages) {
              const offset = BigInt(message.offset);
              // A fetch answers whole record batches: skip what was read already.
              if (offset < (nextOffset.get(partition.partition) ?? 0n)) continue;
              records.push({ partition: partition.partition, offset, key: message.key?.toString("utf8") ?? null, value: message.value?.toString("utf8") ?? null });
              nextOffset.set(partition.partition, offset + 1n);
            }
          }
        }
      }
      if (partitions.length > 0 && done(records, nextOffset)) return records;
      if (Date.now() >= deadline) {
        throw new Error(`read ${records.length} record(s) from ${topic} in ${timeoutMs} ms without reaching the expected ones${lastProblem === "" ? "" : ` (last problem: ${lastProblem})`}`);
      }
      if (partitions.length === 0) await new Promise((resolve) => setTimeout(resolve, 300));
    }
  } finally {
    await cluster.disconnect();
  }
}

/** Reads every record of `topic` up to its current end (for compacted internal topics such as connect-configs). */
export async function readWholeTopic(bootstrapServers: string, topic: string, timeoutMs: number): Promise<TopicRecord[]> {
  const { Kafka, logLevel } = await import("kafkajs");
  const admin = new Kafka({ brokers: [bootstrapServers], clientId: "vaultwire-e2e-admin", logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    ends = new Map(offsets.map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  return readTopic(bootstrapServers, topic, (_records, positions) => [...ends].every(([partition, end]) => (positions.get(partition) ?? 0n) >= end), timeoutMs);
}
