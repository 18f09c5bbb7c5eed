/**
 * Provider integrations: the cloud identity through which a connector's
 * secrets are read. DRAFT on creation, CREATED once the customer's tenant is
 * attached, ACTIVE while connectors use it (derived from usages).
 */
import { ConflictError, InputError, NotFoundError } from "../domain/errors.js";
import type { Connector, IntegrationConfig, IntegrationProvider, IntegrationStatus, ProviderIntegration, StoredIntegrationStatus } from "../domain/resources.js";
import { SECRET_MANAGER_CLOUDS, SECRET_MANAGER_KINDS, type SecretManagerKind, type SecretReference } from "../domain/secret-managers.js";
import { readIntegrationConfig } from "../secret-managers/integration-configs.js";
import type { SecretManagerRegistry } from "../secret-managers/registry.js";
import type { IntegrationAccess, IntegrationValidation, OwnCredential } from "../secret-managers/secret-manager.js";
import type { Page, PageRequest } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { requireEnvironment } from "./environments.js";
import { characterCount, FieldChecks, GUID } from "./input.js";
import { assertEnvironmentAdmin, assertIntegrationAdmin, loadInEnvironment, type Principal } from "./principal.js";
import type { SecretBox } from "./secret-box.js";

export const MAX_INTEGRATION_NAME = 60;
/** A PEM bundle with a certificate and a private key, in either order. */
export const CERTIFICATE_AND_KEY_PEM_PATTERN = String.raw`-----BEGIN CERTIFICATE-----[\s\S]*-----BEGIN (?:RSA |EC )?PRIVATE KEY-----|-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]*-----BEGIN CERTIFICATE-----`;
const CERTIFICATE_AND_KEY_PEM = new RegExp(CERTIFICATE_AND_KEY_PEM_PATTERN, "u");
export const PROVIDERS: readonly IntegrationProvider[] = ["AZURE", "AWS", "GCP"];

/** The secret manager that reads through integrations of this provider, when this server runs it. */
export function managerKindOf(provider: IntegrationProvider, managers: Pick<SecretManagerRegistry, "get">): SecretManagerKind | undefined {
  return SECRET_MANAGER_KINDS.find((kind) => SECRET_MANAGER_CLOUDS[kind] === provider && managers.get(kind) !== undefined);
}

/** An integration as the API shows it: status with ACTIVE derived, usages as connectors. */
export interface IntegrationView {
  readonly integration: ProviderIntegration;
  readonly status: IntegrationStatus;
  readonly usages: readonly Connector[];
  /** The own credential's kind and client id (never the secret), when there is one. */
  readonly credential: { readonly kind: OwnCredential["kind"]; readonly clientId: string } | null;
}

export interface IntegrationConfigInput {
  /** `config.kind`, e.g. AzureIntegrationConfig. */
  readonly kind?: unknown;
  readonly customerAzureTenantId?: unknown;
  /** AWS: `customer_iam_role_arn`. */
  readonly customerIamRoleArn?: unknown;
  /** vaultwire extension: the integration's own service principal. */
  readonly credential?: unknown;
}

export interface IntegrationService {
  /**
   * Creates a DRAFT integration (pim/v2: the configuration comes later), or,
   * with `config`, a CREATED one configured at once (pim/v1's AWS shape: the
   * customer's role; vaultwire generates the external id).
   */
  create(principal: Principal, input: { displayName: unknown; provider: unknown; environmentId: unknown; config?: unknown }): Promise<IntegrationView>;
  list(principal: Principal, filter: { environmentId: string; provider?: string; status?: string; displayName?: string }, page: PageRequest): Promise<Page<IntegrationView>>;
  get(principal: Principal, id: string, environmentId?: string): Promise<IntegrationView>;
  updateConfig(principal: Principal, id: string, environmentId: string | undefined, input: IntegrationConfigInput): Promise<IntegrationView>;
  delete(principal: Principal, id: string, environmentId?: string): Promise<void>;
  /**
   * Its secret manager's probes: on `reference`'s secret, or in `location`
   * (a vault URI, a region). `identifier` (the API's `secret_identifier`) is
   * parsed with the grammar of the integration's own secret manager and
   * probed like `reference`; a malformed one is an InputError on
   * `secret_identifier`.
   */
  validate(principal: Principal, id: string, environmentId: string | undefined, options: { location?: string; reference?: SecretReference; identifier?: string }): Promise<IntegrationValidation>;
  /** What a secret manager is told of an integration (its own credential decrypted); for connectors and secret delivery. Throws for a DRAFT one. */
  accessOf(integration: ProviderIntegration): IntegrationAccess;
}

export interface IntegrationDependencies extends ServiceContext {
  readonly box: SecretBox;
  readonly managers: Pick<SecretManagerRegistry, "get" | "invalidate">;
}

export function integrationNotFound(id: string): NotFoundError {
  return new NotFoundError(`provider integration "${id}" was not found`);
}

export function credentialContext(integrationId: string): string {
  return `integration:${integrationId}:credential`;
}

