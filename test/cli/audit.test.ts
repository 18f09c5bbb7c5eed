// `vaultwire audit list` against a real server: the rows worker deliveries
// wrote, as a table (golden), JSON with every field, filters and limits; bad
// flags are usage errors and the server's 400s come back naming the field.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment } from "../http/harness.js";
import { expectCleanError, expectGolden, specConnector, startCliFixture, VAULT_CANARY, type CliFixture } from "./harness.js";

let f: CliFixture;
let seed: Awaited<ReturnType<typeof seedEnvironment>>;
let connectorId: string;

async function fetchSecrets(keys: string, token: string): Promise<number> {
  const response = await fetch(`${f.server.url}/internal/v1/clusters/${seed.clusterId}/connectors/${connectorId}/secrets?keys=${encodeURIComponent(keys)}`, { headers: { authorization: `Bearer ${token}`, "x-vaultwire-worker": "connect-9" } });
  await response.text();
  return response.status;
}

beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  seed = await seedEnvironment(f.server, f.azure, "audited");
  expect((await f.server.api("POST", `${seed.base}/connectors`, specConnector(f.azure.vaultUri, seed.integrationId, "orders"))).status).toBe(201);
  connectorId = (await f.server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`)).body.orders?.id.id ?? "";
  const token = (await f.server.api<{ spec: { secret: string } }>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, { spec: { description: "pool" } })).body.spec.secret;
  expect(await fetchSecrets("database.password", token)).toBe(200);
  expect(await fetchSecrets("database.hostname", token)).toBe(404);
  expect(await fetchSecrets("connector.class,database.port", token)).toBe(404);
  await f.server.running.auditTrail.flush();
});
afterAll(async () => { await f.close(); });

describe("vaultwire audit list", () => {
  it("prints the refusals as a table", async () => {
    const table = await f.ok(["audit", "list", "--type", "secret.access.refused"]);
    expect(table).toMatch(/\n \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \| secret\.access\.refused/);
    await expectGolden("audit-list", table.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/g, "0000-00-00 00:00:00"));
  });

  it("prints every field as JSON, newest first or oldest first, within --limit, and never a value", async () => {
    const out = await f.ok(["audit", "list", "--connector", "orders", "-o", "json"]);
    const rows = JSON.parse(out) as Record<string, unknown>[];
    expect(rows.map((r) => [r.type, r.outcome, r.reason])).toEqual([["secret.access.refused", "denied", "not_secret"], ["secret.access.refused", "denied", "not_secret"], ["secret.access", "granted", ""]]);
    expect(Object.keys(rows[2] ?? {})).toEqual(["id", "time", "type", "environment", "cluster", "connector", "connector_name", "keys", "outcome", "detail", "versions", "previous_versions", "secrets", "reason", "worker_credential", "worker", "remote_address", "detected_by", "restart_cause"]);
    expect(rows[2]).toMatchObject({ connector: "orders", keys: ["database.password"], worker: "connect-9", secrets: { "database.password": `${f.azure.vaultUri}/secrets/sqlserver-db-secret` } });
    expect(out).not.toContain(VAULT_CANARY);
    const oldest = JSON.parse(await f.ok(["audit", "list", "--connector", connectorId, "--oldest-first", "--limit", "1", "-o", "json"])) as Record<string, unknown>[];
    expect(oldest.map((r) => r.type)).toEqual(["secret.access"]);
    expect(await f.ok(["audit", "list", "--since", "1h", "--environment", seed.environmentId, "-o", "yaml"])).toContain("type: secret.access");
    expect(await f.ok(["audit", "list", "--until", "2000-01-01T00:00:00Z"])).toBe("None found.\n");
  });

  it("fails cleanly on bad flags, and names the field the server refused", async () => {
    expectCleanError(await f.cli(["audit", "list", "--since", "yesterday"]), 2, "invalid value \"yesterday\" for flag \"--since\"");
    expectCleanError(await f.cli(["audit", "list", "--limit", "0"]), 2, "expected a whole number from 1 to 10000");
    expectCleanError(await f.cli(["audit", "list", "extra"]), 2, "unexpected argument \"extra\"");
    expectCleanError(await f.cli(["audit", "list", "--bogus"]), 2, "unknown option");
    expectCleanError(await f.cli(["audit", "list", "--type", "secret.read"]), 1, "type must be a comma-separated list of secret.access");
    expectCleanError(await f.cli(["audit", "nope"]), 2, "unknown command \"nope\" for \"vaultwire audit\"");
    expect(await f.ok(["audit", "list", "--help"])).toContain("vaultwire audit list [flags]");
  });
});
