/**
 * Static validation of a connector config against its plugin definition and
 * the secret-manager rules. Pure: no IO, no clock. Returns every problem at
 * once, tied to its config key, in the shape of Kafka Connect's validate
 * response so the API can return it as is.
 */
import { isId } from "./ids.js";
import { parseConnectorConfig, type ConfigInputError, type ConnectorConfig } from "./connector-config.js";
import { allowedValues, isSensitiveKey, type ConfigDefinition, type ConnectDefinitionView, type PluginDefinition, type PluginLookup } from "./plugin-definition.js";
import { DEFAULT_REGION_POLICY, secretManagerRegionRestriction, type ClusterPlacement, type RegionPolicy } from "./region-policy.js";
import { SECRET_MANAGER_KINDS, isSecretManagerKind, supportedSecretManagers, type IdentifierGrammar, type SecretManagerGrammars, type SecretManagerKind, type SecretReference } from "./secret-managers.js";

/** How masked values are shown, as Confluent Cloud shows them. */
export const MASKED_VALUE = "****************";

export const SECRET_MANAGER_FIELDS = {
  enabled: "secret.manager.enabled",
  manager: "secret.manager",
  managedConfigs: "secret.manager.managed.configs",
  integrationId: "secret.manager.provider.integration.id",
} as const;
const SECRET_MANAGER_FIELD_NAMES: ReadonlySet<string> = new Set(Object.values(SECRET_MANAGER_FIELDS));
const CONNECTOR_CLASS = "connector.class";

export interface ConfigValueView {
  readonly name: string;
  /** The value as given, masked when sensitive; null when absent. */
  readonly value: string | null;
  readonly recommended_values: readonly string[];
  readonly errors: readonly string[];
  readonly visible: boolean;
}

export interface ValidationEntry {
  readonly definition: ConnectDefinitionView;
  readonly value: ConfigValueView;
}

export interface ValidationWarning {
  readonly key: string | null;
  readonly message: string;
}

export interface ValidationReport {
  /** The plugin name, or the `connector.class` as given when unknown. */
  readonly name: string;
  readonly groups: readonly string[];
  readonly error_count: number;
  readonly configs: readonly ValidationEntry[];
  /** vaultwire's addition: things that are allowed but probably not meant. */
  readonly warnings: readonly ValidationWarning[];
}

export interface ValidationContext {
  readonly plugins: PluginLookup;
  /** The identifier grammars of the supported managers (secret-managers/grammars.ts), operator settings bound in. */
  readonly grammars: SecretManagerGrammars;
  /** The target cluster, when known; enables the region policy. */
  readonly cluster?: ClusterPlacement | null;
  readonly regionPolicy?: RegionPolicy;
}

/** One config field whose value the secret manager fetches, with its parsed identifier. */
export interface ManagedSecret {
  readonly key: string;
  readonly reference: SecretReference;
}

/**
 * A connector's use of a secret manager, parsed once: which manager, through
 * which integration, and per managed key the parsed reference. What services,
 * the reconciler, secret delivery and the HTTP layer consume.
 */
export interface SecretBinding {
  readonly manager: SecretManagerKind;
  /** `secret.manager.provider.integration.id`, trimmed ("" when missing: validation refuses that). */
  readonly integrationId: string;
  /** The listed fields whose value parsed, in the order listed. */
  readonly fields: readonly ManagedSecret[];
  /** The listed fields whose value did not parse, with why (a stored config has none, unless the operator's allowed hosts changed). */
  readonly invalid: readonly { readonly key: string; readonly message: string }[];
}

/** Validates untrusted input (parsed JSON): shape errors land on their keys like any other error. */
export function validateConnectorConfigInput(input: unknown, context: ValidationContext): ValidationReport {
  const parsed = parseConnectorConfig(input);
  if (parsed.ok) return validateConnectorConfig(parsed.value, context);
  const config: Record<string, string> = Object.create(null) as Record<string, string>;
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    for (const [key, value] of Object.entries(input)) if (typeof value === "string") config[key] = value;
  }
  return run(config, context, parsed.error);
}

export function validateConnectorConfig(config: ConnectorConfig, context: ValidationContext): ValidationReport {
  return run(config, context, []);
}

/** Splits a comma list as Kafka does: trimmed entries; empty entries are kept for the caller to judge. */
export function splitList(value: string): string[] {
  const trimmed = value.trim();
  return trimmed === "" ? [] : trimmed.split(",").map((entry) => entry.trim());
}

