/**
 * Turns what the Azure SDKs throw into a typed failure and one line a user can
 * act on. Only codes, status numbers and the action named in an RBAC denial
 * are read from the error; its message, headers and bodies never reach the
 * output (they can carry tokens or request details).
 */
import type { SecretError, SecretErrorCode } from "../secret-manager.js";
import type { CredentialOwner } from "./credentials.js";
import { CONNECTION_ERROR_CODES, TLS_ERROR_CODES } from "../network-errors.js";

export const GET_SECRET_ACTION = "Microsoft.KeyVault/vaults/secrets/getSecret/action";
export const READ_METADATA_ACTION = "Microsoft.KeyVault/vaults/secrets/readMetadata/action";
export const SECRETS_USER_ROLE = "Key Vault Secrets User";
/** Azure applies a new role assignment (or a removal) only after a while; a check right after granting still fails. */
export const RBAC_PROPAGATION_ADVICE = "Azure can take several minutes to apply a new role assignment: if you have just assigned it, validate again in a few minutes.";

/** What was learned from a thrown error. */
export interface Classified {
  readonly code: SecretErrorCode;
  readonly transient: boolean;
  /** Server-requested delay (Retry-After), when given. */
  readonly retryAfterMs?: number;
  readonly status?: number;
  /** The RBAC action that was denied, or the access-policy permission. */
  readonly deniedAction?: string | undefined;
  /** The inner error code (ForbiddenByPolicy, AccessDenied, …), when relevant. */
  readonly innerCode?: string;
  /** The AADSTS number, when Entra ID refused. */
  readonly aadsts?: string;
  /** A low-level code (ENOTFOUND, SELF_SIGNED_CERT_IN_CHAIN, …). */
  readonly systemCode?: string;
}

const TLS_CODES = TLS_ERROR_CODES;
/** The Azure SDK's own name for a request that could not be sent, besides the shared ones. */
const CONNECTION_CODES: ReadonlySet<string> = new Set([...CONNECTION_ERROR_CODES, "REQUEST_SEND_ERROR"]);
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN"]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
  details?: unknown;
  response?: { headers?: { get?: (name: string) => string | undefined } };
  errorResponse?: { error?: unknown; errorDescription?: unknown; errorCodes?: unknown };
  cause?: unknown;
  errors?: unknown;
}

export function classifyAzureError(error: unknown): Classified {
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  const name = typeof e.name === "string" ? e.name : "";
  const message = typeof e.message === "string" ? e.message : "";
  if (name === "AbortError" || name === "TimeoutError") return { code: "TIMEOUT", transient: true };

  const aadsts = aadstsOf(e);
  if (aadsts !== undefined) return classifyAadsts(aadsts);
  if (name === "CredentialUnavailableError" || name === "AggregateAuthenticationError") {
    if (/additionallyallowedtenants|tenant/i.test(message) && /not|allowed/i.test(message)) return { code: "WRONG_TENANT", transient: false };
    if (/ENOTFOUND|getaddrinfo/i.test(message)) return { code: "CREDENTIAL_UNAVAILABLE", transient: true, systemCode: "ENOTFOUND" };
    return { code: "CREDENTIAL_UNAVAILABLE", transient: false };
  }

  const systemCode = systemCodeOf(e);
  if (systemCode !== undefined) {
    if (DNS_CODES.has(systemCode)) return { code: "VAULT_HOST_UNRESOLVABLE", transient: false, systemCode };
    if (TLS_CODES.has(systemCode)) return { code: "TLS_FAILURE", transient: false, systemCode };
    if (CONNECTION_CODES.has(systemCode)) return { code: "CONNECTION_FAILED", transient: true, systemCode };
  }

  const status = typeof e.statusCode === "number" ? e.statusCode : undefined;
  const serviceCode = typeof e.code === "string" ? e.code : "";
  const innerCode = innerCodeOf(e.details);
  if (status === 401) {
    if (/AKV10022/.test(message)) return { code: "WRONG_AUDIENCE", transient: false, status };
    if (/AKV10032/.test(message)) return { code: "WRONG_TENANT", transient: false, status };
    return { code: "UNEXPECTED", transient: false, status };
  }
  if (status === 404) return { code: "SECRET_NOT_FOUND", transient: false, status };
  if (status === 403) {
    switch (innerCode) {
      case "SecretDisabled": return { code: "SECRET_DISABLED", transient: false, status, innerCode };
      case "ForbiddenByRbac": return { code: "PERMISSION_DENIED_RBAC", transient: false, status, innerCode, deniedAction: rbacActionOf(message) };
      case "ForbiddenByPolicy":
      case "AccessDenied": return { code: "PERMISSION_DENIED_ACCESS_POLICY", transient: false, status, innerCode, deniedAction: policyPermissionOf(message) };
      case "ForbiddenByFirewall": return { code: "FIREWALL", transient: false, status, innerCode };
      default: return { code: "UNEXPECTED", transient: false, status, ...(innerCode === undefined ? {} : { innerCode }) };
    }
  }
  if (status === 429) return { code: "THROTTLED", transient: true, status, ...retryAfter(e) };
  if (status === 408 || (status !== undefined && status >= 500)) return { code: "SERVICE_UNAVAILABLE", transient: true, status, ...retryAfter(e) };
  if (status === undefined && (serviceCode === "REQUEST_SEND_ERROR" || /socket hang up|ECONNRESET|other side closed/i.test(message))) {
    return { code: "CONNECTION_FAILED", transient: true, systemCode: serviceCode || "ECONNRESET" };
  }
  // A credential that failed without an Entra ID answer, e.g. ClientAssertionCredential
  // whose assertion callback threw (a managed identity endpoint refused): not the vault's doing.
  if (status === undefined && name === "AuthenticationRequiredError") return { code: "CREDENTIAL_UNAVAILABLE", transient: false };
  return { code: "UNEXPECTED", transient: false, ...(status === undefined ? {} : { status }), ...(serviceCode ? { systemCode: serviceCode } : {}) };
}

