/**
 * The JSON-as-text columns (pure). Config maps round-trip exactly: keys keep
 * their order, values any Unicode (JSON escapes lone surrogates and control
 * characters, so even NUL survives PostgreSQL's text type), and `__proto__` is
 * an ordinary key, read back into a prototype-less object as the domain's
 * parser makes them.
 */
import type { ConnectorConfig } from "../domain/connector-config.js";
import type { ApiKeyResource, CrnScope } from "../domain/identity.js";
import { ROLES_BY_SCOPE, type ApiKeyRole, type ApiKeyScope, type ConnectorStatus, type IntegrationConfig } from "../domain/resources.js";

/** A stored value that is not what vaultwire writes: the database was edited by hand or is corrupt. */
export class CorruptRowError extends Error {
  constructor(column: string, rowId: string) {
    super(`the stored ${column} of "${rowId}" is not valid; the database was changed outside vaultwire`);
    this.name = "CorruptRowError";
  }
}

function parseJson(text: string, column: string, rowId: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CorruptRowError(column, rowId);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function encodeConfig(config: ConnectorConfig): string {
  return JSON.stringify(config);
}

export function decodeConfig(text: string, rowId: string): ConnectorConfig {
  const parsed = parseJson(text, "config", rowId);
  if (!isPlainObject(parsed)) throw new CorruptRowError("config", rowId);
  const config = Object.create(null) as Record<string, string>;
  // JSON.parse defines `__proto__` as an own property; on a prototype-less
  // object assigning it defines an own property too (there is no setter).
  for (const key of Object.keys(parsed)) {
    const value = parsed[key];
    if (typeof value !== "string") throw new CorruptRowError("config", rowId);
    config[key] = value;
  }
  return config;
}

export function encodeStringList(values: readonly string[]): string {
  return JSON.stringify(values);
}

export function decodeStringList(text: string, column: string, rowId: string): readonly string[] {
  const parsed = parseJson(text, column, rowId);
  if (!Array.isArray(parsed) || !parsed.every((item): item is string => typeof item === "string")) throw new CorruptRowError(column, rowId);
  return parsed;
}

export function encodeStatus(status: ConnectorStatus): string {
  return JSON.stringify({
    state: status.state,
    workerId: status.workerId,
    trace: status.trace,
    tasks: status.tasks.map((task) => ({ id: task.id, state: task.state, workerId: task.workerId, trace: task.trace })),
    observedAt: status.observedAt,
    ...(status.warnings === undefined || status.warnings.length === 0 ? {} : {
      warnings: status.warnings.map((w) => ({ code: w.code, key: w.key, secret: w.secret, expiresAt: w.expiresAt, message: w.message })),
    }),
  });
}

export function decodeStatus(text: string, rowId: string): ConnectorStatus {
  const parsed = parseJson(text, "status", rowId);
  if (!isPlainObject(parsed) || typeof parsed.state !== "string" || typeof parsed.observedAt !== "string" || !Array.isArray(parsed.tasks)) {
    throw new CorruptRowError("status", rowId);
  }
  return parsed as unknown as ConnectorStatus;
}

export function encodeIntegrationConfig(config: IntegrationConfig | null): string | null {
  return config === null ? null : JSON.stringify(config);
}

export function decodeIntegrationConfig(text: string | null, rowId: string): IntegrationConfig | null {
  if (text === null) return null;
  const parsed = parseJson(text, "config", rowId);
  if (!isPlainObject(parsed) || typeof parsed.kind !== "string") throw new CorruptRowError("config", rowId);
  return parsed as unknown as IntegrationConfig;
}

/** The key's scope and its role, in one JSON column (decision 30; written for older readers since decision 45). */
export function encodeScope(scope: ApiKeyScope, role: ApiKeyRole): string {
  return JSON.stringify(scope.kind === "org" ? { kind: "org", role } : { kind: "environment", environmentId: scope.environmentId, role });
}

/**
 * Keys written before roles existed have none: an org key was an
 * OrganizationAdmin, an environment key an EnvironmentAdmin (each scope's default).
 */
export function decodeScope(text: string, rowId: string): { scope: ApiKeyScope; role: ApiKeyRole } {
  const parsed = parseJson(text, "scope", rowId);
  if (isPlainObject(parsed)) {
    const scope: ApiKeyScope | undefined = parsed.kind === "org" ? { kind: "org" }
      : parsed.kind === "environment" && typeof parsed.environmentId === "string" ? { kind: "environment", environmentId: parsed.environmentId }
        : undefined;
    if (scope) {
      const allowed = ROLES_BY_SCOPE[scope.kind];
      if (parsed.role === undefined) return { scope, role: allowed[0] ?? "Operator" };
      const role = allowed.find((r) => r === parsed.role);
      if (role) return { scope, role };
    }
  }
  throw new CorruptRowError("scope", rowId);
}

/** An API key's resource, written canonically (the list filter compares the text). */
export function encodeResource(resource: ApiKeyResource): string {
  switch (resource.kind) {
    case "Cloud":
      return JSON.stringify({ kind: "Cloud" });
    case "Environment":
      return JSON.stringify({ kind: "Environment", environmentId: resource.environmentId });
    case "Cluster":
      return JSON.stringify({ kind: "Cluster", clusterId: resource.clusterId, environmentId: resource.environmentId });
  }
}

export function decodeResource(text: string | null, rowId: string): ApiKeyResource {
  const parsed = text === null ? undefined : parseJson(text, "resource", rowId);
  if (isPlainObject(parsed)) {
    if (parsed.kind === "Cloud") return { kind: "Cloud" };
    if (parsed.kind === "Environment" && typeof parsed.environmentId === "string") return { kind: "Environment", environmentId: parsed.environmentId };
    if (parsed.kind === "Cluster" && typeof parsed.clusterId === "string" && typeof parsed.environmentId === "string") return { kind: "Cluster", clusterId: parsed.clusterId, environmentId: parsed.environmentId };
  }
  throw new CorruptRowError("resource", rowId);
}

/** A role binding's scope, written canonically (the unique constraint compares the text). */
export function encodeCrnScope(scope: CrnScope): string {
  switch (scope.kind) {
    case "organization":
      return JSON.stringify({ kind: "organization" });
    case "environment":
      return JSON.stringify({ kind: "environment", environmentId: scope.environmentId });
    case "provider-integration":
      return JSON.stringify({ kind: "provider-integration", environmentId: scope.environmentId, integrationId: scope.integrationId });
  }
}

export function decodeCrnScope(text: string, rowId: string): CrnScope {
  const parsed = parseJson(text, "scope", rowId);
  if (isPlainObject(parsed)) {
    if (parsed.kind === "organization") return { kind: "organization" };
    if (parsed.kind === "environment" && typeof parsed.environmentId === "string") return { kind: "environment", environmentId: parsed.environmentId };
    if (parsed.kind === "provider-integration" && typeof parsed.environmentId === "string" && typeof parsed.integrationId === "string") {
      return { kind: "provider-integration", environmentId: parsed.environmentId, integrationId: parsed.integrationId };
    }
  }
  throw new CorruptRowError("scope", rowId);
}
