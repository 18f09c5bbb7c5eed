/**
 * Service accounts and role bindings (decision 45). Service accounts are the
 * organization's: only an OrganizationAdmin creates, changes or deletes one.
 * A role binding may be created or deleted by whoever administers its scope —
 * an OrganizationAdmin anywhere, an EnvironmentAdmin within its environment —
 * and never names a role on a wider scope than the caller administers, so no
 * caller can give anyone (itself included) more than it has.
 */
import { ConflictError, InputError, NotAllowedError, NotFoundError } from "../domain/errors.js";
import { parseCrnPattern, principalOfServiceAccount, ROLE_NAMES, ROLE_SCOPES, serviceAccountOfPrincipal, type CrnScope, type RoleBinding, type RoleName, type ServiceAccount } from "../domain/identity.js";
import { UniqueViolationError, type Page, type PageRequest } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { FieldChecks } from "./input.js";
import { assertOrgAdmin, assertOrgReader, describePrincipal, organizationRole, roleInEnvironment, visibleEnvironments, type Principal } from "./principal.js";

export const MAX_SERVICE_ACCOUNT_NAME = 64;
export const MAX_SERVICE_ACCOUNT_DESCRIPTION = 128;
const MAX_CRN_PATTERN = 1024;

export interface IdentityDependencies extends ServiceContext {
  /** This installation's organization id: the `organization=` of every CRN. */
  readonly organizationId: string;
}

export interface ServiceAccountService {
  create(principal: Principal, input: { displayName: unknown; description: unknown }): Promise<ServiceAccount>;
  list(principal: Principal, page: PageRequest, filter: { displayName?: string | undefined }): Promise<Page<ServiceAccount>>;
  get(principal: Principal, id: string): Promise<ServiceAccount>;
  update(principal: Principal, id: string, input: { displayName: unknown; description: unknown }): Promise<ServiceAccount>;
  delete(principal: Principal, id: string): Promise<void>;
}

export interface RoleBindingService {
  create(principal: Principal, input: { principal: unknown; roleName: unknown; crnPattern: unknown }): Promise<RoleBinding>;
  list(principal: Principal, query: { crnPattern: string | undefined; principal: string | undefined; roleName: string | undefined }, page: PageRequest): Promise<Page<RoleBinding>>;
  get(principal: Principal, id: string): Promise<RoleBinding>;
  /** Returns the deleted binding (Confluent's answer). */
  delete(principal: Principal, id: string): Promise<RoleBinding>;
}

export function serviceAccountNotFound(id: string): NotFoundError {
  return new NotFoundError(`service account "${id}" was not found`);
}

export function roleBindingNotFound(id: string): NotFoundError {
  return new NotFoundError(`role binding "${id}" was not found`);
}

const ORGANIZATION: CrnScope = { kind: "organization" };

/** Whether the caller administers `scope`: an OrganizationAdmin everything, an EnvironmentAdmin its environment and what is in it. */
function administers(principal: Principal, scope: CrnScope): boolean {
  if (organizationRole(principal) === "OrganizationAdmin") return true;
  if (scope.kind === "organization") return false;
  return roleInEnvironment(principal, scope.environmentId) === "EnvironmentAdmin";
}

/** Whether the caller may see bindings on `scope`. */
function sees(principal: Principal, scope: CrnScope): boolean {
  if (organizationRole(principal) !== undefined) return true;
  return scope.kind !== "organization" && roleInEnvironment(principal, scope.environmentId) !== undefined;
}

function scopeText(scope: CrnScope): string {
  return scope.kind === "organization" ? "the organization" : scope.kind === "environment" ? `environment "${scope.environmentId}"` : `provider integration "${scope.integrationId}"`;
}

