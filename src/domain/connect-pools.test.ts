import { describe, expect, it } from "vitest";
import { createConnectHostPolicy, DEFAULT_CONNECT_HOST_POLICY } from "./connect-host-policy.js";
import { NO_CONNECT_POOLS, parseConnectPools, selectConnectPool, sharesConnectWorkers, type ConnectPools } from "./connect-pools.js";

function parsed(input: unknown): ConnectPools {
  const result = parseConnectPools(input, DEFAULT_CONNECT_HOST_POLICY);
  if (!result.ok) throw new Error(result.error.join("; "));
  return result.value;
}

function problems(input: unknown, hosts = DEFAULT_CONNECT_HOST_POLICY): string[] {
  const result = parseConnectPools(input, hosts);
  if (result.ok) throw new Error("expected problems");
  return result.error;
}

const pools = parsed({
  default: "shared",
  pools: [
    { name: "shared", connectUrls: ["http://connect-shared:8083/"], bootstrapServers: "kafka-shared:9092" },
    { name: "team-a", connectUrls: "http://connect-a1:8083, https://connect-a2", bootstrapServers: ["kafka-a:9092"], environments: ["env-team1"] },
    { name: "westus3", connectUrls: ["http://connect-w:8083"], bootstrapServers: "kafka-w:9092", placements: ["azure/WestUS3"] },
    { name: "aws", connectUrls: ["http://connect-aws:8083"], placements: ["AWS"] },
  ],
});

describe("Connect worker pools", () => {
  it("are optional: nothing set is no pool and no default", () => {
    expect(parsed(undefined)).toEqual(NO_CONNECT_POOLS);
    expect(parsed({ pools: [] })).toEqual(NO_CONNECT_POOLS);
    expect(selectConnectPool(NO_CONNECT_POOLS, { environmentId: "env-1", cloud: "AZURE", region: "westus3" })).toBeNull();
  });

  it("normalise URLs, bootstrap servers and placements", () => {
    expect(pools.pools.map((p) => [p.name, p.connectUrls, p.bootstrapServers])).toEqual([
      ["shared", ["http://connect-shared:8083"], "kafka-shared:9092"],
      ["team-a", ["http://connect-a1:8083", "https://connect-a2"], "kafka-a:9092"],
      ["westus3", ["http://connect-w:8083"], "kafka-w:9092"],
      ["aws", ["http://connect-aws:8083"], ""],
    ]);
    expect(pools.pools[2]?.placements).toEqual([{ cloud: "AZURE", region: "westus3" }]);
    expect(pools.defaultPool).toBe("shared");
  });

  it("select by environment first, then cloud and region, then cloud, then the default", () => {
    const pick = (environmentId: string, cloud: "AWS" | "AZURE" | "GCP", region: string) => {
      const selection = selectConnectPool(pools, { environmentId, cloud, region });
      return selection && [selection.pool.name, selection.by];
    };
    expect(pick("env-team1", "AZURE", "westus3")).toEqual(["team-a", "environment"]);
    expect(pick("env-other", "AZURE", "WestUS3")).toEqual(["westus3", "region"]);
    expect(pick("env-other", "AWS", "us-east-1")).toEqual(["aws", "cloud"]);
    expect(pick("env-other", "GCP", "us-east4")).toEqual(["shared", "default"]);
    expect(selectConnectPool({ ...pools, defaultPool: null }, { environmentId: "env-other", cloud: "GCP", region: "us-east4" })).toBeNull();
  });

  it("report every problem at once, naming the pool and the field", () => {
    const found = problems({
      default: "nope",
      extra: true,
      pools: [
        { name: "Bad Name", connectUrls: [], bootstrapServers: "no-port" },
        { name: "dup", connectUrls: ["ftp://x"], environments: ["env-1", "prod"], placements: ["MARS", "AZURE/westus3"] },
        { name: "dup", connectUrls: ["http://ok:8083"], environments: ["env-1"], placements: ["azure/westus3"], colour: "red" },
        "not an object",
      ],
    });
    expect(found).toEqual(expect.arrayContaining([
      expect.stringContaining("unknown key \"extra\""),
      expect.stringContaining("pools[0].name: expected 1-64 lower-case letters"),
      expect.stringContaining("pools[0] connectUrls: expected 1-10 Kafka Connect REST URLs"),
      expect.stringContaining("pools[0] bootstrapServers: expected host:port entries"),
      expect.stringContaining("pool \"dup\" connectUrls: \"ftp://x\" must be an http:// or https:// URL"),
      expect.stringContaining("pool \"dup\" environments: \"prod\" is not an environment id"),
      expect.stringContaining("pool \"dup\" placements: \"MARS\" must be a cloud"),
      expect.stringContaining("pools[2].name: \"dup\" names two pools"),
      expect.stringContaining("env-1 is already served by pool \"dup\""),
      expect.stringContaining("AZURE/westus3 is already served by pool \"dup\""),
      expect.stringContaining("pools[2]: unknown key \"colour\""),
      expect.stringContaining("pools[3]: expected an object"),
      expect.stringContaining("default: expected the name of one of the pools"),
    ]));
  });

  it("hold pool URLs to the Connect host policy, like a cluster's connect_urls", () => {
    expect(problems({ pools: [{ name: "local", connectUrls: ["http://localhost:8083"] }] }).join("\n")).toContain("loopback");
    const listed = createConnectHostPolicy(["connect.internal"]);
    if (!listed.ok) throw new Error(listed.error);
    expect(problems({ pools: [{ name: "p", connectUrls: ["http://elsewhere:8083"] }] }, listed.value).join("\n")).toContain("is not one of the Kafka Connect hosts this server allows");
    expect(parseConnectPools({ pools: [{ name: "p", connectUrls: ["http://connect.internal:8083"] }] }, listed.value).ok).toBe(true);
  });

  it("tell whether two clusters run on the same Connect workers: one Connect URL in common", () => {
    const pooled = { connectUrls: ["http://connect-1:8083", "http://connect-2:8083"] };
    expect(sharesConnectWorkers(pooled, { connectUrls: ["http://connect-2:8083"] })).toBe(true);
    expect(sharesConnectWorkers(pooled, { connectUrls: ["http://connect-3:8083"] })).toBe(false);
    expect(sharesConnectWorkers(pooled, { connectUrls: [] })).toBe(false);
    expect(sharesConnectWorkers({ connectUrls: [] }, { connectUrls: [] })).toBe(false);
  });

  it("refuse a setting that is not an object", () => {
    expect(problems([1, 2])).toEqual(["expected an object with \"pools\" (a list) and an optional \"default\" (a pool name)"]);
    expect(problems({ pools: "x" })).toEqual(["pools: expected a list of at most 100 pools"]);
  });
});
