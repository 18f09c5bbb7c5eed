import { X509Certificate, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createSelfSignedCertificate, issueCertificate } from "./x509-builder.js";

describe("certificate issuing", () => {
  it("issues a CA and a localhost server certificate that Node parses and verifies", () => {
    const ca = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const server = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const now = Date.now();
    const caPem = issueCertificate({ subject: { commonName: "Test CA", organization: "t" }, publicKey: ca.publicKey, signingKey: ca.privateKey, notBefore: new Date(now - 1000), notAfter: new Date(now + 86_400_000), isCertificateAuthority: true });
    const serverPem = issueCertificate({
      subject: { commonName: "localhost" },
      publicKey: server.publicKey,
      issuer: { name: { commonName: "Test CA", organization: "t" }, publicKey: ca.publicKey },
      signingKey: ca.privateKey,
      notBefore: new Date(now - 1000),
      notAfter: new Date(Date.UTC(2051, 0, 1)),
      dnsNames: ["localhost"],
      ipAddresses: ["127.0.0.1", "::1"],
      extendedKeyUsages: ["serverAuth"],
    });
    const caCert = new X509Certificate(caPem);
    const serverCert = new X509Certificate(serverPem);
    expect(caCert.ca).toBe(true);
    expect(caCert.verify(ca.publicKey)).toBe(true);
    expect(serverCert.ca).toBe(false);
    expect(serverCert.checkIssued(caCert)).toBe(true);
    expect(serverCert.verify(ca.publicKey)).toBe(true);
    expect(serverCert.checkHost("localhost")).toBe("localhost");
    expect(serverCert.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(serverCert.checkIP("::1")).toBe("::1");
    expect(serverCert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1"]);
    expect(new Date(serverCert.validTo).getUTCFullYear()).toBe(2051);
  });

  it("issues self-signed RSA client certificates with their PKCS#8 key", async () => {
    const { certificatePem, privateKeyPem } = await createSelfSignedCertificate({ commonName: "app" });
    const cert = new X509Certificate(certificatePem);
    expect(cert.subject).toBe("CN=app");
    expect(cert.publicKey.asymmetricKeyType).toBe("rsa");
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
  });
});
