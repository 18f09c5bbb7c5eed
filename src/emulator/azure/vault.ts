/** One emulated vault: its settings, secrets, authorization rules, traffic controls and timing. */
import type { AccessPolicyPermission, RoleAssignment } from "./rbac.js";
import { SecretStore } from "./secret-store.js";
import { VaultTraffic } from "./vault-traffic.js";

export type Cloud = "public" | "china" | "usgov";
export const CLOUDS: readonly Cloud[] = ["public", "china", "usgov"];

/** The token audience (resource) each cloud's Key Vault expects. */
export const CLOUD_RESOURCES: Readonly<Record<Cloud, string>> = {
  public: "https://vault.azure.net",
  china: "https://vault.azure.cn",
  usgov: "https://vault.usgovcloudapi.net",
};

export type PermissionModel = "rbac" | "accessPolicy";
export type AccessPolicyErrorCode = "ForbiddenByPolicy" | "AccessDenied";

/** 3–24 letters, digits and dashes; starts with a letter, ends with a letter or digit, no `--`. */
export const VAULT_NAME = /^(?!.*--)[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;

/**
 * How long the vault takes for what Azure does not do at once. All 0 by
 * default (instant); tests and the dev CLI turn them on.
 */
export interface VaultTiming {
  /** A role assignment, and a removal, takes effect this many ms after it is made (Azure documents up to several minutes). */
  readonly rbacPropagationMs: number;
  /** A deleted secret is "being deleted" this long: not yet listed among the deleted secrets, not yet purgeable. */
  readonly deletionMs: number;
  /** A purged secret's name stays "being deleted" this long before it can be reused or restored. */
  readonly purgeMs: number;
}

export const INSTANT_TIMING: VaultTiming = { rbacPropagationMs: 0, deletionMs: 0, purgeMs: 0 };
export const TIMING_FIELDS: readonly (keyof VaultTiming)[] = ["rbacPropagationMs", "deletionMs", "purgeMs"];

/** A removed role assignment that still grants until the removal has propagated. */
export interface RevokedAssignment {
  readonly assignment: RoleAssignment;
  readonly effectiveUntilMs: number;
}

export interface VaultSettings {
  readonly name: string;
  readonly tenantId: string;
  readonly cloud: Cloud;
  readonly permissionModel: PermissionModel;
  readonly accessPolicyErrorCode: AccessPolicyErrorCode;
  readonly location: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
}

export class Vault {
  readonly store: SecretStore;
  readonly traffic: VaultTraffic;
  readonly roleAssignments: RoleAssignment[] = [];
  /** Principal object id (lowercase) → permissions, in access-policy mode. */
  readonly accessPolicies = new Map<string, Set<AccessPolicyPermission>>();
  /** Removed assignments still in effect until their removal propagates. */
  readonly revokedAssignments: RevokedAssignment[] = [];
  firewallEnabled = false;
  timing: VaultTiming;

  constructor(
    readonly settings: VaultSettings,
    readonly nowMs: () => number,
    timing: VaultTiming = INSTANT_TIMING,
  ) {
    this.timing = timing;
    this.store = new SecretStore(() => Math.floor(nowMs() / 1000), { nowMs, timing: () => this.timing });
    this.traffic = new VaultTraffic(nowMs);
  }

  /** The assignments the data plane honours now: made at least rbacPropagationMs ago, or removed less than that ago. */
  effectiveRoleAssignments(): RoleAssignment[] {
    const now = this.nowMs();
    for (let i = this.revokedAssignments.length - 1; i >= 0; i--) {
      if ((this.revokedAssignments[i]?.effectiveUntilMs ?? 0) <= now) this.revokedAssignments.splice(i, 1);
    }
    return [
      ...this.roleAssignments.filter((a) => (a.effectiveFromMs ?? 0) <= now),
      ...this.revokedAssignments.map((r) => r.assignment).filter((a) => (a.effectiveFromMs ?? 0) <= now),
    ];
  }

  /** Removes an assignment from the listing; the data plane honours it for rbacPropagationMs more. */
  revokeRoleAssignment(assignmentId: string): boolean {
    const index = this.roleAssignments.findIndex((a) => a.assignmentId === assignmentId);
    const assignment = this.roleAssignments[index];
    if (assignment === undefined) return false;
    this.roleAssignments.splice(index, 1);
    if (this.timing.rbacPropagationMs > 0) this.revokedAssignments.push({ assignment, effectiveUntilMs: this.nowMs() + this.timing.rbacPropagationMs });
    return true;
  }

  get name(): string {
    return this.settings.name;
  }

  /** The audience its tokens must have. */
  get resource(): string {
    return CLOUD_RESOURCES[this.settings.cloud];
  }

  /** The ARM id Key Vault quotes in RBAC errors (lowercase, as it prints it). */
  resourceId(secretName?: string): string {
    const { subscriptionId, resourceGroup, name } = this.settings;
    const vault = `/subscriptions/${subscriptionId}/resourcegroups/${resourceGroup}/providers/microsoft.keyvault/vaults/${name}`;
    return (secretName === undefined ? vault : `${vault}/secrets/${secretName}`).toLowerCase();
  }
}
