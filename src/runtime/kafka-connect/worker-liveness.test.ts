// A task Connect still reports RUNNING on a worker that no longer answers
// (issue 11: kill -9 of a worker; Connect waits scheduled.rebalance.max.delay.ms
// before reassigning it). The reconciler runs with the real Connect client and
// transport against a small fake Connect REST server on 127.0.0.1; the dead
// worker is a closed local port.
import http from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createConnectHostPolicy, DEFAULT_CONNECT_HOST_POLICY, type ConnectHostPolicy } from "../../domain/connect-host-policy.js";
import type { Connector, ConnectorStatus, KafkaCluster } from "../../domain/resources.js";
import { identifierGrammars } from "../../secret-managers/grammars.js";
import { createConnectorBindings } from "../../services/connector-secrets.js";
import { SecretValue } from "../../secret-managers/secret-value.js";
import type { SecretDelivery } from "../../services/secret-delivery.js";
import type { Store } from "../../store/store.js";
import { memoryRuntimeStore } from "../../../test/runtime/memory-runtime-store.js";
import type { ConnectStatus, ExpandedConnector } from "./client.js";
import { createGuardedTransport, type ConnectTransport } from "./guarded-http.js";
import { createLeaseKeeper } from "./leases.js";
import { createReconciler, type Reconciler } from "./reconciler.js";
import { probeWorker, unresponsiveWorkers, type WorkerLiveness } from "./worker-liveness.js";

function loopbackPolicy(): ConnectHostPolicy {
  const policy = createConnectHostPolicy(["127.0.0.1"]);
  if (!policy.ok) throw new Error(policy.error);
  return policy.value;
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
  return port;
}

/** Just enough of Connect's REST API for a reconcile pass, plus `GET /` (what the probe asks). */
class FakeConnectServer {
  readonly configs = new Map<string, Record<string, string>>();
  /** Who runs the connector and its task: set by the test. */
  connectorWorker = "";
  taskWorker = "";
  readonly requests: string[] = [];
  readonly server = http.createServer((req, res) => { this.handle(req, res); });
  get workerId(): string { return `127.0.0.1:${(this.server.address() as AddressInfo).port}`; }
  get url(): string { return `http://${this.workerId}`; }
  async start(): Promise<void> {
    await new Promise<void>((resolve) => { this.server.listen(0, "127.0.0.1", resolve); });
    this.connectorWorker = this.workerId;
    this.taskWorker = this.workerId;
  }
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => { this.server.close(() => { resolve(); }); });
  }
  status(name: string): ConnectStatus {
    return { name, connector: { state: "RUNNING", worker_id: this.connectorWorker }, tasks: [{ id: 0, state: "RUNNING", worker_id: this.taskWorker }], type: "source" };
  }
  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "/";
      this.requests.push(`${req.method ?? ""} ${url}`);
      const [status, body] = this.answer(req.method ?? "", url, Buffer.concat(chunks).toString("utf8"));
      res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    });
  }
  private answer(method: string, url: string, body: string): [number, unknown] {
    const name = /^\/connectors\/([^/?]+)/.exec(url)?.[1];
    if (method === "GET" && url === "/") return [200, { version: "4.0.0", commit: "fake", kafka_cluster_id: "fake" }];
    if (method === "GET" && url === "/connectors?expand=status&expand=info") {
      const out: Record<string, ExpandedConnector> = {};
      for (const [n, config] of this.configs) out[n] = { info: { name: n, config, type: "source", tasks: [{ connector: n, task: 0 }] }, status: this.status(n) };
      return [200, out];
    }
    if (method === "PUT" && /^\/connector-plugins\/[^/]+\/config\/validate$/.test(url)) return [200, { name: "x", error_count: 0, groups: [], configs: [] }];
    if (name !== undefined && url === `/connectors/${name}/config`) {
      if (method === "PUT") {
        const created = !this.configs.has(name);
        this.configs.set(name, JSON.parse(body) as Record<string, string>);
        return [created ? 201 : 200, {}];
      }
      const config = this.configs.get(name);
      return config ? [200, config] : [404, { error_code: 404, message: `Connector ${name} not found` }];
    }
    if (method === "GET" && name !== undefined && url === `/connectors/${name}/status`) {
      return this.configs.has(name) ? [200, this.status(name)] : [404, { error_code: 404, message: `No status found for connector ${name}` }];
    }
    return [404, { error_code: 404, message: "not found" }];
  }
}

