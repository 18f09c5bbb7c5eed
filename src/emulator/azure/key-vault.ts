/**
 * Key Vault's secrets data plane for one vault, in the order the service
 * applies its checks: faults and latency (emulator-only), the Bearer
 * challenge and token validation (signature, lifetime, audience, issuer),
 * throttling, the firewall, authorization (RBAC or access policies), then the
 * operation. Responses carry the service's headers and JSON shapes.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { checkAccessToken, tokenIssuer, type Caller, type SigningKey } from "./access-tokens.js";
import { callerText, errorBody, keyVaultErrors, vaultText, type KeyVaultError } from "./key-vault-errors.js";
import { decodeSkipToken, DEFAULT_PAGE_SIZE, encodeSkipToken, pageOf, parseMaxResults, sortByKey } from "./paging.js";
import { newGuid } from "./random.js";
import { DATA_ACTIONS, findGrantingAssignment, policyAllows, POLICY_PERMISSIONS, type SecretOperation } from "./rbac.js";
import type { SecretBackupCodec } from "./secret-backup.js";
import { deletedSecretBundle, deletedSecretItem, secretBundle, secretId, secretItem, versionItem } from "./secret-bundles.js";
import { latestVersion, MAX_SECRET_VALUE_BYTES, SECRET_NAME, type NewSecret, type SecretPatch } from "./secret-store.js";
import { clientAddress, readBody, RequestBodyTooLarge, requestUrl, sendJson } from "./server.js";
import type { Vault } from "./vault.js";

export const KEY_VAULT_SERVICE_VERSION = "1.9.2500.1";

/**
 * The `api-version`s the emulator answers: those of the secrets API that
 * Microsoft's SDKs send (JavaScript 4.x: 7.0-7.6 and 2025-07-01; Python also
 * 2016-10-01; the previews 7.4-preview.1, 7.5-preview.1 and 7.6-preview.2)
 * and the recordings use (7.3, 7.4-preview.1). Others get 400 BadParameter.
 */
export const KEY_VAULT_API_VERSIONS: readonly string[] = ["2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4-preview.1", "7.4", "7.5-preview.1", "7.5", "7.6-preview.2", "7.6", "2025-07-01"];
export const LATEST_KEY_VAULT_API_VERSION = "2025-07-01";

export interface KeyVaultDependencies {
  readonly authorityHost: string;
  readonly tokenKey: SigningKey;
  readonly nowMs: () => number;
  /** Seals and opens backup blobs; one per emulator, so blobs restore into any of its vaults. */
  readonly backups: SecretBackupCodec;
}

interface Route {
  readonly operation: SecretOperation;
  readonly secretName: string | undefined;
  readonly version: string | undefined;
}

type Outcome = { readonly status: number; readonly body: unknown } | { readonly error: KeyVaultError };

/** Maps method + path to an operation; an error for paths and methods the API does not have. */
export function routeOf(method: string, path: string): Route | KeyVaultError {
  const segments = path.split("/").slice(1).map((s) => decodeURIComponent(s));
  const [collection = "", name, third, fourth] = segments;
  const kind = collection.toLowerCase();
  const route = (operation: SecretOperation, version?: string): Route => ({ operation, secretName: name, version });
  if (kind === "secrets") {
    if (name === undefined || name === "") return method === "GET" && segments.length <= 2 ? { operation: "list", secretName: undefined, version: undefined } : keyVaultErrors.methodNotAllowed(method);
    if (third === undefined && method === "POST" && name.toLowerCase() === "restore") return { operation: "restore", secretName: undefined, version: undefined };
    if (third === undefined || (third === "" && fourth === undefined)) {
      if (method === "GET") return route("get");
      if (method === "PUT") return route("set");
      if (method === "PATCH") return route("update");
      if (method === "DELETE" && third === undefined) return route("delete");
      return keyVaultErrors.methodNotAllowed(method);
    }
    if (fourth !== undefined) return keyVaultErrors.notFoundPath();
    if (third.toLowerCase() === "versions" && method === "GET") return route("versions");
    if (third.toLowerCase() === "backup" && method === "POST") return route("backup");
    if (method === "GET") return route("get", third);
    if (method === "PATCH") return route("update", third);
    return keyVaultErrors.methodNotAllowed(method);
  }
  if (kind === "deletedsecrets" && (name === undefined || name === "") && segments.length <= 2) {
    return method === "GET" ? { operation: "listDeleted", secretName: undefined, version: undefined } : keyVaultErrors.methodNotAllowed(method);
  }
  if (kind === "deletedsecrets" && name !== undefined && name !== "") {
    if (third === undefined) {
      if (method === "GET") return route("getDeleted");
      if (method === "DELETE") return route("purge");
      return keyVaultErrors.methodNotAllowed(method);
    }
    if (third.toLowerCase() === "recover" && fourth === undefined && method === "POST") return route("recover");
  }
  return keyVaultErrors.notFoundPath();
}