export function createIntegrationService(deps: IntegrationDependencies): IntegrationService {
  const { store, box } = deps;

  function openCredential(integration: ProviderIntegration): OwnCredential | null {
    if (integration.credentialCiphertext === null) return null;
    return JSON.parse(box.open(integration.credentialCiphertext, credentialContext(integration.id))) as OwnCredential;
  }

  function accessOf(integration: ProviderIntegration): IntegrationAccess {
    if (integration.config === null) throw new ConflictError(`provider integration "${integration.id}" is DRAFT: it has no configuration yet`);
    return { id: integration.id, config: integration.config, credential: openCredential(integration) };
  }

  async function view(integration: ProviderIntegration): Promise<IntegrationView> {
    const usages = await store.connectors.listByIntegration(integration.id);
    const credential = openCredential(integration);
    return {
      integration,
      status: integration.status === "CREATED" && usages.length > 0 ? "ACTIVE" : integration.status,
      usages,
      credential: credential ? { kind: credential.kind, clientId: credential.clientId } : null,
    };
  }

  function load(principal: Principal, id: string, environmentId?: string): Promise<ProviderIntegration> {
    return loadInEnvironment(principal, () => store.integrations.get(id), environmentId, () => integrationNotFound(id));
  }

  const requireVisibleEnvironment = (principal: Principal, environmentId: string) => requireEnvironment(store, principal, environmentId);

  return {
    async create(principal, input) {
      const checks = new FieldChecks();
      const displayName = checks.requiredString("display_name", input.displayName, MAX_INTEGRATION_NAME);
      const provider = checks.oneOf("provider", input.provider, PROVIDERS);
      const supported = PROVIDERS.filter((p) => managerKindOf(p, deps.managers) !== undefined);
      if (provider !== undefined && !supported.includes(provider)) checks.add("provider", `provider ${provider} is not supported by this server; supported: ${supported.join(", ")}`);
      const environmentId = checks.requiredString("environment.id", input.environmentId, 64);
      let config: IntegrationConfig | null = null;
      if (input.config !== undefined && provider !== undefined) {
        if (typeof input.config !== "object" || input.config === null || Array.isArray(input.config)) checks.add("config", "config must be an object");
        else {
          const read = readIntegrationConfig(provider, input.config as Record<string, unknown>, { externalId: crypto.randomUUID() });
          if (read === null) checks.add("config", `provider ${provider} has no configuration vaultwire can read`);
          else if (!read.ok) for (const problem of read.error) checks.add(problem.field, problem.message);
          else config = read.value;
        }
      }
      checks.throwIfAny("invalid provider integration");
      await requireVisibleEnvironment(principal, environmentId ?? "");
      assertEnvironmentAdmin(principal, "creating a provider integration", environmentId ?? "");
      const now = deps.now();
      const integration: ProviderIntegration = {
        id: deps.newId("providerIntegration"),
        environmentId: environmentId ?? "",
        displayName: displayName ?? "",
        provider: provider ?? "AZURE",
        status: config === null ? "DRAFT" : "CREATED",
        config,
        credentialCiphertext: null,
        createdAt: now,
        updatedAt: now,
      };
      await store.integrations.insert(integration);
      return view(integration);
    },

    async list(principal, filter, page) {
      await requireVisibleEnvironment(principal, filter.environmentId);
      const checks = new FieldChecks();
      const provider = filter.provider === undefined ? undefined : checks.oneOf("provider", filter.provider, PROVIDERS);
      const status = filter.status === undefined ? undefined : checks.oneOf<IntegrationStatus>("status", filter.status, ["DRAFT", "CREATED", "ACTIVE"]);
      checks.throwIfAny();
      const statuses: StoredIntegrationStatus[] | undefined = status === undefined ? undefined : status === "DRAFT" ? ["DRAFT"] : ["CREATED"];
      const result = await store.integrations.list({
        environmentId: filter.environmentId,
        ...(provider === undefined ? {} : { provider }),
        ...(filter.displayName === undefined ? {} : { displayName: filter.displayName }),
        ...(statuses === undefined ? {} : { statuses }),
      }, page);
      const views = await Promise.all(result.items.map(view));
      return { items: status === undefined ? views : views.filter((v) => v.status === status), nextPageToken: result.nextPageToken };
    },

    async get(principal, id, environmentId) {
      return view(await load(principal, id, environmentId));
    },

    async updateConfig(principal, id, environmentId, input) {
      const existing = await load(principal, id, environmentId);
      assertIntegrationAdmin(principal, "changing a provider integration", existing.environmentId, existing.id);
      const checks = new FieldChecks();
      let config = existing.config;
      if (input.kind !== undefined || input.customerAzureTenantId !== undefined || input.customerIamRoleArn !== undefined) {
        if (existing.status !== "DRAFT") {
          throw new ConflictError(`provider integration "${id}" is ${existing.status}: its configuration can be set only while it is DRAFT; create a new integration to use another tenant`);
        }
        const read = readIntegrationConfig(existing.provider, { kind: input.kind, customer_azure_tenant_id: input.customerAzureTenantId, customer_iam_role_arn: input.customerIamRoleArn }, { externalId: crypto.randomUUID() });
        if (read === null) checks.add("config", `provider ${existing.provider} has no configuration vaultwire can read`);
        else if (!read.ok) for (const problem of read.error) checks.add(problem.field, problem.message);
        else config = read.value;
      }
      let credentialCiphertext = existing.credentialCiphertext;
      if (input.credential !== undefined) {
        const credential = readCredential(checks, input.credential);
        credentialCiphertext = credential === null ? null : box.seal(JSON.stringify(credential), credentialContext(id));
      }
      if (config === null && input.credential !== undefined && checks.problems.length === 0) {
        throw new ConflictError(`provider integration "${id}" is DRAFT: set config.customer_azure_tenant_id before (or together with) a credential`);
      }
      if (input.kind === undefined && input.customerAzureTenantId === undefined && input.customerIamRoleArn === undefined && input.credential === undefined) {
        checks.add("config", "nothing to update: give config.customer_azure_tenant_id and/or config.credential");
      }
      checks.throwIfAny("invalid provider integration configuration");
      const updated = await store.integrations.update(id, { config, credentialCiphertext, status: config === null ? "DRAFT" : "CREATED", updatedAt: deps.now() });
      if (!updated) throw integrationNotFound(id);
      deps.managers.invalidate(id);
      return view(updated);
    },

    async delete(principal, id, environmentId) {
      const existing = await load(principal, id, environmentId);
      assertIntegrationAdmin(principal, "deleting a provider integration", existing.environmentId, existing.id);
      await store.transaction(async (tx) => {
        const usages = await tx.connectors.listByIntegration(id);
        if (usages.length > 0) {
          throw new ConflictError(`provider integration "${id}" is currently in use by ${usages.length} resource(s): ${usages.map((c) => `connector "${c.name}" (${c.id})`).join(", ")}; delete or reconfigure them first`);
        }
        await tx.integrations.delete(id);
      });
      deps.managers.invalidate(id);
    },

    async validate(principal, id, environmentId, options) {
      const integration = await load(principal, id, environmentId);
      assertIntegrationAdmin(principal, "validating a provider integration", integration.environmentId, integration.id);
      const kind = managerKindOf(integration.provider, deps.managers);
      const manager = kind === undefined ? undefined : deps.managers.get(kind);
      let reference = options.reference;
      // The request is checked before the integration's state: a malformed identifier is a 400 even on a DRAFT one.
      if (options.identifier !== undefined && manager) {
        const parsed = manager.grammar.parse(options.identifier);
        if (!parsed.ok) throw new InputError(`secret_identifier: ${parsed.error.message}`, [{ field: "secret_identifier", message: parsed.error.message }]);
        reference = parsed.value;
      }
      if (integration.config === null) {
        throw new ConflictError(`provider integration "${id}" is DRAFT: set config.${draftField(integration.provider)} first`);
      }
      if (!manager) throw new ConflictError(`provider integration "${id}" is an ${integration.provider} integration, and this server runs no secret manager for ${integration.provider}`);
      return manager.validateIntegration(accessOf(integration), {
        ...(options.location === undefined ? {} : { location: options.location }),
        ...(reference === undefined ? {} : { reference }),
      });
    },

    accessOf,
  };
}

