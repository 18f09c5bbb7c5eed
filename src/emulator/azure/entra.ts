/**
 * Entra ID as MSAL (via @azure/identity) uses it for app-only tokens:
 * per-tenant OpenID discovery, the signing keys, and the v2.0 token endpoint
 * with the client-credentials grant (client secret, certificate assertion or
 * a federated token from an external issuer). Also the emulator-owned OIDC
 * issuer whose tokens apps can trust through federated credentials, and
 * managed identities' own tokens as federated credentials (issuer
 * `{authority}/{tenant}/v2.0`, subject = the identity's object id).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ACCESS_TOKEN_LIFETIME_SECONDS, CLOCK_SKEW_SECONDS, issueAccessToken, type SigningKey } from "./access-tokens.js";
import { DEFAULT_FEDERATED_AUDIENCE, TOKEN_EXCHANGE_APP_ID, type App, type Directory, type Tenant } from "./directory.js";
import { entraError, type EntraFailure } from "./entra-errors.js";
import { audiences, decodeJwt, numericClaim, signJwt, stringClaim, verifyJwtSignature, type DecodedJwt } from "./jwt.js";
import { managedIdentityIssuer } from "./managed-identity.js";
import { newGuid } from "./random.js";
import { readBody, sendJson } from "./server.js";

export const JWT_BEARER_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const OIDC_ISSUER_PATH = "/oidc";
const TENANT = /^[0-9a-zA-Z][0-9a-zA-Z.-]{0,253}$/;
const DEFAULT_SCOPES = new Set(["openid", "profile", "offline_access", "email"]);

export interface EntraOptions {
  readonly authorityHost: string;
  readonly directory: Directory;
  readonly tokenKey: SigningKey;
  readonly federationKey: SigningKey;
  readonly now: () => number;
}

interface RequestContext {
  readonly traceId: string;
  readonly correlationId: string;
  readonly nowMs: number;
}

type Granted = { readonly ok: true; readonly appidacr: "1" | "2" } | { readonly ok: false; readonly failure: EntraFailure };

export class EntraService {
  readonly oidcIssuer: string;

  constructor(private readonly options: EntraOptions) {
    this.oidcIssuer = `${options.authorityHost}${OIDC_ISSUER_PATH}`;
  }

  /** A token of the emulator's OIDC issuer, to present as a federated assertion. */
  mintFederatedToken(request: { subject: string; audience?: string; expiresInSeconds?: number }): string {
    const now = Math.floor(this.options.now() / 1000);
    const claims = {
      iss: this.oidcIssuer,
      sub: request.subject,
      aud: request.audience ?? DEFAULT_FEDERATED_AUDIENCE,
      iat: now,
      nbf: now,
      exp: now + (request.expiresInSeconds ?? 3600),
      jti: newGuid(),
    };
    const key = this.options.federationKey;
    return signJwt({ alg: "RS256", kid: key.kid }, claims, key.privateKey);
  }

  /** Handles the request when the path is Entra's; false when it is not. */
  async handle(request: IncomingMessage, response: ServerResponse, path: string): Promise<boolean> {
    const method = request.method ?? "GET";
    if (path === `${OIDC_ISSUER_PATH}/.well-known/openid-configuration` && method === "GET") {
      this.send(request, response, 200, { issuer: this.oidcIssuer, jwks_uri: `${this.oidcIssuer}/keys`, response_types_supported: ["id_token"], subject_types_supported: ["public"], id_token_signing_alg_values_supported: ["RS256"] });
      return true;
    }
    if (path === `${OIDC_ISSUER_PATH}/keys` && method === "GET") {
      this.send(request, response, 200, { keys: [this.options.federationKey.jwk] });
      return true;
    }
    const match = /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|\.well-known\/openid-configuration|discovery\/v2\.0\/keys|discovery\/keys|oauth2\/v2\.0\/token)$/.exec(path);
    if (!match) return false;
    const [, rawTenant = "", endpoint = ""] = match;
    const tenantSegment = decodeURIComponent(rawTenant);
    const context = this.context(request);
    if (endpoint.endsWith("keys")) {
      if (method !== "GET") return false;
      this.send(request, response, 200, { keys: [this.options.tokenKey.jwk] }, context);
      return true;
    }
    const isToken = endpoint === "oauth2/v2.0/token";
    if (method !== (isToken ? "POST" : "GET")) return false;
    if (!TENANT.test(tenantSegment)) {
      this.sendFailure(request, response, { kind: "malformed-tenant", tenant: tenantSegment }, context);
      return true;
    }
    const tenant = this.options.directory.tenant(tenantSegment);
    if (!tenant) {
      this.sendFailure(request, response, { kind: "invalid-tenant", tenant: tenantSegment }, context);
      return true;
    }
    if (!isToken) {
      this.send(request, response, 200, this.discoveryDocument(tenant.tenantId, endpoint.startsWith("v2.0")), context);
      return true;
    }
    await this.token(request, response, tenant, context);
    return true;
  }

  private discoveryDocument(tenantId: string, v2: boolean): Record<string, unknown> {
    const base = `${this.options.authorityHost}/${tenantId}`;
    const oauth = v2 ? `${base}/oauth2/v2.0` : `${base}/oauth2`;
    return {
      token_endpoint: `${oauth}/token`,
      token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
      jwks_uri: v2 ? `${base}/discovery/v2.0/keys` : `${base}/discovery/keys`,
      response_modes_supported: ["query", "fragment", "form_post"],
      subject_types_supported: ["pairwise"],
      id_token_signing_alg_values_supported: ["RS256"],
      response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
      scopes_supported: ["openid", "profile", "email", "offline_access"],
      issuer: v2 ? `${base}/v2.0` : `https://sts.windows.net/${tenantId}/`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: "https://graph.microsoft.com/oidc/userinfo",
      authorization_endpoint: `${oauth}/authorize`,
      device_authorization_endpoint: `${oauth}/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${oauth}/logout`,
      claims_supported: ["sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"],
      kerberos_endpoint: `${base}/kerberos`,
      tenant_region_scope: "NA",
      cloud_instance_name: "microsoftonline.com",
      cloud_graph_host_name: "graph.windows.net",
      msgraph_host: "graph.microsoft.com",
      rbac_url: "https://pas.windows.net",
    };
  }

  private async token(request: IncomingMessage, response: ServerResponse, tenant: Tenant, context: RequestContext): Promise<void> {
    const form = new URLSearchParams(await readBody(request, 64 * 1024));
    const result = this.grant(form, basicCredentials(request.headers.authorization), tenant, context.nowMs);
    if ("failure" in result) {
      this.sendFailure(request, response, result.failure, context);
      return;
    }
    this.send(request, response, 200, { token_type: "Bearer", expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, ext_expires_in: ACCESS_TOKEN_LIFETIME_SECONDS, access_token: result.accessToken }, context);
  }

  /** The client-credentials grant: parameters, the app's presence in the tenant, then its credential. */
  private grant(form: URLSearchParams, basic: { clientId: string; secret: string } | undefined, tenant: Tenant, nowMs: number): { failure: EntraFailure } | { accessToken: string } {
    const grantType = form.get("grant_type");
    if (grantType === null || grantType === "") return { failure: { kind: "missing-parameter", parameter: "grant_type" } };
    if (grantType !== "client_credentials") return { failure: { kind: "unsupported-grant-type", grantType } };
    const clientId = form.get("client_id") ?? basic?.clientId ?? "";
    if (clientId === "") return { failure: { kind: "missing-parameter", parameter: "client_id" } };
    const scope = form.get("scope");
    if (scope === null || scope.trim() === "") return { failure: { kind: "missing-parameter", parameter: "scope" } };
    const resource = resourceOf(scope);
    if (resource === null) return { failure: { kind: "invalid-scope", scope } };

    const app = this.options.directory.app(clientId);
    const objectId = app ? tenant.servicePrincipals.get(app.appId) : undefined;
    if (!app || objectId === undefined) return { failure: { kind: "app-not-in-directory", appId: clientId, directory: tenant.displayName ?? tenant.tenantId } };
    const granted = this.authenticateClient(app, tenant, form, basic?.secret, nowMs);
    if (!granted.ok) return { failure: granted.failure };
    const subject = { tenantId: tenant.tenantId, appId: app.appId, objectId, resource, appidacr: granted.appidacr };
    return { accessToken: issueAccessToken(this.options.tokenKey, subject, Math.floor(nowMs / 1000)) };
  }

  private authenticateClient(app: App, tenant: Tenant, form: URLSearchParams, basicSecret: string | undefined, nowMs: number): Granted {
    const secret = form.get("client_secret") ?? basicSecret ?? "";
    const assertion = form.get("client_assertion");
    if (secret !== "") {
      return this.options.directory.hasClientSecret(app, secret) ? { ok: true, appidacr: "1" } : { ok: false, failure: { kind: "invalid-client-secret", appId: app.appId } };
    }
    if (assertion === null || assertion === "") return { ok: false, failure: { kind: "missing-credential" } };
    if (form.get("client_assertion_type") !== JWT_BEARER_ASSERTION_TYPE) return { ok: false, failure: { kind: "missing-parameter", parameter: "client_assertion_type" } };
    const jwt = decodeJwt(assertion);
    if (jwt === null) return { ok: false, failure: { kind: "malformed-assertion" } };
    const now = Math.floor(nowMs / 1000);
    const failure = stringClaim(jwt.claims, "iss") === app.appId
      ? this.checkCertificateAssertion(app, tenant, jwt, now)
      : this.checkFederatedAssertion(app, jwt, now);
    return failure === null ? { ok: true, appidacr: "2" } : { ok: false, failure };
  }

  /** A JWT the app signed with a registered certificate (iss = sub = client id, aud = token endpoint). */
  private checkCertificateAssertion(app: App, tenant: Tenant, jwt: DecodedJwt, now: number): EntraFailure | null {
    const header = { x5tS256: jwt.header["x5t#S256"], x5t: jwt.header.x5t };
    const thumbprint = thumbprintHex(header.x5tS256 ?? header.x5t);
    const certificate = this.options.directory.findCertificate(app, header);
    if (!certificate) return { kind: "assertion-key-not-found", appId: app.appId, thumbprint };
    if (!verifyJwtSignature(jwt, certificate.publicKey)) return { kind: "assertion-signature", appId: app.appId, thumbprint };
    if (stringClaim(jwt.claims, "sub") !== app.appId) return { kind: "assertion-app-mismatch" };
    const timeFailure = checkLifetime(jwt, now);
    if (timeFailure) return timeFailure;
    const accepted = this.tokenEndpointAudiences(tenant);
    const presented = audiences(jwt.claims);
    if (!presented.some((aud) => accepted.has(aud.toLowerCase()))) return { kind: "assertion-audience", audience: presented.join(", ") };
    return null;
  }

  /**
   * A token of an external OIDC issuer (the emulator's own) or of Entra
   * itself (a managed identity's token for api://AzureADTokenExchange),
   * matched against the app's federated credentials.
   */
  private checkFederatedAssertion(app: App, jwt: DecodedJwt, now: number): EntraFailure | null {
    const issuer = stringClaim(jwt.claims, "iss") ?? "";
    const subject = stringClaim(jwt.claims, "sub") ?? "";
    const presented = audiences(jwt.claims);
    const noMatch: EntraFailure = { kind: "federated-no-match", issuer, subject, audience: presented.join(", ") };
    const forIssuer = app.federatedCredentials.filter((c) => c.issuer === issuer);
    if (forIssuer.length === 0) return noMatch;
    const issuerTenant = this.entraIssuerTenant(issuer);
    // The emulator cannot reach other issuers' keys: it verifies only its own.
    if (issuer !== this.oidcIssuer && issuerTenant === undefined) return { kind: "federated-issuer-unreachable" };
    // Entra signs its own tokens with the token key; the OIDC issuer has its own.
    const key = issuerTenant === undefined ? this.options.federationKey : this.options.tokenKey;
    if (jwt.header.kid !== key.kid || !verifyJwtSignature(jwt, key.publicKey)) return { kind: "assertion-key-not-found", appId: app.appId, thumbprint: typeof jwt.header.kid === "string" ? jwt.header.kid : "" };
    const timeFailure = checkLifetime(jwt, now);
    if (timeFailure) return timeFailure;
    // A managed identity can only be trusted by an app of its own tenant (Microsoft's documented restriction).
    if (issuerTenant !== undefined && issuerTenant !== app.homeTenantId) return noMatch;
    // Entra's v2.0 tokens for the token exchange resource carry its app id; credentials name the URI.
    const accepted = presented.flatMap((aud) => (aud.toLowerCase() === TOKEN_EXCHANGE_APP_ID ? [aud, DEFAULT_FEDERATED_AUDIENCE] : [aud]));
    const matches = forIssuer.some((c) => c.subject === subject && accepted.includes(c.audience));
    return matches ? null : noMatch;
  }

  /** The tenant whose Entra v2.0 issuer (`{authority}/{tenant}/v2.0`) this is, for tenants of this directory. */
  private entraIssuerTenant(issuer: string): string | undefined {
    const prefix = `${this.options.authorityHost}/`;
    if (!issuer.startsWith(prefix) || !issuer.endsWith("/v2.0")) return undefined;
    const tenant = this.options.directory.tenant(issuer.slice(prefix.length, -"/v2.0".length));
    return tenant !== undefined && issuer === managedIdentityIssuer(this.options.authorityHost, tenant.tenantId) ? tenant.tenantId : undefined;
  }

  private tokenEndpointAudiences(tenant: Tenant): Set<string> {
    const hosts = [this.options.authorityHost, "https://login.microsoftonline.com"];
    const ids = [tenant.tenantId, ...(tenant.displayName === undefined ? [] : [tenant.displayName])];
    const accepted = new Set<string>();
    for (const host of hosts) {
      for (const id of ids) {
        for (const path of ["oauth2/v2.0/token", "oauth2/token", "v2.0"]) accepted.add(`${host}/${id}/${path}`.toLowerCase());
      }
    }
    return accepted;
  }

  private context(request: IncomingMessage): RequestContext {
    const clientRequestId = request.headers["client-request-id"];
    return {
      traceId: newGuid(),
      correlationId: typeof clientRequestId === "string" && clientRequestId !== "" ? clientRequestId : newGuid(),
      nowMs: this.options.now(),
    };
  }

  private sendFailure(request: IncomingMessage, response: ServerResponse, failure: EntraFailure, context: RequestContext): void {
    const { status, body } = entraError(failure, context);
    this.send(request, response, status, body, context);
  }

  private send(request: IncomingMessage, response: ServerResponse, status: number, body: unknown, context: RequestContext = this.context(request)): void {
    sendJson(response, status, body, {
      "Cache-Control": "no-store, no-cache",
      Pragma: "no-cache",
      Expires: "-1",
      "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
      "X-Content-Type-Options": "nosniff",
      "client-request-id": context.correlationId,
      "x-ms-request-id": context.traceId,
      "x-ms-ests-server": "2.1.0 - vaultwire emulator",
      Date: new Date(context.nowMs).toUTCString(),
    });
  }
}

