import { RECHECK_METADATA } from "../../domain/secret-events.js";
import { connectName } from "./translate.js";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONNECT_HOST_POLICY } from "../../domain/connect-host-policy.js";
import { identifierGrammars } from "../../secret-managers/grammars.js";
import { createConnectorBindings } from "../../services/connector-secrets.js";
import type { Connector, ConnectorStatus, KafkaCluster } from "../../domain/resources.js";
import { SecretValue } from "../../secret-managers/secret-value.js";
import type { AuditInput, AuditRecorder } from "../../services/audit-trail.js";
import type { SecretDelivery } from "../../services/secret-delivery.js";
import type { Store } from "../../store/store.js";
import { ConnectError, type ConnectClient, type ConnectStatus, type ExpandedConnector } from "./client.js";
import { memoryRuntimeStore } from "../../../test/runtime/memory-runtime-store.js";
import { createLeaseKeeper } from "./leases.js";
import { createReconciler, PASS_CONCURRENCY } from "./reconciler.js";

const cluster: { -readonly [K in keyof KafkaCluster]: KafkaCluster[K] } = {
  id: "lkc-1", environmentId: "env-1", displayName: "c", cloud: "AZURE", region: "westus3", availability: "SINGLE_ZONE", type: "DEDICATED",
  cku: 1, networking: "PUBLIC", bootstrapServers: "127.0.0.1:9092", connectUrls: ["http://w:8083"], createdAt: "", updatedAt: "",
};

function makeConnector(overrides: Partial<Connector> = {}): Connector {
  return {
    id: "lcc-1", environmentId: "env-1", clusterId: "lkc-1", name: "orders", plugin: "PostgresCdcSourceV2",
    config: {
      "connector.class": "PostgresCdcSourceV2", name: "orders", "secret.manager.enabled": "true", "secret.manager": "AZURE_KEY_VAULT",
      "secret.manager.managed.configs": "database.password", "secret.manager.provider.integration.id": "cspi-1",
      "database.hostname": "db", "database.port": "5432", "database.user": "u", "database.password": "https://v.vault.azure.net::db::password",
      "database.dbname": "app", "topic.prefix": "pg", "tasks.max": "1",
    },
    sensitiveCiphertext: null, integrationId: "cspi-1", desiredState: "RUNNING",
    status: { state: "PROVISIONING", workerId: null, trace: null, tasks: [], observedAt: "" }, generation: 1, createdAt: "", updatedAt: "",
    ...overrides,
  };
}

class FakeConnect implements ConnectClient {
  readonly urls = ["http://w:8083"];
  readonly configs = new Map<string, Record<string, string>>();
  readonly states = new Map<string, ConnectStatus>();
  readonly calls: string[] = [];
  down = false;
  rejectWith: string | null = null;
  /** Thrown by every call, as the client would (e.g. a refused host). */
  failWith: ConnectError | null = null;
  restartRejectsWith: string | null = null;
  /** Pause and resume take effect only after the next status read, as Connect's do (asynchronously). */
  lagging = false;
  #pending: (() => void) | null = null;
  private guard(call: string) {
    this.calls.push(call);
    if (this.down) throw new ConnectError("Kafka Connect is not reachable at http://w:8083 (ECONNREFUSED)", null, "unreachable");
    if (this.failWith) throw this.failWith;
  }
  health() { return Promise.resolve(!this.down); }
  listNames() { this.guard("list"); return Promise.resolve([...this.configs.keys()]); }
  /** Runs while the listing is being answered (after it was asked for). */
  onList: (() => Promise<void>) | null = null;
  async listExpanded() {
    this.guard("list expanded");
    const hook = this.onList;
    this.onList = null;
    if (hook) await hook();
    const entries = new Map<string, ExpandedConnector>();
    for (const [name, config] of this.configs) {
      const status = this.states.get(name) ?? { name, connector: { state: "UNASSIGNED" as const, worker_id: "" }, tasks: [] };
      entries.set(name, { info: { name, config: { ...config }, tasks: status.tasks.map((t) => ({ connector: name, task: t.id })) }, status });
    }
    this.#pending?.();
    this.#pending = null;
    return entries;
  }
  getConfig(name: string) { this.guard(`get ${name}`); return Promise.resolve(this.configs.get(name) ?? null); }
  putConfig(name: string, config: Readonly<Record<string, string>>) {
    this.guard(`put ${name}`);
    if (this.rejectWith !== null) return Promise.reject(new ConnectError(this.rejectWith, 400, "bad-request"));
    const created = !this.configs.has(name);
    this.configs.set(name, { ...config });
    this.states.set(name, { name, connector: { state: "RUNNING", worker_id: "w:8083" }, tasks: [{ id: 0, state: "RUNNING", worker_id: "w:8083" }] });
    return Promise.resolve({ created });
  }
  status(name: string) {
    this.guard(`status ${name}`);
    const answer = this.states.get(name) ?? null;
    this.#pending?.();
    this.#pending = null;
    return Promise.resolve(answer);
  }
  pause(name: string) { this.guard(`pause ${name}`); this.later(() => { this.setState(name, "PAUSED"); }); return Promise.resolve(); }
  resume(name: string) { this.guard(`resume ${name}`); this.later(() => { this.setState(name, "RUNNING"); }); return Promise.resolve(); }
  private later(change: () => void) {
    if (this.lagging) this.#pending = change;
    else change();
  }
  restart(name: string) {
    this.guard(`restart ${name}`);
    if (this.restartRejectsWith !== null) return Promise.reject(new ConnectError(this.restartRejectsWith, 500, "server"));
    this.setState(name, "RUNNING");
    return Promise.resolve();
  }
  delete(name: string) { this.guard(`delete ${name}`); return Promise.resolve(this.configs.delete(name)); }
  invalid: { name: string; errors: string[] }[] = [];
  validateFailsWith: ConnectError | null = null;
  validate() {
    this.guard("validate");
    return this.validateFailsWith ? Promise.reject(this.validateFailsWith) : Promise.resolve(this.invalid);
  }
  private setState(name: string, state: "PAUSED" | "RUNNING") {
    const current = this.states.get(name);
    if (current) this.states.set(name, { ...current, connector: { ...current.connector, state }, tasks: current.tasks.map((t) => ({ ...t, state })) });
  }
}

