import { describe, expect, it } from "vitest";
import type { ConnectStatus } from "./client.js";
import { mapStatus, type StatusContext } from "./status.js";

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