export function createServiceAccountService(deps: IdentityDependencies): ServiceAccountService {
  const { store } = deps;

  function read(input: { displayName: unknown; description: unknown }, existing?: ServiceAccount): { displayName: string; description: string } {
    const checks = new FieldChecks();
    const displayName = existing !== undefined && (input.displayName === undefined || input.displayName === null)
      ? existing.displayName
      : checks.requiredString("display_name", input.displayName, MAX_SERVICE_ACCOUNT_NAME);
    const description = checks.optionalString("description", input.description, MAX_SERVICE_ACCOUNT_DESCRIPTION) ?? existing?.description ?? "";
    checks.throwIfAny("invalid service account");
    return { displayName: displayName ?? "", description };
  }

  const nameTaken = (name: string) => new ConflictError(`a service account named "${name}" already exists; service account names are unique`);

  async function get(principal: Principal, id: string): Promise<ServiceAccount> {
    // Whoever has a role may read the account its key belongs to.
    if (principal.serviceAccountId !== id) assertOrgReader(principal, "reading service accounts");
    const account = await store.serviceAccounts.get(id);
    if (!account) throw serviceAccountNotFound(id);
    return account;
  }

  return {
    async create(principal, input) {
      assertOrgAdmin(principal, "creating a service account");
      const fields = read(input);
      const now = deps.now();
      const account: ServiceAccount = { id: deps.newId("serviceAccount"), ...fields, createdAt: now, updatedAt: now };
      try {
        await store.serviceAccounts.insert(account);
      } catch (error) {
        if (error instanceof UniqueViolationError && error.constraint === "service_account_display_name") throw nameTaken(fields.displayName);
        throw error;
      }
      return account;
    },

    async list(principal, page, filter) {
      assertOrgReader(principal, "listing service accounts");
      const checks = new FieldChecks();
      checks.optionalString("display_name", filter.displayName, MAX_SERVICE_ACCOUNT_NAME);
      checks.throwIfAny();
      return store.serviceAccounts.list(page, filter.displayName === undefined ? undefined : { displayName: filter.displayName });
    },

    get,

    async update(principal, id, input) {
      assertOrgAdmin(principal, "changing a service account");
      const existing = await get(principal, id);
      const fields = read(input, existing);
      try {
        const updated = await store.serviceAccounts.update(id, { ...fields, updatedAt: deps.now() });
        if (!updated) throw serviceAccountNotFound(id);
        return updated;
      } catch (error) {
        if (error instanceof UniqueViolationError && error.constraint === "service_account_display_name") throw nameTaken(fields.displayName);
        throw error;
      }
    },

    async delete(principal, id) {
      assertOrgAdmin(principal, "deleting a service account");
      // Refusals of a delete are 403s: Confluent's document has no 409 for it.
      if (principal.serviceAccountId === id) throw new NotAllowedError(`service account "${id}" owns the API key making this request; delete it with another admin's key`);
      await store.transaction(async (tx) => {
        if (!(await tx.serviceAccounts.get(id))) throw serviceAccountNotFound(id);
        const bindings = await tx.roleBindings.listByServiceAccount(id);
        const admin = bindings.filter((b) => b.roleName === "OrganizationAdmin" && b.scope.kind === "organization").length;
        if (admin > 0 && (await tx.roleBindings.countOrganizationRole("OrganizationAdmin")) <= admin) {
          throw new NotAllowedError(`service account "${id}" holds the organization's last OrganizationAdmin role binding; bind another service account first`);
        }
        // Its API keys and role bindings go with it.
        await tx.serviceAccounts.delete(id);
      });
    },
  };
}

