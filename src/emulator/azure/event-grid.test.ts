// The emulator's Event Grid in isolation: a real local webhook (node:http),
// the handshake's failure reasons (named, never with the endpoint's query),
// the view hiding the query, what expiry checks count, delivery records
// naming the vault and time, and the bounds on faults.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { endpointBaseUrl, EventGrid } from "./event-grid.js";
import { Vault } from "./vault.js";

const TOKEN = "Canary-Webhook-Token-5c1e";

function vault(nowMs: () => number): Vault {
  return new Vault({ name: "kv", tenantId: "t", cloud: "public", permissionModel: "rbac", accessPolicyErrorCode: "ForbiddenByPolicy", location: "eastus", subscriptionId: "s", resourceGroup: "rg" }, nowMs, { rbacPropagationMs: 0, deletionMs: 0, purgeMs: 0 });
}

/** A webhook answering the Event Grid handshake when `answer` says so. */
async function webhook(answer: (request: IncomingMessage, body: string, response: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => { body += chunk.toString(); });
    request.on("end", () => { answer(request, body, response); });
  });
  await new Promise<void>((resolve) => { server.listen(0, "127.0.0.1", resolve); });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, server };
}

function validating(request: IncomingMessage, body: string, response: ServerResponse): void {
  if (request.headers["aeg-event-type"] === "SubscriptionValidation") {
    const [event] = JSON.parse(body) as { data: { validationCode: string } }[];
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ validationResponse: event?.data.validationCode }));
    return;
  }
  response.writeHead(200).end();
}

const servers: Server[] = [];
const grids: EventGrid[] = [];
afterEach(async () => {
  await Promise.all(grids.splice(0).map((g) => g.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => { s.closeAllConnections(); s.close(resolve); })));
});

function grid(nowMs: () => number = Date.now, handshakeTimeoutMs?: number): EventGrid {
  const g = new EventGrid(nowMs, 60_000, handshakeTimeoutMs);
  grids.push(g);
  return g;
}

describe("endpointBaseUrl", () => {
  it("drops the query, the fragment and any user info, as Azure's endpointBaseUrl", () => {
    expect(endpointBaseUrl(`https://user:pw@vaultwire.example.com/events/v1/key-vault/evs-1?token=${TOKEN}#x`)).toBe("https://vaultwire.example.com/events/v1/key-vault/evs-1");
    expect(endpointBaseUrl("http://127.0.0.1:8080/")).toBe("http://127.0.0.1:8080/");
  });
});

