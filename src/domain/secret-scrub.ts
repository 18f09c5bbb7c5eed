/**
 * Removes secret values from text that came from elsewhere (Kafka Connect's
 * traces and error messages) before it is stored or logged. A library may
 * print a value raw or encoded, whole or in part, so the scrubber masks every
 * run of the text made of 8-character windows of the value or of one of its
 * encodings (base64 in both alphabets and at every byte alignment, hex,
 * URL- and form-encoding, JSON escapes), ignoring case. Values or encodings
 * shorter than a window are masked where they appear whole.
 *
 * Cost: building is linear in the total length of the encodings (values are
 * short); scrubbing is one pass over the text with a set lookup per position.
 */

export const SECRET_MASK = "****************";
/** Any fragment this long of a value or of an encoding of it is masked. */
export const SCRUB_WINDOW = 8;
/** Shorter values are not scrubbed: they would mask ordinary words. */
export const MIN_SCRUBBED_LENGTH = 3;

export interface SecretScrubber {
  scrub(text: string): string;
}

/** Scrubs nothing (no values delivered). */
export const NO_SECRETS: SecretScrubber = { scrub: (text) => text };

/** A scrubber for the values; the work is done on the first non-empty text. */
export function createSecretScrubber(values: Iterable<string>): SecretScrubber {
  const kept = [...new Set(values)].filter((value) => value.length >= MIN_SCRUBBED_LENGTH);
  if (kept.length === 0) return NO_SECRETS;
  let tables: Tables | undefined;
  return {
    scrub(text) {
      if (text.length === 0) return text;
      tables ??= buildTables(kept);
      return mask(text, tables);
    },
  };
}

