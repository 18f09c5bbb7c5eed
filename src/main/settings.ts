/**
 * Server settings from, in increasing precedence: defaults, a config file
 * (JSON or YAML), environment variables, command-line flags. Every problem is
 * reported at once, naming the setting and where it came from.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { createConnectHostPolicy } from "../domain/connect-host-policy.js";
import { NO_CONNECT_POOLS, parseConnectPools, type ConnectPools } from "../domain/connect-pools.js";
import { parseJsonText } from "../domain/json-text.js";
import type { AzureCloudName, PlatformIdentity } from "../secret-managers/azure-key-vault/index.js";
import type { AwsPlatformIdentity } from "../secret-managers/aws-secrets-manager/index.js";
import { AWS_PARTITIONS, type AwsPartition } from "../secret-managers/aws-secrets-manager/identifier.js";

export interface ServerSettings {
  readonly host: string;
  readonly port: number;
  /** Base of the links in responses; defaults to http://host:port. */
  readonly publicUrl: string;
  readonly dataDir: string;
  readonly databaseUrl: string | undefined;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  readonly masterKey: string | undefined;
  readonly bootstrapApiKey: string | undefined;
  readonly bootstrapApiSecret: string | undefined;
  readonly regionPolicyFile: string | undefined;
  /** How often the reconciler makes Kafka Connect match the store. */
  readonly reconcileIntervalMs: number;
  /** How often each distinct secret is re-read to detect rotation. */
  readonly secretRefreshIntervalMs: number;
  /** Secrets expiring within this many days put a warning on the connectors that use them (0: no warnings). */
  readonly secretExpiryWarningDays: number;
  /** How long a replica's lease on a Kafka cluster's background work lasts unrenewed (a killed owner is replaced within 1.25×). */
  readonly leaseTtlMs: number;
  /** This replica's name in the lease table; undefined: host name, pid and a random suffix (PostgreSQL) or "local" (SQLite, one replica). */
  readonly replicaId: string | undefined;
  /**
   * After SIGTERM/SIGINT, how long /health/ready answers 503 "draining" while
   * every request is still served, so load balancers take the replica out
   * before it stops listening. 0: stop at once.
   */
  readonly drainMs: number;
  /**
   * Proxies whose X-Forwarded-For is believed (addresses or CIDRs), so the
   * failed-attempt limit counts clients, not the proxy. Empty: none.
   */
  readonly trustedProxies: readonly string[];
  /**
   * Kafka Connect hosts vaultwire may call (host names, IPs, CIDRs). Empty:
   * any host but loopback, link-local, unspecified and cloud metadata addresses.
   */
  readonly allowedConnectHosts: readonly string[];
  /**
   * Kafka Connect worker pools: the Connect URLs and Kafka bootstrap servers a
   * cluster created without endpoints gets, by environment, cloud/region or
   * default (domain/connect-pools.ts). None when absent.
   */
  readonly connectPools?: ConnectPools;
  /** How many days the audit trail keeps its events (decision 42); older ones are pruned hourly. */
  readonly auditRetentionDays: number;
  readonly azure: {
    readonly cloud: AzureCloudName;
    readonly authorityHost: string | undefined;
    readonly caFile: string | undefined;
    /** Exact host[:port] vault hosts allowed besides the clouds' (e.g. the emulator's). */
    readonly allowedVaultHosts: readonly string[];
    /** Allowed hosts that are emulators (challenge resource check off). */
    readonly emulatorHosts: readonly string[];
    readonly platformIdentity: PlatformIdentity | undefined;
  };
  readonly aws: {
    /** vaultwire's own AWS identity, which assumes the customers' roles; undefined: AWS Secrets Manager is not configured. */
    readonly platformIdentity: AwsPlatformIdentity | undefined;
    readonly partition: AwsPartition;
    /** The platform identity's home region. */
    readonly region: string;
    /** Origins that replace the regional Secrets Manager / STS endpoints (a VPC endpoint, or moto in tests). */
    readonly secretsManagerEndpoint: string | undefined;
    readonly stsEndpoint: string | undefined;
    /** Shown as pim/v1's `iam_role_arn` (what customers' trust policies name); derived from a web identity's role when unset. */
    readonly platformRoleArn: string | undefined;
  };
}

