/**
 * Connectors: validate (static rules, then a live dry run of every managed
 * field), store the desired state (identifiers, never values; plaintext
 * secrets encrypted), and hand changes to the runtime.
 */
import { catalog, type CatalogPlugin } from "../catalog/index.js";
import type { ConnectorConfig } from "../domain/connector-config.js";
import { SECRET_MANAGER_FIELDS, secretBinding, secretManagerEnabled, validateConnectorConfigInput, type ValidationReport } from "../domain/connector-validation.js";
import { ConflictError, InputError, NotAllowedError, NotFoundError, type FieldProblem } from "../domain/errors.js";
import type { RegionPolicy } from "../domain/region-policy.js";
import type { Connector, ConnectorStatus, DesiredConnectorState, KafkaCluster, ProviderIntegration } from "../domain/resources.js";
import { isSecretManagerKind, SECRET_MANAGER_CLOUDS } from "../domain/secret-managers.js";
import { maskConfig, restoreMaskedValues, separateSecrets } from "../domain/sensitive-values.js";
import type { SecretManagerRegistry } from "../secret-managers/registry.js";
import { databaseLeftovers } from "../runtime/kafka-connect/translate.js";
import { UniqueViolationError } from "../store/store.js";
import { placementOf, type ClusterService } from "./clusters.js";
import type { ServiceContext } from "./context.js";
import { FieldChecks, checkResourceName } from "./input.js";
import type { IntegrationService } from "./integrations.js";
import { assertConnectorManager, canAssignIntegration, integrationAssignmentRefusal, type Principal } from "./principal.js";
import type { ConnectorRuntime } from "./runtime.js";
import type { SecretBox } from "./secret-box.js";

export interface ConnectorDependencies extends ServiceContext {
  readonly box: SecretBox;
  readonly clusters: Pick<ClusterService, "get">;
  readonly integrations: Pick<IntegrationService, "accessOf">;
  /** The secret managers this server runs (their grammars validate; their fetch does the dry run). */
  readonly managers: Pick<SecretManagerRegistry, "grammars" | "get" | "invalidate">;
  readonly runtime: ConnectorRuntime;
  readonly regionPolicy?: RegionPolicy;
}

export interface ConnectorLocation {
  readonly environmentId: string;
  readonly clusterId: string;
}

export interface ConnectorService {
  plugins(): readonly CatalogPlugin[];
  /** Kafka Connect's validate response with live resolution errors merged in. */
  validate(principal: Principal, at: ConnectorLocation, plugin: string, config: unknown): Promise<ValidationReport>;
  create(principal: Principal, at: ConnectorLocation, input: { name: unknown; config: unknown }): Promise<Connector>;
  /** PUT …/config: creates or replaces. */
  putConfig(principal: Principal, at: ConnectorLocation, name: string, config: unknown): Promise<{ connector: Connector; created: boolean }>;
  list(principal: Principal, at: ConnectorLocation): Promise<readonly Connector[]>;
  get(principal: Principal, at: ConnectorLocation, name: string): Promise<Connector>;
  setDesiredState(principal: Principal, at: ConnectorLocation, name: string, state: DesiredConnectorState): Promise<Connector>;
  restart(principal: Principal, at: ConnectorLocation, name: string): Promise<Connector>;
  /** Removes the connector; returns notes for people about what it leaves in its source database. */
  delete(principal: Principal, at: ConnectorLocation, name: string): Promise<{ notices: readonly string[] }>;
  /** The config as the API shows it: identifiers shown, other sensitive values masked. */
  maskedConfig(connector: Connector): Record<string, string>;
  /**
   * Encrypts secret values that an older vaultwire left in a stored config
   * (before one rule decided what is secret, a key the new plugin did not
   * define could be stored in plaintext). Run at start-up; returns how many
   * connectors were rewritten.
   */
  sealStoredPlaintext(): Promise<number>;
  connectorType(connector: Connector): "source" | "sink";
}

export function connectorNotFound(name: string): NotFoundError {
  return new NotFoundError(`connector "${name}" was not found`);
}

export function sensitiveContext(connectorId: string): string {
  return `connector:${connectorId}:sensitive`;
}

/** The plaintext sensitive values of a connector, decrypted; empty when it has none. */
export function openSensitive(box: SecretBox, connector: Connector): Record<string, string> {
  return connector.sensitiveCiphertext === null ? {} : JSON.parse(box.open(connector.sensitiveCiphertext, sensitiveContext(connector.id))) as Record<string, string>;
}

