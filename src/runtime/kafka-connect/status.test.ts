import { describe, expect, it } from "vitest";
import type { ConnectStatus } from "./client.js";
import { isAuthenticationFailure, mapStatus, type StatusContext } from "./status.js";

const context: StatusContext = {
  managedFields: [{ key: "database.user", identifier: "https://v.vault.azure.net::db::user" }, { key: "database.password", identifier: "https://v.vault.azure.net::db::password" }],
  integrationId: "cspi-1",
  observedAt: "2026-01-01T00:00:00.000Z",
  scrub: (text) => text.split("s3cr3t-value").join("****************"),
};

function status(connector: ConnectStatus["connector"]["state"], tasks: ConnectStatus["tasks"][number]["state"][], trace?: string): ConnectStatus {
  return { name: "lcc-1", connector: { state: connector, worker_id: "w1:8083" }, tasks: tasks.map((state, id) => ({ id, state, worker_id: "w1:8083", ...(trace && state === "FAILED" ? { trace } : {}) })) };
}

describe("mapStatus", () => {
  it.each([
    [null, "PROVISIONING"],
    [status("RUNNING", ["RUNNING"]), "RUNNING"],
    [status("RUNNING", []), "PROVISIONING"],
    [status("UNASSIGNED", []), "PROVISIONING"],
    [status("RUNNING", ["RUNNING", "FAILED"], "boom"), "DEGRADED"],
    [status("RUNNING", ["FAILED"], "boom"), "FAILED"],
    [status("FAILED", []), "FAILED"],
    [status("PAUSED", ["PAUSED"]), "PAUSED"],
    [status("RUNNING", ["PAUSED"]), "PAUSED"],
    [status("STOPPED", []), "PAUSED"],
    [status("RESTARTING", ["RESTARTING"]), "PROVISIONING"],
  ])("%j → %s", (input, expected) => {
    expect(mapStatus(input, context).state).toBe(expected);
  });

  it("explains a database that rejects the vault's credentials, in the specification's style, without values", () => {
    const mapped = mapStatus(status("RUNNING", ["FAILED"], "org.apache.kafka.connect.errors.ConnectException: FATAL: password authentication failed for user \"s3cr3t-value\"\n\tat io.debezium..."), context);
    expect(mapped.state).toBe("FAILED");
    // The password is named first (a refused login is almost always its password), and the database's line appears once.
    expect(mapped.trace).toMatch(/^There were some errors with your configuration:\ndatabase.password: the database rejected the credentials read from Azure Key Vault for database.password \(https:\/\/v.vault.azure.net::db::password\), database.user \(https:\/\/v.vault.azure.net::db::user\)\./);
    expect(mapped.trace?.split("password authentication failed")).toHaveLength(2);
    expect(mapped.trace).toContain("\n\n\tat io.debezium...");
    expect(mapped.trace).toContain("\"Key Vault Secrets User\" role");
    expect(mapped.trace).toContain("validate provider integration \"cspi-1\"");
    expect(mapped.trace).not.toContain("s3cr3t-value");
    expect(mapped.tasks[0]).toMatchObject({ id: 0, state: "FAILED", workerId: "w1:8083" });
  });

  it("names AWS Secrets Manager and the IAM role's permission, not Key Vault, for fields read from AWS", () => {
    const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";
    const aws: StatusContext = { ...context, secretManager: "AWS_SECRETS_MANAGER", managedFields: [{ key: "database.user", identifier: `${arn}::user` }, { key: "database.password", identifier: `${arn}::password` }] };
    const mapped = mapStatus(status("RUNNING", ["FAILED"], "FATAL: password authentication failed for user \"s3cr3t-value\""), aws);
    expect(mapped.trace).toContain(`database.password: the database rejected the credentials read from AWS Secrets Manager for database.password (${arn}::password), database.user (${arn}::user).`);
    expect(mapped.trace).toContain("secretsmanager:GetSecretValue");
    expect(mapped.trace).not.toContain("Key Vault");
    expect(mapped.trace).not.toContain("s3cr3t-value");
  });

  it("says a database that cannot be reached is not reachable, naming host:port, with the driver's line once", () => {
    const mapped = mapStatus(status("RUNNING", ["FAILED"], "com.microsoft.sqlserver.jdbc.SQLServerException: The TCP/IP connection to the host db.internal, port 1433 has failed. Error: \"Connection timed out\".\n\tat com.microsoft..."), { ...context, database: "db.internal:1433" });
    expect(mapped.trace).toMatch(/^There were some errors with your configuration:\ndatabase.hostname: the database at db.internal:1433 could not be reached from the Kafka Connect workers\./);
    expect(mapped.trace?.split("The TCP/IP connection")).toHaveLength(2);
  });

  it("keeps other traces as they are, scrubbed", () => {
    const mapped = mapStatus(status("RUNNING", ["FAILED"], "vaultwire: database.password (x): secret \"db\" was not found; s3cr3t-value"), context);
    expect(mapped.trace).toBe("vaultwire: database.password (x): secret \"db\" was not found; ****************");
  });
});

