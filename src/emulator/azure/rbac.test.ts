import { describe, expect, it } from "vitest";
import { BUILT_IN_ROLES, DATA_ACTIONS, dataActionMatches, findGrantingAssignment, policyAllows, roleDataActions, type RoleAssignment } from "./rbac.js";

const assignment = (over: Partial<RoleAssignment>): RoleAssignment => ({
  assignmentId: "a1",
  principalObjectId: "oid-1",
  roleName: "Key Vault Secrets User",
  dataActions: BUILT_IN_ROLES["Key Vault Secrets User"].dataActions,
  secretName: undefined,
  ...over,
});

describe("RBAC evaluation", () => {
  it("matches data actions with wildcards, ignoring case", () => {
    expect(dataActionMatches("Microsoft.KeyVault/vaults/secrets/*", DATA_ACTIONS.get)).toBe(true);
    expect(dataActionMatches("microsoft.keyvault/VAULTS/secrets/getSecret/action", DATA_ACTIONS.get)).toBe(true);
    expect(dataActionMatches("Microsoft.KeyVault/vaults/keys/*", DATA_ACTIONS.get)).toBe(false);
    expect(dataActionMatches("Microsoft.KeyVault/vaults/secrets/getSecret/action", DATA_ACTIONS.list)).toBe(false);
    expect(dataActionMatches("Microsoft.KeyVault/vaults/secrets/getSecretXaction", DATA_ACTIONS.get)).toBe(false);
  });

  it("gives Secrets User get and list, Reader only list, Officer everything", () => {
    const can = (role: keyof typeof BUILT_IN_ROLES, op: keyof typeof DATA_ACTIONS): boolean =>
      findGrantingAssignment([assignment({ dataActions: roleDataActions(role).dataActions })], { principalObjectId: "oid-1", action: DATA_ACTIONS[op], secretName: op === "list" ? undefined : "s" }) !== undefined;
    expect([can("Key Vault Secrets User", "get"), can("Key Vault Secrets User", "list"), can("Key Vault Secrets User", "set")]).toEqual([true, true, false]);
    expect([can("Key Vault Reader", "get"), can("Key Vault Reader", "list"), can("Key Vault Reader", "versions")]).toEqual([false, true, true]);
    for (const op of Object.keys(DATA_ACTIONS) as (keyof typeof DATA_ACTIONS)[]) expect(can("Key Vault Secrets Officer", op)).toBe(true);
  });

  it("applies a secret-scope assignment to that secret only, never to list", () => {
    const scoped = [assignment({ secretName: "Allowed" })];
    const find = (action: string, secretName: string | undefined): RoleAssignment | undefined => findGrantingAssignment(scoped, { principalObjectId: "OID-1", action, secretName });
    expect(find(DATA_ACTIONS.get, "allowed")?.assignmentId).toBe("a1");
    expect(find(DATA_ACTIONS.get, "other")).toBeUndefined();
    expect(find(DATA_ACTIONS.list, undefined)).toBeUndefined();
  });

  it("ignores other principals", () => {
    expect(findGrantingAssignment([assignment({})], { principalObjectId: "oid-2", action: DATA_ACTIONS.get, secretName: "s" })).toBeUndefined();
  });

  it("maps operations to access-policy permissions (update needs set, versions needs list)", () => {
    expect(policyAllows(new Set(["get"]), "get")).toBe(true);
    expect(policyAllows(new Set(["get"]), "list")).toBe(false);
    expect(policyAllows(new Set(["list"]), "versions")).toBe(true);
    expect(policyAllows(new Set(["set"]), "update")).toBe(true);
    expect(policyAllows(undefined, "get")).toBe(false);
  });

  it("uses the real built-in role ids", () => {
    expect(BUILT_IN_ROLES["Key Vault Secrets User"].id).toBe("4633458b-17de-408a-b874-0445c86b69e6");
  });
});
