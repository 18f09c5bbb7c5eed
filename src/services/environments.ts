/** Environments: the top-level grouping of clusters, integrations and connectors. */
import { ConflictError, NotFoundError } from "../domain/errors.js";
import type { Environment } from "../domain/resources.js";
import type { Page, PageRequest } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { FieldChecks } from "./input.js";
import { assertEnvironmentAdmin, assertEnvironmentVisible, assertOrgAdmin, visibleEnvironments, type Principal } from "./principal.js";

export const MAX_DISPLAY_NAME = 64;

export interface EnvironmentService {
  create(principal: Principal, input: { displayName: unknown }): Promise<Environment>;
  list(principal: Principal, page: PageRequest): Promise<Page<Environment>>;
  get(principal: Principal, id: string): Promise<Environment>;
  update(principal: Principal, id: string, input: { displayName: unknown }): Promise<Environment>;
  delete(principal: Principal, id: string): Promise<void>;
}

export function environmentNotFound(id: string): NotFoundError {
  return new NotFoundError(`environment "${id}" was not found`);
}

/** An environment the principal may see, or its not-found. */
export async function requireEnvironment(store: Pick<ServiceContext["store"], "environments">, principal: Principal, environmentId: string): Promise<void> {
  assertEnvironmentVisible(principal, environmentId, () => environmentNotFound(environmentId));
  if (!(await store.environments.get(environmentId))) throw environmentNotFound(environmentId);
}

export function createEnvironmentService(context: ServiceContext): EnvironmentService {
  const { store } = context;

  async function get(principal: Principal, id: string): Promise<Environment> {
    assertEnvironmentVisible(principal, id, () => environmentNotFound(id));
    const environment = await store.environments.get(id);
    if (!environment) throw environmentNotFound(id);
    return environment;
  }

  return {
    async create(principal, input) {
      assertOrgAdmin(principal, "creating an environment");
      const checks = new FieldChecks();
      const displayName = checks.requiredString("display_name", input.displayName, MAX_DISPLAY_NAME);
      checks.throwIfAny();
      const now = context.now();
      const environment: Environment = { id: context.newId("environment"), displayName: displayName ?? "", createdAt: now, updatedAt: now };
      await store.environments.insert(environment);
      return environment;
    },
    list(principal, page) {
      const ids = visibleEnvironments(principal);
      return store.environments.list(page, ids === undefined ? undefined : { ids });
    },
    get,
    async update(principal, id, input) {
      await get(principal, id);
      assertEnvironmentAdmin(principal, "renaming an environment", id);
      const checks = new FieldChecks();
      const displayName = checks.requiredString("display_name", input.displayName, MAX_DISPLAY_NAME);
      checks.throwIfAny();
      const updated = await store.environments.update(id, { displayName: displayName ?? "", updatedAt: context.now() });
      if (!updated) throw environmentNotFound(id);
      return updated;
    },
    async delete(principal, id) {
      assertOrgAdmin(principal, "deleting an environment");
      await get(principal, id);
      await store.transaction(async (tx) => {
        const clusters = await tx.clusters.countByEnvironment(id);
        const integrations = await tx.integrations.countByEnvironment(id);
        if (clusters > 0 || integrations > 0) {
          throw new ConflictError(`environment "${id}" still has ${clusters} Kafka cluster(s) and ${integrations} provider integration(s); delete them first`);
        }
        // Its role bindings go with it (Confluent deletes them too): a later environment never inherits them.
        await tx.roleBindings.deleteByEnvironment(id);
        await tx.environments.delete(id);
      });
    },
  };
}