interface SetupExtra {
  stuckRestartingMs?: number; clusters?: KafkaCluster[]; validationBackoffMs?: number; validationBackoffMaxMs?: number;
  expiryWarningMs?: number; reactiveBackoffMs?: number; reactiveBackoffMaxMs?: number; now?: () => string; audit?: AuditRecorder;
}

function setup(connectors: Connector[], delivery?: Partial<SecretDelivery>, logTo?: { write(line: string): void }, extra: SetupExtra = {}) {
  const records = new Map(connectors.map((c) => [c.id, c]));
  const statuses = new Map<string, ConnectorStatus>();
  const connect = new FakeConnect();
  const clusters = extra.clusters ?? [cluster];
  /** One fake Connect per distinct set of worker URLs (the first cluster's is `connect`). */
  const connects = new Map<string, FakeConnect>();
  for (const c of clusters) if (!connects.has(c.connectUrls.join(","))) connects.set(c.connectUrls.join(","), connects.size === 0 ? connect : new FakeConnect());
  let version = "v1";
  let invalidations = 0;
  const secretDelivery: SecretDelivery = {
    secretKeys: (c) => ({ managed: c.config["secret.manager.enabled"] === "true" ? ["database.password"] : [], plaintext: [] }),
    resolve: () => Promise.resolve({ values: new Map([["database.password", new SecretValue("pw-canary-123")]]), versions: new Map([["database.password", version]]), references: new Map(), errors: [] }),
    ...delivery,
  };
  const runtime = memoryRuntimeStore((id) => records.has(id));
  const store = {
    ...runtime,
    connectors: {
      get: (id: string) => {
        const record = records.get(id);
        return Promise.resolve(record && { ...record, status: statuses.get(id) ?? record.status });
      },
      listAll: () => Promise.resolve([...records.values()]),
      updateStatus: (id: string, status: ConnectorStatus) => { statuses.set(id, status); return Promise.resolve(); },
    },
    clusters: { get: (id: string) => Promise.resolve(clusters.find((c) => c.id === id)), listAll: () => Promise.resolve(clusters) },
  } as unknown as Store;
  const leases = createLeaseKeeper({ store, holder: "test", logger: pino({ level: "silent" }) });
  const reconciler = createReconciler({
    store, leases, delivery: secretDelivery, bindings: createConnectorBindings(identifierGrammars()), grammars: identifierGrammars(), connectHosts: DEFAULT_CONNECT_HOST_POLICY, logger: logTo ? pino({ level: "debug" }, logTo) : pino({ level: "silent" }),
    invalidateSecrets: () => { invalidations++; }, clientFor: (c) => connects.get(c.connectUrls.join(",")) ?? connect, ...(extra.stuckRestartingMs === undefined ? {} : { stuckRestartingMs: extra.stuckRestartingMs }),
    ...(extra.validationBackoffMs === undefined ? {} : { validationBackoffMs: extra.validationBackoffMs }),
    ...(extra.validationBackoffMaxMs === undefined ? {} : { validationBackoffMaxMs: extra.validationBackoffMaxMs }),
    ...(extra.expiryWarningMs === undefined ? {} : { expiryWarningMs: extra.expiryWarningMs }),
    ...(extra.reactiveBackoffMs === undefined ? {} : { reactiveBackoffMs: extra.reactiveBackoffMs }),
    ...(extra.reactiveBackoffMaxMs === undefined ? {} : { reactiveBackoffMaxMs: extra.reactiveBackoffMaxMs }),
    ...(extra.now === undefined ? {} : { now: extra.now }),
    ...(extra.audit === undefined ? {} : { audit: extra.audit }),
  });
  return { reconciler, runtime, connect, connects, statuses, records, setVersion: (v: string) => { version = v; }, invalidations: () => invalidations };
}

