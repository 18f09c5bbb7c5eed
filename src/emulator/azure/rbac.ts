/**
 * Data-plane authorization of a vault: Azure RBAC (role assignments at vault
 * or single-secret scope, built-in roles or custom data actions) or the older
 * access policies (per-principal permission lists). Pure.
 */

export type SecretOperation = "get" | "list" | "versions" | "set" | "update" | "delete" | "getDeleted" | "listDeleted" | "purge" | "recover" | "backup" | "restore";

/** The RBAC data action each operation needs. */
export const DATA_ACTIONS: Readonly<Record<SecretOperation, string>> = {
  get: "Microsoft.KeyVault/vaults/secrets/getSecret/action",
  list: "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
  versions: "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
  set: "Microsoft.KeyVault/vaults/secrets/setSecret/action",
  update: "Microsoft.KeyVault/vaults/secrets/update/action",
  delete: "Microsoft.KeyVault/vaults/secrets/delete",
  getDeleted: "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
  listDeleted: "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
  purge: "Microsoft.KeyVault/vaults/secrets/purge/action",
  recover: "Microsoft.KeyVault/vaults/secrets/recover/action",
  backup: "Microsoft.KeyVault/vaults/secrets/backup/action",
  restore: "Microsoft.KeyVault/vaults/secrets/restore/action",
};

export type AccessPolicyPermission = "get" | "list" | "set" | "delete" | "recover" | "purge" | "backup" | "restore";
export const ACCESS_POLICY_PERMISSIONS: readonly AccessPolicyPermission[] = ["get", "list", "set", "delete", "recover", "purge", "backup", "restore"];

/** The access-policy permission each operation needs (updating attributes needs `set`). */
export const POLICY_PERMISSIONS: Readonly<Record<SecretOperation, AccessPolicyPermission>> = {
  get: "get",
  list: "list",
  versions: "list",
  set: "set",
  update: "set",
  delete: "delete",
  getDeleted: "list",
  listDeleted: "list",
  purge: "purge",
  recover: "recover",
  backup: "backup",
  restore: "restore",
};

export type BuiltInRoleName = "Key Vault Secrets User" | "Key Vault Secrets Officer" | "Key Vault Reader";

export const BUILT_IN_ROLES: Readonly<Record<BuiltInRoleName, { readonly id: string; readonly dataActions: readonly string[] }>> = {
  "Key Vault Secrets User": {
    id: "4633458b-17de-408a-b874-0445c86b69e6",
    dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
  },
  "Key Vault Secrets Officer": {
    id: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7",
    dataActions: ["Microsoft.KeyVault/vaults/secrets/*"],
  },
  "Key Vault Reader": {
    id: "21090545-7ca7-4776-b22c-e363652d74d2",
    dataActions: [
      "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/certificates/read",
    ],
  },
};

export type RoleSpec = BuiltInRoleName | { readonly dataActions: readonly string[] };

export interface RoleAssignment {
  readonly assignmentId: string;
  readonly principalObjectId: string;
  readonly roleName: string;
  readonly dataActions: readonly string[];
  /** Undefined: the whole vault; otherwise only this secret (any case). */
  readonly secretName: string | undefined;
  /** Emulator clock (ms) from which the data plane honours it (RBAC propagation); undefined: at once. */
  readonly effectiveFromMs?: number;
}

export function isBuiltInRole(role: unknown): role is BuiltInRoleName {
  return typeof role === "string" && Object.hasOwn(BUILT_IN_ROLES, role);
}

export function roleDataActions(role: RoleSpec): { roleName: string; dataActions: readonly string[] } {
  if (typeof role === "string") return { roleName: role, dataActions: BUILT_IN_ROLES[role].dataActions };
  return { roleName: "custom", dataActions: role.dataActions };
}

/** `*` matches any run of characters; comparison ignores case, as Azure's does. */
export function dataActionMatches(pattern: string, action: string): boolean {
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&")).join(".*");
  return new RegExp(`^${escaped}$`, "i").test(action);
}

/**
 * The assignment that lets the principal perform `action`: vault-scope
 * assignments cover every secret and vault-level reads (list); a secret-scope
 * assignment covers only that secret.
 */
export function findGrantingAssignment(
  assignments: readonly RoleAssignment[],
  request: { readonly principalObjectId: string; readonly action: string; readonly secretName: string | undefined },
): RoleAssignment | undefined {
  return assignments.find((a) =>
    a.principalObjectId.toLowerCase() === request.principalObjectId.toLowerCase()
    && (a.secretName === undefined || (request.secretName !== undefined && a.secretName.toLowerCase() === request.secretName.toLowerCase()))
    && a.dataActions.some((pattern) => dataActionMatches(pattern, request.action)));
}

export function policyAllows(permissions: ReadonlySet<AccessPolicyPermission> | undefined, operation: SecretOperation): boolean {
  return permissions?.has(POLICY_PERMISSIONS[operation]) ?? false;
}