export function createConnectorService(deps: ConnectorDependencies): ConnectorService {
  const { store, box } = deps;

  async function clusterFor(principal: Principal, at: ConnectorLocation): Promise<KafkaCluster> {
    return deps.clusters.get(principal, at.clusterId, at.environmentId);
  }

  /** Static validation, then the integration checks and a live dry run of every managed field. */
  async function fullValidation(at: ConnectorLocation, cluster: KafkaCluster, config: unknown): Promise<ValidationReport> {
    const report = validateConnectorConfigInput(config, {
      plugins: catalog,
      grammars: deps.managers.grammars,
      cluster: placementOf(cluster),
      ...(deps.regionPolicy ? { regionPolicy: deps.regionPolicy } : {}),
    });
    const extra = new Map<string, string[]>();
    const add = (key: string, message: string) => extra.set(key, [...(extra.get(key) ?? []), message]);
    const errorsOn = (key: string) => report.configs.find((c) => c.value.name === key)?.value.errors.length ?? 0;
    const flat = typeof config === "object" && config !== null && !Array.isArray(config) ? config as Record<string, unknown> : {};
    const stringConfig: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, value] of Object.entries(flat)) if (typeof value === "string") stringConfig[key] = value;

    const binding = secretBinding(stringConfig, deps.managers.grammars);
    const integrationId = binding?.integrationId;
    if (binding && integrationId && errorsOn(SECRET_MANAGER_FIELDS.integrationId) === 0) {
      const integration = await store.integrations.get(integrationId);
      const problem = integrationProblem(integration, integrationId, at.environmentId, binding.manager);
      const manager = deps.managers.get(binding.manager);
      if (problem !== null) add(SECRET_MANAGER_FIELDS.integrationId, problem);
      else if (integration && manager) {
        const requests = binding.fields.filter((f) => errorsOn(f.key) === 0).map((f) => ({ key: f.key, identifier: f.reference }));
        if (requests.length > 0) {
          // A live read: what is cached for running tasks may no longer be readable.
          const results = await manager.fetch(deps.integrations.accessOf(integration), requests, { live: true });
          // Values are dropped here: a dry run only proves they can be read.
          for (const result of results) if (!result.ok) add(result.key, result.error.message);
        }
      }
    }
    if (extra.size === 0) return report;
    let added = 0;
    const configs = report.configs.map((entry) => {
      const more = extra.get(entry.value.name);
      if (!more) return entry;
      added += more.length;
      return { ...entry, value: { ...entry.value, errors: [...entry.value.errors, ...more] } };
    });
    return { ...report, configs, error_count: report.error_count + added };
  }

  function reportProblems(report: ValidationReport): FieldProblem[] {
    return report.configs.flatMap((c) => c.value.errors.map((message) => ({ field: c.value.name, message })));
  }

  function rejectInvalid(report: ValidationReport): void {
    if (report.error_count === 0) return;
    const problems = reportProblems(report);
    throw new InputError(
      `Connector configuration is invalid and contains the following ${problems.length} error(s):\n${problems.map((p) => `${p.field}: ${p.message}`).join("\n")}\nYou can also find the above list of errors at the endpoint \`/connector-plugins/${report.name || "{connectorType}"}/config/validate\``,
      problems,
    );
  }

  /** Splits off the secret values (encrypted, bound to the connector); keeps identifiers and everything else. */
  function split(connectorId: string, config: ConnectorConfig): { config: ConnectorConfig; sensitiveCiphertext: string | null } {
    const { config: kept, secrets } = separateSecrets(config, catalog);
    return {
      config: kept,
      sensitiveCiphertext: Object.keys(secrets).length === 0 ? null : box.seal(JSON.stringify(secrets), sensitiveContext(connectorId)),
    };
  }

  /**
   * The config with each masked value replaced by the stored one, where the
   * domain allows it; a field error for every masked value it does not.
   */
  function withStoredSecrets(config: Record<string, unknown>, existing: Connector | undefined): Record<string, unknown> {
    const strings: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [key, value] of Object.entries(config)) if (typeof value === "string") strings[key] = value;
    const stored = existing ? { config: existing.config, secrets: openSensitive(box, existing) } : undefined;
    const restored = restoreMaskedValues(strings, catalog, stored);
    if (!restored.ok) {
      const problems = restored.error;
      throw new InputError(`Connector configuration is invalid and contains the following ${problems.length} error(s):\n${problems.map((p) => `${p.field}: ${p.message}`).join("\n")}`, problems);
    }
    const merged: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) merged[key] = typeof value === "string" ? restored.value[key] : value;
    return merged;
  }

  async function notifyRuntime(connector: Connector, action: (runtime: ConnectorRuntime) => Promise<ConnectorStatus | null | undefined>): Promise<Connector> {
    let status: ConnectorStatus | null | undefined;
    try {
      status = await action(deps.runtime);
    } catch (error) {
      status = { state: "PROVISIONING", workerId: null, trace: `waiting for Kafka Connect: ${(error as Error).message}`, tasks: [], observedAt: deps.now() };
    }
    if (!status) return connector;
    await store.connectors.updateStatus(connector.id, status);
    return { ...connector, status };
  }

  async function find(principal: Principal, at: ConnectorLocation, name: string): Promise<Connector> {
    await clusterFor(principal, at);
    const connector = await store.connectors.getByName(at.clusterId, name);
    if (!connector) throw connectorNotFound(name);
    return connector;
  }

  async function write(principal: Principal, at: ConnectorLocation, name: string, rawConfig: unknown, existing: Connector | undefined): Promise<Connector> {
    const cluster = await clusterFor(principal, at);
    assertConnectorManager(principal, existing ? "changing a connector" : "creating a connector", cluster.environmentId);
    assertMayAssign(principal, cluster.environmentId, rawConfig);
    const checks = new FieldChecks();
    checkResourceName(checks, "name", name);
    checks.throwIfAny("invalid connector");
    if (typeof rawConfig !== "object" || rawConfig === null || Array.isArray(rawConfig)) {
      throw new InputError("config must be a JSON object of string keys to string values", [{ field: "config", message: "must be a JSON object" }]);
    }
    const given: Record<string, unknown> = { ...(rawConfig as Record<string, unknown>) };
    if (given.name === undefined) given.name = name;
    else if (given.name !== name) {
      throw new InputError(`the "name" configuration (${JSON.stringify(given.name).slice(0, 255)}) must equal the connector name "${name}"`, [{ field: "name", message: "must equal the connector name" }]);
    }
    // Before validation, so a stored secret is checked (and kept) only where it may stay.
    const config = withStoredSecrets(given, existing);
    const report = await fullValidation(at, cluster, config);
    rejectInvalid(report);
    const valid = config as Record<string, string>;
    const plugin = valid["connector.class"]?.trim() ?? "";
    const integrationId = secretManagerEnabled(valid) ? valid[SECRET_MANAGER_FIELDS.integrationId]?.trim() ?? null : null;
    const now = deps.now();
    if (existing) {
      const { config: kept, sensitiveCiphertext } = split(existing.id, valid);
      const updated = await store.connectors.updateSpec(existing.id, existing.generation, { plugin, config: kept, sensitiveCiphertext, integrationId, desiredState: existing.desiredState, updatedAt: now });
      if (!updated) throw new ConflictError(`connector "${name}" was changed by another request; retry`);
      return notifyRuntime(updated, (runtime) => runtime.apply(updated));
    }
    const id = deps.newId("connector");
    const { config: kept, sensitiveCiphertext } = split(id, valid);
    const connector: Connector = {
      id,
      environmentId: at.environmentId,
      clusterId: at.clusterId,
      name,
      plugin,
      config: kept,
      sensitiveCiphertext,
      integrationId,
      desiredState: "RUNNING",
      status: { state: "PROVISIONING", workerId: null, trace: null, tasks: [], observedAt: now },
      generation: 1,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await store.connectors.insert(connector);
    } catch (error) {
      if (error instanceof UniqueViolationError) throw new ConflictError(`Connector ${name} already exists`);
      throw error;
    }
    return notifyRuntime(connector, (runtime) => runtime.apply(connector));
  }

  return {
    plugins: () => catalog.all(),

    async validate(principal, at, plugin, config) {
      const cluster = await clusterFor(principal, at);
      assertConnectorManager(principal, "validating a connector configuration", cluster.environmentId);
      assertMayAssign(principal, cluster.environmentId, config);
      if (!catalog.get(plugin)) throw new NotFoundError(`connector plugin "${plugin}" was not found; known plugins: ${catalog.names().join(", ")}`);
      const body = typeof config === "object" && config !== null && !Array.isArray(config) ? { ...(config as Record<string, unknown>) } : config;
      if (typeof body === "object" && body !== null && !Array.isArray(body)) {
        const map = body as Record<string, unknown>;
        if (map["connector.class"] === undefined) map["connector.class"] = plugin;
        else if (map["connector.class"] !== plugin) {
          throw new InputError(`connector.class ${JSON.stringify(map["connector.class"]).slice(0, 255)} does not match the plugin "${plugin}" in the path`, [{ field: "connector.class", message: "must match the plugin in the path" }]);
        }
      }
      return fullValidation(at, cluster, body);
    },

    async create(principal, at, input) {
      const checks = new FieldChecks();
      const name = checkResourceName(checks, "name", input.name);
      checks.throwIfAny("invalid connector");
      const config = typeof input.config === "object" && input.config !== null && !Array.isArray(input.config) ? input.config : undefined;
      if (config === undefined) throw new InputError("config is required: a JSON object of string keys to string values", [{ field: "config", message: "required" }]);
      return write(principal, at, name ?? "", config, undefined);
    },

    async putConfig(principal, at, name, config) {
      await clusterFor(principal, at);
      const existing = await store.connectors.getByName(at.clusterId, name);
      const connector = await write(principal, at, name, config, existing);
      return { connector, created: existing === undefined };
    },

    async list(principal, at) {
      await clusterFor(principal, at);
      return store.connectors.listByCluster(at.clusterId);
    },

    get: find,

    async setDesiredState(principal, at, name, state) {
      const connector = await find(principal, at, name);
      assertConnectorManager(principal, state === "PAUSED" ? "pausing a connector" : "resuming a connector", connector.environmentId);
      if (connector.desiredState === state) return connector;
      const updated = await store.connectors.updateSpec(connector.id, connector.generation, { plugin: connector.plugin, config: connector.config, sensitiveCiphertext: connector.sensitiveCiphertext, integrationId: connector.integrationId, desiredState: state, updatedAt: deps.now() });
      if (!updated) throw new ConflictError(`connector "${name}" was changed by another request; retry`);
      return notifyRuntime(updated, (runtime) => runtime.apply(updated));
    },

    async restart(principal, at, name) {
      const connector = await find(principal, at, name);
      assertConnectorManager(principal, "restarting a connector", connector.environmentId);
      // A restart re-reads the connector's secrets: after a fix in the vault it takes effect at once.
      if (connector.integrationId !== null) deps.managers.invalidate(connector.integrationId);
      return notifyRuntime(connector, async (runtime) => {
        await runtime.restart(connector);
        return undefined;
      });
    },

    async delete(principal, at, name) {
      const connector = await find(principal, at, name);
      assertConnectorManager(principal, "deleting a connector", connector.environmentId);
      // The record goes first: a pass that runs meanwhile must not deploy the connector again.
      await store.connectors.delete(connector.id);
      await deps.runtime.remove(connector);
      return { notices: databaseLeftovers(connector) };
    },

    async sealStoredPlaintext() {
      let sealed = 0;
      for (const connector of await store.connectors.listAll()) {
        const { config: kept, secrets } = separateSecrets(connector.config, catalog);
        if (Object.keys(secrets).length === 0) continue;
        const merged = { ...openSensitive(box, connector), ...secrets };
        const updated = await store.connectors.updateSpec(connector.id, connector.generation, {
          plugin: connector.plugin,
          config: kept,
          sensitiveCiphertext: box.seal(JSON.stringify(merged), sensitiveContext(connector.id)),
          integrationId: connector.integrationId,
          desiredState: connector.desiredState,
          updatedAt: deps.now(),
        });
        if (updated) sealed++;
      }
      return sealed;
    },

    maskedConfig(connector) {
      return maskConfig(connector.config, Object.keys(openSensitive(box, connector)), catalog);
    },

    connectorType(connector) {
      return catalog.get(connector.plugin)?.connectorType === "SINK" ? "sink" : "source";
    },
  };
}