describe("reconciler", () => {
  it("deploys a missing connector with placeholders, records RUNNING, and leaves an unchanged one alone", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    expect(connect.configs.get("lcc-1")?.["database.password"]).toBe("${vaultwire:lcc-1:database.password}");
    expect(JSON.stringify([...connect.configs.values()])).not.toContain("pw-canary-123");
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
    connect.calls.length = 0;
    await reconciler.reconcileAll();
    expect(connect.calls.filter((c) => c.startsWith("put"))).toEqual([]);
  });

  it("pauses and resumes to match the desired state", async () => {
    const { reconciler, connect, statuses, records } = setup([makeConnector({ desiredState: "PAUSED" })]);
    await reconciler.reconcileAll();
    expect(connect.calls).toContain("pause lcc-1");
    expect(statuses.get("lcc-1")?.state).toBe("PAUSED");
    records.set("lcc-1", makeConnector({ desiredState: "RUNNING" }));
    await reconciler.reconcileAll();
    expect(connect.calls).toContain("resume lcc-1");
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
  });

  it("looks again soon after a pause or resume until Connect shows it, instead of waiting for the next pass", async () => {
    const { reconciler, connect, statuses, records } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    connect.lagging = true;
    records.set("lcc-1", makeConnector({ desiredState: "PAUSED" }));
    await reconciler.reconcileAll();
    // Connect still said RUNNING right after the pause…
    expect(connect.calls).toContain("pause lcc-1");
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
    // …and a follow-up, not the next periodic pass, records PAUSED.
    await expect.poll(() => statuses.get("lcc-1")?.state, { timeout: 2_000, interval: 50 }).toBe("PAUSED");
    records.set("lcc-1", makeConnector({ desiredState: "RUNNING" }));
    await reconciler.reconcileAll();
    expect(statuses.get("lcc-1")?.state).toBe("PAUSED");
    await expect.poll(() => statuses.get("lcc-1")?.state, { timeout: 2_000, interval: 50 }).toBe("RUNNING");
    await reconciler.stop();
  });

  it("says Kafka Connect is slow to validate, not unreachable, when validation does not answer in time", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    connect.validateFailsWith = new ConnectError("Kafka Connect at http://w:8083 is slow: no answer to PUT /connector-plugins/PostgresConnector/config/validate within 90 s", null, "slow");
    await reconciler.reconcileAll();
    const trace = statuses.get("lcc-1")?.trace ?? "";
    expect(statuses.get("lcc-1")?.state).toBe("PROVISIONING");
    expect(trace).toContain("Kafka Connect is slow to validate, not unreachable");
    expect(trace).not.toContain("not reachable");
  });

  it("restarts a connector left RESTARTING (its restart could not fetch secrets), once its secrets resolve, and says so", async () => {
    const lines: string[] = [];
    const { reconciler, connect, statuses } = setup([makeConnector()], undefined, { write: (line) => { lines.push(line); } }, { stuckRestartingMs: 0 });
    await reconciler.reconcileAll();
    connect.states.set("lcc-1", { name: "lcc-1", connector: { state: "RESTARTING", worker_id: "w:8083" }, tasks: [{ id: 0, state: "RESTARTING", worker_id: "w:8083" }] });
    connect.calls.length = 0;
    await reconciler.reconcileAll();
    expect(connect.calls).toContain("restart lcc-1");
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
    expect(lines.some((line) => line.includes("connector stuck in RESTARTING"))).toBe(true);
    await reconciler.stop();
  });

  it("never leaves PROVISIONING without a trace", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()], undefined, undefined, { stuckRestartingMs: 60_000 });
    await reconciler.reconcileAll();
    connect.states.set("lcc-1", { name: "lcc-1", connector: { state: "RESTARTING", worker_id: "w:8083" }, tasks: [] });
    await reconciler.reconcileAll();
    expect(statuses.get("lcc-1")).toMatchObject({ state: "PROVISIONING", trace: "Kafka Connect is restarting the connector or its tasks" });
    await reconciler.stop();
  });

  it("validates a refused config again with back-off, not at every pass (each validation is a database login)", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()], undefined, undefined, { validationBackoffMs: 100, validationBackoffMaxMs: 150 });
    connect.invalid = [{ name: "database.password", errors: ["FATAL: password authentication failed for user \"u\""] }];
    const validations = () => connect.calls.filter((c) => c === "validate").length;
    await reconciler.reconcileAll();
    await reconciler.reconcileAll();
    await reconciler.reconcileAll();
    expect(validations()).toBe(1);
    expect(statuses.get("lcc-1")?.state).toBe("FAILED");
    expect(statuses.get("lcc-1")?.trace).toMatch(/vaultwire validates this configuration again at \d{4}-\d\d-\d\dT.* \(attempt 2; waits double up to 1 s\), or at once when you change or restart the connector\./);
    await new Promise((resolve) => setTimeout(resolve, 120));
    await reconciler.reconcileAll();
    await reconciler.reconcileAll();
    expect(validations()).toBe(2);
    // A restart asks again at once; once the database accepts, it deploys.
    connect.invalid = [];
    await reconciler.restart(makeConnector());
    expect(validations()).toBe(3);
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
    await reconciler.stop();
  });

  it("reports PROVISIONING with the reason while Connect is down, and converges when it is back", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    connect.down = true;
    await reconciler.reconcileAll();
    expect(statuses.get("lcc-1")).toMatchObject({ state: "PROVISIONING", trace: expect.stringContaining("waiting for Kafka Connect: Kafka Connect is not reachable at http://w:8083") as unknown });
    connect.down = false;
    await reconciler.reconcileAll();
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
  });

  it("fails a connector whose secret cannot be read, without deploying it", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()], {
      resolve: () => Promise.resolve({ values: new Map(), versions: new Map(), references: new Map(), errors: [{ key: "database.password", message: "database.password (https://v.vault.azure.net::db::password): secret \"db\" was not found in vault https://v.vault.azure.net.", transient: false }] }),
    });
    await reconciler.reconcileAll();
    expect(connect.calls.filter((c) => c.startsWith("put"))).toEqual([]);
    expect(statuses.get("lcc-1")).toMatchObject({ state: "FAILED", trace: "There were some errors with your configuration:\ndatabase.password (https://v.vault.azure.net::db::password): secret \"db\" was not found in vault https://v.vault.azure.net." });
  });

  it("turns Connect's rejection into FAILED, scrubbing any delivered value", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    connect.rejectWith = "Connector configuration is invalid: FATAL: password authentication failed for user \"u\" (password pw-canary-123)";
    await reconciler.reconcileAll();
    const status = statuses.get("lcc-1");
    expect(status?.state).toBe("FAILED");
    expect(status?.trace).toContain("the database rejected the credentials read from Azure Key Vault for database.password");
    expect(status?.trace).not.toContain("pw-canary-123");
  });

  it("scrubs every encoding and fragment of a delivered value from traces before they are stored or logged", async () => {
    const lines: string[] = [];
    const { reconciler, connect, statuses } = setup([makeConnector()], undefined, { write: (line: string) => { lines.push(line); } });
    await reconciler.reconcileAll();
    const value = "pw-canary-123";
    const printed = [
      Buffer.from(value).toString("base64"), Buffer.from(value).toString("base64url").replace(/=+$/, ""), Buffer.from(value).toString("hex").toUpperCase(),
      Buffer.from(`u:${value}`).toString("base64"), encodeURIComponent(`${value}&x`), "W-CANARY-1", value.toUpperCase(), JSON.stringify(`${value}"`),
    ];
    connect.states.set("lcc-1", { name: "lcc-1", connector: { state: "RUNNING", worker_id: "w" }, tasks: printed.map((text, id) => ({ id, state: "FAILED" as const, worker_id: "w", trace: `org.postgresql.util.PSQLException: connection with password ${text} refused` })) });
    await reconciler.reconcileAll();
    const status = statuses.get("lcc-1");
    expect(status?.tasks).toHaveLength(printed.length);
    for (const [index, text] of printed.entries()) {
      // What is left around the mask belongs to other text (the "u:" of a Basic header, JSON quotes).
      expect(status?.tasks[index]?.trace).toMatch(/^org\.postgresql\.util\.PSQLException: connection with password .{0,4}\*{16}.{0,4} refused$/);
      expect(JSON.stringify(status)).not.toContain(text);
    }
    connect.restartRejectsWith = `restart failed: ${Buffer.from(value).toString("base64")}`;
    const error = await reconciler.restart(makeConnector()).catch((e: unknown) => e);
    expect((error as Error).message).toBe("restart failed: ****************");
    expect(lines.join("")).not.toContain(Buffer.from(value).toString("base64"));
  });

  it("fails a connector whose Connect URLs the host policy refuses, saying which setting allows them", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    connect.failWith = new ConnectError("vaultwire will not call Kafka Connect at http://127.0.0.1:8083 (127.0.0.1 is a loopback address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file))", null, "refused");
    await reconciler.reconcileAll();
    expect(statuses.get("lcc-1")).toMatchObject({ state: "FAILED", trace: "Kafka cluster \"lkc-1\": vaultwire will not call Kafka Connect at http://127.0.0.1:8083 (127.0.0.1 is a loopback address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file))" });
    expect(connect.configs.size).toBe(0);
  });

  it("fails with Connect's validation errors instead of deploying an invalid config", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    connect.invalid = [{ name: "database.password", errors: ["org.apache.kafka.common.config.ConfigException: vaultwire: database.password (x): secret \"db\" was not found"] }];
    await reconciler.reconcileAll();
    expect(connect.configs.has("lcc-1")).toBe(false);
    expect(statuses.get("lcc-1")).toMatchObject({ state: "FAILED", trace: expect.stringContaining("database.password: org.apache.kafka.common.config.ConfigException: vaultwire: database.password (x)") as unknown });
  });

  it("restarts tasks that failed only because vaultwire could not be reached, once the secrets resolve", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    connect.states.set("lcc-1", { name: "lcc-1", connector: { state: "RUNNING", worker_id: "w" }, tasks: [{ id: 0, state: "FAILED", worker_id: "w", trace: "org.apache.kafka.common.config.ConfigException: vaultwire: could not fetch the secrets of connector lcc-1 from http://x after 7 attempt(s) in 9000 ms (deadline 10000 ms): connection refused or unreachable" }] });
    await reconciler.reconcileAll();
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toEqual(["restart lcc-1"]);
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
    await reconciler.stop();
  });

  it("leaves other failures to the user", async () => {
    const { reconciler, connect, statuses } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    connect.states.set("lcc-1", { name: "lcc-1", connector: { state: "RUNNING", worker_id: "w" }, tasks: [{ id: 0, state: "FAILED", worker_id: "w", trace: "java.lang.IllegalStateException: boom" }] });
    await reconciler.reconcileAll();
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toEqual([]);
    expect(statuses.get("lcc-1")?.state).toBe("FAILED");
  });

  it("waits for workers when the cluster has none", async () => {
    const { reconciler, statuses } = setup([makeConnector()]);
    cluster.connectUrls = [];
    try {
      await reconciler.reconcileAll();
      expect(statuses.get("lcc-1")?.trace).toContain("has no Kafka Connect workers registered");
    } finally {
      cluster.connectUrls = ["http://w:8083"];
    }
  });

  it("restarts with tasks only when a secret version changes", async () => {
    const { reconciler, connect, setVersion, invalidations } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    await reconciler.refreshSecrets();
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toEqual([]);
    setVersion("v2");
    await reconciler.refreshSecrets();
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toEqual(["restart lcc-1"]);
    await reconciler.refreshSecrets();
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toHaveLength(1);
    expect(invalidations()).toBe(3);
  });

  it("records each rotation (from → to, how detected) and each restart with its cause in the audit trail", async () => {
    const records: AuditInput[] = [];
    const { reconciler, connect, setVersion } = setup([makeConnector()], undefined, undefined, { audit: { record: (event) => { records.push(event); } } });
    await reconciler.reconcileAll();
    setVersion("v2");
    await reconciler.refreshSecrets();
    await reconciler.restart(makeConnector());
    connect.states.set("lcc-1", { name: "lcc-1", connector: { state: "RUNNING", worker_id: "w" }, tasks: [{ id: 0, state: "FAILED", worker_id: "w", trace: "org.apache.kafka.common.config.ConfigException: vaultwire: could not fetch the secrets of connector lcc-1 from http://x after 7 attempt(s) in 9000 ms (deadline 10000 ms): connection refused or unreachable" }] });
    await reconciler.reconcileAll();
    expect(records.map((r) => [r.type, r.outcome, r.detectedBy ?? r.restartCause])).toEqual([
      ["rotation.detected", "restart-requested", "poll"],
      ["connector.restarted", "restarted", "rotation"],
      ["connector.restarted", "restarted", "request"],
      ["connector.restarted", "restarted", "provider-unreachable"],
    ]);
    expect(records[0]).toMatchObject({ connectorId: "lcc-1", keys: ["database.password"], versions: { "database.password": "v2" }, previousVersions: { "database.password": "v1" } });
    expect(JSON.stringify(records)).not.toContain("pw-canary");
    await reconciler.stop();
  });

  it("removes connectors vaultwire no longer knows, and nothing else", async () => {
    const { reconciler, connect } = setup([makeConnector()]);
    connect.configs.set("lcc-gone", {});
    connect.configs.set("someone-elses", {});
    await reconciler.reconcileAll();
    expect([...connect.configs.keys()].sort()).toEqual(["lcc-1", "someone-elses"]);
  });

  it("performs requests once it holds a cluster registered after a drain that found none (the drain is not left marked running)", async () => {
    const clusters: KafkaCluster[] = [];
    const { reconciler, connect } = setup([makeConnector()], undefined, undefined, { clusters });
    // Nothing to hold yet: this drain returns before its first await.
    await reconciler.drainRequests();
    clusters.push(cluster);
    await reconciler.reconcileAll();
    connect.calls.length = 0;
    await reconciler.restart(makeConnector());
    expect(connect.calls).toContain("restart lcc-1");
  });

  it("never removes as an orphan a connector created and deployed while the pass was listing Connect", async () => {
    const { reconciler, connect, records } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    // Another replica records and deploys a connector between this pass's listing and its orphan check.
    connect.onList = () => {
      records.set("lcc-new", makeConnector({ id: "lcc-new", name: "payments" }));
      connect.configs.set("lcc-new", {});
      return Promise.resolve();
    };
    await reconciler.reconcileAll();
    expect(connect.calls).not.toContain("delete lcc-new");
    expect([...connect.configs.keys()].sort()).toEqual(["lcc-1", "lcc-new"]);
  });

  it("a replica whose lease was taken over changes nothing in Connect and writes no runtime state", async () => {
    const { reconciler, runtime, connect, records, setVersion } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    await reconciler.refreshSecrets();
    // Another replica takes the cluster over (the lease expired here unrenewed).
    const lease = runtime.data.leases.get("lkc-1");
    runtime.data.leases.set("lkc-1", { clusterId: "lkc-1", holder: "other", token: (lease?.token ?? 0) + 1, expiresAt: Date.now() + 60_000 });
    const before = structuredClone(runtime.data.states.get("lcc-1"));
    connect.calls.length = 0;
    // Still valid by its own clock: the store refuses its fenced writes, so it stops.
    records.set("lcc-1", makeConnector({ generation: 2, desiredState: "PAUSED" }));
    setVersion("v2");
    await reconciler.refreshSecrets();
    expect(connect.calls.filter((c) => !c.startsWith("list") && !c.startsWith("get") && !c.startsWith("status"))).toEqual([]);
    expect(runtime.data.states.get("lcc-1")).toEqual(before);
    expect(runtime.data.requests).toEqual([]);
    await reconciler.stop();
  });

  it("a restart recorded by a rotation is performed by the replica that takes over, once", async () => {
    const shared = setup([makeConnector()]);
    await shared.reconciler.reconcileAll();
    await shared.reconciler.refreshSecrets();
    // The owner recorded the rotation's restart and died before performing it.
    shared.runtime.data.requests.push({ id: 99, clusterId: "lkc-1", connectorId: "lcc-1", connectorName: "lcc-1", action: "restart", requestedAt: "t" });
    shared.connect.calls.length = 0;
    await shared.reconciler.drainRequests();
    await shared.reconciler.drainRequests();
    expect(shared.connect.calls.filter((c) => c === "restart lcc-1")).toHaveLength(1);
    expect(shared.runtime.data.requests).toEqual([]);
    await shared.reconciler.stop();
  });

  it("reads each Connect cluster once per pass: unchanged connectors make no other call", async () => {
    const other: KafkaCluster = { ...cluster, id: "lkc-2", connectUrls: ["http://w2:8083"] };
    const many = Array.from({ length: 30 }, (_, i) => makeConnector({ id: `lcc-${i}`, clusterId: i % 2 === 0 ? cluster.id : other.id }));
    const { reconciler, connects, statuses } = setup(many, undefined, undefined, { clusters: [cluster, other] });
    await reconciler.reconcileAll();
    const fakes = [...connects.values()];
    expect(fakes).toHaveLength(2);
    expect(fakes.map((f) => f.configs.size)).toEqual([15, 15]);
    for (const fake of fakes) fake.calls.length = 0;
    await reconciler.reconcileAll();
    expect(fakes.map((f) => f.calls)).toEqual([["list expanded"], ["list expanded"]]);
    expect(many.every((c) => statuses.get(c.id)?.state === "RUNNING")).toBe(true);
    // The single-connector path still reads its own config and status.
    await reconciler.reconcileOne("lcc-0");
    expect(fakes[0]?.calls).toEqual(["list expanded", "get lcc-0", "status lcc-0"]);
  });

  it("in a batched pass, still deploys changed connectors, pauses, resumes and removes orphans, calling Connect only for them", async () => {
    const many = Array.from({ length: 20 }, (_, i) => makeConnector({ id: `lcc-${i}` }));
    const { reconciler, connect, records, statuses } = setup(many);
    await reconciler.reconcileAll();
    connect.calls.length = 0;
    const changed = makeConnector({ id: "lcc-3", generation: 2 });
    records.set("lcc-3", { ...changed, config: { ...changed.config, "tasks.max": "2" } });
    records.set("lcc-5", makeConnector({ id: "lcc-5", desiredState: "PAUSED" }));
    records.set("lcc-20", makeConnector({ id: "lcc-20" }));
    connect.configs.set("lcc-gone", {});
    await reconciler.reconcileAll();
    expect(connect.configs.get("lcc-3")?.["tasks.max"]).toBe("2");
    expect(connect.configs.has("lcc-20")).toBe(true);
    expect(connect.configs.has("lcc-gone")).toBe(false);
    expect(statuses.get("lcc-5")?.state).toBe("PAUSED");
    expect(statuses.get("lcc-20")?.state).toBe("RUNNING");
    expect([...connect.calls].sort()).toEqual([
      "delete lcc-gone", "get lcc-20", "list expanded", "pause lcc-5", "put lcc-20", "put lcc-3",
      "status lcc-20", "status lcc-3", "status lcc-5", "validate", "validate",
    ]);
    connect.calls.length = 0;
    records.set("lcc-5", makeConnector({ id: "lcc-5" }));
    await reconciler.reconcileAll();
    expect(connect.calls).toEqual(["list expanded", "resume lcc-5", "status lcc-5"]);
    expect(statuses.get("lcc-5")?.state).toBe("RUNNING");
  });

  it("does not trust the pass's listing for a connector vaultwire changed after it was read", async () => {
    const { reconciler, connect, records } = setup([makeConnector()]);
    await reconciler.reconcileAll();
    connect.calls.length = 0;
    const changed = makeConnector({ generation: 2 });
    records.set("lcc-1", { ...changed, config: { ...changed.config, "tasks.max": "2" } });
    // The pass lists Connect first; the apply deploys the change after that, before the pass reaches the connector.
    connect.onList = async () => {
      await reconciler.apply(records.get("lcc-1") ?? changed);
      await reconciler.drainRequests();
    };
    await reconciler.reconcileAll();
    expect(connect.calls.indexOf("list expanded")).toBeLessThan(connect.calls.indexOf("put lcc-1"));
    expect(connect.calls.filter((c) => c === "put lcc-1")).toHaveLength(1);
    expect(connect.calls.slice(-2)).toEqual(["get lcc-1", "status lcc-1"]);
  });

  it("works on at most PASS_CONCURRENCY connectors at once in a pass", async () => {
    let inFlight = 0;
    let most = 0;
    const many = Array.from({ length: 30 }, (_, i) => makeConnector({ id: `lcc-${i}` }));
    const { reconciler } = setup(many, {
      resolve: async () => {
        most = Math.max(most, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return { values: new Map([["database.password", new SecretValue("pw-canary-123")]]), versions: new Map([["database.password", "v1"]]), references: new Map(), errors: [] };
      },
    });
    await reconciler.reconcileAll();
    expect(most).toBe(PASS_CONCURRENCY);
  });

  it("answers apply at once and deploys in the background", async () => {
    const { reconciler, connect } = setup([makeConnector()]);
    expect(await reconciler.apply(makeConnector())).toBeNull();
    await reconciler.stop();
    expect(connect.configs.has("lcc-1")).toBe(true);
  });
});

