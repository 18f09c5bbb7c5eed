// The security suite's harness, on top of test/http/harness.ts: a real server
// (each store target) in front of the Azure emulator, started with planted
// canaries — its master key, its bootstrap API secret, the platform app's
// client secret — and an api() that records every response (status, headers,
// body) for the final scan. Helpers plant the rest: vault secrets (plain and a
// JSON field), an integration with its own client secret, API keys of each
// role, worker credentials.
import { randomBytes } from "node:crypto";
import { readdir } from "node:fs/promises";
import { expect } from "vitest";
import type { ServerSettings } from "../../src/main/settings.js";
import {
  seedEnvironment, startAzureFixture, startTestServer, VAULT_CANARY,
  type ApiOptions, type ApiResponse, type AzureFixture, type TestServer, type TestServerOptions,
} from "../http/harness.js";
import type { StoreTarget } from "../store/harness.js";
import { fakeRuntime } from "../console/runtime-fake.js";
import { CanaryRegistry, describeHits, postgresTables, responseText, type CanaryHit, type RecordedResponse } from "./canaries.js";

export { storeTargets } from "../http/harness.js";

/** The emulator with the suite's vault canaries, and an app of the customer's own for integrations with their own credential. */
export interface SecurityAzure extends AzureFixture {
  readonly registry: CanaryRegistry;
  /** A vault secret whose whole value is a canary ("plain-secret" in sql-vault). */
  readonly plainSecret: { readonly name: string; readonly value: string; readonly identifier: string };
  /** A JSON secret {"user","password"} whose password is a canary ("db-json" in sql-vault). */
  readonly jsonSecret: { readonly name: string; readonly user: string; readonly password: string; readonly identifier: (key: "user" | "password") => string };
  /** An app registered in the customer's tenant with "Key Vault Secrets User" on sql-vault; its secret is a canary. */
  readonly teamApp: { readonly appId: string; readonly secret: string };
}

export async function startSecurityAzure(registry: CanaryRegistry): Promise<SecurityAzure> {
  const azure = await startAzureFixture();
  registry.add("platform-app-secret", "platform app client secret", azure.appSecret);
  registry.add("vault-json-field", "harness vault password", VAULT_CANARY);
  const plainValue = registry.plant("vault-secret", "vault plaintext secret");
  azure.emulator.setSecret("sql-vault", "plain-secret", plainValue);
  const password = registry.plant("vault-json-field", "vault JSON password");
  const user = `cdc_${randomBytes(4).toString("hex")}`;
  azure.emulator.setSecret("sql-vault", "db-json", JSON.stringify({ user, password }));
  const { appId } = azure.emulator.createApp({ homeTenantId: azure.customerTenant, displayName: "team-own-credential" });
  const { secret } = azure.emulator.addClientSecret(appId);
  registry.add("integration-client-secret", "integration own client secret", secret);
  const principal = azure.emulator.servicePrincipalObjectId(appId, azure.customerTenant) ?? "";
  azure.emulator.assignRole("sql-vault", { principalObjectId: principal, role: "Key Vault Secrets User" });
  return Object.assign(azure, {
    registry,
    plainSecret: { name: "plain-secret", value: plainValue, identifier: `${azure.vaultUri}::plain-secret` },
    jsonSecret: { name: "db-json", user, password, identifier: (key: "user" | "password") => `${azure.vaultUri}::db-json::${key}` },
    teamApp: { appId, secret },
  });
}

export interface SecureServerOptions extends Omit<TestServerOptions, "settings" | "masterKey" | "allowedConnectHosts"> {
  /**
   * VAULTWIRE_ALLOWED_CONNECT_HOSTS: the only Kafka Connect hosts the server
   * may call, loopback included. Default ["127.0.0.1"] (the suite's fake and
   * real Connect listen there); [] for the default policy (any host that is
   * not loopback, link-local, unspecified or cloud metadata).
   */
  readonly allowedConnectHosts?: readonly string[];
  /** Reuse a master key planted by an earlier server (restart tests); default a new canary. */
  readonly masterKey?: string;
  readonly settings?: (settings: ServerSettings) => ServerSettings;
  /** Run the real reconciler (it calls the cluster's Connect URLs); default a fake runtime that calls nothing. */
  readonly realRuntime?: boolean;
}

