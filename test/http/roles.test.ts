// API key roles: what each may do, and that a read-only or connector-only
// key cannot widen what vaultwire delivers (docs/security.md).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

type Auth = { key: string; secret: string };

describe.each(storeTargets())("API key roles on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let keys: { orgOperator: Auth; envAdmin: Auth; developer: Auth; envOperator: Auth };
  let organizationCrn: string;

  async function key(role: string | undefined, environmentId?: string): Promise<Auth> {
    const created = await server.api<{ id: string; spec: { secret: string; role: string } }>("POST", "/iam/v2/api-keys", { spec: { description: `${role ?? "default"} key`, ...(environmentId ? { resource: { id: environmentId } } : {}), ...(role ? { role } : {}) } });
    expect(created.status, created.text).toBe(202);
    return { key: created.body.id, secret: created.body.spec.secret };
  }

  const plainConnector = (name: string) => ({
    name,
    config: { ...specConnector(azure.vaultUri, seed.integrationId, name).config, "secret.manager.enabled": "false", "database.user": "sa", "database.password": "Plain-Pass-0042" },
  });

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "dev");
    keys = {
      orgOperator: await key("Operator"),
      envAdmin: await key(undefined, seed.environmentId),
      developer: await key("DeveloperManage", seed.environmentId),
      envOperator: await key("operator", seed.environmentId),
    };
    await server.api("POST", `${seed.base}/connectors`, plainConnector("existing"));
    const environment = await server.api<{ metadata: { resource_name: string } }>("GET", `/org/v2/environments/${seed.environmentId}`);
    organizationCrn = environment.body.metadata.resource_name.replace(/\/environment=.*$/, "");
  });
  afterAll(async () => { await server.close(); });

  it("defaults: OrganizationAdmin without a resource, EnvironmentAdmin with one; each key's own service account has its role", async () => {
    const list = await server.api<{ data: { id: string; spec: { owner: { id: string } } }[] }>("GET", "/iam/v2/api-keys");
    const bindings = await server.api<{ data: { principal: string; role_name: string }[] }>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(organizationCrn)}`);
    const roleOf = (auth: Auth) => {
      const owner = list.body.data.find((k) => k.id === auth.key)?.spec.owner.id;
      return bindings.body.data.filter((b) => b.principal === `User:${owner ?? "-"}`).map((b) => b.role_name);
    };
    expect(roleOf(keys.envAdmin)).toEqual(["EnvironmentAdmin"]);
    expect(roleOf(keys.developer)).toEqual(["DeveloperManage"]);
    expect(roleOf(keys.envOperator)).toEqual(["Operator"]);
    expect(roleOf(keys.orgOperator)).toEqual(["Operator"]);
  });

  it.each<[{ role: unknown; resource?: boolean }, string]>([
    [{ role: "OrganizationAdmin", resource: true }, "needs an organization-wide key"],
    [{ role: "DeveloperManage" }, "needs an environment"],
    [{ role: "Superuser" }, "spec.role must be one of OrganizationAdmin, EnvironmentAdmin, DeveloperManage, Operator"],
    [{ role: 7 }, "spec.role must be one of"],
  ])("refuses an API key role that its scope cannot have: %j", async (input, fragment) => {
    const response = await server.api<{ errors: { detail: string; source?: { pointer: string } }[] }>("POST", "/iam/v2/api-keys", { spec: { role: input.role, ...(input.resource ? { resource: { id: seed.environmentId } } : {}) } });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.detail).toContain(fragment);
    expect(response.body.errors[0]?.source?.pointer).toBe("/spec/role");
  });

  it("an Operator reads everything in its scope and changes nothing", async () => {
    for (const auth of [keys.orgOperator, keys.envOperator]) {
      const options = { auth };
      expect((await server.api("GET", `/org/v2/environments/${seed.environmentId}`, undefined, options)).status).toBe(200);
      expect((await server.api("GET", `/cmk/v2/clusters/${seed.clusterId}`, undefined, options)).status).toBe(200);
      expect((await server.api("GET", `/pim/v2/integrations/${seed.integrationId}`, undefined, options)).status).toBe(200);
      expect((await server.api("GET", `${seed.base}/connectors/existing`, undefined, options)).status).toBe(200);
      expect((await server.api("GET", `${seed.base}/connectors/existing/status`, undefined, options)).status).toBe(200);
      const writes: [string, string, unknown][] = [
        ["PATCH", `/org/v2/environments/${seed.environmentId}`, { display_name: "renamed" }],
        ["POST", "/cmk/v2/clusters", { spec: { display_name: "c2", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated" }, environment: { id: seed.environmentId } } }],
        ["PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { display_name: "renamed" } }],
        ["DELETE", `/cmk/v2/clusters/${seed.clusterId}`, undefined],
        ["POST", "/pim/v2/integrations", { display_name: "x", provider: "AZURE", environment: { id: seed.environmentId } }],
        ["PATCH", `/pim/v2/integrations/${seed.integrationId}`, { config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant } }],
        ["DELETE", `/pim/v2/integrations/${seed.integrationId}`, undefined],
        ["POST", "/pim/v2/integrations:validate", { id: seed.integrationId, environment: { id: seed.environmentId } }],
        ["POST", `${seed.base}/connectors`, plainConnector("operator-made")],
        ["PUT", `${seed.base}/connectors/existing/config`, plainConnector("existing").config],
        ["PUT", `${seed.base}/connectors/existing/pause`, undefined],
        ["POST", `${seed.base}/connectors/existing/restart`, undefined],
        ["DELETE", `${seed.base}/connectors/existing`, undefined],
        ["PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, plainConnector("v").config],
        ["POST", "/iam/v2/api-keys", { spec: {} }],
      ];
      for (const [method, path, body] of writes) {
        const response = await server.api(method, path, body, options);
        expect(response.status, `${method} ${path}: ${response.text}`).toBe(403);
        expect(response.text).toMatch(/Operator role \(read-only\)/);
      }
    }
    // Nothing changed.
    expect((await server.api<{ display_name: string }>("GET", `/org/v2/environments/${seed.environmentId}`)).body.display_name).toBe("dev");
    expect((await server.api<{ status: { connector: { state: string } } }>("GET", `${seed.base}/connectors/existing/status`)).status).toBe(200);
  });

  it("a DeveloperManage key manages connectors but cannot assign a provider integration", async () => {
    const auth = keys.developer;
    const created = await server.api("POST", `${seed.base}/connectors`, plainConnector("dev-plain"), { auth });
    expect(created.status, created.text).toBe(201);
    expect((await server.api("PUT", `${seed.base}/connectors/dev-plain/pause`, undefined, { auth })).status).toBe(202);
    const withIntegration = await server.api<{ error: { message: string } }>("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "dev-managed"), { auth });
    expect(withIntegration.status).toBe(403);
    expect(withIntegration.body.error.message).toContain(`secret.manager.provider.integration.id: assigning provider integration "${seed.integrationId}" to a connector needs the OrganizationAdmin or EnvironmentAdmin role`);
    // Nor by turning it on in an existing connector.
    const update = await server.api("PUT", `${seed.base}/connectors/dev-plain/config`, specConnector(azure.vaultUri, seed.integrationId, "dev-plain").config, { auth });
    expect(update.status).toBe(403);
    expect((await server.api("GET", `${seed.base}/connectors/dev-managed`)).status).toBe(404);
    // Clusters and integrations are the environment admin's.
    expect((await server.api("POST", "/pim/v2/integrations", { display_name: "mine", provider: "AZURE", environment: { id: seed.environmentId } }, { auth })).status).toBe(403);
    expect((await server.api("POST", "/cmk/v2/clusters", { spec: { display_name: "c3", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated" }, environment: { id: seed.environmentId } } }, { auth })).status).toBe(403);
    expect((await server.api("DELETE", `${seed.base}/connectors/dev-plain`, undefined, { auth })).status).toBe(200);
  });

  it("an EnvironmentAdmin assigns its own environment's integrations, and only those", async () => {
    const auth = keys.envAdmin;
    const created = await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "admin-managed"), { auth });
    expect(created.status, created.text).toBe(201);
    const other = await seedEnvironment(server, azure, "other");
    const foreign = await server.api<{ error: { message: string } }>("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, other.integrationId, "foreign"), { auth });
    expect(foreign.status).toBe(400);
    expect(foreign.body.error.message).toContain(`provider integration "${other.integrationId}" does not exist in environment "${seed.environmentId}"`);
    // Even an organization admin cannot use another environment's integration.
    const admin = await server.api<{ error: { message: string } }>("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, other.integrationId, "foreign"));
    expect(admin.status).toBe(400);
    // API keys and environments are the organization admin's.
    expect((await server.api("GET", "/iam/v2/api-keys", undefined, { auth })).status).toBe(403);
    expect((await server.api("POST", "/org/v2/environments", { display_name: "new" }, { auth })).status).toBe(403);
    expect((await server.api("PATCH", `/org/v2/environments/${seed.environmentId}`, { display_name: "dev" }, { auth })).status).toBe(200);
  });
});
