/**
 * Builds a plugin definition the way Confluent's managed-connector templates
 * compose: a plugin's own field patches override those of the templates it
 * extends, listed from most to least specific.
 */
import {
  isTemplateDefault,
  type AuthenticationMethods,
  type ConditionalRequirement,
  type ConfigDefinition,
  type ConfigType,
  type ConnectDefinitionView,
  type Importance,
  type PluginDefinition,
  type Sanitizer,
} from "../domain/plugin-definition.js";

/** One template's facts about a field; later templates fill what earlier ones leave out. */
export interface ConfigDefinitionPatch {
  readonly name: string;
  readonly type?: ConfigType;
  readonly required?: boolean;
  readonly defaultValue?: string;
  readonly importance?: Importance;
  readonly group?: string;
  readonly orderInGroup?: number;
  readonly displayName?: string;
  readonly documentation?: string;
  readonly recommendedValues?: readonly string[];
  /** Where the template names a recommender instead of values: the values it offers. */
  readonly recommenderValues?: readonly string[];
  readonly sanitizers?: readonly Sanitizer[];
  readonly dependents?: readonly string[];
  readonly alias?: readonly string[];
  readonly min?: number;
  readonly max?: number;
  readonly internal?: boolean;
}

export interface PluginSpec {
  readonly name: string;
  readonly connectorType: "SOURCE" | "SINK";
  /** The class name Confluent's template gives; the real Kafka Connect class comes from the runtime translation. */
  readonly confluentConnectorClass: string;
  /** Templates, most specific first. */
  readonly extends: readonly (readonly ConfigDefinitionPatch[])[];
  readonly definitions: readonly ConfigDefinitionPatch[];
  readonly authentication?: AuthenticationMethods;
  readonly conditionalRequirements?: readonly ConditionalRequirement[];
}

export interface CatalogPlugin extends PluginDefinition {
  readonly confluentConnectorClass: string;
}

/**
 * The authentication shape of the CDC plugins: `Password` (static credentials,
 * which a secret manager may supply) or one identity-based method, each with
 * the fields it requires.
 */
export function passwordOrIdentityAuthentication(options: {
  readonly identityMethod: string;
  /** The cloud whose provider integration the identity method uses. */
  readonly identityProvider: "AZURE" | "AWS" | "GCP";
  readonly passwordFields: readonly string[];
  readonly identityFields: readonly string[];
}): Pick<PluginSpec, "authentication" | "conditionalRequirements"> {
  const field = "authentication.method";
  const when = (equals: string) => ({ field, equals });
  return {
    authentication: { field, defaultMethod: "Password", staticMethods: ["Password"], identityMethods: [options.identityMethod], identityProvider: options.identityProvider },
    conditionalRequirements: [
      ...options.passwordFields.map((f) => ({ field: f, when: when("Password") })),
      ...options.identityFields.map((f) => ({ field: f, when: when(options.identityMethod) })),
    ],
  };
}

/** The group of fields with no group of their own; always last in a form. */
export const ADDITIONAL_CONFIGS_GROUP = "Additional Configs";
const MANAGED_CONFIGS_FIELD = "secret.manager.managed.configs";
/** The provider integration an identity-based authentication method uses. */
const IDENTITY_INTEGRATION_FIELD = "provider.integration.id";
/** Form order of the well-known groups, as the add-connector flow walks them; others follow in template order. */
const GROUP_ORDER = [
  "How should we connect to your data?",
  "Kafka Cluster credentials",
  "Authentication method",
  "Secret manager configuration",
  "AWS credentials",
  "Azure credentials",
  "GCP credentials",
  "How should we connect to your database?",
  "Database config",
  "Output messages",
  "How should we name your topic(s)?",
  "Connector config",
  "How should we handle data types?",
  "Number of tasks for this connector",
];

