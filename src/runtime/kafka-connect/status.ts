/**
 * Kafka Connect's states → the managed states (PROVISIONING, RUNNING,
 * DEGRADED, FAILED, PAUSED), with a trace a user can act on. A database that
 * refuses the credentials vaultwire delivered gets the specification's
 * troubleshooting advice, naming the fields that came from the vault.
 */
import type { ConnectorState, ConnectorStatus, TaskStatus } from "../../domain/resources.js";
import type { ConnectState, ConnectStatus } from "./client.js";

/** Drivers' ways of saying the database could not be reached at all (before any login). */
const DATABASE_UNREACHABLE = /Connection refused|UnknownHostException|Unknown host|No route to host|connect timed out|Connection timed out|The TCP\/IP connection to the host .* has failed|Communications link failure|could not connect to server|Connection to .* refused/i;

/** `host:port` of a connector's database, from the config keys the CDC plugins use. */
export function databaseAddress(connector: { readonly config: Readonly<Record<string, string>> }): string | null {
  const host = connector.config["database.hostname"]?.trim();
  if (host === undefined || host === "") return null;
  const port = connector.config["database.port"]?.trim();
  return port === undefined || port === "" ? host : `${host}:${port}`;
}

const AUTH_FAILURE = /password authentication failed|Access denied for user|Login failed for user|authentication failed|no pg_hba\.conf entry/i;

function taskState(state: ConnectState): ConnectorState {
  switch (state) {
    case "RUNNING": return "RUNNING";
    case "FAILED": return "FAILED";
    case "PAUSED":
    case "STOPPED": return "PAUSED";
    default: return "PROVISIONING";
  }
}

export interface StatusContext {
  /** Config keys whose values came from the secret manager, with their identifiers. */
  readonly managedFields: readonly { readonly key: string; readonly identifier: string }[];
  readonly integrationId: string | null;
  /** Where the connector's database is (`host:port`), when the config says. */
  readonly database?: string | null;
  readonly observedAt: string;
  /** Removes any delivered value that a Connect message might echo, raw or encoded, whole or in part (domain/secret-scrub.ts). */
  readonly scrub: (text: string) => string;
}

export function explainTrace(trace: string | undefined, context: StatusContext): string | null {
  if (trace === undefined || trace.trim() === "") return null;
  const clean = context.scrub(trace);
  const lines = clean.split("\n");
  const first = lines.findIndex((line) => line.trim() !== "");
  const firstLine = lines[first] ?? clean;
  // The database's own line is quoted once; then whatever Connect added after it (the stack trace).
  const rest = lines.slice(first + 1).join("\n").replace(/\s+$/, "");
  const more = rest.trim() === "" ? "" : `\n\n${rest}`;
  // A database that refuses a login almost always refuses its password: name that field first.
  const credentialFields = context.managedFields
    .filter((f) => /user|password|username/i.test(f.key))
    .sort((a, b) => Number(/password/i.test(b.key)) - Number(/password/i.test(a.key)));
  if (AUTH_FAILURE.test(clean) && credentialFields.length > 0) {
    const fields = credentialFields.map((f) => `${f.key} (${f.identifier})`).join(", ");
    return `There were some errors with your configuration:\n${credentialFields[0]?.key ?? "database.password"}: the database rejected the credentials read from Azure Key Vault for ${fields}. Check that the secret's value is the database's current user and password, that the vault and secret names are right, that the integration's service principal has the "Key Vault Secrets User" role${context.integrationId === null ? "" : `, and validate provider integration "${context.integrationId}"`}. The database said: ${firstLine.trim().slice(0, 500)}${more}`;
  }
  if (DATABASE_UNREACHABLE.test(clean) && !AUTH_FAILURE.test(clean)) {
    const where = context.database ? `the database at ${context.database}` : "the database";
    return `There were some errors with your configuration:\ndatabase.hostname: ${where} could not be reached from the Kafka Connect workers. Check database.hostname and database.port, that the database is running and accepts TCP connections from the workers (firewall, network security group, private endpoint), then restart the connector. The driver said: ${firstLine.trim().slice(0, 500)}${more}`;
  }
  return clean;
}

export function mapStatus(status: ConnectStatus | null, context: StatusContext): ConnectorStatus {
  if (status === null) return { state: "PROVISIONING", workerId: null, trace: "deploying to Kafka Connect", tasks: [], observedAt: context.observedAt };
  const tasks: TaskStatus[] = status.tasks.map((t) => ({ id: t.id, state: taskState(t.state), workerId: t.worker_id || null, trace: explainTrace(t.trace, context) }));
  const failedTasks = tasks.filter((t) => t.state === "FAILED");
  let state: ConnectorState;
  let trace: string | null = null;
  if (status.connector.state === "FAILED") {
    state = "FAILED";
    trace = explainTrace(status.connector.trace, context) ?? failedTasks[0]?.trace ?? null;
  } else if (status.connector.state === "PAUSED" || status.connector.state === "STOPPED") {
    state = "PAUSED";
  } else if (tasks.length > 0 && failedTasks.length === tasks.length) {
    state = "FAILED";
    trace = failedTasks[0]?.trace ?? null;
  } else if (failedTasks.length > 0) {
    state = "DEGRADED";
    trace = failedTasks[0]?.trace ?? null;
  } else if (status.connector.state === "RUNNING" && tasks.length > 0 && tasks.every((t) => t.state === "RUNNING")) {
    state = "RUNNING";
  } else if (tasks.length > 0 && tasks.every((t) => t.state === "PAUSED")) {
    state = "PAUSED";
  } else {
    state = "PROVISIONING";
    // Never an empty trace: say what Connect is doing.
    const parts = [status.connector.state, ...status.tasks.map((t) => t.state)];
    trace = parts.includes("RESTARTING") ? "Kafka Connect is restarting the connector or its tasks"
      : parts.includes("UNASSIGNED") || status.tasks.length === 0 ? "Kafka Connect is assigning the connector's tasks to workers"
        : "Kafka Connect is starting the connector";
  }
  return { state, workerId: status.connector.worker_id || null, trace, tasks, observedAt: context.observedAt };
}
