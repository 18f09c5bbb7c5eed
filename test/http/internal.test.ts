// /internal/v1: what Kafka Connect workers' ConfigProvider calls, with a
// worker credential of the cluster (created by an organization admin with
// POST /cmk/v2/clusters/{id}/worker-credentials or POST …/worker-config).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, VAULT_USER, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

interface CredentialBody { id: string; spec: { cluster: { id: string }; description: string; secret?: string }; status: { last_used_at: string | null } }
interface WorkerConfigBody { cluster: { id: string }; properties: Record<string, string>; text: string; credential?: { id: string } }
const TOKEN = "config.providers.vaultwire.param.token";

describe.each(storeTargets())("internal/v1 on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let other: Awaited<ReturnType<typeof seedEnvironment>>;
  let token: string;
  let otherToken: string;
  let managedId: string;
  let plainId: string;
  let envKey: { key: string; secret: string };

  async function secrets(clusterId: string, connectorId: string, keys: string, bearer: string | null, address?: string) {
    const response = await fetch(`${server.url}/internal/v1/clusters/${clusterId}/connectors/${connectorId}/secrets?keys=${encodeURIComponent(keys)}`, { headers: { ...(bearer === null ? {} : { authorization: `Bearer ${bearer}` }), ...(address === undefined ? {} : { "x-forwarded-for": address }) } });
    return { status: response.status, body: await response.json() as { data?: Record<string, string>; error?: { code: number; message: string } }, headers: response.headers };
  }

  it("audits the worker by the name its ConfigProvider sends", async () => {
    const response = await fetch(`${server.url}/internal/v1/clusters/${seed.clusterId}/connectors/${managedId}/secrets?keys=database.password`, { headers: { authorization: `Bearer ${token}`, "x-vaultwire-worker": "connect-7.prod", "user-agent": "vaultwire-config-provider/0.1.0 (worker connect-7.prod)" } });
    expect(response.status).toBe(200);
    const line = server.logs().split("\n").reverse().find((l) => l.includes("\"audit\":\"secret-access\"") && l.includes("\"outcome\":\"granted\""));
    expect(line).toContain("\"worker\":\"connect-7.prod\"");
    expect(line).toContain("vaultwire-config-provider/0.1.0 (worker connect-7.prod)");
  });

  beforeAll(async () => {
    server = await startTestServer(target, azure, { trustedProxies: ["127.0.0.1"] });
    seed = await seedEnvironment(server, azure, "dev");
    other = await seedEnvironment(server, azure, "other");
    // Its own Connect workers: a credential also opens the connectors of clusters on the same workers (decision 48).
    const moved = await server.api("PATCH", `/cmk/v2/clusters/${other.clusterId}`, { spec: { connect_urls: ["http://127.0.0.1:8084"] } });
    if (moved.status !== 200) throw new Error(`moving the other cluster failed: ${moved.text}`);
    const config = await server.api<WorkerConfigBody>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config?environment=${seed.environmentId}`, {});
    token = config.body.properties[TOKEN] ?? "";
    otherToken = (await server.api<CredentialBody>("POST", `/cmk/v2/clusters/${other.clusterId}/worker-credentials`, { spec: { description: "other pool" } })).body.spec.secret ?? "";
    await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "managed"));
    const plain = { ...specConnector(azure.vaultUri, seed.integrationId, "plain").config, "secret.manager.enabled": "false", "database.user": "sa", "database.password": "Plain-Canary-5512" };
    await server.api("PUT", `${seed.base}/connectors/plain/config`, plain);
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    managedId = ids.body.managed?.id.id ?? "";
    plainId = ids.body.plain?.id.id ?? "";
    const key = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "env admin", resource: { id: seed.environmentId } } });
    envKey = { key: key.body.id, secret: key.body.spec.secret };
  });
  afterAll(async () => { await server.close(); });

  it("reading a cluster's worker config never reveals a credential; creating one shows it once", async () => {
    const config = await server.api<WorkerConfigBody>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-config`);
    expect(config.status).toBe(200);
    // Only real key=value pairs: the cluster's bootstrap servers (the harness registers localhost:9092),
    // the rebalance delay, the ConfigProvider; what the worker sets itself is in comments of the text.
    expect(config.body.properties).toEqual({
      "bootstrap.servers": "localhost:9092",
      "scheduled.rebalance.max.delay.ms": "15000",
      "config.providers": "vaultwire",
      "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
      "config.providers.vaultwire.param.url": server.url,
      "config.providers.vaultwire.param.cluster": seed.clusterId,
    });
    expect(config.body.credential).toBeUndefined();
    expect(config.body.text).toContain(`config.providers.vaultwire.param.cluster=${seed.clusterId}\n`);
    expect(config.body.text).toContain("# The worker credential is not shown here");
    expect(config.body.text).toContain("\nbootstrap.servers=localhost:9092\n");
    expect(config.body.text).toContain("\nscheduled.rebalance.max.delay.ms=15000\n");
    expect(config.body.text).toContain("#   group.id=<");
    expect(config.body.text).toContain("#   plugin.path=<");
    // Every line is a comment or one of the properties.
    const pairs = config.body.text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(pairs).toEqual(Object.entries(config.body.properties).map(([k, v]) => `${k}=${v}`));
    expect(token).toMatch(/^vwc_wcr-[a-z0-9]+_[A-Za-z0-9_-]{43}$/);
    expect(otherToken).toMatch(/^vwc_wcr-/);
    expect(otherToken).not.toBe(token);
    const created = await server.api<WorkerConfigBody>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, { spec: { description: "pool B" } });
    expect(created.status).toBe(201);
    expect(created.headers.get("cache-control")).toBe("no-store");
    expect(created.body.credential?.id).toMatch(/^wcr-/);
    expect(created.body.text).toContain(`${TOKEN}=${created.body.properties[TOKEN] ?? "missing"}\n`);
    // Two credentials are valid at once (rotation without downtime).
    expect((await secrets(seed.clusterId, managedId, "database.password", token)).status).toBe(200);
    expect((await secrets(seed.clusterId, managedId, "database.password", created.body.properties[TOKEN] ?? "")).status).toBe(200);
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
    ["no token", () => [seed.clusterId, managedId, "database.password", null] as const, 401, "invalid or revoked worker credential"],
    ["a wrong token", () => [seed.clusterId, managedId, "database.password", "vwc_nope"] as const, 401, "invalid or revoked worker credential"],
    ["a right id with a wrong secret", () => [seed.clusterId, managedId, "database.password", `${token.slice(0, -4)}AAAA`] as const, 401, "invalid or revoked worker credential"],
    ["another cluster's credential", () => [seed.clusterId, managedId, "database.password", otherToken] as const, 401, "invalid or revoked worker credential"],
    ["a connector of another cluster", () => [other.clusterId, managedId, "database.password", otherToken] as const, 404, "does not exist in Kafka cluster"],
    ["a key that is not a secret", () => [seed.clusterId, managedId, "database.hostname", token] as const, 404, "has no secret for database.hostname"],
    ["no keys", () => [seed.clusterId, managedId, "", token] as const, 400, "keys must name 1 to 100"],
  ])("refuses %s", async (_label, args, status, fragment) => {
    const [cluster, connector, keys, bearer] = args();
    const response = await secrets(cluster, connector, keys, bearer);
    expect(response.status).toBe(status);
    expect(response.body.error?.message).toContain(fragment);
    expect(JSON.stringify(response.body)).not.toContain(VAULT_CANARY);
    if (status === 401) expect(response.headers.get("www-authenticate")).toContain("Bearer");
  });

  it("the worker token of the old scheme (derived from the master key) opens nothing", async () => {
    const { createHmac } = await import("node:crypto");
    const guess = `vwt_${createHmac("sha256", "x").update(seed.clusterId).digest("base64url")}`;
    expect((await secrets(seed.clusterId, managedId, "database.password", guess)).status).toBe(401);
  });

  it("the reviewed attack: an environment-scoped key cannot obtain any worker credential", async () => {
    const auth = envKey;
    // The key may manage its environment's connectors…
    const created = await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "attacker"), { auth });
    expect(created.status).toBe(201);
    // …but the worker config it reads has no credential,
    const config = await server.api<WorkerConfigBody>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, undefined, { auth });
    expect(config.status).toBe(200);
    expect(config.body.properties[TOKEN]).toBeUndefined();
    expect(config.text).not.toMatch(/vwc_|vwt_/);
    // and it can neither create one nor list them.
    for (const [method, path] of [["POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`], ["POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`], ["GET", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`]] as const) {
      const response = await server.api(method, path, method === "POST" ? {} : undefined, { auth });
      expect(response.status, `${method} ${path}`).toBe(403);
      expect(response.text).not.toMatch(/vwc_/);
    }
    // Another environment's cluster is not even visible.
    expect((await server.api("POST", `/cmk/v2/clusters/${other.clusterId}/worker-credentials`, {}, { auth })).status).toBe(404);
  });

  it("lists credentials without secrets, with when each was last used; revoking one refuses it at once", async () => {
    const list = await server.api<{ data: CredentialBody[] }>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`);
    expect(list.status).toBe(200);
    expect(list.body.data.length).toBeGreaterThanOrEqual(2);
    expect(list.text).not.toMatch(/vwc_/);
    expect(list.body.data.every((c) => c.spec.secret === undefined)).toBe(true);
    const used = list.body.data.find((c) => token.startsWith(`vwc_${c.id}_`));
    expect(used?.status.last_used_at).toMatch(/^\d{4}-/);
    const fresh = await server.api<CredentialBody>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, { spec: { description: "to revoke" } });
    const freshToken = fresh.body.spec.secret ?? "";
    expect((await secrets(seed.clusterId, managedId, "database.password", freshToken)).status).toBe(200);
    expect((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${fresh.body.id}`)).status).toBe(204);
    expect((await secrets(seed.clusterId, managedId, "database.password", freshToken)).status).toBe(401);
    expect((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${fresh.body.id}`)).status).toBe(404);
    // A credential id of one cluster cannot be revoked through another.
    const otherList = await server.api<{ data: CredentialBody[] }>("GET", `/cmk/v2/clusters/${other.clusterId}/worker-credentials`);
    expect((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${otherList.body.data[0]?.id ?? ""}`)).status).toBe(404);
  });

  it("an organization-wide Operator sees credentials but cannot create or revoke them", async () => {
    const operator = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: "on call", role: "Operator" } });
    expect(operator.status, operator.text).toBe(202);
    const auth = { key: operator.body.id, secret: operator.body.spec.secret };
    const list = await server.api<{ data: CredentialBody[] }>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, undefined, { auth });
    expect(list.status).toBe(200);
    expect(list.text).not.toMatch(/vwc_/);
    expect((await server.api("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, {}, { auth })).status).toBe(403);
    expect((await server.api("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, {}, { auth })).status).toBe(403);
    expect((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${list.body.data[0]?.id ?? ""}`, undefined, { auth })).status).toBe(403);
    const config = await server.api<WorkerConfigBody>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, undefined, { auth });
    expect(config.body.properties[TOKEN]).toBeUndefined();
  });

  it("locks a credential out at an address after repeated wrong secrets, without locking out other workers", async () => {
    const address = "198.51.100.7";
    const credentialId = /^vwc_(wcr-[a-z0-9]+)_/.exec(token)?.[1] ?? "";
    for (let i = 0; i < 10; i++) expect((await secrets(seed.clusterId, managedId, "database.password", `vwc_${credentialId}_${String(i).padStart(43, "A")}`, address)).status).toBe(401);
    const locked = await secrets(seed.clusterId, managedId, "database.password", token, address);
    expect(locked.status).toBe(429);
    expect(locked.headers.get("retry-after")).toMatch(/^\d+$/);
    // The same credential from another worker, and another credential from this address, still work.
    expect((await secrets(seed.clusterId, managedId, "database.password", token, "198.51.100.8")).status).toBe(200);
    const second = await server.api<CredentialBody>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, { spec: { description: "same host, other pool" } });
    expect((await secrets(seed.clusterId, managedId, "database.password", second.body.spec.secret ?? "", address)).status).toBe(200);
  });

  it("locks an address out after a flood of invalid worker tokens", async () => {
    const address = "198.51.100.9";
    for (let i = 0; i < 100; i++) expect((await secrets(seed.clusterId, managedId, "database.password", `vwc_wcr-guess${i}_${"A".repeat(43)}`, address)).status).toBe(401);
    expect((await secrets(seed.clusterId, managedId, "database.password", token, address)).status).toBe(429);
  });

  it("a cluster's credentials go with it", async () => {
    const env = await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "short-lived" });
    const cluster = await server.api<{ id: string }>("POST", "/cmk/v2/clusters", { spec: { display_name: "gone", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated" }, environment: { id: env.body.id } } });
    const credential = await server.api<CredentialBody>("POST", `/cmk/v2/clusters/${cluster.body.id}/worker-credentials`, {});
    expect(credential.status).toBe(201);
    expect((await server.api("DELETE", `/cmk/v2/clusters/${cluster.body.id}`)).status).toBe(204);
    expect((await server.api("GET", `/cmk/v2/clusters/${cluster.body.id}/worker-credentials`)).status).toBe(404);
  });

  it("audits every answer and refusal, naming the credential, without values", () => {
    const audit = server.logs().split("\n").filter((line) => line.includes("\"audit\":\"secret-access\""));
    expect(audit.length).toBeGreaterThanOrEqual(20);
    const credentialId = /^vwc_(wcr-[a-z0-9]+)_/.exec(token)?.[1] ?? "none";
    expect(audit.some((line) => line.includes("\"outcome\":\"granted\"") && line.includes(managedId) && line.includes("database.password") && line.includes(`"credential":"${credentialId}"`))).toBe(true);
    expect(audit.some((line) => line.includes("denied: invalid or revoked worker credential"))).toBe(true);
    expect(audit.some((line) => line.includes("denied: too many failed worker tokens"))).toBe(true);
    expect(audit.some((line) => line.includes("denied: not secret keys"))).toBe(true);
    expect(server.logs()).not.toContain(VAULT_CANARY);
    expect(server.logs()).not.toContain("Plain-Canary-5512");
    expect(server.logs()).not.toMatch(/vwc_wcr-[a-z0-9]+_[A-Za-z0-9_-]{43}/);
    expect(server.responses()).not.toContain(VAULT_CANARY);
    expect(ADMIN_KEY).toBeTruthy();
  });
});
