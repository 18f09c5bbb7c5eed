/**
 * Identity the Confluent way (pure): service accounts (`sa-…`) own API keys,
 * role bindings (`rb-…`) give a principal (`User:sa-…`) a role on a CRN
 * pattern, and a key's powers are its owner's bindings, narrowed to the key's
 * resource. CRNs are Confluent's:
 *
 *   crn://confluent.cloud/organization=<org>
 *   crn://confluent.cloud/organization=<org>/environment=env-…
 *   crn://confluent.cloud/organization=<org>/environment=env-…/provider-integration=cspi-…
 *
 * Each role binds on one of those scopes (ROLE_SCOPES); decision 45.
 */
import { isId } from "./ids.js";

export interface ServiceAccount {
  /** `sa-…` */
  readonly id: string;
  readonly displayName: string;
  readonly description: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export const ROLE_NAMES = ["OrganizationAdmin", "EnvironmentAdmin", "DeveloperManage", "Operator", "ResourceOwner", "Assigner"] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export type CrnScope =
  | { readonly kind: "organization" }
  | { readonly kind: "environment"; readonly environmentId: string }
  | { readonly kind: "provider-integration"; readonly environmentId: string; readonly integrationId: string };

/** Where each role may be bound. */
export const ROLE_SCOPES: Readonly<Record<RoleName, readonly CrnScope["kind"][]>> = {
  OrganizationAdmin: ["organization"],
  EnvironmentAdmin: ["environment"],
  DeveloperManage: ["environment"],
  Operator: ["organization", "environment"],
  ResourceOwner: ["provider-integration"],
  Assigner: ["provider-integration"],
};

export interface RoleBinding {
  /** `rb-…` */
  readonly id: string;
  /** `User:sa-…` */
  readonly principal: string;
  readonly roleName: RoleName;
  /** As the request sent it (Terraform compares it with its configuration). */
  readonly crnPattern: string;
  /** What the pattern names, parsed once when the binding was created. */
  readonly scope: CrnScope;
  readonly createdAt: string;
}

/** One role on one scope: what a binding gives. */
export interface Grant {
  readonly role: RoleName;
  readonly scope: CrnScope;
}

export const CRN_AUTHORITY = "crn://confluent.cloud";
/** The CRN patterns parseCrnPattern reads (before percent-decoding), as a JSON Schema pattern. */
export const CRN_PATTERN_PATTERN = "^crn://confluent\\.cloud/organization=[A-Za-z0-9-]{1,64}(?:/environment=env-[a-z0-9]{1,64}(?:/provider-integration=cspi-[a-z0-9]{1,64})?)?$";
/** `User:sa-…` */
export const SERVICE_ACCOUNT_PRINCIPAL_PATTERN = "^User:sa-[a-z0-9]{1,64}$";
/** An API key's resource id: cloud (any case), an environment or a Kafka cluster. */
export const API_KEY_RESOURCE_ID_PATTERN = "^(?:[Cc][Ll][Oo][Uu][Dd]|env-[a-z0-9]{1,64}|lkc-[a-z0-9]{1,64})$";
export const SERVICE_ACCOUNT_ID_PATTERN = "^sa-[a-z0-9]{1,64}$";
const MAX_CRN_LENGTH = 1024;
const ORGANIZATION_ID = /^[A-Za-z0-9-]{1,64}$/;

/** The CRN of a scope in organization `organizationId`. */
export function crnOf(organizationId: string, scope: CrnScope, ...more: readonly (readonly [string, string])[]): string {
  const parts: [string, string][] = [["organization", organizationId]];
  if (scope.kind !== "organization") parts.push(["environment", scope.environmentId]);
  if (scope.kind === "provider-integration") parts.push(["provider-integration", scope.integrationId]);
  for (const [key, value] of more) parts.push([key, value]);
  return `${CRN_AUTHORITY}/${parts.map(([key, value]) => `${key}=${value}`).join("/")}`;
}

export type CrnParse = { readonly ok: true; readonly scope: CrnScope } | { readonly ok: false; readonly error: string; readonly otherOrganization?: true };

const EXPECTED = `${CRN_AUTHORITY}/organization=<id>, optionally followed by /environment=env-… and /provider-integration=cspi-…`;

/**
 * Reads a CRN pattern of this organization. Percent-encoded characters are
 * decoded first (Terraform treats `%3D` and `=` alike). Errors say what is
 * expected and never repeat more than the segment at fault.
 */
export function parseCrnPattern(text: string, organizationId: string): CrnParse {
  if (text.length > MAX_CRN_LENGTH) return { ok: false, error: `must be at most ${MAX_CRN_LENGTH} characters` };
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    return { ok: false, error: "is not valid percent-encoding" };
  }
  if (!decoded.startsWith(`${CRN_AUTHORITY}/`)) return { ok: false, error: `must start with ${CRN_AUTHORITY}/ (expected ${EXPECTED})` };
  const segments = decoded.slice(CRN_AUTHORITY.length + 1).split("/");
  const pairs: [string, string][] = [];
  for (const segment of segments) {
    const eq = segment.indexOf("=");
    if (eq <= 0) return { ok: false, error: `has a segment that is not key=value (expected ${EXPECTED})` };
    pairs.push([segment.slice(0, eq), segment.slice(eq + 1)]);
  }
  const [org, env, integration, extra] = pairs;
  if (org?.[0] !== "organization" || !ORGANIZATION_ID.test(org[1])) return { ok: false, error: `must name the organization first (expected ${EXPECTED})` };
  if (org[1] !== organizationId) return { ok: false, error: `names organization "${org[1]}"; this organization is "${organizationId}"`, otherOrganization: true };
  if (env === undefined) return { ok: true, scope: { kind: "organization" } };
  if (env[0] !== "environment" || !isId("environment", env[1])) return { ok: false, error: `may name only an environment (environment=env-…) after the organization (expected ${EXPECTED})` };
  if (integration === undefined) return { ok: true, scope: { kind: "environment", environmentId: env[1] } };
  if (integration[0] !== "provider-integration" || !isId("providerIntegration", integration[1]) || extra !== undefined) {
    return { ok: false, error: `may name only a provider integration (provider-integration=cspi-…) inside an environment; vaultwire has no role bindings on other resources (expected ${EXPECTED})` };
  }
  return { ok: true, scope: { kind: "provider-integration", environmentId: env[1], integrationId: integration[1] } };
}

