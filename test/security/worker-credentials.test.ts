// Attack 1 — reaching a secret value through the workers' door. Kafka Connect
// workers are their own trust zone: a worker credential per cluster, created
// and revoked by organization admins only, shown once, valid only for its own
// cluster's connectors. No API caller role can obtain one by reading, and the
// old worker token (an HMAC of the master key and the cluster id, which any
// key that could read the cluster was given) opens nothing any more.
//
// Depends on: the worker-credentials work (main 590c8b0: API key roles,
// /cmk/v2/clusters/{id}/worker-credentials, POST …/worker-config, /internal/v1
// accepting worker credentials only, its failed-token lock-out). Passes on main.
import { createHmac, hkdfSync, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector } from "../http/harness.js";
import { CanaryRegistry } from "./canaries.js";
import {
  connectorIds, createApiKey, createWorkerCredential, expectNoCanaries, postgresConnector, seedSecureEnvironment, startSecureServer,
  startSecurityAzure, storeTargets, workerSecrets, type CreatedKey, type SecureServer, type SecurityAzure, type WorkerCredentialBody,
} from "./harness.js";

interface V2Error { errors: { status: string; detail: string; source?: { pointer: string } }[] }
interface ConnectError { error: { code: number; message: string } }
interface WorkerConfig { cluster: { id: string }; properties: Record<string, string>; text: string; credential?: { id: string } }
type Seed = Awaited<ReturnType<typeof seedSecureEnvironment>>;

const TOKEN_PROPERTY = "config.providers.vaultwire.param.token";
const registry = new CanaryRegistry();
let azure: SecurityAzure;
beforeAll(async () => { azure = await startSecurityAzure(registry); });
afterAll(async () => { await azure.close(); });

/** The worker token of the old scheme: HMAC-SHA256 under a key derived from the master key, over the cluster id. */
function legacyWorkerToken(masterKeyBase64: string, clusterId: string): string {
  const key = Buffer.from(hkdfSync("sha256", Buffer.from(masterKeyBase64, "base64"), Buffer.alloc(0), "vaultwire:worker-token", 32));
  return `vwt_${createHmac("sha256", key).update(clusterId, "utf8").digest("base64url")}`;
}

function pointers(body: V2Error): (string | undefined)[] {
  return body.errors.map((e) => e.source?.pointer);
}

