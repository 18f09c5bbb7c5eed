import { describe, expect, it } from "vitest";
import { DEFAULT_REGION_POLICY, parseRegionPolicy, secretManagerRegionRestriction, type ClusterPlacement } from "./region-policy.js";

const placement = (region: string, networking: ClusterPlacement["networking"] = "PUBLIC", type: ClusterPlacement["type"] = "DEDICATED", cloud: ClusterPlacement["cloud"] = "AZURE"): ClusterPlacement => ({ cloud, region, type, networking });

describe("default region policy", () => {
  it.each(["australiaeast", "centralus", "eastus", "eastus2", "germanywestcentral", "northeurope", "southeastasia", "westeurope", "westus2", "qatarcentral", "jioindiawest"])(
    "blocks public Azure Dedicated in %s",
    (region) => {
      const message = secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement(region));
      expect(message).toContain(`region "${region}"`);
      expect(message).toContain("Azure Dedicated clusters on public networking");
      expect(message).toContain("azure-dedicated-public");
    },
  );

  it.each(["jioindiawest", "jioindiacentral", "qatarcentral"])("blocks private-link Azure Dedicated in %s", (region) => {
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement(region, "PRIVATE_LINK"))).toContain("private link");
  });

  it("allows other regions, private link in the public-only list, other types and clouds", () => {
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement("francecentral"))).toBeNull();
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement("eastus", "PRIVATE_LINK"))).toBeNull();
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement("eastus", "PUBLIC", "STANDARD"))).toBeNull();
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement("eastus", "PUBLIC", "DEDICATED", "AWS"))).toBeNull();
  });

  it("blocks public AWS Dedicated in ap-southeast-5 only (Confluent's rule for the AWS secret manager)", () => {
    const message = secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement("ap-southeast-5", "PUBLIC", "DEDICATED", "AWS"));
    expect(message).toContain("AWS Dedicated clusters on public networking");
    expect(message).toContain("aws-dedicated-public");
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement("ap-southeast-5", "PRIVATE_LINK", "DEDICATED", "AWS"))).toBeNull();
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement("us-east-1", "PUBLIC", "DEDICATED", "AWS"))).toBeNull();
  });

  it("compares regions case-insensitively", () => {
    expect(secretManagerRegionRestriction(DEFAULT_REGION_POLICY, placement(" EastUS "))).not.toBeNull();
  });
});

describe("parseRegionPolicy", () => {
  it("reads an operator override", () => {
    const result = parseRegionPolicy({ rules: [{ id: "only-eastus", cloud: "azure", clusterType: "dedicated", networking: "public", unavailableRegions: ["EastUS"] }] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.rules[0]).toMatchObject({ cloud: "AZURE", unavailableRegions: ["eastus"], description: "AZURE DEDICATED clusters on PUBLIC networking" });
    expect(secretManagerRegionRestriction(result.value, placement("westeurope"))).toBeNull();
    expect(secretManagerRegionRestriction(result.value, placement("eastus"))).toContain("only-eastus");
  });

  it("accepts an empty rule list (no restrictions)", () => {
    expect(parseRegionPolicy({ rules: [] })).toEqual({ ok: true, value: { rules: [] } });
  });

  it.each([
    [null, "expected an object with a \"rules\" array"],
    [{ rules: [1] }, "rules[0]: expected an object"],
    [{ rules: [{ id: "Bad Id" }] }, "rules[0].id"],
    [{ rules: [{ id: "r", cloud: "IBM" }] }, "rules[0].cloud: expected one of AWS, GCP, AZURE"],
    [{ rules: [{ id: "r", cloud: "AZURE", clusterType: "HUGE" }] }, "rules[0].clusterType"],
    [{ rules: [{ id: "r", cloud: "AZURE", clusterType: "DEDICATED", networking: "VPN" }] }, "rules[0].networking"],
    [{ rules: [{ id: "r", cloud: "AZURE", clusterType: "DEDICATED", networking: "PUBLIC", unavailableRegions: "eastus" }] }, "rules[0].unavailableRegions"],
  ])("names the wrong field of %j", (input, fragment) => {
    const result = parseRegionPolicy(input);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain(fragment);
  });
});