/** `User:sa-…` → `sa-…`; undefined for anything else (groups, users, wildcards: vaultwire has only service accounts). */
export function serviceAccountOfPrincipal(principal: string): string | undefined {
  if (!principal.startsWith("User:")) return undefined;
  const id = principal.slice("User:".length);
  return isId("serviceAccount", id) ? id : undefined;
}

export function principalOfServiceAccount(serviceAccountId: string): string {
  return `User:${serviceAccountId}`;
}

/** Whether `inner` lies within (or is) `outer`. */
export function scopeWithin(inner: CrnScope, outer: CrnScope): boolean {
  if (outer.kind === "organization") return true;
  if (inner.kind === "organization") return false;
  if (inner.environmentId !== outer.environmentId) return false;
  if (outer.kind === "environment") return true;
  return inner.kind === "provider-integration" && inner.integrationId === outer.integrationId;
}

export function sameScope(a: CrnScope, b: CrnScope): boolean {
  return scopeWithin(a, b) && scopeWithin(b, a);
}

/** What an API key is for: the cloud API (Confluent's Cloud API keys), one environment (vaultwire's), or a Kafka cluster. */
export type ApiKeyResource =
  | { readonly kind: "Cloud" }
  | { readonly kind: "Environment"; readonly environmentId: string }
  | { readonly kind: "Cluster"; readonly clusterId: string; readonly environmentId: string };

/**
 * The grants a key of `resource` has from its owner's bindings: a Cloud key
 * all of them; an Environment key those within its environment, with the
 * organization roles narrowed to the environment's (OrganizationAdmin acts
 * as EnvironmentAdmin there, Operator as Operator); a Cluster key none of
 * the cloud API (it is for the cluster's own endpoints, as at Confluent).
 */
export function grantsOfKey(resource: ApiKeyResource, bindings: readonly Pick<RoleBinding, "roleName" | "scope">[]): Grant[] {
  const all = bindings.map((b) => ({ role: b.roleName, scope: b.scope }));
  if (resource.kind === "Cloud") return all;
  if (resource.kind === "Cluster") return [];
  const environment: CrnScope = { kind: "environment", environmentId: resource.environmentId };
  const grants: Grant[] = [];
  for (const grant of all) {
    if (grant.scope.kind === "organization") grants.push({ role: grant.role === "OrganizationAdmin" ? "EnvironmentAdmin" : grant.role, scope: environment });
    else if (scopeWithin(grant.scope, environment)) grants.push(grant);
  }
  return grants;
}
