/** The local Azure emulator (Entra ID + Key Vault data plane) for tests and the quickstart. */
export { startAzureEmulator } from "./emulator.js";
export type { AzureEmulator, AzureEmulatorOptions, CreateVaultOptions, EmulatorDescription, RoleAssignmentRequest, RoleAssignmentView, SecretOptions } from "./emulator.js";
export { EmulatorAdminError } from "./admin-error.js";
export { createSelfSignedCertificate } from "./x509-builder.js";
export type { AccessPolicyPermission, BuiltInRoleName, RoleSpec } from "./rbac.js";
export type { FaultSettings, RequestCounts, ThrottleSettings } from "./vault-traffic.js";
export type { AccessPolicyErrorCode, Cloud, PermissionModel, VaultTiming } from "./vault.js";
export type { DeliveryRecord, EventDeliveryFaults, EventSchema, EventSubscriptionSpec, EventSubscriptionView } from "./event-grid.js";
