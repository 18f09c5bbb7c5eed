/**
 * The local Azure emulator: one HTTPS "authority host" serving Entra ID and
 * the admin API, one HTTPS server per Key Vault, all on localhost and
 * trusted through the emulator's own CA, and a plain-HTTP managed identity
 * endpoint on 127.0.0.1 (App Service style). This file is the programmatic
 * API; the protocol lives in entra.ts, key-vault.ts and managed-identity.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { signingKey } from "./access-tokens.js";
import { EmulatorAdminError, conflict, notFound } from "./admin-error.js";
import { handleAdminRequest } from "./admin-http.js";
import { ensureRsaKey, ensureTlsFiles } from "./certificates.js";
import { EventGrid, type DeliveryRecord, type EventDeliveryFaults, type EventSubscriptionSpec, type EventSubscriptionView } from "./event-grid.js";
import { Directory } from "./directory.js";
import { EntraService } from "./entra.js";
import { createKeyVaultHandler } from "./key-vault.js";
import { createManagedIdentityHandler, managedIdentityIssuer, MANAGED_IDENTITY_PATH } from "./managed-identity.js";
import { newGuid } from "./random.js";
import { ACCESS_POLICY_PERMISSIONS, isBuiltInRole, roleDataActions, type AccessPolicyPermission, type RoleSpec } from "./rbac.js";
import { SecretBackupCodec } from "./secret-backup.js";
import { checkNewSecret, requireEntry, SECRET_NAME } from "./secret-store.js";
import { listenHttp, listenHttps, requestUrl, sendJson, type HttpsEndpoint } from "./server.js";
import { CLOUDS, INSTANT_TIMING, TIMING_FIELDS, VAULT_NAME, Vault, type AccessPolicyErrorCode, type Cloud, type PermissionModel, type VaultTiming } from "./vault.js";
import type { FaultSettings, RequestCounts, ThrottleSettings } from "./vault-traffic.js";

export interface AzureEmulatorOptions {
  /** Holds the CA, the server certificate (`ca.pem`, `server.pem`, `server-key.pem`) and the token signing keys, reused across runs. */
  stateDir: string;
  /** Port of the authority host (Entra ID + admin API); 0 or omitted picks a free port. */
  authorityPort?: number;
  /** The timing every vault starts with (each field defaults to 0: instant); see VaultTiming. */
  timing?: Partial<VaultTiming>;
}

export interface CreateVaultOptions {
  name: string;
  tenantId: string;
  /** 0 or omitted picks a free port. */
  port?: number;
  permissionModel?: PermissionModel;
  /** The innererror code of access-policy denials: the newer ForbiddenByPolicy (default) or the older AccessDenied. */
  accessPolicyErrorCode?: AccessPolicyErrorCode;
  cloud?: Cloud;
  /** Shown in error messages and x-ms-keyvault-region; default eastus. */
  location?: string;
  /** Used in the resource ids RBAC errors quote; a random subscription and "vaultwire-emulator" by default. */
  subscriptionId?: string;
  resourceGroup?: string;
  /** Overrides the emulator's timing for this vault, field by field. */
  timing?: Partial<VaultTiming>;
}

export interface SecretOptions {
  contentType?: string;
  enabled?: boolean;
  notBefore?: Date;
  expiresOn?: Date;
  tags?: Record<string, string>;
}

export interface RoleAssignmentRequest {
  principalObjectId: string;
  role: RoleSpec;
  /** Assign at this secret's scope instead of the whole vault. */
  secretName?: string;
}

