import { generateKeyPairSync } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import { signingKey } from "./access-tokens.js";
import { Directory, TOKEN_EXCHANGE_APP_ID, type ManagedIdentity } from "./directory.js";
import { decodeJwt, verifyJwtSignature } from "./jwt.js";
import {
  answerManagedIdentityRequest,
  managedIdentityIssuer,
  MANAGED_IDENTITY_TOKEN_LIFETIME_SECONDS,
  UNKNOWN_IDENTITY_MESSAGE,
  type ManagedIdentityAnswer,
  type ManagedIdentityDependencies,
  type ManagedIdentityError,
  type ManagedIdentityToken,
} from "./managed-identity.js";

const AUTHORITY = "https://localhost:8440";
const HEADER = "3c0a6e8e-1f0b-4e0e-9a57-6f3f3c1f2b7d";
const NOW_MS = 1_700_000_000_000;
const NOW = NOW_MS / 1000;
const tokenKey = signingKey(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey);

let directory: Directory;
let tenantId: string;
let identity: ManagedIdentity;
let deps: ManagedIdentityDependencies;

beforeEach(() => {
  directory = new Directory();
  tenantId = directory.createTenant().tenantId;
  identity = directory.createManagedIdentity({ tenantId, displayName: "vaultwire-mi" });
  deps = { directory, tokenKey, authorityHost: AUTHORITY, identityHeader: HEADER };
});

/** The request MSAL's AppService source sends (it URL-encodes every query value). */
function msalUrl(resource: string, id?: Readonly<Record<string, string>>): string {
  const query = new URLSearchParams({ "api-version": "2019-08-01", resource, ...id });
  return `/msi/token?${query.toString()}`;
}

function ask(url: string, options: { method?: string; header?: string | undefined } = {}): ManagedIdentityAnswer {
  return answerManagedIdentityRequest({ method: options.method ?? "GET", url, identityHeader: "header" in options ? options.header : HEADER }, deps, { nowMs: NOW_MS, correlationId: "corr-1" });
}

function token(answer: ManagedIdentityAnswer): ManagedIdentityToken {
  expect(answer.status).toBe(200);
  return answer.body as ManagedIdentityToken;
}

function claims(jwt: string): Record<string, unknown> {
  const decoded = decodeJwt(jwt);
  if (decoded === null) throw new Error("not a JWT");
  expect(verifyJwtSignature(decoded, tokenKey.publicKey)).toBe(true);
  expect(decoded.header.kid).toBe(tokenKey.kid);
  return { ...decoded.claims };
}

function expectError(answer: ManagedIdentityAnswer, status: number, message: string | RegExp): void {
  expect(answer.status).toBe(status);
  const body = answer.body as ManagedIdentityError;
  expect(Object.keys(body).sort()).toEqual(["correlationId", "message", "statusCode"]);
  expect(body.statusCode).toBe(status);
  expect(body.correlationId).toBe("corr-1");
  if (typeof message === "string") expect(body.message).toBe(message);
  else expect(body.message).toMatch(message);
}

