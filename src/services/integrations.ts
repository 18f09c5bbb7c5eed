/**
 * Provider integrations: the cloud identity through which a connector's
 * secrets are read. DRAFT on creation, CREATED once the customer's tenant is
 * attached, ACTIVE while connectors use it (derived from usages).
 */
import { ConflictError, NotFoundError } from "../domain/errors.js";
import type { AzureKeyVaultSecretIdentifier } from "../domain/azure-key-vault-identifier.js";
import type { Connector, IntegrationProvider, IntegrationStatus, ProviderIntegration, StoredIntegrationStatus } from "../domain/resources.js";
import type { AzureIntegration, AzureKeyVaultSecretManager, IntegrationCredential } from "../secret-managers/azure-key-vault/index.js";
import type { IntegrationValidation } from "../secret-managers/secret-manager.js";
import type { Page, PageRequest } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { requireEnvironment } from "./environments.js";
import { characterCount, FieldChecks, GUID } from "./input.js";
import { assertEnvironmentAdmin, loadInEnvironment, type Principal } from "./principal.js";
import type { SecretBox } from "./secret-box.js";

export const MAX_INTEGRATION_NAME = 60;
/** A PEM bundle with a certificate and a private key, in either order. */
export const CERTIFICATE_AND_KEY_PEM_PATTERN = String.raw`-----BEGIN CERTIFICATE-----[\s\S]*-----BEGIN (?:RSA |EC )?PRIVATE KEY-----|-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]*-----BEGIN CERTIFICATE-----`;
const CERTIFICATE_AND_KEY_PEM = new RegExp(CERTIFICATE_AND_KEY_PEM_PATTERN, "u");
export const PROVIDERS: readonly IntegrationProvider[] = ["AZURE", "AWS", "GCP"];
const SUPPORTED_PROVIDERS: readonly IntegrationProvider[] = ["AZURE"];

/** An integration as the API shows it: status with ACTIVE derived, usages as connectors. */
export interface IntegrationView {
  readonly integration: ProviderIntegration;
  readonly status: IntegrationStatus;
  readonly usages: readonly Connector[];
  /** The own credential's kind and client id (never the secret), when there is one. */
  readonly credential: { readonly kind: IntegrationCredential["kind"]; readonly clientId: string } | null;
}

export interface IntegrationConfigInput {
  /** `config.kind`, e.g. AzureIntegrationConfig. */
  readonly kind?: unknown;
  readonly customerAzureTenantId?: unknown;
  /** vaultwire extension: the integration's own service principal. */
  readonly credential?: unknown;
}

export interface IntegrationService {
  create(principal: Principal, input: { displayName: unknown; provider: unknown; environmentId: unknown }): Promise<IntegrationView>;
  list(principal: Principal, filter: { environmentId: string; provider?: string; status?: string; displayName?: string }, page: PageRequest): Promise<Page<IntegrationView>>;
  get(principal: Principal, id: string, environmentId?: string): Promise<IntegrationView>;
  updateConfig(principal: Principal, id: string, environmentId: string | undefined, input: IntegrationConfigInput): Promise<IntegrationView>;
  delete(principal: Principal, id: string, environmentId?: string): Promise<void>;
  validate(principal: Principal, id: string, environmentId: string | undefined, options: { vaultUri?: string; identifier?: AzureKeyVaultSecretIdentifier }): Promise<IntegrationValidation>;
  /** The secret manager's view of an integration (decrypted credential); for connectors and secret delivery. */
  toAzureIntegration(integration: ProviderIntegration): AzureIntegration;
}

export interface IntegrationDependencies extends ServiceContext {
  readonly box: SecretBox;
  readonly azure: Pick<AzureKeyVaultSecretManager, "validateIntegration" | "invalidate">;
}

export function integrationNotFound(id: string): NotFoundError {
  return new NotFoundError(`provider integration "${id}" was not found`);
}

export function credentialContext(integrationId: string): string {
  return `integration:${integrationId}:credential`;
}

