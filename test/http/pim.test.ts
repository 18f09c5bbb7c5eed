// /pim/v2/integrations against a real server and the Azure emulator, on each
// store: the lifecycle (DRAFT → CREATED → ACTIVE), filters and paging, live
// validation at both paths, and the integration's own credential, whose
// secret never leaves the server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseText, seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, type ApiResponse, type AzureFixture, type TestServer } from "./harness.js";

interface V2Error { errors: { id: string; status: string; code: string; title: string; detail: string; source?: { pointer: string } }[] }
interface Integration {
  api_version: string;
  kind: string;
  id: string;
  display_name: string;
  provider: string;
  config: { kind: string; customer_azure_tenant_id: string; confluent_multi_tenant_app_id: string; credential?: { kind: string; client_id: string } };
  environment: { id: string; related: string; resource_name: string };
  status: string;
  usages: string[];
  metadata: { self: string; resource_name: string; created_at: string; updated_at: string };
}
interface IntegrationList { api_version: string; kind: string; metadata: { first: string; next?: string }; data: Integration[] }
interface Probe { permission: string; action: string; status: string; reason: string }
interface Validation { ready: boolean; token: { ok: boolean; message?: string; code?: string }; permissions: Probe[] }
type Failed = V2Error & { validation: Validation };

const VALIDATE_PATHS = ["/pim/v2/integrations:validate", "/pim/v2/integrations/validate"] as const;

let azure: AzureFixture;
/** An app registered in the customer's own tenant, with "Key Vault Secrets User" on the locked vault (which the platform app cannot read). */
let team: { appId: string; secret: string };

beforeAll(async () => {
  azure = await startAzureFixture();
  const { appId } = azure.emulator.createApp({ homeTenantId: azure.customerTenant, displayName: "team-a" });
  const { secret } = azure.emulator.addClientSecret(appId);
  const principal = azure.emulator.servicePrincipalObjectId(appId, azure.customerTenant) ?? "";
  azure.emulator.assignRole("locked-vault", { principalObjectId: principal, role: "Key Vault Secrets User" });
  team = { appId, secret };
});
afterAll(async () => { await azure.close(); });

function pointers(response: ApiResponse<V2Error>): (string | undefined)[] {
  return response.body.errors.map((e) => e.source?.pointer);
}

function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