describe("managed identity endpoint: tokens", () => {
  it("answers App Service's 2019-08-01 shape: expires_on as a string of epoch seconds, the resource and client id", () => {
    const body = token(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId })));
    expect(Object.keys(body).sort()).toEqual(["access_token", "client_id", "expires_on", "resource", "token_type"]);
    expect(body).toMatchObject({ expires_on: String(NOW + MANAGED_IDENTITY_TOKEN_LIFETIME_SECONDS), resource: "https://vault.azure.net", token_type: "Bearer", client_id: identity.clientId });
  });

  it("gives a v1.0 access token of the identity's service principal for an ordinary resource", () => {
    const c = claims(token(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId }))).access_token);
    expect(c).toMatchObject({
      aud: "https://vault.azure.net",
      iss: `https://sts.windows.net/${tenantId}/`,
      tid: tenantId,
      appid: identity.clientId,
      oid: identity.principalId,
      sub: identity.principalId,
      appidacr: "2",
      ver: "1.0",
      xms_mirid: identity.resourceId,
      exp: NOW + MANAGED_IDENTITY_TOKEN_LIFETIME_SECONDS,
    });
  });

  it("gives Entra's v2.0 token for api://AzureADTokenExchange: issuer {authority}/{tenant}/v2.0, subject = object id", () => {
    const body = token(ask(msalUrl("api://AzureADTokenExchange", { client_id: identity.clientId })));
    expect(body.resource).toBe("api://AzureADTokenExchange");
    expect(claims(body.access_token)).toMatchObject({
      aud: TOKEN_EXCHANGE_APP_ID,
      iss: `${AUTHORITY}/${tenantId}/v2.0`,
      sub: identity.principalId,
      oid: identity.principalId,
      azp: identity.clientId,
      tid: tenantId,
      idtyp: "app",
      ver: "2.0",
    });
    expect(managedIdentityIssuer(AUTHORITY, tenantId)).toBe(`${AUTHORITY}/${tenantId}/v2.0`);
  });

  it("selects the identity by client_id, principal_id, its alias object_id or mi_res_id, case-insensitively", () => {
    directory.createManagedIdentity({ tenantId, displayName: "another" });
    for (const id of [
      { client_id: identity.clientId.toUpperCase() },
      { principal_id: identity.principalId },
      { object_id: identity.principalId.toUpperCase() },
      { mi_res_id: identity.resourceId.toUpperCase() },
    ]) {
      expect(token(ask(msalUrl("https://vault.azure.net", id))).client_id).toBe(identity.clientId);
    }
  });

  it("uses the system-assigned identity when the request names none", () => {
    expectError(ask(msalUrl("https://vault.azure.net")), 400, UNKNOWN_IDENTITY_MESSAGE);
    const system = directory.createManagedIdentity({ tenantId, systemAssigned: true });
    expect(token(ask(msalUrl("https://vault.azure.net"))).client_id).toBe(system.clientId);
    expect(system.resourceId).toContain("/providers/Microsoft.Web/sites/");
    // A system-assigned identity is not a user-assigned identity resource.
    expectError(ask(msalUrl("https://vault.azure.net", { mi_res_id: system.resourceId })), 400, UNKNOWN_IDENTITY_MESSAGE);
  });

  it("accepts the endpoint path with a trailing slash", () => {
    expect(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId }).replace("/msi/token?", "/MSI/token/?")).status).toBe(200);
  });
});

describe("managed identity endpoint: refusals", () => {
  it("answers 400 without the identity header or with another one", () => {
    expectError(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId }), { header: undefined }), 400, /missing the X-IDENTITY-HEADER/);
    expectError(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId }), { header: "" }), 400, /missing the X-IDENTITY-HEADER/);
    expectError(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId }), { header: `${HEADER}x` }), 400, /does not match/);
  });

  it("answers 400 like App Service for an identity it does not have", () => {
    expectError(ask(msalUrl("https://vault.azure.net", { client_id: "00000000-0000-0000-0000-000000000000" })), 400, "Unable to load the proper Managed Identity.");
    expectError(ask(msalUrl("https://vault.azure.net", { principal_id: identity.clientId })), 400, UNKNOWN_IDENTITY_MESSAGE);
  });

  it("answers 400 for a missing or other api-version, a missing resource, or two identity selectors", () => {
    expectError(ask(`/msi/token?resource=${encodeURIComponent("https://vault.azure.net")}&client_id=${identity.clientId}`), 400, /api-version query parameter is required/);
    expectError(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId }).replace("2019-08-01", "2017-09-01")), 400, /'2017-09-01' is not supported/);
    expectError(ask(`/msi/token?api-version=2019-08-01&client_id=${identity.clientId}`), 400, /resource query parameter is required/);
    expectError(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId, principal_id: identity.principalId })), 400, /at most one of client_id, principal_id, object_id, mi_res_id/);
  });

  it("answers 404 off its path and 405 for another method", () => {
    expectError(ask("/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x"), 404, /\/msi\/token/);
    expectError(ask(msalUrl("https://vault.azure.net", { client_id: identity.clientId }), { method: "POST" }), 405, /answers GET, not POST/);
  });
});

describe("managed identities in the directory", () => {
  it("validates names, keeps them unique and allows one system-assigned identity", () => {
    expect(() => directory.createManagedIdentity({ tenantId, displayName: "has space" })).toThrow(/name "has space" is invalid/);
    expect(() => directory.createManagedIdentity({ tenantId, displayName: "VAULTWIRE-MI" })).toThrow(/already exists/);
    expect(() => directory.createManagedIdentity({ tenantId: "00000000-0000-0000-0000-000000000001" })).toThrow(/does not exist/);
    directory.createManagedIdentity({ tenantId, systemAssigned: true });
    expect(() => directory.createManagedIdentity({ tenantId, systemAssigned: true })).toThrow(/already has a system-assigned/);
    expect(identity.resourceId).toMatch(/^\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/vaultwire-emulator\/providers\/Microsoft\.ManagedIdentity\/userAssignedIdentities\/vaultwire-mi$/);
  });
});
