import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { audiences, decodeJwt, rsaPublicJwk, signJwt, verifyJwtSignature, type JwtAlgorithm } from "./jwt.js";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const otherRsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "prime256v1" });

describe("JWT signing and verification", () => {
  const cases: [JwtAlgorithm, typeof rsa][] = [["RS256", rsa], ["PS256", rsa], ["ES256", ec]];
  it.each(cases)("%s round-trips and rejects tampering", (alg, keys) => {
    const token = signJwt({ alg, kid: "k1" }, { sub: "me", n: 1 }, keys.privateKey);
    const jwt = decodeJwt(token);
    expect(jwt?.header).toEqual({ typ: "JWT", alg, kid: "k1" });
    expect(jwt?.claims).toEqual({ sub: "me", n: 1 });
    expect(jwt && verifyJwtSignature(jwt, keys.publicKey)).toBe(true);

    const [h, , s] = token.split(".");
    const forged = decodeJwt(`${h ?? ""}.${Buffer.from(JSON.stringify({ sub: "admin", n: 1 })).toString("base64url")}.${s ?? ""}`);
    expect(forged && verifyJwtSignature(forged, keys.publicKey)).toBe(false);
  });

  it("rejects another key, and an algorithm that does not fit the key", () => {
    const jwt = decodeJwt(signJwt({ alg: "RS256" }, {}, rsa.privateKey));
    expect(jwt && verifyJwtSignature(jwt, otherRsa.publicKey)).toBe(false);
    expect(jwt && verifyJwtSignature({ ...jwt, header: { ...jwt.header, alg: "ES256" } }, rsa.publicKey)).toBe(false);
    expect(jwt && verifyJwtSignature({ ...jwt, header: { ...jwt.header, alg: "none" } }, rsa.publicKey)).toBe(false);
    expect(jwt && verifyJwtSignature({ ...jwt, header: { ...jwt.header, alg: "HS256" } }, rsa.publicKey)).toBe(false);
  });

  it("decodes only well-formed compact tokens", () => {
    expect(decodeJwt("a.b")).toBeNull();
    expect(decodeJwt("a.b.c.d")).toBeNull();
    expect(decodeJwt("!!.e30.x")).toBeNull();
    expect(decodeJwt(`${Buffer.from("[1]").toString("base64url")}.e30.`)).toBeNull();
    expect(decodeJwt(`e30.${Buffer.from("not json").toString("base64url")}.`)).toBeNull();
    expect(decodeJwt("e30.e30.")).not.toBeNull();
  });

  it("reads aud as a string or a list", () => {
    expect(audiences({ aud: "x" })).toEqual(["x"]);
    expect(audiences({ aud: ["x", 1, "y"] })).toEqual(["x", "y"]);
    expect(audiences({})).toEqual([]);
  });

  it("publishes an RSA public key as a JWK", () => {
    const jwk = rsaPublicJwk(rsa.publicKey, "kid-1");
    expect(jwk).toMatchObject({ kty: "RSA", use: "sig", kid: "kid-1", e: "AQAB" });
    expect(typeof jwk.n).toBe("string");
  });
});
