/**
 * The Add connector form as data: which fields each step shows, the config
 * the console sends (the same `{"name", "config"}` the CLI would send), where
 * a server error belongs, and the inline identifier check (the domain's own
 * grammar, run in the browser).
 */
import { AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE, AZURE_KEY_VAULT_IDENTIFIER_FORMAT, parseAzureKeyVaultIdentifier } from "../../src/secret-managers/azure-key-vault/identifier.js";
import { awsSecretsManagerGrammar } from "../../src/secret-managers/aws-secrets-manager/identifier.js";
import { DEFAULT_VAULT_HOST_POLICY, describeVaultHostPolicy, type VaultHostPolicy } from "../../src/secret-managers/azure-key-vault/vault-host-policy.js";
import type { ValidationEntry, ValidationReport } from "./types.js";

export const SM = {
  enabled: "secret.manager.enabled",
  manager: "secret.manager",
  managedConfigs: "secret.manager.managed.configs",
  integrationId: "secret.manager.provider.integration.id",
} as const;
export const AUTH_METHOD = "authentication.method";
/** Groups the Authentication step shows; the Configuration step shows the rest. */
export const AUTH_GROUPS: ReadonlySet<string> = new Set(["Authentication method", "Secret manager configuration"]);
const SPECIAL = new Set<string>([SM.enabled, SM.manager, SM.managedConfigs, SM.integrationId, AUTH_METHOD, "connector.class", "name"]);

export const IDENTIFIER_FORMAT = AZURE_KEY_VAULT_IDENTIFIER_FORMAT;
export const IDENTIFIER_EXAMPLE = AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE;

/** The identifier format and example of the chosen manager (Azure's until one is chosen). */
export function identifierHint(manager: string): { readonly format: string; readonly example: string } {
  return manager === "AWS_SECRETS_MANAGER"
    ? { format: awsSecretsManagerGrammar.format, example: awsSecretsManagerGrammar.example }
    : { format: IDENTIFIER_FORMAT, example: IDENTIFIER_EXAMPLE };
}

/** Which cloud's provider integrations each secret manager uses. */
export const MANAGER_PROVIDERS: Readonly<Record<string, string>> = { AZURE_KEY_VAULT: "AZURE", AWS_SECRETS_MANAGER: "AWS", GCP_SECRET_MANAGER: "GCP" };

export interface ConnectorForm {
  readonly plugin: string;
  readonly name: string;
  readonly authMethod: string;
  readonly useSecretManager: boolean;
  readonly manager: string;
  /** In the order the user picked them. */
  readonly managed: readonly string[];
  readonly identifiers: Readonly<Record<string, string>>;
  readonly integrationId: string;
  /** Every other field, as typed. */
  readonly values: Readonly<Record<string, string>>;
}

export function emptyForm(plugin: string, report: ValidationReport): ConnectorForm {
  const method = entry(report, AUTH_METHOD);
  // The main choices of the groups a user must fill in start at their default and are sent as shown
  // (what you see is what the JSON says); optional groups send only what the user changed.
  const required = requiredGroups(report, new Set());
  const values: Record<string, string> = {};
  for (const c of report.configs) {
    const { name, importance, group } = c.definition;
    const fallback = shownDefault(c);
    if (importance === "HIGH" && fallback !== null && c.value.visible && !SPECIAL.has(name) && required.has(group) && !AUTH_GROUPS.has(group) && c.definition.shown_when === undefined) values[name] = fallback;
  }
  return {
    plugin,
    name: "",
    authMethod: method?.definition.default_value ?? method?.value.recommended_values[0] ?? "",
    useSecretManager: false,
    manager: "",
    managed: [],
    identifiers: {},
    integrationId: "",
    values,
  };
}

/** A field's default as a form may show it: none when it is a placeholder the managed service fills in. */
export function shownDefault(c: ValidationEntry): string | null {
  const value = c.definition.default_value;
  return value === null || value === "" || c.definition.default_is_template === true ? null : value;
}

/** Groups with a field the user must fill in (the catalog's required flag, or the server's conditional "missing"). */
export function requiredGroups(report: ValidationReport, missing: ReadonlySet<string>): Set<string> {
  return new Set(report.configs.filter((c) => c.value.visible && (c.definition.required || missing.has(c.definition.name))).map((c) => c.definition.group));
}

/** Whether a field applies to the form's choices (an identity method's fields only for that method). */
export function isShown(c: ValidationEntry, form: ConnectorForm): boolean {
  const when = c.definition.shown_when;
  if (when === undefined) return true;
  const current = when.field === AUTH_METHOD ? form.authMethod : form.values[when.field] ?? "";
  return current.toLowerCase() === when.equals.toLowerCase();
}