/** The forms of a value a library may print (case variants are handled by folding case). */
export function secretEncodings(value: string): string[] {
  const bytes = new TextEncoder().encode(value);
  // Case mappings that change the length (ß → SS) are not caught by folding case, so both are forms too.
  const forms = new Set<string>([value, value.toUpperCase(), value.toLowerCase()]);
  for (const alphabet of [BASE64, BASE64URL]) {
    const padded = base64(bytes, alphabet);
    forms.add(padded);
    forms.add(padded.replace(/=+$/, ""));
    // The value inside a longer base64 stream (e.g. `user:password` in a Basic header):
    // only the characters that depend on the value's bytes alone.
    forms.add(base64Core(bytes, 1, alphabet));
    forms.add(base64Core(bytes, 2, alphabet));
  }
  forms.add(hex(bytes));
  forms.add(encodeURIComponent(value));
  forms.add(new URLSearchParams({ v: value }).toString().slice(2));
  forms.add(encodeURI(value));
  const json = JSON.stringify(value).slice(1, -1);
  forms.add(json);
  forms.add(json.replace(/\//g, "\\/"));
  // JSON writers that escape everything outside ASCII (Jackson's option), and also HTML-sensitive characters (Gson).
  const ascii = json.replace(/[\u007f-\uffff]/g, unicodeEscape);
  forms.add(ascii);
  forms.add(ascii.replace(/[<>&=']/g, unicodeEscape));
  return [...forms].filter((form) => form.length > 0);
}

interface Tables {
  /** Every window of every encoding, folded. */
  readonly windows: ReadonlySet<string>;
  /** Their rolling hashes, to look at only the positions that may match. */
  readonly hashes: ReadonlySet<number>;
  /** Encodings shorter than a window, folded. */
  readonly whole: readonly string[];
}

function buildTables(values: readonly string[]): Tables {
  const windows = new Set<string>();
  const hashes = new Set<number>();
  const whole = new Set<string>();
  for (const value of values) {
    for (const form of secretEncodings(value)) {
      const folded = foldCase(form);
      if (folded.length < SCRUB_WINDOW) {
        if (folded.length >= MIN_SCRUBBED_LENGTH) whole.add(folded);
        continue;
      }
      for (let i = 0; i + SCRUB_WINDOW <= folded.length; i++) {
        const window = folded.slice(i, i + SCRUB_WINDOW);
        windows.add(window);
        hashes.add(windowHash(window, 0));
      }
    }
  }
  return { windows, hashes, whole: [...whole] };
}

/** Polynomial hash of the window at `at`, modulo 2^32; `roll` moves it one unit on. */
const BASE = 0x01000193;
const BASE_POW = Array.from({ length: SCRUB_WINDOW - 1 }).reduce<number>((acc) => Math.imul(acc, BASE), 1);

function windowHash(text: string, at: number): number {
  let hash = 0;
  for (let i = at; i < at + SCRUB_WINDOW; i++) hash = (Math.imul(hash, BASE) + text.charCodeAt(i)) | 0;
  return hash;
}

function roll(hash: number, leaving: number, entering: number): number {
  return (Math.imul(hash - Math.imul(leaving, BASE_POW), BASE) + entering) | 0;
}

function mask(text: string, tables: Tables): string {
  const folded = foldCase(text);
  /** A difference array: positions where covered runs start (+1) and end (-1). */
  const starts = new Int32Array(text.length + 1);
  const cover = (from: number, length: number) => {
    starts[from] = (starts[from] ?? 0) + 1;
    starts[from + length] = (starts[from + length] ?? 0) - 1;
  };
  if (tables.windows.size > 0 && folded.length >= SCRUB_WINDOW) {
    let hash = windowHash(folded, 0);
    for (let i = 0; ; i++) {
      if (tables.hashes.has(hash) && tables.windows.has(folded.slice(i, i + SCRUB_WINDOW))) cover(i, SCRUB_WINDOW);
      if (i + SCRUB_WINDOW >= folded.length) break;
      hash = roll(hash, folded.charCodeAt(i), folded.charCodeAt(i + SCRUB_WINDOW));
    }
  }
  for (const form of tables.whole) {
    for (let at = folded.indexOf(form); at !== -1; at = folded.indexOf(form, at + 1)) cover(at, form.length);
  }
  let out = "";
  let depth = 0;
  let runStart = 0;
  for (let i = 0; i < text.length; i++) {
    const before = depth;
    depth += starts[i] ?? 0;
    if (before === 0 && depth > 0) {
      out += text.slice(runStart, i);
    } else if (before > 0 && depth === 0) {
      out += SECRET_MASK;
      runStart = i;
    }
  }
  return depth > 0 ? out + SECRET_MASK : out + text.slice(runStart);
}

/** Lower case, one UTF-16 unit for one, so positions in the folded text are positions in the text. */
function foldCase(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase();
  let out = "";
  for (const unit of text) {
    const lower = unit.toLowerCase();
    out += lower.length === unit.length ? lower : unit;
  }
  return out;
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

function base64(bytes: Uint8Array, alphabet: string): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    const chars = i + 2 < bytes.length ? 4 : i + 1 < bytes.length ? 3 : 2;
    for (let c = 0; c < 4; c++) out += c < chars ? alphabet.charAt((n >> (18 - 6 * c)) & 63) : "=";
  }
  return out;
}

/**
 * The base64 characters of `bytes` placed after `offset` other bytes in a
 * stream: only the characters whose 6 bits all come from `bytes`.
 */
function base64Core(bytes: Uint8Array, offset: number, alphabet: string): string {
  const startBit = offset * 8;
  const endBit = startBit + bytes.length * 8;
  let out = "";
  for (let bit = Math.ceil(startBit / 6) * 6; bit + 6 <= endBit; bit += 6) {
    let n = 0;
    for (let b = bit; b < bit + 6; b++) {
      const byte = bytes[Math.floor((b - startBit) / 8)] ?? 0;
      n = (n << 1) | ((byte >> (7 - ((b - startBit) % 8))) & 1);
    }
    out += alphabet.charAt(n);
  }
  return out;
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

function unicodeEscape(unit: string): string {
  return `\\u${unit.charCodeAt(0).toString(16).padStart(4, "0")}`;
}