export interface RecordingOptions extends ApiOptions {
  /** Canaries this response carries by design (the one-time reveal of a created secret). */
  readonly allow?: readonly string[];
}

export interface SecureServer extends TestServer {
  readonly registry: CanaryRegistry;
  readonly settings: ServerSettings;
  readonly masterKey: string;
  readonly bootstrap: { readonly key: string; readonly secret: string };
  /** Every response received through api() and fetch(), for the final scan. */
  readonly recorded: RecordedResponse[];
  api<T = unknown>(method: string, path: string, body?: unknown, options?: RecordingOptions): Promise<ApiResponse<T>>;
  /** A raw request to this server (e.g. /internal/v1 with a bearer token), recorded like api(). */
  fetch(path: string, init?: RequestInit, options?: { readonly allow?: readonly string[] }): Promise<{ status: number; headers: Headers; text: string; body: unknown }>;
  /** Scans the database, the logs, /metrics and every recorded response for every canary. */
  finalScan(): Promise<FinalScan>;
}

export interface FinalScan {
  readonly hits: CanaryHit[];
  /** What was scanned, with sizes: proves the scan saw something. */
  readonly scanned: Record<string, number>;
}

/**
 * Plants the operator's secrets (master key as base64 and hex, bootstrap API
 * secret) and starts a server on the target with them.
 */
export async function startSecureServer(target: StoreTarget, azure: SecurityAzure, options: SecureServerOptions = {}): Promise<SecureServer> {
  const registry = azure.registry;
  let masterKey = options.masterKey;
  if (masterKey === undefined) {
    const bytes = randomBytes(32);
    const n = registry.canaries.filter((c) => c.kind === "master-key").length / 3 + 1;
    registry.add("master-key", `master key ${n} (bytes)`, bytes);
    masterKey = registry.plant("master-key", `master key ${n} (base64)`, bytes.toString("base64"));
    registry.plant("master-key", `master key ${n} (hex)`, bytes.toString("hex"));
  }
  const bootstrap = { key: `SECADMIN${randomBytes(4).toString("hex").toUpperCase()}`, secret: registry.plant("bootstrap-api-secret", `bootstrap API secret ${registry.canaries.filter((c) => c.kind === "bootstrap-api-secret").length + 1}`) };
  let settings: ServerSettings | undefined;
  const { realRuntime, runtime, ...rest } = options;
  const inner = await startTestServer(target, azure, {
    ...rest,
    ...(realRuntime === true ? {} : { runtime: runtime ?? fakeRuntime().runtime }),
    allowedConnectHosts: options.allowedConnectHosts ?? ["127.0.0.1"],
    masterKey,
    settings: (base) => {
      const chosen: ServerSettings = { ...base, bootstrapApiKey: bootstrap.key, bootstrapApiSecret: bootstrap.secret };
      settings = options.settings ? options.settings(chosen) : chosen;
      return settings;
    },
  });
  if (!settings) throw new Error("settings were not built");
  const recorded: RecordedResponse[] = [];
  const record = (label: string, status: number, headers: Headers, body: string, allow: readonly string[] = []) => {
    const text = `HTTP ${status}\n${[...headers.entries()].map(([k, v]) => `${k}: ${v}`).join("\n")}\n\n${body}`;
    recorded.push({ label: `${label} → ${status}`, text, allow });
  };
  const server: SecureServer = {
    ...inner,
    registry,
    settings,
    masterKey,
    bootstrap,
    recorded,
    async api<T>(method: string, path: string, body?: unknown, recording: RecordingOptions = {}) {
      const { allow, ...apiOptions } = recording;
      const response = await inner.api<T>(method, path, body, apiOptions);
      record(`${method} ${path}`, response.status, response.headers, response.text, allow);
      return response;
    },
    async fetch(path, init = {}, fetchOptions = {}) {
      const response = await fetch(`${inner.url}${path}`, init);
      const { body } = await responseText(response);
      record(`${init.method ?? "GET"} ${path}`, response.status, response.headers, body, fetchOptions.allow);
      let parsed: unknown;
      try {
        parsed = body === "" ? undefined : JSON.parse(body);
      } catch {
        parsed = body;
      }
      return { status: response.status, headers: response.headers, text: body, body: parsed };
    },
    async finalScan() {
      const hits: CanaryHit[] = [];
      const scanned: Record<string, number> = {};
      const url = inner.database.options.databaseUrl;
      if (url === undefined) {
        const found = await registry.scanDirectory(inner.dataDir, "sqlite");
        hits.push(...found);
        scanned["sqlite files"] = (await readdir(inner.dataDir)).length;
      } else {
        hits.push(...await registry.scanPostgres(url, "postgres"));
        scanned["postgres tables"] = (await postgresTables(url)).length;
      }
      const logs = inner.logs();
      hits.push(...registry.scan(logs, "vaultwire log"));
      scanned["log lines"] = logs.split("\n").length;
      const metrics = await fetch(`${inner.url}/metrics`);
      const { text } = await responseText(metrics);
      hits.push(...registry.scan(text, "GET /metrics"));
      scanned["metrics bytes"] = text.length;
      hits.push(...registry.scanResponses(recorded));
      scanned.responses = recorded.length;
      scanned.canaries = registry.canaries.length;
      return { hits, scanned };
    },
  };
  return server;
}