export interface AzureEmulator {
  readonly authorityHost: string;
  readonly caCertPem: string;
  readonly caCertPath: string;
  /** Issuer of `mintFederatedToken` tokens (for federated credentials). */
  readonly oidcIssuer: string;
  /**
   * The managed identity endpoint, e.g. `http://127.0.0.1:PORT/msi/token`: what
   * App Service and Container Apps put in IDENTITY_ENDPOINT. Plain HTTP on 127.0.0.1.
   */
  readonly managedIdentityEndpoint: string;
  /** The secret the endpoint requires in X-IDENTITY-HEADER: what the platforms put in IDENTITY_HEADER. */
  readonly managedIdentityHeader: string;
  createTenant(options?: { tenantId?: string; displayName?: string }): { tenantId: string };
  createApp(options: { homeTenantId: string; displayName: string; multiTenant?: boolean }): { appId: string; homeServicePrincipalObjectId: string };
  addClientSecret(appId: string): { secret: string };
  addCertificate(appId: string, certificatePem: string): { thumbprintSha256: string };
  addFederatedCredential(appId: string, credential: { issuer: string; subject: string; audience?: string }): void;
  mintFederatedToken(options: { subject: string; audience?: string; expiresInSeconds?: number }): string;
  /**
   * A managed identity whose tokens the managed identity endpoint hands out
   * (every identity counts as assigned to the one emulated host). User-assigned
   * unless `systemAssigned` (at most one; used when a request names no identity).
   * Its principalId is its service principal's object id, for role assignments
   * and as the subject of federated credentials.
   */
  createManagedIdentity(options: { tenantId: string; displayName?: string; systemAssigned?: boolean }): { clientId: string; principalId: string; resourceId: string };
  /** The issuer of a managed identity's token for api://AzureADTokenExchange, for a federated credential: `{authorityHost}/{tenant}/v2.0`. */
  managedIdentityIssuer(tenantId: string): string;
  /** Creates the app's service principal in the tenant; idempotent. */
  consent(appId: string, tenantId: string): { servicePrincipalObjectId: string };
  servicePrincipalObjectId(appId: string, tenantId: string): string | undefined;
  createVault(options: CreateVaultOptions): Promise<{ vaultUri: string }>;
  vaultUri(name: string): string;
  setSecret(vault: string, name: string, value: string, options?: SecretOptions): { version: string };
  /** Changes the attributes of the current version; null clears a date. */
  updateSecret(vault: string, name: string, attributes: { enabled?: boolean; notBefore?: Date | null; expiresOn?: Date | null }): void;
  /** Soft delete, as the data plane's DELETE. */
  deleteSecret(vault: string, name: string): void;
  /** Removes a soft-deleted secret for good. */
  purgeDeletedSecret(vault: string, name: string): void;
  assignRole(vault: string, assignment: RoleAssignmentRequest): { assignmentId: string };
  removeRoleAssignment(vault: string, assignmentId: string): void;
  /** The role assignments of every vault, or of one vault and/or one principal (object id, any case), in the order they were made. */
  listRoleAssignments(filter?: { vault?: string; principalObjectId?: string }): RoleAssignmentView[];
  /** Replaces the principal's permissions (access-policy vaults); an empty list removes the policy. */
  setAccessPolicy(vault: string, principalObjectId: string, permissions: AccessPolicyPermission[]): void;
  setFirewall(vault: string, enabled: boolean): void;
  setThrottle(vault: string, throttle: ThrottleSettings | null): void;
  /** Changes the vault's timing, field by field; returns the timing now in effect. Applies to what happens from now on. */
  setTiming(vault: string, timing: Partial<VaultTiming>): VaultTiming;
  timing(vault: string): VaultTiming;
  /** Replaces the vault's faults; null clears them. */
  setFaults(vault: string, faults: FaultSettings | null): void;
  /** Every request that reached the vault, by operation (get, list, versions, set, update, delete, …); tokenless challenge requests count as "challenge". */
  requestCounts(vault: string): RequestCounts;
  resetRequestCounts(vault?: string): void;
  /**
   * An Event Grid subscription on the vault's secret events (event-grid.ts):
   * the webhook handshake runs first and must succeed.
   */
  subscribeEvents(vault: string, spec: EventSubscriptionSpec): Promise<EventSubscriptionView>;
  unsubscribeEvents(subscriptionId: string): void;
  listEventSubscriptions(vault?: string): EventSubscriptionView[];
  /** Drops, delays, duplicates or holds back (reorders) the subscription's next deliveries; null clears them (held events go out). */
  setEventFaults(subscriptionId: string, faults: EventDeliveryFaults | null): void;
  /** Every delivery attempt, oldest first. */
  eventDeliveries(): readonly DeliveryRecord[];
  /** Resolves when no delivery is in flight. */
  eventsSettled(): Promise<void>;
  /** Sends the SecretNearExpiry / SecretExpired events now due (a timer does it every 500 ms); how many were due. */
  checkSecretExpiry(): number;
  /** Tenants, apps (no credentials) and vaults, for the CLI. */
  describe(): EmulatorDescription;
  stop(): Promise<void>;
}

