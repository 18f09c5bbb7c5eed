/**
 * Compact JWS (JWT) encoding, signing and signature checks with node:crypto:
 * RS256 and PS256 (RSA keys) and ES256 (P-256 keys), the algorithms Entra ID
 * and MSAL use. Claims are checked by the callers, who know what they expect.
 */
import { constants, createPublicKey, sign, verify, type JsonWebKey, type KeyObject } from "node:crypto";

export type JwtAlgorithm = "RS256" | "PS256" | "ES256";
export const JWT_ALGORITHMS: readonly JwtAlgorithm[] = ["RS256", "PS256", "ES256"];

export type JwtHeader = Readonly<Record<string, unknown>> & { readonly alg?: unknown; readonly kid?: unknown };
export type JwtClaims = Readonly<Record<string, unknown>>;

export interface DecodedJwt {
  readonly header: JwtHeader;
  readonly claims: JwtClaims;
  /** `base64url(header).base64url(payload)`, the bytes the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

export function base64UrlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
}

export function signJwt(header: Readonly<Record<string, unknown>> & { readonly alg: JwtAlgorithm }, claims: JwtClaims, privateKey: KeyObject): string {
  const signingInput = `${base64UrlJson({ typ: "JWT", ...header })}.${base64UrlJson(claims)}`;
  const signature = sign("sha256", Buffer.from(signingInput, "utf8"), signingOptions(header.alg, privateKey, "sign"));
  return `${signingInput}.${signature.toString("base64url")}`;
}

/** Splits and parses a compact JWS; null when it is not one (wrong part count, bad base64url or JSON). */
export function decodeJwt(token: string): DecodedJwt | null {
  const parts = token.split(".");
  if (parts.length !== 3) return null;
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const base64Url = /^[A-Za-z0-9_-]*$/;
  if (!base64Url.test(headerPart) || !base64Url.test(payloadPart) || !base64Url.test(signaturePart)) return null;
  const header = parseJsonObject(headerPart);
  const claims = parseJsonObject(payloadPart);
  if (header === null || claims === null) return null;
  return { header, claims, signingInput: `${headerPart}.${payloadPart}`, signature: Buffer.from(signaturePart, "base64url") };
}

/** True when the token's own `alg` is supported, fits the key type and the signature verifies. */
export function verifyJwtSignature(jwt: DecodedJwt, publicKey: KeyObject): boolean {
  const alg = jwt.header.alg;
  if (!isJwtAlgorithm(alg) || !algorithmFitsKey(alg, publicKey)) return false;
  try {
    return verify("sha256", Buffer.from(jwt.signingInput, "utf8"), signingOptions(alg, publicKey, "verify"), jwt.signature);
  } catch {
    return false;
  }
}

export function isJwtAlgorithm(value: unknown): value is JwtAlgorithm {
  return typeof value === "string" && (JWT_ALGORITHMS as readonly string[]).includes(value);
}

/** The public half of an RSA key as a JWKS entry (`kty`, `use`, `kid`, `n`, `e`). */
export function rsaPublicJwk(key: KeyObject, kid: string): JsonWebKey {
  const publicKey = key.type === "public" ? key : createPublicKey(key);
  const { n = "", e = "" } = publicKey.export({ format: "jwk" });
  return { kty: "RSA", use: "sig", kid, x5t: kid, n, e };
}

/** A claim that is a number of seconds, or undefined. */
export function numericClaim(claims: JwtClaims, name: string): number | undefined {
  const value = claims[name];
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A claim that is a string, or undefined. */
export function stringClaim(claims: JwtClaims, name: string): string | undefined {
  const value = claims[name];
  return typeof value === "string" ? value : undefined;
}

/** `aud` may be a string or a list of strings. */
export function audiences(claims: JwtClaims): string[] {
  const aud = claims.aud;
  if (typeof aud === "string") return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === "string");
  return [];
}

function algorithmFitsKey(alg: JwtAlgorithm, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (alg === "ES256") return type === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1";
  return type === "rsa" || type === "rsa-pss";
}

/** All three algorithms hash with SHA-256; PS256 signs with a digest-length salt and accepts any salt length. */
function signingOptions(alg: JwtAlgorithm, key: KeyObject, use: "sign" | "verify"): { key: KeyObject; padding?: number; saltLength?: number; dsaEncoding?: "ieee-p1363" } {
  switch (alg) {
    case "RS256":
      return { key, padding: constants.RSA_PKCS1_PADDING };
    case "PS256":
      return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: use === "sign" ? constants.RSA_PSS_SALTLEN_DIGEST : constants.RSA_PSS_SALTLEN_AUTO };
    case "ES256":
      return { key, dsaEncoding: "ieee-p1363" };
  }
}

function parseJsonObject(part: string): Readonly<Record<string, unknown>> | null {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as unknown;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
