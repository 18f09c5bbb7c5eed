/**
 * One vault's secrets: named (case-insensitively) entries of immutable-value
 * versions with mutable attributes, soft delete with recovery and purge.
 * Times are Unix seconds from an injected clock. With timing, deleting and
 * purging take a while, as in Key Vault: the name is "being deleted" until the
 * clock (ms) passes the end of the window; nothing runs in the background.
 */
import { EmulatorAdminError, conflict, notFound } from "./admin-error.js";
import { newSecretVersion } from "./random.js";

/** Key Vault accepts names of 1–127 letters, digits and dashes. */
export const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
export const MAX_SECRET_VALUE_BYTES = 25 * 1024;
/** A soft-deleted secret can be recovered for this many days (the recordings' vault used 7). */
export const RECOVERABLE_DAYS = 7;
export const RECOVERY_LEVEL = "CustomizedRecoverable+Purgeable";

export interface SecretVersion {
  readonly version: string;
  readonly value: string;
  contentType: string | undefined;
  tags: Readonly<Record<string, string>> | undefined;
  enabled: boolean;
  notBefore: number | undefined;
  expires: number | undefined;
  readonly created: number;
  updated: number;
}

export interface SecretEntry {
  /** As first created; lookups ignore case. */
  readonly name: string;
  /** In creation order: the last is the current version. */
  readonly versions: SecretVersion[];
}

export interface DeletedSecret {
  readonly entry: SecretEntry;
  readonly deletedDate: number;
  readonly scheduledPurgeDate: number;
  /** Emulator clock (ms) from which it is listed, readable, purgeable and recoverable; undefined: at once. */
  readonly availableFromMs?: number;
}

/** Where a name stands; "deleting" and "purging" are the windows in which Key Vault answers 409 "being deleted". */
export type SecretState = "absent" | "live" | "deleting" | "deleted" | "purging";

export interface StoreTiming {
  readonly deletionMs: number;
  readonly purgeMs: number;
}

export interface StoreClock {
  readonly nowMs: () => number;
  readonly timing: () => StoreTiming;
}

export interface NewSecret {
  readonly value: string;
  readonly contentType?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly enabled?: boolean | undefined;
  readonly notBefore?: number | undefined;
  readonly expires?: number | undefined;
}

export interface SecretPatch {
  readonly contentType?: string | undefined;
  readonly tags?: Readonly<Record<string, string>> | undefined;
  readonly enabled?: boolean | undefined;
  /** null clears the attribute. */
  readonly notBefore?: number | null | undefined;
  readonly expires?: number | null | undefined;
}

export function latestVersion(entry: SecretEntry): SecretVersion {
  const latest = entry.versions[entry.versions.length - 1];
  if (!latest) throw new Error(`secret "${entry.name}" has no versions`);
  return latest;
}

export class SecretStore {
  private readonly secrets = new Map<string, SecretEntry>();
  private readonly deletedSecrets = new Map<string, DeletedSecret>();
  /** Called after each new version (Event Grid's SecretNewVersionCreated, event-grid.ts). */
  onNewVersion: ((entry: SecretEntry, version: SecretVersion) => void) | undefined;
  /** Purged names (key → end of the purge window, ms) that cannot be reused yet. */
  private readonly purging = new Map<string, number>();
  private readonly clock: StoreClock;

  constructor(
    private readonly nowSeconds: () => number,
    clock?: StoreClock,
  ) {
    this.clock = clock ?? { nowMs: () => nowSeconds() * 1000, timing: () => ({ deletionMs: 0, purgeMs: 0 }) };
  }

  /** Where the name stands now. */
  state(name: string): SecretState {
    const key = keyOf(name);
    if (this.secrets.has(key)) return "live";
    const deleted = this.deletedSecrets.get(key);
    if (deleted) return (deleted.availableFromMs ?? 0) > this.clock.nowMs() ? "deleting" : "deleted";
    const purgedUntil = this.purging.get(key);
    if (purgedUntil !== undefined) {
      if (purgedUntil > this.clock.nowMs()) return "purging";
      this.purging.delete(key);
    }
    return "absent";
  }

  /** Adds a version (creating the secret); refuses a name that is deleted (or being deleted or purged). */
  set(name: string, secret: NewSecret): { entry: SecretEntry; version: SecretVersion } {
    const key = keyOf(name);
    const state = this.state(name);
    if (state === "deleted") throw conflict(`secret "${name}" is deleted but recoverable: recover or purge it first`);
    if (state === "deleting" || state === "purging") throw conflict(`secret "${name}" is being deleted: retry later`);
    const now = this.nowSeconds();
    const version: SecretVersion = {
      version: newSecretVersion(),
      value: secret.value,
      contentType: secret.contentType,
      tags: secret.tags,
      enabled: secret.enabled ?? true,
      notBefore: secret.notBefore,
      expires: secret.expires,
      created: now,
      updated: now,
    };
    let entry = this.secrets.get(key);
    if (!entry) {
      entry = { name, versions: [] };
      this.secrets.set(key, entry);
    }
    entry.versions.push(version);
    this.onNewVersion?.(entry, version);
    return { entry, version };
  }

