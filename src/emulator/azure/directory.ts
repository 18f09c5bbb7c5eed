/**
 * Entra ID's state: tenants, app registrations (each with a home tenant),
 * their credentials (client secrets, certificates, federated credentials),
 * service principals (one per tenant that consented) and managed identities.
 * In memory only.
 */
import { X509Certificate, createHash, timingSafeEqual, type KeyObject } from "node:crypto";
import { EmulatorAdminError, conflict, notFound } from "./admin-error.js";
import { newClientSecret, newGuid } from "./random.js";

export const DEFAULT_FEDERATED_AUDIENCE = "api://AzureADTokenExchange";
/**
 * The app id of Entra's token exchange resource: the `aud` of the v2.0 token
 * Entra issues for `api://AzureADTokenExchange` (federated credentials name
 * the URI, Entra maps the two).
 */
export const TOKEN_EXCHANGE_APP_ID = "fb60f99c-7a34-4190-8149-302f77469936";

export interface Tenant {
  readonly tenantId: string;
  readonly displayName: string | undefined;
  /** appId → service principal object id in this tenant. */
  readonly servicePrincipals: Map<string, string>;
}

export interface AppCertificate {
  /** Uppercase hex, as the portal shows thumbprints. */
  readonly thumbprintSha1: string;
  readonly thumbprintSha256: string;
  readonly publicKey: KeyObject;
}

export interface FederatedCredential {
  readonly issuer: string;
  readonly subject: string;
  readonly audience: string;
}

export interface App {
  readonly appId: string;
  readonly displayName: string;
  readonly homeTenantId: string;
  readonly multiTenant: boolean;
  /** SHA-256 of each client secret: the values themselves are not kept. */
  readonly secretHashes: Buffer[];
  readonly certificates: AppCertificate[];
  readonly federatedCredentials: FederatedCredential[];
}

/**
 * A managed identity: a service principal in its tenant (object id =
 * `principalId`) whose tokens only the hosting platform's identity endpoint
 * hands out. User-assigned identities are Azure resources of their own;
 * a system-assigned one belongs to the host (here: the emulator's one host).
 */
export interface ManagedIdentity {
  readonly clientId: string;
  readonly principalId: string;
  readonly tenantId: string;
  readonly displayName: string;
  /** The ARM resource id, as `mi_res_id` selects it and tokens carry in `xms_mirid`. */
  readonly resourceId: string;
  readonly systemAssigned: boolean;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Azure's rule for user-assigned identity (and site) names. */
const MANAGED_IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;

export class Directory {
  private readonly tenants = new Map<string, Tenant>();
  private readonly apps = new Map<string, App>();
  private readonly managedIdentities = new Map<string, ManagedIdentity>();
  /** The subscription and resource group the managed identities' resource ids name. */
  private readonly subscriptionId = newGuid();

  createTenant(options: { tenantId?: string; displayName?: string } = {}): Tenant {
    const tenantId = (options.tenantId ?? newGuid()).toLowerCase();
    if (!GUID.test(tenantId)) throw new EmulatorAdminError(`tenant id "${options.tenantId ?? ""}" is not a GUID`);
    if (this.tenants.has(tenantId)) throw conflict(`tenant "${tenantId}" already exists`);
    const tenant: Tenant = { tenantId, displayName: options.displayName, servicePrincipals: new Map() };
    this.tenants.set(tenantId, tenant);
    return tenant;
  }

  tenant(tenantId: string): Tenant | undefined {
    return this.tenants.get(tenantId.toLowerCase());
  }

  requireTenant(tenantId: string): Tenant {
    const tenant = this.tenant(tenantId);
    if (!tenant) throw notFound(`tenant "${tenantId}" does not exist`);
    return tenant;
  }

  listTenants(): Tenant[] {
    return [...this.tenants.values()];
  }

  createApp(options: { homeTenantId: string; displayName: string; multiTenant?: boolean }): { app: App; homeServicePrincipalObjectId: string } {
    const home = this.requireTenant(options.homeTenantId);
    if (options.displayName.trim() === "") throw new EmulatorAdminError("an app needs a display name");
    const app: App = {
      appId: newGuid(),
      displayName: options.displayName,
      homeTenantId: home.tenantId,
      multiTenant: options.multiTenant ?? false,
      secretHashes: [],
      certificates: [],
      federatedCredentials: [],
    };
    this.apps.set(app.appId, app);
    const homeServicePrincipalObjectId = newGuid();
    home.servicePrincipals.set(app.appId, homeServicePrincipalObjectId);
    return { app, homeServicePrincipalObjectId };
  }

  app(appId: string): App | undefined {
    return this.apps.get(appId.toLowerCase());
  }

  requireApp(appId: string): App {
    const app = this.app(appId);
    if (!app) throw notFound(`app "${appId}" does not exist`);
    return app;
  }

  listApps(): App[] {
    return [...this.apps.values()];
  }

  addClientSecret(appId: string): string {
    const app = this.requireApp(appId);
    const secret = newClientSecret();
    app.secretHashes.push(sha256(secret));
    return secret;
  }

  hasClientSecret(app: App, secret: string): boolean {
    const hash = sha256(secret);
    return app.secretHashes.some((known) => timingSafeEqual(known, hash));
  }

