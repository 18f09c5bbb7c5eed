/**
 * The AWS secret manager of a server started without a platform AWS
 * identity: it runs connectors that need no secret manager, and explains to
 * the others what to configure.
 */
import type { SecretManager } from "../secret-manager.js";
import { awsSecretsManagerGrammar, formatAwsSecretsManagerIdentifier, type AwsSecretReference } from "./identifier.js";

export const AWS_UNCONFIGURED_MESSAGE = "vaultwire has no AWS identity configured: set VAULTWIRE_AWS_ACCESS_KEY_ID and VAULTWIRE_AWS_SECRET_ACCESS_KEY, or VAULTWIRE_AWS_ROLE_ARN with VAULTWIRE_AWS_WEB_IDENTITY_TOKEN_FILE, or VAULTWIRE_AWS_INSTANCE_METADATA=true or VAULTWIRE_AWS_CONTAINER_CREDENTIALS=true, and restart the server";

export const UNCONFIGURED_AWS_SECRETS_MANAGER: SecretManager<AwsSecretReference> = {
  kind: "AWS_SECRETS_MANAGER",
  grammar: awsSecretsManagerGrammar,
  fetch: (_integration, requests) => Promise.resolve(requests.map((request) => ({
    key: request.key,
    ok: false as const,
    error: { code: "CREDENTIAL_UNAVAILABLE" as const, transient: false, message: `${request.key} (${formatAwsSecretsManagerIdentifier(request.identifier)}): ${AWS_UNCONFIGURED_MESSAGE}` },
  }))),
  validateIntegration: () => Promise.resolve({ ready: false, token: { ok: false, code: "CREDENTIAL_UNAVAILABLE", message: AWS_UNCONFIGURED_MESSAGE }, permissions: [] }),
  invalidate: () => undefined,
};