/** Whether a config turns the secret manager on (`secret.manager.enabled` is "true", any case). */
export function secretManagerEnabled(config: Readonly<Record<string, string>>): boolean {
  return config[SECRET_MANAGER_FIELDS.enabled]?.trim().toLowerCase() === "true";
}

/** The config's secret-manager binding, or null when the secret manager is off or its manager is not supported here. */
export function secretBinding(config: Readonly<Record<string, string>>, grammars: SecretManagerGrammars): SecretBinding | null {
  if (!secretManagerEnabled(config)) return null;
  const kind = config[SECRET_MANAGER_FIELDS.manager]?.trim().toUpperCase() ?? "";
  const grammar = isSecretManagerKind(kind) ? grammars[kind] : undefined;
  if (!grammar) return null;
  const fields: ManagedSecret[] = [];
  const invalid: { key: string; message: string }[] = [];
  for (const key of new Set(splitList(config[SECRET_MANAGER_FIELDS.managedConfigs] ?? ""))) {
    const value = config[key];
    if (key === "") continue;
    if (value === undefined) {
      invalid.push({ key, message: `${key} is listed in ${SECRET_MANAGER_FIELDS.managedConfigs} but has no value` });
      continue;
    }
    const parsed = grammar.parse(value);
    if (parsed.ok) fields.push({ key, reference: parsed.value });
    else invalid.push({ key, message: `${key}: ${parsed.error.message}` });
  }
  return { manager: grammar.manager, integrationId: config[SECRET_MANAGER_FIELDS.integrationId]?.trim() ?? "", fields, invalid };
}

class Problems {
  readonly errors = new Map<string, string[]>();
  readonly warnings: ValidationWarning[] = [];
  count = 0;
  add(key: string, message: string): void {
    const list = this.errors.get(key);
    if (list) list.push(message);
    else this.errors.set(key, [message]);
    this.count++;
  }
  has(key: string): boolean {
    return this.errors.has(key);
  }
}

function run(config: ConnectorConfig, context: ValidationContext, inputErrors: readonly ConfigInputError[]): ValidationReport {
  const problems = new Problems();
  for (const inputError of inputErrors) problems.add(inputError.key ?? CONNECTOR_CLASS, inputError.message);

  const className = config[CONNECTOR_CLASS]?.trim();
  const plugin = className === undefined || className === "" ? undefined : context.plugins.get(className);
  if (!problems.has(CONNECTOR_CLASS)) {
    if (className === undefined || className === "") problems.add(CONNECTOR_CLASS, missingRequired(CONNECTOR_CLASS));
    else if (!plugin) {
      problems.add(CONNECTOR_CLASS, `unknown connector plugin ${shown(className)}; known plugins: ${context.plugins.names().join(", ")}`);
    }
  }

  // Kafka Connect resolves "${provider:path:key}" in any value: a user value must not
  // be able to make a worker read files or another connector's secrets.
  for (const key in config) {
    if (config[key]?.includes("${") && !problems.has(key)) {
      problems.add(key, `the value of ${key} must not contain "\${" (Kafka Connect's config provider syntax)`);
    }
  }
  const secretManager = checkSecretManager(config, context, plugin, problems);
  if (plugin) checkPluginFields(config, plugin, secretManager.managed, problems);
  return render(config, plugin, className, problems, secretManager, supportedSecretManagers(context.grammars));
}

interface SecretManagerOutcome {
  readonly enabled: boolean;
  /** Listed fields of a supported manager (whether or not their value is valid). */
  readonly managed: ReadonlySet<string>;
  /** Listed fields whose value parsed as an identifier: shown unmasked. */
  readonly validIdentifiers: ReadonlySet<string>;
}

const EMPTY_SET: ReadonlySet<string> = new Set();