export function entry(report: ValidationReport, key: string): ValidationEntry | undefined {
  return report.configs.find((c) => c.definition.name === key);
}

/** The fields the secret manager may supply for this plugin (validate's recommended_values). */
export function eligibleFields(report: ValidationReport): readonly string[] {
  return entry(report, SM.managedConfigs)?.value.recommended_values ?? [];
}

export function supportsSecretManager(report: ValidationReport): boolean {
  return entry(report, SM.enabled) !== undefined && eligibleFields(report).length > 0;
}

/** Whether a key is supplied by the secret manager in this form. */
export function isManaged(form: ConnectorForm, key: string): boolean {
  return form.useSecretManager && form.managed.includes(key);
}

/** Other fields of the Authentication step (an identity method's integration), shown while the secret manager is off. */
export function extraAuthFields(report: ValidationReport, form: ConnectorForm): ValidationEntry[] {
  return report.configs.filter((c) => AUTH_GROUPS.has(c.definition.group) && !SPECIAL.has(c.definition.name) && c.value.visible && isShown(c, form));
}

export interface FormGroup {
  readonly group: string;
  readonly entries: ValidationEntry[];
  /** No field of the group must be filled in: shown collapsed. */
  readonly optional: boolean;
}

/** The Configuration step's groups, in the catalog's order, without managed fields and hidden ones. */
export function configurationGroups(report: ValidationReport, form: ConnectorForm, missing: ReadonlySet<string> = new Set()): FormGroup[] {
  const groups = new Map<string, ValidationEntry[]>();
  for (const group of report.groups) if (!AUTH_GROUPS.has(group)) groups.set(group, []);
  for (const c of report.configs) {
    const { name, group } = c.definition;
    if (AUTH_GROUPS.has(group) || !c.value.visible || !isShown(c, form) || name === "connector.class" || isManaged(form, name)) continue;
    const list = groups.get(group) ?? [];
    list.push(c);
    groups.set(group, list);
  }
  const required = requiredGroups(report, missing);
  return [...groups].filter(([, entries]) => entries.length > 0).map(([group, entries]) => ({ group, entries, optional: !required.has(group) }));
}

/** The connector config, keys in the plugin's order, empty fields left out: what the CLI's config file would hold. */
export function buildConfig(report: ValidationReport, form: ConnectorForm): Record<string, string> {
  const config: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== "") config[key] = value;
  };
  const sm = form.useSecretManager;
  for (const c of report.configs) {
    const { definition } = c;
    const key = definition.name;
    switch (key) {
      case "connector.class": set(key, form.plugin); break;
      case "name": set(key, form.name.trim()); break;
      case AUTH_METHOD: set(key, form.authMethod); break;
      case SM.enabled: set(key, sm ? "true" : undefined); break;
      case SM.manager: set(key, sm ? form.manager : undefined); break;
      case SM.managedConfigs: set(key, sm ? form.managed.join(",") : undefined); break;
      case SM.integrationId: set(key, sm ? form.integrationId : undefined); break;
      default:
        if (isManaged(form, key)) set(key, form.identifiers[key]?.trim());
        else if (!(sm && AUTH_GROUPS.has(definition.group)) && isShown(c, form)) set(key, form.values[key]);
    }
  }
  return config;
}

/** `{"name", "config"}`, as `vaultwire connect cluster create --config-file` and the API take it. */
export function requestBody(report: ValidationReport, form: ConnectorForm): { name: string; config: Record<string, string> } {
  return { name: form.name.trim(), config: buildConfig(report, form) };
}

export type Step = "plugin" | "authentication" | "configuration" | "review";

/** The step whose form shows a key (errors on unknown keys go to the Configuration step). */
export function stepOf(report: ValidationReport, form: ConnectorForm, key: string): Step {
  if (isManaged(form, key)) return "authentication";
  const group = entry(report, key)?.definition.group;
  return group !== undefined && AUTH_GROUPS.has(group) ? "authentication" : "configuration";
}

export function errorsByField(report: ValidationReport): Record<string, string[]> {
  const errors: Record<string, string[]> = {};
  for (const c of report.configs) if (c.value.errors.length > 0) errors[c.value.name] = [...c.value.errors];
  return errors;
}

/** Fields the server currently calls missing (conditional requirements such as a password for Password authentication). */
export function missingRequired(report: ValidationReport): Set<string> {
  return new Set(report.configs.filter((c) => c.value.errors.some((e) => e.startsWith("Missing required configuration"))).map((c) => c.value.name));
}