/**
 * A config that uses the secret manager makes vaultwire deliver what its
 * integration can read to the host the config names: only those who may
 * assign the integration may write one (see docs/security.md).
 */
function assertMayAssign(principal: Principal, environmentId: string, config: unknown): void {
  if (typeof config !== "object" || config === null || Array.isArray(config)) return;
  const map = config as Record<string, unknown>;
  const enabled = map[SECRET_MANAGER_FIELDS.enabled];
  const integrationId = map[SECRET_MANAGER_FIELDS.integrationId];
  if (typeof enabled !== "string" || enabled.trim().toLowerCase() !== "true") return;
  const id = typeof integrationId === "string" ? integrationId.trim().slice(0, 64) : "";
  if (canAssignIntegration(principal, environmentId, id)) return;
  throw new NotAllowedError(`${SECRET_MANAGER_FIELDS.integrationId}: ${integrationAssignmentRefusal(principal, id)}`);
}

function integrationProblem(integration: ProviderIntegration | undefined, id: string, environmentId: string, manager: string): string | null {
  if (!integration || integration.environmentId !== environmentId) return `provider integration "${id}" does not exist in environment "${environmentId}"`;
  if (isSecretManagerKind(manager) && SECRET_MANAGER_CLOUDS[manager] !== integration.provider) {
    return `provider integration "${id}" is an ${integration.provider} integration; ${manager} needs an ${SECRET_MANAGER_CLOUDS[manager]} integration`;
  }
  if (integration.status === "DRAFT" || integration.config === null) {
    return `provider integration "${id}" is DRAFT: finish its setup (${integration.provider === "AWS" ? "customer_iam_role_arn" : "customer_azure_tenant_id"}, and grant it access to the secrets) before connectors use it`;
  }
  return null;
}
