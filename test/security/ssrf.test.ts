// Attack 3 — making vaultwire call a server of the attacker's choosing and
// read the answer back. spec.connect_urls are the Kafka Connect URLs the
// reconciler calls: only an organization admin sets them; cloud metadata,
// loopback (in any spelling) and the like are refused with a field error
// unless the operator allows a host (VAULTWIRE_ALLOWED_CONNECT_HOSTS); and a
// server that is not Kafka Connect never gets its answer copied into a
// connector's status trace or a log line.
//
// Depends on: the SSRF fix of branch h-ssrf (merged in main, 7cba921; its
// operator setting is ServerSettings.allowedConnectHosts, which harness.ts
// sets to ["127.0.0.1"] unless a test says otherwise). Passes on main.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector } from "../http/harness.js";
import { CanaryRegistry } from "./canaries.js";
import { startFakeConnect, waitUntil, type FakeConnect } from "./fake-connect.js";
import { createApiKey, expectNoCanaries, startSecureServer, startSecurityAzure, storeTargets, type SecureServer, type SecurityAzure } from "./harness.js";

interface V2Error { errors: { status: string; detail: string; source?: { pointer: string } }[] }
interface Status { connector: { state: string; trace: string | null }; tasks: { trace: string | null }[] }

const registry = new CanaryRegistry();
let azure: SecurityAzure;
beforeAll(async () => { azure = await startSecurityAzure(registry); });
afterAll(async () => { await azure.close(); });

