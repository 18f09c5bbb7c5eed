/** Small pure helpers shared by the pages. */
import type { ConnectorState } from "./types.js";

export interface ConnectorUsage {
  readonly environmentId: string;
  readonly clusterId: string;
  readonly connector: string;
}

/** `crn://confluent.cloud/organization=…/environment=env-…/cloud-cluster=lkc-…/connector=<name>` → its parts. */
export function parseUsage(crn: string): ConnectorUsage | null {
  const match = /\/environment=([^/]+)\/cloud-cluster=([^/]+)\/connector=(.+)$/.exec(crn);
  if (!match) return null;
  return { environmentId: match[1] ?? "", clusterId: match[2] ?? "", connector: match[3] ?? "" };
}

export function connectorPath(usage: ConnectorUsage): string {
  const query = new URLSearchParams({ environment: usage.environmentId, cluster: usage.clusterId });
  return `/connectors/${encodeURIComponent(usage.connector)}?${query.toString()}`;
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const STATE_DESCRIPTIONS: Readonly<Record<ConnectorState, string>> = {
  NONE: "not deployed",
  PROVISIONING: "waiting to be deployed on Kafka Connect",
  RUNNING: "running",
  DEGRADED: "running, but some tasks failed or are on a worker that stopped answering",
  FAILED: "failed",
  PAUSED: "paused",
  DELETED: "deleted",
};

/** The troubleshooting steps of the specification, most relevant first for a trace. */
export function troubleshootingHints(trace: string): string[] {
  const hints = [
    "Verify that the vault name and the secret name in each secret identifier are correct.",
    "Make sure the provider integration's service principal has the \"Key Vault Secrets User\" role on the vault.",
    "Check that the secret exists in the vault and holds a valid value (for a JSON secret, that it has the key the identifier names).",
    "Validate the provider integration on its page (Provider integrations → the integration → Validate).",
    "Check that every secret identifier follows <vault-uri>::<secret-name> or <vault-uri>::<secret-name>::<json-key>.",
  ];
  const text = trace.toLowerCase();
  const first = /role|rbac|denied|forbidden|not allowed|permission/.test(text) ? 1
    : /not found|does not exist|secretnotfound|no key/.test(text) ? 2
    : /identifier|expected <vault-uri>/.test(text) ? 4
    : /tenant|token|consent|aadsts/.test(text) ? 3
    : 0;
  return [hints[first] ?? "", ...hints.filter((_, index) => index !== first)];
}

export function pluralize(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}