/** The field that takes a DRAFT integration of this provider out of DRAFT. */
function draftField(provider: IntegrationProvider): string {
  return provider === "AWS" ? "customer_iam_role_arn" : "customer_azure_tenant_id";
}

/** `{kind: "ClientSecret", client_id, client_secret}` or `{kind: "ClientCertificate", client_id, certificate_pem}`; null removes it. */
function readCredential(checks: FieldChecks, value: unknown): OwnCredential | null {
  if (value === null) return null;
  const field = "config.credential";
  if (typeof value !== "object" || Array.isArray(value)) {
    checks.add(field, `${field} must be an object {kind, client_id, client_secret | certificate_pem} or null`);
    return null;
  }
  const input = value as Record<string, unknown>;
  const clientId = checks.requiredString(`${field}.client_id`, input.client_id, 36);
  if (clientId !== undefined && !GUID.test(clientId)) checks.add(`${field}.client_id`, `${field}.client_id must be an application (client) id, a GUID`);
  if (input.kind === "ClientSecret") {
    const secret = checks.requiredString(`${field}.client_secret`, input.client_secret, 1024);
    return secret === undefined || clientId === undefined ? null : { kind: "client-secret", clientId: clientId.toLowerCase(), clientSecret: secret };
  }
  if (input.kind === "ClientCertificate") {
    const pem = typeof input.certificate_pem === "string" ? input.certificate_pem : "";
    if (!CERTIFICATE_AND_KEY_PEM.test(pem) || characterCount(pem) > 65_536) {
      checks.add(`${field}.certificate_pem`, `${field}.certificate_pem must be PEM with the certificate and its private key`);
      return null;
    }
    return clientId === undefined ? null : { kind: "client-certificate", clientId: clientId.toLowerCase(), certificatePem: pem };
  }
  checks.add(`${field}.kind`, `${field}.kind must be ClientSecret or ClientCertificate`);
  return null;
}
