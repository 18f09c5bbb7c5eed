/**
 * Key Vault's error responses, `{"error":{"code","message","innererror"?:{"code"}}}`,
 * with the real service's codes and wording. Pure.
 */

export interface KeyVaultError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
  readonly innerCode?: string;
}

export interface KeyVaultErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly innererror?: { readonly code: string } };
}

export function errorBody(error: KeyVaultError): KeyVaultErrorBody {
  return { error: { code: error.code, message: error.message, ...(error.innerCode === undefined ? {} : { innererror: { code: error.innerCode } }) } };
}

/** `appid=…;oid=…;iss=…`, how Key Vault names a caller. */
export function callerText(caller: { readonly appId: string; readonly objectId: string; readonly issuer: string }): string {
  return `appid=${caller.appId};oid=${caller.objectId};iss=${caller.issuer}`;
}

/** `{name};location={region}`, how Key Vault names itself in errors. */
export function vaultText(vault: { readonly name: string; readonly location: string }): string {
  return `${vault.name};location=${vault.location}`;
}

const unauthorized = (message: string): KeyVaultError => ({ status: 401, code: "Unauthorized", message });
const forbidden = (innerCode: string, message: string): KeyVaultError => ({ status: 403, code: "Forbidden", message, innerCode });

export const keyVaultErrors = {
  missingToken: (): KeyVaultError => unauthorized("AKV10000: Request is missing a Bearer or PoP token."),
  malformedToken: (): KeyVaultError => unauthorized("AKV10020: Invalid token: the token could not be parsed."),
  unknownSigningKey: (encodedHeader: string): KeyVaultError => unauthorized(`AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '${encodedHeader}'.`),
  tokenExpired: (): KeyVaultError => unauthorized("[TokenExpired] Error validating token: 'S2S12086'."),
  tokenNotYetValid: (): KeyVaultError => unauthorized("[TokenNotYetValid] Error validating token: 'S2S12085'."),
  invalidAudience: (expected: string, found: string): KeyVaultError => unauthorized(`AKV10022: Invalid audience. Expected ${expected}, found: ${found}.`),
  invalidIssuer: (expected: string, found: string): KeyVaultError => unauthorized(`AKV10032: Invalid issuer. Expected one of ${expected}, found ${found}.`),

  secretNotFound: (nameOrId: string): KeyVaultError => ({
    status: 404,
    code: "SecretNotFound",
    message: `A secret with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`,
  }),
  deletedSecretNotFound: (name: string): KeyVaultError => ({ status: 404, code: "SecretNotFound", message: `Deleted Secret not found: ${name}` }),
  secretDisabled: (operation: string): KeyVaultError => forbidden("SecretDisabled", `Operation ${operation} is not allowed on a disabled secret.`),
  secretDeletedButRecoverable: (name: string): KeyVaultError => ({
    status: 409,
    code: "Conflict",
    message: `Secret ${name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.`,
  }),
  /** Set while the deletion or the purge of the name is still running. */
  secretBeingDeleted: (name: string): KeyVaultError => ({ status: 409, code: "Conflict", message: `Secret ${name} is currently being deleted and cannot be re-created; retry later.` }),
  /** Purge (and recover) of a secret whose deletion has not completed. */
  deletionInProgress: (): KeyVaultError => ({ status: 409, code: "Conflict", message: "Secret is currently being deleted." }),
  restoreConflict: (secretId: string): KeyVaultError => ({
    status: 409,
    code: "Conflict",
    message: `There was a conflict restoring the secret '${secretId}'. This can happen if either: a second secret with the same name was created after the first secret was deleted; thus trying to restore a secret whose name is already in use. To fix this, rename the second secret to something else so that the restore works. The second probable cause of this exception is when multiple operations are performed in parallel against the secret. To avoid this error, perform operations against a secret in a sequential manner.`,
  }),
  malformedBackup: (): KeyVaultError => ({ status: 400, code: "Malformed backup blob", message: "Backup blob contains invalid or corrupt version." }),
  unsupportedApiVersion: (version: string, latest: string): KeyVaultError => ({
    status: 400,
    code: "BadParameter",
    message: `The specified version (${version}) is not recognized. Consider using the latest supported version (${latest}).`,
  }),

  forbiddenByRbac: (details: { caller: string; action: string; resource: string; vault: string }): KeyVaultError =>
    forbidden(
      "ForbiddenByRbac",
      "Caller is not authorized to perform action on resource.\r\n"
        + "If role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"
        + `Caller: ${details.caller}\r\n`
        + `Action: '${details.action}'\r\n`
        + `Resource: '${details.resource}'\r\n`
        + "Assignment: (not found)\r\n"
        + "DenyAssignmentId: null\r\n"
        + "DecisionReason: null \r\n"
        + `Vault: ${details.vault}\r\n`,
    ),
  forbiddenByPolicy: (details: { caller: string; permission: string; vault: string; innerCode: "ForbiddenByPolicy" | "AccessDenied" }): KeyVaultError =>
    forbidden(
      details.innerCode,
      `The user, group or application '${details.caller}' does not have secrets ${details.permission} permission on key vault '${details.vault}'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287`,
    ),
  forbiddenByFirewall: (details: { clientAddress: string; caller: string; vault: string }): KeyVaultError =>
    forbidden(
      "ForbiddenByFirewall",
      "Client address is not authorized and caller is not a trusted service.\r\n"
        + `Client address: ${details.clientAddress}\r\n`
        + `Caller: ${details.caller}\r\n`
        + `Vault: ${details.vault}`,
    ),
  throttled: (): KeyVaultError => ({ status: 429, code: "Throttled", message: "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached" }),

  badParameter: (message: string): KeyVaultError => ({ status: 400, code: "BadParameter", message }),
  notFoundPath: (): KeyVaultError => ({ status: 404, code: "NotFound", message: "The requested resource was not found." }),
  methodNotAllowed: (method: string): KeyVaultError => ({ status: 405, code: "MethodNotAllowed", message: `The requested method ${method} is not allowed on this resource.` }),
  injected: (status: number): KeyVaultError => ({ status, ...INJECTED[status] ?? { code: "InternalServerError", message: "The server encountered an internal error. Please retry the request." } }),
};

const INJECTED: Readonly<Record<number, { code: string; message: string }>> = {
  500: { code: "InternalServerError", message: "The server encountered an internal error. Please retry the request." },
  502: { code: "BadGateway", message: "The server received an invalid response from an upstream server." },
  503: { code: "ServiceUnavailable", message: "The service is temporarily unavailable. Please retry after some time." },
  504: { code: "GatewayTimeout", message: "The server did not receive a timely response from an upstream server." },
};
