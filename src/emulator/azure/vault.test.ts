import { describe, expect, it } from "vitest";
import { findGrantingAssignment } from "./rbac.js";
import { Vault } from "./vault.js";

const GET = "Microsoft.KeyVault/vaults/secrets/getSecret/action";

function vault(rbacPropagationMs: number): { vault: Vault; advance: (ms: number) => void } {
  let now = 1_000_000;
  const v = new Vault({ name: "kv", tenantId: "t", cloud: "public", permissionModel: "rbac", accessPolicyErrorCode: "ForbiddenByPolicy", location: "eastus", subscriptionId: "s", resourceGroup: "rg" }, () => now, { rbacPropagationMs, deletionMs: 0, purgeMs: 0 });
  return { vault: v, advance: (ms) => { now += ms; } };
}

const grants = (v: Vault): boolean => findGrantingAssignment(v.effectiveRoleAssignments(), { principalObjectId: "p", action: GET, secretName: "s" }) !== undefined;

describe("a vault's role assignments with RBAC propagation", () => {
  it("grant from effectiveFromMs on, and keep granting for the propagation time after removal", () => {
    const { vault: v, advance } = vault(5_000);
    v.roleAssignments.push({ assignmentId: "a1", principalObjectId: "p", roleName: "custom", dataActions: [GET], secretName: undefined, effectiveFromMs: 1_005_000 });
    expect(grants(v)).toBe(false);
    advance(4_999);
    expect(grants(v)).toBe(false);
    advance(1);
    expect(grants(v)).toBe(true);
    expect(v.revokeRoleAssignment("a1")).toBe(true);
    expect(v.roleAssignments).toEqual([]);
    expect(grants(v)).toBe(true);
    advance(4_999);
    expect(grants(v)).toBe(true);
    advance(1);
    expect(grants(v)).toBe(false);
    expect(v.revokedAssignments).toEqual([]);
    expect(v.revokeRoleAssignment("a1")).toBe(false);
  });

  it("remove at once without propagation time", () => {
    const { vault: v } = vault(0);
    v.roleAssignments.push({ assignmentId: "a1", principalObjectId: "p", roleName: "custom", dataActions: [GET], secretName: undefined });
    expect(grants(v)).toBe(true);
    v.revokeRoleAssignment("a1");
    expect(grants(v)).toBe(false);
  });
});
