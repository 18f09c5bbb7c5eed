// Attack 7 — protections that already hold, kept as a standing test:
// a "${…}" (Kafka Connect's config provider syntax) in any config value is
// refused on create, replace and validate; hostile secret identifiers are
// refused by the parser before any network call (a trap listener and the
// vault's request counters stay at zero). Every kind of secret a connector can
// carry is planted first; the final scan finds none of them anywhere.
//
// Depends on no fix: passes now.
import { createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specConnector } from "../http/harness.js";
import { CanaryRegistry } from "./canaries.js";
import {
  connectorIds, expectNoCanaries, postgresConnector, seedSecureEnvironment, startSecureServer, startSecurityAzure, storeTargets,
  type SecureServer, type SecurityAzure,
} from "./harness.js";

interface Validation { error_count: number; configs: { value: { name: string; value: string | null; errors: string[] } }[] }
interface ConnectError { error: { code: number; message: string } }
type Seed = Awaited<ReturnType<typeof seedSecureEnvironment>>;

const registry = new CanaryRegistry();
let azure: SecurityAzure;
/** Counts every TCP connection to a port nothing should ever call. */
let trap: { server: Server; port: number; connections: number };

beforeAll(async () => {
  azure = await startSecurityAzure(registry);
  const server = createServer((socket: Socket) => { trap.connections++; socket.destroy(); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  trap = { server, port: (server.address() as AddressInfo).port, connections: 0 };
});
afterAll(async () => {
  await new Promise((resolve) => trap.server.close(resolve));
  await azure.close();
});

function errorsOn(report: Validation, key: string): string[] {
  return report.configs.find((c) => c.value.name === key)?.value.errors ?? [];
}

describe.each(storeTargets())("existing protections on $name", (target) => {
  let server: SecureServer;
  let seed: Seed;
  let ids: Record<string, string>;
  const password = registry.plant("connector-password", `plaintext database.password (${target.name})`);
  const sslkey = registry.plant("connector-sslkey", `plaintext database.sslkey (${target.name})`);

  beforeAll(async () => {
    server = await startSecureServer(target, azure);
    seed = await seedSecureEnvironment(server, azure);
  });
  afterAll(async () => { await server.close(); });

  it("plants a connector of every kind: vault JSON field, whole vault secret through an integration's own credential, plaintext password and sslkey", async () => {
    const json = specConnector(azure.vaultUri, seed.integrationId, "kv-json");
    json.config["database.user"] = azure.jsonSecret.identifier("user");
    json.config["database.password"] = azure.jsonSecret.identifier("password");
    expect((await server.api("POST", `${seed.base}/connectors`, json)).status).toBe(201);
    const own = specConnector(azure.vaultUri, seed.ownCredentialIntegrationId, "kv-own");
    own.config["database.user"] = azure.jsonSecret.identifier("user");
    own.config["database.password"] = azure.plainSecret.identifier;
    const created = await server.api("POST", `${seed.base}/connectors`, own);
    expect(created.status, created.text).toBe(201);
    const plain = postgresConnector("plaintext", { user: "sa", password, extra: { "database.sslkey": sslkey, "database.sslmode": "require" } });
    expect((await server.api("POST", `${seed.base}/connectors`, plain)).status).toBe(201);
    const read = await server.api<{ config: Record<string, string> }>("GET", `${seed.base}/connectors/plaintext`);
    expect(read.body.config).toMatchObject({ "database.password": "****************", "database.sslkey": "****************" });
    const probe = await server.api("POST", "/pim/v2/integrations:validate", { id: seed.ownCredentialIntegrationId, secret_identifier: azure.plainSecret.identifier });
    expect(probe.status, probe.text).toBe(200);
    ids = await connectorIds(server, seed.base);
    expect(Object.keys(ids).sort()).toEqual(["kv-json", "kv-own", "plaintext"]);
  });

  describe("\"${…}\" in a config value is refused", () => {
    const references = () => [
      ["another connector's secret", `\${vaultwire:${ids["kv-json"] ?? ""}:database.password}`],
      ["a file on the worker", "${file:/etc/passwd:root}"],
      ["the worker's environment", "${env:VAULTWIRE_MASTER_KEY}"],
      ["embedded", "db-${directory:/tmp}.example.com"],
    ] as const;

    it.each(["database.hostname", "database.password", "database.dbname", "topic.prefix"])("in %s, on create, replace and validate; nothing changes", async (field) => {
      for (const [what, value] of references()) {
        const config = { ...postgresConnector("injected", { user: "sa", password }).config, [field]: value };
        const validated = await server.api<Validation>("PUT", `${seed.base}/connector-plugins/PostgresCdcSourceV2/config/validate`, config);
        expect(validated.status, what).toBe(200);
        expect(errorsOn(validated.body, field).join(" "), what).toContain(`must not contain "\${"`);
        const create = await server.api<ConnectError>("POST", `${seed.base}/connectors`, { name: "injected", config });
        expect(create.status, what).toBe(400);
        expect(create.body.error.message, what).toContain(`${field}: the value of ${field} must not contain "\${"`);
        const replace = await server.api<ConnectError>("PUT", `${seed.base}/connectors/plaintext/config`, { "database.password": "****************", ...config, name: "plaintext" });
        expect(replace.status, what).toBe(400);
      }
      expect((await server.api("GET", `${seed.base}/connectors/injected`)).status).toBe(404);
      const after = await server.api<Record<string, string>>("GET", `${seed.base}/connectors/plaintext/config`);
      expect(after.body).toMatchObject({ "database.hostname": "203.0.113.10", "database.password": "****************", "topic.prefix": "security" });
    });

    it("in a secret-manager field, where an identifier is expected", async () => {
      const config = { ...specConnector(azure.vaultUri, seed.integrationId, "injected").config, "database.password": "${file:/etc/passwd:root}" };
      const create = await server.api<ConnectError>("POST", `${seed.base}/connectors`, { name: "injected", config });
      expect(create.status).toBe(400);
      expect(create.body.error.message).toContain("database.password: the value of database.password must not contain \"${\"");
    });
  });

  describe("hostile secret identifiers are refused without a network call", () => {
    const hostile = (): string[] => {
      const vault = new URL(azure.vaultUri).host;
      return [
        `https://127.0.0.1:${trap.port}::sqlserver-db-secret::password`,
        `https://localhost:${trap.port}::sqlserver-db-secret::password`,
        `https://[::1]:${trap.port}::sqlserver-db-secret::password`,
        `https://0x7f000001:${trap.port}::sqlserver-db-secret::password`,
        "https://169.254.169.254::latest::password",
        "https://sql-vault.vault.azure.net.attacker.example::sqlserver-db-secret::password",
        "https://attacker.example#.vault.azure.net::sqlserver-db-secret::password",
        `https://attacker.example@${vault}::sqlserver-db-secret::password`,
        `https://${vault}@127.0.0.1:${trap.port}::sqlserver-db-secret::password`,
        `http://${vault}::sqlserver-db-secret::password`,
        `https://${vault}/secrets/sqlserver-db-secret::x::password`,
        `https://${vault}?api-version=7.4::sqlserver-db-secret::password`,
        `https://${vault}::../sqlserver-db-secret::password`,
        `https://${vault}::sqlserver-db-secret%2F..::password`,
        `https://${vault}::sqlserver-db-secret::password::more`,
        `https://${vault}::${"a".repeat(200)}::password`,
        `https://${vault}:0::sqlserver-db-secret::password`,
      ];
    };

    it("on validate, create and the integration probe: per-field errors, nothing created, no connection, no vault request", async () => {
      azure.emulator.resetRequestCounts();
      trap.connections = 0;
      for (const identifier of hostile()) {
        const config = { ...specConnector(azure.vaultUri, seed.integrationId, "hostile").config, "secret.manager.managed.configs": "database.password", "database.user": "sa", "database.password": identifier };
        const validated = await server.api<Validation>("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, config);
        expect(validated.status, identifier).toBe(200);
        expect(errorsOn(validated.body, "database.password").length, identifier).toBeGreaterThan(0);
        expect(validated.body.configs.find((c) => c.value.name === "database.password")?.value.value, identifier).toBe("****************");
        const create = await server.api<ConnectError>("POST", `${seed.base}/connectors`, { name: "hostile", config });
        expect(create.status, identifier).toBe(400);
        expect(create.body.error.message, identifier).toContain("database.password: ");
        const probe = await server.api("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, secret_identifier: identifier });
        expect(probe.status, identifier).toBe(400);
      }
      expect((await server.api("GET", `${seed.base}/connectors/hostile`)).status).toBe(404);
      expect(trap.connections).toBe(0);
      expect(azure.emulator.requestCounts("sql-vault").total).toBe(0);
      expect(azure.emulator.requestCounts("locked-vault").total).toBe(0);
    });
  });

  it("final scan: no canary in any form in the database, logs, metrics or any response", async () => {
    expect([...registry.kinds()].sort()).toEqual(["bootstrap-api-secret", "connector-password", "connector-sslkey", "integration-client-secret", "master-key", "platform-app-secret", "vault-json-field", "vault-secret"]);
    await expectNoCanaries(server);
  });
});
