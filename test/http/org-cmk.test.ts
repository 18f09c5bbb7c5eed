// /org/v2/environments and /cmk/v2/clusters against a real server, on each
// store: Confluent's shapes, paging, every bad input, and conflicts.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plainConnector, startAzureFixture, startTestServer, storeTargets, type ApiResponse, type AzureFixture, type TestServer } from "./harness.js";

interface V2Error { errors: { id: string; status: string; code: string; title: string; detail: string; source?: { pointer: string } }[] }
interface Metadata { self: string; resource_name: string; created_at: string; updated_at: string }
interface Environment { api_version: string; kind: string; id: string; metadata: Metadata; display_name: string }
interface List<T> { api_version: string; kind: string; metadata: { first: string; next?: string }; data: T[] }
interface ClusterSpec {
  display_name: string; availability: string; cloud: string; region: string; config: { kind: string; cku?: number };
  environment: { id: string; related: string; resource_name: string }; networking: string; kafka_bootstrap_servers: string; connect_urls: string[];
  kafka_bootstrap_endpoint: string; http_endpoint: string; api_endpoint: string;
}
interface Cluster { api_version: string; kind: string; id: string; metadata: Metadata; spec: ClusterSpec; status: { phase: string; cku?: number } }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

/** The path and query of an absolute link (the server's own URL). */
function pathOf(link: string): string {
  const url = new URL(link);
  return `${url.pathname}${url.search}`;
}

function pointers(response: ApiResponse<V2Error>): (string | undefined)[] {
  return response.body.errors.map((e) => e.source?.pointer);
}

