// Deleting a connector says what it leaves in its source database: a
// PostgreSQL CDC connector's replication slot (an inactive slot makes the
// database keep WAL forever) and publication, with the statements to drop them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

const postgres = (name: string, extra: Record<string, string> = {}) => ({
  name,
  config: {
    "connector.class": "PostgresCdcSourceV2", name, "kafka.auth.mode": "SERVICE_ACCOUNT", "kafka.service.account.id": "sa-1",
    "database.hostname": "203.0.113.20", "database.port": "5432", "database.user": "cdc", "database.password": "Delete-Test-Pass-1",
    "database.dbname": "shop", "topic.prefix": name, "output.data.format": "JSON", "tasks.max": "1", ...extra,
  },
});

describe.each(storeTargets())("connector delete on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "delete");
  });
  afterAll(async () => { await server.close(); });

  it("names the replication slot and publication a PostgreSQL connector leaves, and how to drop them", async () => {
    expect((await server.api("POST", `${seed.base}/connectors`, postgres("orders"))).status).toBe(201);
    const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    const slot = `vaultwire_${(ids.body.orders?.id.id ?? "").replace(/^lcc-/, "")}`;
    const deleted = await server.api<{ error: null; notices: string[] }>("DELETE", `${seed.base}/connectors/orders`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.error).toBeNull();
    expect(deleted.body.notices).toEqual([
      `PostgreSQL keeps the logical replication slot "${slot}" in database "shop" on 203.0.113.20:5432; while it is inactive the database retains WAL for it. When nothing will resume from it, drop it: SELECT pg_drop_replication_slot('${slot}');`,
      "The publication \"dbz_publication\" the connector created stays too; drop it if no other connector uses it: DROP PUBLICATION \"dbz_publication\";",
    ]);
    expect(deleted.text).not.toContain("Delete-Test-Pass-1");
  });

  it("says nothing more for connectors that leave nothing behind", async () => {
    const sqlserver = { ...postgres("mssql").config, "connector.class": "SqlServerCdcSourceV2", "database.names": "shop", "database.port": "1433" };
    delete (sqlserver as Record<string, string | undefined>)["database.dbname"];
    const created = await server.api("PUT", `${seed.base}/connectors/mssql/config`, sqlserver);
    expect(created.status, created.text).toBeLessThan(300);
    const deleted = await server.api<Record<string, unknown>>("DELETE", `${seed.base}/connectors/mssql`);
    expect(deleted.body).toEqual({ error: null });
  });
});