export function createIntegrationService(deps: IntegrationDependencies): IntegrationService {
  const { store, box } = deps;

  function openCredential(integration: ProviderIntegration): IntegrationCredential | null {
    if (integration.credentialCiphertext === null) return null;
    return JSON.parse(box.open(integration.credentialCiphertext, credentialContext(integration.id))) as IntegrationCredential;
  }

  function toAzureIntegration(integration: ProviderIntegration): AzureIntegration {
    const credential = openCredential(integration);
    return { id: integration.id, customerTenantId: integration.config?.customerAzureTenantId ?? "", ...(credential ? { credential } : {}) };
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
      if (provider !== undefined && !SUPPORTED_PROVIDERS.includes(provider)) checks.add("provider", `provider ${provider} is not supported yet; supported: ${SUPPORTED_PROVIDERS.join(", ")}`);
      const environmentId = checks.requiredString("environment.id", input.environmentId, 64);
      checks.throwIfAny("invalid provider integration");
      await requireVisibleEnvironment(principal, environmentId ?? "");
      assertEnvironmentAdmin(principal, "creating a provider integration");
      const now = deps.now();
      const integration: ProviderIntegration = {
        id: deps.newId("providerIntegration"),
        environmentId: environmentId ?? "",
        displayName: displayName ?? "",
        provider: provider ?? "AZURE",
        status: "DRAFT",
        config: null,
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
      assertEnvironmentAdmin(principal, "changing a provider integration");
      const checks = new FieldChecks();
      let config = existing.config;
      if (input.kind !== undefined || input.customerAzureTenantId !== undefined) {
        if (existing.status !== "DRAFT") {
          throw new ConflictError(`provider integration "${id}" is ${existing.status}: its configuration can be set only while it is DRAFT; create a new integration to use another tenant`);
        }
        if (input.kind !== undefined && input.kind !== "AzureIntegrationConfig") checks.add("config.kind", "config.kind must be AzureIntegrationConfig for an AZURE integration");
        const tenant = checks.requiredString("config.customer_azure_tenant_id", input.customerAzureTenantId, 36);
        if (tenant !== undefined && !GUID.test(tenant)) checks.add("config.customer_azure_tenant_id", "config.customer_azure_tenant_id must be a tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)");
        config = { kind: "AzureIntegrationConfig", customerAzureTenantId: (tenant ?? "").toLowerCase() };
      }
      let credentialCiphertext = existing.credentialCiphertext;
      if (input.credential !== undefined) {
        const credential = readCredential(checks, input.credential);
        credentialCiphertext = credential === null ? null : box.seal(JSON.stringify(credential), credentialContext(id));
      }
      if (config === null && input.credential !== undefined && checks.problems.length === 0) {
        throw new ConflictError(`provider integration "${id}" is DRAFT: set config.customer_azure_tenant_id before (or together with) a credential`);
      }
      if (input.kind === undefined && input.customerAzureTenantId === undefined && input.credential === undefined) {
        checks.add("config", "nothing to update: give config.customer_azure_tenant_id and/or config.credential");
      }
      checks.throwIfAny("invalid provider integration configuration");
      const updated = await store.integrations.update(id, { config, credentialCiphertext, status: config === null ? "DRAFT" : "CREATED", updatedAt: deps.now() });
      if (!updated) throw integrationNotFound(id);
      deps.azure.invalidate(id);
      return view(updated);
    },

    async delete(principal, id, environmentId) {
      await load(principal, id, environmentId);
      assertEnvironmentAdmin(principal, "deleting a provider integration");
      await store.transaction(async (tx) => {
        const usages = await tx.connectors.listByIntegration(id);
        if (usages.length > 0) {
          throw new ConflictError(`provider integration "${id}" is currently in use by ${usages.length} resource(s): ${usages.map((c) => `connector "${c.name}" (${c.id})`).join(", ")}; delete or reconfigure them first`);
        }
        await tx.integrations.delete(id);
      });
      deps.azure.invalidate(id);
    },

    async validate(principal, id, environmentId, options) {
      const integration = await load(principal, id, environmentId);
      assertEnvironmentAdmin(principal, "validating a provider integration");
      if (integration.config === null) {
        throw new ConflictError(`provider integration "${id}" is DRAFT: set config.customer_azure_tenant_id first`);
      }
      return deps.azure.validateIntegration(toAzureIntegration(integration), options);
    },

    toAzureIntegration,
  };
}

/** `{kind: "ClientSecret", client_id, client_secret}` or `{kind: "ClientCertificate", client_id, certificate_pem}`; null removes it. */
function readCredential(checks: FieldChecks, value: unknown): IntegrationCredential | null {
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
