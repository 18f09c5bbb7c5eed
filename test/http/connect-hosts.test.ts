// Which Kafka Connect URLs a cluster may name, against a real server on each
// store: only organization admins set them, and special addresses are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { persistentStorage, seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

interface V2Error { errors: { status: string; code: string; detail: string; source?: { pointer: string } }[] }

const SETTING = "VAULTWIRE_ALLOWED_CONNECT_HOSTS";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

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
});
