/**
 * The secret values of a connector config: which keys hold one (the rule of
 * plugin-definition.ts, minus secret-manager identifiers), how they are kept
 * apart from the rest for encryption, how a config is shown, and what a
 * masked value sent back may keep. Pure: the service seals and opens the
 * secrets; this decides which they are.
 */
import type { ConnectorConfig } from "./connector-config.js";
import { MASKED_VALUE, SECRET_MANAGER_FIELDS, splitList } from "./connector-validation.js";
import type { FieldProblem } from "./errors.js";
import { isSensitiveKey, type PluginDefinition, type PluginLookup } from "./plugin-definition.js";
import { err, ok, type Result } from "./result.js";

/** Values that stand for "keep what is stored" (Terraform and the console send them back masked). */
const MASK_PATTERN = /^\*{2,}$/;

/**
 * The fields that say where a connector's credentials are sent. When one of
 * them changes, a stored secret is not carried over to the new destination:
 * the request must give it again.
 */
export const CREDENTIAL_DESTINATION_FIELDS: readonly string[] = ["connector.class", "database.hostname", "database.port"];

/** A connector's config as stored: the plain part and its decrypted secrets. */
export interface StoredConfig {
  readonly config: ConnectorConfig;
  readonly secrets: Readonly<Record<string, string>>;
}

export function isMaskedValue(value: string): boolean {
  return value === MASKED_VALUE || MASK_PATTERN.test(value);
}

/**
 * Whether a key of this config holds a secret value: sensitive for the
 * config's plugin and not a secret-manager field (whose value is an
 * identifier, shown as it is).
 */
export function secretValueRule(config: ConnectorConfig, plugins: PluginLookup): (key: string) => boolean {
  const plugin = pluginOf(config, plugins);
  const managed = managedKeys(config);
  return (key) => !managed.has(key) && isSensitiveKey(plugin, key);
}

function pluginOf(config: ConnectorConfig, plugins: PluginLookup): PluginDefinition | undefined {
  return plugins.get(config["connector.class"]?.trim() ?? "");
}

/** The fields listed in secret.manager.managed.configs while the secret manager is on. */
function managedKeys(config: ConnectorConfig): ReadonlySet<string> {
  if (config[SECRET_MANAGER_FIELDS.enabled]?.trim().toLowerCase() !== "true") return new Set();
  return new Set(splitList(config[SECRET_MANAGER_FIELDS.managedConfigs] ?? ""));
}

/** Splits a config into what is stored as is and the secret values to encrypt (empty values are not secrets). */
export function separateSecrets(config: ConnectorConfig, plugins: PluginLookup): StoredConfig {
  const isSecret = secretValueRule(config, plugins);
  const plain: Record<string, string> = Object.create(null) as Record<string, string>;
  const secrets: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(config)) {
    if (value !== "" && isSecret(key)) secrets[key] = value;
    else plain[key] = value;
  }
  return { config: plain, secrets };
}

/**
 * The config as every view shows it: each stored secret masked, and so is
 * any sensitive value still held in plaintext (written before this rule).
 */
export function maskConfig(config: ConnectorConfig, secretKeys: readonly string[], plugins: PluginLookup): Record<string, string> {
  const isSecret = secretValueRule(config, plugins);
  const view: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of Object.entries(config)) view[key] = value !== "" && isSecret(key) ? MASKED_VALUE : value;
  for (const key of secretKeys) view[key] = MASKED_VALUE;
  return view;
}

/** The values a view of the stored config shows masked: exactly those a masked value sent back may keep. */
function maskedStoredValues(stored: StoredConfig, plugins: PluginLookup): ReadonlyMap<string, string> {
  const isSecret = secretValueRule(stored.config, plugins);
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(stored.config)) if (value !== "" && isSecret(key)) values.set(key, value);
  for (const [key, value] of Object.entries(stored.secrets)) values.set(key, value);
  return values;
}

/**
 * Replaces each masked value with the stored value of the same key, when
 * that key holds a secret in the new config too and no field that says
 * where credentials go has changed. Otherwise each masked key gets a
 * problem asking for its value again, so a stored secret never ends up in
 * plaintext nor reaches a destination it was not given for.
 */
export function restoreMaskedValues(config: ConnectorConfig, plugins: PluginLookup, stored: StoredConfig | undefined): Result<ConnectorConfig, FieldProblem[]> {
  const masked = Object.keys(config).filter((key) => isMaskedValue(config[key] ?? ""));
  if (masked.length === 0) return ok(config);
  const isSecret = secretValueRule(config, plugins);
  const managed = managedKeys(config);
  const plugin = pluginOf(config, plugins);
  const previous = stored ? maskedStoredValues(stored, plugins) : new Map<string, string>();
  const moved = stored ? changedDestinations(config, stored) : [];
  const restored: Record<string, string> = Object.create(null) as Record<string, string>;
  Object.assign(restored, config);
  const problems: FieldProblem[] = [];
  const refuse = (key: string, reason: string) => problems.push({ field: key, message: `the stored value cannot be kept: ${reason}; send the value again` });
  for (const key of masked) {
    const value = previous.get(key);
    if (managed.has(key)) {
      refuse(key, `${key} is listed in ${SECRET_MANAGER_FIELDS.managedConfigs}, so its value is a secret identifier, not a stored secret`);
    } else if (!isSecret(key)) {
      refuse(key, `${key} is not a secret setting${plugin ? ` of ${plugin.name}` : ""}, so its value would be stored and shown in plaintext`);
    } else if (value === undefined) {
      refuse(key, `no value is stored for ${key}`);
    } else if (moved.length > 0) {
      refuse(key, `${listed(moved)} changed, and a stored secret is not sent to a new destination`);
    } else {
      restored[key] = value;
    }
  }
  return problems.length > 0 ? err(problems) : ok(restored);
}

function changedDestinations(config: ConnectorConfig, stored: StoredConfig): string[] {
  const before = (key: string) => (stored.secrets[key] ?? stored.config[key] ?? "").trim();
  return CREDENTIAL_DESTINATION_FIELDS.filter((key) => (config[key] ?? "").trim() !== before(key));
}

/** "a", "a and b", "a, b and c". */
function listed(names: readonly string[]): string {
  return names.length <= 1 ? names.join("") : `${names.slice(0, -1).join(", ")} and ${names.at(-1) ?? ""}`;
}
