// The audit trail holds no secret value (decision 42). A real server with the
// real reconciler (against a Kafka Connect double) serves planted canary
// secrets to a worker — from the vault (a JSON field) and typed plaintext —
// refuses bad requests, and detects a rotation of the vault secret (a new
// canary) by its periodic re-read, which restarts the connector. Then: an
// audit row for every access and refusal, the rotation and the restart; and
// no canary, in any form (raw, base64, URL-encoded, …), in the audit tables'
// rows, the API's answers, the CLI's output, nor anywhere the final scan looks
// (database files, logs, metrics, every response).
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/cli/run.js";
import type { CliIo } from "../../src/cli/io.js";
import { seedEnvironment } from "../http/harness.js";
import { CanaryRegistry } from "./canaries.js";
import { startFakeConnect, waitUntil, type FakeConnect } from "./fake-connect.js";
import { connectorIds, createWorkerCredential, expectNoCanaries, postgresConnector, startSecureServer, startSecurityAzure, storeTargets, workerSecrets, type SecureServer, type SecurityAzure } from "./harness.js";

interface EventBody { type: string; outcome: string; reason: string | null; connector_id: string | null; detected_by: string | null; restart_cause: string | null; versions: Record<string, string>; previous_versions: Record<string, string | null> }

const registry = new CanaryRegistry();
let azure: SecurityAzure;
beforeAll(async () => { azure = await startSecurityAzure(registry); });
afterAll(async () => { await azure.close(); });

/** Every row of the audit tables, as JSON text. */
async function auditTables(server: SecureServer): Promise<{ text: string; events: number }> {
  const url = server.database.options.databaseUrl;
  const tables = ["audit_events", "audit_last_access"];
  const rows: unknown[] = [];
  let events = 0;
  if (url === undefined) {
    const db = new BetterSqlite3(join(server.dataDir, "vaultwire.db"), { readonly: true });
    try {
      for (const table of tables) {
        const found = db.prepare(`SELECT * FROM ${table}`).all();
        if (table === "audit_events") events = found.length;
        rows.push(...found);
      }
    } finally {
      db.close();
    }
  } else {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const table of tables) {
        const found: unknown[] = (await client.query<Record<string, unknown>>(`SELECT * FROM ${table}`)).rows;
        if (table === "audit_events") events = found.length;
        rows.push(...found);
      }
    } finally {
      await client.end();
    }
  }
  return { text: JSON.stringify(rows), events };
}

async function cli(server: SecureServer, args: readonly string[]): Promise<string> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    readFile: (path) => readFile(path, "utf8"),
    env: { HOME: server.dataDir, VAULTWIRE_URL: server.url, VAULTWIRE_API_KEY: server.bootstrap.key, VAULTWIRE_API_SECRET: server.bootstrap.secret },
    readStdin: () => Promise.resolve(""),
    waitForShutdown: () => new Promise(() => undefined),
    stdoutIsTTY: false,
  };
  const code = await run(args, io);
  expect(code, err).toBe(0);
  return out + err;
}

