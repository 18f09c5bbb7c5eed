/**
 * Who is calling, and what they may do: an API key, its owner (a service
 * account) and the grants that owner's role bindings give the key (decision
 * 45; see docs/security.md). Visibility comes first — an environment the
 * caller has no role in is reported as not found — then the role decides
 * whether a visible resource may be changed.
 */
import { NotAllowedError, NotFoundError } from "../domain/errors.js";
import type { Grant, RoleName } from "../domain/identity.js";

export interface Principal {
  readonly keyId: string;
  /** The key's owner; null for the system principal. */
  readonly serviceAccountId: string | null;
  /** What the key may do: its owner's bindings, narrowed to the key's resource. */
  readonly grants: readonly Grant[];
}

/** A system principal for the composition root and background work (the reconciler). */
export const SYSTEM_PRINCIPAL: Principal = { keyId: "system", serviceAccountId: null, grants: [{ role: "OrganizationAdmin", scope: { kind: "organization" } }] };

type EnvironmentRole = "OrganizationAdmin" | "EnvironmentAdmin" | "DeveloperManage" | "Operator";
const STRENGTH: readonly EnvironmentRole[] = ["OrganizationAdmin", "EnvironmentAdmin", "DeveloperManage", "Operator"];

/** The caller's organization-wide role, if any. */
export function organizationRole(principal: Principal): "OrganizationAdmin" | "Operator" | undefined {
  const roles = principal.grants.filter((g) => g.scope.kind === "organization").map((g) => g.role);
  if (roles.includes("OrganizationAdmin")) return "OrganizationAdmin";
  return roles.includes("Operator") ? "Operator" : undefined;
}

/** The strongest role the caller has in an environment (organization roles count there); undefined when none. */
export function roleInEnvironment(principal: Principal, environmentId: string): EnvironmentRole | undefined {
  const roles = new Set<RoleName>();
  for (const grant of principal.grants) {
    if (grant.scope.kind === "organization" || (grant.scope.kind === "environment" && grant.scope.environmentId === environmentId)) roles.add(grant.role);
  }
  return STRENGTH.find((role) => roles.has(role));
}

/** The environments the caller has a role in; undefined when it sees every environment (an organization role). */
export function visibleEnvironments(principal: Principal): readonly string[] | undefined {
  if (organizationRole(principal) !== undefined) return undefined;
  const ids = new Set<string>();
  for (const grant of principal.grants) if (grant.scope.kind === "environment") ids.add(grant.scope.environmentId);
  return [...ids];
}

export function canSeeEnvironment(principal: Principal, environmentId: string): boolean {
  return roleInEnvironment(principal, environmentId) !== undefined;
}

/** Environments the caller has no role in: anything else is reported as not found, not forbidden. */
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

function grantText(grant: Grant): string {
  const where = grant.scope.kind === "organization" ? "the organization"
    : grant.scope.kind === "environment" ? `environment "${grant.scope.environmentId}"`
      : `provider integration "${grant.scope.integrationId}"`;
  return `${grant.role} on ${where}`;
}

/** What the caller has, for refusals: one grant in the words of decision 30, several as a list. */
export function describePrincipal(principal: Principal): string {
  const [only, ...others] = principal.grants;
  if (only === undefined) return `this API key's owner${principal.serviceAccountId === null ? "" : ` "${principal.serviceAccountId}"`} has no role bindings that apply to it`;
  if (others.length === 0 && only.scope.kind !== "provider-integration") {
    const scope = only.scope.kind === "organization" ? "organization-wide" : `scoped to environment "${only.scope.environmentId}"`;
    return `this API key is ${scope} with the ${only.role} role${only.role === "Operator" ? " (read-only)" : ""}`;
  }
  return `this API key's owner "${principal.serviceAccountId ?? "system"}" has ${principal.grants.map(grantText).join(", ")}`;
}

/** OrganizationAdmin only: API keys, service accounts, environments, Connect URLs, worker credentials. */
export function assertOrgAdmin(principal: Principal, action: string): void {
  if (organizationRole(principal) !== "OrganizationAdmin") throw new NotAllowedError(`${action} needs an organization-wide API key with the OrganizationAdmin role; ${describePrincipal(principal)}`);
}

/** Organization-wide roles may read organization-wide resources (worker credential lists, API keys, service accounts). */
export function assertOrgReader(principal: Principal, action: string): void {
  if (organizationRole(principal) === undefined) throw new NotAllowedError(`${action} needs an organization-wide API key; ${describePrincipal(principal)}`);
}

/** Clusters, provider integrations and the environment itself: OrganizationAdmin or EnvironmentAdmin of that environment. */
export function assertEnvironmentAdmin(principal: Principal, action: string, environmentId: string): void {
  const role = roleInEnvironment(principal, environmentId);
  if (role !== "OrganizationAdmin" && role !== "EnvironmentAdmin") {
    throw new NotAllowedError(`${action} needs the OrganizationAdmin or EnvironmentAdmin role; ${describePrincipal(principal)}`);
  }
}

/** Connectors (create, change, pause, restart, delete, validate): any role of the environment but Operator. */
export function assertConnectorManager(principal: Principal, action: string, environmentId: string): void {
  const role = roleInEnvironment(principal, environmentId);
  if (role === undefined || role === "Operator") throw new NotAllowedError(`${action} needs the OrganizationAdmin, EnvironmentAdmin or DeveloperManage role; ${describePrincipal(principal)}`);
}

function hasIntegrationRole(principal: Principal, integrationId: string, roles: readonly RoleName[]): boolean {
  return principal.grants.some((g) => g.scope.kind === "provider-integration" && g.scope.integrationId === integrationId && roles.includes(g.role));
}

/** Changing, validating or deleting a provider integration: its environment's admins, or its ResourceOwner. */
export function assertIntegrationAdmin(principal: Principal, action: string, environmentId: string, integrationId: string): void {
  if (hasIntegrationRole(principal, integrationId, ["ResourceOwner"])) return;
  assertEnvironmentAdmin(principal, action, environmentId);
}

/**
 * Whether the principal may attach a provider integration to a connector:
 * whoever does can make vaultwire deliver every secret that integration reads
 * to the host the connector names, so only the integration's owners may —
 * its environment's admins, or a ResourceOwner or Assigner of that integration.
 */
export function canAssignIntegration(principal: Principal, environmentId: string, integrationId: string): boolean {
  const role = roleInEnvironment(principal, environmentId);
  return role === "OrganizationAdmin" || role === "EnvironmentAdmin" || hasIntegrationRole(principal, integrationId, ["ResourceOwner", "Assigner"]);
}

export function integrationAssignmentRefusal(principal: Principal, integrationId: string): string {
  return `assigning provider integration "${integrationId}" to a connector needs the OrganizationAdmin or EnvironmentAdmin role, or ResourceOwner or Assigner on the integration; ${describePrincipal(principal)}`;
}
