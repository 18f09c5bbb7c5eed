import { describe, expect, it } from "vitest";
import { callerText, errorBody, keyVaultErrors, vaultText } from "./key-vault-errors.js";

const caller = callerText({ appId: "app-1", objectId: "oid-1", issuer: "https://sts.windows.net/t1/" });
const vault = vaultText({ name: "kv1", location: "westus3" });

describe("Key Vault error bodies", () => {
  it("have the service's shape, with innererror only when there is one", () => {
    expect(errorBody(keyVaultErrors.missingToken())).toEqual({ error: { code: "Unauthorized", message: "AKV10000: Request is missing a Bearer or PoP token." } });
    expect(errorBody(keyVaultErrors.secretDisabled("get"))).toEqual({ error: { code: "Forbidden", message: "Operation get is not allowed on a disabled secret.", innererror: { code: "SecretDisabled" } } });
  });

  it("word the RBAC denial as the service does", () => {
    const error = keyVaultErrors.forbiddenByRbac({ caller, action: "Microsoft.KeyVault/vaults/secrets/getSecret/action", resource: "/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv1/secrets/db", vault });
    expect(error).toMatchObject({ status: 403, code: "Forbidden", innerCode: "ForbiddenByRbac" });
    expect(error.message).toBe(
      "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"
      + "Caller: appid=app-1;oid=oid-1;iss=https://sts.windows.net/t1/\r\nAction: 'Microsoft.KeyVault/vaults/secrets/getSecret/action'\r\n"
      + "Resource: '/subscriptions/s/resourcegroups/rg/providers/microsoft.keyvault/vaults/kv1/secrets/db'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\nDecisionReason: null \r\nVault: kv1;location=westus3\r\n",
    );
  });

  it("word access-policy denials alike in both styles", () => {
    const newer = keyVaultErrors.forbiddenByPolicy({ caller, permission: "get", vault, innerCode: "ForbiddenByPolicy" });
    const older = keyVaultErrors.forbiddenByPolicy({ caller, permission: "get", vault, innerCode: "AccessDenied" });
    expect(newer.message).toBe("The user, group or application 'appid=app-1;oid=oid-1;iss=https://sts.windows.net/t1/' does not have secrets get permission on key vault 'kv1;location=westus3'. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287");
    expect(older.message).toBe(newer.message);
    expect([newer.innerCode, older.innerCode]).toEqual(["ForbiddenByPolicy", "AccessDenied"]);
  });

  it("name the client address and caller behind the firewall", () => {
    expect(keyVaultErrors.forbiddenByFirewall({ clientAddress: "127.0.0.1", caller, vault }).message).toBe(
      "Client address is not authorized and caller is not a trusted service.\r\nClient address: 127.0.0.1\r\nCaller: appid=app-1;oid=oid-1;iss=https://sts.windows.net/t1/\r\nVault: kv1;location=westus3",
    );
  });

  it("say what was expected for audience and issuer", () => {
    expect(keyVaultErrors.invalidAudience("https://vault.azure.cn", "https://vault.azure.net").message).toBe("AKV10022: Invalid audience. Expected https://vault.azure.cn, found: https://vault.azure.net.");
    expect(keyVaultErrors.invalidIssuer("https://sts.windows.net/a/", "https://sts.windows.net/b/").message).toBe("AKV10032: Invalid issuer. Expected one of https://sts.windows.net/a/, found https://sts.windows.net/b/.");
  });

  it("throttle with the service's reason and inject 5xx with matching codes", () => {
    expect(keyVaultErrors.throttled()).toMatchObject({ status: 429, code: "Throttled", message: "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached" });
    expect(keyVaultErrors.injected(503)).toMatchObject({ status: 503, code: "ServiceUnavailable" });
    expect(keyVaultErrors.injected(599)).toMatchObject({ status: 599, code: "InternalServerError" });
  });

  it("quote the name or name/version of a missing secret", () => {
    expect(keyVaultErrors.secretNotFound("db/abc").message).toMatch(/^A secret with \(name\/id\) db\/abc was not found in this key vault\. /);
  });
});

describe("Key Vault's soft-delete, backup and api-version errors", () => {
  it("word them as the service does", () => {
    expect(keyVaultErrors.secretBeingDeleted("db")).toMatchObject({ status: 409, code: "Conflict", message: "Secret db is currently being deleted and cannot be re-created; retry later." });
    expect(keyVaultErrors.deletionInProgress()).toMatchObject({ status: 409, code: "Conflict", message: "Secret is currently being deleted." });
    expect(keyVaultErrors.secretDeletedButRecoverable("db").message).toBe("Secret db is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.");
    expect(keyVaultErrors.malformedBackup()).toMatchObject({ status: 400, code: "Malformed backup blob", message: "Backup blob contains invalid or corrupt version." });
    expect(keyVaultErrors.restoreConflict("https://kv/secrets/db/1").message).toMatch(/^There was a conflict restoring the secret 'https:\/\/kv\/secrets\/db\/1'\. /);
    expect(keyVaultErrors.unsupportedApiVersion("9.9", "2025-07-01")).toMatchObject({ status: 400, code: "BadParameter", message: "The specified version (9.9) is not recognized. Consider using the latest supported version (2025-07-01)." });
  });
});
