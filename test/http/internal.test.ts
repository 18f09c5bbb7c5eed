// /internal/v1: what Kafka Connect workers' ConfigProvider calls, with the
// cluster's worker token from GET /cmk/v2/clusters/{id}/worker-config.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, VAULT_USER, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("internal/v1 on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let other: Awaited<ReturnType<typeof seedEnvironment>>;
  let token: string;
  let otherToken: string;
  let managedId: string;
  let plainId: string;

  async function secrets(clusterId: string, connectorId: string, keys: string, bearer: string | null) {
    const response = await fetch(`${server.url}/internal/v1/clusters/${clusterId}/connectors/${connectorId}/secrets?keys=${encodeURIComponent(keys)}`, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
    return { status: response.status, body: await response.json() as { data?: Record<string, string>; error?: { code: number; message: string } }, headers: response.headers };
  }

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "dev");
    other = await seedEnvironment(server, azure, "other");
    const config = await server.api<{ properties: Record<string, string>; text: string }>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-config?environment=${seed.environmentId}`);
    token = config.body.properties["config.providers.vaultwire.param.token"] ?? "";
    otherToken = (await server.api<{ properties: Record<string, string> }>("GET", `/cmk/v2/clusters/${other.clusterId}/worker-config`)).body.properties["config.providers.vaultwire.param.token"] ?? "";
    await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "managed"));
    const plain = { ...specConnector(azure.vaultUri, seed.integrationId, "plain").config, "secret.manager.enabled": "false", "database.user": "sa", "database.password": "Plain-Canary-5512" };
    await server.api("PUT", `${seed.base}/connectors/plain/config`, plain);
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    managedId = ids.body.managed?.id.id ?? "";
    plainId = ids.body.plain?.id.id ?? "";
  });
  afterAll(async () => { await server.close(); });

  it("gives a cluster's workers the ConfigProvider properties with a per-cluster token", async () => {
    const config = await server.api<{ properties: Record<string, string>; text: string }>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-config`);
    expect(config.body.properties).toMatchObject({
      "config.providers": "vaultwire",
      "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
      "config.providers.vaultwire.param.url": server.url,
      "config.providers.vaultwire.param.cluster": seed.clusterId,
    });
    expect(token).toMatch(/^vwt_[A-Za-z0-9_-]{43}$/);
    expect(otherToken).not.toBe(token);
    expect(config.body.text).toContain(`config.providers.vaultwire.param.cluster=${seed.clusterId}\n`);
  });

  it("serves a connector's secret-manager values and its encrypted plaintext ones", async () => {
    const managed = await secrets(seed.clusterId, managedId, "database.user,database.password", token);
    expect(managed.status).toBe(200);
    expect(managed.body.data).toEqual({ "database.user": VAULT_USER, "database.password": VAULT_CANARY });
    expect(managed.headers.get("cache-control")).toBe("no-store");
    const plain = await secrets(seed.clusterId, plainId, "database.password", token);
    expect(plain.body.data).toEqual({ "database.password": "Plain-Canary-5512" });
  });

  it.each([
    ["no token", () => [seed.clusterId, managedId, "database.password", null] as const, 401, "invalid worker token"],
    ["a wrong token", () => [seed.clusterId, managedId, "database.password", "vwt_nope"] as const, 401, "invalid worker token"],
    ["another cluster's token", () => [seed.clusterId, managedId, "database.password", otherToken] as const, 401, "invalid worker token"],
    ["a connector of another cluster", () => [other.clusterId, managedId, "database.password", otherToken] as const, 404, "does not exist in Kafka cluster"],
    ["a key that is not a secret", () => [seed.clusterId, managedId, "database.hostname", token] as const, 404, "has no secret for database.hostname"],
    ["no keys", () => [seed.clusterId, managedId, "", token] as const, 400, "keys must name 1 to 100"],
  ])("refuses %s", async (_label, args, status, fragment) => {
    const [cluster, connector, keys, bearer] = args();
    const response = await secrets(cluster, connector, keys, bearer);
    expect(response.status).toBe(status);
    expect(response.body.error?.message).toContain(fragment);
    expect(JSON.stringify(response.body)).not.toContain(VAULT_CANARY);
  });

  it("audits every access without values, and nothing else ever carries them", () => {
    const audit = server.logs().split("\n").filter((line) => line.includes("\"audit\":\"secret-access\""));
    expect(audit.length).toBeGreaterThanOrEqual(8);
    expect(audit.some((line) => line.includes("\"outcome\":\"granted\"") && line.includes(managedId) && line.includes("database.password"))).toBe(true);
    expect(audit.some((line) => line.includes("denied: invalid worker token"))).toBe(true);
    expect(server.logs()).not.toContain(VAULT_CANARY);
    expect(server.logs()).not.toContain("Plain-Canary-5512");
    expect(server.responses()).not.toContain(VAULT_CANARY);
  });
});
