/** Service accounts and role bindings (decision 45). */
import type { Kysely, Selectable } from "kysely";
import { principalOfServiceAccount, ROLE_NAMES, type RoleBinding, type ServiceAccount } from "../../domain/identity.js";
import { readPageRequest, toPage } from "../../domain/page-token.js";
import { CorruptRowError, decodeCrnScope, encodeCrnScope } from "../json-columns.js";
import type { Database, RoleBindingsTable, ServiceAccountsTable } from "../schema.js";
import type { RoleBindingRepository, ServiceAccountRepository } from "../store.js";
import { toCount, write } from "./write.js";

function toServiceAccount(row: Selectable<ServiceAccountsTable>): ServiceAccount {
  return { id: row.id, displayName: row.display_name, description: row.description, createdAt: row.created_at, updatedAt: row.updated_at };
}

function toRoleBinding(row: Selectable<RoleBindingsTable>): RoleBinding {
  const roleName = ROLE_NAMES.find((name) => name === row.role_name);
  if (roleName === undefined) throw new CorruptRowError("role_name", row.id);
  return {
    id: row.id,
    principal: principalOfServiceAccount(row.service_account_id),
    roleName,
    crnPattern: row.crn_pattern,
    scope: decodeCrnScope(row.scope, row.id),
    createdAt: row.created_at,
  };
}

export function serviceAccountRepository(db: Kysely<Database>): ServiceAccountRepository {
  return {
    async insert(account) {
      await write(() =>
        db.insertInto("service_accounts")
          .values({ id: account.id, display_name: account.displayName, description: account.description, created_at: account.createdAt, updated_at: account.updatedAt })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("service_accounts").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toServiceAccount(row);
    },

    async list(page, filter) {
      const { size, after } = readPageRequest(page);
      let query = db.selectFrom("service_accounts").selectAll();
      if (filter?.displayName !== undefined) query = query.where("display_name", "=", filter.displayName);
      if (after !== null) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), ">", eb.tuple(after.createdAt, after.id)));
      const rows = await query.orderBy("created_at").orderBy("id").limit(size + 1).execute();
      return toPage(rows.map(toServiceAccount), size);
    },

    async update(id, patch) {
      const row = await write(() =>
        db.updateTable("service_accounts")
          .set({ display_name: patch.displayName, description: patch.description, updated_at: patch.updatedAt })
          .where("id", "=", id)
          .returningAll()
          .executeTakeFirst(),
      );
      return row === undefined ? undefined : toServiceAccount(row);
    },

    async delete(id) {
      // The foreign keys cascade too; deleting explicitly keeps it one statement each, whatever the pragma.
      await write(() => db.deleteFrom("api_keys").where("owner_id", "=", id).execute());
      await write(() => db.deleteFrom("role_bindings").where("service_account_id", "=", id).execute());
      const result = await write(() => db.deleteFrom("service_accounts").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },
  };
}

function serviceAccountOf(binding: RoleBinding): string {
  return binding.principal.slice("User:".length);
}

export function roleBindingRepository(db: Kysely<Database>): RoleBindingRepository {
  return {
    async insert(binding) {
      await write(() =>
        db.insertInto("role_bindings")
          .values({
            id: binding.id,
            service_account_id: serviceAccountOf(binding),
            role_name: binding.roleName,
            crn_pattern: binding.crnPattern,
            scope: encodeCrnScope(binding.scope),
            environment_id: binding.scope.kind === "organization" ? null : binding.scope.environmentId,
            created_at: binding.createdAt,
          })
          .execute(),
      );
    },

    async get(id) {
      const row = await db.selectFrom("role_bindings").selectAll().where("id", "=", id).executeTakeFirst();
      return row === undefined ? undefined : toRoleBinding(row);
    },

    async list(filter, page) {
      const { size, after } = readPageRequest(page);
      if (filter.environmentIds?.length === 0) return { items: [], nextPageToken: null };
      let query = db.selectFrom("role_bindings").selectAll();
      if (filter.serviceAccountId !== undefined) query = query.where("service_account_id", "=", filter.serviceAccountId);
      if (filter.roleName !== undefined) query = query.where("role_name", "=", filter.roleName);
      if (filter.environmentIds !== undefined) query = query.where("environment_id", "in", [...filter.environmentIds]);
      const within = filter.within;
      if (within !== undefined && within.kind !== "organization") {
        query = query.where("environment_id", "=", within.environmentId);
        if (within.kind === "provider-integration") query = query.where("scope", "=", encodeCrnScope(within));
      }
      if (after !== null) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), ">", eb.tuple(after.createdAt, after.id)));
      const rows = await query.orderBy("created_at").orderBy("id").limit(size + 1).execute();
      return toPage(rows.map(toRoleBinding), size);
    },

    async listByServiceAccount(serviceAccountId) {
      const rows = await db.selectFrom("role_bindings").selectAll().where("service_account_id", "=", serviceAccountId).orderBy("created_at").orderBy("id").execute();
      return rows.map(toRoleBinding);
    },

    async countOrganizationRole(roleName) {
      const row = await db.selectFrom("role_bindings")
        .select((eb) => eb.fn.countAll<string | number | bigint>().as("count"))
        .where("role_name", "=", roleName)
        .where("environment_id", "is", null)
        .executeTakeFirst();
      return toCount(row?.count);
    },

    async delete(id) {
      const result = await write(() => db.deleteFrom("role_bindings").where("id", "=", id).executeTakeFirst());
      return result.numDeletedRows > 0n;
    },

    async deleteByEnvironment(environmentId) {
      const result = await write(() => db.deleteFrom("role_bindings").where("environment_id", "=", environmentId).executeTakeFirst());
      return Number(result.numDeletedRows);
    },
  };
}