export function definePlugin(spec: PluginSpec): CatalogPlugin {
  const layers = [spec.definitions, ...spec.extends];
  // Field order: first appearance, most specific template first.
  const order: string[] = [];
  const patches = new Map<string, ConfigDefinitionPatch[]>();
  for (const layer of layers) {
    for (const patch of layer) {
      const list = patches.get(patch.name);
      if (list) list.push(patch);
      else {
        patches.set(patch.name, [patch]);
        order.push(patch.name);
      }
    }
  }

  const merged = order.map((name) => mergePatches(spec.name, name, patches.get(name) ?? []));
  const groups = [...new Set(merged.map((d) => d.group))].sort((a, b) => groupRank(a) - groupRank(b));
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const position = new Map(order.map((name, i) => [name, i]));
  const definitions = [...merged].sort((a, b) =>
    (groupIndex.get(a.group) ?? 0) - (groupIndex.get(b.group) ?? 0)
    || (a.orderInGroup ?? Number.MAX_SAFE_INTEGER) - (b.orderInGroup ?? Number.MAX_SAFE_INTEGER)
    || (position.get(a.name) ?? 0) - (position.get(b.name) ?? 0));

  const byName = new Map(definitions.map((d) => [d.name, d]));
  const eligible = byName.get(MANAGED_CONFIGS_FIELD)?.recommendedValues ?? [];
  for (const field of eligible) {
    if (!byName.has(field)) throw new Error(`catalog ${spec.name}: secret-manager field ${field} has no definition`);
  }
  // An identity method's own fields (its provider integration) apply only while that method is chosen.
  const identityMethods = spec.authentication?.identityMethods ?? [];
  const shownWhen = new Map((spec.conditionalRequirements ?? []).filter((r) => identityMethods.includes(r.when.equals)).map((r) => [r.field, r.when]));
  const connectDefinitions = new Map<string, ConnectDefinitionView>(definitions.map((d, i) => {
    const view = toConnectView(d, i);
    const when = shownWhen.get(d.name);
    const provider = d.name === IDENTITY_INTEGRATION_FIELD ? spec.authentication?.identityProvider : undefined;
    return [d.name, { ...view, ...(when === undefined ? {} : { shown_when: when }), ...(provider === undefined ? {} : { integration_provider: provider }) }];
  }));
  return {
    name: spec.name,
    connectorType: spec.connectorType,
    confluentConnectorClass: spec.confluentConnectorClass,
    definitions,
    byName,
    connectDefinitions,
    groups,
    secretManagerEligibleFields: eligible,
    authentication: spec.authentication ?? null,
    conditionalRequirements: spec.conditionalRequirements ?? [],
  };
}

function groupRank(group: string): number {
  if (group === ADDITIONAL_CONFIGS_GROUP) return GROUP_ORDER.length + 1;
  const index = GROUP_ORDER.indexOf(group);
  return index < 0 ? GROUP_ORDER.length : index;
}

function mergePatches(plugin: string, name: string, patches: readonly ConfigDefinitionPatch[]): ConfigDefinition {
  // patches[0] is the most specific; take each property from the first patch that has it.
  const pick = <K extends keyof ConfigDefinitionPatch>(key: K): ConfigDefinitionPatch[K] | undefined => patches.find((p) => p[key] !== undefined)?.[key];
  const type = pick("type");
  const documentation = pick("documentation");
  if (type === undefined) throw new Error(`catalog ${plugin}: field ${name} has no type`);
  if (documentation === undefined || documentation.trim() === "") throw new Error(`catalog ${plugin}: field ${name} has no documentation`);
  const min = pick("min");
  const max = pick("max");
  const recommenderValues = pick("recommenderValues");
  return {
    name,
    type,
    required: pick("required") ?? false,
    defaultValue: pick("defaultValue") ?? null,
    importance: pick("importance") ?? "LOW",
    group: pick("group") ?? ADDITIONAL_CONFIGS_GROUP,
    orderInGroup: pick("orderInGroup") ?? null,
    displayName: pick("displayName") ?? name,
    documentation,
    recommendedValues: pick("recommendedValues") ?? [],
    ...(recommenderValues === undefined ? {} : { recommenderValues }),
    sanitizers: pick("sanitizers") ?? [],
    dependents: pick("dependents") ?? [],
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
    internal: pick("internal") ?? false,
  };
}

function toConnectView(definition: ConfigDefinition, index: number): ConnectDefinitionView {
  return {
    name: definition.name,
    type: definition.type,
    required: definition.required,
    default_value: definition.defaultValue,
    importance: definition.importance,
    documentation: definition.documentation,
    group: definition.group,
    width: "NONE",
    display_name: definition.displayName,
    dependents: definition.dependents,
    order: definition.orderInGroup ?? index,
    ...(isTemplateDefault(definition.defaultValue) ? { default_is_template: true } : {}),
  };
}
