// Role bindings cannot be used to climb (decision 45, docs/security.md): an
// EnvironmentAdmin administers its environment's bindings and nothing wider,
// a key never does more than its owner's bindings narrowed to its resource,
// the organization always keeps an OrganizationAdmin, and API key secrets
// appear nowhere but the create response.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "../http/harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

type Auth = { key: string; secret: string };
interface V2Error { errors: { detail: string }[] }
interface List<T> { data: T[] }

describe.each(storeTargets())("identity: no privilege escalation on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let other: Awaited<ReturnType<typeof seedEnvironment>>;
  let envCrn: string;
  let orgCrn: string;
  let envAdmin: Auth;
  let envAdminAccount: string;
  const secrets: string[] = [];

  async function account(name: string): Promise<string> {
    const created = await server.api<{ id: string }>("POST", "/iam/v2/service-accounts", { display_name: name });
    expect(created.status, created.text).toBe(201);
    return created.body.id;
  }
  async function keyOf(owner: string, resource?: string): Promise<Auth> {
    const created = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { owner: { id: owner }, ...(resource === undefined ? {} : { resource: { id: resource } }) } });
    expect(created.status, created.text).toBe(202);
    secrets.push(created.body.spec.secret);
    return { key: created.body.id, secret: created.body.spec.secret };
  }
  async function bind(principal: string, role: string, crn: string, auth?: Auth) {
    return server.api<V2Error & { id: string }>("POST", "/iam/v2/role-bindings", { principal: `User:${principal}`, role_name: role, crn_pattern: crn }, auth === undefined ? {} : { auth });
  }

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "mine");
    other = await seedEnvironment(server, azure, "theirs");
    envCrn = (await server.api<{ metadata: { resource_name: string } }>("GET", `/org/v2/environments/${seed.environmentId}`)).body.metadata.resource_name;
    orgCrn = envCrn.replace(/\/environment=.*$/, "");
    envAdminAccount = await account("env-admin");
    expect((await bind(envAdminAccount, "EnvironmentAdmin", envCrn)).status).toBe(201);
    envAdmin = await keyOf(envAdminAccount);
  });
  afterAll(async () => { await server.close(); });

  it("an EnvironmentAdmin cannot grant any organization role, to anyone, itself included", async () => {
    for (const role of ["OrganizationAdmin", "Operator"]) {
      const response = await bind(envAdminAccount, role, orgCrn, envAdmin);
      expect(response.status, role).toBe(403);
      expect(response.body.errors[0]?.detail).toContain(`binding ${role} on the organization needs the OrganizationAdmin role`);
    }
    const helper = await account("helper");
    expect((await bind(helper, "OrganizationAdmin", orgCrn, envAdmin)).status).toBe(403);
    expect((await server.api<List<unknown>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&principal=User:${helper}`)).body.data).toEqual([]);
  });

  it("an EnvironmentAdmin cannot reach another environment or its integrations", async () => {
    const theirs = `${orgCrn}/environment=${other.environmentId}`;
    expect((await bind(envAdminAccount, "EnvironmentAdmin", theirs, envAdmin)).status).toBe(403);
    expect((await bind(envAdminAccount, "ResourceOwner", `${theirs}/provider-integration=${other.integrationId}`, envAdmin)).status).toBe(403);
    // Their bindings are invisible: not found, not forbidden.
    const theirAccount = await account("their-admin");
    const theirBinding = await bind(theirAccount, "EnvironmentAdmin", theirs);
    expect((await server.api("GET", `/iam/v2/role-bindings/${theirBinding.body.id}`, undefined, { auth: envAdmin })).status).toBe(404);
    expect((await server.api("DELETE", `/iam/v2/role-bindings/${theirBinding.body.id}`, undefined, { auth: envAdmin })).status).toBe(404);
    expect((await server.api<List<unknown>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(theirs)}`, undefined, { auth: envAdmin })).body.data).toEqual([]);
    const listed = await server.api<List<{ crn_pattern: string }>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}`, undefined, { auth: envAdmin });
    expect(listed.body.data.every((b) => b.crn_pattern.includes(`environment=${seed.environmentId}`))).toBe(true);
  });

  it("an EnvironmentAdmin cannot mint keys or service accounts (a key for an OrganizationAdmin's account would be a way up)", async () => {
    const admins = await server.api<List<{ principal: string }>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&role_name=OrganizationAdmin`);
    const adminAccount = admins.body.data[0]?.principal.slice("User:".length) ?? "";
    expect((await server.api("POST", "/iam/v2/api-keys", { spec: { owner: { id: adminAccount } } }, { auth: envAdmin })).status).toBe(403);
    expect((await server.api("POST", "/iam/v2/service-accounts", { display_name: "mine-now" }, { auth: envAdmin })).status).toBe(403);
    expect((await server.api("PATCH", `/iam/v2/api-keys/${envAdmin.key}`, { spec: { description: "x" } }, { auth: envAdmin })).status).toBe(403);
    // The owner and resource of a key never change, whoever asks.
    expect((await server.api("PATCH", `/iam/v2/api-keys/${envAdmin.key}`, { spec: { owner: { id: adminAccount } } })).status).toBe(400);
  });

  it("an EnvironmentAdmin may bind its environment's roles, and Assigner lets a developer use exactly that integration", async () => {
    const developer = await account("developer");
    expect((await bind(developer, "DeveloperManage", envCrn, envAdmin)).status).toBe(201);
    const devKey = await keyOf(developer);
    const managed = (name: string) => specConnector(azure.vaultUri, seed.integrationId, name);
    const refused = await server.api<{ error: { message: string } }>("POST", `${seed.base}/connectors`, managed("dev-1"), { auth: devKey });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain("or ResourceOwner or Assigner on the integration");
    expect((await bind(developer, "Assigner", `${envCrn}/provider-integration=${seed.integrationId}`, envAdmin)).status).toBe(201);
    const allowed = await server.api("POST", `${seed.base}/connectors`, managed("dev-2"), { auth: devKey });
    expect(allowed.status, allowed.text).toBe(201);
    // Assigner is not admin: the integration itself stays the environment admins'.
    expect((await server.api("DELETE", `/pim/v2/integrations/${seed.integrationId}`, undefined, { auth: devKey })).status).toBe(403);
  });

  it("a key limited to an environment has no more than its owner's roles there, even when the owner is an OrganizationAdmin", async () => {
    const admin = await account("org-admin-2");
    expect((await bind(admin, "OrganizationAdmin", orgCrn)).status).toBe(201);
    const narrow = await keyOf(admin, seed.environmentId);
    expect((await server.api<List<{ id: string }>>("GET", "/org/v2/environments", undefined, { auth: narrow })).body.data.map((e) => e.id)).toEqual([seed.environmentId]);
    expect((await server.api("POST", "/org/v2/environments", { display_name: "x" }, { auth: narrow })).status).toBe(403);
    expect((await server.api("GET", "/iam/v2/service-accounts", undefined, { auth: narrow })).status).toBe(403);
    expect((await bind(admin, "OrganizationAdmin", orgCrn, narrow)).status).toBe(403);
  });

  it("the organization keeps an OrganizationAdmin: the last binding and its holder cannot be deleted", async () => {
    const admins = await server.api<List<{ id: string; principal: string }>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&role_name=OrganizationAdmin`);
    const [bootstrap, second] = admins.body.data;
    expect(second).toBeDefined();
    // Two exist (the bootstrap account's and org-admin-2's): one may go.
    expect((await server.api("DELETE", `/iam/v2/role-bindings/${second?.id ?? ""}`)).status).toBe(200);
    const last = await server.api<V2Error>("DELETE", `/iam/v2/role-bindings/${bootstrap?.id ?? ""}`);
    expect(last.status).toBe(403);
    expect(last.body.errors[0]?.detail).toContain("is the organization's last OrganizationAdmin binding");
    const own = await server.api<V2Error>("DELETE", `/iam/v2/service-accounts/${bootstrap?.principal.slice("User:".length) ?? ""}`);
    expect(own.status).toBe(403);
    expect(own.body.errors[0]?.detail).toContain("owns the API key making this request");
  });

  it("API key secrets appear in no list, read, binding, log or error", async () => {
    const everything = [
      (await server.api("GET", "/iam/v2/api-keys?page_size=100")).text,
      (await server.api("GET", `/iam/v2/api-keys/${envAdmin.key}`)).text,
      (await server.api("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&page_size=100`)).text,
      (await server.api("GET", "/iam/v2/service-accounts?page_size=100")).text,
      server.logs(),
    ].join("\n");
    expect(secrets.length).toBe(3);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
