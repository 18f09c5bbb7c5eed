// Authentication and authorization against a real server, on each store:
// 401s in each API family's shape, the public endpoints, API keys (shown
// once, scoped to an environment, deleted), the failed-attempt limit and the
// bootstrap key that exists on first start only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN_KEY, ADMIN_SECRET, persistentStorage, plainConnector, seedEnvironment, startAzureFixture, startTestServer, storeTargets,
  type ApiResponse, type AzureFixture, type TestServer,
} from "./harness.js";

interface V2Error { errors: { id: string; status: string; code: string; title: string; detail: string; source?: { pointer: string } }[] }
interface ConnectError { error: { code: number; message: string } }
interface ApiKey {
  api_version: string;
  kind: string;
  id: string;
  metadata: { self: string; resource_name: string; created_at: string; updated_at: string };
  spec: { secret?: string; display_name: string; description: string; owner: { id: string; kind: string }; resource: { id: string; kind: string } };
}
interface List<T> { api_version: string; kind: string; data: T[] }
interface Credentials { key: string; secret: string }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

function basic(value: string): { headers: Record<string, string>; auth: null } {
  return { headers: { authorization: value }, auth: null };
}

function expectUnauthorized(response: ApiResponse<V2Error>): void {
  expect(response.status).toBe(401);
  expect(response.headers.get("www-authenticate")).toBe("Basic realm=\"vaultwire\"");
  expect(response.body.errors).toHaveLength(1);
  expect(response.body.errors[0]).toMatchObject({ status: "401", code: "unauthorized", title: "Unauthorized" });
}