function classifyAadsts(aadsts: string): Classified {
  switch (aadsts) {
    case "7000215": return { code: "INVALID_CLIENT_SECRET", transient: false, aadsts };
    case "7000222": return { code: "INVALID_CLIENT_SECRET", transient: false, aadsts };
    case "90002": return { code: "UNKNOWN_TENANT", transient: false, aadsts };
    case "700016": return { code: "APP_NOT_CONSENTED", transient: false, aadsts };
    case "70021": return { code: "FEDERATED_IDENTITY_MISMATCH", transient: false, aadsts };
    case "700027": return { code: "INVALID_CLIENT_CERTIFICATE", transient: false, aadsts };
    case "700024": return { code: "FEDERATED_IDENTITY_MISMATCH", transient: false, aadsts };
    default: return { code: "CREDENTIAL_UNAVAILABLE", transient: false, aadsts };
  }
}

function aadstsOf(e: ErrorLike): string | undefined {
  const texts: string[] = [];
  if (typeof e.message === "string") texts.push(e.message);
  const description = e.errorResponse?.errorDescription;
  if (typeof description === "string") texts.push(description);
  if (Array.isArray(e.errors)) {
    for (const inner of e.errors as ErrorLike[]) if (typeof inner.message === "string") texts.push(inner.message);
  }
  for (const text of texts) {
    const match = /AADSTS(\d{5,7})/.exec(text);
    if (match?.[1] !== undefined) return match[1];
  }
  return undefined;
}

function systemCodeOf(e: ErrorLike): string | undefined {
  for (let current: unknown = e, depth = 0; current && depth < 4; depth++) {
    const c = current as ErrorLike;
    if (typeof c.code === "string" && (DNS_CODES.has(c.code) || TLS_CODES.has(c.code) || CONNECTION_CODES.has(c.code) && c.code !== "REQUEST_SEND_ERROR")) return c.code;
    current = c.cause;
  }
  const message = typeof e.message === "string" ? e.message : "";
  for (const code of [...DNS_CODES, ...TLS_CODES]) if (message.includes(code)) return code;
  if (/self[- ]signed certificate|unable to verify the first certificate|certificate has expired/i.test(message)) return "SELF_SIGNED_CERT_IN_CHAIN";
  if (/ECONNREFUSED/.test(message)) return "ECONNREFUSED";
  return undefined;
}