describe.each(storeTargets())("pim/v2 on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let otherEnvironmentId: string;

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "dev");
    otherEnvironmentId = (await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "other" })).body.id;
  });
  afterAll(async () => { await server.close(); });

  async function create(displayName: string, environmentId = seed.environmentId): Promise<Integration> {
    const response = await server.api<Integration>("POST", "/pim/v2/integrations", { display_name: displayName, provider: "AZURE", environment: { id: environmentId } });
    expect(response.status, response.text).toBe(201);
    return response.body;
  }

  async function attachTenant(id: string, environmentId = seed.environmentId, extra: Record<string, unknown> = {}): Promise<ApiResponse<Integration>> {
    return server.api<Integration>("PATCH", `/pim/v2/integrations/${id}`, { config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant, ...extra }, environment: { id: environmentId } });
  }

  async function listIds(query: string): Promise<string[]> {
    const response = await server.api<IntegrationList>("GET", `/pim/v2/integrations?${query}`);
    expect(response.status, response.text).toBe(200);
    return response.body.data.map((i) => i.id);
  }

  describe("lifecycle", () => {
    let integration: Integration;

    it("creates a DRAFT integration (201) naming the platform's multi-tenant app", async () => {
      const response = await server.api<Integration>("POST", "/pim/v2/integrations", { display_name: "akv", provider: "azure", environment: { id: seed.environmentId } });
      expect(response.status).toBe(201);
      integration = response.body;
      expect(integration).toMatchObject({
        api_version: "pim/v2",
        kind: "Integration",
        display_name: "akv",
        provider: "AZURE",
        status: "DRAFT",
        usages: [],
        config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: "", confluent_multi_tenant_app_id: azure.appId },
        environment: { id: seed.environmentId, related: `${server.url}/org/v2/environments/${seed.environmentId}` },
      });
      expect(integration.id).toMatch(/^cspi-[a-z0-9]+$/);
      expect(integration.config.credential).toBeUndefined();
      expect(integration.metadata.self).toBe(`${server.url}/pim/v2/integrations/${integration.id}`);
      expect(integration.metadata.resource_name).toMatch(new RegExp(`/environment=${seed.environmentId}/provider-integration=${integration.id}$`));
    });

    it("rejects a bad tenant id, a wrong config kind and an empty update (400), and a credential before the tenant (409), staying DRAFT", async () => {
      const badTenant = await server.api<V2Error>("PATCH", `/pim/v2/integrations/${integration.id}`, { config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: "contoso.onmicrosoft.com" }, environment: { id: seed.environmentId } });
      expect(badTenant.status).toBe(400);
      expect(pointers(badTenant)).toEqual(["/config/customer_azure_tenant_id"]);
      expect(badTenant.body.errors[0]?.detail).toContain("must be a tenant id (a GUID");
      const badKind = await server.api<V2Error>("PATCH", `/pim/v2/integrations/${integration.id}`, { config: { kind: "AwsIntegrationConfig", customer_azure_tenant_id: azure.customerTenant } });
      expect(badKind.status).toBe(400);
      expect(pointers(badKind)).toEqual(["/config/kind"]);
      const empty = await server.api<V2Error>("PATCH", `/pim/v2/integrations/${integration.id}`, { environment: { id: seed.environmentId } });
      expect(empty.status).toBe(400);
      expect(pointers(empty)).toEqual(["/config"]);
      const credentialFirst = await server.api<V2Error>("PATCH", `/pim/v2/integrations/${integration.id}`, { config: { credential: { kind: "ClientSecret", client_id: team.appId, client_secret: team.secret } } });
      // Well formed, but the integration's state refuses it: a conflict.
      expect(credentialFirst.status).toBe(409);
      expect(credentialFirst.body.errors[0]?.detail).toContain("is DRAFT: set config.customer_azure_tenant_id before (or together with) a credential");
      const read = await server.api<Integration>("GET", `/pim/v2/integrations/${integration.id}?environment=${seed.environmentId}`);
      expect(read.body).toMatchObject({ status: "DRAFT", config: { customer_azure_tenant_id: "" } });
      expect(read.body.config.credential).toBeUndefined();
    });

    it("attaches the customer's tenant once: DRAFT → CREATED (200), then 409", async () => {
      const patched = await server.api<Integration>("PATCH", `/pim/v2/integrations/${integration.id}`, { config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant.toUpperCase() }, environment: { id: seed.environmentId } });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: integration.id, status: "CREATED", config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant.toLowerCase(), confluent_multi_tenant_app_id: azure.appId } });
      const again = await attachTenant(integration.id);
      expect(again.status).toBe(409);
      expect((again.body as unknown as V2Error).errors[0]).toMatchObject({ status: "409", code: "conflict" });
      expect((again.body as unknown as V2Error).errors[0]?.detail).toContain(`provider integration "${integration.id}" is CREATED`);
      expect((await server.api<Integration>("GET", `/pim/v2/integrations/${integration.id}`)).body.status).toBe("CREATED");
    });

    it("reads with its own environment, 404 with another or for an unknown id", async () => {
      expect((await server.api("GET", `/pim/v2/integrations/${integration.id}?environment=${seed.environmentId}`)).status).toBe(200);
      const wrong = await server.api<V2Error>("GET", `/pim/v2/integrations/${integration.id}?environment=${otherEnvironmentId}`);
      expect(wrong.status).toBe(404);
      expect(wrong.body.errors[0]?.detail).toBe(`provider integration "${integration.id}" was not found`);
      expect((await server.api("PATCH", `/pim/v2/integrations/${integration.id}?environment=${otherEnvironmentId}`, { config: { customer_azure_tenant_id: azure.customerTenant } })).status).toBe(404);
      expect((await server.api("DELETE", `/pim/v2/integrations/${integration.id}?environment=${otherEnvironmentId}`)).status).toBe(404);
      expect((await server.api("GET", "/pim/v2/integrations/cspi-nope0000")).status).toBe(404);
    });

    it("deletes (204), then answers 404", async () => {
      const deleted = await server.api("DELETE", `/pim/v2/integrations/${integration.id}?environment=${seed.environmentId}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe("");
      expect((await server.api("GET", `/pim/v2/integrations/${integration.id}`)).status).toBe(404);
      expect((await server.api("DELETE", `/pim/v2/integrations/${integration.id}?environment=${seed.environmentId}`)).status).toBe(404);
      expect(await listIds(`environment=${seed.environmentId}&page_size=100`)).not.toContain(integration.id);
    });
  });

  describe("bad creates", () => {
    it.each([
      ["provider GCP", { provider: "GCP" }, 400, ["/provider"], "provider GCP is not supported by this server; supported: AZURE, AWS"],
      ["an unknown provider", { provider: "ORACLE" }, 400, ["/provider"], "provider must be one of AZURE, AWS, GCP"],
      ["no provider", { provider: undefined }, 400, ["/provider"], "provider must be one of"],
      ["display_name over 60", { display_name: "i".repeat(61) }, 400, ["/display_name"], "display_name must be at most 60 characters (got 61)"],
      ["no display_name", { display_name: undefined }, 400, ["/display_name"], "display_name is required"],
      ["display_name with a control character", { display_name: "a\tb" }, 400, ["/display_name"], "control characters"],
      ["no environment", { environment: undefined }, 400, ["/environment/id"], "environment.id is required"],
      ["an unknown environment", { environment: { id: "env-nope0000" } }, 404, [undefined], "environment \"env-nope0000\" was not found"],
    ])("%s → %i, nothing created", async (_label, overrides, status, expected, detail) => {
      const before = await listIds(`environment=${seed.environmentId}&page_size=100`);
      const response = await server.api<V2Error>("POST", "/pim/v2/integrations", { display_name: "bad", provider: "AZURE", environment: { id: seed.environmentId }, ...overrides });
      expect(response.status).toBe(status);
      expect(pointers(response)).toEqual(expected);
      expect(response.body.errors.map((e) => e.detail).join(" | ")).toContain(detail);
      expect(await listIds(`environment=${seed.environmentId}&page_size=100`)).toEqual(before);
    });

    it("accepts a display_name of exactly 60 characters", async () => {
      const name = "n".repeat(60);
      const created = await create(name);
      expect(created.display_name).toBe(name);
      expect((await server.api("DELETE", `/pim/v2/integrations/${created.id}`)).status).toBe(204);
    });
  });

  describe("list", () => {
    let environmentId: string;
    const ids: Record<"draft" | "created" | "active" | "draft2", string> = { draft: "", created: "", active: "", draft2: "" };

    beforeAll(async () => {
      const listing = await seedEnvironment(server, azure, "listing");
      environmentId = listing.environmentId;
      ids.active = listing.integrationId;
      ids.draft = (await create("a-draft", environmentId)).id;
      ids.created = (await create("b-created", environmentId)).id;
      expect((await attachTenant(ids.created, environmentId)).status).toBe(200);
      ids.draft2 = (await create("d-draft", environmentId)).id;
      const connector = await server.api("POST", `${listing.base}/connectors`, specConnector(azure.vaultUri, ids.active, "uses-active"));
      expect(connector.status, connector.text).toBe(201);
    });

    it("lists an environment's integrations in the IntegrationList shape, and needs ?environment=", async () => {
      const response = await server.api<IntegrationList>("GET", `/pim/v2/integrations?environment=${environmentId}`);
      expect(response.body).toMatchObject({ api_version: "pim/v2", kind: "IntegrationList", metadata: { first: `${server.url}/pim/v2/integrations?environment=${environmentId}` } });
      expect(response.body.data.map((i) => i.id).sort()).toEqual(Object.values(ids).sort());
      const active = response.body.data.find((i) => i.id === ids.active);
      expect(active?.usages).toHaveLength(1);
      expect(active?.usages[0]).toMatch(/\/connector=uses-active$/);
      const missing = await server.api<V2Error>("GET", "/pim/v2/integrations");
      expect(missing.status).toBe(400);
      expect(pointers(missing)).toEqual(["/environment"]);
      expect(missing.body.errors[0]?.detail).toContain("environment");
      expect((await server.api("GET", "/pim/v2/integrations?environment=env-nope0000")).status).toBe(404);
      expect(await listIds(`environment=${otherEnvironmentId}`)).toEqual([]);
    });

    it.each([
      ["status=DRAFT", ["draft", "draft2"]],
      ["status=draft", ["draft", "draft2"]],
      ["status=CREATED", ["created"]],
      ["status=ACTIVE", ["active"]],
      ["provider=AZURE", ["active", "draft", "created", "draft2"]],
      ["provider=AWS", []],
      ["display_name=b-created", ["created"]],
      ["display_name=nope", []],
      ["status=DRAFT&display_name=d-draft", ["draft2"]],
    ] as const)("filters by %s", async (query, expected) => {
      expect((await listIds(`environment=${environmentId}&${query}&page_size=100`)).sort()).toEqual(expected.map((k) => ids[k]).sort());
    });

    it.each([["status=RUNNING", "/status"], ["provider=azure-ish", "/provider"], ["page_size=0", "/page_size"], ["page_size=101", "/page_size"], ["page_token=garbage!", "/page_token"]])("rejects %s (400)", async (query, pointer) => {
      const response = await server.api<V2Error>("GET", `/pim/v2/integrations?environment=${environmentId}&${query}`);
      expect(response.status).toBe(400);
      expect(pointers(response)).toEqual([pointer]);
    });

    it.each([[""], ["&status=DRAFT"], ["&status=ACTIVE"]])("pages with page_size=1, keeping filters%s", async (filter) => {
      const all = await listIds(`environment=${environmentId}${filter}&page_size=100`);
      const seen: string[] = [];
      let path: string | undefined = `/pim/v2/integrations?environment=${environmentId}${filter}&page_size=1`;
      let pages = 0;
      while (path !== undefined) {
        const page: ApiResponse<IntegrationList> = await server.api<IntegrationList>("GET", path);
        expect(page.status).toBe(200);
        expect(page.body.data.length).toBeLessThanOrEqual(1);
        seen.push(...page.body.data.map((i) => i.id));
        const next = page.body.metadata.next;
        if (next !== undefined) {
          const params = new URL(next).searchParams;
          expect(params.get("environment")).toBe(environmentId);
          expect(params.get("page_size")).toBe("1");
          if (filter !== "") expect(`&status=${params.get("status") ?? ""}`).toBe(filter);
        }
        path = next === undefined ? undefined : pathOf(next);
        pages += 1;
        expect(pages).toBeLessThanOrEqual(5);
      }
      expect(seen).toEqual(all);
      expect(seen.length).toBeGreaterThan(0);
    });

    it("refuses to delete the ACTIVE integration (409)", async () => {
      const response = await server.api<V2Error>("DELETE", `/pim/v2/integrations/${ids.active}?environment=${environmentId}`);
      expect(response.status).toBe(409);
      expect(response.body.errors[0]?.detail).toContain("is currently in use by 1 resource(s)");
    });
  });

  describe.each(VALIDATE_PATHS)("validate at %s", (path) => {
    it("without a vault: token only → 204", async () => {
      const response = await server.api("POST", path, { id: seed.integrationId, environment: { id: seed.environmentId } });
      expect(response.status).toBe(204);
      expect(response.text).toBe("");
    });

    it("with a readable vault → 200, both permissions granted", async () => {
      for (const vaultUri of [azure.vaultUri, `${azure.vaultUri}/`]) {
        const response = await server.api<Validation>("POST", path, { id: seed.integrationId, environment: { id: seed.environmentId }, vault_uri: vaultUri });
        expect(response.status, response.text).toBe(200);
        expect(response.body).toMatchObject({ ready: true, token: { ok: true } });
        expect(response.body.permissions.map((p) => [p.permission, p.status])).toEqual([["readMetadata", "granted"], ["getSecret", "granted"]]);
      }
    });

    it("with a vault the app has no role on → 422 naming each permission, with the report", async () => {
      const response = await server.api<Failed>("POST", path, { id: seed.integrationId, environment: { id: seed.environmentId }, vault_uri: azure.lockedVaultUri });
      expect(response.status).toBe(422);
      expect(pointers(response)).toEqual(["/permissions/readMetadata", "/permissions/getSecret"]);
      for (const error of response.body.errors) expect(error).toMatchObject({ status: "422", code: "validation_failed", title: "Unprocessable Entity" });
      expect(response.body.validation.ready).toBe(false);
      expect(response.body.validation.token.ok).toBe(true);
      expect(response.body.validation.permissions.map((p) => [p.permission, p.status])).toEqual([["readMetadata", "denied"], ["getSecret", "denied"]]);
      for (const probe of response.body.validation.permissions) expect(probe.reason).toContain("Key Vault Secrets User");
    });

    it("with a secret_identifier → 200 when readable, 422 when not", async () => {
      const readable = await server.api<Validation>("POST", path, { id: seed.integrationId, secret_identifier: `${azure.vaultUri}::sqlserver-db-secret::password` });
      expect(readable.status, readable.text).toBe(200);
      expect(readable.body.ready).toBe(true);
      expect(readable.body.permissions.find((p) => p.permission === "getSecret")?.status).toBe("granted");
      const locked = await server.api<Failed>("POST", path, { id: seed.integrationId, secret_identifier: `${azure.lockedVaultUri}::sqlserver-db-secret` });
      expect(locked.status).toBe(422);
      expect(pointers(locked)).toContain("/permissions/getSecret");
      expect(readable.text + locked.text).not.toContain(VAULT_CANARY);
    });

    it.each([
      ["a vault host that is not allowed (vault_uri)", { vault_uri: "https://evil.example.com" }, 400, "/vault_uri", "evil.example.com"],
      ["a vault host that is not allowed (secret_identifier)", { secret_identifier: "https://evil.example.com::db::password" }, 400, "/secret_identifier", "evil.example.com"],
      ["a malformed identifier", { secret_identifier: "not-an-identifier" }, 400, "/secret_identifier", "secret_identifier"],
      ["no id", { id: undefined }, 400, "/id", "id is required"],
    ])("%s → %i", async (_label, overrides, status, pointer, fragment) => {
      const response = await server.api<V2Error>("POST", path, { id: seed.integrationId, environment: { id: seed.environmentId }, ...overrides });
      expect(response.status).toBe(status);
      expect(pointers(response)).toEqual([pointer]);
      expect(response.body.errors[0]?.detail).toContain(fragment);
    });

    it("an unknown integration or another environment → 404", async () => {
      expect((await server.api("POST", path, { id: "cspi-nope0000" })).status).toBe(404);
      expect((await server.api("POST", path, { id: seed.integrationId, environment: { id: otherEnvironmentId } })).status).toBe(404);
    });

    it("a DRAFT integration → 409 (well formed; the integration's state refuses it)", async () => {
      const draft = await create(`draft-${path.endsWith(":validate") ? "colon" : "slash"}`);
      const response = await server.api<V2Error>("POST", path, { id: draft.id, environment: { id: seed.environmentId }, vault_uri: azure.vaultUri });
      expect(response.status).toBe(409);
      expect(response.body.errors[0]).toMatchObject({ status: "409", code: "conflict" });
      expect(response.body.errors[0]?.detail).toContain(`provider integration "${draft.id}" is DRAFT`);
    });

    it("an AWS integration takes a secret ARN, never a vault (this server has no AWS identity: 422 saying so)", async () => {
      const suffix = path.endsWith(":validate") ? "colon" : "slash";
      const created = await server.api<{ id: string }>("POST", "/pim/v1/integrations", { display_name: `aws-${suffix}`, provider: "AWS", config: { kind: "AwsIntegrationConfig", customer_iam_role_arn: "arn:aws:iam::123456789012:role/reader" }, environment: { id: seed.environmentId } });
      expect(created.status, created.text).toBe(201);
      const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf::password";
      const unconfigured = await server.api<Failed>("POST", path, { id: created.body.id, secret_identifier: arn });
      expect(unconfigured.status, unconfigured.text).toBe(422);
      expect(pointers(unconfigured)).toEqual(["/token"]);
      expect(unconfigured.body.validation.token).toMatchObject({ ok: false, code: "CREDENTIAL_UNAVAILABLE" });
      expect(unconfigured.body.errors[0]?.detail).toContain("VAULTWIRE_AWS_ACCESS_KEY_ID");
      // Well-formed, but for another manager than the integration's: 422 (the schema takes both forms); malformed: 400.
      const cases: [Record<string, unknown>, number, string, string][] = [
        [{ vault_uri: azure.vaultUri }, 422, "/vault_uri", `provider integration "${created.body.id}" is an AWS integration`],
        [{ secret_identifier: `${azure.vaultUri}::sqlserver-db-secret` }, 422, "/secret_identifier", "secret_identifier is an Azure Key Vault identifier, but provider integration"],
        [{ secret_identifier: "arn:aws:secretsmanager:cn-north-1:123456789012:secret:x" }, 400, "/secret_identifier", "the ARN's region is not in partition aws"],
        [{ secret_identifier: ` ${arn}` }, 400, "/secret_identifier", "without surrounding spaces"],
        [{ secret_identifier: 7 }, 400, "/secret_identifier", "must be a string"],
      ];
      for (const [body, status, pointer, fragment] of cases) {
        const response = await server.api<V2Error>("POST", path, { id: created.body.id, ...body });
        expect(response.status, JSON.stringify(body)).toBe(status);
        expect(pointers(response)).toEqual([pointer]);
        expect(response.body.errors[0]?.detail).toContain(fragment);
      }
      const draft = await server.api<{ id: string }>("POST", "/pim/v2/integrations", { display_name: `aws-draft-${suffix}`, provider: "AWS", environment: { id: seed.environmentId } });
      const refused = await server.api<V2Error>("POST", path, { id: draft.body.id, secret_identifier: arn });
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0]?.detail).toBe(`provider integration "${draft.body.id}" is DRAFT: set config.customer_iam_role_arn first`);
    });
  });

  describe("the integration's own credential (vaultwire extension)", () => {
    let own: Integration;

    it("is accepted with the tenant and shown back only as {kind, client_id}", async () => {
      own = await create("team-a");
      const patched = await attachTenant(own.id, seed.environmentId, { credential: { kind: "ClientSecret", client_id: team.appId.toUpperCase(), client_secret: team.secret } });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body.status).toBe("CREATED");
      expect(patched.body.config.credential).toEqual({ kind: "ClientSecret", client_id: team.appId.toLowerCase() });
      const read = await server.api<Integration>("GET", `/pim/v2/integrations/${own.id}?environment=${seed.environmentId}`);
      expect(read.body.config.credential).toEqual({ kind: "ClientSecret", client_id: team.appId.toLowerCase() });
      const listed = await server.api<IntegrationList>("GET", `/pim/v2/integrations?environment=${seed.environmentId}&display_name=team-a`);
      expect(listed.body.data[0]?.config.credential).toEqual({ kind: "ClientSecret", client_id: team.appId.toLowerCase() });
    });

    it("validates with the team's own service principal: 200 on the vault only it can read", async () => {
      for (const path of VALIDATE_PATHS) {
        const response = await server.api<Validation>("POST", path, { id: own.id, environment: { id: seed.environmentId }, vault_uri: azure.lockedVaultUri });
        expect(response.status, response.text).toBe(200);
        expect(response.body.permissions.map((p) => [p.permission, p.status])).toEqual([["readMetadata", "granted"], ["getSecret", "granted"]]);
      }
      // The platform identity cannot read that vault: the 200 above came from the team's credential.
      expect((await server.api("POST", VALIDATE_PATHS[0], { id: seed.integrationId, vault_uri: azure.lockedVaultUri })).status).toBe(422);
    });

    it("can be set on a CREATED integration; a wrong secret fails at the token (422)", async () => {
      const wrong = await create("team-a-wrong");
      expect((await attachTenant(wrong.id)).status).toBe(200);
      const patched = await server.api<Integration>("PATCH", `/pim/v2/integrations/${wrong.id}`, { config: { credential: { kind: "ClientSecret", client_id: team.appId, client_secret: "not-the-secret" } } });
      expect(patched.status, patched.text).toBe(200);
      expect(patched.body.config.credential).toEqual({ kind: "ClientSecret", client_id: team.appId.toLowerCase() });
      const response = await server.api<Failed>("POST", VALIDATE_PATHS[0], { id: wrong.id, vault_uri: azure.lockedVaultUri });
      expect(response.status).toBe(422);
      expect(pointers(response)).toEqual(["/token"]);
      expect(response.body.validation.token.ok).toBe(false);
      expect(response.text).not.toContain("not-the-secret");
      const removed = await server.api<Integration>("PATCH", `/pim/v2/integrations/${wrong.id}`, { config: { credential: null } });
      expect(removed.status).toBe(200);
      expect(removed.body.config.credential).toBeUndefined();
      expect((await server.api("POST", VALIDATE_PATHS[0], { id: wrong.id })).status).toBe(204);
    });

    it.each([
      ["an unknown kind", { kind: "Password", client_id: "00000000-0000-0000-0000-000000000001", client_secret: "x" }, ["/config/credential/kind"]],
      ["a client_id that is not a GUID", { kind: "ClientSecret", client_id: "team-a", client_secret: "x" }, ["/config/credential/client_id"]],
      ["no client_secret", { kind: "ClientSecret", client_id: "00000000-0000-0000-0000-000000000001" }, ["/config/credential/client_secret"]],
      ["a certificate that is not PEM", { kind: "ClientCertificate", client_id: "00000000-0000-0000-0000-000000000001", certificate_pem: "nope" }, ["/config/credential/certificate_pem"]],
      ["not an object", "secret", ["/config/credential"]],
    ])("rejects %s (400), keeping the stored credential", async (_label, credential, expected) => {
      const response = await server.api<V2Error>("PATCH", `/pim/v2/integrations/${own.id}`, { config: { credential } });
      expect(response.status).toBe(400);
      expect(pointers(response)).toEqual(expected);
      expect((await server.api<Integration>("GET", `/pim/v2/integrations/${own.id}`)).body.config.credential).toEqual({ kind: "ClientSecret", client_id: team.appId.toLowerCase() });
    });

    it("never shows its secret: not in any response, log line or the database", async () => {
      const stored = await databaseText(server);
      expect(stored).toContain(own.id);
      expect(stored).not.toContain(team.secret);
      expect(stored).not.toContain("not-the-secret");
      expect(server.responses()).toContain(own.id);
      expect(server.responses()).not.toContain(team.secret);
      expect(server.logs()).toContain("request completed");
      expect(server.logs()).not.toContain(team.secret);
      expect(server.logs()).not.toContain("not-the-secret");
      expect(server.logs()).not.toContain(azure.appSecret);
    });
  });
});
