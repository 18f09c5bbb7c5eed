// `vaultwire kafka cluster pool list` against a server with Connect worker
// pools (golden), and a cluster registered without endpoints taking its pool's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConnectPools } from "../../src/domain/connect-pools.js";
import { DEFAULT_CONNECT_HOST_POLICY } from "../../src/domain/connect-host-policy.js";
import { expectCleanError, expectGolden, objectId, startCliFixture, type CliFixture } from "./harness.js";

const pools = parseConnectPools({
  default: "shared",
  pools: [
    { name: "shared", connectUrls: ["http://connect-1.internal:8083", "http://connect-2.internal:8083"], bootstrapServers: "kafka-1.internal:9092" },
    { name: "westus3", connectUrls: ["https://connect-w.internal"], bootstrapServers: "kafka-w.internal:9092", placements: ["AZURE/westus3", "GCP"] },
  ],
}, DEFAULT_CONNECT_HOST_POLICY);

let f: CliFixture;
beforeAll(async () => {
  if (!pools.ok) throw new Error(pools.error.join("; "));
  const value = pools.value;
  f = await startCliFixture({ allowedConnectHosts: [], settings: (s) => ({ ...s, connectPools: value }) });
  await f.login();
});
afterAll(async () => { await f.close(); });

describe("vaultwire kafka cluster pool list", () => {
  it("lists the pools, the default marked (golden), and -o json has them all", async () => {
    await expectGolden("kafka-cluster-pool-list", await f.ok(["kafka", "cluster", "pool", "list"]));
    const json = JSON.parse(await f.ok(["kafka", "cluster", "pool", "list", "-o", "json"])) as { name: string; is_default: boolean; serves: string }[];
    expect(json.map((p) => [p.name, p.is_default, p.serves])).toEqual([["shared", true, ""], ["westus3", false, "AZURE/westus3, GCP"]]);
  });

  it("a cluster registered without endpoints gets its region's pool", async () => {
    const env = objectId(await f.ok(["environment", "create", "pools", "-o", "json"]));
    const cluster = JSON.parse(await f.ok(["kafka", "cluster", "create", "tf", "--cloud", "azure", "--region", "westus3", "--environment", env, "-o", "json"])) as { bootstrap_servers: string };
    expect(cluster.bootstrap_servers).toBe("kafka-w.internal:9092");
  });

  it("takes no arguments; an environment-scoped key is refused (test/http/connect-pools.test.ts)", async () => {
    expectCleanError(await f.cli(["kafka", "cluster", "pool", "list", "extra"]), 2, "extra");
    expect(await f.ok(["kafka", "cluster", "--help"])).toContain("  pool        List the Kafka Connect worker pools clusters without endpoints get.");
  });
});