const AUTH_REFUSED = "org.postgresql.util.PSQLException: FATAL: password authentication failed for user \"u\"\n\tat org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication";

/** A vault for the fake delivery: what it holds now, what the cache holds, and how often each was read. */
function fakeVault(initial: { version: string; expiresAt?: string }) {
  const held: { version: string; expiresAt?: string } = { ...initial };
  let cached = { ...initial };
  const reads = { live: 0, cached: 0 };
  const delivery: Partial<SecretDelivery> = {
    resolve: (_connector, _keys, options = {}) => {
      if (options.live === true) {
        reads.live++;
        cached = { ...held };
      } else reads.cached++;
      return Promise.resolve({
        values: new Map([["database.password", new SecretValue("pw-canary-123")]]), versions: new Map([["database.password", cached.version]]),
        references: new Map([["database.password", "https://orders-kv.vault.azure.net/secrets/db"]]),
        expiries: cached.expiresAt === undefined ? new Map<string, string>() : new Map([["database.password", cached.expiresAt]]), errors: [],
      });
    },
  };
  return { delivery, reads, set: (next: { version: string; expiresAt?: string }) => { held.version = next.version; if (next.expiresAt === undefined) delete held.expiresAt; else held.expiresAt = next.expiresAt; } };
}

/** A connector whose identifier names a vault the default host policy allows (makeConnector's does not: "v" is too short a vault name). */
function vaultConnector(overrides: Partial<Connector> = {}): Connector {
  const base = makeConnector(overrides);
  return { ...base, config: { ...base.config, "database.password": "https://orders-kv.vault.azure.net::db::password", ...overrides.config } };
}

