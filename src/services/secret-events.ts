/**
 * Event Grid push for Key Vault (decision 41). A provider integration's
 * event subscriptions are webhooks Event Grid delivers the integration's
 * vaults' secret events to; each has a token shown once and stored as a
 * SHA-256 hash. A `SecretNewVersionCreated` for a secret connectors use
 * records a "rotate" runtime request per connector whose started-with
 * version differs from the event's, in the store: the lease owner of each
 * connector's cluster (any replica) performs it (runtime/kafka-connect/
 * reconciler.ts: the rotation check of that secret only, one live GET, one
 * restart). Duplicates, late older events and events for secrets no
 * connector uses read nothing. Deliveries that are not authenticated, name
 * an unknown subscription, or a vault that none of the integration's
 * connectors use (or the vault host policy refuses) are refused whole and
 * counted, never acted on.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { InputError, NotFoundError, UnprocessableError } from "../domain/errors.js";
import { isId } from "../domain/ids.js";
import type { Connector, EventDeliverySchema, EventSubscription, ProviderIntegration } from "../domain/resources.js";
import { parseEventDelivery, RECHECK_METADATA, type SecretEvent, type SecretEventKind } from "../domain/secret-events.js";
import type { IdentifierGrammar } from "../domain/secret-managers.js";
import { connectName } from "../runtime/kafka-connect/translate.js";
import type { ConnectorBindings } from "./connector-secrets.js";
import type { ServiceContext } from "./context.js";
import { FieldChecks } from "./input.js";
import type { IntegrationService } from "./integrations.js";
import { assertIntegrationAdmin, type Principal } from "./principal.js";

export const DELIVERY_SCHEMAS: readonly EventDeliverySchema[] = ["EventGridSchema", "CloudEventSchemaV1_0"];
/** An integration's subscriptions at most (one per vault or per Event Grid subscription is typical). */
export const MAX_EVENT_SUBSCRIPTIONS_PER_INTEGRATION = 20;
export const WEBHOOK_PATH = "/events/v1/key-vault";
export const KEY_VAULT_EVENT_TYPES = ["Microsoft.KeyVault.SecretNewVersionCreated", "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"] as const;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const TOUCH_INTERVAL_MS = 60_000;

/** What a delivery (or an event in it) came to, for `vaultwire_secret_events_total{outcome}`. */
export const SECRET_EVENT_OUTCOMES = [
  "queued", "duplicate", "unused", "near-expiry", "expired", "ignored", "validation",
  "unauthenticated", "unknown-subscription", "unknown-vault", "malformed",
] as const;
export type SecretEventOutcome = (typeof SECRET_EVENT_OUTCOMES)[number];

/** A `SecretNearExpiry` / `SecretExpired` event for a secret connectors use (the expiry warnings listen to these). */
export interface ExpiryNotice {
  readonly kind: Extract<SecretEventKind, "SecretNearExpiry" | "SecretExpired">;
  readonly integrationId: string;
  /** `SecretReference.secretKey` of the secret. */
  readonly ref: string;
  readonly version: string;
  /** Unix seconds, or null. */
  readonly expires: number | null;
  readonly connectorIds: readonly string[];
}

export interface EventSubscriptionView {
  readonly subscription: EventSubscription;
  /** The endpoint without its token. */
  readonly webhookUrl: string;
  /** The `az eventgrid event-subscription create` command; it carries the token only in the create response. */
  readonly azCommand: string;
}

export interface CreatedEventSubscription extends EventSubscriptionView {
  /** Shown once, never stored. */
  readonly token: string;
}

/** What the webhook answers: 200 (with the validation code for a handshake) and the work to do after, or a refusal. */
export type Reception =
  | { readonly status: 200; readonly validationResponse?: string; readonly work: Promise<void> }
  | { readonly status: 400 | 401 | 403 | 404; readonly message: string };

export interface SecretEventService {
  create(principal: Principal, integrationId: string, environmentId: string | undefined, input: { description?: unknown; deliverySchema?: unknown }): Promise<CreatedEventSubscription>;
  list(principal: Principal, integrationId: string, environmentId: string | undefined): Promise<readonly EventSubscriptionView[]>;
  delete(principal: Principal, integrationId: string, environmentId: string | undefined, subscriptionId: string): Promise<void>;
  /** The subscription a token opens (CloudEvents' OPTIONS handshake); null when unknown or not authenticated (counted). */
  authenticate(subscriptionId: string, token: string | undefined): Promise<EventSubscription | null>;
  /** A webhook delivery: authenticates, parses and checks it, then hands the work back to run after answering. */
  receive(delivery: { readonly subscriptionId: string; readonly token: string | undefined; readonly body: unknown; readonly cloudEvents: boolean }): Promise<Reception>;
}

