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
  /**
   * The values a recommender offers where the template names a recommender
   * instead of listing values (`kafka.auth.mode`): reported as the field's
   * `recommended_values` and accepted like them. Absent: none.
   */
  readonly recommenderValues?: readonly string[];
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
  /** The cloud whose provider integrations the identity methods use (the integration field's picker). */
  readonly identityProvider?: "AZURE" | "AWS" | "GCP";
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
  /**
   * vaultwire: the default is a placeholder the managed service fills in
   * (`${connect.regional.connector}`, `{{.logicalClusterId}}`), not a value a
   * form can show. Absent when the default is a plain value or there is none.
   */
  readonly default_is_template?: true;
  /** vaultwire: the field applies only while another field has this value (an identity method's fields). */
  readonly shown_when?: { readonly field: string; readonly equals: string };
  /** vaultwire: the field holds the id of a provider integration of this cloud. */
  readonly integration_provider?: "AZURE" | "AWS" | "GCP";
}

/** A default such as `${connect.regional.connector}` or `dbhistory.${topic.prefix}.{{.logicalClusterId}}`: the managed service fills it in. */
export function isTemplateDefault(value: string | null): boolean {
  return value !== null && /\$\{[^}]+\}|\{\{[^}]+\}\}/.test(value);
}

/** The values a field accepts, when fixed: its recommended values, else its recommender's. */
export function allowedValues(definition: Pick<ConfigDefinition, "recommendedValues" | "recommenderValues">): readonly string[] {
  return definition.recommendedValues.length > 0 ? definition.recommendedValues : definition.recommenderValues ?? [];
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