const failedAuth = (name = "lcc-1"): ConnectStatus => ({ name, connector: { state: "RUNNING", worker_id: "w:8083" }, tasks: [{ id: 0, state: "FAILED", worker_id: "w:8083", trace: AUTH_REFUSED }] });

describe("reactive refresh: a connector that fails to authenticate", () => {
  it("re-reads its secrets bypassing the cache; a changed version restarts it once, and a failure after that restart does not restart it again", async () => {
    const vault = fakeVault({ version: "v1" });
    const { reconciler, connect, statuses, runtime } = setup([vaultConnector()], vault.delivery, undefined, { reactiveBackoffMs: 60_000 });
    await reconciler.reconcileAll();
    // The database's password was changed first; the vault's is set before the task's failure is seen.
    vault.set({ version: "v2" });
    connect.states.set("lcc-1", failedAuth());
    connect.calls.length = 0;
    await reconciler.reconcileAll();
    await expect.poll(() => connect.calls.filter((c) => c.startsWith("restart")), { timeout: 2_000, interval: 20 }).toEqual(["restart lcc-1"]);
    expect(vault.reads.live).toBe(1);
    expect(runtime.data.states.get("lcc-1")?.seenVersions?.["database.password"]?.version).toBe("v2");
    expect(runtime.data.versions.get("https://orders-kv.vault.azure.net/secrets/db")).toBe("v2");
    await expect.poll(() => statuses.get("lcc-1")?.state, { timeout: 2_000, interval: 20 }).toBe("RUNNING");
    // The new password is refused too: read once more (the versions on record changed), nothing new, no second restart.
    connect.states.set("lcc-1", failedAuth());
    for (let i = 0; i < 4; i++) await reconciler.reconcileAll();
    await expect.poll(() => vault.reads.live, { timeout: 2_000, interval: 20 }).toBe(2);
    for (let i = 0; i < 4; i++) await reconciler.reconcileAll();
    expect(vault.reads.live).toBe(2);
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toEqual(["restart lcc-1"]);
    expect(runtime.data.requests).toEqual([]);
    await reconciler.stop();
  });

  it("keeps FAILED with the database advice when the versions are unchanged, says it re-read them, and reads again only after a back-off", async () => {
    const vault = fakeVault({ version: "v1" });
    const lines: string[] = [];
    const { reconciler, connect, statuses } = setup([vaultConnector()], vault.delivery, { write: (line) => { lines.push(line); } }, { reactiveBackoffMs: 150, reactiveBackoffMaxMs: 150 });
    await reconciler.reconcileAll();
    connect.states.set("lcc-1", failedAuth());
    await reconciler.reconcileAll();
    await expect.poll(() => statuses.get("lcc-1")?.trace ?? "", { timeout: 2_000, interval: 20 }).toContain("vaultwire read database.password (https://orders-kv.vault.azure.net::db::password) again from Azure Key Vault at ");
    const status = statuses.get("lcc-1");
    expect(status?.state).toBe("FAILED");
    expect(status?.trace).toContain("the database rejected the credentials read from Azure Key Vault for database.password (https://orders-kv.vault.azure.net::db::password)");
    expect(status?.trace).toMatch(/the versions are the ones the connector was started with, so the refused credentials are the secret's current value\. .*vaultwire reads the secret again at \d{4}-\d\d-\d\dT/);
    expect(status?.trace).not.toContain("pw-canary-123");
    expect(vault.reads.live).toBe(1);
    // Passes within the back-off read nothing live and restart nothing.
    for (let i = 0; i < 5; i++) await reconciler.reconcileAll();
    expect(vault.reads.live).toBe(1);
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toEqual([]);
    // After it, one more live read; still unchanged, still no restart.
    await new Promise((resolve) => setTimeout(resolve, 170));
    await reconciler.reconcileAll();
    await expect.poll(() => vault.reads.live, { timeout: 2_000, interval: 20 }).toBe(2);
    await reconciler.reconcileAll();
    expect(vault.reads.live).toBe(2);
    expect(connect.calls.filter((c) => c.startsWith("restart"))).toEqual([]);
    expect(lines.filter((line) => line.includes("the connector failed to authenticate: reading its secrets again"))).toHaveLength(2);
    // The vault gets the new password at last: the next re-read restarts it, once.
    vault.set({ version: "v2" });
    await new Promise((resolve) => setTimeout(resolve, 170));
    await reconciler.reconcileAll();
    await expect.poll(() => connect.calls.filter((c) => c.startsWith("restart")), { timeout: 2_000, interval: 20 }).toEqual(["restart lcc-1"]);
    await reconciler.stop();
  });

  it("reacts to Connect's validation refusing the login on deploy: a changed version restarts and validates again at once", async () => {
    const vault = fakeVault({ version: "v1" });
    const { reconciler, connect, statuses } = setup([vaultConnector()], vault.delivery, undefined, { validationBackoffMs: 60_000 });
    connect.invalid = [{ name: "database.password", errors: ["FATAL: password authentication failed for user \"u\""] }];
    vault.set({ version: "v2" });
    await reconciler.reconcileAll();
    expect(connect.calls.filter((c) => c === "validate")).toHaveLength(1);
    // The database accepts the vault's new value.
    connect.invalid = [];
    await expect.poll(() => statuses.get("lcc-1")?.state, { timeout: 2_000, interval: 20 }).toBe("RUNNING");
    expect(vault.reads.live).toBe(1);
    expect(connect.calls.filter((c) => c === "validate")).toHaveLength(2);
    expect(connect.configs.has("lcc-1")).toBe(true);
    await reconciler.stop();
  });

  it("does not react to failures that are not authentication errors, nor to secrets that cannot be read", async () => {
    const vault = fakeVault({ version: "v1" });
    const { reconciler, connect } = setup([vaultConnector()], vault.delivery);
    await reconciler.reconcileAll();
    connect.states.set("lcc-1", { name: "lcc-1", connector: { state: "RUNNING", worker_id: "w" }, tasks: [{ id: 0, state: "FAILED", worker_id: "w", trace: "java.lang.IllegalStateException: boom" }] });
    await reconciler.reconcileAll();
    await reconciler.reconcileAll();
    expect(vault.reads.live).toBe(0);
    await reconciler.stop();
  });
});

describe("expiry warnings", () => {
  const NOW = "2030-01-01T00:00:00.000Z";
  const inDays = (days: number) => new Date(Date.parse(NOW) + days * 86_400_000).toISOString();

  it("puts a warning naming the key, the secret and the date on a connector whose secret expires within the window, and none beyond it", async () => {
    const vault = fakeVault({ version: "v1", expiresAt: inDays(12) });
    const connector = vaultConnector();
    const { reconciler, statuses, runtime } = setup([connector], vault.delivery, undefined, { now: () => NOW, expiryWarningMs: 30 * 86_400_000 });
    // What the Event Grid webhook records for an expiry event (services/secret-events.ts), performed by the owner.
    const pushed = async () => {
      await runtime.runtimeRequests.enqueue({ clusterId: connector.clusterId, connectorId: connector.id, connectorName: connectName(connector), action: "rotate", requestedAt: NOW, secretVersions: { "https://orders-kv.vault.azure.net/secrets/db": RECHECK_METADATA } });
      await reconciler.drainRequests();
    };
    await reconciler.reconcileAll();
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
    expect(statuses.get("lcc-1")?.warnings).toEqual([{
      code: "SECRET_NEAR_EXPIRY", key: "database.password", secret: "https://orders-kv.vault.azure.net::db::password", expiresAt: inDays(12),
      message: `database.password (https://orders-kv.vault.azure.net::db::password): the secret expires at ${inDays(12)} (in 12 days); store a new version or extend its expiration date in Azure Key Vault before then: once it has expired, vaultwire fails the connector instead of using it`,
    }]);
    expect(JSON.stringify(statuses.get("lcc-1"))).not.toContain("pw-canary-123");
    expect(reconciler.secretExpiries()).toEqual([{ integrationId: "cspi-1", secret: "https://orders-kv.vault.azure.net::db", expiresAt: inDays(12) }]);
    // A new version with a later date (read by an event or the poll): the warning goes without a pass.
    vault.set({ version: "v1", expiresAt: inDays(90) });
    await pushed();
    expect(statuses.get("lcc-1")).not.toHaveProperty("warnings");
    expect(reconciler.secretExpiries()).toEqual([{ integrationId: "cspi-1", secret: "https://orders-kv.vault.azure.net::db", expiresAt: inDays(90) }]);
    // …and comes back when an event says it is near again.
    vault.set({ version: "v1", expiresAt: inDays(2) });
    await pushed();
    expect(statuses.get("lcc-1")?.warnings?.map((w) => w.expiresAt)).toEqual([inDays(2)]);
    expect(statuses.get("lcc-1")?.state).toBe("RUNNING");
    // No exp any more: no warning, no gauge series.
    vault.set({ version: "v1" });
    await pushed();
    expect(statuses.get("lcc-1")).not.toHaveProperty("warnings");
    expect(reconciler.secretExpiries()).toEqual([]);
    await reconciler.stop();
  });

  it("warns of nothing with a window of 0, but still reports the expiry for the gauge", async () => {
    const vault = fakeVault({ version: "v1", expiresAt: inDays(1) });
    const { reconciler, statuses } = setup([vaultConnector()], vault.delivery, undefined, { now: () => NOW, expiryWarningMs: 0 });
    await reconciler.reconcileAll();
    expect(statuses.get("lcc-1")).not.toHaveProperty("warnings");
    expect(reconciler.secretExpiries()).toHaveLength(1);
  });

  it("keeps failing a connector whose secret has expired, before it is used, and the gauge keeps its date", async () => {
    let expired = false;
    const { reconciler, connect, statuses } = setup([vaultConnector()], {
      resolve: () => Promise.resolve(expired
        ? { values: new Map(), versions: new Map(), references: new Map(), expiries: new Map([["database.password", inDays(-1)]]), errors: [{ key: "database.password", message: `database.password (https://orders-kv.vault.azure.net::db::password): secret "db" in vault https://orders-kv.vault.azure.net expired at ${inDays(-1)}; store a new version or extend its expiration date in Key Vault.`, transient: false }] }
        : { values: new Map([["database.password", new SecretValue("pw-canary-123")]]), versions: new Map([["database.password", "v1"]]), references: new Map(), expiries: new Map([["database.password", inDays(-1)]]), errors: [] }),
    }, undefined, { now: () => NOW });
    expired = true;
    await reconciler.reconcileAll();
    expect(connect.calls.filter((c) => c.startsWith("put"))).toEqual([]);
    expect(statuses.get("lcc-1")?.state).toBe("FAILED");
    expect(statuses.get("lcc-1")?.trace).toContain(`expired at ${inDays(-1)}`);
    expect(statuses.get("lcc-1")).not.toHaveProperty("warnings");
    expect(reconciler.secretExpiries()).toEqual([{ integrationId: "cspi-1", secret: "https://orders-kv.vault.azure.net::db", expiresAt: inDays(-1) }]);
  });

  it("drops a connector's expiries from the gauge once it no longer uses the secret", async () => {
    const vault = fakeVault({ version: "v1", expiresAt: inDays(5) });
    const { reconciler, records } = setup([vaultConnector()], vault.delivery, undefined, { now: () => NOW });
    await reconciler.reconcileAll();
    expect(reconciler.secretExpiries()).toHaveLength(1);
    const plain = vaultConnector({ generation: 2 });
    records.set("lcc-1", { ...plain, config: { ...plain.config, "secret.manager.enabled": "false", "database.password": "typed" }, integrationId: null });
    await reconciler.reconcileAll();
    expect(reconciler.secretExpiries()).toEqual([]);
  });
});
