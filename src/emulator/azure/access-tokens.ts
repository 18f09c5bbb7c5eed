/**
 * The emulator's token signing keys, the access tokens its Entra ID issues
 * (v1.0 tokens, as Entra issues for Key Vault) and their validation by its
 * Key Vault.
 */
import { createHash, createPublicKey, type JsonWebKey, type KeyObject } from "node:crypto";
import { decodeJwt, numericClaim, rsaPublicJwk, signJwt, stringClaim, verifyJwtSignature, type JwtClaims } from "./jwt.js";
import { newGuid } from "./random.js";

export const ACCESS_TOKEN_LIFETIME_SECONDS = 3599;
/** Clock skew tolerated on nbf/exp, as Entra and Key Vault allow. */
export const CLOCK_SKEW_SECONDS = 300;

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: JsonWebKey;
}

/** A signing key from an RSA private key; its kid is derived from the public key. */
export function signingKey(privateKey: KeyObject): SigningKey {
  const publicKey = createPublicKey(privateKey);
  const kid = createHash("sha1").update(publicKey.export({ type: "spki", format: "der" })).digest("base64url");
  return { kid, privateKey, publicKey, jwk: rsaPublicJwk(publicKey, kid) };
}

/** The `iss` of the emulator's access tokens for a tenant (Entra's v1.0 issuer). */
export function tokenIssuer(tenantId: string): string {
  return `https://sts.windows.net/${tenantId}/`;
}

export interface AccessTokenSubject {
  readonly tenantId: string;
  readonly appId: string;
  /** The app's service principal object id in `tenantId`. */
  readonly objectId: string;
  readonly resource: string;
  /** "1" for a client secret, "2" for a certificate or federated assertion. */
  readonly appidacr: "1" | "2";
}

export interface AccessTokenExtras {
  /** ACCESS_TOKEN_LIFETIME_SECONDS unless given (managed identity tokens live longer). */
  readonly lifetimeSeconds?: number;
  /** Added to the claims, e.g. a managed identity's `xms_mirid`. */
  readonly claims?: Readonly<Record<string, unknown>>;
}

export function issueAccessToken(key: SigningKey, subject: AccessTokenSubject, nowSeconds: number, extras: AccessTokenExtras = {}): string {
  const issuer = tokenIssuer(subject.tenantId);
  const claims = {
    aud: subject.resource,
    iss: issuer,
    iat: nowSeconds,
    nbf: nowSeconds,
    exp: nowSeconds + (extras.lifetimeSeconds ?? ACCESS_TOKEN_LIFETIME_SECONDS),
    aio: "emulator",
    appid: subject.appId,
    appidacr: subject.appidacr,
    idp: issuer,
    idtyp: "app",
    oid: subject.objectId,
    rh: "0.emulator.",
    sub: subject.objectId,
    tid: subject.tenantId,
    uti: Buffer.from(newGuid().replaceAll("-", ""), "hex").toString("base64url"),
    ver: "1.0",
    ...extras.claims,
  };
  return signJwt({ alg: "RS256", x5t: key.kid, kid: key.kid }, claims, key.privateKey);
}

export interface Caller {
  readonly appId: string;
  readonly objectId: string;
  readonly tenantId: string;
  readonly issuer: string;
  readonly audience: string;
}

export type AccessTokenCheck =
  | { readonly ok: true; readonly caller: Caller }
  | { readonly ok: false; readonly reason: "malformed" | "unknown-key" | "expired" | "not-yet-valid"; readonly encodedHeader: string };

/** Checks form, signature (the emulator's key) and lifetime; audience and issuer are the vault's business. */
export function checkAccessToken(token: string, key: SigningKey, nowSeconds: number): AccessTokenCheck {
  const encodedHeader = token.split(".")[0] ?? "";
  const jwt = decodeJwt(token);
  if (jwt === null) return { ok: false, reason: "malformed", encodedHeader };
  if (jwt.header.kid !== key.kid || !verifyJwtSignature(jwt, key.publicKey)) return { ok: false, reason: "unknown-key", encodedHeader };
  const exp = numericClaim(jwt.claims, "exp");
  const nbf = numericClaim(jwt.claims, "nbf");
  if (exp === undefined || exp + CLOCK_SKEW_SECONDS <= nowSeconds) return { ok: false, reason: "expired", encodedHeader };
  if (nbf !== undefined && nbf - CLOCK_SKEW_SECONDS > nowSeconds) return { ok: false, reason: "not-yet-valid", encodedHeader };
  return { ok: true, caller: callerOf(jwt.claims) };
}

function callerOf(claims: JwtClaims): Caller {
  return {
    appId: stringClaim(claims, "appid") ?? "",
    objectId: stringClaim(claims, "oid") ?? "",
    tenantId: stringClaim(claims, "tid") ?? "",
    issuer: stringClaim(claims, "iss") ?? "",
    audience: stringClaim(claims, "aud") ?? "",
  };
}
