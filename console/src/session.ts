/**
 * The signed-in API key lives in sessionStorage only: it goes away with the
 * tab, is never written to localStorage or a cookie, and signing out clears it.
 */
export interface Credentials {
  readonly key: string;
  readonly secret: string;
}

export interface Selection {
  readonly environmentId: string | null;
  readonly clusterId: string | null;
}

const CREDENTIALS = "vaultwire.console.credentials";
const SELECTION = "vaultwire.console.selection";
const DRAFT = "vaultwire.console.add-connector-draft";

function read(name: string): unknown {
  try {
    const raw = sessionStorage.getItem(name);
    return raw === null ? null : JSON.parse(raw) as unknown;
  } catch {
    return null;
  }
}

export function loadCredentials(): Credentials | null {
  const value = read(CREDENTIALS);
  if (typeof value !== "object" || value === null) return null;
  const { key, secret } = value as Record<string, unknown>;
  return typeof key === "string" && typeof secret === "string" && key !== "" && secret !== "" ? { key, secret } : null;
}

export function saveCredentials(credentials: Credentials): void {
  sessionStorage.setItem(CREDENTIALS, JSON.stringify(credentials));
}

export function loadSelection(): Selection {
  const value = read(SELECTION);
  const { environmentId, clusterId } = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  return { environmentId: typeof environmentId === "string" ? environmentId : null, clusterId: typeof clusterId === "string" ? clusterId : null };
}

export function saveSelection(selection: Selection): void {
  sessionStorage.setItem(SELECTION, JSON.stringify(selection));
}

/** The Add connector draft, as form-model's `draftOf` made it (never a plaintext sensitive value). */
export function loadDraft(): unknown {
  return read(DRAFT);
}

export function saveDraft(draft: unknown): void {
  try {
    sessionStorage.setItem(DRAFT, JSON.stringify(draft));
  } catch {
    // Storage full or disabled: the draft is a convenience, the form still works.
  }
}

export function clearDraft(): void {
  sessionStorage.removeItem(DRAFT);
}

/**
 * Sign-out: forget the key, its secret and everything else this tab stored.
 * When the server ended the session (a rejected key), the connector draft
 * (identifiers and settings, never a secret) is kept for the next sign-in.
 */
export function clearSession(options: { keepDraft?: boolean } = {}): void {
  sessionStorage.removeItem(CREDENTIALS);
  sessionStorage.removeItem(SELECTION);
  if (options.keepDraft !== true) sessionStorage.removeItem(DRAFT);
}

/** `Basic base64(key:secret)`, UTF-8 safe (btoa alone is Latin-1 only). */
export function basicAuthorization(credentials: Credentials): string {
  const bytes = new TextEncoder().encode(`${credentials.key}:${credentials.secret}`);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