export function createKeyVaultHandler(vault: Vault, deps: KeyVaultDependencies): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  return async (request, response) => {
    const url = requestUrl(request);
    const route = routeOf(request.method ?? "GET", url.pathname);
    const authorization = request.headers.authorization;
    vault.traffic.count(authorization === undefined ? "challenge" : "operation" in route ? route.operation : "other");

    const fault = vault.traffic.takeFault();
    if (fault.kind === "drop") {
      request.socket.destroy();
      return;
    }
    const latency = vault.traffic.latency();
    if (latency > 0) await sleep(latency);
    const { outcome, headers: extraHeaders } = fault.kind === "fail"
      ? { outcome: { error: keyVaultErrors.injected(fault.status) }, headers: {} }
      : await respond(vault, deps, route, request, url);

    const headers = { ...responseHeaders(vault, request, deps.nowMs()), ...extraHeaders };
    if ("error" in outcome) {
      if (outcome.error.status === 401) headers["WWW-Authenticate"] = challenge(vault, deps.authorityHost);
      sendJson(response, outcome.error.status, errorBody(outcome.error), headers);
    } else if (outcome.status === 204) {
      response.writeHead(204, headers);
      response.end();
    } else {
      sendJson(response, outcome.status, outcome.body, headers);
    }
  };
}

type Response = { readonly outcome: Outcome; readonly headers: Readonly<Record<string, string>> };

async function respond(vault: Vault, deps: KeyVaultDependencies, route: Route | KeyVaultError, request: IncomingMessage, url: URL): Promise<Response> {
  const fail = (error: KeyVaultError, headers: Readonly<Record<string, string>> = {}): Response => ({ outcome: { error }, headers });
  const apiVersion = url.searchParams.get("api-version");
  if (apiVersion === null) return fail(keyVaultErrors.badParameter("The 'api-version' query parameter is required."));
  if (!KEY_VAULT_API_VERSIONS.includes(apiVersion)) return fail(keyVaultErrors.unsupportedApiVersion(apiVersion, LATEST_KEY_VAULT_API_VERSION));
  const authenticated = authenticate(vault, deps, request.headers.authorization);
  if (!authenticated.ok) return fail(authenticated.error);
  const caller = authenticated.caller;

  const admission = vault.traffic.admit();
  if (!admission.admitted) return fail(keyVaultErrors.throttled(), admission.retryAfterSeconds === undefined ? {} : { "Retry-After": String(admission.retryAfterSeconds) });
  if (vault.firewallEnabled) {
    return fail(keyVaultErrors.forbiddenByFirewall({ clientAddress: clientAddress(request), caller: callerText(caller), vault: vaultText(vault.settings) }));
  }
  if (!("operation" in route)) return fail(route);
  if (route.secretName !== undefined && !SECRET_NAME.test(route.secretName)) return fail(keyVaultErrors.badParameter(`The request URI contains an invalid name: ${route.secretName}`));
  const authorized = authorize(vault, caller, route);
  if (!authorized.ok) return fail(authorized.error);
  const headers: Record<string, string> = authorized.assignmentId === undefined ? {} : { "x-ms-keyvault-rbac-assignment-id": authorized.assignmentId };
  try {
    return { outcome: await perform(vault, deps, route, request, url, `https://${request.headers.host ?? "localhost"}`), headers };
  } catch (error) {
    if (!(error instanceof RequestBodyTooLarge)) throw error;
    return fail(keyVaultErrors.badParameter(`The secret value exceeds the maximum size of ${MAX_SECRET_VALUE_BYTES} bytes.`), headers);
  }
}

/** `Bearer authorization="{authority}/{tenant}", resource="{resource}"`, as the service challenges. */
export function challenge(vault: Vault, authorityHost: string): string {
  return `Bearer authorization="${authorityHost}/${vault.settings.tenantId}", resource="${vault.resource}"`;
}

