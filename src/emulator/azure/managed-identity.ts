/**
 * The managed identity endpoint of Azure App Service and Container Apps, as
 * MSAL's AppService source calls it when IDENTITY_ENDPOINT and
 * IDENTITY_HEADER are set:
 *
 *   GET {IDENTITY_ENDPOINT}?api-version=2019-08-01&resource=R[&client_id=…|principal_id=…|object_id=…|mi_res_id=…]
 *   X-IDENTITY-HEADER: {IDENTITY_HEADER}
 *
 * answered with `{access_token, expires_on, resource, token_type, client_id}`
 * (expires_on: epoch seconds as a string) or, on failure, HTTP 400 with
 * `{statusCode, message, correlationId}`. Served over plain HTTP on
 * 127.0.0.1, as the platforms do. A token for `api://AzureADTokenExchange` is
 * the v2.0 token Entra issues for it (iss `{authority}/{tenant}/v2.0`, sub =
 * the identity's object id), which apps trust through a federated identity
 * credential; any other resource gets an ordinary v1.0 access token for the
 * identity's service principal.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { issueAccessToken, type SigningKey } from "./access-tokens.js";
import { DEFAULT_FEDERATED_AUDIENCE, TOKEN_EXCHANGE_APP_ID, type Directory, type ManagedIdentity } from "./directory.js";
import { signJwt } from "./jwt.js";
import { newGuid } from "./random.js";
import { sendJson, type RequestHandler } from "./server.js";

export const MANAGED_IDENTITY_PATH = "/msi/token";
/** The only api-version MSAL's AppService source sends. */
export const MANAGED_IDENTITY_API_VERSION = "2019-08-01";
/** Managed identity tokens are cached by the platform and live about a day. */
export const MANAGED_IDENTITY_TOKEN_LIFETIME_SECONDS = 86_399;
/** App Service's answer when the named identity is not assigned to the app. */
export const UNKNOWN_IDENTITY_MESSAGE = "Unable to load the proper Managed Identity.";

/** The query parameters that name a user-assigned identity (object_id is an alias of principal_id). */
const IDENTITY_PARAMETERS = ["client_id", "principal_id", "object_id", "mi_res_id"] as const;

export interface ManagedIdentityDependencies {
  readonly directory: Directory;
  readonly tokenKey: SigningKey;
  readonly authorityHost: string;
  /** The secret callers must send in X-IDENTITY-HEADER. */
  readonly identityHeader: string;
}

export interface ManagedIdentityRequest {
  readonly method: string;
  /** Path and query, as in `IncomingMessage.url`. */
  readonly url: string;
  /** The X-IDENTITY-HEADER value, if sent. */
  readonly identityHeader: string | undefined;
}

export interface ManagedIdentityAnswer {
  readonly status: 200 | 400 | 404 | 405;
  readonly body: ManagedIdentityToken | ManagedIdentityError;
}

export interface ManagedIdentityToken {
  readonly access_token: string;
  /** Epoch seconds, as a string. */
  readonly expires_on: string;
  readonly resource: string;
  readonly token_type: "Bearer";
  readonly client_id: string;
}

export interface ManagedIdentityError {
  readonly statusCode: number;
  readonly message: string;
  readonly correlationId: string;
}

/** The `iss` of a managed identity's token for api://AzureADTokenExchange (Entra's v2.0 issuer for the tenant). */
export function managedIdentityIssuer(authorityHost: string, tenantId: string): string {
  return `${authorityHost}/${tenantId}/v2.0`;
}