const connector: Connector = {
  id: "lcc-1", environmentId: "env-1", clusterId: "lkc-1", name: "orders", plugin: "PostgresCdcSourceV2",
  config: {
    "connector.class": "PostgresCdcSourceV2", name: "orders", "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
    "secret.manager.managed.configs": "database.password", "secret.manager.provider.integration.id": "cspi-1",
    "database.hostname": "db", "database.port": "5432", "database.user": "u", "database.password": "https://v.vault.azure.net::db::password",
    "database.dbname": "app", "topic.prefix": "pg", "tasks.max": "1",
  },
  sensitiveCiphertext: null, integrationId: "cspi-1", desiredState: "RUNNING",
  status: { state: "PROVISIONING", workerId: null, trace: null, tasks: [], observedAt: "" }, generation: 1, createdAt: "", updatedAt: "",
};

function reconcilerFor(connectUrl: string, hosts: ConnectHostPolicy) {
  const cluster: KafkaCluster = {
    id: "lkc-1", environmentId: "env-1", displayName: "c", cloud: "AZURE", region: "westus3", availability: "SINGLE_ZONE", type: "DEDICATED",
    cku: 1, networking: "PUBLIC", bootstrapServers: "127.0.0.1:9092", connectUrls: [connectUrl], createdAt: "", updatedAt: "",
  };
  const statuses = new Map<string, ConnectorStatus>();
  const delivery: SecretDelivery = {
    secretKeys: () => ({ managed: ["database.password"], plaintext: [] }),
    resolve: () => Promise.resolve({ values: new Map([["database.password", new SecretValue("pw-canary-123")]]), versions: new Map([["database.password", "v1"]]), references: new Map(), errors: [] }),
  };
  const store = {
    ...memoryRuntimeStore(),
    connectors: {
      get: (id: string) => Promise.resolve(id === connector.id ? connector : undefined),
      listAll: () => Promise.resolve([connector]),
      updateStatus: (id: string, status: ConnectorStatus) => { statuses.set(id, status); return Promise.resolve(); },
    },
    clusters: { get: () => Promise.resolve(cluster), listAll: () => Promise.resolve([cluster]) },
  } as unknown as Store;
  // No clientFor: the reconciler builds the real client, transport and probe from the host policy.
  const reconciler = createReconciler({ store, leases: createLeaseKeeper({ store, holder: "test", logger: pino({ level: "silent" }) }), delivery, bindings: createConnectorBindings(identifierGrammars()), grammars: identifierGrammars(), connectHosts: hosts, logger: pino({ level: "silent" }), invalidateSecrets: () => undefined });
  return { reconciler, statuses };
}

describe("the reconciler and workers that stopped answering", () => {
  const connect = new FakeConnectServer();
  let reconciler: Reconciler | null = null;
  beforeAll(async () => { await connect.start(); });
  afterAll(async () => { await connect.close(); });
  afterEach(async () => {
    await reconciler?.stop();
    reconciler = null;
    connect.configs.clear();
    connect.connectorWorker = connect.workerId;
    connect.taskWorker = connect.workerId;
  });

  it("records DEGRADED naming the dead worker and its task while Connect says RUNNING, and RUNNING once the task moves to a live worker", async () => {
    const setup = reconcilerFor(connect.url, loopbackPolicy());
    reconciler = setup.reconciler;
    await reconciler.reconcileAll();
    expect(setup.statuses.get("lcc-1")?.state).toBe("RUNNING");

    const dead = `127.0.0.1:${await closedPort()}`;
    connect.taskWorker = dead;
    connect.requests.length = 0;
    await reconciler.reconcileAll();
    const degraded = setup.statuses.get("lcc-1");
    const trace = `worker ${dead} is not responding (it runs task 0); Kafka Connect will reassign its tasks within 15 s of noticing it gone (scheduled.rebalance.max.delay.ms of vaultwire's worker-config)`;
    expect(degraded).toMatchObject({ state: "DEGRADED", workerId: connect.workerId, trace, tasks: [{ id: 0, state: "DEGRADED", workerId: dead, trace }] });
    // One listing and one probe of each distinct worker, nothing else, in this pass.
    expect(connect.requests).toEqual(["GET /connectors?expand=status&expand=info", "GET /"]);

    // Connect reassigned the task to the live worker.
    connect.taskWorker = connect.workerId;
    await reconciler.reconcileAll();
    expect(setup.statuses.get("lcc-1")).toMatchObject({ state: "RUNNING", trace: null, tasks: [{ id: 0, state: "RUNNING", workerId: connect.workerId, trace: null }] });
  });

  it("treats a worker host the Connect host policy refuses as unknown: never called, the connector stays RUNNING", async () => {
    const setup = reconcilerFor(connect.url, loopbackPolicy());
    reconciler = setup.reconciler;
    await reconciler.reconcileAll();
    connect.taskWorker = "10.255.0.1:8083";
    await reconciler.reconcileAll();
    expect(setup.statuses.get("lcc-1")).toMatchObject({ state: "RUNNING", tasks: [{ state: "RUNNING", workerId: "10.255.0.1:8083" }] });
  });
});