describe.each(storeTargets())("authentication on $name", (target) => {
  let server: TestServer;
  let teamA: Awaited<ReturnType<typeof seedEnvironment>>;
  let teamB: Awaited<ReturnType<typeof seedEnvironment>>;

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    teamA = await seedEnvironment(server, azure, "team-a");
    teamB = await seedEnvironment(server, azure, "team-b");
    for (const seed of [teamA, teamB]) {
      const created = await server.api("POST", `${seed.base}/connectors`, plainConnector("orders-source", "Orders-Pa55"));
      if (created.status !== 201) throw new Error(`connector: ${created.text}`);
    }
  });
  afterAll(async () => { await server.close(); });

  describe("401", () => {
    it("no Authorization on /org/v2 → 401 in the v2 error shape with www-authenticate", async () => {
      const response = await server.api<V2Error>("GET", "/org/v2/environments", undefined, { auth: null });
      expectUnauthorized(response);
      expect(response.body.errors[0]?.detail).toContain("missing credentials");
      expect(response.text).not.toContain(teamA.environmentId);
    });

    it("no Authorization on /connect/v1 → 401 in the Connect error shape with www-authenticate", async () => {
      const response = await server.api<ConnectError>("GET", `${teamA.base}/connectors`, undefined, { auth: null });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toBe("Basic realm=\"vaultwire\"");
      expect(Object.keys(response.body)).toEqual(["error"]);
      expect(Object.keys(response.body.error).sort()).toEqual(["code", "message"]);
      expect(response.body.error.code).toBe(401);
      expect(response.body.error.message).toContain("missing credentials");
    });

    it("401 before anything else: an unauthenticated create changes nothing", async () => {
      const response = await server.api<V2Error>("POST", "/org/v2/environments", { display_name: "sneaky" }, { auth: null });
      expectUnauthorized(response);
      const list = await server.api<List<{ display_name: string }>>("GET", "/org/v2/environments?page_size=100");
      expect(list.body.data.map((e) => e.display_name)).not.toContain("sneaky");
    });

    it.each([
      ["a wrong secret", { auth: { key: ADMIN_KEY, secret: "wrong-secret-0123456789" } }, "invalid API key or secret"],
      ["an unknown key", { auth: { key: "NOSUCHKEY0000001", secret: ADMIN_SECRET } }, "invalid API key or secret"],
      ["the key in lower case", { auth: { key: ADMIN_KEY.toLowerCase(), secret: ADMIN_SECRET } }, "invalid API key or secret"],
      ["Basic without a colon", basic(`Basic ${Buffer.from("justakey").toString("base64")}`), "malformed Basic credentials"],
      ["Basic with an empty key", basic(`Basic ${Buffer.from(`:${ADMIN_SECRET}`).toString("base64")}`), "malformed Basic credentials"],
      ["Basic that is not base64", basic("Basic %%%not-base64%%%"), "malformed Basic credentials"],
      ["a Bearer token", basic("Bearer abc.def.ghi"), "missing credentials"],
    ])("%s → 401", async (_label, options, detail) => {
      const response = await server.api<V2Error>("GET", "/org/v2/environments", undefined, options);
      expectUnauthorized(response);
      expect(response.body.errors[0]?.detail).toContain(detail);
      expect(response.text).not.toContain(ADMIN_SECRET);
      // A success clears the address's failure count (the limit has its own suite below).
      expect((await server.api("GET", "/org/v2/environments")).status).toBe(200);
    });

    it("keeps credentials out of the logs", () => {
      expect(server.logs()).not.toContain(ADMIN_SECRET);
      expect(server.logs()).not.toContain(Buffer.from(`${ADMIN_KEY}:${ADMIN_SECRET}`).toString("base64"));
      expect(server.logs()).not.toContain("wrong-secret-0123456789");
    });
  });

  describe("public endpoints", () => {
    it("/health answers without credentials", async () => {
      const response = await server.api<{ status: string; checks: { database: string } }>("GET", "/health", undefined, { auth: null });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: "ok", checks: { database: "ok" } });
    });

    it("/metrics answers without credentials, with request counts and connectors by state", async () => {
      const response = await server.api<string>("GET", "/metrics", undefined, { auth: null });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/plain");
      expect(response.text).toContain("vaultwire_http_requests_total");
      expect(response.text).toMatch(/vaultwire_http_requests_total\{[^}]*status="401"[^}]*\} \d+/);
      expect(response.text).toContain("vaultwire_connectors");
      expect(response.text).toMatch(/vaultwire_connectors\{state="PROVISIONING"\} 2/);
    });

    it("/openapi.json answers without credentials and documents the API families", async () => {
      const response = await server.api<{ openapi: string; paths: Record<string, unknown> }>("GET", "/openapi.json", undefined, { auth: null });
      expect(response.status).toBe(200);
      expect(response.body.openapi).toBe("3.1.0");
      for (const path of ["/org/v2/environments", "/cmk/v2/clusters", "/pim/v2/integrations", "/iam/v2/api-keys"]) expect(Object.keys(response.body.paths)).toContain(path);
    });
  });

  describe("API keys", () => {
    let scoped: Credentials & { id: string };
    let orgKey: Credentials & { id: string };

    const as = (credentials: Credentials) => ({ auth: credentials });

    it("creates an environment-scoped key (202) whose secret is shown once", async () => {
      const response = await server.api<ApiKey>("POST", "/iam/v2/api-keys", { spec: { description: "team a", resource: { id: teamA.environmentId } } });
      expect(response.status).toBe(202);
      expect(response.body).toMatchObject({ api_version: "iam/v2", kind: "ApiKey", spec: { description: "team a", resource: { id: teamA.environmentId, kind: "Environment" } } });
      expect(response.body.id).toMatch(/^[A-Z2-7]{16}$/);
      expect(response.body.spec.secret?.length).toBeGreaterThanOrEqual(32);
      expect(response.headers.get("cache-control")).toBe("no-store");
      scoped = { id: response.body.id, key: response.body.id, secret: response.body.spec.secret ?? "" };
    });

    it("creates an org-wide key (202)", async () => {
      const response = await server.api<ApiKey>("POST", "/iam/v2/api-keys", { spec: { description: "ci" } });
      expect(response.status).toBe(202);
      expect(response.body.spec.resource).toMatchObject({ id: "cloud", kind: "Cloud", api_version: "iam/v2" });
      expect(response.headers.get("cache-control")).toBe("no-store");
      orgKey = { id: response.body.id, key: response.body.id, secret: response.body.spec.secret ?? "" };
      expect((await server.api("GET", "/org/v2/environments", undefined, as(orgKey))).status).toBe(200);
    });

    it("never shows a secret in list or get", async () => {
      const list = await server.api<List<ApiKey>>("GET", "/iam/v2/api-keys");
      expect(list.status).toBe(200);
      expect(list.body.kind).toBe("ApiKeyList");
      expect(list.body.data.map((k) => k.id).sort()).toEqual([ADMIN_KEY, scoped.id, orgKey.id].sort());
      for (const key of list.body.data) expect(key.spec.secret).toBeUndefined();
      const read = await server.api<ApiKey>("GET", `/iam/v2/api-keys/${scoped.id}`);
      expect(read.status).toBe(200);
      expect(read.body.spec.secret).toBeUndefined();
      for (const response of [list, read]) {
        expect(response.text).not.toContain(scoped.secret);
        expect(response.text).not.toContain(orgKey.secret);
      }
      expect(server.logs()).not.toContain(scoped.secret);
      expect((await server.api("GET", "/iam/v2/api-keys/NOSUCHKEY0000001")).status).toBe(404);
    });

    it("rejects a key for an unknown environment and a bad description (400, as Confluent's create answers)", async () => {
      expect((await server.api("POST", "/iam/v2/api-keys", { spec: { resource: { id: "env-nope0000" } } })).status).toBe(400);
      const bad = await server.api<V2Error>("POST", "/iam/v2/api-keys", { spec: { description: "d".repeat(256) } });
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]?.source?.pointer).toBe("/spec/description");
    });

    it("a scoped key sees only its environment", async () => {
      const environments = await server.api<List<{ id: string }>>("GET", "/org/v2/environments", undefined, as(scoped));
      expect(environments.status).toBe(200);
      expect(environments.body.data.map((e) => e.id)).toEqual([teamA.environmentId]);
      expect((await server.api("GET", `/org/v2/environments/${teamA.environmentId}`, undefined, as(scoped))).status).toBe(200);
      expect((await server.api<List<{ id: string }>>("GET", `/cmk/v2/clusters?environment=${teamA.environmentId}`, undefined, as(scoped))).body.data.map((c) => c.id)).toEqual([teamA.clusterId]);
      expect((await server.api("GET", `/cmk/v2/clusters/${teamA.clusterId}?environment=${teamA.environmentId}`, undefined, as(scoped))).status).toBe(200);
      expect((await server.api("GET", `/pim/v2/integrations/${teamA.integrationId}`, undefined, as(scoped))).status).toBe(200);
      expect((await server.api<string[]>("GET", `${teamA.base}/connectors`, undefined, as(scoped))).body).toEqual(["orders-source"]);
      expect((await server.api("POST", "/pim/v2/integrations:validate", { id: teamA.integrationId }, as(scoped))).status).toBe(204);
    });

    it.each([
      ["the other environment", "GET", (): string => `/org/v2/environments/${teamB.environmentId}`, undefined],
      ["renaming the other environment", "PATCH", (): string => `/org/v2/environments/${teamB.environmentId}`, { display_name: "mine" }],
      ["its cluster list", "GET", (): string => `/cmk/v2/clusters?environment=${teamB.environmentId}`, undefined],
      ["its cluster", "GET", (): string => `/cmk/v2/clusters/${teamB.clusterId}`, undefined],
      ["its cluster with ?environment", "GET", (): string => `/cmk/v2/clusters/${teamB.clusterId}?environment=${teamB.environmentId}`, undefined],
      ["deleting its cluster", "DELETE", (): string => `/cmk/v2/clusters/${teamB.clusterId}?environment=${teamB.environmentId}`, undefined],
      ["creating a cluster there", "POST", (): string => "/cmk/v2/clusters", (): unknown => ({ spec: { display_name: "x", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated" }, environment: { id: teamB.environmentId } } })],
      ["its integration list", "GET", (): string => `/pim/v2/integrations?environment=${teamB.environmentId}`, undefined],
      ["its integration", "GET", (): string => `/pim/v2/integrations/${teamB.integrationId}`, undefined],
      ["deleting its integration", "DELETE", (): string => `/pim/v2/integrations/${teamB.integrationId}`, undefined],
      ["validating its integration", "POST", (): string => "/pim/v2/integrations:validate", (): unknown => ({ id: teamB.integrationId })],
      ["creating an integration there", "POST", (): string => "/pim/v2/integrations", (): unknown => ({ display_name: "x", provider: "AZURE", environment: { id: teamB.environmentId } })],
      ["its connectors", "GET", (): string => `${teamB.base}/connectors`, undefined],
      ["its connector", "GET", (): string => `${teamB.base}/connectors/orders-source`, undefined],
      ["deleting its connector", "DELETE", (): string => `${teamB.base}/connectors/orders-source`, undefined],
      ["its cluster through the scoped environment", "GET", (): string => `/connect/v1/environments/${teamA.environmentId}/clusters/${teamB.clusterId}/connectors`, undefined],
    ] as const)("a scoped key gets 404, not 403, for %s", async (_label, method, path, body) => {
      const response = await server.api<V2Error | ConnectError>(method, path(), typeof body === "function" ? body() : body, as(scoped));
      expect(response.status).toBe(404);
      expect(response.text).not.toMatch(/forbidden|scoped/i);
    });

    it("the other environment's resources are untouched", async () => {
      expect((await server.api("GET", `/org/v2/environments/${teamB.environmentId}`)).body).toMatchObject({ display_name: "team-b" });
      expect((await server.api("GET", `/cmk/v2/clusters/${teamB.clusterId}?environment=${teamB.environmentId}`)).status).toBe(200);
      expect((await server.api<string[]>("GET", `${teamB.base}/connectors`)).body).toEqual(["orders-source"]);
      expect((await server.api<{ display_name: string }[]>("GET", `/pim/v2/integrations?environment=${teamB.environmentId}`)).status).toBe(200);
    });

    it.each([
      ["creating an environment", "POST", "/org/v2/environments", { display_name: "mine" }],
      ["listing API keys", "GET", "/iam/v2/api-keys", undefined],
      ["creating an API key", "POST", "/iam/v2/api-keys", { spec: { resource: { id: "" } } }],
    ] as const)("a scoped key gets 403 for %s", async (_label, method, path, body) => {
      const response = await server.api<V2Error>(method, path, body, as(scoped));
      expect(response.status).toBe(403);
      expect(response.body.errors[0]).toMatchObject({ status: "403", code: "forbidden" });
      expect(response.body.errors[0]?.detail).toContain("needs an organization-wide API key");
    });

    it("nothing was created by the refused requests", async () => {
      const environments = await server.api<List<{ display_name: string }>>("GET", "/org/v2/environments?page_size=100");
      expect(environments.body.data.map((e) => e.display_name).sort()).toEqual(["team-a", "team-b"]);
      expect((await server.api<List<{ id: string }>>("GET", `/cmk/v2/clusters?environment=${teamB.environmentId}`)).body.data).toHaveLength(1);
      expect((await server.api<List<{ id: string }>>("GET", `/pim/v2/integrations?environment=${teamB.environmentId}`)).body.data).toHaveLength(1);
      expect((await server.api<List<ApiKey>>("GET", "/iam/v2/api-keys")).body.data).toHaveLength(3);
    });

    it("refuses to delete the key making the request (403: Confluent's delete has no 409)", async () => {
      const self = await server.api<V2Error>("DELETE", `/iam/v2/api-keys/${ADMIN_KEY}`);
      expect(self.status).toBe(403);
      expect(self.body.errors[0]).toMatchObject({ status: "403", code: "forbidden" });
      expect(self.body.errors[0]?.detail).toContain(`API key "${ADMIN_KEY}" is the one making this request`);
      const other = await server.api<V2Error>("DELETE", `/iam/v2/api-keys/${orgKey.id}`, undefined, as(orgKey));
      expect(other.status).toBe(403);
      expect((await server.api("GET", "/org/v2/environments")).status).toBe(200);
    });

    it("deletes a key (204); it then gets 401, and 404 on a second delete", async () => {
      for (const key of [orgKey, scoped]) {
        expect((await server.api("GET", `/org/v2/environments/${teamA.environmentId}`, undefined, as(key))).status).toBe(200);
        expect((await server.api("DELETE", `/iam/v2/api-keys/${key.id}`)).status).toBe(204);
        expectUnauthorized(await server.api<V2Error>("GET", `/org/v2/environments/${teamA.environmentId}`, undefined, as(key)));
        expect((await server.api("DELETE", `/iam/v2/api-keys/${key.id}`)).status).toBe(404);
      }
      expect((await server.api<List<ApiKey>>("GET", "/iam/v2/api-keys")).body.data.map((k) => k.id)).toEqual([ADMIN_KEY]);
    });
  });

  describe("failed-attempt limit (a server of its own)", () => {
    let limited: TestServer;
    beforeAll(async () => { limited = await startTestServer(target, azure); });
    afterAll(async () => { await limited.close(); });

    it("after 10 failed attempts against a key from 127.0.0.1, that key gets 429 there even with its secret; other keys keep working", async () => {
      expect((await limited.api("GET", "/org/v2/environments")).status).toBe(200);
      const created = await limited.api<ApiKey>("POST", "/iam/v2/api-keys", { spec: { description: "other admin" } });
      const other = { key: created.body.id, secret: created.body.spec.secret ?? "" };
      // Requests without credentials are not guessing attempts: they do not count.
      for (let probe = 0; probe < 12; probe++) expect((await limited.api("GET", "/org/v2/environments", undefined, { auth: null })).status).toBe(401);
      for (let attempt = 1; attempt <= 10; attempt++) {
        const failed = await limited.api<V2Error>("GET", "/org/v2/environments", undefined, { auth: { key: ADMIN_KEY, secret: `wrong-${attempt}-0123456789` } });
        expect(failed.status, `attempt ${attempt}`).toBe(401);
      }
      const locked = await limited.api<V2Error>("GET", "/org/v2/environments");
      expect(locked.status).toBe(429);
      const retryAfter = Number(locked.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(locked.body.errors[0]).toMatchObject({ status: "429", code: "too_many_requests", title: "Too Many Requests" });
      expect(locked.body.errors[0]?.detail).toContain("too many failed authentication attempts with this API key");
      const connect = await limited.api<ConnectError>("GET", "/connect/v1/environments/env-x/clusters/lkc-x/connectors");
      expect(connect.status).toBe(429);
      expect(connect.body.error.code).toBe(429);
      expect(connect.headers.get("retry-after")).not.toBeNull();
      // The guesser did not lock the other administrator out of this address.
      expect((await limited.api("GET", "/org/v2/environments", undefined, { auth: other })).status).toBe(200);
      // Public endpoints stay reachable, and other servers keep their own count.
      expect((await limited.api("GET", "/health", undefined, { auth: null })).status).toBe(200);
      expect((await server.api("GET", "/org/v2/environments")).status).toBe(200);
    });

    it("an unknown key id is locked after 10 failures just like a known one (a 429 does not tell which ids exist)", async () => {
      const unknown = { key: "UNKNOWNKEY000001", secret: "nope-nope-nope-nope" };
      for (let attempt = 1; attempt <= 10; attempt++) expect((await limited.api("GET", "/org/v2/environments", undefined, { auth: unknown })).status, `attempt ${attempt}`).toBe(401);
      const locked = await limited.api<V2Error>("GET", "/org/v2/environments", undefined, { auth: unknown });
      expect(locked.status).toBe(429);
      expect(locked.body.errors[0]?.detail).toContain("too many failed authentication attempts with this API key");
    });
  });

  describe("bootstrap key", () => {
    it("is created on first start only: a restart on the same database creates none", async () => {
      const storage = await persistentStorage(target);
      try {
        const first = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir });
        let environmentId: string;
        try {
          expect(first.running.bootstrapKey?.key.id).toBe(ADMIN_KEY);
          expect(first.running.bootstrapKey?.key.resource).toEqual({ kind: "Cloud" });
          environmentId = (await first.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "survives" })).body.id;
        } finally {
          await first.close();
        }
        const second = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir });
        try {
          expect(second.running.bootstrapKey).toBeNull();
          const keys = await second.api<List<ApiKey>>("GET", "/iam/v2/api-keys");
          expect(keys.status).toBe(200);
          expect(keys.body.data.map((k) => k.id)).toEqual([ADMIN_KEY]);
          expect((await second.api<{ display_name: string }>("GET", `/org/v2/environments/${environmentId}`)).body.display_name).toBe("survives");
        } finally {
          await second.close();
        }
      } finally {
        await storage.drop();
      }
    });
  });
});