export function createRoleBindingService(deps: IdentityDependencies): RoleBindingService {
  const { store, organizationId } = deps;

  /** `elsewhere`: another organization's pattern (a 403 to bind on, an empty list to read). */
  function readPattern(checks: FieldChecks, field: string, value: unknown): { text: string; scope: CrnScope } | "elsewhere" | undefined {
    const text = checks.requiredString(field, value, MAX_CRN_PATTERN);
    if (text === undefined) return undefined;
    const parsed = parseCrnPattern(text, organizationId);
    if (!parsed.ok && parsed.otherOrganization === true) return "elsewhere";
    if (!parsed.ok) {
      checks.add(field, `${field} ${parsed.error}`);
      return undefined;
    }
    return { text, scope: parsed.scope };
  }

  function readRole(checks: FieldChecks, field: string, value: unknown): RoleName | undefined {
    const role = ROLE_NAMES.find((name) => name === value);
    if (role === undefined) checks.add(field, `${field} must be one of ${ROLE_NAMES.join(", ")} (vaultwire has no other roles)`);
    return role;
  }

  function readPrincipal(checks: FieldChecks, field: string, value: unknown): string | undefined {
    const text = checks.requiredString(field, value, 128);
    if (text === undefined) return undefined;
    const id = serviceAccountOfPrincipal(text);
    if (id === undefined) checks.add(field, `${field} must be User:sa-… naming a service account (vaultwire has no users or groups)`);
    return id;
  }

  async function visible(principal: Principal, id: string): Promise<RoleBinding> {
    const binding = await store.roleBindings.get(id);
    if (!binding || !sees(principal, binding.scope)) throw roleBindingNotFound(id);
    return binding;
  }

  function refusal(principal: Principal, action: string, scope: CrnScope): NotAllowedError {
    const needs = scope.kind === "organization" ? "the OrganizationAdmin role" : `the OrganizationAdmin role, or EnvironmentAdmin on environment "${scope.environmentId}"`;
    return new NotAllowedError(`${action} on ${scopeText(scope)} needs ${needs}; ${describePrincipal(principal)}`);
  }

  return {
    async create(principal, input) {
      const checks = new FieldChecks();
      const serviceAccountId = readPrincipal(checks, "principal", input.principal);
      const roleName = readRole(checks, "role_name", input.roleName);
      const read = readPattern(checks, "crn_pattern", input.crnPattern);
      if (read === "elsewhere") throw new NotAllowedError(`crn_pattern names another organization; this API key may bind roles only in organization "${organizationId}"`);
      const pattern = read;
      if (roleName !== undefined && pattern !== undefined && !ROLE_SCOPES[roleName].includes(pattern.scope.kind)) {
        checks.add("crn_pattern", `crn_pattern must name ${ROLE_SCOPES[roleName].map((kind) => (kind === "organization" ? "the organization" : `a ${kind.replace("-", " ")}`)).join(" or ")} for the ${roleName} role; it names ${scopeText(pattern.scope)}`);
      }
      checks.throwIfAny("invalid role binding");
      if (serviceAccountId === undefined || roleName === undefined || pattern === undefined) throw new InputError("invalid role binding");
      if (!administers(principal, pattern.scope)) throw refusal(principal, `binding ${roleName}`, pattern.scope);
      const binding: RoleBinding = { id: deps.newId("roleBinding"), principal: principalOfServiceAccount(serviceAccountId), roleName, crnPattern: pattern.text, scope: pattern.scope, createdAt: deps.now() };
      await store.transaction(async (tx) => {
        if (!(await tx.serviceAccounts.get(serviceAccountId))) {
          throw new InputError(`principal names service account "${serviceAccountId}", which does not exist`, [{ field: "principal", message: "no such service account" }]);
        }
        if (pattern.scope.kind !== "organization" && !(await tx.environments.get(pattern.scope.environmentId))) {
          throw new InputError(`crn_pattern names environment "${pattern.scope.environmentId}", which does not exist`, [{ field: "crn_pattern", message: "no such environment" }]);
        }
        if (pattern.scope.kind === "provider-integration") {
          const integration = await tx.integrations.get(pattern.scope.integrationId);
          if (!integration || integration.environmentId !== pattern.scope.environmentId) {
            throw new InputError(`crn_pattern names provider integration "${pattern.scope.integrationId}", which does not exist in environment "${pattern.scope.environmentId}"`, [{ field: "crn_pattern", message: "no such provider integration" }]);
          }
        }
        try {
          await tx.roleBindings.insert(binding);
        } catch (error) {
          if (error instanceof UniqueViolationError && error.constraint === "role_binding") {
            throw new ConflictError(`${binding.principal} already has the ${roleName} role on ${scopeText(pattern.scope)}`);
          }
          throw error;
        }
      });
      return binding;
    },

    async list(principal, query, page) {
      const checks = new FieldChecks();
      const read = readPattern(checks, "crn_pattern", query.crnPattern);
      const pattern = read === "elsewhere" ? undefined : read;
      const serviceAccountId = query.principal === undefined ? undefined : readPrincipal(checks, "principal", query.principal);
      const roleName = query.roleName === undefined ? undefined : readRole(checks, "role_name", query.roleName);
      checks.throwIfAny("invalid role binding query");
      // Another organization has no bindings here.
      if (read === "elsewhere") return { items: [], nextPageToken: null };
      const within = pattern?.scope ?? ORGANIZATION;
      // A caller with roles in some environments only sees the bindings there.
      const environments = visibleEnvironments(principal);
      if (environments !== undefined && within.kind !== "organization" && !environments.includes(within.environmentId)) return { items: [], nextPageToken: null };
      return store.roleBindings.list({
        within,
        ...(serviceAccountId === undefined ? {} : { serviceAccountId }),
        ...(roleName === undefined ? {} : { roleName }),
        ...(environments === undefined ? {} : { environmentIds: environments }),
      }, page);
    },

    get: visible,

    async delete(principal, id) {
      const binding = await visible(principal, id);
      if (!administers(principal, binding.scope)) throw refusal(principal, `removing ${binding.roleName}`, binding.scope);
      await store.transaction(async (tx) => {
        if (binding.roleName === "OrganizationAdmin" && binding.scope.kind === "organization" && (await tx.roleBindings.countOrganizationRole("OrganizationAdmin")) <= 1) {
          throw new NotAllowedError(`role binding "${id}" is the organization's last OrganizationAdmin binding; bind another service account first`);
        }
        if (!(await tx.roleBindings.delete(id))) throw roleBindingNotFound(id);
      });
      return binding;
    },
  };
}