  addCertificate(appId: string, certificatePem: string): AppCertificate {
    const app = this.requireApp(appId);
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(certificatePem);
    } catch {
      throw new EmulatorAdminError("the certificate is not a PEM-encoded X.509 certificate");
    }
    const entry: AppCertificate = {
      thumbprintSha1: createHash("sha1").update(certificate.raw).digest("hex").toUpperCase(),
      thumbprintSha256: createHash("sha256").update(certificate.raw).digest("hex").toUpperCase(),
      publicKey: certificate.publicKey,
    };
    if (!app.certificates.some((c) => c.thumbprintSha256 === entry.thumbprintSha256)) app.certificates.push(entry);
    return entry;
  }

  /** The certificate an assertion names by its `x5t#S256` or `x5t` header (base64url of the thumbprint bytes). */
  findCertificate(app: App, header: { readonly x5tS256: unknown; readonly x5t: unknown }): AppCertificate | undefined {
    const sha256Hex = base64UrlToHex(header.x5tS256);
    if (sha256Hex !== undefined) return app.certificates.find((c) => c.thumbprintSha256 === sha256Hex);
    const sha1Hex = base64UrlToHex(header.x5t);
    if (sha1Hex !== undefined) return app.certificates.find((c) => c.thumbprintSha1 === sha1Hex);
    return undefined;
  }

  addFederatedCredential(appId: string, credential: { issuer: string; subject: string; audience?: string }): FederatedCredential {
    const app = this.requireApp(appId);
    if (credential.issuer.trim() === "" || credential.subject.trim() === "") throw new EmulatorAdminError("a federated credential needs an issuer and a subject");
    const entry: FederatedCredential = { issuer: credential.issuer, subject: credential.subject, audience: credential.audience ?? DEFAULT_FEDERATED_AUDIENCE };
    app.federatedCredentials.push(entry);
    return entry;
  }

  /** Creates the app's service principal in the tenant (admin consent); idempotent. */
  consent(appId: string, tenantId: string): string {
    const app = this.requireApp(appId);
    const tenant = this.requireTenant(tenantId);
    const existing = tenant.servicePrincipals.get(app.appId);
    if (existing !== undefined) return existing;
    if (!app.multiTenant) throw conflict(`app "${app.appId}" is single-tenant: only its home tenant "${app.homeTenantId}" can have its service principal`);
    const objectId = newGuid();
    tenant.servicePrincipals.set(app.appId, objectId);
    return objectId;
  }

  servicePrincipalObjectId(appId: string, tenantId: string): string | undefined {
    return this.tenant(tenantId)?.servicePrincipals.get(appId.toLowerCase());
  }

  /**
   * A user-assigned identity (or, with `systemAssigned`, the host's own
   * identity: at most one, used when a token request names no identity).
   */
  createManagedIdentity(options: { tenantId: string; displayName?: string; systemAssigned?: boolean }): ManagedIdentity {
    const tenant = this.requireTenant(options.tenantId);
    const clientId = newGuid();
    const systemAssigned = options.systemAssigned ?? false;
    const displayName = options.displayName ?? `${systemAssigned ? "site" : "mi"}-${clientId.slice(0, 8)}`;
    if (!MANAGED_IDENTITY_NAME.test(displayName)) throw new EmulatorAdminError(`managed identity name "${displayName}" is invalid: use 3-128 letters, digits, "-" and "_", starting with a letter or digit`);
    const identities = [...this.managedIdentities.values()];
    if (identities.some((mi) => mi.displayName.toLowerCase() === displayName.toLowerCase())) throw conflict(`managed identity "${displayName}" already exists`);
    if (systemAssigned && identities.some((mi) => mi.systemAssigned)) throw conflict("the emulator already has a system-assigned managed identity");
    const provider = systemAssigned ? "Microsoft.Web/sites" : "Microsoft.ManagedIdentity/userAssignedIdentities";
    const identity: ManagedIdentity = {
      clientId,
      principalId: newGuid(),
      tenantId: tenant.tenantId,
      displayName,
      resourceId: `/subscriptions/${this.subscriptionId}/resourcegroups/vaultwire-emulator/providers/${provider}/${displayName}`,
      systemAssigned,
    };
    this.managedIdentities.set(clientId, identity);
    return identity;
  }

  listManagedIdentities(): ManagedIdentity[] {
    return [...this.managedIdentities.values()];
  }

  /** The identity a token request names (case-insensitive), or the system-assigned one when it names none. */
  findManagedIdentity(selector: { readonly by: "client_id" | "principal_id" | "mi_res_id"; readonly value: string } | { readonly by: "system" }): ManagedIdentity | undefined {
    const identities = [...this.managedIdentities.values()];
    if (selector.by === "system") return identities.find((mi) => mi.systemAssigned);
    const value = selector.value.toLowerCase();
    switch (selector.by) {
      case "client_id": return this.managedIdentities.get(value);
      case "principal_id": return identities.find((mi) => mi.principalId === value);
      case "mi_res_id": return identities.find((mi) => !mi.systemAssigned && mi.resourceId.toLowerCase() === value);
    }
  }
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function base64UrlToHex(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "" || !/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return undefined;
  return Buffer.from(value, "base64url").toString("hex").toUpperCase();
}
