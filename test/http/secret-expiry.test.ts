// Rotation without outage, through the server: the real reconciler reads
// secrets from the Azure emulator with the official SDK and runs connectors
// on a Kafka Connect REST double. A secret near its `exp` puts a warning on
// the connector's status and a series on the expiry gauge; an expired one
// fails the connector before it is deployed; a task that fails to
// authenticate makes vaultwire re-read its secrets live (not waiting for the
// poll): a new version restarts it once, the same version keeps it FAILED
// with the database advice and a note. No secret value in any answer.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeConnect, waitUntil, type FakeConnect } from "../security/fake-connect.js";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, VAULT_USER, type AzureFixture, type TestServer } from "./harness.js";

const DAY_MS = 86_400_000;
const AUTH_REFUSED = "com.microsoft.sqlserver.jdbc.SQLServerException: Login failed for user 'cdc'. ClientConnectionId:0a1b";

interface V1Status { connector: { state: string; trace: string; warnings?: { code: string; key: string; secret: string; expires_at: string; message: string }[] }; tasks: { state: string; msg: string }[] }

describe.each(storeTargets())("secret expiry and reactive refresh on $name", (target) => {
  let azure: AzureFixture;
  let fake: FakeConnect;
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let connectorId = "";
  const expiresAt = new Date(Math.floor((Date.now() + 10 * DAY_MS) / 1000) * 1000);
  const rotated = `Rotated-Canary-${crypto.randomUUID()}`;

  const status = async (name: string) => (await server.api<V1Status>("GET", `${seed.base}/connectors/${name}/status`)).body;
  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
  const expirySeries = (text: string) => text.split("\n").filter((line) => line.startsWith("vaultwire_secret_expiry_seconds{"));
  const restarts = () => fake.requests.filter((r) => r.method === "POST" && r.url.startsWith(`/connectors/${connectorId}/restart`)).length;

  beforeAll(async () => {
    azure = await startAzureFixture();
    azure.emulator.updateSecret("sql-vault", "sqlserver-db-secret", { expiresOn: expiresAt });
    azure.emulator.setSecret("sql-vault", "expired-db-secret", JSON.stringify({ user: VAULT_USER, password: VAULT_CANARY }), { expiresOn: new Date(Date.now() - DAY_MS) });
    fake = await startFakeConnect();
    // The poll is 10 minutes away: whatever happens here is the reconcile pass or the reactive path.
    server = await startTestServer(target, azure, { reconcileIntervalMs: 300, secretRefreshIntervalMs: 600_000, secretExpiryWarningDays: 30 });
    seed = await seedEnvironment(server, azure, "expiry");
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [fake.url] } })).status).toBe(200);
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
    await azure.close();
  });

  it("puts a SECRET_NEAR_EXPIRY warning per key on the status of a running connector, naming the secret and the date", async () => {
    expect((await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "expiring"))).status).toBe(201);
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    connectorId = ids.body.expiring?.id.id ?? "";
    const body = await waitUntil(() => status("expiring"), (s) => s.connector.state === "RUNNING" && (s.connector.warnings?.length ?? 0) > 0);
    expect(body.connector.state).toBe("RUNNING");
    const date = expiresAt.toISOString();
    expect(body.connector.warnings).toEqual(["database.password", "database.user"].map((key) => ({
      code: "SECRET_NEAR_EXPIRY", key, secret: `${azure.vaultUri}::sqlserver-db-secret::${key === "database.user" ? "user" : "password"}`, expires_at: date,
      message: expect.stringMatching(new RegExp(`^${key.replace(".", "\\.")} \\(https://.*\\): the secret expires at ${date} \\(in (9|10) days\\); store a new version or extend its expiration date in Azure Key Vault before then`)) as unknown,
    })));
    // The same in the list's expansion.
    const listed = await server.api<Record<string, { status: V1Status }>>("GET", `${seed.base}/connectors?expand=status`);
    expect(listed.body.expiring?.status.connector.warnings).toHaveLength(2);
    expect(JSON.stringify([body, listed.body])).not.toContain(VAULT_CANARY);
  });

  it("reports seconds to expiry per integration and secret on /metrics, once per secret, without values", async () => {
    const series = expirySeries(await metrics());
    expect(series).toHaveLength(1);
    const match = /^vaultwire_secret_expiry_seconds\{integration="([^"]+)",secret="([^"]+)"\} (-?\d+)$/.exec(series[0] ?? "");
    expect(match?.[1]).toBe(seed.integrationId);
    expect(match?.[2]).toBe(`${azure.vaultUri}::sqlserver-db-secret`);
    const seconds = Number(match?.[3]);
    expect(Math.abs(seconds - (expiresAt.getTime() - Date.now()) / 1000)).toBeLessThan(120);
    expect(series.join("\n")).not.toContain(VAULT_CANARY);
    expect(series.join("\n")).not.toContain(VAULT_USER);
  });

  it("fails a connector whose secret has expired before deploying it, and names the date", async () => {
    const { config } = specConnector(azure.vaultUri, seed.integrationId, "expired");
    const created = await server.api("POST", `${seed.base}/connectors`, { name: "expired", config: { ...config, "database.user": `${azure.vaultUri}::expired-db-secret::user`, "database.password": `${azure.vaultUri}::expired-db-secret::password` } });
    // The create's own dry run refuses it already, naming the expiry.
    expect(created.status).toBe(400);
    expect(created.text).toContain("expired at");
    expect(created.text).not.toContain(VAULT_CANARY);
    expect([...fake.configs.values()].some((c) => c.name === "expired")).toBe(false);
  });

  it("re-reads the secrets of a connector whose task fails to authenticate, without the poll: a new version restarts it once, then the same version keeps it FAILED with a note", async () => {
    // The database's password changed first, the vault's second: the task fails with the old one.
    azure.emulator.setSecret("sql-vault", "sqlserver-db-secret", JSON.stringify({ user: VAULT_USER, password: rotated }), { expiresOn: new Date(expiresAt.getTime() + 60 * DAY_MS) });
    fake.traces.set(connectorId, AUTH_REFUSED);
    await waitUntil(() => Promise.resolve(restarts()), (n) => n >= 1);
    expect(restarts()).toBe(1);
    expect(server.logs()).toContain("the connector failed to authenticate: reading its secrets again, bypassing the cache");
    // The restarted task is refused again (the fake keeps failing): read once more, the same version, no second restart.
    const failed = await waitUntil(() => status("expiring"), (s) => s.connector.trace.includes("again from Azure Key Vault at"));
    expect(failed.connector.state).toBe("FAILED");
    expect(failed.connector.trace).toContain("the database rejected the credentials read from Azure Key Vault for database.password");
    expect(failed.connector.trace).toContain("the versions are the ones the connector was started with");
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(restarts()).toBe(1);
    // The live read saw the new exp too: beyond 30 days, no warning, and the gauge moved.
    expect(failed.connector.warnings).toBeUndefined();
    expect(Number(/ (-?\d+)$/.exec(expirySeries(await metrics())[0] ?? "")?.[1])).toBeGreaterThan(60 * 86_400);
    const everything = JSON.stringify(failed) + await metrics() + server.logs();
    for (const value of [VAULT_CANARY, rotated]) expect(everything).not.toContain(value);
  });

  it("drops the connector's secrets from the gauge once it is deleted", async () => {
    expect((await server.api("DELETE", `${seed.base}/connectors/expiring`)).status).toBe(200);
    const series = await waitUntil(async () => expirySeries(await metrics()), (s) => s.length === 0);
    expect(series).toEqual([]);
  });
});