describe.each(storeTargets())("org/v2 and cmk/v2 on $name", (target) => {
  let server: TestServer;

  beforeAll(async () => { server = await startTestServer(target, azure); });
  afterAll(async () => { await server.close(); });

  async function allEnvironments(): Promise<Environment[]> {
    const response = await server.api<List<Environment>>("GET", "/org/v2/environments?page_size=100");
    expect(response.status).toBe(200);
    return response.body.data;
  }

  async function createEnvironment(name: string): Promise<Environment> {
    const response = await server.api<Environment>("POST", "/org/v2/environments", { display_name: name });
    expect(response.status, response.text).toBe(201);
    return response.body;
  }

  describe("environments", () => {
    it("creates an environment (201) in Confluent's shape and reads it back", async () => {
      const created = await server.api<Environment>("POST", "/org/v2/environments", { display_name: "  production  " });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ api_version: "org/v2", kind: "Environment", display_name: "production" });
      expect(created.body.id).toMatch(/^env-[a-z0-9]+$/);
      expect(created.body.metadata.self).toBe(`${server.url}/org/v2/environments/${created.body.id}`);
      expect(created.body.metadata.resource_name).toMatch(new RegExp(`^crn://confluent.cloud/organization=[^/]+/environment=${created.body.id}$`));
      expect(Date.parse(created.body.metadata.created_at)).not.toBeNaN();
      expect(created.body.metadata.updated_at).toBe(created.body.metadata.created_at);
      const read = await server.api<Environment>("GET", `/org/v2/environments/${created.body.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it("lists in the EnvironmentList shape and pages with page_size=1 through every page", async () => {
      await createEnvironment("staging");
      await createEnvironment("development");
      const all = await allEnvironments();
      expect(all.length).toBeGreaterThanOrEqual(3);
      const unpaged = await server.api<List<Environment>>("GET", "/org/v2/environments");
      expect(unpaged.body).toMatchObject({ api_version: "org/v2", kind: "EnvironmentList", metadata: { first: `${server.url}/org/v2/environments` } });
      expect(unpaged.body.metadata.next).toBeUndefined();

      const seen: string[] = [];
      let path: string | undefined = "/org/v2/environments?page_size=1";
      let pages = 0;
      while (path !== undefined) {
        const page: ApiResponse<List<Environment>> = await server.api<List<Environment>>("GET", path);
        expect(page.status).toBe(200);
        expect(page.body.kind).toBe("EnvironmentList");
        expect(page.body.metadata.first).toBe(`${server.url}/org/v2/environments?page_size=1`);
        expect(page.body.data).toHaveLength(1);
        seen.push(...page.body.data.map((e) => e.id));
        if (page.body.metadata.next !== undefined) expect(new URL(page.body.metadata.next).searchParams.get("page_size")).toBe("1");
        path = page.body.metadata.next === undefined ? undefined : pathOf(page.body.metadata.next);
        pages += 1;
        expect(pages).toBeLessThanOrEqual(all.length);
      }
      expect(seen).toEqual(all.map((e) => e.id));
    });

    it.each([["0"], ["101"], ["x"], ["1.5"], ["-1"]])("page_size=%s → 400 naming page_size", async (size) => {
      const response = await server.api<V2Error>("GET", `/org/v2/environments?page_size=${size}`);
      expect(response.status).toBe(400);
      expect(response.body.errors[0]).toMatchObject({ status: "400", code: "invalid_input", title: "Bad Request", source: { pointer: "/page_size" } });
      expect(response.body.errors[0]?.detail).toContain("page_size");
    });

    it.each([
      ["not base64url", "%%%"],
      ["base64url that is not ours", Buffer.from(JSON.stringify({ x: 1 })).toString("base64url")],
      ["a token with a bad timestamp", Buffer.from(JSON.stringify([1, "yesterday", "env-x"])).toString("base64url")],
    ])("an invalid page_token (%s) → 400", async (_label, token) => {
      const response = await server.api<V2Error>("GET", `/org/v2/environments?page_token=${encodeURIComponent(token)}`);
      expect(response.status).toBe(400);
      expect(pointers(response)).toEqual(["/page_token"]);
      expect(response.body.errors[0]?.detail).toContain("page_token");
    });

    it.each([
      ["missing", {}, "display_name is required"],
      ["null", { display_name: null }, "display_name is required"],
      ["empty", { display_name: "" }, "display_name must not be empty"],
      ["blank", { display_name: "   " }, "display_name must not be empty"],
      ["not a string", { display_name: 42 }, "display_name must be a string"],
      ["over 64 characters", { display_name: "e".repeat(65) }, "display_name must be at most 64 characters (got 65)"],
      ["a control character", { display_name: "bell\u0007env" }, "display_name must not contain control characters"],
      ["a newline", { display_name: "two\nlines" }, "display_name must not contain control characters"],
    ])("display_name %s → 400 with its pointer, nothing created", async (_label, body, detail) => {
      const before = (await allEnvironments()).length;
      const response = await server.api<V2Error>("POST", "/org/v2/environments", body);
      expect(response.status).toBe(400);
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors[0]).toMatchObject({ status: "400", code: "invalid_input", detail, source: { pointer: "/display_name" } });
      expect((await allEnvironments()).length).toBe(before);
    });

    it("accepts a display_name of exactly 64 characters", async () => {
      const name = "n".repeat(64);
      expect((await createEnvironment(name)).display_name).toBe(name);
    });

    it("renames with PATCH (200), rejects a bad name without changing it", async () => {
      const environment = await createEnvironment("to-rename");
      const renamed = await server.api<Environment>("PATCH", `/org/v2/environments/${environment.id}`, { display_name: "renamed" });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ id: environment.id, kind: "Environment", display_name: "renamed" });
      expect(renamed.body.metadata.created_at).toBe(environment.metadata.created_at);
      expect(Date.parse(renamed.body.metadata.updated_at)).toBeGreaterThanOrEqual(Date.parse(environment.metadata.updated_at));
      const bad = await server.api<V2Error>("PATCH", `/org/v2/environments/${environment.id}`, { display_name: "x".repeat(65) });
      expect(bad.status).toBe(400);
      expect(pointers(bad)).toEqual(["/display_name"]);
      expect((await server.api<Environment>("GET", `/org/v2/environments/${environment.id}`)).body.display_name).toBe("renamed");
    });

    it.each([["GET"], ["PATCH"], ["DELETE"]])("%s of an unknown id → 404", async (method) => {
      const response = await server.api<V2Error>(method, "/org/v2/environments/env-nope0000", method === "PATCH" ? { display_name: "x" } : undefined);
      expect(response.status).toBe(404);
      expect(response.body.errors[0]).toMatchObject({ status: "404", code: "not_found", detail: "environment \"env-nope0000\" was not found" });
    });

    it("deletes an empty environment (204) and answers 404 afterwards", async () => {
      const environment = await createEnvironment("short-lived");
      const deleted = await server.api("DELETE", `/org/v2/environments/${environment.id}`);
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe("");
      expect((await server.api("GET", `/org/v2/environments/${environment.id}`)).status).toBe(404);
      expect((await allEnvironments()).map((e) => e.id)).not.toContain(environment.id);
      expect((await server.api("DELETE", `/org/v2/environments/${environment.id}`)).status).toBe(404);
    });

    it("refuses to delete an environment with a cluster or an integration (409)", async () => {
      const withCluster = await createEnvironment("has-cluster");
      const cluster = await server.api<Cluster>("POST", "/cmk/v2/clusters", { spec: { display_name: "c", cloud: "AZURE", region: "westus3", config: { kind: "Dedicated", cku: 1 }, environment: { id: withCluster.id } } });
      expect(cluster.status).toBe(202);
      const refused = await server.api<V2Error>("DELETE", `/org/v2/environments/${withCluster.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0]).toMatchObject({ status: "409", code: "conflict" });
      expect(refused.body.errors[0]?.detail).toContain("still has 1 Kafka cluster(s) and 0 provider integration(s)");
      expect((await server.api("GET", `/org/v2/environments/${withCluster.id}`)).status).toBe(200);

      const withIntegration = await createEnvironment("has-integration");
      expect((await server.api("POST", "/pim/v2/integrations", { display_name: "akv", provider: "AZURE", environment: { id: withIntegration.id } })).status).toBe(201);
      const refusedToo = await server.api<V2Error>("DELETE", `/org/v2/environments/${withIntegration.id}`);
      expect(refusedToo.status).toBe(409);
      expect(refusedToo.body.errors[0]?.detail).toContain("0 Kafka cluster(s) and 1 provider integration(s)");

      expect((await server.api("DELETE", `/cmk/v2/clusters/${cluster.body.id}?environment=${withCluster.id}`)).status).toBe(204);
      expect((await server.api("DELETE", `/org/v2/environments/${withCluster.id}`)).status).toBe(204);
    });
  });

  describe("clusters", () => {
    let environment: Environment;
    let otherEnvironment: Environment;

    beforeAll(async () => {
      environment = await createEnvironment("clusters");
      otherEnvironment = await createEnvironment("clusters-other");
    });

    function spec(overrides: Record<string, unknown> = {}): Record<string, unknown> {
      return {
        display_name: "orders",
        availability: "MULTI_ZONE",
        cloud: "AZURE",
        region: "westus3",
        config: { kind: "Dedicated", cku: 2 },
        environment: { id: environment.id },
        networking: "PRIVATE_LINK",
        kafka_bootstrap_servers: "broker-1:9092, broker-2:9092",
        connect_urls: ["http://127.0.0.1:8083/", "https://127.0.0.1:8443"],
        ...overrides,
      };
    }

    async function clusterIds(environmentId = environment.id): Promise<string[]> {
      const response = await server.api<List<Cluster>>("GET", `/cmk/v2/clusters?environment=${environmentId}&page_size=100`);
      expect(response.status).toBe(200);
      return response.body.data.map((c) => c.id);
    }

    it("registers a cluster (202), echoing the spec and vaultwire's connection fields", async () => {
      const created = await server.api<Cluster>("POST", "/cmk/v2/clusters", { spec: spec() });
      expect(created.status).toBe(202);
      expect(created.body).toMatchObject({ api_version: "cmk/v2", kind: "Cluster", status: { phase: "PROVISIONED", cku: 2 } });
      expect(created.body.id).toMatch(/^lkc-[a-z0-9]+$/);
      expect(created.body.metadata.self).toBe(`${server.url}/cmk/v2/clusters/${created.body.id}`);
      // Confluent's clients derive the RBAC CRN by cutting the resource name at "/kafka=" and fail without it.
      expect(created.body.metadata.resource_name).toMatch(new RegExp(`/environment=${environment.id}/cloud-cluster=${created.body.id}/kafka=${created.body.id}$`));
      const { resource_name: environmentCrn, ...environmentRef } = created.body.spec.environment;
      expect(environmentCrn).toMatch(new RegExp(`/environment=${environment.id}$`));
      expect({ ...created.body.spec, environment: environmentRef }).toEqual({
        display_name: "orders",
        availability: "MULTI_ZONE",
        cloud: "AZURE",
        region: "westus3",
        config: { kind: "Dedicated", cku: 2 },
        kafka_bootstrap_endpoint: "SASL_SSL://broker-1:9092",
        http_endpoint: server.url,
        api_endpoint: server.url,
        environment: { id: environment.id, related: `${server.url}/org/v2/environments/${environment.id}` },
        networking: "PRIVATE_LINK",
        kafka_bootstrap_servers: "broker-1:9092,broker-2:9092",
        connect_urls: ["http://127.0.0.1:8083", "https://127.0.0.1:8443"],
      });
      const read = await server.api<Cluster>("GET", `/cmk/v2/clusters/${created.body.id}?environment=${environment.id}`);
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
    });

    it("fills in defaults: SINGLE_ZONE, PUBLIC, no bootstrap servers or Connect URLs; case-insensitive enums", async () => {
      const created = await server.api<Cluster>("POST", "/cmk/v2/clusters", { spec: { display_name: "minimal", cloud: "azure", region: "WestUS3", config: { kind: "basic" }, environment: { id: environment.id } } });
      expect(created.status).toBe(202);
      expect(created.body.spec).toMatchObject({ availability: "SINGLE_ZONE", networking: "PUBLIC", cloud: "AZURE", region: "westus3", config: { kind: "Basic" }, kafka_bootstrap_servers: "", kafka_bootstrap_endpoint: "", connect_urls: [] });
      expect(created.body.spec.config.cku).toBeUndefined();
    });

    it("lists only with ?environment= (400 naming it otherwise), in the ClusterList shape, paging", async () => {
      for (const query of ["", "?environment=", "?environment=%20"]) {
        const missing = await server.api<V2Error>("GET", `/cmk/v2/clusters${query}`);
        expect(missing.status, query).toBe(400);
        expect(pointers(missing)).toEqual(["/environment"]);
        expect(missing.body.errors[0]?.detail).toContain("query parameter \"environment\" is required");
      }
      const all = await clusterIds();
      expect(all).toHaveLength(2);
      const first = await server.api<List<Cluster>>("GET", `/cmk/v2/clusters?environment=${environment.id}&page_size=1`);
      expect(first.body).toMatchObject({ api_version: "cmk/v2", kind: "ClusterList" });
      expect(first.body.data.map((c) => c.id)).toEqual([all[0]]);
      const next = first.body.metadata.next ?? "";
      expect(new URL(next).searchParams.get("environment")).toBe(environment.id);
      const second = await server.api<List<Cluster>>("GET", pathOf(next));
      expect(second.body.data.map((c) => c.id)).toEqual([all[1]]);
      expect(second.body.metadata.next).toBeUndefined();
      expect(await clusterIds(otherEnvironment.id)).toEqual([]);
      const badSize = await server.api<V2Error>("GET", `/cmk/v2/clusters?environment=${environment.id}&page_size=0`);
      expect(badSize.status).toBe(400);
      expect(pointers(badSize)).toEqual(["/page_size"]);
      expect((await server.api<V2Error>("GET", `/cmk/v2/clusters?environment=${environment.id}&page_token=nope!`)).status).toBe(400);
    });

    it("an unknown environment → 404 on create and list", async () => {
      const created = await server.api<V2Error>("POST", "/cmk/v2/clusters", { spec: spec({ environment: { id: "env-nope0000" } }) });
      expect(created.status).toBe(404);
      expect(created.body.errors[0]?.detail).toBe("environment \"env-nope0000\" was not found");
      expect((await server.api<V2Error>("GET", "/cmk/v2/clusters?environment=env-nope0000")).status).toBe(404);
    });

    it.each([
      ["cloud", { cloud: "ORACLE" }, ["/spec/cloud"], "spec.cloud must be one of AWS, GCP, AZURE"],
      ["missing cloud", { cloud: undefined }, ["/spec/cloud"], "spec.cloud must be one of"],
      ["region", { region: "West US 3" }, ["/spec/region"], "spec.region must be a region name"],
      ["missing region", { region: undefined }, ["/spec/region"], "spec.region is required"],
      ["config.kind", { config: { kind: "Huge", cku: 1 } }, ["/spec/config/kind"], "spec.config.kind must be one of"],
      ["cku 0", { config: { kind: "Dedicated", cku: 0 } }, ["/spec/config/cku"], "spec.config.cku must be a whole number from 1 to 152"],
      ["cku 153", { config: { kind: "Dedicated", cku: 153 } }, ["/spec/config/cku"], "spec.config.cku must be a whole number from 1 to 152"],
      ["cku 1.5", { config: { kind: "Dedicated", cku: 1.5 } }, ["/spec/config/cku"], "spec.config.cku"],
      ["cku as a string", { config: { kind: "Dedicated", cku: "2" } }, ["/spec/config/cku"], "spec.config.cku"],
      ["networking", { networking: "VPN" }, ["/spec/networking"], "spec.networking must be one of PUBLIC, PRIVATE_LINK"],
      ["availability", { availability: "EVERYWHERE" }, ["/spec/availability"], "spec.availability must be one of SINGLE_ZONE, MULTI_ZONE"],
      ["connect_urls not a list", { connect_urls: "http://127.0.0.1:8083" }, ["/spec/connect_urls"], "spec.connect_urls must be a list of at most 10 URLs"],
      ["connect_urls over 10", { connect_urls: Array.from({ length: 11 }, (_, i) => `http://connect-${i}:8083`) }, ["/spec/connect_urls"], "at most 10 URLs"],
      ["a connect URL of another scheme", { connect_urls: ["ftp://connect:21"] }, ["/spec/connect_urls/0"], "spec.connect_urls[0] must be an http:// or https:// URL"],
      ["a connect URL with credentials", { connect_urls: ["http://127.0.0.1:8083", "http://admin:hunter2@connect:8083"] }, ["/spec/connect_urls/1"], "without credentials"],
      ["a connect URL with a query", { connect_urls: ["http://connect:8083/?x=1"] }, ["/spec/connect_urls/0"], "without credentials, query or fragment"],
      ["not a URL", { connect_urls: ["connect"] }, ["/spec/connect_urls/0"], "spec.connect_urls[0]"],
      ["bootstrap servers", { kafka_bootstrap_servers: "broker-1" }, ["/spec/kafka_bootstrap_servers"], "host:port"],
      ["display_name over 64", { display_name: "d".repeat(65) }, ["/spec/display_name"], "spec.display_name must be at most 64 characters"],
      ["display_name with a control character", { display_name: "a\u0000b" }, ["/spec/display_name"], "control characters"],
      ["missing environment", { environment: undefined }, ["/spec/environment/id"], "spec.environment.id is required"],
      ["config not an object", { config: "Dedicated" }, ["/spec/config"], "spec.config must be a JSON object"],
      ["several at once", { cloud: "ORACLE", region: "", config: { kind: "Dedicated", cku: 0 } }, ["/spec/cloud", "/spec/region", "/spec/config/cku"], "spec.cloud must be one of AWS, GCP, AZURE | spec.region must not be empty | spec.config.cku must be a whole number"],
    ])("bad %s → 400 naming the pointer, nothing persisted", async (_label, overrides, expected, detail) => {
      const before = await clusterIds();
      const response = await server.api<V2Error>("POST", "/cmk/v2/clusters", { spec: spec(overrides) });
      expect(response.status).toBe(400);
      expect(pointers(response)).toEqual(expected);
      expect(response.body.errors.map((e) => e.detail).join(" | ")).toContain(detail);
      expect(response.text).not.toContain("hunter2");
      expect(await clusterIds()).toEqual(before);
    });

    it("rejects a body without spec or with a non-object spec (400)", async () => {
      const notObject = await server.api<V2Error>("POST", "/cmk/v2/clusters", { spec: "x" });
      expect(notObject.status).toBe(400);
      expect(pointers(notObject)).toEqual(["/spec"]);
      const empty = await server.api<V2Error>("POST", "/cmk/v2/clusters", {});
      expect(empty.status).toBe(400);
      expect(pointers(empty)).toEqual(["/spec/environment/id"]);
    });

    it("reads, updates and deletes only with the cluster's own environment", async () => {
      const created = (await server.api<Cluster>("POST", "/cmk/v2/clusters", { spec: spec({ display_name: "lifecycle" }) })).body;
      const wrong = `?environment=${otherEnvironment.id}`;
      expect((await server.api<V2Error>("GET", `/cmk/v2/clusters/${created.id}${wrong}`)).status).toBe(404);
      expect((await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${created.id}${wrong}`, { spec: { display_name: "moved" } })).status).toBe(404);
      expect((await server.api<V2Error>("DELETE", `/cmk/v2/clusters/${created.id}${wrong}`)).status).toBe(404);
      const notFound = await server.api<V2Error>("GET", `/cmk/v2/clusters/lkc-nope0000?environment=${environment.id}`);
      expect(notFound.status).toBe(404);
      expect(notFound.body.errors[0]?.detail).toBe("Kafka cluster \"lkc-nope0000\" was not found");

      const patched = await server.api<Cluster>("PATCH", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`, {
        spec: { display_name: "renamed", config: { cku: 3 }, networking: "PUBLIC", connect_urls: ["http://127.0.0.1:18083"], environment: { id: otherEnvironment.id } },
      });
      expect(patched.status).toBe(200);
      expect(patched.body.spec).toMatchObject({ display_name: "renamed", config: { kind: "Dedicated", cku: 3 }, networking: "PUBLIC", connect_urls: ["http://127.0.0.1:18083"], region: "westus3", availability: "MULTI_ZONE", kafka_bootstrap_servers: "broker-1:9092,broker-2:9092", environment: { id: environment.id } });
      expect(patched.body.metadata.created_at).toBe(created.metadata.created_at);
      const badPatch = await server.api<V2Error>("PATCH", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`, { spec: { region: "not a region", networking: "VPN" } });
      expect(badPatch.status).toBe(400);
      expect(pointers(badPatch)).toEqual(["/spec/region", "/spec/networking"]);
      const read = await server.api<Cluster>("GET", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`);
      expect(read.body).toEqual(patched.body);

      const deleted = await server.api("DELETE", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`);
      expect(deleted.status).toBe(204);
      expect((await server.api("GET", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`)).status).toBe(404);
      expect(await clusterIds()).not.toContain(created.id);
    });

    it("refuses to delete a cluster with connectors (409), and deletes it once they are gone", async () => {
      const created = (await server.api<Cluster>("POST", "/cmk/v2/clusters", { spec: spec({ display_name: "busy", networking: "PUBLIC" }) })).body;
      const base = `/connect/v1/environments/${environment.id}/clusters/${created.id}`;
      const connector = await server.api("POST", `${base}/connectors`, plainConnector("busy-source", "Busy-Pa55"));
      expect(connector.status, connector.text).toBe(201);
      const refused = await server.api<V2Error>("DELETE", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`);
      expect(refused.status).toBe(409);
      expect(refused.body.errors[0]).toMatchObject({ status: "409", code: "conflict" });
      expect(refused.body.errors[0]?.detail).toContain(`Kafka cluster "${created.id}" still has 1 connector(s)`);
      expect((await server.api("GET", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`)).status).toBe(200);
      expect((await server.api("DELETE", `${base}/connectors/busy-source`)).status).toBe(200);
      expect((await server.api("DELETE", `/cmk/v2/clusters/${created.id}?environment=${environment.id}`)).status).toBe(204);
    });
  });
});