function checkSecretManager(config: ConnectorConfig, context: ValidationContext, plugin: PluginDefinition | undefined, problems: Problems): SecretManagerOutcome {
  const enabledRaw = config[SECRET_MANAGER_FIELDS.enabled];
  const enabledValue = enabledRaw?.trim().toLowerCase();
  const managedRaw = config[SECRET_MANAGER_FIELDS.managedConfigs];
  if (enabledValue !== undefined && enabledValue !== "true" && enabledValue !== "false") {
    problems.add(SECRET_MANAGER_FIELDS.enabled, `Invalid value ${shown(enabledRaw ?? "")} for configuration ${SECRET_MANAGER_FIELDS.enabled}: Expected value to be either true or false`);
  }
  if (enabledValue !== "true") {
    if (managedRaw !== undefined && managedRaw.trim() !== "") {
      problems.warnings.push({
        key: SECRET_MANAGER_FIELDS.managedConfigs,
        message: `${SECRET_MANAGER_FIELDS.managedConfigs} is set but ${SECRET_MANAGER_FIELDS.enabled} is not "true": the listed configurations are used literally, not fetched from a secret manager`,
      });
    }
    warnIdentifierLookalikes(config, plugin, EMPTY_SET, problems, "the secret manager is not enabled", context.grammars);
    return { enabled: false, managed: EMPTY_SET, validIdentifiers: EMPTY_SET };
  }

  // secret.manager
  const managerRaw = config[SECRET_MANAGER_FIELDS.manager];
  const supported = supportedSecretManagers(context.grammars);
  let grammar: IdentifierGrammar | null = null;
  if (managerRaw === undefined || managerRaw.trim() === "") {
    problems.add(SECRET_MANAGER_FIELDS.manager, `${missingRequired(SECRET_MANAGER_FIELDS.manager)} It is required when ${SECRET_MANAGER_FIELDS.enabled} is true; supported: ${supported.join(", ")}`);
  } else {
    const kind = managerRaw.trim().toUpperCase();
    if (!isSecretManagerKind(kind)) {
      problems.add(SECRET_MANAGER_FIELDS.manager, `Invalid value ${shown(managerRaw)} for configuration ${SECRET_MANAGER_FIELDS.manager}: must be one of ${SECRET_MANAGER_KINDS.join(", ")} (supported: ${supported.join(", ")})`);
    } else {
      grammar = context.grammars[kind] ?? null;
      if (!grammar) problems.add(SECRET_MANAGER_FIELDS.manager, `secret manager ${kind} is not supported yet; supported: ${supported.join(", ")}`);
    }
  }

  // secret.manager.provider.integration.id
  const integrationRaw = config[SECRET_MANAGER_FIELDS.integrationId];
  if (integrationRaw === undefined || integrationRaw.trim() === "") {
    problems.add(SECRET_MANAGER_FIELDS.integrationId, `${missingRequired(SECRET_MANAGER_FIELDS.integrationId)} It is required when ${SECRET_MANAGER_FIELDS.enabled} is true: the id of the provider integration that may read the secrets, e.g. cspi-a1b2c3d4`);
  } else if (!isId("providerIntegration", integrationRaw.trim())) {
    problems.add(SECRET_MANAGER_FIELDS.integrationId, `Invalid value ${shown(integrationRaw)} for configuration ${SECRET_MANAGER_FIELDS.integrationId}: expected a provider integration id: "cspi-" followed by lowercase letters and digits, e.g. cspi-a1b2c3d4`);
  }

  // secret.manager.managed.configs
  const managed = new Set<string>();
  const validIdentifiers = new Set<string>();
  const eligible = plugin?.secretManagerEligibleFields;
  if (managedRaw === undefined || managedRaw.trim() === "") {
    const example = eligible && eligible.length > 0 ? eligible.join(",") : "database.user,database.password";
    problems.add(SECRET_MANAGER_FIELDS.managedConfigs, `${missingRequired(SECRET_MANAGER_FIELDS.managedConfigs)} It is required when ${SECRET_MANAGER_FIELDS.enabled} is true: a comma-separated list of the configurations whose values are secret identifiers, e.g. ${example}`);
  } else {
    const entries = splitList(managedRaw);
    if (entries.includes("")) problems.add(SECRET_MANAGER_FIELDS.managedConfigs, `${SECRET_MANAGER_FIELDS.managedConfigs} has an empty entry; expected a comma-separated list of configuration names`);
    for (const key of entries) {
      if (key === "") continue;
      if (managed.has(key)) {
        problems.add(SECRET_MANAGER_FIELDS.managedConfigs, `${SECRET_MANAGER_FIELDS.managedConfigs} lists ${shown(key)} more than once`);
        continue;
      }
      if (eligible && !eligible.includes(key)) {
        problems.add(SECRET_MANAGER_FIELDS.managedConfigs, `${shown(key)} cannot be fetched from a secret manager for ${plugin.name}; eligible configurations: ${eligible.join(", ")}`);
        continue;
      }
      managed.add(key);
    }
  }
  for (const key of managed) {
    const value = config[key];
    if (problems.has(key)) continue;
    const format = grammar ? `${grammar.format}, e.g. ${grammar.example}` : "a secret identifier";
    if (value === undefined) {
      problems.add(key, `${missingRequired(key)} It is listed in ${SECRET_MANAGER_FIELDS.managedConfigs}, so its value must be a secret identifier: ${format}`);
      continue;
    }
    if (!grammar) continue;
    const parsed = grammar.parse(value);
    if (parsed.ok) validIdentifiers.add(key);
    else problems.add(key, parsed.error.message);
  }

  // authentication.method must use static credentials.
  const auth = plugin?.authentication;
  if (auth) {
    const method = (config[auth.field] ?? auth.defaultMethod).trim();
    const identityMethod = auth.identityMethods.find((m) => m.toLowerCase() === method.toLowerCase());
    if (identityMethod !== undefined) {
      problems.add(auth.field, `authentication method ${shown(identityMethod)} uses a cloud identity and cannot be combined with a secret manager; choose a method with static credentials (${auth.staticMethods.join(", ")}) or set ${SECRET_MANAGER_FIELDS.enabled} to false`);
    }
  }

  // Region policy.
  if (context.cluster) {
    const restriction = secretManagerRegionRestriction(context.regionPolicy ?? DEFAULT_REGION_POLICY, context.cluster);
    if (restriction !== null) problems.add(SECRET_MANAGER_FIELDS.enabled, restriction);
  }

  warnIdentifierLookalikes(config, plugin, managed, problems, `it is not listed in ${SECRET_MANAGER_FIELDS.managedConfigs}`, context.grammars);
  return { enabled: true, managed, validIdentifiers };
}