describe.each(storeTargets())("worker credentials on $name", (target) => {
  let server: SecureServer;
  let seed: Seed;
  /** A second cluster in the same environment, with a connector of its own. */
  let second: { clusterId: string; base: string };
  let keys: { envAdmin: CreatedKey; developer: CreatedKey; envOperator: CreatedKey; orgOperator: CreatedKey; orgDefault: CreatedKey; envDefault: CreatedKey };
  let ids: Record<string, string>;
  let secondConnectorId: string;
  const credentials: { id: string; token: string }[] = [];
  const json = () => ({ user: azure.jsonSecret.user, password: azure.jsonSecret.password });
  /** What a granted delivery of the JSON secret carries by design. */
  const deliveredCanaries = ["vault JSON password"];

  beforeAll(async () => {
    server = await startSecureServer(target, azure);
    seed = await seedSecureEnvironment(server, azure, "dev");
    const cluster = await server.api<{ id: string }>("POST", "/cmk/v2/clusters", {
      spec: { display_name: "dev-second", availability: "SINGLE_ZONE", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated", cku: 1 }, environment: { id: seed.environmentId }, networking: "PUBLIC", kafka_bootstrap_servers: "localhost:9092" },
    });
    expect(cluster.status, cluster.text).toBe(202);
    second = { clusterId: cluster.body.id, base: `/connect/v1/environments/${seed.environmentId}/clusters/${cluster.body.id}` };
    const onSecond = specConnector(azure.vaultUri, seed.integrationId, "on-second");
    onSecond.config["database.password"] = azure.jsonSecret.identifier("password");
    expect((await server.api("POST", `${second.base}/connectors`, onSecond)).status).toBe(201);
    secondConnectorId = (await connectorIds(server, second.base))["on-second"] ?? "";
    registry.add("worker-credential", `legacy worker token (${target.name}, cluster 1)`, legacyWorkerToken(server.masterKey, seed.clusterId));
    registry.add("worker-credential", `legacy worker token (${target.name}, cluster 2)`, legacyWorkerToken(server.masterKey, second.clusterId));
  });
  afterAll(async () => { await server.close(); });

  describe("API key roles", () => {
    it("creates keys with a role; the defaults are OrganizationAdmin org-wide and EnvironmentAdmin in an environment", async () => {
      keys = {
        envAdmin: await createApiKey(server, { role: "EnvironmentAdmin", environmentId: seed.environmentId }),
        developer: await createApiKey(server, { role: "DeveloperManage", environmentId: seed.environmentId }),
        envOperator: await createApiKey(server, { role: "Operator", environmentId: seed.environmentId }),
        orgOperator: await createApiKey(server, { role: "Operator" }),
        orgDefault: await createApiKey(server, {}),
        envDefault: await createApiKey(server, { environmentId: seed.environmentId }),
      };
      // The org-wide default may create environments (OrganizationAdmin); the scoped default may not, but manages its environment.
      expect((await server.api("POST", "/org/v2/environments", { display_name: "by-default-key" }, { auth: keys.orgDefault.auth })).status).toBe(201);
      expect((await server.api("POST", "/org/v2/environments", { display_name: "by-env-key" }, { auth: keys.envDefault.auth })).status).toBe(403);
      const plain = postgresConnector("by-env-default", { user: "sa", password: registry.plant("connector-password", `env default key's password (${target.name})`) });
      expect((await server.api("POST", `${seed.base}/connectors`, plain, { auth: keys.envDefault.auth })).status).toBe(201);
    });

    it.each([
      ["an unknown role", { description: "x", role: "Root" }],
      ["OrganizationAdmin for an environment", { description: "x", role: "OrganizationAdmin", resource: { id: "ENV" } }],
      ["EnvironmentAdmin without an environment", { description: "x", role: "EnvironmentAdmin" }],
      ["DeveloperManage without an environment", { description: "x", role: "DeveloperManage" }],
    ])("refuses %s (400 on spec.role)", async (_label, spec) => {
      const body = { spec: JSON.parse(JSON.stringify(spec).replace("ENV", seed.environmentId)) as unknown };
      const response = await server.api<V2Error>("POST", "/iam/v2/api-keys", body);
      expect(response.status, response.text).toBe(400);
      expect(pointers(response.body)).toEqual(["/spec/role"]);
    });

    it("an environment-scoped key creates no API key, and no key may escalate its own role", async () => {
      for (const key of [keys.envAdmin, keys.developer, keys.envOperator, keys.orgOperator]) {
        const response = await server.api("POST", "/iam/v2/api-keys", { spec: { description: "escalate", role: "OrganizationAdmin" } }, { auth: key.auth });
        expect(response.status, key.id).toBe(403);
      }
    });
  });

  describe("an environment admin has no path to a value", () => {
    it("creates a connector whose password names a vault secret (201), and reads back only the identifier", async () => {
      const config = specConnector(azure.vaultUri, seed.integrationId, "env-made");
      config.config["database.user"] = azure.jsonSecret.identifier("user");
      config.config["database.password"] = azure.jsonSecret.identifier("password");
      const created = await server.api<{ config: Record<string, string> }>("POST", `${seed.base}/connectors`, config, { auth: keys.envAdmin.auth });
      expect(created.status, created.text).toBe(201);
      expect(created.body.config["database.password"]).toBe(azure.jsonSecret.identifier("password"));
      ids = await connectorIds(server, seed.base);
    });

    it("GET worker-config gives the ConfigProvider properties without any token, to every role", async () => {
      for (const auth of [keys.envAdmin.auth, keys.developer.auth, keys.envOperator.auth, keys.orgOperator.auth, server.bootstrap]) {
        const response = await server.api<WorkerConfig>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, undefined, { auth });
        expect(response.status, auth.key).toBe(200);
        expect(response.body.cluster).toEqual({ id: seed.clusterId });
        expect(response.body.properties).toMatchObject({
          "config.providers": "vaultwire",
          "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
          "config.providers.vaultwire.param.url": server.url,
          "config.providers.vaultwire.param.cluster": seed.clusterId,
        });
        expect(Object.keys(response.body.properties), auth.key).not.toContain(TOKEN_PROPERTY);
        expect(response.body.text, auth.key).not.toMatch(/^config\.providers\.vaultwire\.param\.token=\S/m);
        expect(response.text, auth.key).not.toMatch(/vw[ct]_/);
        expect(response.body.credential).toBeUndefined();
      }
    });

    it("cannot create a worker credential, through either door (403), nor list or revoke them", async () => {
      for (const key of [keys.envAdmin, keys.developer, keys.envOperator]) {
        const config = await server.api("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, {}, { auth: key.auth });
        expect(config.status, key.id).toBe(403);
        expect(config.text).not.toMatch(/vw[ct]_/);
        const create = await server.api("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, { spec: { description: "mine" } }, { auth: key.auth });
        expect(create.status, key.id).toBe(403);
        expect([403, 404], key.id).toContain((await server.api("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, undefined, { auth: key.auth })).status);
      }
      const list = await server.api<{ data: unknown[] }>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`);
      expect(list.body.data).toEqual([]);
    });

    it("the old HMAC worker token, an API key and no token at all are refused by /internal/v1 (401)", async () => {
      const connector = ids["env-made"] ?? "";
      for (const [label, token] of [["legacy token", legacyWorkerToken(server.masterKey, seed.clusterId)], ["API key secret", keys.envAdmin.auth.secret], ["none", null]] as const) {
        const response = await workerSecrets(server, seed.clusterId, connector, "database.password", token);
        expect(response.status, label).toBe(401);
        expect(response.body.data, label).toBeUndefined();
      }
      const basic = await server.fetch(`/internal/v1/clusters/${seed.clusterId}/connectors/${connector}/secrets?keys=database.password`, {
        headers: { authorization: `Basic ${Buffer.from(`${keys.envAdmin.auth.key}:${keys.envAdmin.auth.secret}`).toString("base64")}` },
      });
      expect(basic.status).toBe(401);
    });
  });

  describe("organization admins create and revoke worker credentials", () => {
    it("creates one (201, no-store) in the documented shape; the secret is shown only then", async () => {
      const created = await createWorkerCredential(server, seed.clusterId, "fleet-1");
      credentials.push(created);
      const body: WorkerCredentialBody = created.response.body;
      expect(body).toMatchObject({ api_version: "cmk/v2", kind: "WorkerCredential", spec: { cluster: { id: seed.clusterId }, description: "fleet-1" }, status: { last_used_at: null } });
      expect(body.id).toMatch(/^wcr-[a-z0-9]+$/);
      expect(body.metadata.self).toBe(`${server.url}/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${body.id}`);
      expect(Date.parse(body.metadata.created_at)).not.toBeNaN();
      expect(created.token).toMatch(/^vwc_/);
      expect(created.response.headers.get("cache-control")).toBe("no-store");
    });

    it("a second one is valid at the same time; both deliver the cluster's connector secrets", async () => {
      credentials.push(await createWorkerCredential(server, seed.clusterId, "fleet-2"));
      for (const credential of credentials) {
        const response = await workerSecrets(server, seed.clusterId, ids["env-made"] ?? "", "database.user,database.password", credential.token, deliveredCanaries);
        expect(response.status, response.text).toBe(200);
        expect(response.body.data).toEqual({ "database.user": json().user, "database.password": json().password });
        expect(response.headers.get("cache-control")).toBe("no-store");
      }
    });

    it("lists them without secrets, with last use, to org admins and org-wide Operators", async () => {
      for (const auth of [server.bootstrap, keys.orgOperator.auth]) {
        const list = await server.api<{ data: WorkerCredentialBody[] }>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, undefined, { auth });
        expect(list.status, auth.key).toBe(200);
        expect(list.body.data.map((c) => c.id).sort()).toEqual(credentials.map((c) => c.id).sort());
        for (const entry of list.body.data) {
          expect(entry.spec.secret).toBeUndefined();
          expect(entry.status.last_used_at).not.toBeNull();
        }
        for (const credential of credentials) expect(list.text).not.toContain(credential.token);
      }
    });

    it("POST worker-config creates one and returns the properties with its token (201, no-store), which works", async () => {
      const names = [`worker credential from worker-config (${target.name})`, `worker credential from worker-config (${target.name}, secret part)`];
      const response = await server.api<WorkerConfig>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, { spec: { description: "from worker-config" } }, { allow: names });
      expect(response.status, response.text).toBe(201);
      expect(response.headers.get("cache-control")).toBe("no-store");
      const token = response.body.properties[TOKEN_PROPERTY] ?? "";
      expect(token).toMatch(/^vwc_/);
      expect(response.body.text).toContain(`${TOKEN_PROPERTY}=${token}\n`);
      expect(response.body.credential?.id).toMatch(/^wcr-/);
      registry.add("worker-credential", names[0] ?? "", token);
      const part = /_([A-Za-z0-9_-]{20,})$/.exec(token)?.[1];
      if (part !== undefined) registry.add("worker-credential", names[1] ?? "", part);
      const delivered = await workerSecrets(server, seed.clusterId, ids["env-made"] ?? "", "database.password", token, deliveredCanaries);
      expect(delivered.status).toBe(200);
      credentials.push({ id: response.body.credential?.id ?? "", token });
    });

    it("org-wide Operators and environment keys may not create or revoke (403)", async () => {
      const target = credentials[0]?.id ?? "";
      for (const key of [keys.orgOperator, keys.envAdmin, keys.developer]) {
        expect((await server.api("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, { spec: {} }, { auth: key.auth })).status, key.id).toBe(403);
        expect((await server.api("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-config`, {}, { auth: key.auth })).status, key.id).toBe(403);
        expect([403, 404], key.id).toContain((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${target}`, undefined, { auth: key.auth })).status);
      }
      const still = await workerSecrets(server, seed.clusterId, ids["env-made"] ?? "", "database.password", credentials[0]?.token ?? "", deliveredCanaries);
      expect(still.status).toBe(200);
    });

    it("a worker credential opens nothing of the API (401)", async () => {
      const token = credentials[0]?.token ?? "";
      const bearer = await server.api("GET", "/org/v2/environments", undefined, { auth: null, headers: { authorization: `Bearer ${token}` } });
      expect(bearer.status).toBe(401);
      const [id, secret] = [credentials[0]?.id ?? "", token];
      expect((await server.api("GET", "/org/v2/environments", undefined, { auth: { key: id, secret } })).status).toBe(401);
    });
  });

  describe("a credential opens only its own cluster, until it is revoked", () => {
    let secondCredential: { id: string; token: string };

    it("a credential of one cluster is refused on another (401), and another cluster's connector is not found through it (404)", async () => {
      secondCredential = await createWorkerCredential(server, second.clusterId, "second cluster");
      const own = await workerSecrets(server, second.clusterId, secondConnectorId, "database.password", secondCredential.token, deliveredCanaries);
      expect(own.status, own.text).toBe(200);
      const foreign = await workerSecrets(server, seed.clusterId, ids["env-made"] ?? "", "database.password", secondCredential.token);
      expect(foreign.status).toBe(401);
      const foreignBack = await workerSecrets(server, second.clusterId, secondConnectorId, "database.password", credentials[0]?.token ?? "");
      expect(foreignBack.status).toBe(401);
      const crossPath = await workerSecrets(server, seed.clusterId, secondConnectorId, "database.password", credentials[0]?.token ?? "");
      expect(crossPath.status).toBe(404);
      expect(crossPath.body.data).toBeUndefined();
    });

    it("revokes (204): the revoked one gets 401 at once, the other keeps working; a second revoke is 404", async () => {
      const [revoked, kept] = [credentials[0], credentials[1]];
      if (!revoked || !kept) throw new Error("credentials missing");
      expect((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${revoked.id}`)).status).toBe(204);
      const refused = await workerSecrets(server, seed.clusterId, ids["env-made"] ?? "", "database.password", revoked.token);
      expect(refused.status).toBe(401);
      expect(refused.body.data).toBeUndefined();
      expect((await workerSecrets(server, seed.clusterId, ids["env-made"] ?? "", "database.password", kept.token, deliveredCanaries)).status).toBe(200);
      expect((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${revoked.id}`)).status).toBe(404);
      const list = await server.api<{ data: { id: string }[] }>("GET", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`);
      expect(list.body.data.map((c) => c.id)).not.toContain(revoked.id);
      // Another cluster's credential cannot be revoked through this cluster.
      expect((await server.api("DELETE", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials/${secondCredential.id}`)).status).toBe(404);
    });
  });

  describe("read-only and developer roles", () => {
    it("an environment Operator reads but changes nothing (403)", async () => {
      const auth = keys.envOperator.auth;
      expect((await server.api("GET", `${seed.base}/connectors/env-made`, undefined, { auth })).status).toBe(200);
      const plain = postgresConnector("by-operator", { user: "sa", password: registry.plant("connector-password", `operator's password (${target.name})`) });
      expect((await server.api("POST", `${seed.base}/connectors`, plain, { auth })).status).toBe(403);
      expect((await server.api("PUT", `${seed.base}/connectors/env-made/pause`, undefined, { auth })).status).toBe(403);
      expect((await server.api("DELETE", `${seed.base}/connectors/env-made`, undefined, { auth })).status).toBe(403);
      expect((await server.api("GET", `${seed.base}/connectors/by-operator`)).status).toBe(404);
    });

    it("DeveloperManage creates a plaintext connector, but may not name a provider integration in a config", async () => {
      const auth = keys.developer.auth;
      const plain = postgresConnector("by-developer", { user: "sa", password: registry.plant("connector-password", `developer's password (${target.name})`) });
      expect((await server.api("POST", `${seed.base}/connectors`, plain, { auth })).status).toBe(201);
      const named = specConnector(azure.vaultUri, seed.integrationId, "developer-named");
      named.config["database.password"] = azure.jsonSecret.identifier("password");
      const create = await server.api<ConnectError>("POST", `${seed.base}/connectors`, named, { auth });
      expect([400, 403]).toContain(create.status);
      expect(create.body.error.message).toContain("secret.manager.provider.integration.id");
      expect((await server.api("GET", `${seed.base}/connectors/developer-named`)).status).toBe(404);
    });

    it("DeveloperManage cannot point an existing secret-manager connector at a host of its choosing", async () => {
      const current = await server.api<Record<string, string>>("GET", `${seed.base}/connectors/env-made/config`);
      const redirected = { ...current.body, "database.hostname": "attacker.example" };
      const put = await server.api<ConnectError>("PUT", `${seed.base}/connectors/env-made/config`, redirected, { auth: keys.developer.auth });
      expect([400, 403]).toContain(put.status);
      expect(put.body.error.message).toContain("secret.manager.provider.integration.id");
      const after = await server.api<Record<string, string>>("GET", `${seed.base}/connectors/env-made/config`);
      expect(after.body["database.hostname"]).toBe(current.body["database.hostname"]);
    });
  });

  it("final scan: no worker credential, API key secret, vault value or operator secret anywhere", async () => {
    expect(registry.kinds()).toContain("worker-credential");
    expect(registry.kinds()).toContain("api-key-secret");
    await expectNoCanaries(server);
  });
});

describe.each(storeTargets())("failed worker tokens are limited per address on $name", (target) => {
  let server: SecureServer;
  let clusterId: string;
  let connectorId: string;
  let token: string;
  let credentialId: string;

  beforeAll(async () => {
    server = await startSecureServer(target, azure);
    const seed = await seedEnvironment(server, azure, "limited");
    clusterId = seed.clusterId;
    const config = specConnector(azure.vaultUri, seed.integrationId, "limited");
    config.config["database.password"] = azure.jsonSecret.identifier("password");
    expect((await server.api("POST", `${seed.base}/connectors`, config)).status).toBe(201);
    connectorId = (await connectorIds(server, seed.base)).limited ?? "";
    ({ token, id: credentialId } = await createWorkerCredential(server, clusterId, "limited"));
  });
  afterAll(async () => { await server.close(); });

  it("after about ten failures in a minute: 429, even for a valid token and whatever X-Forwarded-For says", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      // Guesses at the secret of a real credential: locked out whether the limit counts per address or per credential there.
      const guess = registry.plant("worker-credential", `guessed token ${i} (${target.name})`, `vwc_${credentialId}_${randomBytes(32).toString("base64url")}`);
      const response = await server.fetch(`/internal/v1/clusters/${clusterId}/connectors/${connectorId}/secrets?keys=database.password`, { headers: { authorization: `Bearer ${guess}`, "x-forwarded-for": `198.51.100.${i}` } });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 8)).toEqual(Array<number>(8).fill(401));
    expect(statuses).toContain(429);
    const valid = await workerSecrets(server, clusterId, connectorId, "database.password", token, ["vault JSON password"]);
    expect(valid.status).toBe(429);
    expect(valid.body.data).toBeUndefined();
  });

  it("final scan: no presented token, valid or guessed, is logged or echoed", async () => {
    const audit = server.logs().split("\n").filter((line) => line.includes("\"audit\":\"secret-access\""));
    expect(audit.length).toBeGreaterThanOrEqual(12);
    await expectNoCanaries(server);
  });
});
