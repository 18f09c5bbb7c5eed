// The connector offsets endpoints (Confluent's connect/v1 shapes) and their
// failure paths, against a real server: bad requests name the field, unknown
// connectors and missing requests are 404s, a connector with no workers has no
// offsets to change, and a Connect that cannot do it leaves the request FAILED
// with the reason. The happy path on real Kafka Connect is test/e2e/offsets.test.ts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeConnect, type FakeConnect } from "../security/fake-connect.js";
import { plainConnector, seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

interface ConnectError { error: { code: number; message: string }; code?: number; message?: string }
interface Status { request: { id: string; name: string; type: string; offsets: unknown[]; requested_at: string }; status: { phase: string; message?: string }; applied_at: string | null }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("connector offsets on $name", (target) => {
  let server: TestServer;
  let foreign: FakeConnect;
  let base: string;
  let idle: string;

  beforeAll(async () => {
    // Answers everything with a 500 of its own: not Kafka Connect.
    foreign = await startFakeConnect({ kind: "foreign", status: 500, body: "<html>internal</html>", contentType: "text/html" });
    server = await startTestServer(target, azure);
    const seed = await seedEnvironment(server, azure, "offsets");
    base = seed.base;
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [foreign.url] } })).status).toBe(200);
    expect((await server.api("POST", `${base}/connectors`, plainConnector("orders", "Offsets-Canary-7781"))).status).toBe(201);
    const bare = await server.api<{ id: string }>("POST", "/cmk/v2/clusters", { spec: { display_name: "bare", cloud: "AZURE", region: "westus3", config: { kind: "Basic" }, environment: { id: seed.environmentId } } });
    idle = `/connect/v1/environments/${seed.environmentId}/clusters/${bare.body.id}`;
    expect((await server.api("POST", `${idle}/connectors`, plainConnector("waiting", "Offsets-Canary-7781"))).status).toBe(201);
  });
  afterAll(async () => {
    await server.close();
    await foreign.close();
  });

  it.each<[unknown, string, string[]]>([
    [{}, "type must be PATCH (alter the given offsets) or DELETE (reset them all)", ["type"]],
    [{ type: "patch" }, "not \"patch\"", ["type"]],
    [{ type: "PATCH" }, "offsets must be a list of 1-1000 entries", ["offsets"]],
    [{ type: "PATCH", offsets: [{ partition: {}, offset: { kafka_offset: 1 } }, { partition: { kafka_topic: "t" }, offset: 5 }] }, "invalid offsets request", ["offsets[0].partition", "offsets[1].offset"]],
    [{ type: "DELETE", offsets: [{ partition: { kafka_topic: "t" }, offset: null }] }, "offsets must be absent or empty with type DELETE", ["offsets"]],
    [{ type: "DELETE", offsets: null }, "offsets must be absent or empty with type DELETE", ["offsets"]],
    [{ type: "PATCH", offsets: [{ partition: { kafka_topic: "t" } }] }, "offsets[0].offset must be a JSON object", ["offsets[0].offset"]],
  ])("refuses a bad request %j with a 400 naming the field, in the body Confluent's SDK decodes", async (body, fragment) => {
    const response = await server.api<ConnectError>("POST", `${base}/connectors/orders/offsets/request`, body);
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe(400);
    expect(response.body.error.message).toContain(fragment);
    expect(response.body).toMatchObject({ code: 400, message: response.body.error.message });
  });

  it("answers 404 for a connector that does not exist, and for a status with no request yet", async () => {
    for (const [method, path] of [["GET", "offsets"], ["POST", "offsets/request"], ["GET", "offsets/request/status"]] as const) {
      const response = await server.api<ConnectError>(method, `${base}/connectors/nope/${path}`, method === "POST" ? { type: "DELETE" } : undefined);
      expect(response.status, path).toBe(404);
      expect(response.body.error.message).toContain("\"nope\"");
    }
    const none = await server.api<ConnectError>("GET", `${idle}/connectors/waiting/offsets/request/status`);
    expect(none.status).toBe(404);
    expect(none.body.error.message).toBe("connector \"waiting\" has no offsets request: make one with POST …/connectors/waiting/offsets/request");
  });

  it("a read-only (Operator) key reads offsets and statuses but may not change them (403)", async () => {
    const key = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "reader", role: "Operator" } });
    expect(key.status, key.text).toBe(202);
    const auth = { key: key.body.id, secret: key.body.spec.secret };
    expect((await server.api("GET", `${idle}/connectors/waiting/offsets`, undefined, { auth })).status).toBe(200);
    const refused = await server.api<ConnectError>("POST", `${idle}/connectors/waiting/offsets/request`, { type: "DELETE" }, { auth });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("changing a connector's offsets needs the OrganizationAdmin, EnvironmentAdmin or DeveloperManage role");
  });

  it("a connector whose cluster has no workers has no offsets yet, and none to change (409)", async () => {
    const read = await server.api<{ id: string; name: string; offsets: unknown[]; metadata: { observed_at: string } }>("GET", `${idle}/connectors/waiting/offsets`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: "waiting", offsets: [] });
    expect(read.body.id).toMatch(/^lcc-/);
    const change = await server.api<ConnectError>("POST", `${idle}/connectors/waiting/offsets/request`, { type: "DELETE" });
    expect(change.status).toBe(409);
    expect(change.body.error.message).toContain("has no Connect URLs");
  });

  it("while Connect cannot answer, offsets are the last ones read, with when (none yet: no observed_at), quoting nothing of its answer", async () => {
    const read = await server.api<{ name: string; offsets: unknown[]; metadata: Record<string, string> }>("GET", `${base}/connectors/orders/offsets`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ name: "orders", offsets: [], metadata: {} });
    expect(read.body.metadata.observed_at).toBeUndefined();
    expect(read.text).not.toContain("internal</html>");
    expect(server.logs()).toContain("reading offsets: ");
    // Once some were read, those come back with the time they were read.
    const connectorId = (await server.api<Record<string, { id: { id: string } }>>("GET", `${base}/connectors?expand=id`)).body.orders?.id.id ?? "";
    const observed = [{ partition: { server: "orders" }, offset: { lsn: 77 } }];
    await server.running.store.offsetRequests.recordObserved(connectorId, observed, "2024-02-20T15:14:19.000Z");
    const again = await server.api<{ offsets: unknown[]; metadata: Record<string, string> }>("GET", `${base}/connectors/orders/offsets`);
    expect(again.body).toMatchObject({ offsets: observed, metadata: { observed_at: "2024-02-20T15:14:19.000Z" } });
  });

  it("a request Connect cannot perform is accepted (202), then FAILED with the reason; a new one may follow", async () => {
    const made = await server.api<Status["request"]>("POST", `${base}/connectors/orders/offsets/request`, { type: "DELETE" });
    expect(made.status, made.text).toBe(202);
    expect(made.body).toMatchObject({ name: "orders", type: "DELETE", offsets: [] });
    expect(Number.isNaN(Date.parse(made.body.requested_at))).toBe(false);
    let status: Status | undefined;
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      status = (await server.api<Status>("GET", `${base}/connectors/orders/offsets/request/status`)).body;
      if (status.status.phase !== "PENDING") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toMatchObject({ request: { name: "orders", type: "DELETE", requested_at: made.body.requested_at }, status: { phase: "FAILED" }, applied_at: null });
    expect(status?.status.message).toContain("PUT /connectors/");
    expect(foreign.requests.some((r) => r.method === "PUT" && r.url.endsWith("/stop"))).toBe(true);
    const again = await server.api("POST", `${base}/connectors/orders/offsets/request`, { type: "PATCH", offsets: [{ partition: { server: "orders" }, offset: { lsn: 1 } }] });
    expect(again.status).toBe(202);
    expect(server.responses()).not.toContain("Offsets-Canary-7781");
    expect(server.logs()).not.toContain("Offsets-Canary-7781");
  });
});