/** One row of the settings table: config-file path, environment variable, flag. */
interface SettingSpec {
  readonly file: string;
  readonly env: string;
  readonly flag?: string;
}

export const SETTINGS: Readonly<Record<string, SettingSpec>> = {
  host: { file: "host", env: "VAULTWIRE_HOST", flag: "host" },
  port: { file: "port", env: "VAULTWIRE_PORT", flag: "port" },
  publicUrl: { file: "publicUrl", env: "VAULTWIRE_PUBLIC_URL" },
  dataDir: { file: "dataDir", env: "VAULTWIRE_DATA_DIR", flag: "data-dir" },
  databaseUrl: { file: "databaseUrl", env: "VAULTWIRE_DATABASE_URL", flag: "database-url" },
  logLevel: { file: "logLevel", env: "VAULTWIRE_LOG_LEVEL" },
  regionPolicyFile: { file: "regionPolicyFile", env: "VAULTWIRE_REGION_POLICY_FILE" },
  reconcileIntervalMs: { file: "reconcileIntervalMs", env: "VAULTWIRE_RECONCILE_INTERVAL_MS" },
  leaseTtlMs: { file: "leaseTtlMs", env: "VAULTWIRE_LEASE_TTL_MS" },
  replicaId: { file: "replicaId", env: "VAULTWIRE_REPLICA_ID" },
  secretRefreshIntervalMs: { file: "secretRefreshIntervalMs", env: "VAULTWIRE_SECRET_REFRESH_INTERVAL_MS" },
  drainMs: { file: "drainMs", env: "VAULTWIRE_DRAIN_MS" },
  secretExpiryWarningDays: { file: "secretExpiryWarningDays", env: "VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS" },
  trustedProxies: { file: "trustedProxies", env: "VAULTWIRE_TRUSTED_PROXIES" },
  allowedConnectHosts: { file: "allowedConnectHosts", env: "VAULTWIRE_ALLOWED_CONNECT_HOSTS" },
  connectPools: { file: "connectPools", env: "VAULTWIRE_CONNECT_POOLS" },
  auditRetentionDays: { file: "auditRetentionDays", env: "VAULTWIRE_AUDIT_RETENTION_DAYS" },
  azureCloud: { file: "azure.cloud", env: "VAULTWIRE_AZURE_CLOUD" },
  azureAuthorityHost: { file: "azure.authorityHost", env: "VAULTWIRE_AZURE_AUTHORITY_HOST" },
  azureCaFile: { file: "azure.caFile", env: "VAULTWIRE_AZURE_CA_FILE" },
  allowedVaultHosts: { file: "azure.allowedVaultHosts", env: "VAULTWIRE_ALLOWED_VAULT_HOSTS" },
  emulatorHosts: { file: "azure.emulatorHosts", env: "VAULTWIRE_AZURE_EMULATOR_HOSTS" },
  clientId: { file: "azure.clientId", env: "VAULTWIRE_AZURE_CLIENT_ID" },
  clientSecret: { file: "azure.clientSecret", env: "VAULTWIRE_AZURE_CLIENT_SECRET" },
  clientCertificateFile: { file: "azure.clientCertificateFile", env: "VAULTWIRE_AZURE_CLIENT_CERTIFICATE_FILE" },
  federatedTokenFile: { file: "azure.federatedTokenFile", env: "VAULTWIRE_AZURE_FEDERATED_TOKEN_FILE" },
  managedIdentity: { file: "azure.managedIdentity", env: "VAULTWIRE_AZURE_MANAGED_IDENTITY" },
  managedIdentityClientId: { file: "azure.managedIdentityClientId", env: "VAULTWIRE_AZURE_MANAGED_IDENTITY_CLIENT_ID" },
  awsAccessKeyId: { file: "aws.accessKeyId", env: "VAULTWIRE_AWS_ACCESS_KEY_ID" },
  awsSecretAccessKey: { file: "aws.secretAccessKey", env: "VAULTWIRE_AWS_SECRET_ACCESS_KEY" },
  awsSessionToken: { file: "aws.sessionToken", env: "VAULTWIRE_AWS_SESSION_TOKEN" },
  awsRoleArn: { file: "aws.roleArn", env: "VAULTWIRE_AWS_ROLE_ARN" },
  awsWebIdentityTokenFile: { file: "aws.webIdentityTokenFile", env: "VAULTWIRE_AWS_WEB_IDENTITY_TOKEN_FILE" },
  awsInstanceMetadata: { file: "aws.instanceMetadata", env: "VAULTWIRE_AWS_INSTANCE_METADATA" },
  awsContainerCredentials: { file: "aws.containerCredentials", env: "VAULTWIRE_AWS_CONTAINER_CREDENTIALS" },
  awsPartition: { file: "aws.partition", env: "VAULTWIRE_AWS_PARTITION" },
  awsRegion: { file: "aws.region", env: "VAULTWIRE_AWS_REGION" },
  awsSecretsManagerEndpoint: { file: "aws.secretsManagerEndpoint", env: "VAULTWIRE_AWS_SECRETS_MANAGER_ENDPOINT" },
  awsStsEndpoint: { file: "aws.stsEndpoint", env: "VAULTWIRE_AWS_STS_ENDPOINT" },
  awsPlatformRoleArn: { file: "aws.platformRoleArn", env: "VAULTWIRE_AWS_PLATFORM_ROLE_ARN" },
};

