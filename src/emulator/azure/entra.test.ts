import { describe, expect, it } from "vitest";
import { resourceOf } from "./entra.js";

describe("client-credentials scopes", () => {
  it("name exactly one resource with /.default (OIDC scopes aside)", () => {
    expect(resourceOf("https://vault.azure.net/.default")).toBe("https://vault.azure.net");
    expect(resourceOf("https://vault.azure.net/.default openid profile offline_access")).toBe("https://vault.azure.net");
    expect(resourceOf("https://vault.azure.net/user_impersonation")).toBeNull();
    expect(resourceOf("https://a/.default https://b/.default")).toBeNull();
    expect(resourceOf("/.default")).toBeNull();
  });
});