/** A role assignment as the admin API shows it. */
export interface RoleAssignmentView {
  readonly vault: string;
  readonly assignmentId: string;
  readonly principalObjectId: string;
  readonly roleName: string;
  readonly dataActions: readonly string[];
  /** Null: the whole vault; otherwise only this secret. */
  readonly secretName: string | null;
}

export interface EmulatorDescription {
  readonly authorityHost: string;
  readonly caCertPath: string;
  readonly oidcIssuer: string;
  readonly managedIdentityEndpoint: string;
  readonly tenants: readonly { tenantId: string; displayName: string | null }[];
  readonly apps: readonly { appId: string; displayName: string; homeTenantId: string; multiTenant: boolean; servicePrincipals: Record<string, string> }[];
  readonly vaults: readonly { name: string; vaultUri: string; tenantId: string; cloud: Cloud; permissionModel: PermissionModel; firewall: boolean; secrets: number; timing: VaultTiming }[];
  readonly managedIdentities: readonly { clientId: string; principalId: string; tenantId: string; displayName: string; resourceId: string; systemAssigned: boolean }[];
}

interface RunningVault {
  readonly vault: Vault;
  readonly endpoint: HttpsEndpoint;
  readonly vaultUri: string;
}

export async function startAzureEmulator(options: AzureEmulatorOptions): Promise<AzureEmulator> {
  const now = (): number => Date.now();
  const [tls, tokenPrivateKey, federationPrivateKey] = await Promise.all([
    ensureTlsFiles(options.stateDir),
    ensureRsaKey(options.stateDir, "token-signing-key.pem"),
    ensureRsaKey(options.stateDir, "oidc-issuer-key.pem"),
  ]);
  const tokenKey = signingKey(tokenPrivateKey);
  const federationKey = signingKey(federationPrivateKey);
  const serverTls = { cert: tls.serverCertPem, key: tls.serverKeyPem };
  const defaultTiming = mergeTiming(INSTANT_TIMING, options.timing);
  const backups = new SecretBackupCodec();
  const directory = new Directory();
  const vaults = new Map<string, RunningVault | "starting">();
  // The authority's handler runs only after both are set below.
  const late: { entra?: EntraService; emulator?: AzureEmulator } = {};

  const authority = await listenHttps(serverTls, options.authorityPort ?? 0, async (request: IncomingMessage, response: ServerResponse) => {
    const path = requestUrl(request).pathname;
    if (late.emulator && (path === "/admin" || path.startsWith("/admin/"))) return handleAdminRequest(late.emulator, request, response, path);
    if (late.entra && (await late.entra.handle(request, response, path))) return;
    sendJson(response, 404, { error: "not_found", error_description: `The emulator has no endpoint ${request.method ?? "GET"} ${path}.` });
  });
  const authorityHost = `https://localhost:${authority.port}`;
  const entraService = new EntraService({ authorityHost, directory, tokenKey, federationKey, now });
  late.entra = entraService;
  const managedIdentityHeader = newGuid();
  let identityEndpoint: HttpsEndpoint;
  try {
    identityEndpoint = await listenHttp(0, createManagedIdentityHandler({ directory, tokenKey, authorityHost, identityHeader: managedIdentityHeader }, now));
  } catch (error) {
    await authority.close();
    throw error;
  }

  const running = (name: string): RunningVault => {
    const entry = vaults.get(name.toLowerCase());
    if (entry === undefined || entry === "starting") throw notFound(`vault "${name}" does not exist`);
    return entry;
  };
  const vaultOf = (name: string): Vault => running(name).vault;
  const seconds = (date: Date): number => Math.floor(date.getTime() / 1000);
  const eventGrid = new EventGrid(now);
  let stopped = false;

  const emulator: AzureEmulator = {
    authorityHost,
    caCertPem: tls.caCertPem,
    caCertPath: tls.caCertPath,
    oidcIssuer: entraService.oidcIssuer,
    managedIdentityEndpoint: `http://127.0.0.1:${identityEndpoint.port}${MANAGED_IDENTITY_PATH}`,
    managedIdentityHeader,

    createTenant: (tenantOptions = {}) => ({ tenantId: directory.createTenant(tenantOptions).tenantId }),

    createApp: (appOptions) => {
      const { app, homeServicePrincipalObjectId } = directory.createApp(appOptions);
      return { appId: app.appId, homeServicePrincipalObjectId };
    },

    addClientSecret: (appId) => ({ secret: directory.addClientSecret(appId) }),
    addCertificate: (appId, certificatePem) => ({ thumbprintSha256: directory.addCertificate(appId, certificatePem).thumbprintSha256 }),
    addFederatedCredential: (appId, credential) => { directory.addFederatedCredential(appId, credential); },

    mintFederatedToken: (tokenOptions) => {
      if (tokenOptions.subject === "") throw new EmulatorAdminError("a federated token needs a subject");
      return entraService.mintFederatedToken(tokenOptions);
    },

    createManagedIdentity: (identityOptions) => {
      const { clientId, principalId, resourceId } = directory.createManagedIdentity(identityOptions);
      return { clientId, principalId, resourceId };
    },

    managedIdentityIssuer: (tenantId) => managedIdentityIssuer(authorityHost, directory.requireTenant(tenantId).tenantId),

    consent: (appId, tenantId) => ({ servicePrincipalObjectId: directory.consent(appId, tenantId) }),
    servicePrincipalObjectId: (appId, tenantId) => directory.servicePrincipalObjectId(appId, tenantId),

    createVault: async (vaultOptions) => {
      if (stopped) throw new EmulatorAdminError("the emulator is stopped");
      const { name } = vaultOptions;
      if (!VAULT_NAME.test(name)) throw new EmulatorAdminError(`vault name "${name}" is invalid: use 3-24 letters, digits and "-", starting with a letter, ending with a letter or digit, without "--"`);
      const tenant = directory.requireTenant(vaultOptions.tenantId);
      const cloud = vaultOptions.cloud ?? "public";
      // The HTTP admin API passes unchecked strings through these typed options.
      if (!CLOUDS.includes(cloud)) throw new EmulatorAdminError(`cloud "${cloud}" is not one of ${CLOUDS.join(", ")}`);
      const permissionModel: string = vaultOptions.permissionModel ?? "rbac";
      if (permissionModel !== "rbac" && permissionModel !== "accessPolicy") throw new EmulatorAdminError(`permission model "${permissionModel}" is not rbac or accessPolicy`);
      const accessPolicyErrorCode: string = vaultOptions.accessPolicyErrorCode ?? "ForbiddenByPolicy";
      if (accessPolicyErrorCode !== "ForbiddenByPolicy" && accessPolicyErrorCode !== "AccessDenied") throw new EmulatorAdminError(`access policy error code "${accessPolicyErrorCode}" is not ForbiddenByPolicy or AccessDenied`);
      const port = vaultOptions.port ?? 0;
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new EmulatorAdminError(`port ${String(port)} is not a port number`);
      const timing = mergeTiming(defaultTiming, vaultOptions.timing);
      const key = name.toLowerCase();
      if (vaults.has(key)) throw conflict(`vault "${name}" already exists`);
      vaults.set(key, "starting");
      const vault = new Vault({
        name,
        tenantId: tenant.tenantId,
        cloud,
        permissionModel,
        accessPolicyErrorCode,
        location: vaultOptions.location ?? "eastus",
        subscriptionId: vaultOptions.subscriptionId ?? newGuid(),
        resourceGroup: vaultOptions.resourceGroup ?? "vaultwire-emulator",
      }, now, timing);
      let endpoint: HttpsEndpoint;
      try {
        endpoint = await listenHttps(serverTls, port, createKeyVaultHandler(vault, { authorityHost, tokenKey, nowMs: now, backups }));
      } catch (error) {
        vaults.delete(key);
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EADDRINUSE") throw conflict(`port ${port} is already in use`);
        throw error;
      }
      const vaultUri = `https://localhost:${endpoint.port}`;
      vault.store.onNewVersion = (entry, version) => { eventGrid.secretVersionCreated(vault, entry, version); };
      vaults.set(key, { vault, endpoint, vaultUri });
      return { vaultUri };
    },

    vaultUri: (name) => running(name).vaultUri,

    setSecret: (vaultName, name, value, secretOptions = {}) => {
      const vault = vaultOf(vaultName);
      checkNewSecret(name, value);
      vault.store.purge(name); // the admin API may reuse a soft-deleted name
      const { version } = vault.store.set(name, {
        value,
        contentType: secretOptions.contentType,
        tags: secretOptions.tags,
        enabled: secretOptions.enabled,
        notBefore: secretOptions.notBefore === undefined ? undefined : seconds(secretOptions.notBefore),
        expires: secretOptions.expiresOn === undefined ? undefined : seconds(secretOptions.expiresOn),
      });
      return { version: version.version };
    },

    updateSecret: (vaultName, name, attributes) => {
      const vault = vaultOf(vaultName);
      requireEntry(vault.store, name, vaultName);
      const date = (value: Date | null | undefined): number | null | undefined => (value === undefined ? undefined : value === null ? null : seconds(value));
      vault.store.update(name, undefined, { enabled: attributes.enabled, notBefore: date(attributes.notBefore), expires: date(attributes.expiresOn) });
    },

    deleteSecret: (vaultName, name) => {
      const vault = vaultOf(vaultName);
      requireEntry(vault.store, name, vaultName);
      vault.store.delete(name);
    },

    purgeDeletedSecret: (vaultName, name) => {
      if (!vaultOf(vaultName).store.purge(name)) throw notFound(`secret "${name}" is not deleted in vault "${vaultName}"`);
    },

    assignRole: (vaultName, assignment) => {
      const vault = vaultOf(vaultName);
      if (typeof assignment.principalObjectId !== "string" || assignment.principalObjectId === "") throw new EmulatorAdminError("a role assignment needs a principal object id");
      const role = assignment.role as unknown;
      const valid = isBuiltInRole(role)
        || (typeof role === "object" && role !== null && Array.isArray((role as { dataActions?: unknown }).dataActions) && ((role as { dataActions: unknown[] }).dataActions).every((a) => typeof a === "string"));
      if (!valid) throw new EmulatorAdminError(`role must be "Key Vault Secrets User", "Key Vault Secrets Officer", "Key Vault Reader" or {"dataActions": [...]}`);
      if (assignment.secretName !== undefined && !SECRET_NAME.test(assignment.secretName)) throw new EmulatorAdminError(`secret name "${assignment.secretName}" is invalid`);
      const { roleName, dataActions } = roleDataActions(assignment.role);
      const assignmentId = newGuid();
      const delay = vault.timing.rbacPropagationMs;
      vault.roleAssignments.push({
        assignmentId,
        principalObjectId: assignment.principalObjectId,
        roleName,
        dataActions: [...dataActions],
        secretName: assignment.secretName,
        ...(delay > 0 ? { effectiveFromMs: now() + delay } : {}),
      });
      return { assignmentId };
    },

    removeRoleAssignment: (vaultName, assignmentId) => {
      if (!vaultOf(vaultName).revokeRoleAssignment(assignmentId)) throw notFound(`role assignment "${assignmentId}" does not exist in vault "${vaultName}"`);
    },

    listRoleAssignments: (filter = {}) => {
      const selected = filter.vault === undefined
        ? [...vaults.values()].flatMap((entry) => (entry === "starting" ? [] : [entry.vault]))
        : [vaultOf(filter.vault)];
      const principal = filter.principalObjectId?.toLowerCase();
      return selected.flatMap((vault) => vault.roleAssignments
        .filter((a) => principal === undefined || a.principalObjectId.toLowerCase() === principal)
        .map((a) => ({ vault: vault.name, assignmentId: a.assignmentId, principalObjectId: a.principalObjectId, roleName: a.roleName, dataActions: [...a.dataActions], secretName: a.secretName ?? null })));
    },

    setAccessPolicy: (vaultName, principalObjectId, permissions) => {
      const vault = vaultOf(vaultName);
      const unknown = permissions.filter((p) => !ACCESS_POLICY_PERMISSIONS.includes(p));
      if (unknown.length > 0) throw new EmulatorAdminError(`unknown secret permissions: ${unknown.join(", ")} (expected ${ACCESS_POLICY_PERMISSIONS.join(", ")})`);
      if (permissions.length === 0) vault.accessPolicies.delete(principalObjectId.toLowerCase());
      else vault.accessPolicies.set(principalObjectId.toLowerCase(), new Set(permissions));
    },

    setFirewall: (vaultName, enabled) => { vaultOf(vaultName).firewallEnabled = enabled; },

    setThrottle: (vaultName, throttle) => {
      const vault = vaultOf(vaultName);
      if (throttle !== null && (!Number.isInteger(throttle.limitPer10Seconds) || throttle.limitPer10Seconds < 0)) throw new EmulatorAdminError("limitPer10Seconds must be a whole number of requests");
      const retryAfter: unknown = throttle?.retryAfterSeconds;
      if (retryAfter === "window") {
        if (throttle?.limitPer10Seconds === 0) throw new EmulatorAdminError("retryAfterSeconds \"window\" needs limitPer10Seconds of at least 1: with 0 the window never frees up");
      } else if (retryAfter !== undefined && (typeof retryAfter !== "number" || !Number.isInteger(retryAfter) || retryAfter < 0)) {
        throw new EmulatorAdminError("retryAfterSeconds must be a whole number of seconds or \"window\"");
      }
      vault.traffic.setThrottle(throttle);
    },

    setTiming: (vaultName, timing) => {
      const vault = vaultOf(vaultName);
      vault.timing = mergeTiming(vault.timing, timing);
      return { ...vault.timing };
    },

    timing: (vaultName) => ({ ...vaultOf(vaultName).timing }),

    setFaults: (vaultName, faults) => {
      const vault = vaultOf(vaultName);
      if (faults?.latencyMs !== undefined && (!Number.isFinite(faults.latencyMs) || faults.latencyMs < 0)) throw new EmulatorAdminError("latencyMs must be a number of milliseconds");
      const fail = faults?.failNext;
      if (fail !== undefined && (!Number.isInteger(fail.count) || fail.count < 0 || !Number.isInteger(fail.status) || fail.status < 500 || fail.status > 599)) throw new EmulatorAdminError("failNext needs a count and a 5xx status");
      if (faults?.dropNext !== undefined && (!Number.isInteger(faults.dropNext) || faults.dropNext < 0)) throw new EmulatorAdminError("dropNext must be a whole number of connections");
      vault.traffic.setFaults(faults);
    },

    requestCounts: (vaultName) => vaultOf(vaultName).traffic.counts(),

    resetRequestCounts: (vaultName) => {
      if (vaultName !== undefined) vaultOf(vaultName).traffic.resetCounts();
      else for (const entry of vaults.values()) if (entry !== "starting") entry.vault.traffic.resetCounts();
    },

    subscribeEvents: async (vaultName, spec) => {
      const { vault, vaultUri } = running(vaultName);
      return eventGrid.subscribe(vault, vaultUri, spec);
    },
    unsubscribeEvents: (subscriptionId) => { eventGrid.unsubscribe(subscriptionId); },
    listEventSubscriptions: (vaultName) => {
      if (vaultName !== undefined) running(vaultName);
      return eventGrid.list(vaultName);
    },
    setEventFaults: (subscriptionId, faults) => { eventGrid.setFaults(subscriptionId, faults); },
    eventDeliveries: () => eventGrid.deliveries(),
    eventsSettled: () => eventGrid.settled(),
    checkSecretExpiry: () => eventGrid.checkExpiry(),

    describe: () => ({
      authorityHost,
      caCertPath: tls.caCertPath,
      oidcIssuer: entraService.oidcIssuer,
      managedIdentityEndpoint: emulator.managedIdentityEndpoint,
      tenants: directory.listTenants().map((t) => ({ tenantId: t.tenantId, displayName: t.displayName ?? null })),
      apps: directory.listApps().map((a) => ({
        appId: a.appId,
        displayName: a.displayName,
        homeTenantId: a.homeTenantId,
        multiTenant: a.multiTenant,
        servicePrincipals: Object.fromEntries(directory.listTenants().flatMap((t) => {
          const objectId = t.servicePrincipals.get(a.appId);
          return objectId === undefined ? [] : [[t.tenantId, objectId]];
        })),
      })),
      vaults: [...vaults.values()].flatMap((entry) => entry === "starting" ? [] : [{
        name: entry.vault.name,
        vaultUri: entry.vaultUri,
        tenantId: entry.vault.settings.tenantId,
        cloud: entry.vault.settings.cloud,
        permissionModel: entry.vault.settings.permissionModel,
        firewall: entry.vault.firewallEnabled,
        secrets: entry.vault.store.entries().length,
        timing: { ...entry.vault.timing },
      }]),
      managedIdentities: directory.listManagedIdentities().map((mi) => ({ ...mi })),
    }),

    stop: async () => {
      if (stopped) return;
      stopped = true;
      await eventGrid.stop();
      const endpoints = [...vaults.values()].flatMap((entry) => (entry === "starting" ? [] : [entry.endpoint]));
      await Promise.all([authority.close(), identityEndpoint.close(), ...endpoints.map((e) => e.close())]);
    },
  };
  late.emulator = emulator;
  return emulator;
}