/** Answers one request to the endpoint; pure but for the clock and the ids it draws. */
export function answerManagedIdentityRequest(request: ManagedIdentityRequest, deps: ManagedIdentityDependencies, context: { readonly nowMs: number; readonly correlationId: string }): ManagedIdentityAnswer {
  const fail = (status: 400 | 404 | 405, message: string): ManagedIdentityAnswer => ({ status, body: { statusCode: status, message, correlationId: context.correlationId } });
  const url = new URL(request.url, "http://127.0.0.1");
  if (url.pathname.replace(/\/+$/, "").toLowerCase() !== MANAGED_IDENTITY_PATH) return fail(404, `The managed identity endpoint is ${MANAGED_IDENTITY_PATH}.`);
  if (request.method !== "GET") return fail(405, `The managed identity endpoint answers GET, not ${request.method}.`);
  if (request.identityHeader === undefined || request.identityHeader === "") return fail(400, "The request is missing the X-IDENTITY-HEADER header.");
  if (!sameSecret(request.identityHeader, deps.identityHeader)) return fail(400, "The X-IDENTITY-HEADER header does not match the identity header of this host.");
  const query = url.searchParams;
  const apiVersion = query.get("api-version");
  if (apiVersion === null || apiVersion === "") return fail(400, "The api-version query parameter is required.");
  if (apiVersion !== MANAGED_IDENTITY_API_VERSION) return fail(400, `The api-version '${apiVersion}' is not supported. Use ${MANAGED_IDENTITY_API_VERSION}.`);
  const resource = query.get("resource") ?? "";
  if (resource.trim() === "") return fail(400, "The resource query parameter is required.");
  const named = IDENTITY_PARAMETERS.filter((name) => query.has(name));
  if (named.length > 1) return fail(400, `Pass at most one of ${IDENTITY_PARAMETERS.join(", ")}; the request has ${named.join(", ")}.`);
  const parameter = named[0];
  const identity = parameter === undefined
    ? deps.directory.findManagedIdentity({ by: "system" })
    : deps.directory.findManagedIdentity({ by: parameter === "object_id" ? "principal_id" : parameter, value: query.get(parameter) ?? "" });
  if (identity === undefined) return fail(400, UNKNOWN_IDENTITY_MESSAGE);
  return { status: 200, body: issueManagedIdentityToken(identity, resource, deps, Math.floor(context.nowMs / 1000)) };
}

export function issueManagedIdentityToken(identity: ManagedIdentity, resource: string, deps: Pick<ManagedIdentityDependencies, "tokenKey" | "authorityHost">, nowSeconds: number): ManagedIdentityToken {
  const expires = nowSeconds + MANAGED_IDENTITY_TOKEN_LIFETIME_SECONDS;
  const accessToken = isTokenExchange(resource)
    ? federatedToken(identity, deps, nowSeconds, expires)
    : issueAccessToken(deps.tokenKey, { tenantId: identity.tenantId, appId: identity.clientId, objectId: identity.principalId, resource, appidacr: "2" }, nowSeconds, {
        lifetimeSeconds: MANAGED_IDENTITY_TOKEN_LIFETIME_SECONDS,
        claims: { xms_mirid: identity.resourceId },
      });
  return { access_token: accessToken, expires_on: String(expires), resource, token_type: "Bearer", client_id: identity.clientId };
}

/** The HTTP handler: the answer as JSON with App Service's headers. */
export function createManagedIdentityHandler(deps: ManagedIdentityDependencies, now: () => number): RequestHandler {
  return (request: IncomingMessage, response: ServerResponse) => {
    request.resume(); // a GET has no body worth reading
    const header = request.headers["x-identity-header"];
    const correlationId = newGuid();
    const answer = answerManagedIdentityRequest(
      { method: request.method ?? "GET", url: request.url ?? "/", identityHeader: Array.isArray(header) ? header[0] : header },
      deps,
      { nowMs: now(), correlationId },
    );
    sendJson(response, answer.status, answer.body, { "X-CORRELATION-ID": correlationId, Server: "Kestrel", "Cache-Control": "no-store" });
    return Promise.resolve();
  };
}

function isTokenExchange(resource: string): boolean {
  const normalized = resource.replace(/\/+$/, "").toLowerCase();
  return normalized === DEFAULT_FEDERATED_AUDIENCE.toLowerCase() || normalized === TOKEN_EXCHANGE_APP_ID;
}

/** Entra's v2.0 app-only token for the token exchange resource, as real managed identity tokens for it look. */
function federatedToken(identity: ManagedIdentity, deps: Pick<ManagedIdentityDependencies, "tokenKey" | "authorityHost">, nowSeconds: number, expires: number): string {
  const claims = {
    aud: TOKEN_EXCHANGE_APP_ID,
    iss: managedIdentityIssuer(deps.authorityHost, identity.tenantId),
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: expires,
    aio: "emulator",
    azp: identity.clientId,
    azpacr: "2",
    idtyp: "app",
    oid: identity.principalId,
    rh: "0.emulator.",
    sub: identity.principalId,
    tid: identity.tenantId,
    uti: Buffer.from(newGuid().replaceAll("-", ""), "hex").toString("base64url"),
    ver: "2.0",
    xms_mirid: identity.resourceId,
  };
  const key = deps.tokenKey;
  return signJwt({ alg: "RS256", kid: key.kid }, claims, key.privateKey);
}

function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash("sha256").update(text, "utf8").digest();
  return timingSafeEqual(digest(presented), digest(expected));
}
