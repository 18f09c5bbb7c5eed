// Behind a trusted reverse proxy the failed-attempt limit counts the clients
// the proxy names in X-Forwarded-For, not the proxy itself.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets().slice(0, 1))("behind a trusted proxy ($name)", (target) => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(target, azure, { trustedProxies: ["127.0.0.1"] }); });
  afterAll(async () => { await server.close(); });

  const from = (client: string, secret?: string) => server.api("GET", "/org/v2/environments", undefined, {
    headers: { "x-forwarded-for": client },
    ...(secret === undefined ? {} : { auth: { key: ADMIN_KEY, secret } }),
  });

  it("locks out the guessing client only", async () => {
    for (let attempt = 0; attempt < 10; attempt++) expect((await from("203.0.113.5", `wrong-${attempt}-0123456789`)).status).toBe(401);
    expect((await from("203.0.113.5")).status).toBe(429);
    expect((await from("203.0.113.6")).status).toBe(200);
  });
});
