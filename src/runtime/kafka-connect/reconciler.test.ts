import pino from "pino";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONNECT_HOST_POLICY } from "../../domain/connect-host-policy.js";
import { DEFAULT_VAULT_HOST_POLICY } from "../../domain/vault-host-policy.js";
import type { Connector, ConnectorStatus, KafkaCluster } from "../../domain/resources.js";
import { SecretValue } from "../../secret-managers/secret-value.js";
import type { SecretDelivery } from "../../services/secret-delivery.js";
import { ConnectError, type ConnectClient, type ConnectStatus, type ExpandedConnector } from "./client.js";
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
  listExpanded() {
    this.guard("list expanded");
    const entries = new Map<string, ExpandedConnector>();
    for (const [name, config] of this.configs) {
      const status = this.states.get(name) ?? { name, connector: { state: "UNASSIGNED" as const, worker_id: "" }, tasks: [] };
      entries.set(name, { info: { name, config: { ...config }, tasks: status.tasks.map((t) => ({ connector: name, task: t.id })) }, status });
    }
    this.#pending?.();
    this.#pending = null;
    return Promise.resolve(entries);
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

function setup(connectors: Connector[], delivery?: Partial<SecretDelivery>, logTo?: { write(line: string): void }, extra: { stuckRestartingMs?: number; clusters?: KafkaCluster[]; validationBackoffMs?: number; validationBackoffMaxMs?: number } = {}) {
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
    resolve: () => Promise.resolve({ values: new Map([["database.password", new SecretValue("pw-canary-123")]]), versions: new Map([["database.password", version]]), errors: [] }),
    ...delivery,
  };
  const store = {
    connectors: {
      get: (id: string) => Promise.resolve(records.get(id)),
      listAll: () => Promise.resolve([...records.values()]),
      updateStatus: (id: string, status: ConnectorStatus) => { statuses.set(id, status); return Promise.resolve(); },
    },
    clusters: { get: (id: string) => Promise.resolve(clusters.find((c) => c.id === id)), listAll: () => Promise.resolve(clusters) },
  } as unknown as Parameters<typeof createReconciler>[0]["store"];
  const reconciler = createReconciler({
    store, delivery: secretDelivery, vaultHosts: DEFAULT_VAULT_HOST_POLICY, connectHosts: DEFAULT_CONNECT_HOST_POLICY, logger: logTo ? pino({ level: "debug" }, logTo) : pino({ level: "silent" }),
    invalidateSecrets: () => { invalidations++; }, clientFor: (c) => connects.get(c.connectUrls.join(",")) ?? connect, ...(extra.stuckRestartingMs === undefined ? {} : { stuckRestartingMs: extra.stuckRestartingMs }),
    ...(extra.validationBackoffMs === undefined ? {} : { validationBackoffMs: extra.validationBackoffMs }),
    ...(extra.validationBackoffMaxMs === undefined ? {} : { validationBackoffMaxMs: extra.validationBackoffMaxMs }),
  });
  return { reconciler, connect, connects, statuses, records, setVersion: (v: string) => { version = v; }, invalidations: () => invalidations };
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
      resolve: () => Promise.resolve({ values: new Map(), versions: new Map(), errors: [{ key: "database.password", message: "database.password (https://v.vault.azure.net::db::password): secret \"db\" was not found in vault https://v.vault.azure.net.", transient: false }] }),
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

  it("removes connectors vaultwire no longer knows, and nothing else", async () => {
    const { reconciler, connect } = setup([makeConnector()]);
    connect.configs.set("lcc-gone", {});
    connect.configs.set("someone-elses", {});
    await reconciler.reconcileAll();
    expect([...connect.configs.keys()].sort()).toEqual(["lcc-1", "someone-elses"]);
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
    const pass = reconciler.reconcileAll();
    await reconciler.apply(records.get("lcc-1") ?? changed);
    await pass;
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
        return { values: new Map([["database.password", new SecretValue("pw-canary-123")]]), versions: new Map([["database.password", "v1"]]), errors: [] };
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
