// A ConnectorRuntime that reports chosen states, so the console's badges,
// task tables and traces can be seen without Kafka Connect: the name's first
// word picks the state (running-…, failing-…, degraded-…); a paused desired
// state reports PAUSED; anything else stays PROVISIONING as without a runtime.
import type { Connector, ConnectorStatus } from "../../src/domain/resources.js";
import type { ConnectorRuntime } from "../../src/services/runtime.js";

export const FAILED_TRACE = [
  "There were some errors with your configuration:",
  "database.password: vaultwire's application is not allowed to read secret \"sqlserver-db-secret\": the vault uses Azure RBAC and denied getSecret. Assign the role \"Key Vault Secrets User\" to that service principal on the vault, then validate the provider integration.",
].join("\n");

export interface FakeRuntime {
  readonly runtime: ConnectorRuntime;
  /** `apply <name> <desired state>`, `restart <name>`, `remove <name>`. */
  readonly calls: string[];
}

export function fakeRuntime(): FakeRuntime {
  const calls: string[] = [];
  const worker = "connect-1.internal:8083";
  const status = (connector: Connector): ConnectorStatus => {
    const observedAt = new Date().toISOString();
    if (connector.desiredState === "PAUSED") {
      return { state: "PAUSED", workerId: worker, trace: null, tasks: [{ id: 0, state: "PAUSED", workerId: worker, trace: null }], observedAt };
    }
    switch (connector.name.split("-")[0]) {
      case "running":
        return { state: "RUNNING", workerId: worker, trace: null, tasks: [{ id: 0, state: "RUNNING", workerId: worker, trace: null }], observedAt };
      case "failing":
        return { state: "FAILED", workerId: worker, trace: FAILED_TRACE, tasks: [{ id: 0, state: "FAILED", workerId: worker, trace: "org.apache.kafka.connect.errors.ConnectException: could not read database.password from the secret manager" }], observedAt };
      case "degraded":
        return {
          state: "DEGRADED", workerId: worker, trace: null, observedAt,
          tasks: [{ id: 0, state: "RUNNING", workerId: worker, trace: null }, { id: 1, state: "FAILED", workerId: "connect-2.internal:8083", trace: "task 1 lost its database connection" }],
        };
      default:
        return { state: "PROVISIONING", workerId: null, trace: `connector "${connector.name}" is waiting for a Kafka Connect runtime: none is configured for this server`, tasks: [], observedAt };
    }
  };
  return {
    calls,
    runtime: {
      apply(connector) {
        calls.push(`apply ${connector.name} ${connector.desiredState}`);
        return Promise.resolve(status(connector));
      },
      restart(connector) {
        calls.push(`restart ${connector.name}`);
        return Promise.resolve();
      },
      remove(connector) {
        calls.push(`remove ${connector.name}`);
        return Promise.resolve();
      },
    },
  };
}