  entry(name: string): SecretEntry | undefined {
    return this.secrets.get(keyOf(name));
  }

  /** The named version, or the current one when `version` is empty/undefined. */
  find(name: string, version?: string): { entry: SecretEntry; version: SecretVersion } | undefined {
    const entry = this.entry(name);
    if (!entry) return undefined;
    if (version === undefined || version === "") return { entry, version: latestVersion(entry) };
    const found = entry.versions.find((v) => v.version === version.toLowerCase());
    return found ? { entry, version: found } : undefined;
  }

  entries(): SecretEntry[] {
    return [...this.secrets.values()];
  }

  update(name: string, version: string | undefined, patch: SecretPatch): { entry: SecretEntry; version: SecretVersion } | undefined {
    const found = this.find(name, version);
    if (!found) return undefined;
    const target = found.version;
    if (patch.contentType !== undefined) target.contentType = patch.contentType;
    if (patch.tags !== undefined) target.tags = patch.tags;
    if (patch.enabled !== undefined) target.enabled = patch.enabled;
    if (patch.notBefore !== undefined) target.notBefore = patch.notBefore ?? undefined;
    if (patch.expires !== undefined) target.expires = patch.expires ?? undefined;
    target.updated = this.nowSeconds();
    return found;
  }

  /** Soft delete: the secret moves to the deleted secrets (after the deletion window) until purged or recovered. */
  delete(name: string): DeletedSecret | undefined {
    const key = keyOf(name);
    const entry = this.secrets.get(key);
    if (!entry) return undefined;
    this.secrets.delete(key);
    const now = this.nowSeconds();
    const { deletionMs } = this.clock.timing();
    const deleted: DeletedSecret = {
      entry,
      deletedDate: now,
      scheduledPurgeDate: now + RECOVERABLE_DAYS * 86_400,
      ...(deletionMs > 0 ? { availableFromMs: this.clock.nowMs() + deletionMs } : {}),
    };
    this.deletedSecrets.set(key, deleted);
    return deleted;
  }

  /** The deleted secret, once its deletion has completed (not while it is being deleted). */
  deleted(name: string): DeletedSecret | undefined {
    return this.state(name) === "deleted" ? this.deletedSecrets.get(keyOf(name)) : undefined;
  }

  /** The deleted secrets whose deletion has completed, for listing. */
  deletedEntries(): DeletedSecret[] {
    const now = this.clock.nowMs();
    return [...this.deletedSecrets.values()].filter((d) => (d.availableFromMs ?? 0) <= now);
  }

  /** Removes a deleted (or being deleted) secret at once, with no purge window: the admin API's purge. */
  purge(name: string): boolean {
    this.purging.delete(keyOf(name));
    return this.deletedSecrets.delete(keyOf(name));
  }

  /** The data plane's purge: refused while the deletion runs; the name stays blocked for the purge window. */
  startPurge(name: string): "purged" | "not-found" | "being-deleted" {
    const state = this.state(name);
    if (state === "deleting") return "being-deleted";
    if (state !== "deleted") return "not-found";
    const key = keyOf(name);
    this.deletedSecrets.delete(key);
    const { purgeMs } = this.clock.timing();
    if (purgeMs > 0) this.purging.set(key, this.clock.nowMs() + purgeMs);
    return "purged";
  }

  /** Brings back a deleted secret with all its versions (once its deletion has completed). */
  recover(name: string): SecretEntry | undefined {
    const key = keyOf(name);
    const deleted = this.deleted(name);
    if (!deleted) return undefined;
    this.deletedSecrets.delete(key);
    this.secrets.set(key, deleted.entry);
    return deleted.entry;
  }

  /** Adds a secret from a backup, all versions as they were; false when the name is in use in any state. */
  restore(entry: SecretEntry): boolean {
    if (this.state(entry.name) !== "absent") return false;
    this.secrets.set(keyOf(entry.name), entry);
    return true;
  }
}

export function keyOf(name: string): string {
  return name.toLowerCase();
}

/** Checks a secret name and value the way the service does; throws for the admin API. */
export function checkNewSecret(name: string, value: unknown): asserts value is string {
  if (!SECRET_NAME.test(name)) throw new EmulatorAdminError(`secret name "${name}" is invalid: use 1-127 letters, digits and "-"`);
  if (typeof value !== "string") throw new EmulatorAdminError("a secret value must be a string");
  if (Buffer.byteLength(value, "utf8") > MAX_SECRET_VALUE_BYTES) throw new EmulatorAdminError(`a secret value may have at most ${MAX_SECRET_VALUE_BYTES} bytes`);
}

export function requireEntry(store: SecretStore, name: string, vault: string): SecretEntry {
  const entry = store.entry(name);
  if (!entry) throw notFound(`secret "${name}" does not exist in vault "${vault}"`);
  return entry;
}
