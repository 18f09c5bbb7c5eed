/**
 * The API's resources as the CLI reads them, and the lookups several commands
 * share: an id that does not exist becomes `unknown <kind> ID "<id>"` with the
 * ids that do exist as suggestions; deletions ask first unless --force.
 */
import { ApiError } from "./api-client.js";
import { CliError } from "./cli-error.js";
import { missingSelection } from "./flags.js";
import type { CliIo } from "./io.js";
import { confirm, createPrompter } from "./prompt.js";
import type { Session } from "./session.js";

export interface Metadata {
  readonly resource_name?: string;
  readonly created_at?: string;
  readonly updated_at?: string;
}

export interface EnvironmentBody {
  readonly id: string;
  readonly display_name: string;
  readonly metadata: Metadata;
}

export interface ClusterBody {
  readonly id: string;
  readonly metadata: Metadata;
  readonly spec: {
    readonly display_name: string;
    readonly availability: string;
    readonly cloud: string;
    readonly region: string;
    readonly config: { readonly kind: string; readonly cku?: number };
    readonly environment: { readonly id: string };
    readonly networking?: string;
    readonly kafka_bootstrap_servers?: string;
    readonly connect_urls?: readonly string[];
  };
  readonly status?: { readonly phase?: string };
}

export interface IntegrationBody {
  readonly id: string;
  readonly display_name: string;
  readonly provider: string;
  readonly config?: {
    readonly customer_azure_tenant_id?: string;
    readonly confluent_multi_tenant_app_id?: string;
    readonly credential?: { readonly kind?: string; readonly client_id?: string };
    readonly customer_iam_role_arn?: string;
    readonly iam_role_arn?: string;
    readonly external_id?: string;
  };
  readonly environment: { readonly id: string };
  readonly status: string;
  readonly usages?: readonly string[];
  readonly metadata: Metadata;
}

export interface ApiKeyBody {
  readonly id: string;
  readonly metadata: Metadata;
  readonly spec: {
    readonly secret?: string;
    readonly display_name?: string;
    readonly description?: string;
    readonly owner?: { readonly id?: string };
    readonly resource?: { readonly id?: string; readonly kind?: string };
  };
}

export interface ServiceAccountBody {
  readonly id: string;
  readonly display_name: string;
  readonly description: string;
  readonly metadata: Metadata;
}

export interface RoleBindingBody {
  readonly id: string;
  readonly principal: string;
  readonly role_name: string;
  readonly crn_pattern: string;
  readonly metadata: Metadata;
}

export interface Existing {
  readonly id: string;
  readonly name: string;
}

const SHOWN_IN_SUGGESTIONS = 10;

/** `unknown connector ID "lcc-000000"`, suggesting the ids that exist. */
export function unknownId(kind: string, id: string, existing: readonly Existing[], listCommand: string, where = ""): CliError {
  const plural = `${kind}s`;
  const place = where === "" ? "" : ` in ${where}`;
  if (existing.length === 0) return new CliError(`unknown ${kind} ID "${id}"`, 1, [`There are no ${plural}${place}.`]);
  const shown = existing.slice(0, SHOWN_IN_SUGGESTIONS).map((e) => (e.name === "" || e.name === e.id ? e.id : `${e.id} (${e.name})`));
  const more = existing.length > SHOWN_IN_SUGGESTIONS ? ` and ${existing.length - SHOWN_IN_SUGGESTIONS} more` : "";
  return new CliError(`unknown ${kind} ID "${id}"`, 1, [`Existing ${plural}${place}: ${shown.join(", ")}${more}.`, `Run "${listCommand}" to list them.`]);
}

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

export const enc = encodeURIComponent;

export function listEnvironments(session: Session): Promise<EnvironmentBody[]> {
  return session.client.listAll<EnvironmentBody>("/org/v2/environments");
}

export async function getEnvironment(session: Session, id: string): Promise<EnvironmentBody> {
  try {
    return (await session.client.get<EnvironmentBody>(`/org/v2/environments/${enc(id)}`)).body;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const existing = await listEnvironments(session);
    throw unknownId("environment", id, existing.map((e) => ({ id: e.id, name: e.display_name })), "vaultwire environment list");
  }
}