/** A sensitive field that holds what looks like an identifier, but will be used literally. */
function warnIdentifierLookalikes(config: ConnectorConfig, plugin: PluginDefinition | undefined, managed: ReadonlySet<string>, problems: Problems, reason: string, grammars: SecretManagerGrammars): void {
  if (!plugin) return;
  for (const key of plugin.secretManagerEligibleFields) {
    const value = config[key];
    if (value === undefined || managed.has(key)) continue;
    if (looksLikeIdentifier(value, grammars)) {
      problems.warnings.push({ key, message: `the value of ${key} looks like a secret identifier, but ${reason}: it will be used literally` });
    }
  }
}

function looksLikeIdentifier(value: string, grammars: SecretManagerGrammars): boolean {
  for (const kind of SECRET_MANAGER_KINDS) if (grammars[kind]?.looksLikeIdentifier(value)) return true;
  return false;
}

function checkPluginFields(config: ConnectorConfig, plugin: PluginDefinition, managed: ReadonlySet<string>, problems: Problems): void {
  for (const definition of plugin.definitions) {
    const name = definition.name;
    if (SECRET_MANAGER_FIELD_NAMES.has(name) || managed.has(name) || problems.has(name)) continue;
    const raw = config[name];
    if (raw === undefined) {
      if (definition.required && definition.defaultValue === null) problems.add(name, missingRequired(name));
      continue;
    }
    const message = checkValue(definition, raw, isSensitiveKey(plugin, name));
    if (message !== null) problems.add(name, message);
  }
  for (const requirement of plugin.conditionalRequirements) {
    const name = requirement.field;
    // No cascade: a field whose condition is itself wrong is not blamed again.
    if (managed.has(name) || problems.has(name) || problems.has(requirement.when.field)) continue;
    const other = config[requirement.when.field] ?? plugin.byName.get(requirement.when.field)?.defaultValue ?? "";
    if (other.trim().toLowerCase() !== requirement.when.equals.toLowerCase()) continue;
    const value = config[name];
    if (value === undefined || value.trim() === "") {
      problems.add(name, `Missing required configuration "${name}": it is required when ${requirement.when.field} is "${requirement.when.equals}"`);
    }
  }
  for (const key in config) {
    if (!plugin.byName.has(key) && !problems.has(key)) {
      problems.warnings.push({ key, message: `${shown(key)} is not a configuration of ${plugin.name}; it is ignored` });
    }
  }
}

const INTEGER = /^[+-]?\d{1,20}$/;
const INTEGER_RANGES = {
  SHORT: [-32768, 32767],
  INT: [-2147483648, 2147483647],
  LONG: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
} as const;