/** How long the audit trail keeps events by default, and the most it may be told to (ten years). */
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
export const MAX_AUDIT_RETENTION_DAYS = 3650;

/** Long enough for a load balancer probing every 1–2 s to see a few failed readiness checks. */
export const DEFAULT_DRAIN_MS = 5_000;
/** A drain longer than ten minutes is a typo (seconds for milliseconds) more likely than a wish. */
export const MAX_DRAIN_MS = 600_000;
/** The expiry warning window: 30 days by default, at most ten years (Key Vault's `exp` is a date; a longer window warns of every secret). */
export const DEFAULT_SECRET_EXPIRY_WARNING_DAYS = 30;
export const MAX_SECRET_EXPIRY_WARNING_DAYS = 3650;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const CLOUD_NAMES: readonly AzureCloudName[] = ["public", "china", "usgov"];

export interface SettingsSources {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Parsed flags by flag name (port, host, data-dir, database-url). */
  readonly flags: Readonly<Record<string, string | undefined>>;
  /** Path of the config file, if any. */
  readonly configFile?: string | undefined;
  readonly readFile?: (path: string) => string;
}

export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid settings:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SettingsError";
  }
}

export function loadSettings(sources: SettingsSources): ServerSettings {
  const readFile = sources.readFile ?? ((path: string) => readFileSync(path, "utf8"));
  const problems: string[] = [];
  let file: Record<string, unknown> = {};
  if (sources.configFile !== undefined) {
    try {
      const text = readFile(sources.configFile);
      let parsed: unknown;
      if (sources.configFile.endsWith(".json")) {
        // Not JSON.parse's message: it quotes the file, which may hold the platform app secret.
        const json = parseJsonText(text);
        if (!json.ok) throw new Error(`is ${json.error}`);
        parsed = json.value;
      } else {
        parsed = parseYaml(text);
      }
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) file = parsed as Record<string, unknown>;
      else if (parsed !== null && parsed !== undefined) problems.push(`config file ${sources.configFile}: expected a mapping of settings`);
    } catch (error) {
      problems.push(`config file ${sources.configFile}: ${(error as NodeJS.ErrnoException).code === "ENOENT" ? "does not exist" : (error as Error).message.split("\n")[0] ?? "unreadable"}`);
    }
  }

  /** The raw value and a label of where it came from. */
  const raw = (name: keyof typeof SETTINGS): { value: unknown; origin: string } | undefined => {
    const spec = SETTINGS[name];
    if (!spec) return undefined;
    const flag = spec.flag === undefined ? undefined : sources.flags[spec.flag];
    if (flag !== undefined) return { value: flag, origin: `--${spec.flag}` };
    const env = sources.env[spec.env];
    if (env !== undefined && env !== "") return { value: env, origin: spec.env };
    let node: unknown = file;
    for (const part of spec.file.split(".")) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[part] : undefined;
    return node === undefined || node === null ? undefined : { value: node, origin: `${spec.file} in ${sources.configFile ?? "the config file"}` };
  };
  const text = (name: string, fallback?: string): string | undefined => {
    const found = raw(name);
    if (!found) return fallback;
    if (typeof found.value === "string") return found.value.trim();
    if (typeof found.value === "number" || typeof found.value === "boolean") return String(found.value);
    problems.push(`${found.origin}: expected a string`);
    return fallback;
  };
  const list = (name: string): string[] => {
    const found = raw(name);
    if (!found) return [];
    if (Array.isArray(found.value) && found.value.every((v) => typeof v === "string")) return found.value.map((v: string) => v.trim()).filter((v) => v !== "");
    if (typeof found.value === "string") return found.value.split(",").map((v) => v.trim()).filter((v) => v !== "");
    problems.push(`${found.origin}: expected a comma-separated list or a list of strings`);
    return [];
  };

  const host = text("host", "127.0.0.1") ?? "127.0.0.1";
  const portText = text("port", "8080") ?? "8080";
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port > 65535) problems.push(`${raw("port")?.origin ?? "port"}: expected a port number from 0 to 65535, got "${portText.slice(0, 20)}"`);
  const publicUrl = (text("publicUrl") ?? `http://${host.includes(":") ? `[${host}]` : host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`).replace(/\/+$/, "");
  const logLevel = text("logLevel", "info") ?? "info";
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) problems.push(`${raw("logLevel")?.origin ?? "logLevel"}: expected one of ${LOG_LEVELS.join(", ")}`);
  const databaseUrl = text("databaseUrl");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) problems.push(`${raw("databaseUrl")?.origin ?? "databaseUrl"}: expected a postgres:// URL (leave it unset for the embedded SQLite store)`);
  const cloud = text("azureCloud", "public") ?? "public";
  if (!(CLOUD_NAMES as readonly string[]).includes(cloud)) problems.push(`${raw("azureCloud")?.origin ?? "azure.cloud"}: expected one of ${CLOUD_NAMES.join(", ")}`);
  const authorityHost = text("azureAuthorityHost");
  if (authorityHost !== undefined && !/^https:\/\/[^/?#]+\/?$/.test(authorityHost)) problems.push(`${raw("azureAuthorityHost")?.origin ?? "azure.authorityHost"}: expected an https:// URL with no path`);
  const emulatorHosts = list("emulatorHosts").map((h) => h.toLowerCase());
  const allowedVaultHosts = [...new Set([...list("allowedVaultHosts").map((h) => h.toLowerCase()), ...emulatorHosts])];

  const interval = (name: string, fallback: number, min: number): number => {
    const value = text(name, String(fallback)) ?? String(fallback);
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < min) {
      problems.push(`${raw(name)?.origin ?? name}: expected milliseconds, at least ${min}`);
      return fallback;
    }
    return n;
  };
  const reconcileIntervalMs = interval("reconcileIntervalMs", 10_000, 200);
  const secretRefreshIntervalMs = interval("secretRefreshIntervalMs", 300_000, 200);
  const leaseTtlMs = interval("leaseTtlMs", 10_000, 1_000);
  const replicaId = text("replicaId");
  if (replicaId !== undefined && !/^[A-Za-z0-9._:-]{1,128}$/.test(replicaId)) problems.push(`${raw("replicaId")?.origin ?? "replicaId"}: expected 1-128 letters, digits, '.', '_', ':' or '-'`);
  const drainText = text("drainMs", String(DEFAULT_DRAIN_MS)) ?? String(DEFAULT_DRAIN_MS);
  let drainMs = Number(drainText);
  if (!/^\d{1,7}$/.test(drainText) || drainMs > MAX_DRAIN_MS) {
    problems.push(`${raw("drainMs")?.origin ?? "drainMs"}: expected milliseconds from 0 to ${MAX_DRAIN_MS}, got "${drainText.slice(0, 20)}"`);
    drainMs = DEFAULT_DRAIN_MS;
  }
  const expiryText = text("secretExpiryWarningDays", String(DEFAULT_SECRET_EXPIRY_WARNING_DAYS)) ?? String(DEFAULT_SECRET_EXPIRY_WARNING_DAYS);
  let secretExpiryWarningDays = Number(expiryText);
  if (!/^\d{1,4}$/.test(expiryText) || secretExpiryWarningDays > MAX_SECRET_EXPIRY_WARNING_DAYS) {
    problems.push(`${raw("secretExpiryWarningDays")?.origin ?? "secretExpiryWarningDays"}: expected whole days from 0 (no warnings) to ${MAX_SECRET_EXPIRY_WARNING_DAYS}, got "${expiryText.slice(0, 20)}"`);
    secretExpiryWarningDays = DEFAULT_SECRET_EXPIRY_WARNING_DAYS;
  }
  const trustedProxies = list("trustedProxies");
  for (const proxy of trustedProxies) {
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(proxy)) problems.push(`${raw("trustedProxies")?.origin ?? "trustedProxies"}: "${proxy.slice(0, 60)}" is not an IP address or CIDR`);
  }
  const allowedConnectHosts = list("allowedConnectHosts");
  const connectHosts = createConnectHostPolicy(allowedConnectHosts);
  if (!connectHosts.ok) problems.push(`${raw("allowedConnectHosts")?.origin ?? "allowedConnectHosts"}: ${connectHosts.error}`);
  let connectPools = NO_CONNECT_POOLS;
  const poolsFound = raw("connectPools");
  if (poolsFound && connectHosts.ok) {
    // The environment variable is JSON text; the config file holds the object itself (or JSON text).
    const json = typeof poolsFound.value === "string" ? parseJsonText(poolsFound.value) : { ok: true as const, value: poolsFound.value };
    if (!json.ok) problems.push(`${poolsFound.origin}: expected a JSON object of Connect worker pools; it is ${json.error}`);
    else {
      const pools = parseConnectPools(json.value, connectHosts.value);
      if (pools.ok) connectPools = pools.value;
      else problems.push(...pools.error.map((problem) => `${poolsFound.origin}: ${problem}`));
    }
  }
  const retentionText = text("auditRetentionDays", String(DEFAULT_AUDIT_RETENTION_DAYS)) ?? String(DEFAULT_AUDIT_RETENTION_DAYS);
  let auditRetentionDays = Number(retentionText);
  if (!/^\d{1,4}$/.test(retentionText) || auditRetentionDays < 1 || auditRetentionDays > MAX_AUDIT_RETENTION_DAYS) {
    problems.push(`${raw("auditRetentionDays")?.origin ?? "auditRetentionDays"}: expected a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}, got "${retentionText.slice(0, 20)}"`);
    auditRetentionDays = DEFAULT_AUDIT_RETENTION_DAYS;
  }
  const platformIdentity = readPlatformIdentity(text, raw, problems, readFile);
  const aws = readAwsSettings(text, raw, problems);
  if (problems.length > 0) throw new SettingsError(problems);
  return {
    host,
    port,
    publicUrl,
    dataDir: text("dataDir", ".vaultwire/data") ?? ".vaultwire/data",
    databaseUrl,
    logLevel: logLevel as ServerSettings["logLevel"],
    masterKey: sources.env.VAULTWIRE_MASTER_KEY,
    bootstrapApiKey: sources.env.VAULTWIRE_BOOTSTRAP_API_KEY,
    bootstrapApiSecret: sources.env.VAULTWIRE_BOOTSTRAP_API_SECRET,
    regionPolicyFile: text("regionPolicyFile"),
    reconcileIntervalMs,
    secretRefreshIntervalMs,
    secretExpiryWarningDays,
    leaseTtlMs,
    replicaId,
    drainMs,
    trustedProxies,
    allowedConnectHosts,
    connectPools,
    auditRetentionDays,
    azure: { cloud: cloud as AzureCloudName, authorityHost, caFile: text("azureCaFile"), allowedVaultHosts, emulatorHosts, platformIdentity },
    aws,
  };
}

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** The principal customers' trust policies name: vaultwire's role, or the IAM user whose static keys it signs in with. */
const PRINCIPAL_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
const ENDPOINT = /^https?:\/\/[^/?#\s]+\/?$/;

function readAwsSettings(
  text: (name: string, fallback?: string) => string | undefined,
  raw: (name: keyof typeof SETTINGS) => { value: unknown; origin: string } | undefined,
  problems: string[],
): ServerSettings["aws"] {
  const origin = (name: keyof typeof SETTINGS) => raw(name)?.origin ?? SETTINGS[name]?.env ?? name;
  const partitionText = text("awsPartition", "aws") ?? "aws";
  if (!(AWS_PARTITIONS as readonly string[]).includes(partitionText)) problems.push(`${origin("awsPartition")}: expected one of ${AWS_PARTITIONS.join(", ")}`);
  const region = text("awsRegion", "us-east-1") ?? "us-east-1";
  if (!AWS_REGION.test(region)) problems.push(`${origin("awsRegion")}: expected an AWS region such as us-east-1`);
  const endpoint = (name: "awsSecretsManagerEndpoint" | "awsStsEndpoint"): string | undefined => {
    const value = text(name);
    if (value !== undefined && !ENDPOINT.test(value)) problems.push(`${origin(name)}: expected an http(s) origin with no path, such as https://vpce-0123.secretsmanager.us-east-1.vpce.amazonaws.com`);
    return value;
  };
  const secretsManagerEndpoint = endpoint("awsSecretsManagerEndpoint");
  const stsEndpoint = endpoint("awsStsEndpoint");
  const platformRoleArn = text("awsPlatformRoleArn");
  if (platformRoleArn !== undefined && !PRINCIPAL_ARN.test(platformRoleArn)) problems.push(`${origin("awsPlatformRoleArn")}: expected the ARN of vaultwire's IAM role or user (arn:aws:iam::<account>:role/<name> or …:user/<name>)`);

  const keyId = text("awsAccessKeyId");
  const secretKey = text("awsSecretAccessKey");
  const roleArn = text("awsRoleArn");
  const tokenFile = text("awsWebIdentityTokenFile");
  const instance = text("awsInstanceMetadata") === "true";
  const container = text("awsContainerCredentials") === "true";
  const methods = [keyId !== undefined || secretKey !== undefined, roleArn !== undefined || tokenFile !== undefined, instance, container].filter(Boolean).length;
  const partition = partitionText as AwsPartition;
  const base = { partition, region, secretsManagerEndpoint, stsEndpoint, platformRoleArn: platformRoleArn ?? roleArn };
  if (methods === 0) return { ...base, platformIdentity: undefined };
  if (methods > 1) {
    problems.push("set one AWS identity for vaultwire: VAULTWIRE_AWS_ACCESS_KEY_ID with VAULTWIRE_AWS_SECRET_ACCESS_KEY, or VAULTWIRE_AWS_ROLE_ARN with VAULTWIRE_AWS_WEB_IDENTITY_TOKEN_FILE, or VAULTWIRE_AWS_INSTANCE_METADATA=true, or VAULTWIRE_AWS_CONTAINER_CREDENTIALS=true");
    return { ...base, platformIdentity: undefined };
  }
  if (keyId !== undefined || secretKey !== undefined) {
    if (keyId === undefined || secretKey === undefined) {
      problems.push("VAULTWIRE_AWS_ACCESS_KEY_ID and VAULTWIRE_AWS_SECRET_ACCESS_KEY go together: set both");
      return { ...base, platformIdentity: undefined };
    }
    if (!/^[A-Z0-9]{16,128}$/.test(keyId)) problems.push(`${origin("awsAccessKeyId")}: expected an AWS access key id (16-128 capital letters and digits)`);
    const sessionToken = text("awsSessionToken");
    return { ...base, platformIdentity: { method: "static-keys", accessKeyId: keyId, secretAccessKey: secretKey, ...(sessionToken === undefined ? {} : { sessionToken }) } };
  }
  if (roleArn !== undefined || tokenFile !== undefined) {
    if (roleArn === undefined || tokenFile === undefined) {
      problems.push("VAULTWIRE_AWS_ROLE_ARN and VAULTWIRE_AWS_WEB_IDENTITY_TOKEN_FILE go together: set both");
      return { ...base, platformIdentity: undefined };
    }
    if (!ROLE_ARN.test(roleArn)) problems.push(`${origin("awsRoleArn")}: expected an IAM role ARN (arn:aws:iam::<account>:role/<name>)`);
    return { ...base, platformIdentity: { method: "web-identity", roleArn, tokenFilePath: tokenFile } };
  }
  return { ...base, platformIdentity: instance ? { method: "instance-metadata" } : { method: "container-metadata" } };
}

function readPlatformIdentity(
  text: (name: string) => string | undefined,
  raw: (name: keyof typeof SETTINGS) => { value: unknown; origin: string } | undefined,
  problems: string[],
  readFile: (path: string) => string,
): PlatformIdentity | undefined {
  const clientId = text("clientId");
  const secret = text("clientSecret");
  const certificateFile = text("clientCertificateFile");
  const tokenFile = text("federatedTokenFile");
  const managed = text("managedIdentity");
  const methods = [secret, certificateFile, tokenFile, managed === "true" ? "mi" : undefined].filter((m) => m !== undefined);
  if (clientId === undefined) {
    if (methods.length > 0) problems.push("an Azure credential is set but VAULTWIRE_AZURE_CLIENT_ID (azure.clientId) is not: set the platform application's client id");
    return undefined;
  }
  if (!/^[0-9a-fA-F-]{36}$/.test(clientId)) problems.push(`${raw("clientId")?.origin ?? "azure.clientId"}: expected an application (client) id, a GUID`);
  if (methods.length !== 1) {
    problems.push("set exactly one Azure credential for the platform identity: VAULTWIRE_AZURE_CLIENT_SECRET, VAULTWIRE_AZURE_CLIENT_CERTIFICATE_FILE, VAULTWIRE_AZURE_FEDERATED_TOKEN_FILE or VAULTWIRE_AZURE_MANAGED_IDENTITY=true");
    return undefined;
  }
  if (secret !== undefined) return { method: "client-secret", clientId, clientSecret: secret };
  if (certificateFile !== undefined) {
    try {
      return { method: "client-certificate", clientId, certificatePem: readFile(certificateFile) };
    } catch {
      problems.push(`${raw("clientCertificateFile")?.origin ?? "azure.clientCertificateFile"}: cannot read ${certificateFile}`);
      return undefined;
    }
  }
  if (tokenFile !== undefined) return { method: "workload-identity", clientId, tokenFilePath: tokenFile };
  const managedIdentityClientId = text("managedIdentityClientId");
  return { method: "managed-identity", clientId, ...(managedIdentityClientId === undefined ? {} : { managedIdentityClientId }) };
}
