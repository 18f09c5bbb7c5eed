// The canary scanner of the security suite: plant a value of every kind of
// secret vaultwire handles, then look for it — raw and in every encoding a
// leak could take — in everything an attacker or an operator could read: the
// database (SQLite's files as bytes, every PostgreSQL table as JSON), log
// lines, /metrics, every HTTP response (status, headers and body), and Kafka
// Connect's REST answers, topics and worker log.
//
// Forms of a canary (each searched for as bytes):
//   raw, UPPER and lower case; hex (lower, upper); base64 and base64url, with
//   and without padding, and at the three alignments (so a canary in the
//   middle of an encoded string, e.g. base64("user:" + password) in a Basic
//   header, is still found); encodeURIComponent, form encoding (space → +,
//   lowercase escapes too); JSON-escaped (and JSON-escaped twice, and with
//   "\/"). A canary given as bytes (the master key) has the byte forms only.
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import pg from "pg";

export type CanaryKind =
  | "vault-secret"
  | "vault-json-field"
  | "integration-client-secret"
  | "platform-app-secret"
  | "connector-password"
  | "connector-sslkey"
  | "bootstrap-api-secret"
  | "api-key-secret"
  | "master-key"
  | "worker-credential"
  | "foreign-response"
  /** A value stored in AWS Secrets Manager (moto). */
  | "aws-secret"
  /** vaultwire's own AWS secret access key. */
  | "aws-platform-secret-key";

export interface Canary {
  /** Unique within a registry, e.g. "vault secret pg-password". */
  readonly name: string;
  readonly kind: CanaryKind;
  readonly value: string | Buffer;
}

export interface CanaryForm {
  readonly form: string;
  readonly needle: Buffer;
}

export interface CanaryHit {
  readonly canary: string;
  readonly kind: CanaryKind;
  readonly form: string;
  /** Where: the label given to scan() (a file, a table, "logs", "GET /path → 200"). */
  readonly label: string;
  /** Byte offset in the haystack. */
  readonly offset: number;
  /** The bytes around the hit, the hit itself replaced by «canary/form». */
  readonly context: string;
}

/** The shortest canary the registry accepts: shorter values could match by chance. */
export const MIN_CANARY_LENGTH = 20;
/** Characters that make every encoding differ from the raw value (no "$", so no "${"). */
export const CANARY_MARKS = "/+=&\"~";

/** A fresh canary value: long, unique, and with characters every encoding changes. */
export function newCanaryValue(tag: string): string {
  return `Vw${tag.replace(/[^A-Za-z0-9]/g, "")}-${randomBytes(6).toString("hex")}${CANARY_MARKS}${randomBytes(3).toString("hex")}Q`;
}

function bytesOf(value: string | Buffer): Buffer {
  return typeof value === "string" ? Buffer.from(value, "utf8") : value;
}

