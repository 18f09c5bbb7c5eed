/**
 * The secret manager of a server started without an Azure identity: it runs
 * connectors that need no secret manager, and explains to the others what to
 * configure.
 */
import { formatAzureKeyVaultIdentifier } from "./identifier.js";
import type { AzureKeyVaultSecretManager } from "./manager.js";

export const UNCONFIGURED_MESSAGE = "vaultwire has no Azure identity configured: set VAULTWIRE_AZURE_CLIENT_ID and one credential (VAULTWIRE_AZURE_CLIENT_SECRET, VAULTWIRE_AZURE_CLIENT_CERTIFICATE_FILE, VAULTWIRE_AZURE_FEDERATED_TOKEN_FILE or VAULTWIRE_AZURE_MANAGED_IDENTITY=true) and restart the server";

export const UNCONFIGURED_AZURE_KEY_VAULT: AzureKeyVaultSecretManager = {
  kind: "AZURE_KEY_VAULT",
  fetch: (_integration, requests) => Promise.resolve(requests.map((request) => ({
    key: request.key,
    ok: false as const,
    error: { code: "CREDENTIAL_UNAVAILABLE" as const, transient: false, message: `${request.key} (${formatAzureKeyVaultIdentifier(request.identifier)}): ${UNCONFIGURED_MESSAGE}` },
  }))),
  validateIntegration: () => Promise.resolve({ ready: false, token: { ok: false, code: "CREDENTIAL_UNAVAILABLE", message: UNCONFIGURED_MESSAGE }, permissions: [] }),
  invalidate: () => undefined,
};
