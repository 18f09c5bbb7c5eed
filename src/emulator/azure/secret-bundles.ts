/**
 * The JSON shapes of Key Vault's secrets API (as in the recordings): the
 * secret bundle, list items (no value), version items and deleted bundles.
 * `baseUrl` is `https://` + the Host the client used, since the SDK derives
 * the vault URL, name and version from `id`.
 */
import { RECOVERABLE_DAYS, RECOVERY_LEVEL, latestVersion, type DeletedSecret, type SecretEntry, type SecretVersion } from "./secret-store.js";

export interface SecretAttributesJson {
  readonly enabled: boolean;
  readonly nbf?: number;
  readonly exp?: number;
  readonly created: number;
  readonly updated: number;
  readonly recoveryLevel: string;
  readonly recoverableDays: number;
}

export function attributesJson(version: SecretVersion): SecretAttributesJson {
  return {
    enabled: version.enabled,
    ...(version.notBefore === undefined ? {} : { nbf: version.notBefore }),
    ...(version.expires === undefined ? {} : { exp: version.expires }),
    created: version.created,
    updated: version.updated,
    recoveryLevel: RECOVERY_LEVEL,
    recoverableDays: RECOVERABLE_DAYS,
  };
}

function optional(version: SecretVersion): { contentType?: string; tags?: Readonly<Record<string, string>> } {
  return {
    ...(version.contentType === undefined ? {} : { contentType: version.contentType }),
    ...(version.tags === undefined ? {} : { tags: version.tags }),
  };
}

export function secretId(baseUrl: string, entry: SecretEntry, version?: SecretVersion): string {
  return version === undefined ? `${baseUrl}/secrets/${entry.name}` : `${baseUrl}/secrets/${entry.name}/${version.version}`;
}

/** GET/PUT responses carry the value; PATCH responses do not. */
export function secretBundle(baseUrl: string, entry: SecretEntry, version: SecretVersion, withValue: boolean): Record<string, unknown> {
  const { contentType, tags } = optional(version);
  return {
    ...(withValue ? { value: version.value } : {}),
    ...(contentType === undefined ? {} : { contentType }),
    id: secretId(baseUrl, entry, version),
    attributes: attributesJson(version),
    ...(tags === undefined ? {} : { tags }),
  };
}

/** An item of `GET /secrets`: the secret's id without a version and its current attributes. */
export function secretItem(baseUrl: string, entry: SecretEntry): Record<string, unknown> {
  const current = latestVersion(entry);
  return { id: secretId(baseUrl, entry), attributes: attributesJson(current), ...optional(current) };
}

/** An item of `GET /secrets/{name}/versions`. */
export function versionItem(baseUrl: string, entry: SecretEntry, version: SecretVersion): Record<string, unknown> {
  return { id: secretId(baseUrl, entry, version), attributes: attributesJson(version), ...optional(version) };
}

/** DELETE /secrets/{name} and GET /deletedsecrets/{name}: the current version without its value. */
export function deletedSecretBundle(baseUrl: string, deleted: DeletedSecret): Record<string, unknown> {
  return {
    recoveryId: `${baseUrl}/deletedsecrets/${deleted.entry.name}`,
    deletedDate: deleted.deletedDate,
    scheduledPurgeDate: deleted.scheduledPurgeDate,
    ...secretBundle(baseUrl, deleted.entry, latestVersion(deleted.entry), false),
  };
}

/** An item of `GET /deletedsecrets`: the deleted secret's id without a version, its current attributes and the deletion dates. */
export function deletedSecretItem(baseUrl: string, deleted: DeletedSecret): Record<string, unknown> {
  return {
    recoveryId: `${baseUrl}/deletedsecrets/${deleted.entry.name}`,
    deletedDate: deleted.deletedDate,
    scheduledPurgeDate: deleted.scheduledPurgeDate,
    ...secretItem(baseUrl, deleted.entry),
  };
}
