/**
 * Where secret manager integration is unavailable, as data an operator can
 * replace (e.g. when a region gains support). The default is the
 * specification's "Supported regions" section.
 */
import { err, ok, type Result } from "./result.js";

export const CLOUDS = ["AWS", "GCP", "AZURE"] as const;
export type Cloud = (typeof CLOUDS)[number];
export const CLUSTER_TYPES = ["BASIC", "STANDARD", "ENTERPRISE", "DEDICATED"] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];
export const NETWORKING_KINDS = ["PUBLIC", "PRIVATE_LINK"] as const;
export type Networking = (typeof NETWORKING_KINDS)[number];

/** Where the connector's Kafka cluster runs. */
export interface ClusterPlacement {
  readonly cloud: Cloud;
  readonly region: string;
  readonly type: ClusterType;
  readonly networking: Networking;
}

export interface RegionRule {
  /** Short stable name, quoted in errors. */
  readonly id: string;
  readonly cloud: Cloud;
  readonly clusterType: ClusterType;
  readonly networking: Networking;
  /** Lowercase region names where secret manager integration is not available. */
  readonly unavailableRegions: readonly string[];
  /** Human wording of the rule, e.g. "Azure Dedicated clusters on public networking". */
  readonly description: string;
}

export interface RegionPolicy {
  readonly rules: readonly RegionRule[];
}

export const DEFAULT_REGION_POLICY: RegionPolicy = {
  rules: [
    {
      id: "azure-dedicated-public",
      cloud: "AZURE",
      clusterType: "DEDICATED",
      networking: "PUBLIC",
      unavailableRegions: [
        "australiaeast", "centralus", "eastus", "eastus2", "germanywestcentral", "northeurope",
        "southeastasia", "westeurope", "westus2", "qatarcentral", "jioindiawest",
      ],
      description: "Azure Dedicated clusters on public networking",
    },
    {
      id: "azure-dedicated-private-link",
      cloud: "AZURE",
      clusterType: "DEDICATED",
      networking: "PRIVATE_LINK",
      unavailableRegions: ["jioindiawest", "jioindiacentral", "qatarcentral"],
      description: "Azure Dedicated clusters on private link networking",
    },
    {
      // Confluent: the AWS secret manager integration is not available in ap-southeast-5 on public networking.
      id: "aws-dedicated-public",
      cloud: "AWS",
      clusterType: "DEDICATED",
      networking: "PUBLIC",
      unavailableRegions: ["ap-southeast-5"],
      description: "AWS Dedicated clusters on public networking",
    },
  ],
};

/** The reason secret manager integration is unavailable for this placement, or null when it is available. */
export function secretManagerRegionRestriction(policy: RegionPolicy, placement: ClusterPlacement): string | null {
  const region = placement.region.trim().toLowerCase();
  for (const rule of policy.rules) {
    if (rule.cloud !== placement.cloud || rule.clusterType !== placement.type || rule.networking !== placement.networking) continue;
    if (rule.unavailableRegions.includes(region)) {
      return `secret manager integration is not available in region "${region}" for ${rule.description} (region rule "${rule.id}"); unavailable regions: ${rule.unavailableRegions.join(", ")}`;
    }
  }
  return null;
}

/** Reads an operator-supplied policy (parsed JSON), naming the first field that is wrong. */
export function parseRegionPolicy(input: unknown): Result<RegionPolicy, string> {
  if (!isRecord(input) || !Array.isArray(input.rules)) return err("region policy: expected an object with a \"rules\" array");
  const rules: RegionRule[] = [];
  for (const [index, raw] of input.rules.entries()) {
    const at = `region policy: rules[${index}]`;
    if (!isRecord(raw)) return err(`${at}: expected an object`);
    if (typeof raw.id !== "string" || !/^[a-z0-9][a-z0-9-]{0,63}$/.test(raw.id)) return err(`${at}.id: expected a lowercase name of letters, digits and "-"`);
    const cloud = upper(raw.cloud);
    if (!isOneOf(CLOUDS, cloud)) return err(`${at}.cloud: expected one of ${CLOUDS.join(", ")}`);
    const clusterType = upper(raw.clusterType);
    if (!isOneOf(CLUSTER_TYPES, clusterType)) return err(`${at}.clusterType: expected one of ${CLUSTER_TYPES.join(", ")}`);
    const networking = upper(raw.networking);
    if (!isOneOf(NETWORKING_KINDS, networking)) return err(`${at}.networking: expected one of ${NETWORKING_KINDS.join(", ")}`);
    if (!Array.isArray(raw.unavailableRegions) || !raw.unavailableRegions.every((r): r is string => typeof r === "string" && r.trim() !== "")) {
      return err(`${at}.unavailableRegions: expected an array of region names`);
    }
    const description = typeof raw.description === "string" && raw.description.trim() !== ""
      ? raw.description.trim()
      : `${cloud} ${clusterType} clusters on ${networking} networking`;
    rules.push({ id: raw.id, cloud, clusterType, networking, unavailableRegions: raw.unavailableRegions.map((r) => r.trim().toLowerCase()), description });
  }
  return ok({ rules });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function upper(value: unknown): string {
  return typeof value === "string" ? value.trim().toUpperCase() : "";
}

function isOneOf<T extends string>(options: readonly T[], value: string): value is T {
  return (options as readonly string[]).includes(value);
}
