// Behind a trusted reverse proxy the failed-attempt limit counts the clients
// the proxy names in X-Forwarded-For, not the proxy itself: per (client, key)
// and, as an anti-flood guard, per client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets().slice(0, 1))("behind a trusted proxy ($name)", (target) => {
  let server: TestServer;
  let other: { key: string; secret: string };
  beforeAll(async () => {
    server = await startTestServer(target, azure, { trustedProxies: ["127.0.0.1"] });
    const created = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "other admin" } }, { headers: { "x-forwarded-for": "192.0.2.1" } });
    other = { key: created.body.id, secret: created.body.spec.secret };
  });
  afterAll(async () => { await server.close(); });

  const from = (client: string, auth?: { key: string; secret: string } | string) => server.api("GET", "/org/v2/environments", undefined, {
    headers: { "x-forwarded-for": client },
    ...(auth === undefined ? {} : typeof auth === "string" ? { auth: { key: ADMIN_KEY, secret: auth } } : { auth }),
  });

  it("locks out the guessed key at the guessing client only", async () => {
    for (let attempt = 0; attempt < 10; attempt++) expect((await from("203.0.113.5", `wrong-${attempt}-0123456789`)).status).toBe(401);
    expect((await from("203.0.113.5")).status).toBe(429);
    expect((await from("203.0.113.5", other)).status).toBe(200);
    expect((await from("203.0.113.6")).status).toBe(200);
  });

  it("locks a flooding client out entirely after 100 failures, whatever keys they name", async () => {
    const malformed = { authorization: `Basic ${Buffer.from("no-colon").toString("base64")}` };
    for (let attempt = 0; attempt < 60; attempt++) expect((await from("203.0.113.7", { key: `GUESS${attempt}`, secret: "x".repeat(20) })).status).toBe(401);
    for (let attempt = 0; attempt < 40; attempt++) {
      expect((await server.api("GET", "/org/v2/environments", undefined, { auth: null, headers: { "x-forwarded-for": "203.0.113.7", ...malformed } })).status).toBe(401);
    }
    for (const auth of [undefined, other]) {
      const locked = await from("203.0.113.7", auth);
      expect(locked.status).toBe(429);
      expect(locked.text).toContain("too many failed authentication attempts from this address");
    }
    expect((await from("203.0.113.8")).status).toBe(200);
  });
});
