/**
 * The admin API over HTTP JSON, at `/admin/...` on the authority host, for
 * the CLI and for tests in other processes. Each route calls the programmatic
 * API; dates travel as ISO 8601 strings. Loopback clients only.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { EmulatorAdminError } from "./admin-error.js";
import type { AzureEmulator } from "./emulator.js";
import type { EventSchema } from "./event-grid.js";
import type { AccessPolicyPermission, RoleSpec } from "./rbac.js";
import { clientAddress, isLoopback, readBody, requestUrl, RequestBodyTooLarge, sendJson } from "./server.js";
import type { Cloud, PermissionModel, AccessPolicyErrorCode } from "./vault.js";

type Json = Record<string, unknown>;
type Result = { readonly status: 200; readonly body: unknown } | { readonly status: 204 };

const ok = (body: unknown): Result => ({ status: 200, body });
const done: Result = { status: 204 };

export async function handleAdminRequest(emulator: AzureEmulator, request: IncomingMessage, response: ServerResponse, path: string): Promise<void> {
  if (!isLoopback(clientAddress(request))) {
    sendJson(response, 403, { error: { code: "Forbidden", message: "the admin API answers loopback clients only" } });
    return;
  }
  try {
    const text = await readBody(request, 1024 * 1024);
    const body = parseBody(text);
    const segments = path.split("/").slice(2).map((s) => decodeURIComponent(s));
    const result = route(emulator, request.method ?? "GET", segments, body, requestUrl(request).searchParams);
    const value = result instanceof Promise ? await result : result;
    if (value.status === 204) {
      response.writeHead(204, { "Cache-Control": "no-store" });
      response.end();
    } else {
      sendJson(response, 200, value.body, { "Cache-Control": "no-store" });
    }
  } catch (error) {
    if (error instanceof EmulatorAdminError) {
      sendJson(response, error.status, { error: { code: codeOf(error.status), message: error.message } });
    } else if (error instanceof RequestBodyTooLarge) {
      sendJson(response, 413, { error: { code: "PayloadTooLarge", message: error.message } });
    } else {
      throw error;
    }
  }
}

function codeOf(status: number): string {
  return status === 404 ? "NotFound" : status === 409 ? "Conflict" : "BadRequest";
}

function parseBody(text: string): unknown {
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new EmulatorAdminError("the request body is not valid JSON");
  }
}

function route(emulator: AzureEmulator, method: string, segments: readonly string[], body: unknown, query: URLSearchParams): Result | Promise<Result> {
  // `POST apps/:id/secrets`: the fixed segments, with the ids (every second segment) as `:id`.
  const key = `${method} ${segments.map((s, i) => (i % 2 === 1 ? ":id" : s)).join("/")}`;
  const id = segments[1] ?? "";
  const sub = segments[3] ?? "";
  switch (key) {
    case "GET ":
      return ok(emulator.describe());
    case "POST tenants": {
      const b = object(body, true);
      return ok(emulator.createTenant({ ...optionalString(b, "tenantId"), ...optionalString(b, "displayName") }));
    }
    case "POST apps": {
      const b = object(body);
      return ok(emulator.createApp({ homeTenantId: requiredString(b, "homeTenantId"), displayName: requiredString(b, "displayName"), ...optionalBoolean(b, "multiTenant") }));
    }
    case "POST apps/:id/secrets":
      return ok(emulator.addClientSecret(id));
    case "POST apps/:id/certificates":
      return ok(emulator.addCertificate(id, requiredString(object(body), "certificatePem")));
    case "POST apps/:id/federated-credentials": {
      const b = object(body);
      emulator.addFederatedCredential(id, { issuer: requiredString(b, "issuer"), subject: requiredString(b, "subject"), ...optionalString(b, "audience") });
      return done;
    }
    case "POST apps/:id/consents":
      return ok(emulator.consent(id, requiredString(object(body), "tenantId")));
    case "GET apps/:id/service-principals/:id": {
      const objectId = emulator.servicePrincipalObjectId(id, sub);
      if (objectId === undefined) throw new EmulatorAdminError(`app "${id}" has no service principal in tenant "${sub}"`, 404);
      return ok({ servicePrincipalObjectId: objectId });
    }
    case "POST managed-identities": {
      const b = object(body);
      return ok(emulator.createManagedIdentity({ tenantId: requiredString(b, "tenantId"), ...optionalString(b, "displayName"), ...optionalBoolean(b, "systemAssigned") }));
    }
    case "POST federated-tokens": {
      const b = object(body);
      return ok({ token: emulator.mintFederatedToken({ subject: requiredString(b, "subject"), ...optionalString(b, "audience"), ...optionalNumber(b, "expiresInSeconds") }) });
    }
    case "POST vaults": {
      const b = object(body);
      return emulator.createVault({
        name: requiredString(b, "name"),
        tenantId: requiredString(b, "tenantId"),
        ...optionalNumber(b, "port"),
        ...(optionalString(b, "permissionModel") as { permissionModel?: PermissionModel }),
        ...(optionalString(b, "accessPolicyErrorCode") as { accessPolicyErrorCode?: AccessPolicyErrorCode }),
        ...(optionalString(b, "cloud") as { cloud?: Cloud }),
        ...optionalString(b, "location"),
        ...optionalString(b, "subscriptionId"),
        ...optionalString(b, "resourceGroup"),
        ...(b.timing === undefined || b.timing === null ? {} : { timing: object(b.timing, false, "timing") }),
      }).then(ok);
    }
    case "GET vaults/:id":
      return ok({ name: id, vaultUri: emulator.vaultUri(id) });
    case "PUT vaults/:id/secrets/:id": {
      const b = object(body);
      const tags = b.tags;
      if (tags !== undefined && (typeof tags !== "object" || tags === null || !Object.values(tags).every((v) => typeof v === "string"))) throw new EmulatorAdminError("\"tags\" must map strings to strings");
      return ok(emulator.setSecret(id, sub, requiredString(b, "value"), {
        ...optionalString(b, "contentType"),
        ...optionalBoolean(b, "enabled"),
        ...optionalDate(b, "notBefore"),
        ...optionalDate(b, "expiresOn"),
        ...(tags === undefined ? {} : { tags: tags as Record<string, string> }),
      }));
    }
    case "PATCH vaults/:id/secrets/:id": {
      const b = object(body);
      emulator.updateSecret(id, sub, { ...optionalBoolean(b, "enabled"), ...nullableDate(b, "notBefore"), ...nullableDate(b, "expiresOn") });
      return done;
    }
    case "DELETE vaults/:id/secrets/:id":
      emulator.deleteSecret(id, sub);
      return done;
    case "DELETE vaults/:id/deleted-secrets/:id":
      emulator.purgeDeletedSecret(id, sub);
      return done;
    case "POST vaults/:id/role-assignments": {
      const b = object(body);
      return ok(emulator.assignRole(id, { principalObjectId: requiredString(b, "principalObjectId"), role: b.role as RoleSpec, ...optionalString(b, "secretName") }));
    }
    case "GET role-assignments": {
      const vault = queryValue(query, "vault");
      const principal = queryValue(query, "principal");
      return ok({ roleAssignments: emulator.listRoleAssignments({ ...(vault === undefined ? {} : { vault }), ...(principal === undefined ? {} : { principalObjectId: principal }) }) });
    }
    case "DELETE vaults/:id/role-assignments/:id":
      emulator.removeRoleAssignment(id, sub);
      return done;
    case "PUT vaults/:id/access-policies/:id": {
      const permissions = object(body).permissions;
      if (!Array.isArray(permissions) || !permissions.every((p) => typeof p === "string")) throw new EmulatorAdminError("\"permissions\" must be a list of strings");
      emulator.setAccessPolicy(id, sub, permissions as AccessPolicyPermission[]);
      return done;
    }
    case "PUT vaults/:id/firewall": {
      const enabled = object(body).enabled;
      if (typeof enabled !== "boolean") throw new EmulatorAdminError("\"enabled\" must be true or false");
      emulator.setFirewall(id, enabled);
      return done;
    }
    case "PUT vaults/:id/throttle": {
      if (body === null || body === undefined) {
        emulator.setThrottle(id, null);
        return done;
      }
      const b = object(body);
      const limit = b.limitPer10Seconds;
      if (typeof limit !== "number") throw new EmulatorAdminError("\"limitPer10Seconds\" must be a number");
      const retryAfter = b.retryAfterSeconds;
      emulator.setThrottle(id, { limitPer10Seconds: limit, ...(retryAfter === "window" ? { retryAfterSeconds: "window" as const } : optionalNumber(b, "retryAfterSeconds")) });
      return done;
    }
    case "GET vaults/:id/timing":
      return ok(emulator.timing(id));
    case "PUT vaults/:id/timing":
      return ok(emulator.setTiming(id, object(body)));
    case "PUT vaults/:id/faults": {
      if (body === null || body === undefined) {
        emulator.setFaults(id, null);
        return done;
      }
      const b = object(body);
      const failNext = b.failNext;
      if (failNext !== undefined && (typeof failNext !== "object" || failNext === null)) throw new EmulatorAdminError("\"failNext\" must be {\"count\", \"status\"}");
      const fail = failNext as { count?: unknown; status?: unknown } | undefined;
      emulator.setFaults(id, {
        ...optionalNumber(b, "latencyMs"),
        ...optionalNumber(b, "dropNext"),
        ...(fail === undefined ? {} : { failNext: { count: Number(fail.count), status: Number(fail.status) } }),
      });
      return done;
    }
    case "GET vaults/:id/request-counts":
      return ok(emulator.requestCounts(id));
    case "DELETE vaults/:id/request-counts":
      emulator.resetRequestCounts(id);
      return done;
    case "DELETE request-counts":
      emulator.resetRequestCounts();
      return done;
    case "POST vaults/:id/event-subscriptions": {
      const b = object(body);
      onlyFields(b, SUBSCRIPTION_FIELDS);
      const types = b.includedEventTypes;
      if (types !== undefined && types !== null && (!Array.isArray(types) || types.length === 0 || !types.every((t) => typeof t === "string" && t !== ""))) throw new EmulatorAdminError("\"includedEventTypes\" must be a non-empty list of event type names");
      return emulator.subscribeEvents(id, {
        endpoint: requiredString(b, "endpoint"),
        ...(optionalString(b, "schema") as { schema?: EventSchema }),
        ...(Array.isArray(types) ? { includedEventTypes: types as string[] } : {}),
        ...optionalNumber(b, "maxDeliveryAttempts"),
        ...optionalNumber(b, "retryDelayMs"),
        ...optionalNumber(b, "nearExpirySeconds"),
      }).then(ok);
    }
    case "GET event-subscriptions": {
      const vault = queryValue(query, "vault");
      return ok({ eventSubscriptions: emulator.listEventSubscriptions(vault) });
    }
    case "DELETE event-subscriptions/:id":
      emulator.unsubscribeEvents(id);
      return done;
    case "PUT event-subscriptions/:id/faults": {
      if (body === null || body === undefined) {
        emulator.setEventFaults(id, null);
        return done;
      }
      const b = object(body);
      onlyFields(b, EVENT_FAULT_FIELDS);
      emulator.setEventFaults(id, { ...optionalNumber(b, "dropNext"), ...optionalNumber(b, "delayMs"), ...optionalNumber(b, "duplicate"), ...optionalNumber(b, "holdNext") });
      return done;
    }
    case "GET event-deliveries": {
      const vault = queryValue(query, "vault");
      const subscription = queryValue(query, "subscription");
      // An unknown vault is an error; a subscription may be gone and still have deliveries.
      if (vault !== undefined) emulator.listEventSubscriptions(vault);
      const deliveries = emulator.eventDeliveries().filter((d) => (vault === undefined || d.vault.toLowerCase() === vault.toLowerCase()) && (subscription === undefined || d.subscriptionId.toLowerCase() === subscription.toLowerCase()));
      return ok({ deliveries });
    }
    case "POST expiry-check":
      return ok({ eventsDue: emulator.checkSecretExpiry() });
    default:
      throw new EmulatorAdminError(`the admin API has no route ${method} /admin/${segments.join("/")}`, 404);
  }
}

const SUBSCRIPTION_FIELDS = ["endpoint", "schema", "includedEventTypes", "maxDeliveryAttempts", "retryDelayMs", "nearExpirySeconds"] as const;
const EVENT_FAULT_FIELDS = ["dropNext", "delayMs", "duplicate", "holdNext"] as const;

/** Refuses a field the route does not know (a misspelt fault would otherwise be ignored silently). */
function onlyFields(body: Json, fields: readonly string[]): void {
  const unknown = Object.keys(body).filter((key) => !fields.includes(key));
  if (unknown.length > 0) throw new EmulatorAdminError(`unknown field ${unknown.map((k) => `"${k}"`).join(", ")}: expected ${fields.join(", ")}`);
}

