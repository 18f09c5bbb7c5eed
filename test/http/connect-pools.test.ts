// Connect worker pools (decision 46): a Kafka cluster created the way
// Confluent's Terraform provider creates it (no endpoints) gets the Connect
// URLs and bootstrap servers of the operator's pool for its environment, its
// cloud/region or the default, and reports Confluent's endpoint fields and CRNs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConnectPools } from "../../src/domain/connect-pools.js";
import { DEFAULT_CONNECT_HOST_POLICY } from "../../src/domain/connect-host-policy.js";
import { persistentStorage, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

interface Cluster {
  id: string;
  metadata: { resource_name: string };
  spec: { connect_urls: string[]; kafka_bootstrap_servers: string; kafka_bootstrap_endpoint: string; http_endpoint: string; api_endpoint: string };
  status: { phase: string };
}

const pools = parseConnectPools({
  default: "shared",
  pools: [
    { name: "shared", connectUrls: ["http://connect-shared.internal:8083"], bootstrapServers: "kafka-shared.internal:9092" },
    { name: "westus3", connectUrls: ["http://connect-w1.internal:8083", "http://connect-w2.internal:8083"], bootstrapServers: "kafka-w.internal:9092", placements: ["AZURE/westus3"] },
    { name: "team", connectUrls: ["http://connect-team.internal:8083"], bootstrapServers: "kafka-team.internal:9092" },
  ],
}, DEFAULT_CONNECT_HOST_POLICY);

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("Connect worker pools on $name", (target) => {
  let server: TestServer;
  let environmentId: string;
  let teamEnvironmentId: string;

  /** What the Terraform provider sends for `confluent_kafka_cluster` with a `basic {}` block. */
  const providerBody = (environment: string, region = "westus3") => ({
    spec: { display_name: "tf-cluster", availability: "SINGLE_ZONE", cloud: "AZURE", region, config: { kind: "Basic" }, environment: { id: environment } },
  });

  let storage: Awaited<ReturnType<typeof persistentStorage>>;

  beforeAll(async () => {
    // The team pool serves one environment, known only once it exists: start once to create it, then with the pools.
    storage = await persistentStorage(target);
    const first = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir });
    environmentId = (await first.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "pools" })).body.id;
    teamEnvironmentId = (await first.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "team" })).body.id;
    await first.close();
    if (!pools.ok) throw new Error(pools.error.join("; "));
    const withTeam = { ...pools.value, pools: pools.value.pools.map((p) => (p.name === "team" ? { ...p, environments: [teamEnvironmentId] } : p)) };
    // Any host but the special addresses (an empty list), as the pools were parsed.
    server = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir, allowedConnectHosts: [], settings: (s) => ({ ...s, connectPools: withTeam }) });
  });
  afterAll(async () => {
    await server.close();
    await storage.drop();
  });

  it("a cluster created without endpoints gets its region's pool, and reports Confluent's endpoints and CRN", async () => {
    const created = await server.api<Cluster>("POST", "/cmk/v2/clusters", providerBody(environmentId));
    expect(created.status, created.text).toBe(202);
    expect(created.body.spec).toMatchObject({
      connect_urls: ["http://connect-w1.internal:8083", "http://connect-w2.internal:8083"],
      kafka_bootstrap_servers: "kafka-w.internal:9092",
      kafka_bootstrap_endpoint: "SASL_SSL://kafka-w.internal:9092",
      http_endpoint: server.url,
      api_endpoint: server.url,
    });
    expect(created.body.metadata.resource_name.endsWith(`/cloud-cluster=${created.body.id}/kafka=${created.body.id}`)).toBe(true);
    // What the provider reads back after create and at every plan.
    const read = await server.api<Cluster>("GET", `/cmk/v2/clusters/${created.body.id}?environment=${environmentId}`);
    expect(read.body).toEqual(created.body);
    expect(read.body.status.phase).toBe("PROVISIONED");
  });

  it("an environment's pool wins over the region's; other placements get the default pool", async () => {
    const team = await server.api<Cluster>("POST", "/cmk/v2/clusters", providerBody(teamEnvironmentId));
    expect(team.body.spec.connect_urls).toEqual(["http://connect-team.internal:8083"]);
    const elsewhere = await server.api<Cluster>("POST", "/cmk/v2/clusters", providerBody(environmentId, "eastus"));
    expect(elsewhere.body.spec).toMatchObject({ connect_urls: ["http://connect-shared.internal:8083"], kafka_bootstrap_servers: "kafka-shared.internal:9092" });
  });

  it("a cluster given its own endpoints keeps them; a later update can change them", async () => {
    const own = await server.api<Cluster>("POST", "/cmk/v2/clusters", { spec: { ...providerBody(environmentId).spec, kafka_bootstrap_servers: "mine:9092" } });
    expect(own.body.spec).toMatchObject({ connect_urls: [], kafka_bootstrap_servers: "mine:9092" });
    const pooled = await server.api<Cluster>("POST", "/cmk/v2/clusters", providerBody(environmentId));
    const changed = await server.api<Cluster>("PATCH", `/cmk/v2/clusters/${pooled.body.id}`, { spec: { connect_urls: ["http://connect-other.internal:8083"] } });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.spec).toMatchObject({ connect_urls: ["http://connect-other.internal:8083"], kafka_bootstrap_servers: "kafka-w.internal:9092" });
  });

  it("an environment admin's cluster gets the pool too (pools are the operator's, not the caller's URLs)", async () => {
    const key = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "env admin", resource: { id: environmentId } } });
    expect(key.status, key.text).toBe(202);
    const auth = { key: key.body.id, secret: key.body.spec.secret };
    const created = await server.api<Cluster>("POST", "/cmk/v2/clusters", providerBody(environmentId), { auth });
    expect(created.status, created.text).toBe(202);
    expect(created.body.spec.connect_urls).toEqual(["http://connect-w1.internal:8083", "http://connect-w2.internal:8083"]);
    // The pools name internal hosts: listing them needs an organization-wide key.
    const listed = await server.api<{ errors: { detail: string }[] }>("GET", "/cmk/v2/connect-pools", undefined, { auth });
    expect(listed.status).toBe(403);
    expect(listed.body.errors[0]?.detail).toContain("listing the Connect worker pools");
    // Naming Connect URLs itself still needs an organization admin.
    const named = await server.api<{ errors: { detail: string }[] }>("POST", "/cmk/v2/clusters", { spec: { ...providerBody(environmentId).spec, connect_urls: ["http://connect-x.internal:8083"] } }, { auth });
    expect(named.status).toBe(403);
  });

  it("lists the pools for an organization-wide key: endpoints, what each serves, the default", async () => {
    const listed = await server.api<{ kind: string; data: { name: string; connect_urls: string[]; kafka_bootstrap_servers: string; environments: string[]; placements: string[]; default: boolean }[] }>("GET", "/cmk/v2/connect-pools");
    expect(listed.status).toBe(200);
    expect(listed.body.kind).toBe("ConnectPoolList");
    expect(listed.body.data).toEqual([
      { name: "shared", connect_urls: ["http://connect-shared.internal:8083"], kafka_bootstrap_servers: "kafka-shared.internal:9092", environments: [], placements: [], default: true },
      { name: "westus3", connect_urls: ["http://connect-w1.internal:8083", "http://connect-w2.internal:8083"], kafka_bootstrap_servers: "kafka-w.internal:9092", environments: [], placements: ["AZURE/westus3"], default: false },
      { name: "team", connect_urls: ["http://connect-team.internal:8083"], kafka_bootstrap_servers: "kafka-team.internal:9092", environments: [teamEnvironmentId], placements: [], default: false },
    ]);
  });

  it("a bad cluster is still a 400 naming the field, before any pool is chosen", async () => {
    const bad = await server.api<{ errors: { detail: string; source?: { pointer: string } }[] }>("POST", "/cmk/v2/clusters", { spec: { ...providerBody(environmentId).spec, region: "west us" } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e) => e.source?.pointer)).toEqual(["/spec/region"]);
  });
});