/** The final scan of a test file: no canary, in any form, anywhere; and the scan did see the database, logs, metrics and responses. */
export async function expectNoCanaries(server: SecureServer): Promise<FinalScan> {
  const result = await server.finalScan();
  expect(result.hits, describeHits(result.hits)).toEqual([]);
  expect(Object.values(result.scanned).every((n) => n > 0), JSON.stringify(result.scanned)).toBe(true);
  return result;
}

export type Role = "OrganizationAdmin" | "EnvironmentAdmin" | "DeveloperManage" | "Operator";

export interface CreatedKey {
  readonly id: string;
  readonly auth: { readonly key: string; readonly secret: string };
  readonly response: ApiResponse<{ id: string; spec: { secret: string } }>;
}

/** POST /iam/v2/api-keys with a role (worker-credentials fix); its secret becomes a canary, allowed only in its create response. */
export async function createApiKey(server: SecureServer, options: { role?: Role; environmentId?: string; description?: string } = {}): Promise<CreatedKey> {
  const spec = {
    description: options.description ?? `${options.role ?? "default"} key`,
    ...(options.environmentId === undefined ? {} : { resource: { id: options.environmentId } }),
    ...(options.role === undefined ? {} : { role: options.role }),
  };
  const name = `API key secret ${server.registry.canaries.filter((c) => c.kind === "api-key-secret").length + 1} (${options.role ?? "default"})`;
  const response = await server.api<{ id: string; spec: { secret: string } }>("POST", "/iam/v2/api-keys", { spec }, { allow: [name] });
  expect(response.status, response.text).toBe(202);
  const secret = response.body.spec.secret;
  server.registry.add("api-key-secret", name, secret);
  return { id: response.body.id, auth: { key: response.body.id, secret }, response };
}

export interface WorkerCredentialBody {
  api_version: string;
  kind: string;
  id: string;
  metadata: { self: string; created_at: string };
  spec: { cluster: { id: string }; description: string; secret?: string };
  status: { last_used_at: string | null };
}

/**
 * POST …/worker-credentials as the bootstrap admin (worker-credentials fix):
 * the token and its secret part become canaries, allowed only in this response.
 */