const clusterSpec = (environmentId: string, connectUrls: string[]) => ({
  spec: { display_name: "ssrf", availability: "SINGLE_ZONE", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated", cku: 1 }, environment: { id: environmentId }, networking: "PUBLIC", kafka_bootstrap_servers: "localhost:9092", connect_urls: connectUrls },
});

describe.each(storeTargets())("Kafka Connect URLs on $name", (target) => {
  describe("without VAULTWIRE_ALLOWED_CONNECT_HOSTS", () => {
    let server: SecureServer;
    let environmentId: string;
    let clusterId: string;

    beforeAll(async () => {
      server = await startSecureServer(target, azure, { allowedConnectHosts: [] });
      environmentId = (await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "ssrf" })).body.id;
      const cluster = await server.api<{ id: string }>("POST", "/cmk/v2/clusters", clusterSpec(environmentId, []));
      expect(cluster.status, cluster.text).toBe(202);
      clusterId = cluster.body.id;
    });
    afterAll(async () => { await server.close(); });

    it("an environment-scoped key may not set spec.connect_urls, on create or update (403)", async () => {
      const key = await createApiKey(server, { role: "EnvironmentAdmin", environmentId });
      const patch = await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${clusterId}`, { spec: { connect_urls: ["https://connect.example.com:8083"] } }, { auth: key.auth });
      expect(patch.status, patch.text).toBe(403);
      const create = await server.api("POST", "/cmk/v2/clusters", clusterSpec(environmentId, ["https://connect.example.com:8083"]), { auth: key.auth });
      expect(create.status, create.text).toBe(403);
      const read = await server.api<{ spec: { connect_urls: string[] } }>("GET", `/cmk/v2/clusters/${clusterId}`);
      expect(read.body.spec.connect_urls).toEqual([]);
    });

    it.each([
      ["cloud metadata", "http://169.254.169.254/latest"],
      ["cloud metadata over IPv6", "http://[fd00:ec2::254]/latest"],
      ["IPv6 loopback", "http://[::1]:22"],
      ["loopback in hex", "http://0x7f000001:6379"],
      ["loopback as one number", "http://2130706433:8083"],
      ["loopback", "http://127.0.0.1:8083"],
      ["loopback elsewhere in 127/8", "http://127.1.2.3:8083"],
      ["IPv4-mapped loopback", "http://[::ffff:127.0.0.1]:8083"],
      ["the unspecified address", "http://0.0.0.0:8083"],
    ])("an organization admin is refused %s (400 on spec.connect_urls[0])", async (_label, url) => {
      const response = await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${clusterId}`, { spec: { connect_urls: [url] } });
      expect(response.status, response.text).toBe(400);
      expect(response.body.errors.map((e) => e.source?.pointer)).toEqual(["/spec/connect_urls/0"]);
      const create = await server.api<V2Error>("POST", "/cmk/v2/clusters", clusterSpec(environmentId, ["https://connect.example.com:8083", url]));
      expect(create.status, create.text).toBe(400);
      expect(create.body.errors.map((e) => e.source?.pointer)).toEqual(["/spec/connect_urls/1"]);
    });

    it("still accepts a public Kafka Connect URL", async () => {
      const response = await server.api<{ spec: { connect_urls: string[] } }>("PATCH", `/cmk/v2/clusters/${clusterId}`, { spec: { connect_urls: ["https://connect.example.com:8083"] } });
      expect(response.status, response.text).toBe(200);
      expect(response.body.spec.connect_urls).toEqual(["https://connect.example.com:8083"]);
    });

    it("final scan", async () => { await expectNoCanaries(server); });
  });

  describe("with 127.0.0.1 allowed by the operator, a server that is not Kafka Connect", () => {
    let server: SecureServer;
    const foreign: { label: string; fake: FakeConnect; secret: string }[] = [];
    let environmentId: string;
    let integrationId: string;

    beforeAll(async () => {
      const html = registry.plant("foreign-response", `internal service answer, HTML (${target.name})`);
      const json = registry.plant("foreign-response", `internal service answer, JSON (${target.name})`);
      const text = registry.plant("foreign-response", `internal service answer, 200 text (${target.name})`);
      foreign.push(
        { label: "500 text/html", secret: html, fake: await startFakeConnect({ kind: "foreign", status: 500, contentType: "text/html", body: `<html><body><h1>Internal</h1><p>token=${html}</p></body></html>` }) },
        // JSON, but not Kafka Connect's error shape ({"error_code", "message"}), whose message vaultwire shows by design.
        { label: "403 JSON of another API", secret: json, fake: await startFakeConnect({ kind: "foreign", status: 403, contentType: "application/json", body: JSON.stringify({ status: 403, error: "Forbidden", detail: `session ${json} may not list /connectors`, path: "/connectors" }) }) },
        { label: "200 text/plain", secret: text, fake: await startFakeConnect({ kind: "foreign", status: 200, contentType: "text/plain", body: `ami-id\ninstance-id\n${text}\n` }) },
      );
      server = await startSecureServer(target, azure, { allowedConnectHosts: ["127.0.0.1"], realRuntime: true, reconcileIntervalMs: 500 });
      const seed = await seedEnvironment(server, azure, "foreign");
      environmentId = seed.environmentId;
      integrationId = seed.integrationId;
      // The seeded cluster's default URL is never called: point it at the first fake at once.
      expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [foreign[0]?.fake.url ?? ""] } })).status).toBe(200);
    });
    afterAll(async () => {
      await server.close();
      for (const f of foreign) await f.fake.close();
    });

    it.each([0, 1, 2])("the answer of server %i reaches no status trace, response or log", async (index) => {
      const entry = foreign[index];
      if (!entry) throw new Error("no fake");
      const cluster = await server.api<{ id: string }>("POST", "/cmk/v2/clusters", clusterSpec(environmentId, [entry.fake.url]));
      expect(cluster.status, cluster.text).toBe(202);
      const base = `/connect/v1/environments/${environmentId}/clusters/${cluster.body.id}`;
      const connector = specConnector(azure.vaultUri, integrationId, `foreign-${index}`);
      connector.config["database.password"] = azure.jsonSecret.identifier("password");
      expect((await server.api("POST", `${base}/connectors`, connector)).status).toBe(201);
      const status = await waitUntil(
        async () => (await server.api<Status>("GET", `${base}/connectors/foreign-${index}/status`)).body,
        (s) => entry.fake.requests.length > 0 && s.connector.trace !== null,
      );
      expect(entry.fake.requests.length, entry.label).toBeGreaterThan(0);
      // Give the reconciler a few more passes to copy the answer anywhere it would.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const after = await server.api<Status>("GET", `${base}/connectors/foreign-${index}/status`);
      for (const trace of [status.connector.trace, after.body.connector.trace, ...after.body.tasks.map((t) => t.trace)]) {
        expect(registry.scan(trace ?? "", `trace via ${entry.label}`)).toEqual([]);
      }
      expect(after.body.connector.state).not.toBe("RUNNING");
    });

    it("final scan: no answer of the internal services, and no other canary, anywhere", async () => {
      await expectNoCanaries(server);
    });
  });
});
