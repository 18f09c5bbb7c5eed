// The canary scanner itself: every form is found, at any position and
// alignment, in text and in bytes, in a directory tree and in PostgreSQL; an
// allowance hides only its own canary; unrelated text is clean.
// Depends on no fix: passes now.
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeTargets } from "../store/harness.js";
import { CANARY_MARKS, canaryForms, CanaryRegistry, describeHits, MIN_CANARY_LENGTH, newCanaryValue } from "./canaries.js";

const PASSWORD = "Vw-canary-4f1e2d3c/+=&\"~a9Qz"; // 28 bytes: base64 with padding

function registry(): CanaryRegistry {
  const r = new CanaryRegistry();
  r.plant("connector-password", "password", PASSWORD);
  return r;
}

describe("canary values", () => {
  it("are long, unique and carry the characters every encoding changes", () => {
    const a = newCanaryValue("vault-secret");
    const b = newCanaryValue("vault-secret");
    expect(a).not.toBe(b);
    expect(a.length).toBeGreaterThanOrEqual(MIN_CANARY_LENGTH);
    expect(a).toContain(CANARY_MARKS);
    expect(a).not.toContain("${");
  });

  it("refuses a short canary and a name reused for another value", () => {
    const r = new CanaryRegistry();
    expect(() => r.plant("vault-secret", "short", "too-short")).toThrow("too short");
    r.plant("vault-secret", "one", PASSWORD);
    expect(() => r.plant("vault-secret", "one", PASSWORD)).not.toThrow();
    expect(() => r.plant("vault-secret", "one", `${PASSWORD}x`)).toThrow("already registered");
  });

  it("has every form the brief lists, each different from the raw value", () => {
    const forms = new Map(canaryForms(PASSWORD).map((f) => [f.form, f.needle.toString("latin1")]));
    const base64 = Buffer.from(PASSWORD).toString("base64");
    expect(forms.get("raw")).toBe(PASSWORD);
    expect(forms.get("upper case")).toBe(PASSWORD.toUpperCase());
    expect(forms.get("lower case")).toBe(PASSWORD.toLowerCase());
    expect(forms.get("hex")).toBe(Buffer.from(PASSWORD).toString("hex"));
    expect(forms.get("HEX")).toBe(Buffer.from(PASSWORD).toString("hex").toUpperCase());
    expect(forms.get("base64")).toBe(base64);
    expect(forms.get("base64url")).toBe(Buffer.from(PASSWORD).toString("base64url"));
    expect(forms.get("encodeURIComponent")).toBe(encodeURIComponent(PASSWORD));
    expect(forms.get("form encoding")).toBe(new URLSearchParams({ p: PASSWORD }).toString().slice(2));
    expect(forms.get("JSON-escaped")).toBe(JSON.stringify(PASSWORD).slice(1, -1));
    for (const k of [0, 1, 2]) expect(forms.has(`base64 (offset ${k} mod 3)`)).toBe(true);
    expect(new Set(forms.values()).size).toBe(forms.size);
  });
});

