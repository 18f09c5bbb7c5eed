// Regressions found by driving vaultwire with Confluent's unmodified Terraform
// provider (docs/terraform.md): each request here is shaped exactly as the
// provider sends it (bodies taken from its TF_LOG=DEBUG output), and each
// answer is what it, or the Connect workers behind it, needed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectPools } from "../../src/domain/connect-pools.js";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, VAULT_USER, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

/** The operator's Connect workers: the pool every cluster created without endpoints runs on. */
const WORKERS = "http://127.0.0.1:8083";
const POOLS: ConnectPools = { defaultPool: "local", pools: [{ name: "local", connectUrls: [WORKERS], bootstrapServers: "localhost:9092", environments: [], placements: [] }] };
const TOKEN = "config.providers.vaultwire.param.token";

describe.each(storeTargets())("Confluent's Terraform provider on $name", (target) => {
  let server: TestServer;
  /** The cluster the operator set the pool's workers up with (worker-config --create-credential), as the quickstart does. */
  let workersCluster: Awaited<ReturnType<typeof seedEnvironment>>;
  let workersToken: string;

  async function secrets(clusterId: string, connectorId: string, bearer: string) {
    const response = await fetch(`${server.url}/internal/v1/clusters/${clusterId}/connectors/${connectorId}/secrets?keys=database.user,database.password`, { headers: { authorization: `Bearer ${bearer}` } });
    return { status: response.status, body: await response.json() as { data?: Record<string, string>; error?: { message: string } } };
  }

  /** confluent_environment, confluent_kafka_cluster (dedicated, no endpoints), the PIM v2 setup + authorization and confluent_connector, as the provider sends them. */
  async function providerConnector(name: string): Promise<{ environmentId: string; clusterId: string; connectorId: string }> {
    const environment = await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: `terraform-${name}` });
    expect(environment.status, environment.text).toBe(201);
    const environmentId = environment.body.id;
    const cluster = await server.api<{ id: string; spec: { connect_urls: string[] } }>("POST", "/cmk/v2/clusters", {
      spec: { availability: "SINGLE_ZONE", cloud: "AZURE", config: { cku: 1, kind: "Dedicated", release_priority: "REGULAR" }, display_name: `terraform-${name}`, environment: { id: environmentId, related: "", resource_name: "" }, region: "westus3" },
    });
    expect(cluster.status, cluster.text).toBe(202);
    expect(cluster.body.spec.connect_urls).toEqual([WORKERS]);
    const integration = await server.api<{ id: string }>("POST", "/pim/v2/integrations", { display_name: `terraform-${name}-akv`, provider: "azure", environment: { id: environmentId } });
    expect(integration.status, integration.text).toBe(201);
    const authorized = await server.api("PATCH", `/pim/v2/integrations/${integration.body.id}`, { config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant }, environment: { id: environmentId } });
    expect(authorized.status, authorized.text).toBe(200);
    const base = `/connect/v1/environments/${environmentId}/clusters/${cluster.body.id}`;
    const connector = specConnector(azure.vaultUri, integration.body.id, `Terraform${name}`);
    const created = await server.api("POST", `${base}/connectors`, connector);
    expect(created.status, created.text).toBe(201);
    const listed = await server.api<Record<string, { id: { id: string } }>>("GET", `${base}/connectors?expand=info,status,id`);
    return { environmentId, clusterId: cluster.body.id, connectorId: listed.body[connector.name]?.id.id ?? "" };
  }

  beforeAll(async () => {
    server = await startTestServer(target, azure, { settings: (s) => ({ ...s, connectPools: POOLS }) });
    workersCluster = await seedEnvironment(server, azure, "workers");
    const config = await server.api<{ properties: Record<string, string> }>("POST", `/cmk/v2/clusters/${workersCluster.clusterId}/worker-config`, { spec: { description: "the local pool's workers" } });
    expect(config.status, JSON.stringify(config.body)).toBe(201);
    workersToken = config.body.properties[TOKEN] ?? "";
  });
  afterAll(async () => { await server.close(); });

  // confluent_connector: the provider creates its connector in a cluster it created, which runs on the
  // pool's workers; their ConfigProvider holds the credential of the cluster they were set up for. It
  // failed with "connector "lcc-…" does not exist in Kafka cluster "lkc-…"" while Connect validated the config.
  it("the pool's workers get the secrets of a connector in a cluster the provider created on that pool", async () => {
    const created = await providerConnector("cdc");
    expect(created.connectorId).toMatch(/^lcc-/);
    const served = await secrets(workersCluster.clusterId, created.connectorId, workersToken);
    expect(served.status, JSON.stringify(served.body)).toBe(200);
    expect(served.body.data).toEqual({ "database.user": VAULT_USER, "database.password": VAULT_CANARY });
    // The audit line names the connector's cluster beside the credential's.
    const line = server.logs().split("\n").reverse().find((l) => l.includes("\"audit\":\"secret-access\"") && l.includes(created.connectorId)) ?? "";
    expect(line).toContain(`"cluster":"${workersCluster.clusterId}"`);
    expect(line).toContain(`"connectorCluster":"${created.clusterId}"`);
    expect(line).not.toContain(VAULT_CANARY);
  });

  it("a cluster on other Connect workers stays closed to the pool's credential, and the other way round", async () => {
    const own = await seedEnvironment(server, azure, "elsewhere");
    const moved = await server.api("PATCH", `/cmk/v2/clusters/${own.clusterId}`, { spec: { connect_urls: ["http://127.0.0.1:8084"] } });
    expect(moved.status, moved.text).toBe(200);
    await server.api("POST", `${own.base}/connectors`, specConnector(azure.vaultUri, own.integrationId, "elsewhere"));
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${own.base}/connectors?expand=id`);
    const elsewhereId = ids.body.elsewhere?.id.id ?? "";
    const refused = await secrets(workersCluster.clusterId, elsewhereId, workersToken);
    expect(refused.status).toBe(404);
    expect(refused.body.error?.message).toContain("nor in another cluster on its Kafka Connect workers");
    expect(JSON.stringify(refused.body)).not.toContain(VAULT_CANARY);
    const ownToken = (await server.api<{ spec: { secret?: string } }>("POST", `/cmk/v2/clusters/${own.clusterId}/worker-credentials`, { spec: { description: "other workers" } })).body.spec.secret ?? "";
    const pooled = await providerConnector("pooled");
    const back = await secrets(own.clusterId, pooled.connectorId, ownToken);
    expect(back.status).toBe(404);
    expect(JSON.stringify(back.body)).not.toContain(VAULT_CANARY);
    // A credential still opens nothing under another cluster's id, pool or not.
    expect((await secrets(pooled.clusterId, pooled.connectorId, workersToken)).status).toBe(401);
  });
});
