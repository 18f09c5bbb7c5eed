/**
 * Server settings from, in increasing precedence: defaults, a config file
 * (JSON or YAML), environment variables, command-line flags. Every problem is
 * reported at once, naming the setting and where it came from.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { createConnectHostPolicy } from "../domain/connect-host-policy.js";
import { parseJsonText } from "../domain/json-text.js";
import type { AzureCloudName, PlatformIdentity } from "../secret-managers/azure-key-vault/index.js";

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
  secretRefreshIntervalMs: { file: "secretRefreshIntervalMs", env: "VAULTWIRE_SECRET_REFRESH_INTERVAL_MS" },
  trustedProxies: { file: "trustedProxies", env: "VAULTWIRE_TRUSTED_PROXIES" },
  allowedConnectHosts: { file: "allowedConnectHosts", env: "VAULTWIRE_ALLOWED_CONNECT_HOSTS" },
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
};

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
  const trustedProxies = list("trustedProxies");
  for (const proxy of trustedProxies) {
    if (!/^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(proxy)) problems.push(`${raw("trustedProxies")?.origin ?? "trustedProxies"}: "${proxy.slice(0, 60)}" is not an IP address or CIDR`);
  }
  const allowedConnectHosts = list("allowedConnectHosts");
  const connectHosts = createConnectHostPolicy(allowedConnectHosts);
  if (!connectHosts.ok) problems.push(`${raw("allowedConnectHosts")?.origin ?? "allowedConnectHosts"}: ${connectHosts.error}`);
  const platformIdentity = readPlatformIdentity(text, raw, problems, readFile);
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
    trustedProxies,
    allowedConnectHosts,
    azure: { cloud: cloud as AzureCloudName, authorityHost, caFile: text("azureCaFile"), allowedVaultHosts, emulatorHosts, platformIdentity },
  };
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