/** A query parameter given at most once; empty counts as absent. */
function queryValue(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw new EmulatorAdminError(`the query parameter "${name}" may be given only once`);
  return values[0] === undefined || values[0] === "" ? undefined : values[0];
}

function object(body: unknown, optional = false, what = "the request body"): Json {
  if (body === undefined && optional) return {};
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new EmulatorAdminError(`${what === "the request body" ? what : `"${what}"`} must be a JSON object`);
  return body as Json;
}

function requiredString(body: Json, name: string): string {
  const value = body[name];
  if (typeof value !== "string" || value === "") throw new EmulatorAdminError(`"${name}" is required and must be a string`);
  return value;
}

function optionalString<K extends string>(body: Json, name: K): { [P in K]?: string } {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== "string") throw new EmulatorAdminError(`"${name}" must be a string`);
  return { [name]: value } as { [P in K]?: string };
}

function optionalBoolean<K extends string>(body: Json, name: K): { [P in K]?: boolean } {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== "boolean") throw new EmulatorAdminError(`"${name}" must be true or false`);
  return { [name]: value } as { [P in K]?: boolean };
}

function optionalNumber<K extends string>(body: Json, name: K): { [P in K]?: number } {
  const value = body[name];
  if (value === undefined || value === null) return {};
  if (typeof value !== "number" || !Number.isFinite(value)) throw new EmulatorAdminError(`"${name}" must be a number`);
  return { [name]: value } as { [P in K]?: number };
}

function toDate(name: string, value: unknown): Date {
  const date = typeof value === "string" ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new EmulatorAdminError(`"${name}" must be an ISO 8601 date`);
  return date;
}

function optionalDate<K extends string>(body: Json, name: K): { [P in K]?: Date } {
  const value = body[name];
  if (value === undefined || value === null) return {};
  return { [name]: toDate(name, value) } as { [P in K]?: Date };
}

function nullableDate<K extends string>(body: Json, name: K): { [P in K]?: Date | null } {
  if (!(name in body)) return {};
  const value = body[name];
  return { [name]: value === null ? null : toDate(name, value) } as { [P in K]?: Date | null };
}
