/**
 * Where vaultwire's AWS requests may go. The endpoint of every call follows
 * from the secret ARN's region (already checked by the grammar):
 *
 *   secretsmanager.<region>.amazonaws.com     aws, aws-us-gov
 *   secretsmanager.<region>.amazonaws.com.cn  aws-cn
 *   sts.<region>.amazonaws.com[.cn]           STS, always regional
 *
 * or is one of the operator's exact overrides. The SDK port checks each
 * request's URL against the endpoint its client was made for, so no request
 * goes anywhere else.
 */
import { err, ok, type Result } from "../../domain/result.js";
import type { AllowedSecretHosts } from "../../domain/secret-managers.js";
import { partitionOfRegion, type AwsPartition } from "./identifier.js";
import type { AwsEndpointOverrides } from "./settings.js";

export type AwsService = "secretsmanager" | "sts";

const DNS_SUFFIXES: Readonly<Record<AwsPartition, string>> = {
  aws: "amazonaws.com",
  "aws-us-gov": "amazonaws.com",
  "aws-cn": "amazonaws.com.cn",
};

const REGION = /^[a-z]{2}(?:-gov)?-[a-z]+-\d{1,2}$/;
const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

export interface EndpointPolicy {
  /** The endpoint (origin, no path) for a service in a region. Throws on a region the grammar would refuse. */
  endpointFor(service: AwsService, region: string): string;
  /** Whether a request URL's origin is the endpoint of a service in some valid region, or an override. */
  isAllowed(url: string): boolean;
  /** The overrides in force, for messages. */
  readonly overrides: AwsEndpointOverrides;
}

/** The AWS endpoint of a service in a region (no override). */
export function awsEndpoint(service: AwsService, region: string): string {
  if (!REGION.test(region)) throw new RangeError("not an AWS region name");
  return `https://${service}.${region}.${DNS_SUFFIXES[partitionOfRegion(region)]}`;
}

/** Checks an override: an http(s) origin with no path, query or user information; http:// only on loopback. */
function normaliseOverride(name: string, raw: string): Result<string, string> {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return err(`AWS endpoint override ${name} is not a URL (e.g. http://127.0.0.1:5055)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return err(`AWS endpoint override ${name} must use https:// (or http:// on a loopback address)`);
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) return err(`AWS endpoint override ${name} may use http:// only on a loopback address (127.0.0.1, localhost, [::1]); use https://`);
  if (url.username !== "" || url.password !== "") return err(`AWS endpoint override ${name} must not contain user information`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search !== "" || url.hash !== "") return err(`AWS endpoint override ${name} must be an origin only (scheme, host and port), with no path or query`);
  return ok(url.origin);
}

export function createEndpointPolicy(overrides: AwsEndpointOverrides = {}): Result<EndpointPolicy, string> {
  const normalised: { secretsManager?: string; sts?: string } = {};
  for (const [name, value] of [["secretsManager", overrides.secretsManager], ["sts", overrides.sts]] as const) {
    if (value === undefined) continue;
    const checked = normaliseOverride(name, value);
    if (!checked.ok) return checked;
    normalised[name] = checked.value;
  }
  const overrideFor = (service: AwsService): string | undefined => service === "sts" ? normalised.sts : normalised.secretsManager;
  return ok({
    overrides: normalised,
    endpointFor: (service, region) => overrideFor(service) ?? awsEndpoint(service, region),
    isAllowed: (raw) => {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return false;
      }
      if (url.username !== "" || url.password !== "") return false;
      if (url.origin === normalised.secretsManager || url.origin === normalised.sts) return true;
      const match = /^(secretsmanager|sts)\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?)$/.exec(url.hostname);
      if (url.protocol !== "https:" || url.port !== "" || !match) return false;
      const [, , region = "", suffix] = match;
      return REGION.test(region) && DNS_SUFFIXES[partitionOfRegion(region)] === suffix;
    },
  });
}

/** Where Secrets Manager requests go, as a form shows it: the regional endpoints per DNS suffix, then the operator's override. */
export function allowedSecretsManagerHosts(policy: Pick<EndpointPolicy, "overrides">): AllowedSecretHosts {
  const override = policy.overrides.secretsManager;
  return {
    patterns: [...new Set(Object.values(DNS_SUFFIXES))].map((suffix) => `secretsmanager.<region>.${suffix}`),
    hosts: override === undefined ? [] : [new URL(override).host],
  };
}
