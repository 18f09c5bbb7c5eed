// Which Kafka Connect URLs a cluster may name and vaultwire will call, against
// a real server on each store: only organization admins set them, special
// addresses are refused when stored and when called, and whatever a server
// that is not Connect answers never reaches a status, a response or a log.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseText, persistentStorage, plainConnector, seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

interface V2Error { errors: { status: string; code: string; detail: string; source?: { pointer: string } }[] }
interface Status { connector: { state: string; trace: string } }

const CANARY = "Canary-Metadata-Answer-4d2c81";
const SETTING = "VAULTWIRE_ALLOWED_CONNECT_HOSTS";

let azure: AzureFixture;
let notConnect: { url: string; requests: string[]; server: Server };
beforeAll(async () => {
  azure = await startAzureFixture();
  const requests: string[] = [];
  // Stands for whatever an attacker points vaultwire at: an internal service that reflects things.
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ""} ${req.url ?? ""}`);
    res.writeHead(500, { "content-type": "text/html" }).end(`<html><body>instance credentials: ${CANARY}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  notConnect = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, server };
});
afterAll(async () => {
  notConnect.server.closeAllConnections();
  await new Promise((resolve) => notConnect.server.close(resolve));
  await azure.close();
});

describe.each(storeTargets())("Kafka Connect hosts on $name", (target) => {
  let storage: Awaited<ReturnType<typeof persistentStorage>>;
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let scoped: { key: string; secret: string };

  beforeAll(async () => {
    storage = await persistentStorage(target);
    server = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir });
    seed = await seedEnvironment(server, azure);
    const key = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "team", resource: { id: seed.environmentId } } });
    scoped = { key: key.body.id, secret: key.body.spec.secret };
  });
  afterAll(async () => {
    await server.close();
    await storage.drop();
  });

  async function statusOf(name: string, until: (status: Status) => boolean): Promise<Status> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const status = await server.api<Status>("GET", `${seed.base}/connectors/${name}/status`);
      if (until(status.body) || Date.now() > deadline) return status.body;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("lets only an organization admin set spec.connect_urls", async () => {
    const as = { auth: scoped };
    const spec = { display_name: "team-cluster", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated" }, environment: { id: seed.environmentId } };
    const created = await server.api<V2Error>("POST", "/cmk/v2/clusters", { spec: { ...spec, connect_urls: ["http://connect.example:8083"] } }, as);
    expect(created.status).toBe(403);
    expect(created.body.errors[0]).toMatchObject({ status: "403", code: "forbidden" });
    expect(created.body.errors[0]?.detail).toContain("setting spec.connect_urls needs an organization-wide API key");
    expect((await server.api("POST", "/cmk/v2/clusters", { spec }, as)).status).toBe(202);

    const patched = await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: ["http://169.254.169.254"] } }, as);
    expect(patched.status).toBe(403);
    expect(patched.body.errors[0]?.detail).toContain("setting spec.connect_urls needs an organization-wide API key");
    expect((await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [] } }, as)).status).toBe(403);
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { display_name: "renamed" } }, as)).status).toBe(200);
    const cluster = await server.api<{ spec: { connect_urls: string[]; display_name: string } }>("GET", `/cmk/v2/clusters/${seed.clusterId}`);
    expect(cluster.body.spec).toMatchObject({ display_name: "renamed", connect_urls: ["http://127.0.0.1:8083"] });
  });

  it.each([
    ["http://169.254.169.254", "169.254.169.254 is a cloud metadata address"],
    ["http://[::ffff:169.254.169.254]:80", "[::ffff:a9fe:a9fe] is a cloud metadata address"],
    ["http://metadata.google.internal.", "\"metadata.google.internal\" is not one of the Kafka Connect hosts this server allows"],
    ["http://[fe80::1]:8083", "[fe80::1] is a link-local address"],
    ["http://0.0.0.0:8083", "0.0.0.0 is an unspecified address"],
    ["http://127.0.0.2:8083", "127.0.0.2 is a loopback address"],
    ["http://10.0.0.5:8083", "10.0.0.5 is not one of the Kafka Connect hosts this server allows"],
  ])("refuses to store %s, naming the address and the setting", async (url, problem) => {
    const response = await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: ["http://127.0.0.1:8083", url] } });
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e) => e.source?.pointer)).toEqual(["/spec/connect_urls/1"]);
    expect(response.body.errors[0]?.detail).toContain(`spec.connect_urls[1]: ${problem}`);
    expect(response.body.errors[0]?.detail).toContain(SETTING);
  });

  it.each(["http://127.0.0.1:8083/latest/meta-data", "http://127.0.0.1:8083/?x", "http://u:p@127.0.0.1:8083"])("refuses %s: a host and a port, nothing else", async (url) => {
    const response = await server.api<V2Error>("POST", "/cmk/v2/clusters", { spec: { display_name: "x", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated" }, environment: { id: seed.environmentId }, connect_urls: [url] } });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.detail).toContain("spec.connect_urls[0] must be an http:// or https:// URL without credentials, query or fragment and with no path");
  });

  it("summarises what a server that is not Kafka Connect answers: nothing of it in the status, the API, the logs or the store", async () => {
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [`${notConnect.url}/`] } })).status).toBe(200);
    const created = await server.api<{ name: string }>("POST", `${seed.base}/connectors`, plainConnector("orders", "Plain-Pa55w0rd-e81f"));
    expect(created.status, created.text).toBe(201);
    const status = await statusOf("orders", (s) => s.connector.trace.includes("not Kafka Connect's API"));
    expect(status.connector.state).toBe("PROVISIONING");
    expect(status.connector.trace).toMatch(new RegExp(`^waiting for Kafka Connect: ${notConnect.url.replace(/\./g, "\\.")} answered 500 to GET /connectors(/lcc-[a-z0-9]+/config|\\?expand=status&expand=info), not Kafka Connect's API$`));
    expect(notConnect.requests.length).toBeGreaterThan(0);
    expect((await server.api("POST", `${seed.base}/connectors/orders/restart`)).status).toBe(202);
    expect(server.logs()).not.toContain(CANARY);
    expect(server.responses()).not.toContain(CANARY);
    expect(await databaseText(server)).not.toContain(CANARY);
  });

  it("refuses at request time a URL stored under an older setting, and a name that resolves to loopback", async () => {
    await server.close();
    server = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir, allowedConnectHosts: ["localhost"] });
    const before = notConnect.requests.length;
    // The URL stored above is loopback, which this setting no longer allows.
    const refused = await statusOf("orders", (s) => s.connector.state === "FAILED");
    expect(refused.connector.trace).toBe(`Kafka cluster "${seed.clusterId}": vaultwire will not call Kafka Connect at ${notConnect.url} (127.0.0.1 is a loopback address, which vaultwire refuses unless an operator allows it in ${SETTING} (allowedConnectHosts in the config file))`);

    for (const url of ["http://0x7f000001:6379", "http://2130706433:6379", "http://[::1]:22"]) {
      const response = await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [url] } });
      expect(response.status, url).toBe(400);
      expect(response.body.errors[0]?.detail).toMatch(/is a loopback address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS/);
    }
    // Allowed by name; but localhost resolves to loopback, which no entry allows.
    const port = new URL(notConnect.url).port;
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [`http://localhost:${port}`] } })).status).toBe(200);
    expect((await server.api("POST", `${seed.base}/connectors/orders/restart`)).status).toBe(202);
    const resolved = await statusOf("orders", (s) => s.connector.trace.includes("resolves to"));
    expect(resolved.connector).toMatchObject({ state: "FAILED", trace: expect.stringContaining(`vaultwire will not call Kafka Connect at http://localhost:${port} ("localhost" resolves to a loopback address`) as unknown });
    expect(notConnect.requests.length).toBe(before);
    expect(server.logs()).not.toContain(CANARY);
  });
});