/** The selected environment, checked to exist (a stale selection is named as unknown). */
export async function requireEnvironment(session: Session): Promise<string> {
  const id = session.environmentId;
  if (id === undefined) throw missingSelection("environment", "environment", "vaultwire environment use <id>", "vaultwire environment list");
  await getEnvironment(session, id);
  return id;
}

export function listClusters(session: Session, environmentId: string): Promise<ClusterBody[]> {
  return session.client.listAll<ClusterBody>("/cmk/v2/clusters", { environment: environmentId });
}

/** A cluster by id; `environmentId` (when given explicitly) must be its environment. */
export async function getCluster(session: Session, id: string, environmentId?: string): Promise<ClusterBody> {
  try {
    return (await session.client.get<ClusterBody>(`/cmk/v2/clusters/${enc(id)}`, { environment: environmentId })).body;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw await unknownCluster(session, id);
  }
}

async function unknownCluster(session: Session, id: string): Promise<CliError> {
  const environmentId = session.environmentId;
  if (environmentId !== undefined) {
    const clusters = await listClusters(session, environmentId).catch(() => []);
    return unknownId("Kafka cluster", id, clusters.map((c) => ({ id: c.id, name: c.spec.display_name })), "vaultwire kafka cluster list", `environment "${environmentId}"`);
  }
  const clusters: ClusterBody[] = [];
  for (const environment of (await listEnvironments(session)).slice(0, 20)) clusters.push(...await listClusters(session, environment.id));
  return unknownId("Kafka cluster", id, clusters.map((c) => ({ id: c.id, name: c.spec.display_name })), "vaultwire kafka cluster list --environment <env-id>");
}

/** An integration by id; an unknown one lists those of the selected environment. */
export async function getIntegration(session: Session, id: string, environmentId: string | undefined): Promise<IntegrationBody> {
  try {
    return (await session.client.get<IntegrationBody>(`/pim/v2/integrations/${enc(id)}`, { environment: environmentId })).body;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    const where = environmentId ?? session.environmentId;
    if (where === undefined) throw unknownId("provider integration", id, [], "vaultwire provider-integration list --environment <env-id>");
    const existing = await session.client.listAll<IntegrationBody>("/pim/v2/integrations", { environment: where }).catch(() => []);
    throw unknownId("provider integration", id, existing.map((i) => ({ id: i.id, name: i.display_name })), "vaultwire provider-integration list", `environment "${where}"`);
  }
}

export function explicitEnvironment(session: Session): string | undefined {
  return session.environmentExplicit ? session.environmentId : undefined;
}

export interface ConnectTarget {
  readonly environmentId: string;
  readonly clusterId: string;
  /** `/connect/v1/environments/{env}/clusters/{lkc}` */
  readonly base: string;
}

/** The Kafka cluster the connect commands work on, and its environment (read from the cluster). */
export async function connectTarget(session: Session): Promise<ConnectTarget> {
  const clusterId = session.clusterId;
  if (clusterId === undefined) throw missingSelection("Kafka cluster", "cluster", "vaultwire kafka cluster use <id>", "vaultwire kafka cluster list");
  const cluster = await getCluster(session, clusterId, session.environmentExplicit ? session.environmentId : undefined);
  const environmentId = cluster.spec.environment.id;
  return { environmentId, clusterId, base: `/connect/v1/environments/${enc(environmentId)}/clusters/${enc(clusterId)}` };
}

/**
 * Asks `Are you sure you want to delete <kind> "<id>"? (y/n)` unless forced.
 * Returns false (after saying so) when the user declines.
 */
export async function confirmDeletion(io: CliIo, kind: string, ids: readonly string[], force: boolean): Promise<boolean> {
  if (force) return true;
  const what = ids.length === 1 ? `${kind} "${ids[0] ?? ""}"` : `${kind}s ${ids.map((id) => `"${id}"`).join(", ")}`;
  if (await confirm(createPrompter(io), `Are you sure you want to delete ${what}?`)) return true;
  io.stderr("Canceled: nothing was deleted.\n");
  return false;
}

/** Unique ids in the order given (deleting one twice would fail half-way). */
export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Lowercase with dashes: SINGLE_ZONE → single-zone, AZURE → azure, Dedicated → dedicated. */
export function lowerKebab(value: string | undefined): string {
  return (value ?? "").toLowerCase().replace(/_/g, "-");
}