/** `base` with the fields `change` gives; each a whole number of milliseconds up to 1 hour (the HTTP admin API passes unchecked values). */
function mergeTiming(base: VaultTiming, change: Partial<VaultTiming> | undefined): VaultTiming {
  const given: unknown = change;
  if (given !== undefined && (typeof given !== "object" || given === null || Array.isArray(given))) throw new EmulatorAdminError("timing must be an object");
  const defined = Object.fromEntries(Object.entries((given ?? {}) as Record<string, unknown>).filter(([, value]) => value !== undefined));
  const timing: Record<string, unknown> = { ...base, ...defined };
  const unknownFields = Object.keys(timing).filter((field) => !(TIMING_FIELDS as readonly string[]).includes(field));
  if (unknownFields.length > 0) throw new EmulatorAdminError(`unknown timing field ${unknownFields.map((f) => `"${f}"`).join(", ")}: expected ${TIMING_FIELDS.join(", ")}`);
  for (const field of TIMING_FIELDS) {
    const value = timing[field];
    if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 3_600_000) throw new EmulatorAdminError(`timing "${field}" must be a whole number of milliseconds from 0 to 3600000`);
  }
  return { rbacPropagationMs: timing.rbacPropagationMs as number, deletionMs: timing.deletionMs as number, purgeMs: timing.purgeMs as number };
}
