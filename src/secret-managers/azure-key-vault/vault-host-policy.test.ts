import { describe, expect, it } from "vitest";
import { createVaultHostPolicy, DEFAULT_VAULT_HOST_POLICY, describeVaultHostPolicy, isValidVaultName, isVaultHostAllowed } from "./vault-host-policy.js";

describe("vault host policy", () => {
  it("follows Azure's vault naming rule", () => {
    for (const ok of ["abc", "my-vault", "A1b", "a".repeat(24), "contoso-kv-01"]) expect(isValidVaultName(ok)).toBe(true);
    for (const bad of ["ab", "a".repeat(25), "1abc", "abc-", "a--b", "ab_c", "-abc", ""]) expect(isValidVaultName(bad)).toBe(false);
  });

  it("allows <vault>.<cloud suffix> on the default port only", () => {
    expect(isVaultHostAllowed(DEFAULT_VAULT_HOST_POLICY, "my-vault.vault.azure.net", null)).toBe(true);
    expect(isVaultHostAllowed(DEFAULT_VAULT_HOST_POLICY, "my-vault.vault.azure.net", 443)).toBe(true);
    expect(isVaultHostAllowed(DEFAULT_VAULT_HOST_POLICY, "my-vault.vault.azure.net", 8443)).toBe(false);
    expect(isVaultHostAllowed(DEFAULT_VAULT_HOST_POLICY, "x.my-vault.vault.azure.net", null)).toBe(false);
    expect(isVaultHostAllowed(DEFAULT_VAULT_HOST_POLICY, "my-vaultvault.azure.net", null)).toBe(false);
    expect(isVaultHostAllowed(DEFAULT_VAULT_HOST_POLICY, "localhost", null)).toBe(false);
  });

  it("adds exact extra hosts, normalising case, scheme, slash and :443", () => {
    const result = createVaultHostPolicy({ extraHosts: ["LOCALHOST:8443", "https://kv.internal.example/", "gateway.example:443", "[::1]:9443"] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.value.extraHosts]).toEqual(["localhost:8443", "kv.internal.example", "gateway.example", "[::1]:9443"]);
    expect(isVaultHostAllowed(result.value, "localhost", 8443)).toBe(true);
    expect(isVaultHostAllowed(result.value, "localhost", null)).toBe(false);
    expect(isVaultHostAllowed(result.value, "gateway.example", 443)).toBe(true);
    expect(isVaultHostAllowed(result.value, "[::1]", 9443)).toBe(true);
    expect(isVaultHostAllowed(result.value, "my-vault.vault.azure.net", null)).toBe(true);
  });

  it("can allow only the extra hosts", () => {
    const result = createVaultHostPolicy({ cloudSuffixes: [], extraHosts: ["localhost:8443"] });
    expect(result.ok && isVaultHostAllowed(result.value, "my-vault.vault.azure.net", null)).toBe(false);
    expect(result.ok && describeVaultHostPolicy(result.value)).toBe("localhost:8443");
    const none = createVaultHostPolicy({ cloudSuffixes: [] });
    expect(none.ok && describeVaultHostPolicy(none.value)).toBe("no vault hosts are allowed by this server's configuration");
  });

  it.each(["localhost:0", "localhost:70000", "local host", "https://a/b", "a@b", "", "host:port"])("rejects the setting %j", (entry) => {
    const result = createVaultHostPolicy({ extraHosts: [entry] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("is not a host or host:port");
  });

  it("rejects a cloud suffix with a port", () => {
    expect(createVaultHostPolicy({ cloudSuffixes: ["vault.example:443"] }).ok).toBe(false);
  });
});
