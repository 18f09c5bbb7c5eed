import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Directory } from "./directory.js";
import { createSelfSignedCertificate } from "./x509-builder.js";

describe("the Entra ID directory", () => {
  it("gives an app a service principal in its home tenant and, when multi-tenant, wherever consented", () => {
    const d = new Directory();
    const home = d.createTenant().tenantId;
    const other = d.createTenant({ tenantId: "0B1C2D3E-0000-4000-8000-000000000001" }).tenantId;
    expect(other).toBe("0b1c2d3e-0000-4000-8000-000000000001");
    const single = d.createApp({ homeTenantId: home, displayName: "single" });
    const multi = d.createApp({ homeTenantId: home, displayName: "multi", multiTenant: true });
    expect(d.servicePrincipalObjectId(single.app.appId, home)).toBe(single.homeServicePrincipalObjectId);
    expect(() => d.consent(single.app.appId, other)).toThrow(/single-tenant/);
    const objectId = d.consent(multi.app.appId, other);
    expect(d.consent(multi.app.appId, other)).toBe(objectId);
    expect(objectId).not.toBe(multi.homeServicePrincipalObjectId);
  });

  it("refuses bad tenant ids, duplicates and unknown tenants", () => {
    const d = new Directory();
    expect(() => d.createTenant({ tenantId: "contoso" })).toThrow(/not a GUID/);
    const { tenantId } = d.createTenant();
    expect(() => d.createTenant({ tenantId })).toThrow(/already exists/);
    expect(() => d.createApp({ homeTenantId: "00000000-0000-4000-8000-000000000000", displayName: "x" })).toThrow(/does not exist/);
  });

  it("checks client secrets without keeping them", () => {
    const d = new Directory();
    const { app } = d.createApp({ homeTenantId: d.createTenant().tenantId, displayName: "x" });
    const secret = d.addClientSecret(app.appId);
    expect(secret).toMatch(/^.{3}8Q~.{34}$/);
    expect(d.hasClientSecret(app, secret)).toBe(true);
    expect(d.hasClientSecret(app, `${secret}x`)).toBe(false);
    expect(JSON.stringify(app)).not.toContain(secret);
  });

  it("finds a registered certificate by its x5t#S256 or x5t header", async () => {
    const d = new Directory();
    const { app } = d.createApp({ homeTenantId: d.createTenant().tenantId, displayName: "x" });
    const { certificatePem } = await createSelfSignedCertificate({ commonName: "app", keyType: "ec" });
    const registered = d.addCertificate(app.appId, certificatePem);
    const der = Buffer.from(certificatePem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    expect(registered.thumbprintSha256).toBe(createHash("sha256").update(der).digest("hex").toUpperCase());
    const x5tS256 = createHash("sha256").update(der).digest("base64url");
    const x5t = createHash("sha1").update(der).digest("base64url");
    expect(d.findCertificate(app, { x5tS256, x5t: undefined })).toBe(registered);
    expect(d.findCertificate(app, { x5tS256: undefined, x5t })).toBe(registered);
    expect(d.findCertificate(app, { x5tS256: "AAAA", x5t })).toBeUndefined();
    expect(() => d.addCertificate(app.appId, "not a certificate")).toThrow(/PEM/);
  });
});