function base64Variants(bytes: Buffer): CanaryForm[] {
  const forms: CanaryForm[] = [];
  const standard = bytes.toString("base64");
  forms.push({ form: "base64", needle: Buffer.from(standard) });
  forms.push({ form: "base64 (no padding)", needle: Buffer.from(standard.replace(/=+$/, "")) });
  forms.push({ form: "base64url", needle: Buffer.from(bytes.toString("base64url")) });
  forms.push({ form: "base64url (padded)", needle: Buffer.from(standard.replace(/\+/g, "-").replace(/\//g, "_")) });
  // Embedded after k other bytes, the characters that depend only on the canary.
  for (const k of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(k), bytes]).toString("base64");
    const start = Math.ceil((8 * k) / 6);
    const end = Math.floor((8 * (k + bytes.length)) / 6);
    const core = encoded.slice(start, end);
    forms.push({ form: `base64 (offset ${k} mod 3)`, needle: Buffer.from(core) });
    forms.push({ form: `base64url (offset ${k} mod 3)`, needle: Buffer.from(core.replace(/\+/g, "-").replace(/\//g, "_")) });
  }
  return forms;
}

/** Every form of a value that the scanner looks for, without duplicates (first name wins). */
export function canaryForms(value: string | Buffer): CanaryForm[] {
  const bytes = bytesOf(value);
  const forms: CanaryForm[] = [{ form: "raw", needle: bytes }];
  if (typeof value === "string") {
    forms.push({ form: "upper case", needle: Buffer.from(value.toUpperCase()) });
    forms.push({ form: "lower case", needle: Buffer.from(value.toLowerCase()) });
    const uri = encodeURIComponent(value);
    forms.push({ form: "encodeURIComponent", needle: Buffer.from(uri) });
    forms.push({ form: "encodeURIComponent (lowercase escapes)", needle: Buffer.from(uri.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())) });
    const form = new URLSearchParams({ v: value }).toString().slice(2);
    forms.push({ form: "form encoding", needle: Buffer.from(form) });
    forms.push({ form: "form encoding (lowercase escapes)", needle: Buffer.from(form.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase())) });
    const json = JSON.stringify(value).slice(1, -1);
    forms.push({ form: "JSON-escaped", needle: Buffer.from(json) });
    forms.push({ form: "JSON-escaped twice", needle: Buffer.from(JSON.stringify(json).slice(1, -1)) });
    forms.push({ form: "JSON-escaped with \\/", needle: Buffer.from(json.replace(/\//g, "\\/")) });
  }
  forms.push(...base64Variants(bytes));
  forms.push({ form: "hex", needle: Buffer.from(bytes.toString("hex")) });
  forms.push({ form: "HEX", needle: Buffer.from(bytes.toString("hex").toUpperCase()) });
  const seen = new Set<string>();
  return forms.filter((f) => {
    const key = f.needle.toString("latin1");
    if (f.needle.length === 0 || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function contextOf(haystack: Buffer, offset: number, length: number, marker: string): string {
  const before = haystack.subarray(Math.max(0, offset - 40), offset).toString("latin1");
  const after = haystack.subarray(offset + length, offset + length + 40).toString("latin1");
  const printable = (text: string) => text.replace(/[^\x20-\x7e]/g, "·");
  return `${printable(before)}«${marker}»${printable(after)}`;
}

export interface ScanOptions {
  /** Canaries that may appear here (a one-time reveal: the create response of that very secret). */
  readonly allow?: readonly string[];
}

export class CanaryRegistry {
  readonly #canaries = new Map<string, { canary: Canary; forms: CanaryForm[] }>();

  /** Registers a value under a unique name; throws for a short value or a name taken by another value. */
  add(kind: CanaryKind, name: string, value: string | Buffer): string | Buffer {
    const length = typeof value === "string" ? value.length : value.length;
    if (length < (typeof value === "string" ? MIN_CANARY_LENGTH : 16)) throw new Error(`canary "${name}" is too short (${length}): at least ${MIN_CANARY_LENGTH} characters`);
    const existing = this.#canaries.get(name);
    if (existing && !bytesOf(existing.canary.value).equals(bytesOf(value))) throw new Error(`canary "${name}" is already registered with another value`);
    this.#canaries.set(name, { canary: { name, kind, value }, forms: canaryForms(value) });
    return value;
  }

  /** Creates (unless given), registers and returns a text canary. */
  plant(kind: CanaryKind, name: string, value: string = newCanaryValue(kind)): string {
    this.add(kind, name, value);
    return value;
  }

  get canaries(): readonly Canary[] {
    return [...this.#canaries.values()].map((c) => c.canary);
  }

  kinds(): Set<CanaryKind> {
    return new Set(this.canaries.map((c) => c.kind));
  }

  formsOf(name: string): readonly CanaryForm[] {
    return this.#canaries.get(name)?.forms ?? [];
  }

  /** Every occurrence of every form of every canary (a form inside a longer hit of the same canary is not repeated). */
  scan(haystack: string | Buffer, label: string, options: ScanOptions = {}): CanaryHit[] {
    const bytes = typeof haystack === "string" ? Buffer.from(haystack, "utf8") : haystack;
    const allowed = new Set(options.allow ?? []);
    const hits: CanaryHit[] = [];
    for (const { canary, forms } of this.#canaries.values()) {
      if (allowed.has(canary.name)) continue;
      const found: { form: string; offset: number; length: number }[] = [];
      for (const { form, needle } of forms) {
        for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) found.push({ form, offset: at, length: needle.length });
      }
      found.sort((a, b) => b.length - a.length || a.offset - b.offset);
      const kept: typeof found = [];
      for (const hit of found) {
        if (kept.some((k) => hit.offset >= k.offset && hit.offset + hit.length <= k.offset + k.length)) continue;
        kept.push(hit);
      }
      for (const hit of kept) {
        hits.push({ canary: canary.name, kind: canary.kind, form: hit.form, label, offset: hit.offset, context: contextOf(bytes, hit.offset, hit.length, `${canary.name}/${hit.form}`) });
      }
    }
    return hits.sort((a, b) => a.offset - b.offset);
  }

  /** Every file under `dir`, recursively, read as bytes (SQLite's db, -wal and -shm; log folders). */
  async scanDirectory(dir: string, label = dir, options: ScanOptions & { readonly skip?: (path: string) => boolean } = {}): Promise<CanaryHit[]> {
    const hits: CanaryHit[] = [];
    for (const file of await listFiles(dir)) {
      if (options.skip?.(file) === true) continue;
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        // A file that went away while listing (a -wal checkpointed away) has nothing left to leak.
        if ((error as NodeJS.ErrnoException).code === "ENOENT") continue;
        throw error;
      }
      hits.push(...this.scan(bytes, `${label}/${relative(dir, file)}`, options));
    }
    return hits;
  }

  /** Every row of every table of the database's current schema, as row_to_json text. */
  async scanPostgres(databaseUrl: string, label = "postgres"): Promise<CanaryHit[]> {
    const tables = await postgresTables(databaseUrl);
    return tables.flatMap(({ table, rows }) => this.scan(rows.join("\n"), `${label}:${table}`));
  }

  /** Recorded HTTP exchanges: each one's status line, headers and body, with its own allowances. */
  scanResponses(responses: readonly RecordedResponse[]): CanaryHit[] {
    return responses.flatMap((r) => this.scan(r.text, r.label, { allow: r.allow }));
  }
}

/** One HTTP response a test received, as text to scan. */
export interface RecordedResponse {
  /** e.g. "POST /cmk/v2/clusters/lkc-1/worker-credentials → 201" */
  readonly label: string;
  /** Status line, headers and body. */
  readonly text: string;
  /** Canaries this response may carry by design (shown once). */
  readonly allow: readonly string[];
}

/** Headers and body of a fetch Response, as one text (the body is read). */
export async function responseText(response: Response): Promise<{ text: string; body: string }> {
  const body = await response.text();
  const headers = [...response.headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n");
  return { text: `HTTP ${response.status}\n${headers}\n\n${body}`, body };
}

async function listFiles(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...await listFiles(path));
    else if (entry.isFile()) files.push(path);
  }
  return files.sort();
}

/** Each base table of the current schema with its rows as JSON text. */
export async function postgresTables(databaseUrl: string): Promise<{ table: string; rows: string[] }[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name");
    const result: { table: string; rows: string[] }[] = [];
    for (const { table_name: table } of tables.rows) {
      const rows = await client.query<{ row: string }>(`SELECT row_to_json(t)::text AS row FROM "${table.replace(/"/g, "\"\"")}" t`);
      result.push({ table, rows: rows.rows.map((r) => r.row) });
    }
    return result;
  } finally {
    await client.end();
  }
}

/** The hits as lines a failing expectation can show. */
export function describeHits(hits: readonly CanaryHit[]): string {
  if (hits.length === 0) return "no canary found";
  return `${hits.length} canary hit(s):\n${hits.map((h) => `  - ${h.canary} (${h.kind}) as ${h.form} in ${h.label} at ${h.offset}: ${h.context}`).join("\n")}`;
}

export interface ConnectScanOptions {
  /** Kafka Connect's REST URL. */
  readonly connectUrl: string;
  /** Kafka's bootstrap servers, to read the topics. */
  readonly bootstrapServers?: string;
  /** Topics to read whole (Connect's config, offset and status topics, the connectors' topics). */
  readonly topics?: readonly string[];
  /** Folders of the worker's and broker's logs. */
  readonly logDirs?: readonly string[];
}

/**
 * Kafka Connect as an attacker with its REST API or its topics sees it: the
 * connector list with info and status, each connector's config, tasks,
 * status and topics, the plugins, the loggers; the given topics read whole;
 * the worker's logs.
 */
export async function scanKafkaConnect(registry: CanaryRegistry, options: ConnectScanOptions): Promise<{ hits: CanaryHit[]; scanned: string[] }> {
  const hits: CanaryHit[] = [];
  const scanned: string[] = [];
  const get = async (path: string): Promise<string> => {
    const response = await fetch(`${options.connectUrl}${path}`, { signal: AbortSignal.timeout(15_000) });
    const { text, body } = await responseText(response);
    hits.push(...registry.scan(text, `Kafka Connect GET ${path} → ${response.status}`));
    scanned.push(`GET ${path}`);
    return body;
  };
  const names = JSON.parse(await get("/connectors")) as string[];
  await get("/connectors?expand=info&expand=status");
  for (const name of names) {
    const at = `/connectors/${encodeURIComponent(name)}`;
    for (const path of [at, `${at}/config`, `${at}/status`, `${at}/tasks`, `${at}/topics`, `${at}/offsets`]) await get(path);
  }
  await get("/connector-plugins");
  await get("/admin/loggers");
  if (options.bootstrapServers !== undefined) {
    const { readWholeTopic } = await import("../../src/dev/kafka-reader.js");
    for (const topic of options.topics ?? []) {
      const records = await readWholeTopic(options.bootstrapServers, topic, 30_000);
      hits.push(...registry.scan(records.map((r) => `${r.key ?? ""}\t${r.value ?? ""}`).join("\n"), `topic ${topic}`));
      scanned.push(`topic ${topic} (${records.length} records)`);
    }
  }
  for (const dir of options.logDirs ?? []) {
    hits.push(...await registry.scanDirectory(dir, dir));
    scanned.push(`logs ${dir}`);
  }
  return { hits, scanned };
}
