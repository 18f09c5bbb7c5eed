// Worker secret requests that could not be served are counted on /metrics by
// outcome class, never labelled with an id, a key, a token or a value.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, type AzureFixture, type TestServer } from "./harness.js";

const TOKEN = "config.providers.vaultwire.param.token";

describe("worker secret request metrics", () => {
  let azure: AzureFixture;
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let token: string;
  let connectorId: string;

  beforeAll(async () => {
    azure = await startAzureFixture();
    const sqlite = storeTargets().find((t) => t.name === "sqlite");
    if (!sqlite) throw new Error("no sqlite store target");
    server = await startTestServer(sqlite, azure);
    seed = await seedEnvironment(server, azure, "dev");
    token = (await server.api<{ properties: Record<string, string> }>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config?environment=${seed.environmentId}`, {})).body.properties[TOKEN] ?? "";
    await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "managed"));
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    connectorId = ids.body.managed?.id.id ?? "";
  });
  afterAll(async () => {
    await server.close();
    await azure.close();
  });

  const secrets = (keys: string, bearer: string | null) => fetch(`${server.url}/internal/v1/clusters/${seed.clusterId}/connectors/${connectorId}/secrets?keys=${encodeURIComponent(keys)}`, { headers: bearer === null ? {} : { authorization: `Bearer ${bearer}` } });
  const metrics = async () => (await fetch(`${server.url}/metrics`)).text();
  const count = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, "\\$&")} (\\d+)$`, "m").exec(text)?.[1] ?? "NaN");

  it("starts every outcome at 0 and counts a refused credential, a missing one, a non-secret key and a served request", async () => {
    const before = await metrics();
    for (const outcome of ["served", "refused_credential", "no_credential", "not_secret", "unknown_connector", "locked_out", "secret_error", "bad_keys", "internal_error"]) {
      expect(count(before, `vaultwire_worker_secret_requests_total{outcome="${outcome}"}`), outcome).toBe(0);
    }
    expect(count(before, `vaultwire_worker_secret_lookup_failures_total{kind="permanent"}`)).toBe(0);
    expect(count(before, `vaultwire_worker_secret_lookup_failures_total{kind="transient"}`)).toBe(0);

    expect((await secrets("database.password", `${token.slice(0, -4)}AAAA`)).status).toBe(401);
    expect((await secrets("database.password", "vwc_nope")).status).toBe(401);
    expect((await secrets("database.password", null)).status).toBe(401);
    expect((await secrets("database.hostname", token)).status).toBe(404);
    expect((await secrets("database.password", token)).status).toBe(200);

    const after = await metrics();
    expect(count(after, `vaultwire_worker_secret_requests_total{outcome="refused_credential"}`)).toBe(2);
    expect(count(after, `vaultwire_worker_secret_requests_total{outcome="no_credential"}`)).toBe(1);
    expect(count(after, `vaultwire_worker_secret_requests_total{outcome="not_secret"}`)).toBe(1);
    expect(count(after, `vaultwire_worker_secret_requests_total{outcome="served"}`)).toBe(1);
    expect(count(after, `vaultwire_worker_secret_requests_total{outcome="secret_error"}`)).toBe(0);
  });

  it("labels with outcome classes only: no ids, keys, tokens or values", async () => {
    const lines = (await metrics()).split("\n").filter((line) => line.startsWith("vaultwire_worker_secret_"));
    expect(lines.length).toBe(11);
    const text = lines.join("\n");
    for (const leak of [VAULT_CANARY, token, token.split("_")[1] ?? "wcr-", seed.clusterId, connectorId, "database.password", "database.hostname"]) expect(text).not.toContain(leak);
    expect(text).not.toMatch(/vwc_|wcr-|lkc-|lcc-/);
  });
});
