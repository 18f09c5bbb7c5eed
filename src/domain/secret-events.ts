/**
 * Azure Key Vault's secret events as Event Grid delivers them to a webhook
 * (decision 41), in either delivery schema: the Event Grid schema (always an
 * array; `eventType`, `topic`, `eventTime`) or CloudEvents 1.0 (one event as
 * `application/cloudevents+json`, or an array as
 * `application/cloudevents-batch+json`; `type`, `source`, `time`). The `data`
 * of a secret event carries `Id` (the secret version's URL), `VaultName`,
 * `ObjectType`, `ObjectName`, `Version`, `NBF` and `EXP` (Unix seconds or
 * null). Pure: parsing only; what to do with an event is the service's.
 */
import { err, ok, type Result } from "./result.js";

export const SECRET_EVENT_TYPES = {
  "Microsoft.KeyVault.SecretNewVersionCreated": "SecretNewVersionCreated",
  "Microsoft.KeyVault.SecretNearExpiry": "SecretNearExpiry",
  "Microsoft.KeyVault.SecretExpired": "SecretExpired",
} as const;
export type SecretEventKind = (typeof SECRET_EVENT_TYPES)[keyof typeof SECRET_EVENT_TYPES];
export const SUBSCRIPTION_VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent";
/** Event Grid sends at most 5,000 events in one batch (and at most 1 MB). */
export const MAX_EVENTS_PER_DELIVERY = 5_000;
/**
 * The version a "rotate" request names for an expiry event (`SecretNearExpiry`,
 * `SecretExpired`): no connector runs with it, so the owner reads the secret
 * live even when its version is unchanged — its expiry (an attribute Key Vault
 * lets users change on the same version) is what the warnings need.
 */
export const RECHECK_METADATA = "";
/** What the CloudEvents abuse protection handshake's OPTIONS names as its origin. */
export const EVENT_GRID_ORIGIN = "eventgrid.azure.net";

export interface SecretEvent {
  readonly kind: SecretEventKind;
  /** The event's id (Event Grid's `id`, unique per event; a redelivery repeats it). */
  readonly eventId: string;
  readonly vaultName: string;
  readonly secretName: string;
  readonly version: string;
  /** `https://host[:port]` of the vault, from `data.Id`. */
  readonly vaultUrl: string;
  readonly notBefore: number | null;
  readonly expires: number | null;
}

export type EventDelivery =
  | { readonly kind: "validation"; readonly validationCode: string; readonly validationUrl: string | null }
  /** `ignored`: events of other types (keys, certificates, access policy changes), which vaultwire does not act on. */
  | { readonly kind: "events"; readonly events: readonly SecretEvent[]; readonly ignored: number };

export interface EventParseError {
  /** Where in the body, e.g. `[0].data.Version`. */
  readonly field: string;
  readonly message: string;
}

const VERSION = /^[0-9a-zA-Z]{1,64}$/;
const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const VAULT_NAME = /^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/;
const MAX_TEXT = 4096;

type Fields = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(object: Fields, name: string, at: string, required = true): Result<string | null, EventParseError> {
  const value = object[name];
  if (value === undefined || value === null) return required ? err({ field: `${at}.${name}`, message: "is required" }) : ok(null);
  if (typeof value !== "string" || value === "" || value.length > MAX_TEXT) return err({ field: `${at}.${name}`, message: `must be a non-empty string of at most ${MAX_TEXT} characters` });
  return ok(value);
}

/** `NBF` / `EXP`: Unix seconds as a number or a numeric string, or null. */
function seconds(object: Fields, name: string, at: string): Result<number | null, EventParseError> {
  const value = object[name];
  if (value === undefined || value === null || value === "") return ok(null);
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{1,12}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 0) return err({ field: `${at}.${name}`, message: "must be Unix seconds (a whole number) or null" });
  return ok(n);
}

