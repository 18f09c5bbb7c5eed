/**
 * Backup blobs of secrets, shaped like Key Vault's: the bytes of
 * `)AzureKeyVaultSecretBackupV1.microsoft.com` followed by a compact JWE
 * (here `dir` + `A256GCM`) whose plaintext is the secret with all its versions.
 * The key lives only in the emulator's memory: a blob restores into any vault
 * of the same emulator run, and nothing outside can read or forge one.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { newGuid } from "./random.js";
import type { SecretEntry, SecretVersion } from "./secret-store.js";

const PREFIX = ")AzureKeyVaultSecretBackupV1.microsoft.com";

interface BackupPayload {
  readonly name: string;
  readonly versions: readonly SecretVersion[];
}

export class SecretBackupCodec {
  private readonly key = randomBytes(32);
  private readonly keyId = newGuid();

  /** The blob's bytes, as the data plane returns them (base64url in `value`). */
  encode(entry: SecretEntry): Buffer {
    const header = Buffer.from(JSON.stringify({ kid: this.keyId, alg: "dir", enc: "A256GCM" })).toString("base64url");
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    cipher.setAAD(Buffer.from(header, "ascii"));
    const payload: BackupPayload = { name: entry.name, versions: entry.versions };
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
    const jwe = [header, "", iv.toString("base64url"), ciphertext.toString("base64url"), cipher.getAuthTag().toString("base64url")].join(".");
    return Buffer.from(PREFIX + jwe, "utf8");
  }

  /** The secret in a blob of this emulator; undefined for anything else (malformed, tampered, another emulator's). */
  decode(blob: Buffer): SecretEntry | undefined {
    const text = blob.toString("utf8");
    if (!text.startsWith(PREFIX)) return undefined;
    const parts = text.slice(PREFIX.length).split(".");
    if (parts.length !== 5) return undefined;
    const [header = "", , iv = "", ciphertext = "", tag = ""] = parts;
    try {
      const parsedHeader = JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as { kid?: unknown };
      if (parsedHeader.kid !== this.keyId) return undefined;
      const decipher = createDecipheriv("aes-256-gcm", this.key, Buffer.from(iv, "base64url"));
      decipher.setAAD(Buffer.from(header, "ascii"));
      decipher.setAuthTag(Buffer.from(tag, "base64url"));
      const plaintext = Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8");
      const payload = JSON.parse(plaintext) as BackupPayload;
      return { name: payload.name, versions: payload.versions.map((v) => ({ ...v })) };
    } catch {
      return undefined;
    }
  }
}