/** `https://vault.azure.net/.default` → `https://vault.azure.net`; null unless exactly one `<resource>/.default`. */
export function resourceOf(scope: string): string | null {
  const scopes = scope.split(/\s+/).filter((s) => s !== "" && !DEFAULT_SCOPES.has(s));
  if (scopes.length !== 1) return null;
  const only = scopes[0] ?? "";
  if (!only.endsWith("/.default")) return null;
  const resource = only.slice(0, -"/.default".length);
  return resource === "" ? null : resource;
}

function checkLifetime(jwt: DecodedJwt, now: number): EntraFailure | null {
  const expires = numericClaim(jwt.claims, "exp");
  const notBefore = numericClaim(jwt.claims, "nbf");
  const expired = expires === undefined || expires + CLOCK_SKEW_SECONDS <= now;
  const early = notBefore !== undefined && notBefore - CLOCK_SKEW_SECONDS > now;
  return expired || early ? { kind: "assertion-time", now, notBefore, expires } : null;
}

function thumbprintHex(value: unknown): string {
  return typeof value === "string" && /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, "base64url").toString("hex").toUpperCase() : "";
}

function basicCredentials(authorization: string | undefined): { clientId: string; secret: string } | undefined {
  if (authorization?.startsWith("Basic ") !== true) return undefined;
  const decoded = Buffer.from(authorization.slice(6), "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return undefined;
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), secret: decodeURIComponent(decoded.slice(colon + 1)) };
}
