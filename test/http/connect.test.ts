// /connect/v1 against a real server and the Azure emulator, on each store:
// the specification's curl body, every route, and every bad input.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { specConnector, seedEnvironment, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, VAULT_USER, type AzureFixture, type TestServer } from "./harness.js";

interface ConnectError { error: { code: number; message: string } }
interface Info { name: string; config: Record<string, string>; tasks: unknown[]; type: string }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("connect/v1 on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let other: Awaited<ReturnType<typeof seedEnvironment>>;

  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "dev");
    other = await seedEnvironment(server, azure, "other");
  });
  afterAll(async () => { await server.close(); });

  async function names(): Promise<string[]> {
    return (await server.api<string[]>("GET", `${seed.base}/connectors`)).body;
  }

  it("creates the specification's connector from its curl body (201) and shows identifiers, never values", async () => {
    const spec = specConnector(azure.vaultUri, seed.integrationId);
    const created = await server.api<Info>("POST", `${seed.base}/connectors`, spec);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "SqlServerCdcSource1", type: "source", tasks: [] });
    expect(created.body.config["database.password"]).toBe(`${azure.vaultUri}::sqlserver-db-secret::password`);
    const read = await server.api<Info>("GET", `${seed.base}/connectors/SqlServerCdcSource1`);
    expect(read.body.config).toEqual(spec.config);
    expect(read.text).not.toContain(VAULT_CANARY);
    expect(read.text).not.toContain(VAULT_USER);
  });

  it("lists names, and expands info, status and id", async () => {
    expect(await names()).toEqual(["SqlServerCdcSource1"]);
    const expanded = await server.api<Record<string, { id: { id: string; id_type: string }; info: Info; status: { connector: { state: string; trace: string } } }>>("GET", `${seed.base}/connectors?expand=info,status&expand=id`);
    const entry = expanded.body.SqlServerCdcSource1;
    expect(entry?.id.id).toMatch(/^lcc-[a-z0-9]+$/);
    expect(entry?.id.id_type).toBe("ID");
    expect(entry?.info.config["connector.class"]).toBe("SqlServerCdcSourceV2");
    expect(entry?.status.connector.state).toBe("PROVISIONING");
    // The reconciler keeps trying the cluster's Connect URL, where nothing listens, and says so.
    const deadline = Date.now() + 10_000;
    let trace = "";
    while (!trace.includes("waiting for Kafka Connect") && Date.now() < deadline) {
      const status = await server.api<{ connector: { state: string; trace: string } }>("GET", `${seed.base}/connectors/SqlServerCdcSource1/status`);
      trace = status.body.connector.trace;
      expect(status.body.connector.state).toBe("PROVISIONING");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(trace).toContain("waiting for Kafka Connect: Kafka Connect is not reachable at http://127.0.0.1:8083");
    const bad = await server.api<ConnectError>("GET", `${seed.base}/connectors?expand=everything`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("expand must list info, status and/or id");
  });

  it("reports status and tasks", async () => {
    const status = await server.api<{ name: string; connector: { state: string }; tasks: unknown[]; type: string }>("GET", `${seed.base}/connectors/SqlServerCdcSource1/status`);
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ name: "SqlServerCdcSource1", connector: { state: "PROVISIONING" }, tasks: [], type: "source" });
    expect((await server.api("GET", `${seed.base}/connectors/SqlServerCdcSource1/tasks`)).body).toEqual([]);
  });

  it("pauses, resumes and restarts (202)", async () => {
    for (const [method, action] of [["PUT", "pause"], ["PUT", "resume"], ["POST", "restart"]] as const) {
      const response = await server.api(method, `${seed.base}/connectors/SqlServerCdcSource1/${action}`);
      expect(response.status, action).toBe(202);
    }
    expect((await server.api("PUT", `${seed.base}/connectors/nope/pause`)).status).toBe(404);
  });

  it("marks the integration ACTIVE with the connector among its usages", async () => {
    const integration = await server.api<{ status: string; usages: string[] }>("GET", `/pim/v2/integrations/${seed.integrationId}?environment=${seed.environmentId}`);
    expect(integration.body.status).toBe("ACTIVE");
    expect(integration.body.usages).toHaveLength(1);
    expect(integration.body.usages[0]).toMatch(new RegExp(`/environment=${seed.environmentId}/cloud-cluster=${seed.clusterId}/connector=SqlServerCdcSource1$`));
    const deleted = await server.api<{ errors: { detail: string }[] }>("DELETE", `/pim/v2/integrations/${seed.integrationId}?environment=${seed.environmentId}`);
    expect(deleted.status).toBe(409);
    expect(deleted.body.errors[0]?.detail).toContain("is currently in use by 1 resource(s)");
  });

  it("validates with a live dry run: every static rule and each managed field's resolution", async () => {
    const { config } = specConnector(azure.vaultUri, seed.integrationId);
    const ok = await server.api<{ error_count: number }>("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, config);
    expect(ok.status).toBe(200);
    expect(ok.body.error_count).toBe(0);
    const broken = { ...config, "database.user": `${azure.vaultUri}::sqlserver-db-secret::username`, "database.password": `${azure.lockedVaultUri}::sqlserver-db-secret::password`, "tasks.max": "0" };
    const report = await server.api<{ error_count: number; configs: { value: { name: string; errors: string[]; value: string | null } }[] }>("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, broken);
    expect(report.body.error_count).toBe(3);
    const errors = Object.fromEntries(report.body.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors.join(" ")]));
    expect(errors["database.user"]).toContain("it has no key \"username\"; its keys are \"user\", \"password\"");
    expect(errors["database.password"]).toContain("Key Vault Secrets User");
    expect(errors["tasks.max"]).toContain("Value must be at least 1");
    expect(report.text).not.toContain(VAULT_CANARY);
    expect(report.text).not.toContain(VAULT_USER);
    const mismatch = await server.api<ConnectError>("PUT", `${seed.base}/connector-plugins/PostgresCdcSourceV2/config/validate`, config);
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.error.message).toContain("does not match the plugin");
    expect((await server.api("PUT", `${seed.base}/connector-plugins/NopeSource/config/validate`, {})).status).toBe(404);
  });

  it("lists the managed plugins", async () => {
    const plugins = await server.api<{ class: string; type: string }[]>("GET", `${seed.base}/connector-plugins`);
    expect(plugins.body.map((p) => p.class)).toEqual(["MySqlCdcSourceV2", "PostgresCdcSourceV2", "SqlServerCdcSourceV2"]);
  });

  it("rejects a connector whose secret cannot be read, with every error at once, creating nothing", async () => {
    const spec = specConnector(azure.lockedVaultUri, seed.integrationId, "locked");
    spec.config["topic.prefix"] = "";
    const response = await server.api<ConnectError>("POST", `${seed.base}/connectors`, spec);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toMatch(/^Connector configuration is invalid and contains the following 3 error\(s\):\n/);
    expect(response.body.error.message).toContain("database.password: database.password (");
    expect(response.body.error.message).toContain("topic.prefix: Invalid value \"\" for configuration topic.prefix: must not be empty");
    expect(await names()).toEqual(["SqlServerCdcSource1"]);
  });

  it("keeps plaintext secrets encrypted and masked, and keeps them when a masked value comes back", async () => {
    const config: Record<string, string> = { ...specConnector(azure.vaultUri, seed.integrationId, "plain").config, "secret.manager.enabled": "false", "database.user": "sa", "database.password": "Plain-Canary-4471" };
    Reflect.deleteProperty(config, "secret.manager.managed.configs");
    const put = await server.api<Info>("PUT", `${seed.base}/connectors/plain/config`, config);
    // 200 on create too: Confluent's Connect API documents only 200, and its SDK refuses a 201.
    expect(put.status).toBe(200);
    expect((await server.api<string[]>("GET", `${seed.base}/connectors`)).body).toContain("plain");
    expect(put.body.config["database.password"]).toBe("****************");
    const again = await server.api<Info>("PUT", `${seed.base}/connectors/plain/config`, { ...config, "database.password": "****************", "table.include.list": "table456" });
    expect(again.status).toBe(200);
    expect(again.body.config["table.include.list"]).toBe("table456");
    const got = await server.api<Record<string, string>>("GET", `${seed.base}/connectors/plain/config`);
    expect(got.body["database.password"]).toBe("****************");
    expect(server.responses()).not.toContain("Plain-Canary-4471");
    expect(server.logs()).not.toContain("Plain-Canary-4471");
    expect((await server.api("DELETE", `${seed.base}/connectors/plain`)).body).toEqual({ error: null });
  });

  describe("bad input", () => {
    const post = (body: unknown, options?: Parameters<TestServer["api"]>[3]) => server.api<ConnectError>("POST", `${seed.base}/connectors`, body, options);

    it.each([
      ["malformed JSON", { rawBody: "{\"name\": ", headers: { "content-type": "application/json" } }, 400, "the request body is not valid JSON"],
      ["a wrong content type", { rawBody: "name=x", headers: { "content-type": "application/x-www-form-urlencoded" } }, 415, "Content-Type: application/json"],
      ["a body over 1 MiB", { rawBody: JSON.stringify({ name: "big", config: { x: "a".repeat(1_100_000) } }), headers: { "content-type": "application/json" } }, 413, "larger than 1024 KiB"],
      ["a JSON array", { rawBody: "[]", headers: { "content-type": "application/json" } }, 400, "the request body must be a JSON object"],
    ])("%s", async (_label, options, status, fragment) => {
      const response = await post(undefined, options);
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(status);
      expect(response.body.error.message).toContain(fragment);
      expect(response.text).not.toMatch(/\n\s+at /);
    });

    it.each([
      ["non-string config values", (s: ReturnType<typeof specConnector>) => ({ ...s, config: { ...s.config, "tasks.max": 1 } }), "only string values are permitted for the configuration \"tasks.max\""],
      ["a name with /", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "a/b", config: { ...s.config, name: "a/b" } }), "name must not contain \"/\""],
      ["a name with ..", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "a..b", config: { ...s.config, name: "a..b" } }), "name must not contain \"..\""],
      ["a name with control characters", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "a\u0007b", config: { ...s.config, name: "a\u0007b" } }), "control characters"],
      ["a name over 255 characters", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "n".repeat(256), config: { ...s.config, name: "n".repeat(256) } }), "at most 255 characters"],
      ["a name that differs from config.name", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "other" }), "must equal the connector name \"other\""],
      ["no config", (s: ReturnType<typeof specConnector>) => ({ name: s.name }), "config is required"],
      ["an integration of another environment", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "x1", config: { ...s.config, name: "x1", "secret.manager.provider.integration.id": other.integrationId } }), () => `secret.manager.provider.integration.id: provider integration "${other.integrationId}" does not exist in environment`],
      ["an unknown integration", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "x2", config: { ...s.config, name: "x2", "secret.manager.provider.integration.id": "cspi-nope0000" } }), "provider integration \"cspi-nope0000\" does not exist"],
      ["a vault host that is not allowed", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "x3", config: { ...s.config, name: "x3", "database.password": "https://evil.example.com::s::password" } }), "vault host \"evil.example.com\" is not allowed"],
      ["an unknown plugin", (s: ReturnType<typeof specConnector>) => ({ ...s, name: "x4", config: { ...s.config, name: "x4", "connector.class": "NopeSource" } }), "unknown connector plugin \"NopeSource\""],
    ])("%s → 400 naming the field, nothing created", async (_label, mutate, fragment) => {
      const response = await post(mutate(specConnector(azure.vaultUri, seed.integrationId, "bad-one")));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(typeof fragment === "function" ? fragment() : fragment);
      expect(await names()).toEqual(["SqlServerCdcSource1"]);
    });

    it("a DRAFT integration", async () => {
      const draft = await server.api<{ id: string }>("POST", "/pim/v2/integrations", { display_name: "draft", provider: "AZURE", environment: { id: seed.environmentId } });
      const response = await post(specConnector(azure.vaultUri, draft.body.id, "uses-draft"));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(`provider integration "${draft.body.id}" is DRAFT`);
    });

    it("a duplicate name → 409", async () => {
      const response = await post(specConnector(azure.vaultUri, seed.integrationId));
      expect(response.status).toBe(409);
      expect(response.body.error.message).toBe("Connector SqlServerCdcSource1 already exists");
    });

    it("an unknown environment or cluster → 404, and another environment's cluster → 404", async () => {
      const spec = specConnector(azure.vaultUri, seed.integrationId, "elsewhere");
      expect((await server.api<ConnectError>("POST", `/connect/v1/environments/env-nope0000/clusters/${seed.clusterId}/connectors`, spec)).status).toBe(404);
      const noCluster = await server.api<ConnectError>("GET", `/connect/v1/environments/${seed.environmentId}/clusters/lkc-nope0000/connectors`);
      expect(noCluster.status).toBe(404);
      expect(noCluster.body.error.message).toBe("Kafka cluster \"lkc-nope0000\" was not found");
      expect((await server.api("GET", `/connect/v1/environments/${seed.environmentId}/clusters/${other.clusterId}/connectors`)).status).toBe(404);
    });

    it("ignores unknown query parameters", async () => {
      const response = await server.api<string[]>("GET", `${seed.base}/connectors?foo=bar&__proto__=x&expand=`);
      expect(response.status).toBe(200);
      expect(response.body).toEqual(["SqlServerCdcSource1"]);
    });

    it("an unknown connector → 404 in the Connect error shape", async () => {
      const response = await server.api<ConnectError>("GET", `${seed.base}/connectors/nope`);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ error: { code: 404, message: "connector \"nope\" was not found" } });
    });
  });

  it("deletes a connector, frees the integration, and answers 404 afterwards", async () => {
    const deleted = await server.api("DELETE", `${seed.base}/connectors/SqlServerCdcSource1`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ error: null });
    expect((await server.api("GET", `${seed.base}/connectors/SqlServerCdcSource1`)).status).toBe(404);
    const integration = await server.api<{ status: string; usages: string[] }>("GET", `/pim/v2/integrations/${seed.integrationId}`);
    expect(integration.body).toMatchObject({ status: "CREATED", usages: [] });
  });

  it("never let the vault's canary out: responses and logs", () => {
    expect(server.responses()).not.toContain(VAULT_CANARY);
    expect(server.logs()).not.toContain(VAULT_CANARY);
    expect(server.logs()).not.toContain(azure.appSecret);
  });
});
