/**
 * How vaultwire reaches AWS: its platform identity (the counterpart of
 * Confluent's AWS role that customers trust), the partition and home region
 * it lives in, and the few endpoints an operator may add for a test peer or
 * a VPC endpoint.
 */
import type { RetryPolicy } from "../retry.js";
import { DEFAULT_RETRY_POLICY } from "../retry.js";
import type { AwsPartition } from "./identifier.js";

/**
 * vaultwire's own AWS identity, the principal named in each customer role's
 * trust policy. Each method is one of the SDK's credential providers, chosen
 * explicitly (never the whole default chain, so a stray ~/.aws or env var
 * cannot change who vaultwire is).
 */
export type AwsPlatformIdentity =
  /** An IAM user's access keys (or temporary keys with their session token). */
  | { readonly method: "static-keys"; readonly accessKeyId: string; readonly secretAccessKey: string; readonly sessionToken?: string }
  /** A web identity token in a file, re-read at each refresh (EKS IRSA, other OIDC), exchanged for `roleArn`. */
  | { readonly method: "web-identity"; readonly roleArn: string; readonly tokenFilePath: string; readonly sessionName?: string }
  /** The EC2 instance's role, through IMDSv2. */
  | { readonly method: "instance-metadata" }
  /** The ECS task role or EKS Pod Identity, through the container credentials endpoint the platform sets. */
  | { readonly method: "container-metadata" };

/**
 * Endpoints that replace the ones derived from a secret ARN's region, for
 * every region: e.g. moto's `http://127.0.0.1:5055` in tests, or an
 * interface VPC endpoint. Plain http:// is accepted for loopback hosts only.
 */
export interface AwsEndpointOverrides {
  readonly secretsManager?: string;
  readonly sts?: string;
}

export interface AwsSecretsManagerSettings {
  readonly platformIdentity: AwsPlatformIdentity;
  /** The partition of the platform identity; secrets and roles of other partitions are refused before any call. Default `aws`. */
  readonly partition?: AwsPartition;
  /** The platform identity's home region: for web-identity exchange and for probes that name no secret. Default `us-east-1`. */
  readonly region?: string;
  readonly endpointOverrides?: AwsEndpointOverrides;
  /** Session length asked of AssumeRole, in seconds (AWS: 900 to the role's maximum, default 3600). */
  readonly sessionDurationSeconds?: number;
  /** A session is renewed this long before it expires. */
  readonly sessionRefreshMarginMs?: number;
  /** Concurrent Secrets Manager requests per region and account. */
  readonly concurrencyPerAccountRegion?: number;
  /** Overall time for one fetch or validation, retries included. */
  readonly fetchDeadlineMs?: number;
  readonly retry?: RetryPolicy;
  /** How long a fetched secret is reused from memory; 0 disables the cache. */
  readonly cacheTtlMs?: number;
  readonly cacheMaxEntries?: number;
}

export const AWS_SETTINGS_DEFAULTS = {
  partition: "aws",
  region: "us-east-1",
  sessionDurationSeconds: 3600,
  sessionRefreshMarginMs: 5 * 60_000,
  concurrencyPerAccountRegion: 8,
  fetchDeadlineMs: 30_000,
  retry: DEFAULT_RETRY_POLICY,
  cacheTtlMs: 5 * 60_000,
  cacheMaxEntries: 10_000,
} as const;

/** A short description of the platform identity, for messages (no key material). */
export function describePlatformIdentity(identity: AwsPlatformIdentity): string {
  switch (identity.method) {
    case "static-keys": return `vaultwire's AWS access key ${maskAccessKeyId(identity.accessKeyId)}`;
    case "web-identity": return `vaultwire's role ${identity.roleArn} (web identity)`;
    case "instance-metadata": return "vaultwire's EC2 instance role";
    case "container-metadata": return "vaultwire's container role";
  }
}

/** An access key id is not a secret, but only its prefix and last 4 characters are needed to recognise it. */
export function maskAccessKeyId(accessKeyId: string): string {
  return accessKeyId.length <= 8 ? "****" : `${accessKeyId.slice(0, 4)}…${accessKeyId.slice(-4)}`;
}
