/**
 * Azure Event Grid for the emulated vaults: event subscriptions on a vault
 * that deliver its secret events to webhooks, as Event Grid does.
 *
 * - Creating a subscription runs the real handshake first: the Event Grid
 *   schema POSTs a `Microsoft.EventGrid.SubscriptionValidationEvent` (header
 *   `aeg-event-type: SubscriptionValidation`) and expects its
 *   `validationResponse`; CloudEvents 1.0 sends `OPTIONS` with
 *   `WebHook-Request-Origin: eventgrid.azure.net` and expects
 *   `WebHook-Allowed-Origin` back. A failed handshake refuses the subscription.
 * - A new secret version sends `Microsoft.KeyVault.SecretNewVersionCreated`;
 *   a timer sends `SecretNearExpiry` (within `nearExpirySeconds` of the
 *   current version's `exp`, 30 days by default) and `SecretExpired`, once
 *   per version. Payloads have the real shapes: `data` with `Id`,
 *   `VaultName`, `ObjectType`, `ObjectName`, `Version`, `NBF`, `EXP`.
 * - Delivery is at least once: a non-2xx answer is retried (after
 *   `retryDelayMs`, growing), except 400, 401, 403, 404 and 413, which
 *   Event Grid does not retry. Faults make it worse on purpose: drop the
 *   next deliveries, delay them, duplicate them, or hold some back and
 *   deliver them after the next one (reordering).
 */
import { EmulatorAdminError, notFound } from "./admin-error.js";
import { newGuid } from "./random.js";
import type { SecretEntry, SecretVersion } from "./secret-store.js";
import type { Vault } from "./vault.js";

export type EventSchema = "EventGridSchema" | "CloudEventSchemaV1_0";
export const SECRET_EVENT_TYPES = ["Microsoft.KeyVault.SecretNewVersionCreated", "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"] as const;
export type SecretEventType = (typeof SECRET_EVENT_TYPES)[number];
/** Event Grid does not retry these (it drops or dead-letters the event). */
const NOT_RETRIED = new Set([400, 401, 403, 404, 413]);
const ORIGIN = "eventgrid.azure.net";

export interface EventSubscriptionSpec {
  /** The webhook URL (http:// is allowed here, for local tests; Event Grid needs https://). */
  readonly endpoint: string;
  readonly schema?: EventSchema;
  /** Default: the three secret event types. */
  readonly includedEventTypes?: readonly string[];
  /** Default 5 (Event Grid's is 30, over 24 hours). */
  readonly maxDeliveryAttempts?: number;
  /** The first retry's wait; later ones wait longer. Default 200 ms. */
  readonly retryDelayMs?: number;
  /** How long before `exp` SecretNearExpiry is sent. Default 30 days, as Key Vault. */
  readonly nearExpirySeconds?: number;
}

export interface EventDeliveryFaults {
  /** The next N deliveries are lost (never sent, never retried). */
  readonly dropNext?: number;
  /** Every delivery waits this long first. */
  readonly delayMs?: number;
  /** Every delivery is sent this many extra times (at-least-once). */
  readonly duplicate?: number;
  /** The next N deliveries are held back and sent after the following one (reordering). */
  readonly holdNext?: number;
}

export interface DeliveryRecord {
  readonly subscriptionId: string;
  /** The vault whose event it is. */
  readonly vault: string;
  /** When the attempt was answered (or the event dropped or held), ISO 8601. */
  readonly at: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly secretName: string;
  readonly version: string;
  readonly attempt: number;
  /** The webhook's HTTP status, or why nothing was sent. */
  readonly outcome: number | "dropped" | "held" | "unreachable";
}

interface Subscription {
  readonly id: string;
  readonly vault: Vault;
  readonly vaultUri: string;
  readonly spec: Required<EventSubscriptionSpec>;
  faults: { dropNext: number; delayMs: number; duplicate: number; holdNext: number };
  readonly held: object[];
  /** `<name>|<version>|<type>` already sent by the expiry timer. */
  readonly expirySent: Set<string>;
}