describe("scan", () => {
  it("finds the raw value and reports canary, form, label and offset", () => {
    const hits = registry().scan(`xx${PASSWORD}yy`, "logs");
    expect(hits).toEqual([expect.objectContaining({ canary: "password", kind: "connector-password", form: "raw", label: "logs", offset: 2 })]);
    expect(hits[0]?.context).toBe("xx«password/raw»yy");
    expect(hits[0]?.context).not.toContain(PASSWORD);
  });

  it.each([
    ["upper case", (v: string) => v.toUpperCase()],
    ["lower case", (v: string) => v.toLowerCase()],
    ["hex", (v: string) => Buffer.from(v).toString("hex")],
    ["HEX", (v: string) => Buffer.from(v).toString("hex").toUpperCase()],
    ["base64", (v: string) => Buffer.from(v).toString("base64")],
    ["base64 (no padding)", (v: string) => Buffer.from(v).toString("base64").replace(/=+$/, "")],
    ["base64url", (v: string) => Buffer.from(v).toString("base64url")],
    ["encodeURIComponent", (v: string) => encodeURIComponent(v)],
    ["form encoding", (v: string) => new URLSearchParams({ p: v }).toString().slice(2)],
    ["JSON-escaped", (v: string) => JSON.stringify(v).slice(1, -1)],
    ["JSON-escaped twice", (v: string) => JSON.stringify(JSON.stringify(v)).slice(2, -2)],
  ])("finds the %s form inside other text", (form, encode) => {
    const hits = registry().scan(`{"trace":"boom ${encode(PASSWORD)} end"}`, "status");
    expect(hits.map((h) => h.form)).toEqual([form]);
  });

  it.each([0, 1, 2, 3, 4, 5])("finds a canary base64-encoded in the middle of a longer value (%i bytes before it)", (before) => {
    const prefix = "u".repeat(before);
    for (const encoding of ["base64", "base64url"] as const) {
      const header = `Authorization: Basic ${Buffer.from(`${prefix}:${PASSWORD}:tail`).toString(encoding)}`;
      const hits = registry().scan(header, "headers");
      expect(hits, `${encoding} after ${before}`).toHaveLength(1);
      expect(hits[0]?.form).toMatch(/^base64(url)? \(offset [012] mod 3\)$/);
    }
  });

  it("finds every occurrence, in bytes as well as text, and byte canaries in their byte forms", () => {
    const key = randomBytes(32);
    const r = registry();
    r.add("master-key", "master key", key);
    const haystack = Buffer.concat([Buffer.from(`${PASSWORD}\0\x01`), key, Buffer.from(` ${key.toString("hex")} ${PASSWORD} ${key.toString("base64")}`)]);
    const hits = r.scan(haystack, "vaultwire.db");
    expect(hits.map((h) => `${h.canary}/${h.form}`)).toEqual(["password/raw", "master key/raw", "master key/hex", "password/raw", "master key/base64"]);
  });

  it("an allowance hides only the allowed canary", () => {
    const r = registry();
    const other = r.plant("worker-credential", "token");
    const text = `{"secret":"${other}","leak":"${PASSWORD}"}`;
    expect(r.scan(text, "POST → 201", { allow: ["token"] }).map((h) => h.canary)).toEqual(["password"]);
    expect(r.scanResponses([{ label: "POST → 201", text, allow: ["token"] }]).map((h) => h.canary)).toEqual(["password"]);
  });

  it("finds nothing in text without canaries, or with only a part of one", () => {
    const r = registry();
    const clean = `request completed ${PASSWORD.slice(0, 12)} **************** ${randomBytes(2048).toString("base64")}`;
    expect(r.scan(clean, "logs")).toEqual([]);
    expect(describeHits([])).toBe("no canary found");
    expect(describeHits(r.scan(PASSWORD, "here"))).toContain("password (connector-password) as raw in here at 0");
  });
});

describe("scanDirectory", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "vaultwire-canaries-"));
    await mkdir(join(dir, "logs", "old"), { recursive: true });
    await writeFile(join(dir, "vaultwire.db"), Buffer.concat([randomBytes(100), Buffer.from(PASSWORD), randomBytes(100)]));
    await writeFile(join(dir, "vaultwire.db-wal"), Buffer.from(`page ${encodeURIComponent(PASSWORD)}`));
    await writeFile(join(dir, "logs", "old", "connect.log"), "nothing here\n");
    await writeFile(join(dir, "worker.properties"), `token=${PASSWORD}\n`);
  });
  afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

  it("reads every file recursively, as bytes, labelled with its path, and skips what it is told to", async () => {
    const hits = await registry().scanDirectory(dir, "data", { skip: (path) => path.endsWith("worker.properties") });
    expect(hits.map((h) => `${h.label} ${h.form} ${h.offset}`)).toEqual(["data/vaultwire.db raw 100", "data/vaultwire.db-wal encodeURIComponent 5"]);
    expect(await registry().scanDirectory(join(dir, "missing"))).toEqual([]);
  });
});

const postgres = storeTargets().find((t) => t.name === "postgres");

describe.skipIf(postgres === undefined)("scanPostgres", () => {
  it("dumps every table of the schema as JSON and finds text, JSON-escaped and bytea (hex) forms", async () => {
    if (!postgres) return;
    const database = await postgres.createDatabase();
    try {
      const url = database.options.databaseUrl ?? "";
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query("CREATE TABLE plain (id int, note text)");
        await client.query("CREATE TABLE \"Mixed Case\" (doc jsonb, blob bytea)");
        await client.query("INSERT INTO plain VALUES (1, 'nothing')");
        await client.query("INSERT INTO \"Mixed Case\" VALUES ($1, $2)", [{ nested: { password: PASSWORD } }, Buffer.from(`x${PASSWORD}`)]);
      } finally {
        await client.end();
      }
      const hits = await registry().scanPostgres(url, "pg");
      expect(hits.map((h) => `${h.label} ${h.form}`)).toEqual(["pg:Mixed Case JSON-escaped", "pg:Mixed Case hex"]);
    } finally {
      await database.drop();
    }
  });
});