describe("probeWorker", () => {
  const transport = createGuardedTransport({ hosts: loopbackPolicy() });

  it("says alive for any HTTP answer and unresponsive for a refused connection", async () => {
    const server = http.createServer((_req, res) => { res.writeHead(401).end(); });
    await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
    try {
      expect(await probeWorker(`127.0.0.1:${(server.address() as AddressInfo).port}`, { hosts: loopbackPolicy(), transport })).toBe("alive");
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    }
    expect(await probeWorker(`127.0.0.1:${await closedPort()}`, { hosts: loopbackPolicy(), transport })).toBe("unresponsive");
  });

  it("says unresponsive for a worker that takes the connection but does not answer within the timeout", async () => {
    const server = http.createServer(() => { /* never answers */ });
    await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
    try {
      const started = Date.now();
      expect(await probeWorker(`127.0.0.1:${(server.address() as AddressInfo).port}`, { hosts: loopbackPolicy(), transport, timeoutMs: 200 })).toBe("unresponsive");
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => { server.close(() => { resolve(); }); });
    }
  });

  it("never calls a host the policy refuses, nor a worker id that is not host:port", async () => {
    const called: string[] = [];
    const spy: ConnectTransport = (url) => { called.push(url); return Promise.resolve({ status: 200, text: () => Promise.resolve("{}") }); };
    // Loopback is refused by the default policy, a listed policy refuses other hosts.
    expect(await probeWorker("127.0.0.1:8083", { hosts: DEFAULT_CONNECT_HOST_POLICY, transport: spy })).toBe("unknown");
    expect(await probeWorker("169.254.169.254:80", { hosts: DEFAULT_CONNECT_HOST_POLICY, transport: spy })).toBe("unknown");
    expect(await probeWorker("10.0.0.1:8083", { hosts: loopbackPolicy(), transport: spy })).toBe("unknown");
    for (const id of ["evil.example/x:80", "user@127.0.0.1:80", "127.0.0.1", "127.0.0.1:80/path", ""]) {
      expect(await probeWorker(id, { hosts: loopbackPolicy(), transport: spy })).toBe("unknown");
    }
    expect(called).toEqual([]);
    expect(await probeWorker("127.0.0.1:8083", { hosts: loopbackPolicy(), transport: spy })).toBe("alive");
    expect(called).toEqual(["http://127.0.0.1:8083/"]);
  });
});

describe("unresponsiveWorkers", () => {
  const entry = (connectorWorker: string, taskWorkers: string[]): ExpandedConnector => ({
    info: { name: "x", config: {}, tasks: [] },
    status: { name: "x", connector: { state: "RUNNING", worker_id: connectorWorker }, tasks: taskWorkers.map((worker_id, id) => ({ id, state: "RUNNING" as const, worker_id })) },
  });
  const client = (answers: Record<string, WorkerLiveness>, asked: string[] = []) => ({
    probeWorker: (id: string) => { asked.push(id); return Promise.resolve(answers[id] ?? "unknown"); },
  });

  it("probes each distinct worker once and returns those that did not answer", async () => {
    const asked: string[] = [];
    const dead = await unresponsiveWorkers([entry("a:8083", ["b:8083", "a:8083"]), entry("b:8083", ["b:8083", ""])], { connectUrls: ["http://lb:8083"] }, client({ "a:8083": "alive", "b:8083": "unresponsive" }, asked));
    expect([...dead]).toEqual(["b:8083"]);
    expect(asked).toEqual(["a:8083", "b:8083"]);
  });

  it("trusts no probe when none answered and the workers are not the addresses vaultwire calls (a load balancer in front)", async () => {
    expect((await unresponsiveWorkers([entry("a:8083", ["b:8083"])], { connectUrls: ["http://lb:8083"] }, client({ "a:8083": "unresponsive", "b:8083": "unresponsive" }))).size).toBe(0);
    // The same answers, but vaultwire calls the workers by those addresses: the dead one is dead.
    expect([...await unresponsiveWorkers([entry("a:8083", ["b:8083"])], { connectUrls: ["http://a:8083", "http://b:8083"] }, client({ "a:8083": "unresponsive", "b:8083": "unresponsive" }))]).toEqual(["a:8083", "b:8083"]);
  });

  it("probes nothing with a client that cannot probe", async () => {
    expect((await unresponsiveWorkers([entry("a:8083", ["b:8083"])], { connectUrls: ["http://a:8083"] }, {})).size).toBe(0);
  });
});