function authenticate(vault: Vault, deps: KeyVaultDependencies, authorization: string | undefined): { ok: true; caller: Caller } | { ok: false; error: KeyVaultError } {
  const match = /^(?:Bearer|PoP)\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!match) return { ok: false, error: keyVaultErrors.missingToken() };
  const check = checkAccessToken(match[1] ?? "", deps.tokenKey, Math.floor(deps.nowMs() / 1000));
  if (!check.ok) {
    switch (check.reason) {
      case "malformed":
        return { ok: false, error: keyVaultErrors.malformedToken() };
      case "unknown-key":
        return { ok: false, error: keyVaultErrors.unknownSigningKey(check.encodedHeader) };
      case "expired":
        return { ok: false, error: keyVaultErrors.tokenExpired() };
      case "not-yet-valid":
        return { ok: false, error: keyVaultErrors.tokenNotYetValid() };
    }
  }
  const { caller } = check;
  if (caller.audience.replace(/\/$/, "").toLowerCase() !== vault.resource) {
    return { ok: false, error: keyVaultErrors.invalidAudience(vault.resource, caller.audience) };
  }
  const expectedIssuer = tokenIssuer(vault.settings.tenantId);
  if (caller.issuer !== expectedIssuer) return { ok: false, error: keyVaultErrors.invalidIssuer(expectedIssuer, caller.issuer) };
  return { ok: true, caller };
}

function authorize(vault: Vault, caller: Caller, route: Route): { ok: true; assignmentId: string | undefined } | { ok: false; error: KeyVaultError } {
  const callerDescription = callerText(caller);
  const vaultDescription = vaultText(vault.settings);
  if (vault.settings.permissionModel === "accessPolicy") {
    if (policyAllows(vault.accessPolicies.get(caller.objectId.toLowerCase()), route.operation)) return { ok: true, assignmentId: undefined };
    return {
      ok: false,
      error: keyVaultErrors.forbiddenByPolicy({ caller: callerDescription, permission: POLICY_PERMISSIONS[route.operation], vault: vaultDescription, innerCode: vault.settings.accessPolicyErrorCode }),
    };
  }
  const action = DATA_ACTIONS[route.operation];
  const secretName = route.operation === "list" ? undefined : route.secretName;
  const grant = findGrantingAssignment(vault.effectiveRoleAssignments(), { principalObjectId: caller.objectId, action, secretName });
  if (grant) return { ok: true, assignmentId: grant.assignmentId };
  return { ok: false, error: keyVaultErrors.forbiddenByRbac({ caller: callerDescription, action, resource: vault.resourceId(secretName), vault: vaultDescription }) };
}

async function perform(vault: Vault, deps: KeyVaultDependencies, route: Route, request: IncomingMessage, url: URL, baseUrl: string): Promise<Outcome> {
  const store = vault.store;
  const name = route.secretName ?? "";
  const notFound = (): Outcome => ({ error: keyVaultErrors.secretNotFound(route.version === undefined || route.version === "" ? name : `${name}/${route.version}`) });
  switch (route.operation) {
    case "list":
    case "versions":
    case "listDeleted":
      return list(vault, route, url, baseUrl);
    case "get": {
      const found = store.find(name, route.version);
      if (!found) return notFound();
      if (!found.version.enabled) return { error: keyVaultErrors.secretDisabled("get") };
      return { status: 200, body: secretBundle(baseUrl, found.entry, found.version, true) };
    }
    case "set": {
      const parsed = parseSecretBody(await readBody(request, MAX_SECRET_VALUE_BYTES * 2 + 64 * 1024), "set");
      if ("error" in parsed) return parsed;
      const state = store.state(name);
      if (state === "deleted") return { error: keyVaultErrors.secretDeletedButRecoverable(name) };
      if (state === "deleting" || state === "purging") return { error: keyVaultErrors.secretBeingDeleted(name) };
      const { entry, version } = store.set(name, parsed.secret);
      return { status: 200, body: secretBundle(baseUrl, entry, version, true) };
    }
    case "update": {
      const parsed = parseSecretBody(await readBody(request, 64 * 1024), "update");
      if ("error" in parsed) return parsed;
      const updated = store.update(name, route.version, parsed.patch);
      if (!updated) return notFound();
      return { status: 200, body: secretBundle(baseUrl, updated.entry, updated.version, false) };
    }
    case "delete": {
      const deleted = store.delete(name);
      if (!deleted) return notFound();
      return { status: 200, body: deletedSecretBundle(baseUrl, deleted) };
    }
    case "getDeleted": {
      const deleted = store.deleted(name);
      return deleted ? { status: 200, body: deletedSecretBundle(baseUrl, deleted) } : { error: keyVaultErrors.deletedSecretNotFound(name) };
    }
    case "purge": {
      const purged = store.startPurge(name);
      if (purged === "being-deleted") return { error: keyVaultErrors.deletionInProgress() };
      return purged === "purged" ? { status: 204, body: null } : { error: keyVaultErrors.deletedSecretNotFound(name) };
    }
    case "recover": {
      if (store.state(name) === "deleting") return { error: keyVaultErrors.deletionInProgress() };
      const recovered = store.recover(name);
      if (!recovered) return { error: keyVaultErrors.deletedSecretNotFound(name) };
      const current = store.find(name);
      return current ? { status: 200, body: secretBundle(baseUrl, current.entry, current.version, false) } : notFound();
    }
    case "backup": {
      const entry = store.entry(name);
      if (!entry) return notFound();
      return { status: 200, body: { value: deps.backups.encode(entry).toString("base64url") } };
    }
    case "restore":
      return restore(vault, deps, await readBody(request, 4 * 1024 * 1024), baseUrl);
  }
}