export interface SecretEventDependencies extends ServiceContext {
  readonly integrations: Pick<IntegrationService, "get">;
  readonly bindings: ConnectorBindings;
  /** The Azure Key Vault grammar, with the vault host policy bound in. */
  readonly grammar: IdentifierGrammar;
  /** Where Event Grid reaches this deployment (VAULTWIRE_PUBLIC_URL); read at each call. */
  readonly publicUrl: () => string;
  /** Runtime requests were recorded: the local reconciler performs those of its clusters now (the others' owners poll). */
  readonly wake: () => void;
  readonly onOutcome?: (outcome: SecretEventOutcome, count: number) => void;
  readonly onExpiry?: (notice: ExpiryNotice) => void;
  readonly log?: (fields: Record<string, unknown>, message: string) => void;
}

function digest(secret: string): string {
  return createHash("sha256").update(secret).digest("base64url");
}

function notFound(id: string, integrationId: string): NotFoundError {
  return new NotFoundError(`event subscription "${id}" was not found in provider integration "${integrationId}"`);
}

/** The vault part of a secret reference (`<vault URI>/secrets/<name>`). */
function vaultOfRef(ref: string): string {
  const at = ref.lastIndexOf("/secrets/");
  return at < 0 ? ref : ref.slice(0, at);
}

export function azCommand(subscription: Pick<EventSubscription, "id" | "deliverySchema">, endpoint: string): string {
  return [
    "az eventgrid event-subscription create",
    `  --name vaultwire-${subscription.id}`,
    "  --source-resource-id /subscriptions/<subscription-id>/resourceGroups/<resource-group>/providers/Microsoft.KeyVault/vaults/<vault-name>",
    `  --endpoint '${endpoint}'`,
    "  --endpoint-type webhook",
    `  --event-delivery-schema ${subscription.deliverySchema === "CloudEventSchemaV1_0" ? "cloudeventschemav1_0" : "eventgridschema"}`,
    `  --included-event-types ${KEY_VAULT_EVENT_TYPES.join(" ")}`,
  ].join(" \\\n");
}