export interface EventSubscriptionView {
  readonly subscriptionId: string;
  readonly vault: string;
  /**
   * The endpoint without its query, as Azure's `endpointBaseUrl`: the query
   * often carries the webhook's credential (vaultwire's `?token=`), so it is
   * never shown, in views or in errors.
   */
  readonly endpointBaseUrl: string;
  readonly schema: EventSchema;
  readonly includedEventTypes: readonly string[];
}

/** How long the validation handshake may take before the subscription is refused. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** The URL without its query and fragment (Azure's endpointBaseUrl). */
export function endpointBaseUrl(endpoint: string): string {
  const url = new URL(endpoint);
  return `${url.origin}${url.pathname}`;
}

function checkSpec(spec: EventSubscriptionSpec): Required<EventSubscriptionSpec> {
  let url: URL;
  try {
    url = new URL(typeof spec.endpoint === "string" ? spec.endpoint : "");
  } catch {
    throw new EmulatorAdminError("endpoint must be an http(s) URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new EmulatorAdminError("endpoint must be an http(s) URL");
  const schema: string = spec.schema ?? "EventGridSchema";
  if (schema !== "EventGridSchema" && schema !== "CloudEventSchemaV1_0") throw new EmulatorAdminError(`schema "${schema}" is not EventGridSchema or CloudEventSchemaV1_0`);
  const types = spec.includedEventTypes ?? SECRET_EVENT_TYPES;
  if (!Array.isArray(types) || types.some((t) => typeof t !== "string")) throw new EmulatorAdminError("includedEventTypes must be a list of event types");
  const whole = (value: number | undefined, fallback: number, name: string, min: number) => {
    const n = value ?? fallback;
    if (!Number.isInteger(n) || n < min) throw new EmulatorAdminError(`${name} must be a whole number, at least ${min}`);
    return n;
  };
  return {
    endpoint: spec.endpoint,
    schema,
    includedEventTypes: [...(types as readonly string[])],
    maxDeliveryAttempts: whole(spec.maxDeliveryAttempts, 5, "maxDeliveryAttempts", 1),
    retryDelayMs: whole(spec.retryDelayMs, 200, "retryDelayMs", 0),
    nearExpirySeconds: whole(spec.nearExpirySeconds, 30 * 86_400, "nearExpirySeconds", 0),
  };
}

export class EventGrid {
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly records: DeliveryRecord[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly nowMs: () => number, private readonly expiryCheckMs = 500, private readonly handshakeTimeoutMs = HANDSHAKE_TIMEOUT_MS) {}

  /** Creates a subscription after the handshake its schema uses succeeded. */
  async subscribe(vault: Vault, vaultUri: string, spec: EventSubscriptionSpec): Promise<EventSubscriptionView> {
    const checked = checkSpec(spec);
    await this.handshake(vault, checked);
    const subscription: Subscription = { id: newGuid(), vault, vaultUri, spec: checked, faults: { dropNext: 0, delayMs: 0, duplicate: 0, holdNext: 0 }, held: [], expirySent: new Set() };
    this.subscriptions.set(subscription.id, subscription);
    this.timer ??= setInterval(() => { this.checkExpiry(); }, this.expiryCheckMs);
    this.timer.unref();
    return this.view(subscription);
  }

  unsubscribe(id: string): void {
    if (!this.subscriptions.delete(id)) throw notFound(`event subscription "${id}" does not exist`);
  }

  list(vaultName?: string): EventSubscriptionView[] {
    return [...this.subscriptions.values()].filter((s) => vaultName === undefined || s.vault.name.toLowerCase() === vaultName.toLowerCase()).map((s) => this.view(s));
  }

  setFaults(id: string, faults: EventDeliveryFaults | null): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) throw notFound(`event subscription "${id}" does not exist`);
    const whole = (value: number | undefined, name: string, max = 1_000_000) => {
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > max)) throw new EmulatorAdminError(`${name} must be a whole number from 0 to ${max}`);
      return value ?? 0;
    };
    subscription.faults = { dropNext: whole(faults?.dropNext, "dropNext"), delayMs: whole(faults?.delayMs, "delayMs", 3_600_000), duplicate: whole(faults?.duplicate, "duplicate", 100), holdNext: whole(faults?.holdNext, "holdNext") };
    // Held events are not lost when the faults are cleared: they go out now.
    if (faults === null) for (const event of subscription.held.splice(0)) this.track(this.send(subscription, event));
  }

  /** Every delivery attempt (and drop), oldest first. */
  deliveries(): readonly DeliveryRecord[] {
    return [...this.records];
  }

  /** Resolves when nothing is being delivered (delays and retries included). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** The secret store's hook: a new version of a secret. */
  secretVersionCreated(vault: Vault, entry: SecretEntry, version: SecretVersion): void {
    for (const subscription of this.subscriptions.values()) {
      if (subscription.vault === vault) this.publish(subscription, "Microsoft.KeyVault.SecretNewVersionCreated", entry, version);
    }
  }

  /** Sends the expiry events now due (the timer's work; tests may call it); how many were due. */
  checkExpiry(): number {
    const now = Math.floor(this.nowMs() / 1000);
    let due = 0;
    for (const subscription of this.subscriptions.values()) {
      for (const entry of subscription.vault.store.entries()) {
        const version = entry.versions[entry.versions.length - 1];
        if (version?.expires === undefined) continue;
        const type: SecretEventType | null = now >= version.expires ? "Microsoft.KeyVault.SecretExpired" : now >= version.expires - subscription.spec.nearExpirySeconds ? "Microsoft.KeyVault.SecretNearExpiry" : null;
        if (type === null) continue;
        const key = `${entry.name.toLowerCase()}|${version.version}|${type}`;
        if (subscription.expirySent.has(key)) continue;
        subscription.expirySent.add(key);
        if (this.publish(subscription, type, entry, version)) due++;
      }
    }
    return due;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private view(s: Subscription): EventSubscriptionView {
    return { subscriptionId: s.id, vault: s.vault.name, endpointBaseUrl: endpointBaseUrl(s.spec.endpoint), schema: s.spec.schema, includedEventTypes: s.spec.includedEventTypes };
  }

  private topic(vault: Vault): string {
    const { subscriptionId, resourceGroup, name } = vault.settings;
    return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.KeyVault/vaults/${name}`;
  }

  private async handshake(vault: Vault, spec: Required<EventSubscriptionSpec>): Promise<void> {
    const failed = (why: string) => new EmulatorAdminError(`the attempt to validate the provided endpoint ${endpointBaseUrl(spec.endpoint)} failed: ${why}`);
    const signal = AbortSignal.timeout(this.handshakeTimeoutMs);
    let response: Response;
    try {
      if (spec.schema === "CloudEventSchemaV1_0") {
        response = await fetch(spec.endpoint, { method: "OPTIONS", headers: { "webhook-request-origin": ORIGIN, "webhook-request-rate": "120" }, signal });
        const allowed = response.headers.get("webhook-allowed-origin");
        await response.arrayBuffer();
        if (!response.ok) throw failed(`OPTIONS answered ${response.status}`);
        if (allowed !== ORIGIN && allowed !== "*") throw failed("the answer has no WebHook-Allowed-Origin naming eventgrid.azure.net");
        return;
      }
      const validationCode = newGuid().toUpperCase();
      const event = {
        id: newGuid(),
        topic: this.topic(vault),
        subject: "",
        data: { validationCode, validationUrl: `https://rp-eastus.eventgrid.azure.net/eventsubscriptions/vaultwire-emulator/validate?id=${validationCode}` },
        eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
        eventTime: new Date(this.nowMs()).toISOString(),
        metadataVersion: "1",
        dataVersion: "2",
      };
      response = await fetch(spec.endpoint, { method: "POST", headers: { "content-type": "application/json", "aeg-event-type": "SubscriptionValidation" }, body: JSON.stringify([event]), signal });
      const text = await response.text();
      if (!response.ok) throw failed(`the validation event was answered ${response.status}`);
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        throw failed("the answer is not JSON");
      }
      if ((answer as { validationResponse?: unknown } | null)?.validationResponse !== validationCode) throw failed("the answer's validationResponse is not the validation code");
    } catch (error) {
      if (error instanceof EmulatorAdminError) throw error;
      if (signal.aborted) throw failed(`no answer within ${this.handshakeTimeoutMs / 1000} s`);
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is its cause's code.
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      const reason = typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : (error as Error).message;
      throw failed(`unreachable (${reason})`);
    }
  }

  /** Queues the event for the subscription (faults apply); false when the subscription does not take it. */
  private publish(subscription: Subscription, type: SecretEventType, entry: SecretEntry, version: SecretVersion): boolean {
    if (this.stopped || !subscription.spec.includedEventTypes.includes(type)) return false;
    const data = {
      Id: `${subscription.vaultUri}/secrets/${entry.name}/${version.version}`,
      VaultName: subscription.vault.name,
      ObjectType: "Secret",
      ObjectName: entry.name,
      Version: version.version,
      NBF: version.notBefore ?? null,
      EXP: version.expires ?? null,
    };
    const id = newGuid();
    const time = new Date(this.nowMs()).toISOString();
    const topic = this.topic(subscription.vault);
    const event = subscription.spec.schema === "CloudEventSchemaV1_0"
      ? { id, source: topic, specversion: "1.0", type, subject: entry.name, time, data }
      : { id, topic, subject: entry.name, eventType: type, eventTime: time, data, dataVersion: "1", metadataVersion: "1" };
    const faults = subscription.faults;
    if (faults.dropNext > 0) {
      faults.dropNext--;
      this.record(subscription, event, 0, "dropped");
      return true;
    }
    if (faults.holdNext > 0) {
      faults.holdNext--;
      subscription.held.push(event);
      this.record(subscription, event, 0, "held");
      return true;
    }
    const copies = 1 + faults.duplicate;
    const held = subscription.held.splice(0);
    this.track((async () => {
      if (faults.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
      for (let i = 0; i < copies; i++) await this.send(subscription, event);
      // Reordering: what was held back arrives after the newer event.
      for (const older of held) await this.send(subscription, older);
    })());
    return true;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => { this.inFlight.delete(work); });
  }

  private record(subscription: Subscription, event: object, attempt: number, outcome: DeliveryRecord["outcome"]): void {
    const e = event as { id: string; eventType?: string; type?: string; data: { ObjectName: string; Version: string } };
    this.records.push({ subscriptionId: subscription.id, vault: subscription.vault.name, at: new Date(this.nowMs()).toISOString(), eventId: e.id, eventType: e.eventType ?? e.type ?? "", secretName: e.data.ObjectName, version: e.data.Version, attempt, outcome });
  }

  /** One event to the webhook, with Event Grid's retries. */
  private async send(subscription: Subscription, event: object): Promise<void> {
    const cloud = subscription.spec.schema === "CloudEventSchemaV1_0";
    for (let attempt = 1; attempt <= subscription.spec.maxDeliveryAttempts && !this.stopped; attempt++) {
      let status: number | "unreachable";
      try {
        const response = await fetch(subscription.spec.endpoint, {
          method: "POST",
          headers: cloud
            ? { "content-type": "application/cloudevents+json; charset=utf-8", "aeg-event-type": "Notification", "aeg-delivery-count": String(attempt - 1) }
            : { "content-type": "application/json", "aeg-event-type": "Notification", "aeg-delivery-count": String(attempt - 1), "aeg-subscription-name": `VAULTWIRE-${subscription.id.toUpperCase()}` },
          body: JSON.stringify(cloud ? event : [event]),
        });
        await response.arrayBuffer();
        status = response.status;
      } catch {
        status = "unreachable";
      }
      this.record(subscription, event, attempt, status);
      if (typeof status === "number" && ((status >= 200 && status < 300) || NOT_RETRIED.has(status))) return;
      await new Promise((resolve) => setTimeout(resolve, subscription.spec.retryDelayMs * attempt));
    }
  }
}
