// /audit/v1 against a real server and the Azure emulator on every store: the
// rows worker deliveries write (granted, failed, refused), filters, paging,
// role scoping, the last access per secret, this replica's Key Vault request
// rates, and a clear 400 naming the field for every bad parameter.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

interface EventBody { id: string; type: string; time: string; environment_id: string | null; cluster_id: string | null; connector_id: string | null; connector_name: string | null; integration_id: string | null; keys: string[]; versions: Record<string, string>; secrets: Record<string, string>; outcome: string; reason: string | null; worker_credential_id: string | null; worker_name: string | null; remote_address: string | null }
interface EventList { api_version: string; kind: string; metadata: { first: string; next?: string }; data: EventBody[] }
interface ErrorBody { errors: { detail: string; source?: { pointer: string } }[] }
type Auth = { key: string; secret: string };

describe.each(storeTargets())("audit/v1 on $name", (target) => {
  let server: TestServer;
  let dev: Awaited<ReturnType<typeof seedEnvironment>>;
  let prod: Awaited<ReturnType<typeof seedEnvironment>>;
  let devToken: string;
  let devCredential: string;
  let prodToken: string;
  let devConnector: string;
  let prodConnector: string;
  const keys = new Map<string, Auth>();
  const key = (name: string): Auth => {
    const found = keys.get(name);
    if (!found) throw new Error(`no key ${name}`);
    return found;
  };

  async function createKey(role: string, environmentId?: string): Promise<Auth> {
    const created = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: role, role, ...(environmentId === undefined ? {} : { resource: { id: environmentId } }) } });
    expect(created.status, created.text).toBe(202);
    return { key: created.body.id, secret: created.body.spec.secret };
  }

  async function fetchSecrets(clusterId: string, connectorId: string, keyList: string, token: string | null): Promise<number> {
    const response = await fetch(`${server.url}/internal/v1/clusters/${clusterId}/connectors/${connectorId}/secrets?keys=${encodeURIComponent(keyList)}`, { headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), "x-vaultwire-worker": "connect-3.dev" } });
    await response.text();
    return response.status;
  }

  const events = async (query: string, auth?: Auth) => {
    await server.running.auditTrail.flush();
    return server.api<EventList>("GET", `/audit/v1/events${query}`, undefined, auth === undefined ? {} : { auth });
  };

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    dev = await seedEnvironment(server, azure, "dev");
    prod = await seedEnvironment(server, azure, "prod");
    const credential = async (clusterId: string) => (await server.api<{ id: string; spec: { secret: string } }>("POST", `/cmk/v2/clusters/${clusterId}/worker-credentials`, { spec: { description: "pool" } })).body;
    const devCred = await credential(dev.clusterId);
    devToken = devCred.spec.secret;
    devCredential = devCred.id;
    prodToken = (await credential(prod.clusterId)).spec.secret;
    expect((await server.api("POST", `${dev.base}/connectors`, specConnector(azure.vaultUri, dev.integrationId, "orders"))).status).toBe(201);
    expect((await server.api("POST", `${prod.base}/connectors`, specConnector(azure.vaultUri, prod.integrationId, "billing"))).status).toBe(201);
    const id = async (base: string, name: string) => (await server.api<Record<string, { id: { id: string } }>>("GET", `${base}/connectors?expand=id`)).body[name]?.id.id ?? "";
    devConnector = await id(dev.base, "orders");
    prodConnector = await id(prod.base, "billing");
    keys.set("orgOperator", await createKey("Operator"));
    keys.set("devAdmin", await createKey("EnvironmentAdmin", dev.environmentId));
    keys.set("devOperator", await createKey("Operator", dev.environmentId));
    keys.set("devDeveloper", await createKey("DeveloperManage", dev.environmentId));
    // Granted, refused (bad token, another cluster's credential, a key that is no secret), granted in prod.
    expect(await fetchSecrets(dev.clusterId, devConnector, "database.password,database.user", devToken)).toBe(200);
    expect(await fetchSecrets(dev.clusterId, devConnector, "database.password", "vwc_wcr-nope_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")).toBe(401);
    expect(await fetchSecrets(dev.clusterId, devConnector, "database.password", prodToken)).toBe(401);
    expect(await fetchSecrets(dev.clusterId, devConnector, "database.hostname", devToken)).toBe(404);
    expect(await fetchSecrets(prod.clusterId, prodConnector, "database.password", prodToken)).toBe(200);
  });
  afterAll(async () => { await server.close(); });

  it("records every access and refusal, with keys, versions, secret references and the worker, never a value", async () => {
    const list = await events(`?cluster=${dev.clusterId}&order=asc`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.api_version).toBe("audit/v1");
    expect(list.body.kind).toBe("AuditEventList");
    expect(list.body.data.map((e) => [e.type, e.outcome, e.reason])).toEqual([
      ["secret.access", "granted", null],
      ["secret.access.refused", "denied", "refused_credential"],
      ["secret.access.refused", "denied", "refused_credential"],
      ["secret.access.refused", "denied", "not_secret"],
    ]);
    const granted = list.body.data[0];
    expect(granted).toMatchObject({
      environment_id: dev.environmentId, cluster_id: dev.clusterId, connector_id: devConnector, connector_name: "orders", integration_id: dev.integrationId,
      keys: ["database.password", "database.user"], worker_credential_id: devCredential, worker_name: "connect-3.dev", remote_address: "127.0.0.1",
    });
    expect(Object.keys(granted?.versions ?? {})).toEqual(["database.password", "database.user"]);
    expect(granted?.secrets["database.password"]).toBe(`${azure.vaultUri}/secrets/sqlserver-db-secret`);
    // A refusal before the connector was read still belongs to the cluster's environment (role scoping sees it).
    expect(list.body.data[1]?.environment_id).toBe(dev.environmentId);
    expect(list.text).not.toContain(VAULT_CANARY);
    const ids = list.body.data.map((e) => Number(e.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it("filters by connector (id or name), type, environment and time, and pages with next links", async () => {
    expect((await events(`?connector=orders`)).body.data.every((e) => e.connector_id === devConnector)).toBe(true);
    expect((await events(`?connector=${prodConnector}`)).body.data.map((e) => e.connector_name)).toEqual(["billing"]);
    expect((await events(`?type=secret.access.refused&environment=${dev.environmentId}`)).body.data).toHaveLength(3);
    expect((await events(`?type=secret.access,rotation.detected`)).body.data.map((e) => e.outcome)).toEqual(["granted", "granted"]);
    expect((await events(`?since=2999-01-01T00:00:00Z`)).body.data).toEqual([]);
    expect((await events(`?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z`)).body.data).toEqual([]);
    expect((await events(`?until=2000-01-01T00:00:00%2B02:00`)).body.data).toEqual([]);
    // An empty bound is no bound, and the schema says so (schemathesis found the schema refusing what the service accepts).
    const unbounded = await events(`?since=&until=`);
    expect(unbounded.status).toBe(200);
    expect(unbounded.body.data.length).toBeGreaterThan(0);
    const first = await events(`?cluster=${dev.clusterId}&page_size=3`);
    expect(first.body.data).toHaveLength(3);
    const next = first.body.metadata.next ?? "";
    expect(next).toContain(`cluster=${dev.clusterId}`);
    expect(next).toContain("page_size=3");
    const second = await server.api<EventList>("GET", next.replace(server.url, ""));
    expect(second.body.data).toHaveLength(1);
    expect(second.body.metadata.next).toBeUndefined();
    expect(Number(second.body.data[0]?.id)).toBeLessThan(Number(first.body.data[2]?.id));
  });

  it("scopes by role: org keys see all, an environment's admins and operators only theirs, developers nothing", async () => {
    const all = await events("", key("orgOperator"));
    expect(new Set(all.body.data.map((e) => e.environment_id))).toEqual(new Set([dev.environmentId, prod.environmentId]));
    for (const name of ["devAdmin", "devOperator"]) {
      const mine = await events("?page_size=100", key(name));
      expect(mine.status).toBe(200);
      expect(mine.body.data.length).toBeGreaterThan(0);
      expect(mine.body.data.every((e) => e.environment_id === dev.environmentId), name).toBe(true);
      expect((await events(`?connector=${prodConnector}`, key(name))).body.data).toEqual([]);
      const hidden = await events(`?environment=${prod.environmentId}`, key(name));
      expect(hidden.status).toBe(404);
      expect((hidden.body as unknown as ErrorBody).errors[0]?.detail).toContain(`environment "${prod.environmentId}" was not found`);
    }
    const developer = await events("", key("devDeveloper"));
    expect(developer.status).toBe(403);
    expect((developer.body as unknown as ErrorBody).errors[0]?.detail).toContain("needs the OrganizationAdmin, EnvironmentAdmin or Operator role");
    expect((await server.api("GET", "/audit/v1/events", undefined, { auth: null })).status).toBe(401);
  });

  it.each([
    ["since=yesterday", "since", "RFC 3339"],
    ["until=2026-02-30T25:00:00Z", "until", "RFC 3339"],
    ["type=secret.read", "type", "secret.access, secret.access.refused, rotation.detected, connector.restarted"],
    ["order=newest", "order", "asc (oldest first) or desc"],
    ["page_size=0", "page_size", "1 to 100"],
    ["page_token=1_2024-01-01T00:00:00.000Z_env-x", "page_token", "page_token"],
    [`connector=${"x".repeat(129)}`, "connector", "at most 128"],
    ["type=secret.access&type=rotation.detected", "type", "given once"],
  ])("answers ?%s with a 400 naming %s", async (query, field, fragment) => {
    const response = await events(`?${query}`);
    expect(response.status, response.text).toBe(400);
    const body = response.body as unknown as ErrorBody;
    expect(body.errors.map((e) => e.source?.pointer)).toContain(`/${field}`);
    expect(body.errors.map((e) => e.detail).join(" ")).toContain(fragment);
  });

  it("lists the last access per secret of an integration, to those who see it", async () => {
    await server.running.auditTrail.flush();
    const response = await server.api<{ kind: string; data: { secret: string; connector_name: string; key: string; worker_credential_id: string; time: string }[] }>("GET", `/audit/v1/secret-accesses?integration=${dev.integrationId}`, undefined, { auth: key("devOperator") });
    expect(response.status, response.text).toBe(200);
    expect(response.body.kind).toBe("SecretLastAccessList");
    expect(response.body.data).toEqual([expect.objectContaining({ secret: `${azure.vaultUri}/secrets/sqlserver-db-secret`, connector_name: "orders", worker_credential_id: devCredential })]);
    expect(response.text).not.toContain(VAULT_CANARY);
    expect((await server.api("GET", `/audit/v1/secret-accesses?integration=${prod.integrationId}`, undefined, { auth: key("devAdmin") })).status).toBe(404);
    expect((await server.api("GET", "/audit/v1/secret-accesses?integration=cspi-missing")).status).toBe(404);
    const missing = await server.api<ErrorBody>("GET", "/audit/v1/secret-accesses");
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0]?.source?.pointer).toBe("/integration");
    expect((await server.api("GET", `/audit/v1/secret-accesses?integration=${dev.integrationId}`, undefined, { auth: key("devDeveloper") })).status).toBe(403);
  });

  it("counts this replica's Key Vault requests per minute per vault, for organization-wide keys", async () => {
    const response = await server.api<{ kind: string; window_minutes: number; data: { manager: string; target: string; minutes: { minute: string; requests: number; throttled: number; failed: number }[] }[] }>("GET", "/audit/v1/secret-manager-requests", undefined, { auth: key("orgOperator") });
    expect(response.status, response.text).toBe(200);
    expect(response.body.window_minutes).toBe(60);
    const vault = response.body.data.find((s) => s.manager === "AZURE_KEY_VAULT" && s.target === azure.vaultUri);
    expect(vault?.minutes).toHaveLength(60);
    expect(vault?.minutes.reduce((n, m) => n + m.requests, 0)).toBeGreaterThan(0);
    const scoped = await server.api<ErrorBody>("GET", "/audit/v1/secret-manager-requests", undefined, { auth: key("devAdmin") });
    expect(scoped.status).toBe(403);
    expect(scoped.body.errors[0]?.detail).toContain("needs an organization-wide API key");
  });
});
