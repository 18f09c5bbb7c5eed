// /org/v2/organizations against a real server, on each store: the one
// organization in Confluent's shape (its id the one every CRN carries), the
// rename an OrganizationAdmin may make, and every refusal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

interface V2Error { errors: { status: string; code: string; detail: string; source?: { pointer: string } }[] }
interface Organization {
  api_version: string; kind: string; id: string; display_name: string; jit_enabled: boolean;
  metadata: { self: string; resource_name: string; created_at: string; updated_at: string };
}
interface List<T> { api_version: string; kind: string; metadata: { first: string; next?: string }; data: T[] }
type Auth = { key: string; secret: string };

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("org/v2 organizations on $name", (target) => {
  let server: TestServer;
  let organization: Organization;

  async function key(role: string, environmentId?: string): Promise<Auth> {
    const created = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec: { description: `${role} key`, role, ...(environmentId === undefined ? {} : { resource: { id: environmentId } }) } });
    expect(created.status, created.text).toBe(202);
    return { key: created.body.id, secret: created.body.spec.secret };
  }

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    const list = await server.api<List<Organization>>("GET", "/org/v2/organizations");
    expect(list.status, list.text).toBe(200);
    expect(list.body.data).toHaveLength(1);
    organization = list.body.data[0] as Organization;
  });
  afterAll(async () => { await server.close(); });

  it("lists the one organization in Confluent's shape, its id the one in every CRN", async () => {
    const list = await server.api<List<Organization>>("GET", "/org/v2/organizations");
    expect(list.body).toMatchObject({ api_version: "org/v2", kind: "OrganizationList", metadata: { first: `${server.url}/org/v2/organizations` } });
    expect(list.body.metadata.next).toBeUndefined();
    expect(organization).toMatchObject({ api_version: "org/v2", kind: "Organization", display_name: "vaultwire", jit_enabled: false });
    expect(organization.metadata.self).toBe(`${server.url}/org/v2/organizations/${organization.id}`);
    expect(organization.metadata.resource_name).toBe(`crn://confluent.cloud/organization=${organization.id}`);
    expect(Date.parse(organization.metadata.created_at)).not.toBeNaN();
    const environment = await server.api<{ metadata: { resource_name: string } }>("POST", "/org/v2/environments", { display_name: "crn-check" });
    expect(environment.body.metadata.resource_name.startsWith(`${organization.metadata.resource_name}/environment=`)).toBe(true);
  });

  it("pages like every list: page_size is checked, a token after the organization is an empty page, a malformed one a 400", async () => {
    expect((await server.api<List<Organization>>("GET", "/org/v2/organizations?page_size=1")).body.data).toHaveLength(1);
    const pastIt = await server.api<List<Organization>>("GET", `/org/v2/organizations?page_token=${encodeURIComponent(`1_${organization.metadata.created_at}_${organization.id}`)}`);
    expect(pastIt.status).toBe(200);
    expect(pastIt.body.data).toEqual([]);
    const before = await server.api<List<Organization>>("GET", "/org/v2/organizations?page_token=1_2000-01-01T00:00:00.000Z_a");
    expect(before.body.data.map((o) => o.id)).toEqual([organization.id]);
    for (const [query, pointer] of [["page_size=0", "/page_size"], ["page_size=x", "/page_size"], ["page_token=abc", "/page_token"]]) {
      const response = await server.api<V2Error>("GET", `/org/v2/organizations?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.errors[0]?.source?.pointer, query).toBe(pointer);
    }
  });

  it("reads it by id; any other id is a 404", async () => {
    const read = await server.api<Organization>("GET", `/org/v2/organizations/${organization.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(organization);
    const missing = await server.api<V2Error>("GET", "/org/v2/organizations/o-nope");
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0]?.detail).toBe("organization \"o-nope\" was not found");
  });

  it("every key may read it, as on Confluent Cloud, whatever its scope", async () => {
    const environment = await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "readers" });
    const reader = await key("Operator", environment.body.id);
    expect((await server.api<List<Organization>>("GET", "/org/v2/organizations", undefined, { auth: reader })).body.data.map((o) => o.id)).toEqual([organization.id]);
    expect((await server.api("GET", `/org/v2/organizations/${organization.id}`, undefined, { auth: reader })).status).toBe(200);
    expect((await server.api("GET", "/org/v2/organizations", undefined, { auth: null })).status).toBe(401);
  });

  it("an OrganizationAdmin renames it (trimmed); the name is kept and updated_at moves", async () => {
    const renamed = await server.api<Organization>("PATCH", `/org/v2/organizations/${organization.id}`, { display_name: "  Finance Org ", jit_enabled: false });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.display_name).toBe("Finance Org");
    expect(renamed.body.metadata.created_at).toBe(organization.metadata.created_at);
    expect(Date.parse(renamed.body.metadata.updated_at)).toBeGreaterThanOrEqual(Date.parse(organization.metadata.created_at));
    expect((await server.api<Organization>("GET", `/org/v2/organizations/${organization.id}`)).body.display_name).toBe("Finance Org");
    expect((await server.api<List<Organization>>("GET", "/org/v2/organizations")).body.data[0]?.display_name).toBe("Finance Org");
  });

  it("refuses a bad rename with one error per field and changes nothing", async () => {
    const before = (await server.api<Organization>("GET", `/org/v2/organizations/${organization.id}`)).body;
    const cases: [unknown, string, RegExp][] = [
      [{}, "/display_name", /display_name is required/],
      [{ display_name: "" }, "/display_name", /display_name/],
      [{ display_name: "   " }, "/display_name", /display_name/],
      [{ display_name: "x".repeat(32) }, "/display_name", /at most 31/],
      [{ display_name: "Finance#1" }, "/display_name", /must not contain any of/],
      [{ display_name: "line\nbreak" }, "/display_name", /control characters/],
      [{ display_name: 42 }, "/display_name", /string/],
      [{ display_name: "ok", jit_enabled: true }, "/jit_enabled", /jit_enabled must be false/],
      [{ display_name: "ok", jit_enabled: null }, "/jit_enabled", /jit_enabled must be false/],
      [["display_name"], "/body", /JSON object/],
    ];
    for (const [body, pointer, detail] of cases) {
      const response = await server.api<V2Error>("PATCH", `/org/v2/organizations/${organization.id}`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.errors.map((e) => e.source?.pointer), JSON.stringify(body)).toEqual([pointer]);
      expect(response.body.errors[0]?.detail, JSON.stringify(body)).toMatch(detail);
    }
    expect((await server.api<Organization>("GET", `/org/v2/organizations/${organization.id}`)).body).toEqual(before);
  });

  it("only an organization-wide OrganizationAdmin may rename it (403), and another id is a 404", async () => {
    const before = (await server.api<Organization>("GET", `/org/v2/organizations/${organization.id}`)).body;
    const environment = await server.api<{ id: string }>("POST", "/org/v2/environments", { display_name: "admins" });
    for (const auth of [await key("EnvironmentAdmin", environment.body.id), await key("Operator")]) {
      const refused = await server.api<V2Error>("PATCH", `/org/v2/organizations/${organization.id}`, { display_name: "Taken Over" }, { auth });
      expect(refused.status).toBe(403);
      expect(refused.body.errors[0]?.detail).toMatch(/renaming the organization/);
    }
    expect((await server.api("PATCH", "/org/v2/organizations/o-nope", { display_name: "Other" })).status).toBe(404);
    expect((await server.api<Organization>("GET", `/org/v2/organizations/${organization.id}`)).body).toEqual(before);
  });
});
