import { describe, expect, it } from "vitest";
import { SecretBackupCodec } from "./secret-backup.js";
import { SecretStore } from "./secret-store.js";

const CANARY = "Canary-Backup-Value-91f3";

function entryWithVersions(): ReturnType<SecretStore["entry"]> {
  const store = new SecretStore(() => 1_700_000_000);
  store.set("Db-Password", { value: "first", tags: { team: "data" } });
  store.set("db-password", { value: CANARY, contentType: "text/plain", enabled: false });
  return store.entry("db-password");
}

describe("secret backup blobs", () => {
  it("carry every version, attributes included, and open only with the emulator that made them", () => {
    const codec = new SecretBackupCodec();
    const entry = entryWithVersions();
    if (!entry) throw new Error("no entry");
    const blob = codec.encode(entry);
    expect(blob.toString("utf8").startsWith(")AzureKeyVaultSecretBackupV1.microsoft.com")).toBe(true);
    expect(blob.toString("utf8")).not.toContain(CANARY);
    expect(blob.toString("base64")).not.toContain(Buffer.from(CANARY).toString("base64"));
    const restored = codec.decode(blob);
    expect(restored?.name).toBe("Db-Password");
    expect(restored?.versions).toEqual(entry.versions);
    expect(restored?.versions).not.toBe(entry.versions);
    expect(new SecretBackupCodec().decode(blob)).toBeUndefined();
  });

  it("refuse anything tampered with or not a backup", () => {
    const codec = new SecretBackupCodec();
    const entry = entryWithVersions();
    if (!entry) throw new Error("no entry");
    const text = codec.encode(entry).toString("utf8");
    const prefix = ")AzureKeyVaultSecretBackupV1.microsoft.com";
    const parts = text.slice(prefix.length).split(".");
    const ciphertext = Buffer.from(parts[3] ?? "", "base64url");
    ciphertext[0] = (ciphertext[0] ?? 0) ^ 1;
    const flipped = prefix + parts.map((part, i) => (i === 3 ? ciphertext.toString("base64url") : part)).join(".");
    expect(codec.decode(Buffer.from(flipped))).toBeUndefined();
    expect(codec.decode(Buffer.from(text))).toBeDefined();
    expect(codec.decode(Buffer.from(text.replace(")AzureKeyVaultSecretBackupV1", ")AzureKeyVaultKeyBackupV1")))).toBeUndefined();
    expect(codec.decode(Buffer.from(`${text}.extra`))).toBeUndefined();
    expect(codec.decode(Buffer.alloc(64))).toBeUndefined();
  });
});