function restore(vault: Vault, deps: KeyVaultDependencies, text: string, baseUrl: string): Outcome {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { error: keyVaultErrors.badParameter("The request body is not valid JSON.") };
  }
  const value = typeof body === "object" && body !== null ? (body as { value?: unknown }).value : undefined;
  if (typeof value !== "string" || value === "") return { error: keyVaultErrors.badParameter("Property 'value' is required and must be the base64url backup blob.") };
  const entry = /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? deps.backups.decode(Buffer.from(value, "base64url")) : undefined;
  if (!entry) return { error: keyVaultErrors.malformedBackup() };
  const current = latestVersion(entry);
  if (!vault.store.restore(entry)) return { error: keyVaultErrors.restoreConflict(secretId(baseUrl, entry, current)) };
  return { status: 200, body: secretBundle(baseUrl, entry, current, false) };
}

function list(vault: Vault, route: Route, url: URL, baseUrl: string): Outcome {
  const pageSize = parseMaxResults(url.searchParams.get("maxresults"));
  if (pageSize === "invalid") return { error: keyVaultErrors.badParameter("The 'maxresults' query parameter must be an integer from 1 to 25.") };
  const skipToken = url.searchParams.get("$skiptoken");
  const marker = skipToken === null ? null : decodeSkipToken(skipToken);
  if (skipToken !== null && marker === null) return { error: keyVaultErrors.badParameter("The '$skiptoken' query parameter is invalid.") };
  const size = pageSize ?? DEFAULT_PAGE_SIZE;
  let items: unknown[];
  let nextMarker: string | null;
  if (route.operation === "list") {
    const page = pageOf(sortByKey(vault.store.entries(), (e) => e.name.toUpperCase()), (e) => e.name.toUpperCase(), size, marker);
    items = page.items.map((entry) => secretItem(baseUrl, entry));
    nextMarker = page.nextMarker;
  } else if (route.operation === "listDeleted") {
    const byName = (d: { entry: { name: string } }): string => d.entry.name.toUpperCase();
    const page = pageOf(sortByKey(vault.store.deletedEntries(), byName), byName, size, marker);
    items = page.items.map((deleted) => deletedSecretItem(baseUrl, deleted));
    nextMarker = page.nextMarker;
  } else {
    const entry = vault.store.entry(route.secretName ?? "");
    const versions = entry ? sortByKey(entry.versions, (v) => v.version.toUpperCase()) : [];
    const page = pageOf(versions, (v) => v.version.toUpperCase(), size, marker);
    items = entry ? page.items.map((version) => versionItem(baseUrl, entry, version)) : [];
    nextMarker = page.nextMarker;
  }
  return { status: 200, body: { value: items, nextLink: nextMarker === null ? null : nextLink(baseUrl, url, nextMarker, pageSize) } };
}

