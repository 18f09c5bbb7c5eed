/**
 * Which hosts a secret identifier may point at. A connector config must not be
 * able to steer vaultwire's cloud credentials to an arbitrary host, so every
 * vault URI is checked against this policy before any network call.
 */
import { err, ok, type Result } from "../../domain/result.js";
import type { AllowedSecretHosts } from "../../domain/secret-managers.js";

/** DNS suffixes of Azure Key Vault in the public, China, US Government and (legacy) German clouds. */
export const AZURE_KEY_VAULT_DNS_SUFFIXES = [
  "vault.azure.net",
  "vault.azure.cn",
  "vault.usgovcloudapi.net",
  "vault.microsoftazure.de",
] as const;

export interface VaultHostPolicy {
  /** DNS suffixes under which `<vault-name>.<suffix>` is allowed (port 443 only). */
  readonly cloudSuffixes: readonly string[];
  /** Exact `host` or `host:port` entries, lowercase (e.g. the emulator's `localhost:8443`). */
  readonly extraHosts: ReadonlySet<string>;
}

export const DEFAULT_VAULT_HOST_POLICY: VaultHostPolicy = {
  cloudSuffixes: AZURE_KEY_VAULT_DNS_SUFFIXES,
  extraHosts: new Set(),
};

export interface VaultHostPolicyInput {
  /** Defaults to the four Azure clouds; `[]` allows only `extraHosts`. */
  readonly cloudSuffixes?: readonly string[];
  readonly extraHosts?: readonly string[];
}

const HOST_ENTRY = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|\[[0-9a-f:.]+\])(?::(\d{1,5}))?$/;

/** Builds a policy from operator settings, rejecting entries that are not a bare host or host:port. */
export function createVaultHostPolicy(input: VaultHostPolicyInput = {}): Result<VaultHostPolicy, string> {
  const extraHosts = new Set<string>();
  for (const raw of input.extraHosts ?? []) {
    const entry = raw.trim().toLowerCase().replace(/^https:\/\//, "").replace(/\/$/, "");
    const match = HOST_ENTRY.exec(entry);
    const port = match?.[1];
    if (!match || (port !== undefined && !isValidPort(port))) {
      return err(`allowed vault host "${raw}" is not a host or host:port (e.g. localhost:8443)`);
    }
    extraHosts.add(port === "443" ? entry.slice(0, -4) : entry);
  }
  const cloudSuffixes = (input.cloudSuffixes ?? AZURE_KEY_VAULT_DNS_SUFFIXES).map((s) => s.trim().toLowerCase().replace(/^\./, ""));
  for (const suffix of cloudSuffixes) {
    if (!HOST_ENTRY.test(suffix) || suffix.includes(":")) return err(`vault DNS suffix "${suffix}" is not a DNS name`);
  }
  return ok({ cloudSuffixes, extraHosts });
}

export function isValidPort(digits: string): boolean {
  if (!/^\d{1,5}$/.test(digits)) return false;
  const port = Number(digits);
  return port >= 1 && port <= 65535;
}

/** Azure's vault-name rule: 3–24 of [a-zA-Z0-9-], starts with a letter, ends with a letter or digit, no `--`. */
export function isValidVaultName(name: string): boolean {
  return /^[a-zA-Z](?:[a-zA-Z0-9-]{1,22})[a-zA-Z0-9]$/.test(name) && !name.includes("--");
}

/**
 * Whether `host` (lowercase) with `port` (null = default 443) is allowed.
 * Cloud hosts must be exactly `<vault-name>.<suffix>` on port 443.
 */
export function isVaultHostAllowed(policy: VaultHostPolicy, host: string, port: number | null): boolean {
  const effectivePort = port === 443 ? null : port;
  if (policy.extraHosts.has(effectivePort === null ? host : `${host}:${effectivePort}`)) return true;
  if (effectivePort !== null) return false;
  for (const suffix of policy.cloudSuffixes) {
    if (host.length > suffix.length + 1 && host.endsWith(suffix) && host.charAt(host.length - suffix.length - 1) === ".") {
      return isValidVaultName(host.slice(0, host.length - suffix.length - 1));
    }
  }
  return false;
}

/** A short description of what the policy allows, for error messages. */
export function describeVaultHostPolicy(policy: VaultHostPolicy): string {
  const parts = policy.cloudSuffixes.map((s) => `<vault-name>.${s}`);
  parts.push(...policy.extraHosts);
  return parts.length === 0 ? "no vault hosts are allowed by this server's configuration" : parts.join(", ");
}

/** The policy as a form shows it: `<vault-name>.<suffix>` per cloud, then the operator's exact hosts. */
export function allowedVaultHosts(policy: VaultHostPolicy): AllowedSecretHosts {
  return { patterns: policy.cloudSuffixes.map((s) => `<vault-name>.${s}`), hosts: [...policy.extraHosts] };
}

/** A policy from what `allowedVaultHosts` reported (the web console's copy of the server's policy). */
export function vaultHostPolicyFrom(allowed: AllowedSecretHosts): Result<VaultHostPolicy, string> {
  return createVaultHostPolicy({ cloudSuffixes: allowed.patterns.map((p) => p.replace(/^<vault-name>\./, "")), extraHosts: allowed.hosts });
}
