/** Who is calling: an org-wide admin key or a key scoped to one environment. */
import { NotAllowedError, NotFoundError } from "../domain/errors.js";

export type Principal =
  | { readonly kind: "org"; readonly keyId: string }
  | { readonly kind: "environment"; readonly keyId: string; readonly environmentId: string };

/** A system principal for the composition root and background work (the reconciler). */
export const SYSTEM_PRINCIPAL: Principal = { kind: "org", keyId: "system" };

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

export function assertOrgAdmin(principal: Principal, action: string): void {
  if (principal.kind !== "org") throw new NotAllowedError(`${action} needs an organization-wide API key; this key is scoped to environment "${principal.environmentId}"`);
}