function innerCodeOf(details: unknown): string | undefined {
  if (typeof details !== "object" || details === null) return undefined;
  const error = (details as { error?: { innerError?: { code?: unknown }; innererror?: { code?: unknown } } }).error;
  const code = error?.innerError?.code ?? error?.innererror?.code;
  return typeof code === "string" ? code : undefined;
}

function rbacActionOf(message: string): string | undefined {
  return /Action: '([A-Za-z0-9./]+)'/.exec(message)?.[1];
}

function policyPermissionOf(message: string): string | undefined {
  return /does not have secrets (\w+) permission/.exec(message)?.[1];
}

function retryAfter(e: ErrorLike): { retryAfterMs?: number } {
  const get = e.response?.headers?.get?.bind(e.response.headers);
  if (!get) return {};
  const ms = get("retry-after-ms") ?? get("x-ms-retry-after-ms");
  if (ms !== undefined && /^\d+$/.test(ms)) return { retryAfterMs: Number(ms) };
  const header = get("retry-after");
  if (header === undefined) return {};
  if (/^\d+$/.test(header)) return { retryAfterMs: Number(header) * 1000 };
  const date = Date.parse(header);
  return Number.isNaN(date) ? {} : { retryAfterMs: Math.max(0, date - Date.now()) };
}

/** What a message may mention about the request. */
export interface ErrorContext {
  /** The config key, e.g. `database.password`. */
  readonly key: string;
  /** The identifier as written in canonical form. */
  readonly identifier: string;
  readonly vaultUri: string;
  readonly secretName: string;
  readonly jsonKey: string | null;
  readonly integrationId: string;
  readonly tenantId: string;
  readonly owner: CredentialOwner;
  readonly deadlineMs: number;
  readonly authorityHost: string;
}

/** One line for a user: field and identifier first, then what is wrong and what to do. */
export function describeFailure(classified: Classified, context: ErrorContext): SecretError {
  return { code: classified.code, transient: classified.transient, message: `${context.key} (${context.identifier}): ${explain(classified, context)}` };
}

function identity(context: ErrorContext): string {
  return context.owner.kind === "platform"
    ? `vaultwire's application (app id ${context.owner.clientId})`
    : `the service principal of provider integration "${context.integrationId}" (app id ${context.owner.clientId})`;
}

