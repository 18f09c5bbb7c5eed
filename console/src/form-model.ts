/**
 * The Add connector form as data: which fields each step shows, the config
 * the console sends (the same `{"name", "config"}` the CLI would send), where
 * a server error belongs, and the inline identifier check (the domain's own
 * grammar, run in the browser).
 */
import { AZURE_KEY_VAULT_IDENTIFIER_EXAMPLE, AZURE_KEY_VAULT_IDENTIFIER_FORMAT, parseAzureKeyVaultIdentifier } from "../../src/domain/azure-key-vault-identifier.js";
import { createVaultHostPolicy, DEFAULT_VAULT_HOST_POLICY, describeVaultHostPolicy, type VaultHostPolicy } from "../../src/domain/vault-host-policy.js";
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
  return {
    plugin,
    name: "",
    authMethod: method?.definition.default_value ?? method?.value.recommended_values[0] ?? "",
    useSecretManager: false,
    manager: "",
    managed: [],
    identifiers: {},
    integrationId: "",
    values: {},
  };
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
export function extraAuthFields(report: ValidationReport): ValidationEntry[] {
  return report.configs.filter((c) => AUTH_GROUPS.has(c.definition.group) && !SPECIAL.has(c.definition.name) && c.value.visible);
}

/** The Configuration step's groups, in the catalog's order, without managed fields and hidden ones. */
export function configurationGroups(report: ValidationReport, form: ConnectorForm): { group: string; entries: ValidationEntry[] }[] {
  const groups = new Map<string, ValidationEntry[]>();
  for (const group of report.groups) if (!AUTH_GROUPS.has(group)) groups.set(group, []);
  for (const c of report.configs) {
    const { name, group } = c.definition;
    if (AUTH_GROUPS.has(group) || !c.value.visible || name === "connector.class" || isManaged(form, name)) continue;
    const list = groups.get(group) ?? [];
    list.push(c);
    groups.set(group, list);
  }
  return [...groups].filter(([, entries]) => entries.length > 0).map(([group, entries]) => ({ group, entries }));
}

/** The connector config, keys in the plugin's order, empty fields left out: what the CLI's config file would hold. */
export function buildConfig(report: ValidationReport, form: ConnectorForm): Record<string, string> {
  const config: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== "") config[key] = value;
  };
  const sm = form.useSecretManager;
  for (const { definition } of report.configs) {
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
        else if (!(sm && AUTH_GROUPS.has(definition.group))) set(key, form.values[key]);
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

/** The exact hosts the server allows besides the Azure clouds, read from one of its "not allowed" messages. */
export function learnVaultHosts(messages: readonly string[]): VaultHostPolicy | null {
  for (const message of messages) {
    const match = /allowed vault hosts: (.+)$/.exec(message);
    if (!match) continue;
    const extraHosts = (match[1] ?? "").split(", ").filter((h) => !h.startsWith("<vault-name>.") && h.trim() !== "");
    const policy = createVaultHostPolicy({ extraHosts });
    if (policy.ok) return policy.value;
  }
  return null;
}

export function describeHosts(policy: VaultHostPolicy | null): string {
  return policy === null
    ? `${describeVaultHostPolicy(DEFAULT_VAULT_HOST_POLICY)}, and any host this server's operator allowed`
    : describeVaultHostPolicy(policy);
}

export interface IdentifierCheck {
  readonly kind: "error" | "note";
  readonly message: string;
}

/**
 * The inline check of one identifier. Format errors come from the domain's
 * parser (they never quote the value); a well-formed host outside the Azure
 * clouds is only a note until the server's allowlist is known.
 */
export function checkIdentifier(value: string, known: VaultHostPolicy | null): IdentifierCheck | null {
  if (value.trim() === "") return { kind: "error", message: "Enter the secret identifier." };
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