/** Absolute, with the port spelled out like the service's (`https://host:443/secrets?…`). */
function nextLink(baseUrl: string, url: URL, marker: string, pageSize: number | null): string {
  const origin = new URL(baseUrl);
  const port = origin.port === "" ? "443" : origin.port;
  const apiVersion = url.searchParams.get("api-version") ?? "";
  const query = [`api-version=${encodeURIComponent(apiVersion)}`, `$skiptoken=${encodeSkipToken(marker)}`, ...(pageSize === null ? [] : [`maxresults=${pageSize}`])];
  return `https://${origin.hostname.includes(":") ? `[${origin.hostname}]` : origin.hostname}:${port}${url.pathname}?${query.join("&")}`;
}

type ParsedBody = { readonly secret: NewSecret; readonly patch: SecretPatch } | { readonly error: KeyVaultError };

function parseSecretBody(text: string, purpose: "set" | "update"): ParsedBody {
  let body: unknown;
  try {
    body = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    return { error: keyVaultErrors.badParameter("The request body is not valid JSON.") };
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) return { error: keyVaultErrors.badParameter("The request body must be a JSON object.") };
  const fields = body as Record<string, unknown>;
  const value = fields.value;
  if (purpose === "set") {
    if (typeof value !== "string") return { error: keyVaultErrors.badParameter("Property 'value' is required and must be a string.") };
    if (Buffer.byteLength(value, "utf8") > MAX_SECRET_VALUE_BYTES) return { error: keyVaultErrors.badParameter(`The secret value exceeds the maximum size of ${MAX_SECRET_VALUE_BYTES} bytes.`) };
  }
  const contentType = fields.contentType;
  if (contentType !== undefined && contentType !== null && typeof contentType !== "string") return { error: keyVaultErrors.badParameter("Property 'contentType' must be a string.") };
  const tags = fields.tags;
  if (tags !== undefined && tags !== null && !isStringMap(tags)) return { error: keyVaultErrors.badParameter("Property 'tags' must map strings to strings.") };
  const attributes = fields.attributes ?? {};
  if (typeof attributes !== "object" || Array.isArray(attributes)) return { error: keyVaultErrors.badParameter("Property 'attributes' must be an object.") };
  const { enabled, nbf, exp } = attributes as Record<string, unknown>;
  if (enabled !== undefined && enabled !== null && typeof enabled !== "boolean") return { error: keyVaultErrors.badParameter("Property 'attributes.enabled' must be a boolean.") };
  for (const [key, time] of [["nbf", nbf], ["exp", exp]] as const) {
    if (time !== undefined && time !== null && (typeof time !== "number" || !Number.isInteger(time))) return { error: keyVaultErrors.badParameter(`Property 'attributes.${key}' must be a Unix time in seconds.`) };
  }
  const asString = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
  const asBoolean = (v: unknown): boolean | undefined => (typeof v === "boolean" ? v : undefined);
  const asTime = (v: unknown): number | null | undefined => (typeof v === "number" ? v : v === null ? null : undefined);
  const tagMap = isStringMap(tags) ? tags : undefined;
  const notBefore = asTime(nbf);
  const expires = asTime(exp);
  return {
    secret: { value: asString(value) ?? "", contentType: asString(contentType), tags: tagMap, enabled: asBoolean(enabled), notBefore: notBefore ?? undefined, expires: expires ?? undefined },
    patch: { contentType: asString(contentType), tags: tagMap, enabled: asBoolean(enabled), notBefore, expires },
  };
}

function isStringMap(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === "string");
}

function responseHeaders(vault: Vault, request: IncomingMessage, nowMs: number): Record<string, string> {
  const address = clientAddress(request);
  const ipv6 = address.includes(":");
  const clientRequestId = request.headers["x-ms-client-request-id"];
  return {
    "Cache-Control": "no-cache",
    Pragma: "no-cache",
    Expires: "-1",
    Date: new Date(nowMs).toUTCString(),
    "Strict-Transport-Security": "max-age=31536000;includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    ...(typeof clientRequestId === "string" ? { "x-ms-client-request-id": clientRequestId } : {}),
    "x-ms-request-id": newGuid(),
    "x-ms-keyvault-service-version": KEY_VAULT_SERVICE_VERSION,
    "x-ms-keyvault-region": vault.settings.location,
    "x-ms-keyvault-network-info": `conn_type=${ipv6 ? "Ipv6" : "Ipv4"};addr=${address};act_addr_fam=${ipv6 ? "InterNetworkV6" : "InterNetwork"};`,
  };
}