export function createSecretEventService(deps: SecretEventDependencies): SecretEventService {
  const { store } = deps;
  const count = (outcome: SecretEventOutcome, n = 1) => { if (n > 0) deps.onOutcome?.(outcome, n); };
  const log = deps.log ?? (() => undefined);
  const touched = new Map<string, number>();
  const webhookUrl = (id: string) => `${deps.publicUrl().replace(/\/$/, "")}${WEBHOOK_PATH}/${id}`;
  const view = (subscription: EventSubscription): EventSubscriptionView => ({
    subscription,
    webhookUrl: webhookUrl(subscription.id),
    azCommand: azCommand(subscription, `${webhookUrl(subscription.id)}?token=<token shown once at creation>`),
  });

  async function azureIntegration(principal: Principal, integrationId: string, environmentId: string | undefined): Promise<ProviderIntegration> {
    const { integration } = await deps.integrations.get(principal, integrationId, environmentId);
    if (integration.provider !== "AZURE") {
      const manager = integration.provider === "AWS" ? "AWS Secrets Manager" : integration.provider;
      throw new UnprocessableError(`provider integration "${integration.id}" is an ${integration.provider} integration (${manager}): event subscriptions push Azure Key Vault events (Event Grid) and exist for AZURE integrations only`, [{ field: "provider", message: `${integration.provider} has no Event Grid push` }]);
    }
    return integration;
  }

  /** The integration's connectors that use a secret manager, with the vaults they read. */
  async function usage(integrationId: string): Promise<{ connectors: { connector: Connector; refs: Map<string, string[]> }[]; vaults: Set<string> }> {
    const connectors: { connector: Connector; refs: Map<string, string[]> }[] = [];
    const vaults = new Set<string>();
    for (const connector of await store.connectors.listByIntegration(integrationId)) {
      const binding = deps.bindings.of(connector);
      if (binding?.manager !== deps.grammar.manager) continue;
      const refs = new Map<string, string[]>();
      for (const field of binding.fields) {
        refs.set(field.reference.secretKey, [...(refs.get(field.reference.secretKey) ?? []), field.key]);
        vaults.add(vaultOfRef(field.reference.secretKey));
      }
      connectors.push({ connector, refs });
    }
    return { connectors, vaults };
  }

  async function authenticate(subscriptionId: string, token: string | undefined): Promise<EventSubscription | null | "unknown"> {
    // The hash is computed whatever was presented, so a malformed token costs the same as a wrong one.
    const presented = Buffer.from(digest(token ?? ""));
    const subscription = isId("eventSubscription", subscriptionId) ? await store.eventSubscriptions.get(subscriptionId) : undefined;
    const expected = Buffer.from(subscription?.tokenHash ?? digest(""));
    const equal = expected.length === presented.length && timingSafeEqual(expected, presented);
    if (!subscription) return "unknown";
    if (!equal || !TOKEN_PATTERN.test(token ?? "")) return null;
    return subscription;
  }

  /** Records the "rotate" requests of one delivery's new versions; counts each event. */
  async function act(subscription: EventSubscription, events: readonly SecretEvent[], refs: readonly string[]): Promise<void> {
    const { connectors } = await usage(subscription.integrationId);
    let queued = 0;
    for (const [index, event] of events.entries()) {
      const ref = refs[index] ?? "";
      const users = connectors.filter((c) => c.refs.has(ref));
      if (event.kind !== "SecretNewVersionCreated") {
        count(event.kind === "SecretNearExpiry" ? "near-expiry" : "expired");
        if (users.length === 0) continue;
        deps.onExpiry?.({ kind: event.kind, integrationId: subscription.integrationId, ref, version: event.version, expires: event.expires, connectorIds: users.map((u) => u.connector.id) });
        // The owner re-reads it live, which rewrites the connectors' expiry warnings (and fails them if it expired).
        for (const { connector } of users) {
          await store.runtimeRequests.enqueue({ clusterId: connector.clusterId, connectorId: connector.id, connectorName: connectName(connector), action: "rotate", requestedAt: deps.now(), secretVersions: { [ref]: RECHECK_METADATA } });
        }
        queued++;
        continue;
      }
      if (users.length === 0) {
        count("unused");
        continue;
      }
      let recorded = false;
      for (const { connector, refs: keysByRef } of users) {
        const seen = (await store.runtimeState.get(connector.id))?.seenVersions ?? null;
        const keys = keysByRef.get(ref) ?? [];
        // Already started with this version: a duplicate, or the event of a rotation the poll saw first.
        if (seen !== null && keys.every((key) => seen[key]?.version === event.version)) continue;
        // Already asked for and not yet performed: a copy that came before the owner acted. Read fresh each
        // time, so a request this same delivery recorded counts. Should a copy still be recorded (a loaded CI
        // run saw one), the owner finds the version already started with and performing it is a no-op.
        const pending = await store.runtimeRequests.listByClusters([connector.clusterId]);
        if (pending.some((r) => r.action === "rotate" && r.connectorId === connector.id && r.secretVersions?.[ref] === event.version)) continue;
        await store.runtimeRequests.enqueue({ clusterId: connector.clusterId, connectorId: connector.id, connectorName: connectName(connector), action: "rotate", requestedAt: deps.now(), secretVersions: { [ref]: event.version } });
        recorded = true;
      }
      count(recorded ? "queued" : "duplicate");
      if (recorded) queued++;
      log({ subscription: subscription.id, vault: event.vaultName, secret: event.secretName, version: event.version, connectors: users.length, queued: recorded }, "key vault secret event");
    }
    if (queued > 0) deps.wake();
  }

  return {
    async create(principal, integrationId, environmentId, input) {
      const integration = await azureIntegration(principal, integrationId, environmentId);
      assertIntegrationAdmin(principal, "creating an event subscription", integration.environmentId, integration.id);
      const checks = new FieldChecks();
      const description = checks.optionalString("spec.description", input.description, 255) ?? "";
      // Absent means the default; null (or anything else that is not a schema name) is refused, naming the field.
      const schema = input.deliverySchema === undefined ? "EventGridSchema" : input.deliverySchema;
      if (typeof schema !== "string" || !(DELIVERY_SCHEMAS as readonly string[]).includes(schema)) {
        throw new InputError(`spec.delivery_schema must be one of ${DELIVERY_SCHEMAS.join(", ")}`, [{ field: "spec.delivery_schema", message: `must be one of ${DELIVERY_SCHEMAS.join(", ")}` }]);
      }
      checks.throwIfAny("invalid event subscription");
      const existing = await store.eventSubscriptions.listByIntegration(integration.id);
      if (existing.length >= MAX_EVENT_SUBSCRIPTIONS_PER_INTEGRATION) {
        throw new UnprocessableError(`provider integration "${integration.id}" already has ${existing.length} event subscriptions, the most it may have; delete one first`);
      }
      const token = randomBytes(32).toString("base64url");
      const subscription: EventSubscription = {
        id: deps.newId("eventSubscription"),
        integrationId: integration.id,
        environmentId: integration.environmentId,
        description,
        deliverySchema: schema as EventDeliverySchema,
        tokenHash: digest(token),
        createdAt: deps.now(),
        lastEventAt: null,
      };
      await store.eventSubscriptions.insert(subscription);
      return { ...view(subscription), azCommand: azCommand(subscription, `${webhookUrl(subscription.id)}?token=${token}`), token };
    },

    async list(principal, integrationId, environmentId) {
      const integration = await azureIntegration(principal, integrationId, environmentId);
      return (await store.eventSubscriptions.listByIntegration(integration.id)).map(view);
    },

    async delete(principal, integrationId, environmentId, subscriptionId) {
      const integration = await azureIntegration(principal, integrationId, environmentId);
      assertIntegrationAdmin(principal, "deleting an event subscription", integration.environmentId, integration.id);
      const subscription = await store.eventSubscriptions.get(subscriptionId);
      if (!subscription || subscription.integrationId !== integration.id) throw notFound(subscriptionId, integration.id);
      await store.eventSubscriptions.delete(subscription.id);
      touched.delete(subscription.id);
    },

    async authenticate(subscriptionId, token) {
      const found = await authenticate(subscriptionId, token);
      if (found === "unknown") count("unknown-subscription");
      else if (found === null) count("unauthenticated");
      return found === "unknown" ? null : found;
    },

    async receive({ subscriptionId, token, body, cloudEvents }) {
      const subscription = await authenticate(subscriptionId, token);
      if (subscription === "unknown") {
        count("unknown-subscription");
        return { status: 404, message: `no event subscription "${subscriptionId.slice(0, 64)}"` };
      }
      if (subscription === null) {
        count("unauthenticated");
        return { status: 401, message: "the event subscription's token is missing or wrong: give it as ?token= or Authorization: Bearer" };
      }
      const parsed = parseEventDelivery(body, cloudEvents);
      if (!parsed.ok) {
        count("malformed");
        return { status: 400, message: `not a Key Vault event delivery: ${parsed.error.field} ${parsed.error.message}` };
      }
      const now = Date.now();
      if ((touched.get(subscription.id) ?? 0) + TOUCH_INTERVAL_MS < now) {
        touched.set(subscription.id, now);
        await store.eventSubscriptions.touch(subscription.id, deps.now());
        if (touched.size > 10_000) touched.clear();
      }
      const delivery = parsed.value;
      if (delivery.kind === "validation") {
        count("validation");
        log({ subscription: subscription.id }, "event grid subscription validated");
        return { status: 200, validationResponse: delivery.validationCode, work: Promise.resolve() };
      }
      count("ignored", delivery.ignored);
      // Every event's vault must be one the integration's connectors use, on an allowed host: else nothing is acted on.
      const { vaults } = await usage(subscription.integrationId);
      const refs: string[] = [];
      for (const event of delivery.events) {
        const reference = deps.grammar.parse(`${event.vaultUrl}::${event.secretName}`);
        const ref = reference.ok ? reference.value.secretKey : null;
        if (ref === null || !vaults.has(vaultOfRef(ref))) {
          count("unknown-vault", delivery.events.length);
          log({ subscription: subscription.id, vault: event.vaultName }, "refused key vault events: a vault none of the integration's connectors use");
          return { status: 403, message: `vault "${event.vaultName}" is not one that provider integration "${subscription.integrationId}"'s connectors use (or its host is not allowed): its events are not accepted here` };
        }
        refs.push(ref);
      }
      return { status: 200, work: act(subscription, delivery.events, refs) };
    },
  };
}
