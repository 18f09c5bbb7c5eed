// /iam/v2 service accounts, role bindings and API keys as the unmodified
// Confluent Terraform provider drives them (decision 45): every answer is
// checked against Confluent's own OpenAPI documents, every endpoint's
// failures are exercised, lists page.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_KEYS_V2, IAM_V2, MDS_V2, type ConfluentDocument } from "./confluent-openapi.js";
import { seedEnvironment, startAzureFixture, startTestServer, storeTargets, type ApiResponse, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

interface V2Error { errors: { status: string; code: string; detail: string; source?: { pointer: string } }[] }
interface Account { id: string; display_name: string; description: string; metadata: { resource_name: string; self: string } }
interface Binding { id: string; principal: string; role_name: string; crn_pattern: string }
interface Key { id: string; metadata: { resource_name: string; updated_at: string }; spec: { secret?: string; display_name: string; description: string; owner: Record<string, string>; resource: Record<string, string> } }
interface List<T> { kind: string; data: T[]; metadata: { first: string; next?: string } }
type Auth = { key: string; secret: string };

describe.each(storeTargets())("identity (iam/v2) on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let envCrn: string;
  let orgCrn: string;

  /** The call, checked against Confluent's document for its operation and status. */
  async function call<T>(doc: ConfluentDocument, method: string, operation: string, path: string, body?: unknown, auth?: Auth): Promise<ApiResponse<T>> {
    const response = await server.api<T>(method, path, body, auth === undefined ? {} : { auth });
    expect(doc.check(method, operation, response.status, response.body), `${method} ${path} → ${response.status}: ${response.text}`).toEqual([]);
    return response;
  }

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "identity");
    envCrn = (await server.api<{ metadata: { resource_name: string } }>("GET", `/org/v2/environments/${seed.environmentId}`)).body.metadata.resource_name;
    orgCrn = envCrn.replace(/\/environment=.*$/, "");
  });
  afterAll(async () => { await server.close(); });

  describe("service accounts", () => {
    let account: Account;

    it("creates (201), reads, lists and updates in Confluent's shapes", async () => {
      const created = await call<Account>(IAM_V2, "POST", "/iam/v2/service-accounts", "/iam/v2/service-accounts", { display_name: "app-manager", description: "manages the app" });
      expect(created.status).toBe(201);
      account = created.body;
      expect(account).toMatchObject({ api_version: "iam/v2", kind: "ServiceAccount", display_name: "app-manager", description: "manages the app" });
      expect(account.id).toMatch(/^sa-[a-z0-9]{8}$/);
      expect(account.metadata.resource_name).toBe(`${orgCrn}/service-account=${account.id}`);
      expect((await call<Account>(IAM_V2, "GET", "/iam/v2/service-accounts/{id}", `/iam/v2/service-accounts/${account.id}`)).body).toEqual(account);
      // The provider sends only what changed.
      const renamed = await call<Account>(IAM_V2, "PATCH", "/iam/v2/service-accounts/{id}", `/iam/v2/service-accounts/${account.id}`, { description: "runs the app" });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ display_name: "app-manager", description: "runs the app" });
      const list = await call<List<Account>>(IAM_V2, "GET", "/iam/v2/service-accounts", "/iam/v2/service-accounts");
      expect(list.body.kind).toBe("ServiceAccountList");
      expect(list.body.data.map((a) => a.display_name)).toContain("app-manager");
    });

    it("pages and filters by display_name", async () => {
      for (const n of [1, 2, 3]) expect((await server.api("POST", "/iam/v2/service-accounts", { display_name: `pager-${n}` })).status).toBe(201);
      const names: string[] = [];
      let path: string | undefined = "/iam/v2/service-accounts?page_size=2";
      let pages = 0;
      while (path !== undefined) {
        const page: ApiResponse<List<Account>> = await call<List<Account>>(IAM_V2, "GET", "/iam/v2/service-accounts", path);
        expect(page.body.data.length).toBeLessThanOrEqual(2);
        names.push(...page.body.data.map((a) => a.display_name));
        path = page.body.metadata.next === undefined ? undefined : new URL(page.body.metadata.next).pathname + new URL(page.body.metadata.next).search;
        pages++;
      }
      expect(pages).toBeGreaterThanOrEqual(3);
      expect(names.filter((n) => n.startsWith("pager-"))).toEqual(["pager-1", "pager-2", "pager-3"]);
      expect((await server.api<List<Account>>("GET", "/iam/v2/service-accounts?display_name=pager-2")).body.data.map((a) => a.display_name)).toEqual(["pager-2"]);
      expect((await call(IAM_V2, "GET", "/iam/v2/service-accounts", "/iam/v2/service-accounts?page_size=0")).status).toBe(400);
    });

    it("fails clearly: missing or long names (400 naming the field), duplicates (409), unknown ids (404)", async () => {
      const missing = await call<V2Error>(IAM_V2, "POST", "/iam/v2/service-accounts", "/iam/v2/service-accounts", { description: "x" });
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0]).toMatchObject({ detail: "display_name is required", source: { pointer: "/display_name" } });
      const long = await server.api<V2Error>("POST", "/iam/v2/service-accounts", { display_name: "n".repeat(65), description: 7 });
      expect(long.status).toBe(400);
      expect(long.body.errors.map((e) => e.source?.pointer)).toEqual(["/display_name", "/description"]);
      const duplicate = await call<V2Error>(IAM_V2, "POST", "/iam/v2/service-accounts", "/iam/v2/service-accounts", { display_name: "app-manager" });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.errors[0]?.detail).toBe("a service account named \"app-manager\" already exists; service account names are unique");
      expect((await server.api("PATCH", `/iam/v2/service-accounts/${account.id}`, { display_name: "pager-1" })).status).toBe(409);
      for (const method of ["GET", "PATCH", "DELETE"]) {
        const response = await call<V2Error>(IAM_V2, method, "/iam/v2/service-accounts/{id}", "/iam/v2/service-accounts/sa-missing0", method === "PATCH" ? { description: "x" } : undefined);
        expect(response.status, method).toBe(404);
        expect(response.body.errors[0]?.detail).toBe("service account \"sa-missing0\" was not found");
      }
    });
  });

  describe("role bindings and the keys they empower", () => {
    let account: Account;
    let key: Auth;
    let binding: Binding;

    beforeAll(async () => {
      account = (await server.api<Account>("POST", "/iam/v2/service-accounts", { display_name: "env-admin" })).body;
    });

    it("a binding on an environment's resource_name makes the owner's Cloud key that environment's admin, and no more", async () => {
      const created = await call<Binding>(MDS_V2, "POST", "/iam/v2/role-bindings", "/iam/v2/role-bindings", { principal: `User:${account.id}`, role_name: "EnvironmentAdmin", crn_pattern: envCrn });
      expect(created.status).toBe(201);
      binding = created.body;
      expect(binding).toMatchObject({ api_version: "iam/v2", kind: "RoleBinding", principal: `User:${account.id}`, role_name: "EnvironmentAdmin", crn_pattern: envCrn });
      expect(binding.id).toMatch(/^rb-[a-z0-9]{8}$/);
      // Exactly what the provider sends for a Cloud API key.
      const made = await call<Key>(API_KEYS_V2, "POST", "/iam/v2/api-keys", "/iam/v2/api-keys", { spec: { display_name: "CI key", description: "runs terraform", owner: { id: account.id, kind: "ServiceAccount" } } });
      expect(made.status).toBe(202);
      expect(made.body.spec).toMatchObject({
        display_name: "CI key",
        description: "runs terraform",
        owner: { id: account.id, kind: "ServiceAccount", api_version: "iam/v2", resource_name: `${orgCrn}/service-account=${account.id}` },
        resource: { id: "cloud", kind: "Cloud", api_version: "iam/v2" },
      });
      expect(made.body.metadata.resource_name).toBe(`${orgCrn}/service-account=${account.id}/api-key=${made.body.id}`);
      key = { key: made.body.id, secret: made.body.spec.secret ?? "" };
      // What the provider's sync check does: list environments with the new key.
      const environments = await server.api<List<{ id: string }>>("GET", "/org/v2/environments", undefined, { auth: key });
      expect(environments.status).toBe(200);
      expect(environments.body.data.map((e) => e.id)).toEqual([seed.environmentId]);
      expect((await server.api("POST", "/pim/v2/integrations", { display_name: "by-admin", provider: "AZURE", environment: { id: seed.environmentId } }, { auth: key })).status).toBe(201);
      expect((await server.api("POST", "/org/v2/environments", { display_name: "not-mine" }, { auth: key })).status).toBe(403);
      // A read of the key gives back what was sent: the next plan has nothing to change.
      const read = await call<Key>(API_KEYS_V2, "GET", "/iam/v2/api-keys/{id}", `/iam/v2/api-keys/${key.key}`);
      expect(read.body.spec).toEqual({ ...made.body.spec, secret: undefined, owner: made.body.spec.owner, resource: made.body.spec.resource } as unknown as Key["spec"]);
      expect(read.body.spec.secret).toBeUndefined();
    });

    it("lists bindings on a CRN pattern (required), within it, by principal and role, with paging", async () => {
      await server.api("POST", "/iam/v2/role-bindings", { principal: `User:${account.id}`, role_name: "Operator", crn_pattern: orgCrn });
      await server.api("POST", "/iam/v2/role-bindings", { principal: `User:${account.id}`, role_name: "Assigner", crn_pattern: `${envCrn}/provider-integration=${seed.integrationId}` });
      const missing = await call<V2Error>(MDS_V2, "GET", "/iam/v2/role-bindings", "/iam/v2/role-bindings");
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0]).toMatchObject({ detail: "crn_pattern is required", source: { pointer: "/crn_pattern" } });
      const inEnv = await call<List<Binding>>(MDS_V2, "GET", "/iam/v2/role-bindings", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(envCrn)}&principal=User:${account.id}`);
      expect(inEnv.body.kind).toBe("RoleBindingList");
      expect(inEnv.body.data.map((b) => b.role_name)).toEqual(["EnvironmentAdmin", "Assigner"]);
      const all = await server.api<List<Binding>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&principal=User:${account.id}&page_size=2`);
      expect(all.body.data).toHaveLength(2);
      expect(all.body.metadata.next).toBeDefined();
      const next = new URL(all.body.metadata.next ?? "");
      const second = await call<List<Binding>>(MDS_V2, "GET", "/iam/v2/role-bindings", next.pathname + next.search);
      expect(second.body.data.map((b) => b.role_name)).toEqual(["Assigner"]);
      expect((await server.api<List<Binding>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&role_name=Operator&principal=User:${account.id}`)).body.data.map((b) => b.role_name)).toEqual(["Operator"]);
      expect((await call<Binding>(MDS_V2, "GET", "/iam/v2/role-bindings/{id}", `/iam/v2/role-bindings/${binding.id}`)).body).toEqual(binding);
    });

    it("refuses bad bindings with 400s naming the field, duplicates with 409, unknown ids with 404", async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [{ principal: "Group:devs", role_name: "Operator", crn_pattern: orgCrn }, "/principal", "principal must be User:sa-… naming a service account (vaultwire has no users or groups)"],
        [{ principal: `User:${account.id}`, role_name: "CloudClusterAdmin", crn_pattern: envCrn }, "/role_name", "role_name must be one of OrganizationAdmin, EnvironmentAdmin, DeveloperManage, Operator, ResourceOwner, Assigner (vaultwire has no other roles)"],
        [{ principal: `User:${account.id}`, role_name: "OrganizationAdmin", crn_pattern: envCrn }, "/crn_pattern", `crn_pattern must name the organization for the OrganizationAdmin role; it names environment "${seed.environmentId}"`],
        [{ principal: `User:${account.id}`, role_name: "Operator", crn_pattern: `${envCrn}/cloud-cluster=${seed.clusterId}` }, "/crn_pattern", "crn_pattern may name only a provider integration"],
        [{ principal: `User:${account.id}`, role_name: "Operator", crn_pattern: "https://example.com" }, "/crn_pattern", "crn_pattern must start with crn://confluent.cloud/"],
        [{ principal: "User:sa-nobody00", role_name: "Operator", crn_pattern: orgCrn }, "/principal", "principal names service account \"sa-nobody00\", which does not exist"],
        [{ principal: `User:${account.id}`, role_name: "Operator", crn_pattern: `${orgCrn}/environment=env-nothere0` }, "/crn_pattern", "crn_pattern names environment \"env-nothere0\", which does not exist"],
      ];
      for (const [body, pointer, detail] of cases) {
        const response = await call<V2Error>(MDS_V2, "POST", "/iam/v2/role-bindings", "/iam/v2/role-bindings", body);
        expect(response.status, JSON.stringify(body)).toBe(400);
        expect(response.body.errors[0]?.source?.pointer).toBe(pointer);
        expect(response.body.errors[0]?.detail).toContain(detail);
      }
      // Another organization's pattern: nothing this key may bind on, nothing to list.
      const elsewhere = await call<V2Error>(MDS_V2, "POST", "/iam/v2/role-bindings", "/iam/v2/role-bindings", { principal: `User:${account.id}`, role_name: "Operator", crn_pattern: "crn://confluent.cloud/organization=someone-else" });
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body.errors[0]?.detail).toBe(`crn_pattern names another organization; this API key may bind roles only in organization "${orgCrn.split("=")[1] ?? ""}"`);
      expect((await call<List<Binding>>(MDS_V2, "GET", "/iam/v2/role-bindings", "/iam/v2/role-bindings?crn_pattern=crn://confluent.cloud/organization=someone-else")).body.data).toEqual([]);
      // The same binding again, even percent-encoded as Terraform may send it, is a conflict.
      const again = await call<V2Error>(MDS_V2, "POST", "/iam/v2/role-bindings", "/iam/v2/role-bindings", { principal: `User:${account.id}`, role_name: "EnvironmentAdmin", crn_pattern: envCrn.replace(/=/g, "%3D") });
      expect(again.status).toBe(409);
      expect(again.body.errors[0]?.detail).toBe(`User:${account.id} already has the EnvironmentAdmin role on environment "${seed.environmentId}"`);
      for (const method of ["GET", "DELETE"]) expect((await call(MDS_V2, method, "/iam/v2/role-bindings/{id}", "/iam/v2/role-bindings/rb-missing0")).status).toBe(404);
    });

    it("PATCH changes an API key's display_name and description, and only those", async () => {
      const patched = await call<Key>(API_KEYS_V2, "PATCH", "/iam/v2/api-keys/{id}", `/iam/v2/api-keys/${key.key}`, { spec: { display_name: "CI key v2" } });
      expect(patched.status).toBe(200);
      expect(patched.body.spec).toMatchObject({ display_name: "CI key v2", description: "runs terraform", owner: { id: account.id } });
      const both = await server.api<Key>("PATCH", `/iam/v2/api-keys/${key.key}`, { spec: { display_name: "final", description: "" } });
      expect(both.body.spec).toMatchObject({ display_name: "final", description: "" });
      const refused = await call<V2Error>(API_KEYS_V2, "PATCH", "/iam/v2/api-keys/{id}", `/iam/v2/api-keys/${key.key}`, { spec: { owner: { id: "sa-other000" }, resource: { id: seed.environmentId }, display_name: 5 } });
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((e) => [e.source?.pointer, e.detail])).toEqual([
        ["/spec/owner", "spec.owner cannot be changed: an API key's update changes only spec.display_name and spec.description"],
        ["/spec/resource", "spec.resource cannot be changed: an API key's update changes only spec.display_name and spec.description"],
        ["/spec/display_name", "spec.display_name must be a string"],
      ]);
      expect((await call(API_KEYS_V2, "PATCH", "/iam/v2/api-keys/{id}", "/iam/v2/api-keys/NOSUCHKEY0000001", { spec: { display_name: "x" } })).status).toBe(404);
      expect((await server.api<Key>("GET", `/iam/v2/api-keys/${key.key}`)).body.spec.display_name).toBe("final");
    });

    it("API key creation: cluster keys, environment keys, and clear 400s", async () => {
      const cluster = await call<Key>(API_KEYS_V2, "POST", "/iam/v2/api-keys", "/iam/v2/api-keys", { spec: { display_name: "kafka", owner: { id: account.id, kind: "ServiceAccount" }, resource: { id: seed.clusterId, kind: "Cluster" } } });
      expect(cluster.status).toBe(202);
      expect(cluster.body.spec.resource).toMatchObject({ id: seed.clusterId, kind: "Cluster", api_version: "cmk/v2", environment: seed.environmentId, resource_name: `${envCrn}/cloud-cluster=${seed.clusterId}` });
      // A Kafka cluster's key opens nothing of the cloud API.
      const clusterAuth = { key: cluster.body.id, secret: cluster.body.spec.secret ?? "" };
      expect((await server.api<List<unknown>>("GET", "/org/v2/environments", undefined, { auth: clusterAuth })).body.data).toEqual([]);
      expect((await server.api("GET", `/cmk/v2/clusters/${seed.clusterId}`, undefined, { auth: clusterAuth })).status).toBe(404);
      const env = await call<Key>(API_KEYS_V2, "POST", "/iam/v2/api-keys", "/iam/v2/api-keys", { spec: { owner: { id: account.id }, resource: { id: seed.environmentId } } });
      expect(env.body.spec.resource).toMatchObject({ id: seed.environmentId, kind: "Environment", api_version: "org/v2" });
      const cases: [Record<string, unknown>, string, string][] = [
        [{ owner: { id: "u-a83k9b", kind: "User" } }, "/spec/owner/id", "spec.owner.id must name a service account (sa-…); vaultwire has no user accounts"],
        [{ owner: { id: account.id }, resource: { id: "lsrc-123" } }, "/spec/resource/id", "spec.resource.id must be cloud (or absent) for a Cloud API key"],
        [{ owner: { id: account.id }, resource: { id: seed.clusterId, kind: "Region" } }, "/spec/resource/kind", "spec.resource.kind must be Cluster"],
        [{ owner: { id: account.id }, role: "Operator" }, "/spec/role", "spec.role is only for keys without spec.owner"],
        [{ resource: { id: seed.clusterId } }, "/spec/owner", "spec.owner is required for a Kafka cluster API key"],
        [{ owner: { id: "sa-nobody00" } }, "/spec/owner/id", "spec.owner.id names service account \"sa-nobody00\", which does not exist"],
        [{ owner: { id: account.id }, display_name: "d".repeat(256) }, "/spec/display_name", "spec.display_name must be at most 255 characters"],
      ];
      for (const [spec, pointer, detail] of cases) {
        const response = await call<V2Error>(API_KEYS_V2, "POST", "/iam/v2/api-keys", "/iam/v2/api-keys", { spec });
        expect(response.status, JSON.stringify(spec)).toBe(400);
        expect(response.body.errors[0]?.source?.pointer).toBe(pointer);
        expect(response.body.errors[0]?.detail).toContain(detail);
      }
      const unknownCluster = await call<V2Error>(API_KEYS_V2, "POST", "/iam/v2/api-keys", "/iam/v2/api-keys", { spec: { owner: { id: account.id }, resource: { id: "lkc-nothere0", kind: "Cluster" } } });
      expect(unknownCluster.status).toBe(400);
      expect(unknownCluster.body.errors[0]).toMatchObject({ detail: "spec.resource.id names Kafka cluster \"lkc-nothere0\", which was not found", source: { pointer: "/spec/resource/id" } });
    });

    it("lists keys by owner and resource, with paging", async () => {
      const byOwner = await call<List<Key>>(API_KEYS_V2, "GET", "/iam/v2/api-keys", `/iam/v2/api-keys?spec.owner=${account.id}`);
      expect(byOwner.body.data.map((k) => k.spec.resource.kind)).toEqual(["Cloud", "Cluster", "Environment"]);
      expect((await server.api<List<Key>>("GET", `/iam/v2/api-keys?spec.owner=${account.id}&spec.resource=cloud`)).body.data.map((k) => k.id)).toEqual([key.key]);
      expect((await server.api<List<Key>>("GET", `/iam/v2/api-keys?spec.resource=${seed.clusterId}`)).body.data.map((k) => k.spec.resource.id)).toEqual([seed.clusterId]);
      const first = await server.api<List<Key>>("GET", `/iam/v2/api-keys?spec.owner=${account.id}&page_size=2`);
      expect(first.body.data).toHaveLength(2);
      const next = new URL(first.body.metadata.next ?? "");
      expect(next.searchParams.get("spec.owner")).toBe(account.id);
      expect((await call<List<Key>>(API_KEYS_V2, "GET", "/iam/v2/api-keys", next.pathname + next.search)).body.data).toHaveLength(1);
      const bad = await call<V2Error>(API_KEYS_V2, "GET", "/iam/v2/api-keys", "/iam/v2/api-keys?spec.resource=nonsense");
      expect(bad.status).toBe(400);
      expect(bad.body.errors[0]?.source?.pointer).toBe("/spec/resource/id");
    });

    it("deleting a binding (200, the binding) takes the power away at once; deleting the account takes its keys", async () => {
      const deleted = await call<Binding>(MDS_V2, "DELETE", "/iam/v2/role-bindings/{id}", `/iam/v2/role-bindings/${binding.id}`);
      expect(deleted.status).toBe(200);
      expect(deleted.body).toEqual(binding);
      expect((await server.api<List<unknown>>("GET", `/org/v2/environments/${seed.environmentId}`, undefined, { auth: key })).status).toBe(200);
      const operatorBinding = (await server.api<List<Binding>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&principal=User:${account.id}&role_name=Operator`)).body.data[0];
      await server.api("DELETE", `/iam/v2/role-bindings/${operatorBinding?.id ?? ""}`);
      expect((await server.api("GET", `/org/v2/environments/${seed.environmentId}`, undefined, { auth: key })).status).toBe(404);
      expect((await call(IAM_V2, "DELETE", "/iam/v2/service-accounts/{id}", `/iam/v2/service-accounts/${account.id}`)).status).toBe(204);
      expect((await server.api("GET", "/org/v2/environments", undefined, { auth: key })).status).toBe(401);
      expect((await server.api<List<Key>>("GET", `/iam/v2/api-keys?spec.owner=${account.id}`)).body.data).toEqual([]);
      expect((await server.api<List<Binding>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&principal=User:${account.id}`)).body.data).toEqual([]);
    });
  });

  it("deleting an environment deletes the role bindings on it", async () => {
    const other = await server.api<{ id: string; metadata: { resource_name: string } }>("POST", "/org/v2/environments", { display_name: "short-lived" });
    const account = (await server.api<Account>("POST", "/iam/v2/service-accounts", { display_name: "short-lived-admin" })).body;
    expect((await server.api("POST", "/iam/v2/role-bindings", { principal: `User:${account.id}`, role_name: "EnvironmentAdmin", crn_pattern: other.body.metadata.resource_name })).status).toBe(201);
    expect((await server.api("DELETE", `/org/v2/environments/${other.body.id}`)).status).toBe(204);
    expect((await server.api<List<Binding>>("GET", `/iam/v2/role-bindings?crn_pattern=${encodeURIComponent(orgCrn)}&principal=User:${account.id}`)).body.data).toEqual([]);
  });

  it("401s and unknown routes keep Confluent's error body", async () => {
    const unauthenticated = await call<V2Error>(IAM_V2, "GET", "/iam/v2/service-accounts", "/iam/v2/service-accounts", undefined, { key: "NOSUCHKEY0000001", secret: "wrong-secret-0123456789" });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.errors[0]?.detail).toBe("invalid API key or secret");
  });
});
