/**
 * What the domain needs to know about a managed connector plugin. The catalog
 * (src/catalog) provides one of these per plugin; validation reads only this.
 */

export const CONFIG_TYPES = ["STRING", "PASSWORD", "INT", "LONG", "SHORT", "DOUBLE", "BOOLEAN", "LIST", "CLASS"] as const;
export type ConfigType = (typeof CONFIG_TYPES)[number];
export type Importance = "HIGH" | "MEDIUM" | "LOW";
export type Sanitizer = "trim" | "trim.list";

export interface ConfigDefinition {
  readonly name: string;
  readonly type: ConfigType;
  readonly required: boolean;
  readonly defaultValue: string | null;
  readonly importance: Importance;
  /** The form section the field belongs to; null for "Additional Configs". */
  readonly group: string;
  readonly orderInGroup: number | null;
  readonly displayName: string;
  readonly documentation: string;
  /** When non-empty, the accepted values (compared case-insensitively). */
  readonly recommendedValues: readonly string[];
  readonly sanitizers: readonly Sanitizer[];
  readonly dependents: readonly string[];
  /** Inclusive numeric bounds for INT, LONG, SHORT and DOUBLE fields. */
  readonly min?: number;
  readonly max?: number;
  /** Hidden from generated documentation and the console's default view. */
  readonly internal: boolean;
}

/** A requirement that depends on another field's value, e.g. a password only for password authentication. */
export interface ConditionalRequirement {
  readonly field: string;
  readonly when: { readonly field: string; readonly equals: string };
}

export interface AuthenticationMethods {
  /** Usually `authentication.method`. */
  readonly field: string;
  readonly defaultMethod: string;
  /** Methods that use static credentials (passwords, keys): these may come from a secret manager. */
  readonly staticMethods: readonly string[];
  /** Methods that use a cloud identity instead; the secret manager does not combine with them. */
  readonly identityMethods: readonly string[];
}

/** The definition object of Kafka Connect's validate response (`configs[].definition`). */
export interface ConnectDefinitionView {
  readonly name: string;
  readonly type: ConfigType;
  readonly required: boolean;
  readonly default_value: string | null;
  readonly importance: Importance;
  readonly documentation: string;
  readonly group: string;
  readonly width: "NONE" | "SHORT" | "MEDIUM" | "LONG";
  readonly display_name: string;
  readonly dependents: readonly string[];
  readonly order: number;
}

export interface PluginDefinition {
  /** The managed plugin name users put in `connector.class`, e.g. `PostgresCdcSourceV2`. */
  readonly name: string;
  readonly connectorType: "SOURCE" | "SINK";
  /** In form order: by group, then order in group. */
  readonly definitions: readonly ConfigDefinition[];
  readonly byName: ReadonlyMap<string, ConfigDefinition>;
  /** The same definitions as Kafka Connect renders them, precomputed. */
  readonly connectDefinitions: ReadonlyMap<string, ConnectDefinitionView>;
  readonly groups: readonly string[];
  /** Fields whose values the secret manager may supply. */
  readonly secretManagerEligibleFields: readonly string[];
  readonly authentication: AuthenticationMethods | null;
  readonly conditionalRequirements: readonly ConditionalRequirement[];
}

export interface PluginLookup {
  get(name: string): PluginDefinition | undefined;
  names(): readonly string[];
}

/** Keys that name the connector and its plugin: never secret, whatever the plugin. */
const IDENTITY_KEYS: ReadonlySet<string> = new Set(["connector.class", "name"]);

/**
 * The one rule for whether a config key holds a secret: its value is stored
 * only encrypted and shown only masked, in every view and every store of a
 * config. A key the plugin defines is sensitive when its type is PASSWORD.
 * A key it does not define, and every key of an unknown plugin, is
 * sensitive too (except `connector.class` and `name`): what vaultwire cannot
 * vouch for, it does not show. Secret-manager fields are identifiers and are
 * judged per config, not here (see sensitive-values.ts).
 */
export function isSensitiveKey(plugin: PluginDefinition | undefined, key: string): boolean {
  const definition = plugin?.byName.get(key);
  if (definition) return definition.type === "PASSWORD";
  return !IDENTITY_KEYS.has(key);
}
