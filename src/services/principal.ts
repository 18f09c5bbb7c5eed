/**
 * Who is calling, and what they may do: an API key's scope (the whole
 * organization or one environment) and its role (see ApiKeyRole and
 * docs/security.md). Visibility comes first — a scoped key sees only its
 * environment, anything else is reported as not found — then the role decides
 * whether a visible resource may be changed.
 */
import { NotAllowedError, NotFoundError } from "../domain/errors.js";
import type { ApiKeyRole } from "../domain/resources.js";

export type Principal =
  | { readonly kind: "org"; readonly keyId: string; readonly role: Extract<ApiKeyRole, "OrganizationAdmin" | "Operator"> }
  | { readonly kind: "environment"; readonly keyId: string; readonly environmentId: string; readonly role: Extract<ApiKeyRole, "EnvironmentAdmin" | "DeveloperManage" | "Operator"> };

/** A system principal for the composition root and background work (the reconciler). */
export const SYSTEM_PRINCIPAL: Principal = { kind: "org", keyId: "system", role: "OrganizationAdmin" };

export function canSeeEnvironment(principal: Principal, environmentId: string): boolean {
  return principal.kind === "org" || principal.environmentId === environmentId;
}

/** Scoped keys see only their environment: anything else is reported as not found, not forbidden. */
export function assertEnvironmentVisible(principal: Principal, environmentId: string, notFound: () => NotFoundError): void {
  if (!canSeeEnvironment(principal, environmentId)) throw notFound();
}

/**
 * Loads an environment-owned resource and checks that the principal sees it
 * and, when the request names one, that it belongs to that environment; all
 * failures are the same not-found.
 */
export async function loadInEnvironment<T extends { readonly environmentId: string }>(
  principal: Principal,
  load: () => Promise<T | undefined>,
  environmentId: string | undefined,
  notFound: () => NotFoundError,
): Promise<T> {
  const resource = await load();
  if (!resource || (environmentId !== undefined && resource.environmentId !== environmentId)) throw notFound();
  assertEnvironmentVisible(principal, resource.environmentId, notFound);
  return resource;
}

function describe(principal: Principal): string {
  const scope = principal.kind === "org" ? "organization-wide" : `scoped to environment "${principal.environmentId}"`;
  return `this API key is ${scope} with the ${principal.role} role${principal.role === "Operator" ? " (read-only)" : ""}`;
}

/** OrganizationAdmin only: API keys, environments, Connect URLs, worker credentials. */
export function assertOrgAdmin(principal: Principal, action: string): void {
  if (principal.role !== "OrganizationAdmin") throw new NotAllowedError(`${action} needs an organization-wide API key with the OrganizationAdmin role; ${describe(principal)}`);
}

/** Organization-wide keys of any role may read organization-wide resources (worker credential lists, API keys). */
export function assertOrgReader(principal: Principal, action: string): void {
  if (principal.kind !== "org") throw new NotAllowedError(`${action} needs an organization-wide API key; ${describe(principal)}`);
}

/** Clusters, provider integrations and the environment itself: OrganizationAdmin or EnvironmentAdmin (of a visible environment). */
export function assertEnvironmentAdmin(principal: Principal, action: string): void {
  if (principal.role !== "OrganizationAdmin" && principal.role !== "EnvironmentAdmin") {
    throw new NotAllowedError(`${action} needs the OrganizationAdmin or EnvironmentAdmin role; ${describe(principal)}`);
  }
}

/** Connectors (create, change, pause, restart, delete, validate): any role but Operator. */
export function assertConnectorManager(principal: Principal, action: string): void {
  if (principal.role === "Operator") throw new NotAllowedError(`${action} needs the OrganizationAdmin, EnvironmentAdmin or DeveloperManage role; ${describe(principal)}`);
}

/**
 * Whether the principal may attach a provider integration to a connector:
 * whoever does can make vaultwire deliver every secret that integration reads
 * to the host the connector names, so only the integration's owners may.
 */
export function canAssignIntegration(principal: Principal): boolean {
  return principal.role === "OrganizationAdmin" || principal.role === "EnvironmentAdmin";
}

export function integrationAssignmentRefusal(principal: Principal, integrationId: string): string {
  return `assigning provider integration "${integrationId}" to a connector needs the OrganizationAdmin or EnvironmentAdmin role; ${describe(principal)}`;
}
