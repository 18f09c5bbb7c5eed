/** One emulated vault: its settings, secrets, authorization rules and traffic controls. */
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
  firewallEnabled = false;

  constructor(
    readonly settings: VaultSettings,
    nowMs: () => number,
  ) {
    this.store = new SecretStore(() => Math.floor(nowMs() / 1000));
    this.traffic = new VaultTraffic(nowMs);
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
