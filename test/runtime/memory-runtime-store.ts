// In-memory stand-ins for the store's runtime repositories (leases, runtime
// state, runtime requests, secret versions), for the reconciler's unit tests
// and bench/reconcile, which fake the rest of the store too. The real ones
// are tested on SQLite and PostgreSQL in test/store/runtime-state.test.ts.
import type { ConnectorRuntimeState, Fence, Lease, Repositories, RuntimeRequest } from "../../src/store/store.js";

export interface MemoryRuntimeStore {
  readonly leases: Repositories["leases"];
  readonly runtimeState: Repositories["runtimeState"];
  readonly runtimeRequests: Repositories["runtimeRequests"];
  readonly secretVersions: Repositories["secretVersions"];
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  /** What is stored, for assertions. */
  readonly data: {
    readonly leases: Map<string, Lease>;
    readonly states: Map<string, ConnectorRuntimeState>;
    readonly requests: RuntimeRequest[];
    readonly versions: Map<string, string>;
  };
}

/** `connectorExists`: whether a runtime state may be written for a connector (the real table has a foreign key). */
export function memoryRuntimeStore(connectorExists: (id: string) => boolean = () => true): MemoryRuntimeStore {
  const leases = new Map<string, Lease>();
  const states = new Map<string, ConnectorRuntimeState>();
  const requests: RuntimeRequest[] = [];
  const versions = new Map<string, string>();
  let nextId = 1;
  const holds = (fence: Fence) => {
    const lease = leases.get(fence.clusterId);
    return lease?.holder === fence.holder && lease.token === fence.token;
  };
  const store: MemoryRuntimeStore = {
    data: { leases, states, requests, versions },
    leases: {
      acquire(clusterId, holder, ttlMs) {
        const now = Date.now();
        const lease = leases.get(clusterId);
        if (lease && lease.holder !== holder && lease.expiresAt >= now) return Promise.resolve(null);
        const token = !lease ? 1 : lease.holder === holder ? lease.token : lease.token + 1;
        leases.set(clusterId, { clusterId, holder, token, expiresAt: now + ttlMs });
        return Promise.resolve(token);
      },
      release(fence) {
        const lease = leases.get(fence.clusterId);
        if (lease && holds(fence)) leases.set(fence.clusterId, { ...lease, expiresAt: 0 });
        return Promise.resolve();
      },
      list: () => Promise.resolve([...leases.values()]),
    },
    runtimeState: {
      get: (id) => Promise.resolve(states.get(id)),
      put(state, fence) {
        if (!holds(fence) || !connectorExists(state.connectorId)) return Promise.resolve(false);
        states.set(state.connectorId, structuredClone(state));
        return Promise.resolve(true);
      },
    },
    runtimeRequests: {
      enqueue(request) {
        const id = nextId++;
        requests.push({ ...request, id });
        return Promise.resolve(id);
      },
      listByClusters: (clusterIds) => Promise.resolve(requests.filter((r) => clusterIds.includes(r.clusterId))),
      complete(ids, fence) {
        if (!holds(fence)) return Promise.resolve(false);
        for (const id of ids) {
          const at = requests.findIndex((r) => r.id === id);
          if (at >= 0) requests.splice(at, 1);
        }
        return Promise.resolve(true);
      },
    },
    secretVersions: {
      get: (refs) => Promise.resolve(new Map(refs.flatMap((ref) => (versions.has(ref) ? [[ref, versions.get(ref) ?? ""] as const] : [])))),
      record(entries) {
        for (const { ref, version } of entries) versions.set(ref, version);
        return Promise.resolve();
      },
    },
    transaction: (work) => work(store as unknown as Repositories),
  };
  return store;
}