export async function createWorkerCredential(server: SecureServer, clusterId: string, description = "workers"): Promise<{ id: string; token: string; response: ApiResponse<WorkerCredentialBody> }> {
  const n = server.registry.canaries.filter((c) => c.kind === "worker-credential").length + 1;
  const names = [`worker credential ${n}`, `worker credential ${n} (secret part)`];
  const response = await server.api<WorkerCredentialBody>("POST", `/cmk/v2/clusters/${clusterId}/worker-credentials`, { spec: { description } }, { allow: names });
  expect(response.status, response.text).toBe(201);
  const token = response.body.spec.secret ?? "";
  server.registry.add("worker-credential", names[0] ?? "", token);
  const part = /_([A-Za-z0-9_-]{20,})$/.exec(token)?.[1];
  if (part !== undefined) server.registry.add("worker-credential", names[1] ?? "", part);
  return { id: response.body.id, token, response };
}

/** GET /internal/v1/…/secrets with a bearer token, recorded; `allow` names the canaries a granted answer carries. */
export function workerSecrets(server: SecureServer, clusterId: string, connectorId: string, keys: string, token: string | null, allow: readonly string[] = []) {
  return server.fetch(
    `/internal/v1/clusters/${clusterId}/connectors/${connectorId}/secrets?keys=${encodeURIComponent(keys)}`,
    { headers: token === null ? {} : { authorization: `Bearer ${token}` } },
    { allow },
  ) as Promise<{ status: number; headers: Headers; text: string; body: { data?: Record<string, string>; error?: { code: number; message: string } } }>;
}

/** The seeded environment plus an integration that signs in with its own client secret (the team app). */
export async function seedSecureEnvironment(server: SecureServer, azure: SecurityAzure, name = "dev"): Promise<Awaited<ReturnType<typeof seedEnvironment>> & { ownCredentialIntegrationId: string }> {
  const seed = await seedEnvironment(server, azure, name);
  const created = await server.api<{ id: string }>("POST", "/pim/v2/integrations", { display_name: `${name}-own`, provider: "AZURE", environment: { id: seed.environmentId } });
  expect(created.status, created.text).toBe(201);
  const patched = await server.api("PATCH", `/pim/v2/integrations/${created.body.id}`, {
    config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant, credential: { kind: "ClientSecret", client_id: azure.teamApp.appId, client_secret: azure.teamApp.secret } },
    environment: { id: seed.environmentId },
  });
  expect(patched.status, patched.text).toBe(200);
  return { ...seed, ownCredentialIntegrationId: created.body.id };
}

/** A PostgresCdcSourceV2 config; `secrets` picks managed identifiers or plaintext values. */
export function postgresConnector(name: string, options: { integrationId?: string; user: string; password: string; extra?: Record<string, string> }): { name: string; config: Record<string, string> } {
  const managed = options.integrationId !== undefined;
  return {
    name,
    config: {
      "connector.class": "PostgresCdcSourceV2",
      name,
      "kafka.auth.mode": "SERVICE_ACCOUNT",
      "kafka.service.account.id": "sa-security",
      "database.hostname": "203.0.113.10",
      "database.port": "5432",
      "database.user": options.user,
      "database.password": options.password,
      "database.dbname": "orders",
      "topic.prefix": "security",
      "output.data.format": "JSON",
      "tasks.max": "1",
      ...(managed ? {
        "authentication.method": "Password",
        "secret.manager.enabled": "true",
        "secret.manager": "AZURE_KEY_VAULT",
        "secret.manager.managed.configs": "database.user,database.password",
        "secret.manager.provider.integration.id": options.integrationId ?? "",
      } : {}),
      ...options.extra,
    },
  };
}

/** Connector ids by name, from ?expand=id. */
export async function connectorIds(server: SecureServer, base: string): Promise<Record<string, string>> {
  const ids = await server.api<Record<string, { id: { id: string } }>>("GET", `${base}/connectors?expand=id`);
  return Object.fromEntries(Object.entries(ids.body).map(([name, entry]) => [name, entry.id.id]));
}