/** Kafka ConfigDef's parse and validator checks, with its wording. Null when the value is fine. */
function checkValue(definition: ConfigDefinition, raw: string, sensitive: boolean): string | null {
  const trims = definition.sanitizers.length > 0 || definition.type !== "STRING" && definition.type !== "PASSWORD";
  const value = trims ? raw.trim() : raw;
  const name = definition.name;
  if (definition.required && value.trim() === "") return `Invalid value "" for configuration ${name}: must not be empty`;
  let numeric: number | null = null;
  switch (definition.type) {
    case "SHORT":
    case "INT":
    case "LONG": {
      const [min, max] = INTEGER_RANGES[definition.type];
      numeric = INTEGER.test(value) ? Number(value) : NaN;
      if (!(numeric >= min && numeric <= max)) return `Invalid value ${shown(value)} for configuration ${name}: Not a number of type ${definition.type}`;
      break;
    }
    case "DOUBLE":
      numeric = value === "" ? NaN : Number(value);
      if (!Number.isFinite(numeric)) return `Invalid value ${shown(value)} for configuration ${name}: Not a number of type DOUBLE`;
      break;
    case "BOOLEAN": {
      const lower = value.toLowerCase();
      if (lower !== "true" && lower !== "false") return `Invalid value ${shown(value)} for configuration ${name}: Expected value to be either true or false`;
      break;
    }
    default:
      break;
  }
  if (numeric !== null) {
    if (definition.min !== undefined && numeric < definition.min) return `Invalid value ${shown(value)} for configuration ${name}: Value must be at least ${definition.min}`;
    if (definition.max !== undefined && numeric > definition.max) return `Invalid value ${shown(value)} for configuration ${name}: Value must be no more than ${definition.max}`;
  }
  const fixed = allowedValues(definition);
  if (fixed.length > 0 && !sensitive) {
    const candidates = definition.type === "LIST" ? splitList(value) : [value];
    for (const candidate of candidates) {
      if (candidate === "" && definition.type === "LIST") continue;
      if (!fixed.some((allowed) => allowed.toLowerCase() === candidate.toLowerCase())) {
        return `Invalid value ${shown(candidate)} for configuration ${name}: must be one of ${fixed.join(", ")}`;
      }
    }
  }
  return null;
}

function missingRequired(name: string): string {
  return `Missing required configuration "${name}" which has no default value.`;
}

/** A user-typed, non-secret value in a message: quoted, one line, at most 100 characters. */
function shown(value: string): string {
  const oneLine = JSON.stringify(value);
  return oneLine.length > 102 ? `${oneLine.slice(0, 100)}…"` : oneLine;
}

const NO_ERRORS: readonly string[] = Object.freeze([]);

function render(config: ConnectorConfig, plugin: PluginDefinition | undefined, className: string | undefined, problems: Problems, sm: SecretManagerOutcome, supported: readonly string[]): ValidationReport {
  const configs: ValidationEntry[] = [];
  const entry = (name: string, definition: ConnectDefinitionView, recommended: readonly string[], visible: boolean, sensitive: boolean): void => {
    const raw = config[name];
    const masked = raw !== undefined && (sm.managed.has(name) ? !sm.validIdentifiers.has(name) : sensitive);
    configs.push({
      definition,
      value: { name, value: raw === undefined ? null : masked ? MASKED_VALUE : raw, recommended_values: recommended, errors: problems.errors.get(name) ?? NO_ERRORS, visible },
    });
  };
  if (plugin) {
    for (const definition of plugin.definitions) {
      const view = plugin.connectDefinitions.get(definition.name) ?? genericDefinition(definition.name);
      let recommended = allowedValues(definition);
      let visible = !definition.internal;
      if (definition.name === SECRET_MANAGER_FIELDS.manager) recommended = supported;
      if (definition.name === SECRET_MANAGER_FIELDS.managedConfigs) recommended = plugin.secretManagerEligibleFields;
      if (SECRET_MANAGER_FIELD_NAMES.has(definition.name) && definition.name !== SECRET_MANAGER_FIELDS.enabled) visible = sm.enabled;
      entry(definition.name, view, recommended, visible, isSensitiveKey(plugin, definition.name));
    }
  }
  // Keys that carry an error but have no definition (unknown plugin, shape errors).
  for (const name of problems.errors.keys()) {
    if (!plugin?.byName.has(name)) entry(name, genericDefinition(name), [], true, isSensitiveKey(plugin, name));
  }
  return {
    name: plugin?.name ?? className ?? "",
    groups: plugin?.groups ?? [],
    error_count: problems.count,
    configs,
    warnings: problems.warnings,
  };
}

function genericDefinition(name: string): ConnectDefinitionView {
  return { name, type: "STRING", required: false, default_value: null, importance: "LOW", documentation: "", group: "Additional Configs", width: "NONE", display_name: name, dependents: [], order: -1 };
}
