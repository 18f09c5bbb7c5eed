/**
 * Entra ID's state: tenants, app registrations (each with a home tenant),
 * their credentials (client secrets, certificates, federated credentials) and
 * service principals (one per tenant that consented). In memory only.
 */
import { X509Certificate, createHash, timingSafeEqual, type KeyObject } from "node:crypto";
import { EmulatorAdminError, conflict, notFound } from "./admin-error.js";
import { newClientSecret, newGuid } from "./random.js";

export const DEFAULT_FEDERATED_AUDIENCE = "api://AzureADTokenExchange";

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

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class Directory {
  private readonly tenants = new Map<string, Tenant>();
  private readonly apps = new Map<string, App>();

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
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function base64UrlToHex(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "" || !/^[A-Za-z0-9_-]+={0,2}$/.test(value)) return undefined;
  return Buffer.from(value, "base64url").toString("hex").toUpperCase();
}
