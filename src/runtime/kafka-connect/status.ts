/**
 * Kafka Connect's states → the managed states (PROVISIONING, RUNNING,
 * DEGRADED, FAILED, PAUSED), with a trace a user can act on. A database that
 * refuses the credentials vaultwire delivered gets the specification's
 * troubleshooting advice, naming the fields that came from the vault.
 */
import type { ConnectorState, ConnectorStatus, TaskStatus } from "../../domain/resources.js";
import type { SecretManagerKind } from "../../domain/secret-managers.js";
import { REBALANCE_DELAY_PROPERTY, SCHEDULED_REBALANCE_MAX_DELAY_MS } from "./rebalance-delay.js";
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

/** Per secret manager: its name and what to check besides the secret's value when the database refuses a login. */
const CREDENTIAL_ADVICE: Readonly<Record<SecretManagerKind, { readonly name: string; readonly checks: string }>> = {
  AZURE_KEY_VAULT: { name: "Azure Key Vault", checks: "that the vault and secret names are right, that the integration's service principal has the \"Key Vault Secrets User\" role" },
  AWS_SECRETS_MANAGER: { name: "AWS Secrets Manager", checks: "that the secret ARN is right, that the integration's IAM role may call secretsmanager:GetSecretValue on it (and kms:Decrypt for a customer-managed key)" },
  GCP_SECRET_MANAGER: { name: "Google Cloud Secret Manager", checks: "that the project and secret names are right, that the integration's service account has the \"Secret Manager Secret Accessor\" role" },
};

/** A database's (or a broker's SASL) refusal of the credentials it was given. */
const AUTH_FAILURE = /password authentication failed|Access denied for user|Login failed for user|authentication failed|no pg_hba\.conf entry|SaslAuthenticationException/i;

/** The secret manager's name, for messages ("Azure Key Vault"); default Azure Key Vault. */
export function secretManagerName(kind: SecretManagerKind | undefined): string {
  return CREDENTIAL_ADVICE[kind ?? "AZURE_KEY_VAULT"].name;
}

/**
 * Whether a recorded status says the database (or the broker) refused the
 * credentials: the connector, or a task, failed with an authentication error.
 * Traces quote the refusal, so a mapped status still shows it.
 */
export function isAuthenticationFailure(status: ConnectorStatus): boolean {
  if (status.state !== "FAILED" && status.state !== "DEGRADED") return false;
  return [status.trace, ...status.tasks.filter((t) => t.state === "FAILED").map((t) => t.trace)].some((trace) => trace !== null && AUTH_FAILURE.test(trace));
}

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
  /** The manager the managed fields came from (the advice names it and its permissions); default Azure Key Vault. */
  readonly secretManager?: SecretManagerKind;
  /** Where the connector's database is (`host:port`), when the config says. */
  readonly database?: string | null;
  readonly observedAt: string;
  /** Removes any delivered value that a Connect message might echo, raw or encoded, whole or in part (domain/secret-scrub.ts). */
  readonly scrub: (text: string) => string;
  /**
   * Worker ids (host:port) that did not answer a probe in this pass (see
   * worker-liveness.ts). Connect still reports their connectors and tasks
   * RUNNING until it reassigns them; absent, every worker counts as alive.
   */
  readonly unresponsiveWorkers?: ReadonlySet<string> | undefined;
}

/** What a worker that stopped answering means for the connector, naming what it runs. */
export function unresponsiveWorkerTrace(workerId: string, runs: readonly string[]): string {
  const seconds = Math.round(SCHEDULED_REBALANCE_MAX_DELAY_MS / 1000);
  return `worker ${workerId} is not responding (it runs ${runs.join(", ")}); Kafka Connect will reassign its tasks within ${seconds} s of noticing it gone (${REBALANCE_DELAY_PROPERTY} of vaultwire's worker-config)`;
}

/**
 * Connect's view corrected by the probes: a running task on a worker that
 * does not answer is DEGRADED with a trace, and so is the connector when it
 * would otherwise say RUNNING (or was DEGRADED already, for a failed task).
 * FAILED, PAUSED and PROVISIONING stay as they are: they already say it is not running.
 */
function withUnresponsiveWorkers(mapped: ConnectorStatus, unresponsive: ReadonlySet<string> | undefined): ConnectorStatus {
  if (unresponsive === undefined || unresponsive.size === 0) return mapped;
  const runs = new Map<string, string[]>();
  const note = (workerId: string | null, what: string) => {
    if (workerId === null || !unresponsive.has(workerId)) return;
    runs.set(workerId, [...(runs.get(workerId) ?? []), what]);
  };
  note(mapped.workerId, "the connector");
  for (const task of mapped.tasks) note(task.workerId, `task ${task.id}`);
  if (runs.size === 0) return mapped;
  const traces = new Map([...runs].map(([workerId, what]) => [workerId, unresponsiveWorkerTrace(workerId, what)]));
  const tasks = mapped.tasks.map((task) => {
    const trace = task.workerId === null ? undefined : traces.get(task.workerId);
    return trace === undefined || task.state !== "RUNNING" ? task : { ...task, state: "DEGRADED" as const, trace };
  });
  if (mapped.state !== "RUNNING" && mapped.state !== "DEGRADED") return { ...mapped, tasks };
  const workers = [...traces.values()].join("\n");
  return { ...mapped, state: "DEGRADED", trace: mapped.trace === null ? workers : `${mapped.trace}\n\n${workers}`, tasks };
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
    const advice = CREDENTIAL_ADVICE[context.secretManager ?? "AZURE_KEY_VAULT"];
    return `There were some errors with your configuration:\n${credentialFields[0]?.key ?? "database.password"}: the database rejected the credentials read from ${advice.name} for ${fields}. Check that the secret's value is the database's current user and password, ${advice.checks}${context.integrationId === null ? "" : `, and validate provider integration "${context.integrationId}"`}. The database said: ${firstLine.trim().slice(0, 500)}${more}`;
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
  return withUnresponsiveWorkers({ state, workerId: status.connector.worker_id || null, trace, tasks, observedAt: context.observedAt }, context.unresponsiveWorkers);
}
