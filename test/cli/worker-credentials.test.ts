// `vaultwire kafka cluster worker-config` and `… worker-credential create|list|revoke`
// against a real server: what a Connect worker needs, shown once, revocable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCleanError, objectId, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
let clusterId: string;
let environmentId: string;
beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  environmentId = objectId(await f.ok(["environment", "create", "workers", "-o", "json"]));
  await f.ok(["environment", "use", environmentId]);
  clusterId = objectId(await f.ok(["kafka", "cluster", "create", "orders", "--cloud", "azure", "--region", "westus3", "-o", "json"]));
});
afterAll(async () => { await f.close(); });

async function secretsWith(token: string): Promise<number> {
  const response = await fetch(`${f.server.url}/internal/v1/clusters/${clusterId}/connectors/lcc-none/secrets?keys=database.password`, { headers: { authorization: `Bearer ${token}` } });
  return response.status;
}

describe("vaultwire kafka cluster worker-config", () => {
  it("prints every property a managed worker needs, without a credential, saying how to get one", async () => {
    const out = await f.ok(["kafka", "cluster", "worker-config", "--cluster", clusterId]);
    expect(out).toBe(
      `# Kafka Connect worker properties (distributed mode) for Kafka cluster ${clusterId}, from vaultwire.\n` +
      "# Every worker of the Connect cluster needs them.\n" +
      "#\n" +
      "# Set by each worker itself (vaultwire does not choose these):\n" +
      "#   bootstrap.servers=<the Kafka cluster's bootstrap servers>\n" +
      "#   group.id=<one id shared by all workers of this Connect cluster, and by no other>\n" +
      "#   config.storage.topic, offset.storage.topic, status.storage.topic=<three topics of this Connect cluster alone>\n" +
      "#   plugin.path=<the folders of the connector plugins, and the folder holding vaultwire-config-provider-<version>.jar>\n" +
      "#   key.converter, value.converter, listeners, and the security settings your Kafka cluster needs\n" +
      "#   connector.client.config.override.policy: keep the default (All); connectors may set producer.override.*\n" +
      "#\n" +
      "# A connector or task of a worker that left the group runs again on another worker after this\n" +
      "# delay (plus session.timeout.ms, 10 s, to notice). Connect's default is 300000 (5 minutes).\n" +
      "# Shorter moves tasks around whenever a worker restarts more slowly than the delay.\n" +
      "scheduled.rebalance.max.delay.ms=15000\n" +
      "#\n" +
      "# vaultwire's ConfigProvider: resolves the ${vaultwire:…} placeholders of connector configs. After a\n" +
      "# secret changes, vaultwire restarts the connector and its tasks itself (config.action.reload is not needed).\n" +
      "config.providers=vaultwire\n" +
      "config.providers.vaultwire.class=io.vaultwire.connect.VaultwireConfigProvider\n" +
      `config.providers.vaultwire.param.url=${f.server.url}\n` +
      `config.providers.vaultwire.param.cluster=${clusterId}\n` +
      "# Several vaultwire replicas: set config.providers.vaultwire.param.urls=<url>,<url>,… instead of config.providers.vaultwire.param.url (the provider fails over between them).\n" +
      "# The worker credential is not shown here. Create one (organization admins only) with\n" +
      `#   vaultwire kafka cluster worker-config --cluster ${clusterId} --create-credential\n` +
      "# and set config.providers.vaultwire.param.token=<it>, or config.providers.vaultwire.param.token.file=<a file holding it>.\n",
    );
  });

  it("gives the cluster's bootstrap servers when vaultwire knows them, in the text and the JSON", async () => {
    const known = objectId(await f.ok(["kafka", "cluster", "create", "payments", "--cloud", "azure", "--region", "westus3", "--bootstrap-servers", "kafka-1:9092,kafka-2:9092", "-o", "json"]));
    const out = await f.ok(["kafka", "cluster", "worker-config", "--cluster", known]);
    expect(out).toContain("#   bootstrap.servers: below, the cluster's as registered in vaultwire (workers may need another address)\n");
    expect(out).not.toContain("bootstrap.servers=<");
    expect(out).toMatch(/\nbootstrap\.servers=kafka-1:9092,kafka-2:9092\n#\n# A connector or task/);
    const json = JSON.parse(await f.ok(["kafka", "cluster", "worker-config", "-o", "json", "--cluster", known])) as { properties: Record<string, string> };
    expect(json.properties).toEqual({
      "bootstrap.servers": "kafka-1:9092,kafka-2:9092",
      "scheduled.rebalance.max.delay.ms": "15000",
      "config.providers": "vaultwire",
      "config.providers.vaultwire.class": "io.vaultwire.connect.VaultwireConfigProvider",
      "config.providers.vaultwire.param.url": f.server.url,
      "config.providers.vaultwire.param.cluster": known,
    });
  });

  it("--create-credential adds a new credential, once, that works", async () => {
    const r = await f.cli(["kafka", "cluster", "worker-config", "--cluster", clusterId, "--create-credential", "--description", "pool A"]);
    expect(r.code).toBe(0);
    const token = /^config\.providers\.vaultwire\.param\.token=(vwc_\S+)$/m.exec(r.out)?.[1] ?? "";
    expect(token).toMatch(/^vwc_wcr-/);
    expect(r.err).toMatch(/^Created worker credential "wcr-[a-z0-9]+"; it is in the output below and shown only once\.\n$/);
    // 404: the credential is valid, the connector does not exist.
    expect(await secretsWith(token)).toBe(404);
    const json = JSON.parse(await f.ok(["kafka", "cluster", "worker-config", "-o", "json", "--cluster", clusterId])) as { properties: Record<string, string> };
    expect(json.properties["config.providers.vaultwire.param.token"]).toBeUndefined();
  });
});

describe("vaultwire kafka cluster worker-credential", () => {
  let id: string;
  let token: string;

  it("creates a credential and shows its secret once", async () => {
    const out = await f.ok(["kafka", "cluster", "worker-credential", "create", "--cluster", clusterId, "--description", "pool B"]);
    const match = /^Save the worker credential now: it is shown only once and cannot be retrieved later\.\n\nID {12}(wcr-[a-z0-9]+)\nCluster {7}(lkc-[a-z0-9]+)\nCredential {4}(vwc_\S+)\n/.exec(out);
    expect(match?.[2]).toBe(clusterId);
    id = match?.[1] ?? "";
    token = match?.[3] ?? "";
    expect(await secretsWith(token)).toBe(404);
  });

  it("lists credentials without secrets", async () => {
    await f.ok(["kafka", "cluster", "use", clusterId]);
    const out = await f.ok(["kafka", "cluster", "worker-credential", "list"]);
    expect(out).toContain(id);
    expect(out).toContain("pool B");
    expect(out).not.toContain("vwc_");
    const json = JSON.parse(await f.ok(["kafka", "cluster", "worker-credential", "list", "-o", "json"])) as { id: string; last_used_at: string }[];
    expect(json.map((c) => c.id)).toContain(id);
    expect(json.find((c) => c.id === id)?.last_used_at).toMatch(/^\d{4}-/);
  });

  it("revokes after checking the ids, and the credential stops working", async () => {
    const unknown = await f.cli(["kafka", "cluster", "worker-credential", "revoke", "wcr-nope", "--force"]);
    expectCleanError(unknown, 1, "unknown worker credential ID \"wcr-nope\"");
    expect(unknown.err).toContain(id);
    const out = await f.ok(["kafka", "cluster", "worker-credential", "revoke", id, "--force"]);
    expect(out).toBe(`Revoked worker credential "${id}".\n`);
    expect(await secretsWith(token)).toBe(401);
  });

  it("an environment-scoped key is refused, with the reason", async () => {
    const key = JSON.parse(await f.ok(["api-key", "create", "--environment", environmentId, "-o", "json"])) as { api_key: string; api_secret: string };
    const env = { VAULTWIRE_URL: f.server.url, VAULTWIRE_API_KEY: key.api_key, VAULTWIRE_API_SECRET: key.api_secret, VAULTWIRE_CLUSTER: clusterId };
    const create = await f.cli(["kafka", "cluster", "worker-credential", "create"], { env });
    expectCleanError(create, 1, "creating a worker credential needs an organization-wide API key with the OrganizationAdmin role");
    const config = await f.cli(["kafka", "cluster", "worker-config", "--create-credential"], { env });
    expectCleanError(config, 1, "creating a worker credential needs an organization-wide API key");
    expect(config.out).toBe("");
    expect((await f.cli(["kafka", "cluster", "worker-config"], { env })).code).toBe(0);
  });

  it("says what is missing", async () => {
    expectCleanError(await f.cli(["kafka", "cluster", "worker-credential", "revoke"]), 2, "");
    expectCleanError(await f.cli(["kafka", "cluster", "worker-credential", "create", "--cluster", "lkc-missing"]), 1, "lkc-missing");
    expect((await f.ok(["kafka", "cluster", "worker-credential", "--help"]))).toContain("roll the workers onto it, then revoke the old one");
  });
});
