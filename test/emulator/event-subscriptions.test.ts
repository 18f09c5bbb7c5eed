// The emulator's Event Grid over its HTTP admin API (what `vaultwire dev azure
// events` calls): subscribe with the real handshake against a local webhook,
// list, faults, deliveries, the expiry check and unsubscribe; a new version
// written through the real SecretClient is what gets delivered. Every refusal
// names the field or the id, and the webhook's query (its token) appears in
// no answer.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdminClient, type AdminClient } from "../../src/cli/commands/dev-azure-client.js";
import { createIdentity, secretClient, startTestEmulator, type TestEmulator } from "./helpers.js";

const TOKEN = "Canary-Webhook-Token-0e7d42";

interface View { subscriptionId: string; vault: string; endpointBaseUrl: string; schema: string; includedEventTypes: string[] }
interface Delivery { subscriptionId: string; vault: string; at: string; eventType: string; secretName: string; version: string; attempt: number; outcome: number | string }

describe("the admin API's event subscriptions", () => {
  let t: TestEmulator;
  let admin: AdminClient;
  let hook: Server;
  let hookUrl = "";
  let refuse = false;
  const notifications: { type: string; version: string }[] = [];
  const answers: string[] = [];
  const call = async (method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<unknown> => {
    const answer = await admin.call(method, path, body);
    answers.push(JSON.stringify(answer ?? null));
    return answer;
  };
  const refusal = async (method: "GET" | "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<string> => {
    const error = await admin.call(method, path, body).then(() => undefined, (e: unknown) => e as Error);
    answers.push(error?.message ?? "");
    return error?.message ?? "accepted";
  };

  beforeAll(async () => {
    t = await startTestEmulator();
    admin = createAdminClient(t.emulator.authorityHost, t.emulator.caCertPem);
    hook = createServer((request: IncomingMessage, response: ServerResponse) => {
      let text = "";
      request.on("data", (chunk: Buffer) => { text += chunk.toString(); });
      request.on("end", () => {
        if (new URL(request.url ?? "/", "http://x").searchParams.get("token") !== TOKEN || refuse) {
          response.writeHead(401).end();
        } else if (request.method === "OPTIONS") {
          response.writeHead(200, { "webhook-allowed-origin": "eventgrid.azure.net" }).end();
        } else if (request.headers["aeg-event-type"] === "SubscriptionValidation") {
          const [event] = JSON.parse(text) as { data: { validationCode: string } }[];
          response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ validationResponse: event?.data.validationCode }));
        } else {
          const body = JSON.parse(text) as unknown;
          for (const e of (Array.isArray(body) ? body : [body]) as { eventType?: string; type?: string; data: { Version: string } }[]) notifications.push({ type: e.eventType ?? e.type ?? "", version: e.data.Version });
          response.writeHead(200).end();
        }
      });
    });
    await new Promise<void>((resolve) => { hook.listen(0, "127.0.0.1", resolve); });
    hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/events`;
    const { tenantId } = t.emulator.createTenant();
    await t.emulator.createVault({ name: "dev", tenantId });
    await t.emulator.createVault({ name: "other", tenantId });
  });

  afterAll(async () => {
    await t.close();
    hook.closeAllConnections();
    await new Promise((resolve) => { hook.close(resolve); });
    // The webhook's token is in no answer of the admin API, successful or not.
    expect(answers.join("\n")).not.toContain(TOKEN);
  });

  let subscription: View;

  it("subscribes after the handshake and shows the endpoint without its query", async () => {
    subscription = await call("POST", "/vaults/dev/event-subscriptions", { endpoint: `${hookUrl}?token=${TOKEN}`, retryDelayMs: 20 }) as View;
    expect(subscription).toEqual({ subscriptionId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown, vault: "dev", endpointBaseUrl: hookUrl, schema: "EventGridSchema", includedEventTypes: ["Microsoft.KeyVault.SecretNewVersionCreated", "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"] });
    const cloud = await call("POST", "/vaults/other/event-subscriptions", { endpoint: `${hookUrl}?token=${TOKEN}`, schema: "CloudEventSchemaV1_0", includedEventTypes: ["Microsoft.KeyVault.SecretNewVersionCreated"] }) as View;
    expect(cloud).toMatchObject({ vault: "other", schema: "CloudEventSchemaV1_0", includedEventTypes: ["Microsoft.KeyVault.SecretNewVersionCreated"] });
    const all = await call("GET", "/event-subscriptions") as { eventSubscriptions: View[] };
    expect(all.eventSubscriptions.map((s) => s.subscriptionId)).toEqual([subscription.subscriptionId, cloud.subscriptionId]);
    const dev = await call("GET", "/event-subscriptions?vault=DEV") as { eventSubscriptions: View[] };
    expect(dev.eventSubscriptions).toEqual([subscription]);
  });

  it("refuses a failed handshake with its reason and creates nothing", async () => {
    expect(await refusal("POST", "/vaults/dev/event-subscriptions", { endpoint: `${hookUrl}?token=wrong-${TOKEN.slice(0, 4)}` })).toBe(`the attempt to validate the provided endpoint ${hookUrl} failed: the validation event was answered 401`);
    expect(await refusal("POST", "/vaults/dev/event-subscriptions", { endpoint: `${hookUrl}?token=nope`, schema: "CloudEventSchemaV1_0" })).toBe(`the attempt to validate the provided endpoint ${hookUrl} failed: OPTIONS answered 401`);
    expect((await call("GET", "/event-subscriptions?vault=dev") as { eventSubscriptions: View[] }).eventSubscriptions).toHaveLength(1);
  });

  it("refuses bad bodies, naming the field and what is expected", async () => {
    const path = "/vaults/dev/event-subscriptions";
    expect(await refusal("POST", path, {})).toBe("\"endpoint\" is required and must be a string");
    expect(await refusal("POST", path, { endpoint: "ftp://example.com/hook" })).toBe("endpoint must be an http(s) URL");
    expect(await refusal("POST", path, { endpoint: hookUrl, schema: "Custom" })).toBe("schema \"Custom\" is not EventGridSchema or CloudEventSchemaV1_0");
    expect(await refusal("POST", path, { endpoint: hookUrl, includedEventTypes: [] })).toBe("\"includedEventTypes\" must be a non-empty list of event type names");
    expect(await refusal("POST", path, { endpoint: hookUrl, maxDeliveryAttempts: 0 })).toBe("maxDeliveryAttempts must be a whole number, at least 1");
    expect(await refusal("POST", path, { endpoint: hookUrl, retryDelay: 5 })).toBe("unknown field \"retryDelay\": expected endpoint, schema, includedEventTypes, maxDeliveryAttempts, retryDelayMs, nearExpirySeconds");
    expect(await refusal("POST", path, [hookUrl])).toBe("the request body must be a JSON object");
    expect(await refusal("POST", "/vaults/nope/event-subscriptions", { endpoint: hookUrl })).toBe("vault \"nope\" does not exist");
    expect(await refusal("GET", "/event-subscriptions?vault=nope")).toBe("vault \"nope\" does not exist");
    expect(await refusal("GET", "/event-subscriptions?vault=dev&vault=other")).toBe("the query parameter \"vault\" may be given only once");
  });

  it("delivers a version written through the SDK, and lists the deliveries by vault and subscription", async () => {
    const identity = createIdentity(t.emulator);
    const { vaultUri } = await t.emulator.createVault({ name: "sdk", tenantId: identity.tenantId });
    t.emulator.assignRole("sdk", { principalObjectId: identity.objectId, role: "Key Vault Secrets Officer" });
    const sdkSubscription = await call("POST", "/vaults/sdk/event-subscriptions", { endpoint: `${hookUrl}?token=${TOKEN}` }) as View;
    const written = await secretClient(t.emulator, vaultUri, identity.credential).setSecret("db-password", "Canary-Value-11aa");
    await t.emulator.eventsSettled();
    expect(notifications.at(-1)).toEqual({ type: "Microsoft.KeyVault.SecretNewVersionCreated", version: written.properties.version });
    const { deliveries } = await call("GET", `/event-deliveries?subscription=${sdkSubscription.subscriptionId}`) as { deliveries: Delivery[] };
    expect(deliveries).toEqual([{ subscriptionId: sdkSubscription.subscriptionId, vault: "sdk", at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown, eventId: expect.any(String) as unknown, eventType: "Microsoft.KeyVault.SecretNewVersionCreated", secretName: "db-password", version: written.properties.version, attempt: 1, outcome: 200 }]);
    expect((await call("GET", "/event-deliveries?vault=SDK") as { deliveries: Delivery[] }).deliveries).toEqual(deliveries);
    expect((await call("GET", "/event-deliveries?vault=other") as { deliveries: Delivery[] }).deliveries).toEqual([]);
    expect(await refusal("GET", "/event-deliveries?vault=nope")).toBe("vault \"nope\" does not exist");
    expect(JSON.stringify(deliveries)).not.toContain("Canary-Value-11aa");
  });

  it("sets and clears delivery faults: a drop, a retry after a refusal, a held event sent when cleared", async () => {
    const path = `/event-subscriptions/${subscription.subscriptionId}/faults`;
    const mine = async (): Promise<Delivery[]> => ((await call("GET", `/event-deliveries?subscription=${subscription.subscriptionId}`)) as { deliveries: Delivery[] }).deliveries;
    await call("PUT", path, { dropNext: 1 });
    const dropped = t.emulator.setSecret("dev", "s", "v1").version;
    await t.emulator.eventsSettled();
    expect((await mine()).at(-1)).toMatchObject({ version: dropped, attempt: 0, outcome: "dropped" });
    expect(notifications.some((n) => n.version === dropped)).toBe(false);

    await call("PUT", path, { holdNext: 1 });
    const held = t.emulator.setSecret("dev", "s", "v2").version;
    await t.emulator.eventsSettled();
    expect((await mine()).at(-1)).toMatchObject({ version: held, outcome: "held" });
    await call("PUT", path, null);
    await t.emulator.eventsSettled();
    expect(notifications.at(-1)).toMatchObject({ version: held });

    // A refusal other than 400/401/403/404/413 is retried; 401 is not.
    refuse = true;
    const refused = t.emulator.setSecret("dev", "s", "v3").version;
    await t.emulator.eventsSettled();
    refuse = false;
    expect((await mine()).filter((d) => d.version === refused).map((d) => [d.attempt, d.outcome])).toEqual([[1, 401]]);

    expect(await refusal("PUT", path, { dropNext: "1" })).toBe("\"dropNext\" must be a number");
    expect(await refusal("PUT", path, { delayMs: 3_600_001 })).toBe("delayMs must be a whole number from 0 to 3600000");
    expect(await refusal("PUT", path, { drop: 1 })).toBe("unknown field \"drop\": expected dropNext, delayMs, duplicate, holdNext");
    expect(await refusal("PUT", "/event-subscriptions/nope/faults", { dropNext: 1 })).toBe("event subscription \"nope\" does not exist");
  });

  it("runs the expiry check on request and says how many events were due", async () => {
    t.emulator.setSecret("dev", "expiring", "x", { expiresOn: new Date(Date.now() + 86_400_000) });
    // The timer (every 500 ms) may be first; between the two, exactly one event went out.
    const first = (await call("POST", "/expiry-check") as { eventsDue: number }).eventsDue;
    await sleep(600);
    const second = (await call("POST", "/expiry-check") as { eventsDue: number }).eventsDue;
    expect(second).toBe(0);
    await t.emulator.eventsSettled();
    expect(notifications.filter((n) => n.type === "Microsoft.KeyVault.SecretNearExpiry")).toHaveLength(1);
    expect(first === 0 || first === 1).toBe(true);
  });

  it("unsubscribes: nothing more is delivered, and a second delete is a 404", async () => {
    await call("DELETE", `/event-subscriptions/${subscription.subscriptionId}`);
    expect(await refusal("DELETE", `/event-subscriptions/${subscription.subscriptionId}`)).toBe(`event subscription "${subscription.subscriptionId}" does not exist`);
    const before = notifications.length;
    t.emulator.setSecret("dev", "s", "after");
    await t.emulator.eventsSettled();
    expect(notifications.length).toBe(before);
    expect(await refusal("GET", "/events")).toBe("the admin API has no route GET /admin/events");
  });
});
