// What schemathesis found where the route schemas (and so the OpenAPI
// document) and the services disagreed: each case here was answered against
// the document before, and is answered as the document says now.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

interface V2Error { errors: { status: string; code: string; detail: string; source?: { pointer: string } }[] }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets().slice(0, 1))("the schemas say what the server does ($name)", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "truth");
  });
  afterAll(async () => { await server.close(); });

  it("maxLength counts characters as JSON Schema does: 64 emoji are a valid display_name", async () => {
    const created = await server.api<{ display_name: string }>("POST", "/org/v2/environments", { display_name: "😀".repeat(64) });
    expect(created.status).toBe(201);
    expect((await server.api("POST", "/org/v2/environments", { display_name: "😀".repeat(65) })).status).toBe(400);
  });

  it("a control character is refused even where trimming would have removed it", async () => {
    const response = await server.api<V2Error>("POST", "/org/v2/environments", { display_name: "dev\n" });
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.detail).toBe("display_name must not contain control characters");
  });

  it("page_size must be an integer: an empty one is a 400, not the default", async () => {
    const response = await server.api<V2Error>("GET", "/org/v2/environments?page_size=");
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.source?.pointer).toBe("/page_size");
    expect((await server.api("GET", "/org/v2/environments?page_size=0x10")).status).toBe(400);
  });

  it("every page_token of the documented form names a page (maybe empty), never a 400", async () => {
    const response = await server.api<{ data: unknown[] }>("GET", "/org/v2/environments?page_token=1_9999-12-31T23:59:59.999Z_env-zzzzzzzz");
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([]);
  });

  it("every list refuses a page_token outside the documented form, even one it answers without a query", async () => {
    const document = (await server.api<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean }[] }>> }>("GET", "/openapi.json")).body;
    const required: Record<string, string> = { environment: seed.environmentId, crn_pattern: "crn://confluent.cloud/organization=another-org" };
    const lists = Object.entries(document.paths).filter(([, operations]) => operations.get?.parameters?.some((p) => p.name === "page_token" && p.in === "query") === true);
    // Each family's lists, the organizations and role bindings among them (another organization's scope used to skip the check).
    expect(lists.map(([path]) => path)).toEqual(expect.arrayContaining(["/org/v2/environments", "/org/v2/organizations", "/iam/v2/role-bindings", "/cmk/v2/clusters"]));
    for (const [path, operations] of lists) {
      const params = new URLSearchParams();
      for (const parameter of operations.get?.parameters ?? []) {
        if (parameter.in !== "query" || parameter.required !== true) continue;
        const value = required[parameter.name];
        if (value === undefined) throw new Error(`${path}: no value for the required ${parameter.name}`);
        params.set(parameter.name, value);
      }
      for (const token of ["abc", "\u0084", "1_2024-01-01T00:00:00Z_x y"]) {
        params.set("page_token", token);
        const response = await server.api<V2Error>("GET", `${path}?${params.toString()}`);
        expect(response.status, `${path} page_token=${JSON.stringify(token)}`).toBe(400);
        expect(response.body.errors[0]?.source?.pointer, path).toBe("/page_token");
      }
    }
  });

  it("a query parameter given twice is a 400 naming it, not a 500", async () => {
    for (const path of ["/cmk/v2/clusters?environment=a&environment=b", "/pim/v2/integrations?environment=a&environment=b", "/org/v2/environments?page_size=1&page_size=2"]) {
      const response = await server.api<V2Error>("GET", path);
      expect(response.status, path).toBe(400);
      expect(response.body.errors[0]?.detail, path).toMatch(/^query parameter "[a-z_]+" must be given once$/);
    }
  });

  it("a \"__proto__\" key is dropped, not a reason to refuse a valid body", async () => {
    const response = await server.api("POST", "/org/v2/environments", undefined, { rawBody: "{\"display_name\": \"proto\", \"extra\": {\"__proto__\": {\"x\": 1}}}", headers: { "content-type": "application/json" } });
    expect(response.status).toBe(201);
  });

  it("an API key's resource.id and description may be null, as documented", async () => {
    const response = await server.api<{ spec: { resource: { kind: string } } }>("POST", "/iam/v2/api-keys", { spec: { description: null, resource: { id: null } } });
    expect(response.status).toBe(202);
    expect(response.body.spec.resource.kind).toBe("Cloud");
  });

  it("pim: a display_name filter over 60 characters is a 400", async () => {
    const response = await server.api<V2Error>("GET", `/pim/v2/integrations?environment=${seed.environmentId}&display_name=${"d".repeat(61)}`);
    expect(response.status).toBe(400);
    expect(response.body.errors[0]?.source?.pointer).toBe("/display_name");
  });

  it("pim validate: environment.id must be a string, and vault_uri is checked even beside a secret_identifier", async () => {
    const notString = await server.api<V2Error>("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, environment: { id: 5 } });
    expect(notString.status).toBe(400);
    expect(notString.body.errors[0]?.source?.pointer).toBe("/environment/id");
    const both = await server.api<V2Error>("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, vault_uri: "not a vault", secret_identifier: `${azure.vaultUri}::sqlserver-db-secret::password` });
    expect(both.status).toBe(400);
    expect(both.body.errors[0]?.source?.pointer).toBe("/vault_uri");
  });

  it("pim validate: an identifier outside the documented form is a 400 before any probe", async () => {
    const padded = await server.api<V2Error>("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, secret_identifier: ` ${azure.vaultUri}::sqlserver-db-secret::password` });
    expect(padded.status).toBe(400);
    expect(padded.body.errors[0]?.source?.pointer).toBe("/secret_identifier");
    const ok = await server.api("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, secret_identifier: `${azure.vaultUri}::sqlserver-db-secret::password` });
    expect(ok.status).toBe(200);
  });

  it("cmk: null keeps the default for availability and networking, as documented", async () => {
    const response = await server.api<{ spec: { availability: string; networking: string } }>("POST", "/cmk/v2/clusters", {
      spec: { display_name: "nulls", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated", cku: null }, environment: { id: seed.environmentId }, availability: null, networking: null, kafka_bootstrap_servers: null, connect_urls: null },
    });
    expect(response.status).toBe(202);
    expect(response.body.spec).toMatchObject({ availability: "SINGLE_ZONE", networking: "PUBLIC" });
  });
});