function secretEvent(kind: SecretEventKind, eventId: string, data: unknown, at: string): Result<SecretEvent, EventParseError> {
  if (!isObject(data)) return err({ field: `${at}.data`, message: "must be an object" });
  const here = `${at}.data`;
  const id = text(data, "Id", here);
  if (!id.ok) return id;
  const vaultName = text(data, "VaultName", here);
  if (!vaultName.ok) return vaultName;
  const objectType = text(data, "ObjectType", here);
  if (!objectType.ok) return objectType;
  const objectName = text(data, "ObjectName", here);
  if (!objectName.ok) return objectName;
  const version = text(data, "Version", here);
  if (!version.ok) return version;
  const nbf = seconds(data, "NBF", here);
  if (!nbf.ok) return nbf;
  const exp = seconds(data, "EXP", here);
  if (!exp.ok) return exp;
  if (objectType.value !== "Secret") return err({ field: `${here}.ObjectType`, message: "must be \"Secret\" for a secret event" });
  if (!VAULT_NAME.test(vaultName.value ?? "")) return err({ field: `${here}.VaultName`, message: "must be a vault name (3-24 letters, digits and \"-\")" });
  if (!SECRET_NAME.test(objectName.value ?? "")) return err({ field: `${here}.ObjectName`, message: "must be a secret name (1-127 letters, digits and \"-\")" });
  if (!VERSION.test(version.value ?? "")) return err({ field: `${here}.Version`, message: "must be a secret version (letters and digits)" });
  let url: URL;
  try {
    url = new URL(id.value ?? "");
  } catch {
    return err({ field: `${here}.Id`, message: "must be the secret version's URL, https://<vault>/secrets/<name>/<version>" });
  }
  const path = url.pathname.split("/");
  const matches = url.protocol === "https:" && url.username === "" && url.password === "" && url.search === "" && url.hash === ""
    && path.length === 4 && path[1] === "secrets" && path[2]?.toLowerCase() === objectName.value?.toLowerCase() && path[3]?.toLowerCase() === version.value?.toLowerCase();
  if (!matches) return err({ field: `${here}.Id`, message: "must be https://<vault>/secrets/<ObjectName>/<Version>" });
  return ok({ kind, eventId, vaultName: vaultName.value ?? "", secretName: objectName.value ?? "", version: (version.value ?? "").toLowerCase(), vaultUrl: url.origin, notBefore: nbf.value, expires: exp.value });
}

/** One event of either schema: its type, id and data. */
function envelope(event: unknown, at: string, cloudEvents: boolean): Result<{ type: string; id: string; data: unknown }, EventParseError> {
  if (!isObject(event)) return err({ field: at, message: "must be an event object" });
  const typeField = cloudEvents ? "type" : "eventType";
  const type = text(event, typeField, at);
  if (!type.ok) return type;
  const id = text(event, "id", at);
  if (!id.ok) return id;
  if (cloudEvents && event.specversion !== "1.0") return err({ field: `${at}.specversion`, message: "must be \"1.0\"" });
  return ok({ type: type.value ?? "", id: id.value ?? "", data: event.data });
}

/**
 * Parses a webhook delivery. `cloudEvents`: the content type was
 * `application/cloudevents+json` (one event) or
 * `application/cloudevents-batch+json` (an array); otherwise the body is an
 * Event Grid schema array (a single object is taken as a batch of one).
 */
export function parseEventDelivery(body: unknown, cloudEvents: boolean): Result<EventDelivery, EventParseError> {
  const batch: readonly unknown[] = Array.isArray(body) ? body : [body];
  if (batch.length === 0) return err({ field: "body", message: "must hold at least one event" });
  if (batch.length > MAX_EVENTS_PER_DELIVERY) return err({ field: "body", message: `must hold at most ${MAX_EVENTS_PER_DELIVERY} events` });
  const events: SecretEvent[] = [];
  let ignored = 0;
  for (const [index, item] of batch.entries()) {
    const at = `[${index}]`;
    const parsed = envelope(item, at, cloudEvents);
    if (!parsed.ok) return parsed;
    const { type, id, data } = parsed.value;
    if (type === SUBSCRIPTION_VALIDATION_EVENT && !cloudEvents) {
      if (batch.length !== 1) return err({ field: at, message: "a subscription validation event comes alone" });
      if (!isObject(data)) return err({ field: `${at}.data`, message: "must be an object" });
      const code = text(data, "validationCode", `${at}.data`);
      if (!code.ok) return code;
      const url = text(data, "validationUrl", `${at}.data`, false);
      if (!url.ok) return url;
      return ok({ kind: "validation", validationCode: code.value ?? "", validationUrl: url.value });
    }
    const kind = (SECRET_EVENT_TYPES as Readonly<Record<string, SecretEventKind>>)[type];
    if (kind === undefined) {
      ignored++;
      continue;
    }
    const event = secretEvent(kind, id, data, at);
    if (!event.ok) return event;
    events.push(event.value);
  }
  return ok({ kind: "events", events, ignored });
}