describe("mapStatus with workers that do not answer", () => {
  const dead = "127.0.0.1:43189";
  const on = (connectorWorker: string, taskWorkers: string[], taskState: ConnectStatus["tasks"][number]["state"] = "RUNNING"): ConnectStatus => ({
    name: "lcc-1",
    connector: { state: "RUNNING", worker_id: connectorWorker },
    tasks: taskWorkers.map((worker_id, id) => ({ id, state: taskState, worker_id, ...(taskState === "FAILED" ? { trace: "boom" } : {}) })),
  });
  const withDead = { ...context, unresponsiveWorkers: new Set([dead]) };

  it("a connector whose only task is on a dead worker is DEGRADED, not RUNNING, and the task says why", () => {
    const mapped = mapStatus(on("w1:8083", [dead]), withDead);
    expect(mapped.state).toBe("DEGRADED");
    expect(mapped.trace).toBe("worker 127.0.0.1:43189 is not responding (it runs task 0); Kafka Connect will reassign its tasks within 15 s of noticing it gone (scheduled.rebalance.max.delay.ms of vaultwire's worker-config)");
    expect(mapped.workerId).toBe("w1:8083");
    expect(mapped.tasks).toEqual([{ id: 0, state: "DEGRADED", workerId: dead, trace: mapped.trace }]);
  });

  it("names the connector and every task of the dead worker, and leaves the others RUNNING", () => {
    const mapped = mapStatus(on(dead, [dead, "w1:8083", dead]), withDead);
    expect(mapped.state).toBe("DEGRADED");
    expect(mapped.trace).toMatch(/^worker 127\.0\.0\.1:43189 is not responding \(it runs the connector, task 0, task 2\); /);
    expect(mapped.tasks.map((t) => t.state)).toEqual(["DEGRADED", "RUNNING", "DEGRADED"]);
    expect(mapped.tasks[1]?.trace).toBeNull();
  });

  it("is DEGRADED when only the connector itself is on the dead worker", () => {
    const mapped = mapStatus(on(dead, ["w1:8083"]), withDead);
    expect(mapped.state).toBe("DEGRADED");
    expect(mapped.trace).toContain("(it runs the connector)");
    expect(mapped.tasks[0]?.state).toBe("RUNNING");
  });

  it("keeps a failed task's trace first and adds the worker's", () => {
    const mapped = mapStatus({ ...on("w1:8083", ["w1:8083"], "FAILED"), tasks: [{ id: 0, state: "FAILED", worker_id: "w1:8083", trace: "boom" }, { id: 1, state: "RUNNING", worker_id: dead }] }, withDead);
    expect(mapped.state).toBe("DEGRADED");
    expect(mapped.trace).toMatch(/^boom\n\nworker 127\.0\.0\.1:43189 is not responding \(it runs task 1\)/);
  });

  it("changes nothing for live workers, no probe results, or a connector already FAILED or PAUSED", () => {
    expect(mapStatus(on("w1:8083", ["w1:8083"]), withDead)).toEqual(mapStatus(on("w1:8083", ["w1:8083"]), context));
    expect(mapStatus(on(dead, [dead]), { ...context, unresponsiveWorkers: new Set() }).state).toBe("RUNNING");
    expect(mapStatus(on(dead, [dead]), context).state).toBe("RUNNING");
    expect(mapStatus(on(dead, [dead], "FAILED"), withDead)).toMatchObject({ state: "FAILED", trace: "boom" });
    expect(mapStatus({ ...on(dead, [dead], "PAUSED"), connector: { state: "PAUSED", worker_id: dead } }, withDead).state).toBe("PAUSED");
  });
});

describe("isAuthenticationFailure", () => {
  const observedAt = "2026-01-01T00:00:00.000Z";
  it("is true for a failed connector or task whose trace is a database's or broker's refusal of the credentials, as mapped", () => {
    const mapped = mapStatus({ name: "c", connector: { state: "RUNNING", worker_id: "w" }, tasks: [{ id: 0, state: "FAILED", worker_id: "w", trace: "org.postgresql.util.PSQLException: FATAL: password authentication failed for user \"u\"" }] }, context);
    expect(mapped.state).toBe("FAILED");
    expect(isAuthenticationFailure(mapped)).toBe(true);
    for (const trace of ["Access denied for user 'u'@'h' (using password: YES)", "Login failed for user 'u'.", "org.apache.kafka.common.errors.SaslAuthenticationException: Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN"]) {
      expect(isAuthenticationFailure({ state: "FAILED", workerId: null, trace, tasks: [], observedAt }), trace).toBe(true);
    }
    expect(isAuthenticationFailure({ state: "DEGRADED", workerId: null, trace: null, tasks: [{ id: 1, state: "FAILED", workerId: null, trace: "FATAL: password authentication failed" }, { id: 0, state: "RUNNING", workerId: null, trace: null }], observedAt })).toBe(true);
  });

  it("is false for other failures, and for a status that is not failing", () => {
    expect(isAuthenticationFailure({ state: "FAILED", workerId: null, trace: "java.lang.IllegalStateException: boom", tasks: [], observedAt })).toBe(false);
    expect(isAuthenticationFailure({ state: "RUNNING", workerId: null, trace: "password authentication failed", tasks: [], observedAt })).toBe(false);
    expect(isAuthenticationFailure({ state: "DEGRADED", workerId: null, trace: null, tasks: [{ id: 0, state: "RUNNING", workerId: null, trace: "password authentication failed" }], observedAt })).toBe(false);
  });
});
