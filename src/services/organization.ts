/**
 * The organization (Confluent's org/v2 Organization): one per vaultwire
 * deployment, its id the store's `organization_id` (the one CRNs carry), its
 * display name kept in the store's meta table so every replica shows the same.
 */
import { NotFoundError } from "../domain/errors.js";
import { readPageRequest, toPage, type Page, type PageRequest } from "../domain/page-token.js";
import type { ServiceContext } from "./context.js";
import { FieldChecks } from "./input.js";
import { assertOrgAdmin, type Principal } from "./principal.js";

/** Confluent's org/v2 display_name rule: 1 to 31 characters, none of <>#%'*^`{|}~". */
export const ORGANIZATION_NAME_PATTERN = "^[^<>#%'*^`{|}~\"]{1,31}$";
const MAX_ORGANIZATION_NAME = 31;
const FORBIDDEN = /[<>#%'*^`{|}~"]/u;
export const DEFAULT_ORGANIZATION_NAME = "vaultwire";

export interface Organization {
  readonly id: string;
  readonly displayName: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface OrganizationService {
  list(principal: Principal, page: PageRequest): Promise<Page<Organization>>;
  get(principal: Principal, id: string): Promise<Organization>;
  update(principal: Principal, id: string, input: { displayName: unknown; jitEnabled?: unknown }): Promise<Organization>;
}

const KEYS = { name: "organization_display_name", created: "organization_created_at", updated: "organization_updated_at" } as const;

export function createOrganizationService(context: ServiceContext & { readonly organizationId: string }): OrganizationService {
  const { store, organizationId } = context;

  // Written once per process (the first read), never on every GET.
  let created: Promise<string> | undefined;
  async function current(): Promise<Organization> {
    created ??= store.meta.setIfAbsent(KEYS.created, context.now());
    const createdAt = await created;
    return {
      id: organizationId,
      displayName: (await store.meta.get(KEYS.name)) ?? DEFAULT_ORGANIZATION_NAME,
      createdAt,
      updatedAt: (await store.meta.get(KEYS.updated)) ?? createdAt,
    };
  }

  function requireId(id: string): void {
    if (id !== organizationId) throw new NotFoundError(`organization "${id}" was not found`);
  }

  return {
    // Every key belongs to the one organization, whatever its scope: each may read it (as on Confluent Cloud).
    async list(_principal, page) {
      const { size, after } = readPageRequest(page);
      const organization = await current();
      const afterPosition = after !== null && (organization.createdAt < after.createdAt || (organization.createdAt === after.createdAt && organization.id <= after.id));
      return toPage(afterPosition ? [] : [organization], size);
    },
    async get(_principal, id) {
      requireId(id);
      return current();
    },
    async update(principal, id, input) {
      requireId(id);
      assertOrgAdmin(principal, "renaming the organization");
      const checks = new FieldChecks();
      const displayName = checks.requiredString("display_name", input.displayName, MAX_ORGANIZATION_NAME);
      if (displayName !== undefined && FORBIDDEN.test(displayName)) checks.add("display_name", "display_name must not contain any of < > # % ' * ^ ` { | } ~ \"");
      // No SSO here, so just-in-time provisioning stays off: false (or nothing) is all a client may send.
      if (input.jitEnabled !== undefined && input.jitEnabled !== false) checks.add("jit_enabled", "jit_enabled must be false: vaultwire has no single sign-on to provision users from");
      checks.throwIfAny();
      await current();
      await store.meta.set(KEYS.name, displayName ?? DEFAULT_ORGANIZATION_NAME);
      await store.meta.set(KEYS.updated, context.now());
      return current();
    },
  };
}