/** A DOM id for a config key's control. */
export function controlId(key: string): string {
  return `config-${key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** The allowed vault hosts (null: the server's list could not be read, so the operator's own hosts are unknown). */
export function describeHosts(policy: VaultHostPolicy | null): string {
  return policy === null
    ? `${describeVaultHostPolicy(DEFAULT_VAULT_HOST_POLICY)}, and any host this server's operator allowed`
    : describeVaultHostPolicy(policy);
}

/** Messages once each: the inline check and the server may say the same thing, capitalised differently. */
export function uniqueMessages(messages: readonly string[]): string[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = m.trim().replace(/\.$/, "").toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** What the tab keeps of the form between reloads: everything but the values of sensitive fields typed in plaintext. */
export interface Draft {
  readonly version: 1;
  readonly environmentId: string;
  readonly clusterId: string;
  readonly plugin: string;
  readonly form: ConnectorForm | null;
}

export function draftOf(report: ValidationReport | null, form: ConnectorForm | null, place: { environmentId: string; clusterId: string }, plugin: string): Draft {
  if (report === null || form === null) return { version: 1, ...place, plugin, form: null };
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(form.values)) {
    const type = entry(report, key)?.definition.type;
    // A key the plugin does not define is treated as sensitive too (the server's rule).
    if (type !== undefined && type !== "PASSWORD") values[key] = value;
  }
  return { version: 1, ...place, plugin, form: { ...form, values } };
}

/** A stored draft, if it is one and belongs to this cluster. */
export function readDraft(raw: unknown, place: { environmentId: string; clusterId: string }): Draft | null {
  if (typeof raw !== "object" || raw === null) return null;
  const draft = raw as Partial<Draft>;
  if (draft.version !== 1 || draft.environmentId !== place.environmentId || draft.clusterId !== place.clusterId || typeof draft.plugin !== "string") return null;
  const form = draft.form ?? null;
  if (form !== null && (typeof form !== "object" || typeof form.plugin !== "string" || form.plugin !== draft.plugin || !Array.isArray(form.managed) || typeof form.values !== "object")) return null;
  return { version: 1, environmentId: place.environmentId, clusterId: place.clusterId, plugin: draft.plugin, form };
}

/** Whether the form holds anything the user would lose (a plugin chosen counts once its fields are loaded and changed). */
export function hasWork(report: ValidationReport | null, form: ConnectorForm | null): boolean {
  if (report === null || form === null) return false;
  const fresh = emptyForm(form.plugin, report);
  const sameValues = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) => {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => (a[k] ?? "") === (b[k] ?? ""));
  };
  return form.name !== fresh.name || form.authMethod !== fresh.authMethod || form.useSecretManager || form.manager !== "" || form.managed.length > 0
    || form.integrationId !== "" || !sameValues(form.identifiers, {}) || !sameValues(form.values, fresh.values);
}

export interface IdentifierCheck {
  readonly kind: "error" | "note";
  readonly message: string;
}

/**
 * The inline check of one identifier. Format errors come from the domain's
 * parser (they never quote the value); hosts are checked against the
 * server's list (GET /pim/v2/secret-managers); a host outside the Azure
 * clouds is only a note when that list could not be read.
 */
export function checkIdentifier(value: string, known: VaultHostPolicy | null, manager = "AZURE_KEY_VAULT"): IdentifierCheck | null {
  if (value.trim() === "") return { kind: "error", message: "Enter the secret identifier." };
  if (manager === "AWS_SECRETS_MANAGER") {
    // An ARN names its region and account; no host allowlist applies.
    const arn = awsSecretsManagerGrammar.parse(value);
    if (arn.ok) return null;
    const problem = arn.error.message.replace(/; expected .*$/, "");
    return { kind: "error", message: `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.` };
  }
  const parsed = parseAzureKeyVaultIdentifier(value, known ?? DEFAULT_VAULT_HOST_POLICY);
  if (parsed.ok) return null;
  const message = parsed.error.message;
  if (message.startsWith("vault host \"")) {
    if (known !== null) return { kind: "error", message: message.charAt(0).toUpperCase() + message.slice(1) };
    const host = /^vault host "([^"]+)"/.exec(message)?.[1] ?? "";
    return { kind: "note", message: `${host} is not an Azure Key Vault domain; the server accepts it only if its operator allowed it (checked when you continue).` };
  }
  const problem = message.replace(/; expected .*$/, "");
  return { kind: "error", message: `${problem.charAt(0).toUpperCase()}${problem.slice(1)}.` };
}
