/**
 * Entra ID's OAuth error responses: `{error, error_description, error_codes,
 * timestamp, trace_id, correlation_id, error_uri}` with the AADSTS wording of
 * the real service. Pure: the caller passes the ids and the clock.
 */

export type EntraFailure =
  | { readonly kind: "invalid-tenant"; readonly tenant: string }
  | { readonly kind: "malformed-tenant"; readonly tenant: string }
  | { readonly kind: "missing-parameter"; readonly parameter: string }
  | { readonly kind: "unsupported-grant-type"; readonly grantType: string }
  | { readonly kind: "invalid-scope"; readonly scope: string }
  | { readonly kind: "app-not-in-directory"; readonly appId: string; readonly directory: string }
  | { readonly kind: "missing-credential" }
  | { readonly kind: "invalid-client-secret"; readonly appId: string }
  | { readonly kind: "malformed-assertion" }
  | { readonly kind: "assertion-app-mismatch" }
  | { readonly kind: "assertion-audience"; readonly audience: string }
  | { readonly kind: "assertion-time"; readonly now: number; readonly notBefore: number | undefined; readonly expires: number | undefined }
  | { readonly kind: "assertion-key-not-found"; readonly appId: string; readonly thumbprint: string }
  | { readonly kind: "assertion-signature"; readonly appId: string; readonly thumbprint: string }
  | { readonly kind: "federated-no-match"; readonly issuer: string; readonly subject: string; readonly audience: string }
  | { readonly kind: "federated-issuer-unreachable" };

export interface EntraErrorBody {
  readonly error: string;
  readonly error_description: string;
  readonly error_codes: readonly number[];
  readonly timestamp: string;
  readonly trace_id: string;
  readonly correlation_id: string;
  readonly error_uri: string;
}

export interface EntraErrorResponse {
  readonly status: 400 | 401;
  readonly body: EntraErrorBody;
}

interface Described {
  readonly status: 400 | 401;
  readonly error: string;
  readonly code: number;
  readonly text: string;
}

const GRAPH_KEYS_HELP = "Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id";

function describe(failure: EntraFailure): Described {
  switch (failure.kind) {
    case "invalid-tenant":
      return { status: 400, error: "invalid_tenant", code: 90002, text: `Tenant '${failure.tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.` };
    case "malformed-tenant":
      return { status: 400, error: "invalid_request", code: 900023, text: `Specified tenant identifier '${failure.tenant}' is neither a valid DNS name, nor a valid external domain.` };
    case "missing-parameter":
      return { status: 400, error: "invalid_request", code: 900144, text: `The request body must contain the following parameter: '${failure.parameter}'.` };
    case "unsupported-grant-type":
      return { status: 400, error: "unsupported_grant_type", code: 70003, text: `The app requested an unsupported grant type '${failure.grantType}'.` };
    case "invalid-scope":
      return { status: 400, error: "invalid_scope", code: 1002012, text: `The provided value for scope ${failure.scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).` };
    case "app-not-in-directory":
      return { status: 400, error: "unauthorized_client", code: 700016, text: `Application with identifier '${failure.appId}' was not found in the directory '${failure.directory}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.` };
    case "missing-credential":
      return { status: 401, error: "invalid_client", code: 7000218, text: "The request body must contain the following parameter: 'client_assertion' or 'client_secret'." };
    case "invalid-client-secret":
      return { status: 401, error: "invalid_client", code: 7000215, text: `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${failure.appId}'.` };
    case "malformed-assertion":
      return { status: 400, error: "invalid_request", code: 50027, text: "JWT token is invalid or malformed." };
    case "assertion-app-mismatch":
      return { status: 401, error: "invalid_client", code: 700021, text: "Client assertion application identifier doesn't match 'client_id' parameter. Review the documentation at https://docs.microsoft.com/en-us/azure/active-directory/develop/active-directory-certificate-credentials ." };
    case "assertion-audience":
      return { status: 401, error: "invalid_client", code: 700022, text: `Client assertion audience claim does not match the token endpoint. Presented audience: '${failure.audience}'.` };
    case "assertion-time":
      return { status: 401, error: "invalid_client", code: 700024, text: `Client assertion is not within its valid time range. Current time: ${isoTime(failure.now)}, assertion valid from ${failure.notBefore === undefined ? "unknown" : isoTime(failure.notBefore)}, expiry time of assertion ${failure.expires === undefined ? "unknown" : isoTime(failure.expires)}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .` };
    case "assertion-key-not-found":
      return { status: 401, error: "invalid_client", code: 700027, text: `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${failure.thumbprint}', ${GRAPH_KEYS_HELP} '${failure.appId}'.]` };
    case "assertion-signature":
      return { status: 401, error: "invalid_client", code: 700027, text: `Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the signature failed., Thumbprint of key used by client: '${failure.thumbprint}', ${GRAPH_KEYS_HELP} '${failure.appId}'.]` };
    case "federated-no-match":
      return { status: 400, error: "invalid_request", code: 70021, text: `No matching federated identity record found for presented assertion. Assertion Issuer: '${failure.issuer}'. Assertion Subject: '${failure.subject}'. Assertion Audience: '${failure.audience}'. https://learn.microsoft.com/entra/workload-id/workload-identity-federation` };
    case "federated-issuer-unreachable":
      return { status: 400, error: "invalid_request", code: 50166, text: "Request to External OIDC endpoint failed." };
  }
}

/** Entra's timestamp format: `2024-05-01 12:34:56Z`. */
export function entraTimestamp(nowMs: number): string {
  return new Date(nowMs).toISOString().replace("T", " ").replace(/\.\d{3}Z$/, "Z");
}

export function entraError(failure: EntraFailure, context: { readonly traceId: string; readonly correlationId: string; readonly nowMs: number }): EntraErrorResponse {
  const { status, error, code, text } = describe(failure);
  const timestamp = entraTimestamp(context.nowMs);
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${text} Trace ID: ${context.traceId} Correlation ID: ${context.correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: context.traceId,
      correlation_id: context.correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, ".0000000Z");
}
