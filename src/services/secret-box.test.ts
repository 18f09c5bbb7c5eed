import { mkdtemp, readFile, rm, stat, writeFile, chmod } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadMasterKey, SecretBox, verifyMasterKey } from "./secret-box.js";
import type { MetaRepository } from "../store/store.js";

const key = Buffer.alloc(32, 7);

class MemoryMeta implements MetaRepository {
  readonly values = new Map<string, string>();
  get(k: string) { return Promise.resolve(this.values.get(k)); }
  setIfAbsent(k: string, v: string) {
    if (!this.values.has(k)) this.values.set(k, v);
    return Promise.resolve(this.values.get(k) ?? v);
  }
  set(k: string, v: string) {
    this.values.set(k, v);
    return Promise.resolve();
  }
}

describe("SecretBox", () => {
  it("round-trips, with a fresh IV each time", () => {
    const box = new SecretBox(key);
    const a = box.seal("pässwörd 😀", "connector:lcc-1:sensitive");
    const b = box.seal("pässwörd 😀", "connector:lcc-1:sensitive");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain("pässwörd");
    expect(box.open(a, "connector:lcc-1:sensitive")).toBe("pässwörd 😀");
  });

  it("refuses another record's context, another key, and tampering", () => {
    const box = new SecretBox(key);
    const sealed = box.seal("secret", "connector:lcc-1:sensitive");
    expect(() => box.open(sealed, "connector:lcc-2:sensitive")).toThrow();
    expect(() => new SecretBox(Buffer.alloc(32, 8)).open(sealed, "connector:lcc-1:sensitive")).toThrow();
    const [v, iv, body] = sealed.split(".");
    const flipped = Buffer.from(body ?? "", "base64url");
    flipped[0] = (flipped[0] ?? 0) ^ 1;
    expect(() => box.open(`${v ?? ""}.${iv ?? ""}.${flipped.toString("base64url")}`, "connector:lcc-1:sensitive")).toThrow();
    expect(() => box.open("v2.x.y", "c")).toThrow("unrecognised ciphertext format");
    expect(() => new SecretBox(Buffer.alloc(16))).toThrow("32 bytes");
  });
});

describe("master key", () => {
  let dir: string;
  beforeEach(async () => { dir = await mkdtemp(join(tmpdir(), "vaultwire-key-")); });
  afterEach(async () => { await rm(dir, { recursive: true, force: true }); });

  it("takes VAULTWIRE_MASTER_KEY as base64 or hex", async () => {
    expect((await loadMasterKey({ fromEnvironment: key.toString("base64"), dataDir: dir })).key).toEqual(key);
    expect((await loadMasterKey({ fromEnvironment: key.toString("hex"), dataDir: dir })).key).toEqual(key);
    await expect(loadMasterKey({ fromEnvironment: "too-short", dataDir: dir })).rejects.toThrow("VAULTWIRE_MASTER_KEY must hold a 32-byte key as base64 (44 characters) or hex (64 characters)");
  });

  it("generates a 0600 key file once and reads it afterwards", async () => {
    const first = await loadMasterKey({ dataDir: join(dir, "data") });
    expect(first.source).toBe("generated");
    expect(((await stat(join(dir, "data", "master.key"))).mode & 0o777).toString(8)).toBe("600");
    const second = await loadMasterKey({ dataDir: join(dir, "data") });
    expect(second).toMatchObject({ source: "file" });
    expect(second.key).toEqual(first.key);
    expect((await readFile(join(dir, "data", "master.key"), "utf8")).trim()).toBe(first.key.toString("base64"));
  });

  it("refuses a key file others can read, and a malformed one", async () => {
    await writeFile(join(dir, "master.key"), key.toString("base64"));
    await chmod(join(dir, "master.key"), 0o644);
    await expect(loadMasterKey({ dataDir: dir })).rejects.toThrow("is readable by other users (mode 644); run: chmod 600");
    await writeFile(join(dir, "master.key"), "nonsense");
    await chmod(join(dir, "master.key"), 0o600);
    await expect(loadMasterKey({ dataDir: dir })).rejects.toThrow("must hold a 32-byte key");
  });

  it("records a check value and rejects another key later", async () => {
    const meta = new MemoryMeta();
    await verifyMasterKey(new SecretBox(key), meta, "file");
    await verifyMasterKey(new SecretBox(key), meta, "file");
    await expect(verifyMasterKey(new SecretBox(Buffer.alloc(32, 9)), meta, "VAULTWIRE_MASTER_KEY")).rejects.toThrow("the master key (VAULTWIRE_MASTER_KEY) is not the one this database was created with");
  });
});
