/**
 * Encryption at rest for the few secrets vaultwire must keep (plaintext
 * sensitive config values a user chose to type, integrations' own service
 * principal credentials): AES-256-GCM under a master key, each ciphertext
 * bound to its record by associated data so ciphertexts cannot be swapped.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { MetaRepository } from "../store/store.js";

const VERSION = "v1";
const CHECK_PLAINTEXT = "vaultwire master key check";
const CHECK_KEY = "master_key_check";

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("the master key must be 32 bytes");
    this.#key = Buffer.from(key);
  }

  /**
   * A keyed MAC of `message` under a key derived from the master key for
   * `purpose` (HKDF), e.g. the per-cluster worker tokens: stable, unforgeable
   * without the master key, and never stored.
   */
  mac(purpose: string, message: string): string {
    const key = Buffer.from(hkdfSync("sha256", this.#key, Buffer.alloc(0), `vaultwire:${purpose}`, 32));
    return createHmac("sha256", key).update(message, "utf8").digest("base64url");
  }

  /** `v1.<iv>.<ciphertext+tag>`, base64url; `context` must be given again to open it. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${iv.toString("base64url")}.${body.toString("base64url")}`;
  }

  /** Throws when the envelope was made with another key or context, or was altered. */
  open(envelope: string, context: string): string {
    const [version, ivText, bodyText] = envelope.split(".");
    if (version !== VERSION || ivText === undefined || bodyText === undefined) throw new Error("unrecognised ciphertext format");
    const body = Buffer.from(bodyText, "base64url");
    if (body.length < 16) throw new Error("ciphertext too short");
    const decipher = createDecipheriv("aes-256-gcm", this.#key, Buffer.from(ivText, "base64url"));
    decipher.setAAD(Buffer.from(context, "utf8"));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
  }
}

export interface MasterKey {
  readonly key: Buffer;
  readonly source: "environment" | "file" | "generated";
  readonly path?: string;
}

/**
 * The master key from `VAULTWIRE_MASTER_KEY` (32 bytes as base64 or hex), or
 * from `<dataDir>/master.key`, generated (0600) on first start.
 */
export async function loadMasterKey(options: { readonly fromEnvironment?: string | undefined; readonly dataDir: string }): Promise<MasterKey> {
  if (options.fromEnvironment !== undefined && options.fromEnvironment.trim() !== "") {
    return { key: decodeKey(options.fromEnvironment.trim(), "VAULTWIRE_MASTER_KEY"), source: "environment" };
  }
  const path = join(options.dataDir, "master.key");
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  try {
    const info = await stat(path);
    if ((info.mode & 0o077) !== 0) {
      throw new Error(`master key file ${path} is readable by other users (mode ${(info.mode & 0o777).toString(8)}); run: chmod 600 ${path}`);
    }
    return { key: decodeKey((await readFile(path, "utf8")).trim(), path), source: "file", path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const key = randomBytes(32);
  const handle = await open(path, "wx", 0o600);
  try {
    await handle.writeFile(`${key.toString("base64")}\n`);
  } finally {
    await handle.close();
  }
  await chmod(path, 0o600);
  return { key, source: "generated", path };
}

function decodeKey(text: string, origin: string): Buffer {
  const key = /^[0-9a-fA-F]{64}$/.test(text) ? Buffer.from(text, "hex") : /^[A-Za-z0-9+/_-]{42,44}={0,2}$/.test(text) ? Buffer.from(text, "base64") : Buffer.alloc(0);
  if (key.length !== 32) throw new Error(`${origin} must hold a 32-byte key as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32`);
  return key;
}

/**
 * Records a check value on first start and verifies it on every later start,
 * so a wrong or replaced master key stops the server instead of making stored
 * secrets unreadable one request at a time.
 */
export async function verifyMasterKey(box: SecretBox, meta: MetaRepository, describeSource: string): Promise<void> {
  const stored = await meta.setIfAbsent(CHECK_KEY, box.seal(CHECK_PLAINTEXT, CHECK_KEY));
  let opened: string | undefined;
  try {
    opened = box.open(stored, CHECK_KEY);
  } catch {
    opened = undefined;
  }
  if (opened !== CHECK_PLAINTEXT) {
    throw new Error(`the master key (${describeSource}) is not the one this database was created with: stored secrets could not be decrypted. Start with the original key (VAULTWIRE_MASTER_KEY or the master.key file in the data directory)`);
  }
}