describe("EventGrid subscriptions", () => {
  it("shows the endpoint without its query", async () => {
    const hook = await webhook(validating);
    servers.push(hook.server);
    const g = grid();
    const view = await g.subscribe(vault(Date.now), "https://localhost:1", { endpoint: `${hook.url}?token=${TOKEN}` });
    expect(view).toEqual({ subscriptionId: view.subscriptionId, vault: "kv", endpointBaseUrl: hook.url, schema: "EventGridSchema", includedEventTypes: ["Microsoft.KeyVault.SecretNewVersionCreated", "Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired"] });
    expect(JSON.stringify(g.list())).not.toContain(TOKEN);
  });

  it("names why a handshake failed, without the endpoint's query", async () => {
    const refusing = await webhook((_request, _body, response) => { response.writeHead(401).end(); });
    const wrongCode = await webhook((_request, _body, response) => { response.writeHead(200, { "content-type": "application/json" }).end("{\"validationResponse\":\"nope\"}"); });
    const notJson = await webhook((_request, _body, response) => { response.writeHead(200).end("ok"); });
    const noOrigin = await webhook((_request, _body, response) => { response.writeHead(200).end(); });
    const silent = await webhook(() => undefined);
    servers.push(refusing.server, wrongCode.server, notJson.server, noOrigin.server, silent.server);
    const g = grid(Date.now, 300);
    const v = vault(Date.now);
    const refusal = async (endpoint: string, schema?: "CloudEventSchemaV1_0"): Promise<string> => {
      const error = await g.subscribe(v, "https://localhost:1", { endpoint: `${endpoint}?token=${TOKEN}`, ...(schema === undefined ? {} : { schema }) }).then(() => undefined, (e: unknown) => e as Error);
      expect(error?.message).not.toContain(TOKEN);
      return error?.message ?? "subscribed";
    };
    expect(await refusal(refusing.url)).toBe(`the attempt to validate the provided endpoint ${refusing.url} failed: the validation event was answered 401`);
    expect(await refusal(wrongCode.url)).toBe(`the attempt to validate the provided endpoint ${wrongCode.url} failed: the answer's validationResponse is not the validation code`);
    expect(await refusal(notJson.url)).toBe(`the attempt to validate the provided endpoint ${notJson.url} failed: the answer is not JSON`);
    expect(await refusal(noOrigin.url, "CloudEventSchemaV1_0")).toBe(`the attempt to validate the provided endpoint ${noOrigin.url} failed: the answer has no WebHook-Allowed-Origin naming eventgrid.azure.net`);
    expect(await refusal(silent.url)).toBe(`the attempt to validate the provided endpoint ${silent.url} failed: no answer within 0.3 s`);
    const closed = await webhook(validating);
    await new Promise((resolve) => { closed.server.close(resolve); });
    expect(await refusal(closed.url)).toBe(`the attempt to validate the provided endpoint ${closed.url} failed: unreachable (ECONNREFUSED)`);
    expect(g.list()).toEqual([]);
  });

  it("counts the expiry events each check sends, once per version, and records the vault and time of each delivery", async () => {
    const received: string[] = [];
    const hook = await webhook((request, body, response) => {
      if (request.headers["aeg-event-type"] === "Notification") received.push(body);
      validating(request, body, response);
    });
    servers.push(hook.server);
    let now = Date.UTC(2030, 0, 1);
    const g = grid(() => now);
    const v = vault(() => now);
    const subscription = await g.subscribe(v, "https://localhost:1", { endpoint: hook.url, nearExpirySeconds: 3600 });
    const { entry, version } = v.store.set("db-password", { value: "x", expires: Math.floor(now / 1000) + 7200 });
    expect(g.checkExpiry()).toBe(0);
    now += 3_600_000;
    expect(g.checkExpiry()).toBe(1);
    expect(g.checkExpiry()).toBe(0);
    // A record's time is when the webhook answered.
    await g.settled();
    now += 3_600_000;
    expect(g.checkExpiry()).toBe(1);
    g.secretVersionCreated(v, entry, version);
    await g.settled();
    expect(received.map((b) => (JSON.parse(b) as { eventType: string }[])[0]?.eventType)).toEqual(["Microsoft.KeyVault.SecretNearExpiry", "Microsoft.KeyVault.SecretExpired", "Microsoft.KeyVault.SecretNewVersionCreated"]);
    expect(g.deliveries().map((d) => [d.subscriptionId, d.vault, d.at, d.attempt, d.outcome])).toEqual([
      [subscription.subscriptionId, "kv", "2030-01-01T01:00:00.000Z", 1, 200],
      [subscription.subscriptionId, "kv", "2030-01-01T02:00:00.000Z", 1, 200],
      [subscription.subscriptionId, "kv", "2030-01-01T02:00:00.000Z", 1, 200],
    ]);
  });

  it("bounds the faults, naming the field and the range", async () => {
    const hook = await webhook(validating);
    servers.push(hook.server);
    const g = grid();
    const { subscriptionId } = await g.subscribe(vault(Date.now), "https://localhost:1", { endpoint: hook.url });
    expect(() => { g.setFaults(subscriptionId, { delayMs: 3_600_001 }); }).toThrow("delayMs must be a whole number from 0 to 3600000");
    expect(() => { g.setFaults(subscriptionId, { duplicate: 101 }); }).toThrow("duplicate must be a whole number from 0 to 100");
    expect(() => { g.setFaults(subscriptionId, { dropNext: -1 }); }).toThrow("dropNext must be a whole number from 0 to 1000000");
    expect(() => { g.setFaults(subscriptionId, { holdNext: 1.5 }); }).toThrow("holdNext must be a whole number from 0 to 1000000");
    expect(() => { g.setFaults("nope", null); }).toThrow("event subscription \"nope\" does not exist");
  });
});
