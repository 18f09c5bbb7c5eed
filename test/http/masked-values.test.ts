// Masked values sent back (PUT …/config with "****************"), on each
// store: a stored secret is kept only for the same key, while that key is
// still a secret and its destination (plugin, database host and port) is
// unchanged; otherwise the request fails, changes nothing, and no response,
// log line or database file ever holds the value in plaintext.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseText, persistentStorage, seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, type AzureFixture, type TestServer } from "./harness.js";

const MASK = "****************";
/** A client key and a password typed with the secret manager off: stored, but only encrypted. */
const KEY_CANARY = "-----BEGIN PRIVATE KEY-----Masked-Key-Canary-7c1e0a-----END PRIVATE KEY-----";
const PASSWORD_CANARY = "Masked-Password-Canary-44b9d2";
const CANARIES = [KEY_CANARY, PASSWORD_CANARY];

interface ConnectError { error: { code: number; message: string } }
interface Info { name: string; config: Record<string, string> }

/** A PostgresCdcSourceV2 connector with the secret manager off and two plaintext secrets. */
function postgresConnector(name: string): { name: string; config: Record<string, string> } {
  return {
    name,
    config: {
      "connector.class": "PostgresCdcSourceV2",
      name,
      "kafka.auth.mode": "SERVICE_ACCOUNT",
      "kafka.service.account.id": "sa-xxxxxx",
      "database.hostname": "203.0.113.10",
      "database.port": "5432",
      "database.user": "cdc",
      "database.password": PASSWORD_CANARY,
      "database.dbname": "app",
      "database.sslmode": "require",
      "database.sslkey": KEY_CANARY,
      "topic.prefix": name,
      "output.data.format": "JSON",
      "tasks.max": "1",
    },
  };
}

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("masked values on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let workerToken: string;

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "dev");
    const workerConfig = await server.api<{ properties: Record<string, string> }>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config?environment=${seed.environmentId}`, {});
    workerToken = workerConfig.body.properties["config.providers.vaultwire.param.token"] ?? "";
  });
  afterAll(async () => { await server.close(); });

  const configPath = (name: string) => `${seed.base}/connectors/${name}/config`;
  const readConfig = async (name: string) => (await server.api<Record<string, string>>("GET", configPath(name))).body;
  const putConfig = (name: string, config: Record<string, string>) => server.api<Info & ConnectError>("PUT", configPath(name), config);

  async function create(name: string, config: Record<string, string> = postgresConnector(name).config): Promise<Record<string, string>> {
    const created = await server.api<Info>("POST", `${seed.base}/connectors`, { name, config });
    expect(created.status, created.text).toBe(201);
    return readConfig(name);
  }

  async function stored(name: string) {
    return (await server.running.store.connectors.listAll()).find((c) => c.name === name);
  }

  /** What a Kafka Connect worker of the cluster receives for these keys. */
  async function delivered(name: string, keys: string): Promise<Record<string, string> | undefined> {
    const connector = await stored(name);
    const response = await fetch(`${server.url}/internal/v1/clusters/${seed.clusterId}/connectors/${connector?.id ?? ""}/secrets?keys=${encodeURIComponent(keys)}`, { headers: { authorization: `Bearer ${workerToken}` } });
    expect(response.status).toBe(200);
    return (await response.json() as { data?: Record<string, string> }).data;
  }

  /** A refused PUT: 400 with these field errors, and the connector exactly as it was. */
  async function expectRefused(name: string, config: Record<string, string>, errors: readonly string[]): Promise<void> {
    const before = await stored(name);
    const shown = await readConfig(name);
    const response = await putConfig(name, config);
    expect(response.status, response.text).toBe(400);
    for (const error of errors) expect(response.body.error.message).toContain(error);
    for (const canary of CANARIES) expect(response.text).not.toContain(canary);
    const after = await stored(name);
    expect(after?.generation).toBe(before?.generation);
    expect(after?.config).toEqual(before?.config);
    expect(after?.sensitiveCiphertext).toBe(before?.sensitiveCiphertext);
    expect(await readConfig(name)).toEqual(shown);
  }

  it("refuses the plugin switch that sent a masked client key back in plaintext, and stores the key encrypted once it is given again", async () => {
    const shown = await create("switch");
    expect(shown["database.sslkey"]).toBe(MASK);
    expect(shown["database.password"]).toBe(MASK);

    await expectRefused("switch", { ...shown, "connector.class": "MySqlCdcSourceV2" }, [
      "database.sslkey: the stored value cannot be kept: connector.class changed, and a stored secret is not sent to a new destination; send the value again",
      "database.password: the stored value cannot be kept: connector.class changed",
    ]);
    expect((await readConfig("switch"))["connector.class"]).toBe("PostgresCdcSourceV2");

    // Given again, the key is a secret for MySqlCdcSourceV2 too (which does not define it): encrypted, masked.
    const again = await putConfig("switch", { ...shown, "connector.class": "MySqlCdcSourceV2", "database.sslkey": KEY_CANARY, "database.password": PASSWORD_CANARY });
    expect(again.status, again.text).toBe(200);
    expect(again.body.config["database.sslkey"]).toBe(MASK);
    const read = await readConfig("switch");
    expect(read["connector.class"]).toBe("MySqlCdcSourceV2");
    expect(read["database.sslkey"]).toBe(MASK);
    expect(read["database.password"]).toBe(MASK);
    expect((await stored("switch"))?.config["database.sslkey"]).toBeUndefined();
  });

  it("refuses a masked value for a key that is no longer a secret: a secret-manager field takes an identifier", async () => {
    const shown = await create("now-managed");
    await expectRefused("now-managed", {
      ...shown,
      "secret.manager.enabled": "true",
      "secret.manager": "AZURE_KEY_VAULT",
      "secret.manager.provider.integration.id": seed.integrationId,
      "secret.manager.managed.configs": "database.password",
    }, ["database.password: the stored value cannot be kept: database.password is listed in secret.manager.managed.configs"]);
  });

  it("refuses a masked value for a key that has nothing stored, on create and on update", async () => {
    const fresh = postgresConnector("unstored");
    Reflect.deleteProperty(fresh.config, "database.sslkey");
    const refused = await server.api<ConnectError>("POST", `${seed.base}/connectors`, { name: "unstored", config: { ...fresh.config, "database.sslkey": MASK } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain("database.sslkey: the stored value cannot be kept: no value is stored for database.sslkey; send the value again");
    expect((await server.api("GET", configPath("unstored"))).status).toBe(404);

    const shown = await create("unstored", fresh.config);
    expect(shown["database.sslkey"]).toBeUndefined();
    await expectRefused("unstored", { ...shown, "database.sslkey": "**" }, ["database.sslkey: the stored value cannot be kept: no value is stored for database.sslkey"]);
  });

  it.each([
    ["database.hostname", "198.51.100.7"],
    ["database.port", "6543"],
    ["connector.class", "SqlServerCdcSourceV2"],
  ])("asks for the secrets again when %s changes, and delivers the new ones", async (field, value) => {
    const name = `moved-${field.replace(/\./g, "-")}`.toLowerCase();
    const shown = await create(name);
    await expectRefused(name, { ...shown, [field]: value }, [
      `database.password: the stored value cannot be kept: ${field} changed, and a stored secret is not sent to a new destination; send the value again`,
      `database.sslkey: the stored value cannot be kept: ${field} changed`,
    ]);
    expect(await delivered(name, "database.password,database.sslkey")).toEqual({ "database.password": PASSWORD_CANARY, "database.sslkey": KEY_CANARY });

    const extra = field === "connector.class" ? { "database.names": "app" } : {};
    const updated = await putConfig(name, { ...shown, ...extra, [field]: value, "database.password": "New-Password-3f", "database.sslkey": "New-Key-9a" });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.body.config[field]).toBe(value);
    expect(await delivered(name, "database.password,database.sslkey")).toEqual({ "database.password": "New-Password-3f", "database.sslkey": "New-Key-9a" });
  });

  it("keeps the stored secrets when the masks come back unchanged, and still delivers them", async () => {
    const shown = await create("kept");
    const same = await putConfig("kept", shown);
    expect(same.status, same.text).toBe(200);
    const changed = await putConfig("kept", { ...shown, "tasks.max": "2", "table.include.list": "public.orders" });
    expect(changed.status, changed.text).toBe(200);
    expect(await readConfig("kept")).toEqual({ ...shown, "tasks.max": "2", "table.include.list": "public.orders" });
    expect(await delivered("kept", "database.password,database.sslkey")).toEqual({ "database.password": PASSWORD_CANARY, "database.sslkey": KEY_CANARY });
  });

  it("lets a secret-manager connector change its database host: identifiers are not values", async () => {
    const spec = specConnector(azure.vaultUri, seed.integrationId, "managed");
    expect((await server.api("POST", `${seed.base}/connectors`, spec)).status).toBe(201);
    const shown = await readConfig("managed");
    expect(shown["database.password"]).toBe(`${azure.vaultUri}::sqlserver-db-secret::password`);
    const moved = await putConfig("managed", { ...shown, "database.hostname": "198.51.100.8" });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body.config["database.password"]).toBe(`${azure.vaultUri}::sqlserver-db-secret::password`);
    expect(moved.body.config["database.hostname"]).toBe("198.51.100.8");
    expect(await delivered("managed", "database.password")).toEqual({ "database.password": VAULT_CANARY });
  });

  it("never shows a secret in a response or a log line", () => {
    const responses = server.responses();
    const logs = server.logs();
    expect(responses).toContain("switch");
    for (const canary of [...CANARIES, "New-Password-3f", "New-Key-9a"]) {
      expect(responses).not.toContain(canary);
      expect(logs).not.toContain(canary);
    }
  });

  it("never stores a secret in plaintext: the SQLite files (-wal included) or every PostgreSQL row", async () => {
    const text = await databaseText(server);
    expect(text).toContain("203.0.113.10");
    for (const canary of [...CANARIES, "New-Password-3f", "New-Key-9a"]) expect(text).not.toContain(canary);
  });
});

describe.each(storeTargets())("plaintext left by an older vaultwire on $name", (target) => {
  it("is encrypted at the next start, then shown masked and delivered", async () => {
    const storage = await persistentStorage(target);
    try {
      const first = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir });
      let seed: Awaited<ReturnType<typeof seedEnvironment>>;
      let connectorId: string;
      try {
        seed = await seedEnvironment(first, azure, "legacy");
        expect((await first.api("POST", `${seed.base}/connectors`, postgresConnector("legacy"))).status).toBe(201);
        // What the old plugin-switch hole left behind: the key in the plain config.
        const stored = await first.running.store.connectors.getByName(seed.clusterId, "legacy");
        if (!stored) throw new Error("connector not stored");
        connectorId = stored.id;
        const leaked = { ...stored.config, "database.sslkey": "Legacy-Plaintext-Key-5d0c" };
        await first.running.store.connectors.updateSpec(stored.id, stored.generation, { plugin: stored.plugin, config: leaked, sensitiveCiphertext: stored.sensitiveCiphertext, integrationId: stored.integrationId, desiredState: stored.desiredState, updatedAt: stored.updatedAt });
      } finally {
        await first.close();
      }
      const second = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir });
      try {
        const row = await second.running.store.connectors.get(connectorId);
        expect(row?.config["database.sslkey"]).toBeUndefined();
        expect(JSON.stringify(row)).not.toContain("Legacy-Plaintext-Key-5d0c");
        const shown = await second.api<Record<string, string>>("GET", `${seed.base}/connectors/legacy/config`);
        expect(shown.body["database.sslkey"]).toBe(MASK);
        expect(shown.body["database.password"]).toBe(MASK);
        const token = (await second.api<{ properties: Record<string, string> }>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, {})).body.properties["config.providers.vaultwire.param.token"] ?? "";
        const delivered = await fetch(`${second.url}/internal/v1/clusters/${seed.clusterId}/connectors/${connectorId}/secrets?keys=database.sslkey,database.password`, { headers: { authorization: `Bearer ${token}` } });
        expect(await delivered.json()).toEqual({ data: { "database.sslkey": "Legacy-Plaintext-Key-5d0c", "database.password": PASSWORD_CANARY } });
        expect(second.logs()).toContain("encrypted secret values an older vaultwire had stored in plaintext");
      } finally {
        await second.close();
      }
    } finally {
      await storage.drop();
    }
  });
});