describe.each(storeTargets())("audit trail on $name", (target) => {
  let server: SecureServer;
  let fake: FakeConnect;
  const plaintext = registry.plant("connector-password", `plaintext password audited (${target.name})`);
  const before = registry.plant("vault-json-field", `vault JSON password before rotation (${target.name})`);
  const rotated = registry.plant("vault-json-field", `rotated vault JSON password (${target.name})`);

  beforeAll(async () => {
    fake = await startFakeConnect({ kind: "connect" });
    // Each store's run starts from a value of its own (the emulator is shared by the runs).
    azure.emulator.setSecret("sql-vault", "db-json", JSON.stringify({ user: azure.jsonSecret.user, password: before }));
    server = await startSecureServer(target, azure, { realRuntime: true, reconcileIntervalMs: 500, secretRefreshIntervalMs: 400 });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it("records every access, refusal, rotation and restart, and no canary reaches the trail, the API or the CLI", async () => {
    const seed = await seedEnvironment(server, azure, "audited");
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [fake.url] } })).status).toBe(200);
    const managed = postgresConnector("managed", { integrationId: seed.integrationId, user: azure.jsonSecret.identifier("user"), password: azure.jsonSecret.identifier("password") });
    expect((await server.api("POST", `${seed.base}/connectors`, managed)).status).toBe(201);
    expect((await server.api("POST", `${seed.base}/connectors`, postgresConnector("typed", { user: "cdc", password: plaintext }))).status).toBe(201);
    const ids = await connectorIds(server, seed.base);
    const managedId = ids.managed ?? "";
    const typedId = ids.typed ?? "";
    const { token } = await createWorkerCredential(server, seed.clusterId);
    // Deployed (with placeholders) and its first versions seen, before the rotation.
    await waitUntil(() => Promise.resolve(fake.configs.has(managedId)), (done) => done);

    let requests = 0;
    const ask = async (connectorId: string, keys: string, bearer: string | null, allow: readonly string[] = []) => {
      requests++;
      return (await workerSecrets(server, seed.clusterId, connectorId, keys, bearer, allow)).status;
    };
    expect(await ask(managedId, "database.user,database.password", token, [`vault JSON password before rotation (${target.name})`])).toBe(200);
    expect(await ask(typedId, "database.password", token, [`plaintext password audited (${target.name})`])).toBe(200);
    expect(await ask(managedId, "database.password", null)).toBe(401);
    expect(await ask(managedId, "database.password", `${token.slice(0, -4)}AAAA`)).toBe(401);
    expect(await ask(managedId, "database.hostname", token)).toBe(404);
    expect(await ask("lcc-nothere", "database.password", token)).toBe(404);

    // The vault secret rotates: the periodic re-read notices it, and the connector is restarted.
    azure.emulator.setSecret("sql-vault", "db-json", JSON.stringify({ user: azure.jsonSecret.user, password: rotated }));
    const listEvents = async () => {
      await server.running.auditTrail.flush();
      return (await server.api<{ data: EventBody[] }>("GET", `/audit/v1/events?connector=${managedId}&order=asc&page_size=100`)).body.data;
    };
    const history = await waitUntil(listEvents, (events) => events.some((e) => e.type === "connector.restarted"));
    expect(await ask(managedId, "database.password", token, [`rotated vault JSON password (${target.name})`])).toBe(200);
    await server.running.auditTrail.flush();

    const rotation = history.find((e) => e.type === "rotation.detected");
    expect(rotation).toMatchObject({ outcome: "restart-requested", detected_by: "poll" });
    expect(Object.keys(rotation?.versions ?? {}).sort()).toEqual(["database.password", "database.user"]);
    expect(rotation?.previous_versions["database.password"]).not.toBe(rotation?.versions["database.password"]);
    expect(history.find((e) => e.type === "connector.restarted")).toMatchObject({ outcome: "restarted", restart_cause: "rotation" });

    // One row per worker request, whatever its outcome.
    const accesses = await server.api<{ data: EventBody[] }>("GET", "/audit/v1/events?type=secret.access,secret.access.refused&page_size=100");
    expect(accesses.body.data).toHaveLength(requests);
    expect(accesses.body.data.map((e) => e.reason ?? e.outcome).sort()).toEqual(["granted", "granted", "granted", "no_credential", "not_secret", "refused_credential", "unknown_connector"]);
    expect((await server.api("GET", `/audit/v1/secret-accesses?integration=${seed.integrationId}`)).status).toBe(200);

    const tables = await auditTables(server);
    expect(tables.events).toBeGreaterThanOrEqual(requests + 2);
    expect(registry.scan(tables.text, `audit tables (${target.name})`)).toEqual([]);
    const outputs = [
      await cli(server, ["audit", "list", "--limit", "1000"]),
      await cli(server, ["audit", "list", "--limit", "1000", "-o", "json"]),
      await cli(server, ["audit", "list", "--connector", managedId, "-o", "yaml"]),
    ];
    expect(outputs[1]).toContain("rotation.detected");
    for (const output of outputs) expect(registry.scan(output, "vaultwire audit list")).toEqual([]);
    await expectNoCanaries(server);
  });
});