export function explain(c: Classified, x: ErrorContext): string {
  const secret = `secret "${x.secretName}"`;
  const vault = `vault ${x.vaultUri}`;
  const validate = `then validate provider integration "${x.integrationId}"`;
  switch (c.code) {
    case "SECRET_NOT_FOUND":
      return `${secret} was not found in ${vault}. Check the vault name and the secret name, and that the secret exists in that vault.`;
    case "SECRET_DISABLED":
      return `${secret} is disabled in ${vault}. Enable it (its current version) in Key Vault, or point the identifier at another secret.`;
    case "SECRET_NOT_YET_VALID":
    case "SECRET_EXPIRED":
      return `${secret} cannot be used: see its activation and expiration dates in ${vault}.`;
    case "PERMISSION_DENIED_RBAC": {
      const permission = c.deniedAction === READ_METADATA_ACTION ? "readMetadata (List Secrets)" : "getSecret (Get Secret)";
      const action = c.deniedAction ?? GET_SECRET_ACTION;
      return `${identity(x)} is not allowed to read ${secret}: ${vault} uses Azure RBAC and denied the permission ${permission} (${action}). Assign the role "${SECRETS_USER_ROLE}", which grants getSecret and readMetadata, to that service principal on the vault (or on this secret), ${validate}. ${RBAC_PROPAGATION_ADVICE}`;
    }
    case "PERMISSION_DENIED_ACCESS_POLICY":
      return `${identity(x)} is not allowed to read ${secret}: ${vault} uses access policies and has none granting secrets "${c.deniedAction ?? "get"}" (${c.innerCode ?? "ForbiddenByPolicy"}). Add an access policy with the Get and List secret permissions for that service principal, or switch the vault to Azure RBAC and assign "${SECRETS_USER_ROLE}", ${validate}.`;
    case "FIREWALL":
      return `${vault} refused the request at its firewall (ForbiddenByFirewall). Allow vaultwire's network address, or reach the vault through a private endpoint, in the vault's Networking settings.`;
    case "WRONG_AUDIENCE":
      return `${vault} rejected the access token's audience (AKV10022): the vault belongs to another Azure cloud than the token. Check the vault host and vaultwire's Azure cloud setting.`;
    case "WRONG_TENANT":
      return `${vault} belongs to another Entra ID tenant than provider integration "${x.integrationId}" (tenant ${x.tenantId}). Use a provider integration whose customer_azure_tenant_id is the vault's tenant.`;
    case "INVALID_CLIENT_SECRET":
      return `Entra ID rejected the client secret of ${identity(x)} (AADSTS${c.aadsts ?? "7000215"}): it is wrong or has expired. Create a new client secret for that app registration and update it in ${x.owner.kind === "platform" ? "vaultwire's settings" : `provider integration "${x.integrationId}"`}.`;
    case "INVALID_CLIENT_CERTIFICATE":
      return `Entra ID rejected the certificate of ${identity(x)} (AADSTS${c.aadsts ?? "700027"}): upload the certificate to that app registration or configure the certificate that is registered.`;
    case "UNKNOWN_TENANT":
      return `tenant "${x.tenantId}" of provider integration "${x.integrationId}" does not exist in Entra ID (AADSTS90002). Check its customer_azure_tenant_id.`;
    case "APP_NOT_CONSENTED":
      return `${identity(x)} is not registered in tenant ${x.tenantId} (AADSTS700016). An administrator of that tenant must grant consent (${x.authorityHost}/${x.tenantId}/adminconsent?client_id=${x.owner.clientId}) and create its service principal (az ad sp create --id ${x.owner.clientId}), ${validate}.`;
    case "FEDERATED_IDENTITY_MISMATCH":
      return `Entra ID found no federated identity credential of ${identity(x)} matching vaultwire's workload token (AADSTS${c.aadsts ?? "70021"}). Check the issuer, subject and audience of the app's federated credential.`;
    case "CREDENTIAL_UNAVAILABLE":
      return `vaultwire could not get an access token for ${identity(x)} in tenant ${x.tenantId}${c.aadsts === undefined ? "" : ` (AADSTS${c.aadsts})`}${c.systemCode === undefined ? "" : ` (${c.systemCode} reaching ${x.authorityHost})`}. Check vaultwire's Azure identity settings, ${validate}.`;
    case "VAULT_HOST_UNRESOLVABLE":
      return `the host of ${vault} cannot be resolved (${c.systemCode ?? "ENOTFOUND"}). Check the vault name; for a private endpoint, check vaultwire's DNS for privatelink.vaultcore.azure.net.`;
    case "CONNECTION_FAILED":
      return `could not connect to ${vault} (${c.systemCode ?? "connection error"}), also after retries. Check network access from vaultwire to the vault.`;
    case "TLS_FAILURE":
      return `the TLS connection to ${vault} failed (${c.systemCode ?? "certificate error"}): its certificate is not trusted or does not match the host.`;
    case "THROTTLED":
      return `Key Vault throttled the requests to ${vault} (HTTP 429) and retrying did not succeed within ${Math.round(x.deadlineMs / 1000)} s. Try again later; vaultwire caches secrets to keep the request rate low.`;
    case "SERVICE_UNAVAILABLE":
      return `${vault} answered HTTP ${c.status ?? 503} and retrying did not succeed within ${Math.round(x.deadlineMs / 1000)} s. Try again later.`;
    case "TIMEOUT":
      return `no answer from ${vault} within ${Math.round(x.deadlineMs / 1000)} s. Check network access from vaultwire to the vault.`;
    case "JSON_NOT_OBJECT":
    case "JSON_KEY_MISSING":
    case "JSON_VALUE_NOT_SCALAR":
      return `${secret} cannot be read as JSON.`;
    case "UNEXPECTED":
    default:
      // `default`: the codes of other managers (AWS), which classifyAzureError never returns.
      return `${vault} answered unexpectedly${c.status === undefined ? "" : ` (HTTP ${c.status}${c.innerCode === undefined ? "" : ` ${c.innerCode}`})`}${c.systemCode === undefined ? "" : ` (${c.systemCode})`}.`;
  }
}
