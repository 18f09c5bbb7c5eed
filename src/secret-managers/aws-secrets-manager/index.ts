export { createAwsSecretsManager, type AwsManagerDependencies, type AwsSecretRequest } from "./manager.js";
export { AWS_SETTINGS_DEFAULTS, describePlatformIdentity, type AwsEndpointOverrides, type AwsPlatformIdentity, type AwsSecretsManagerSettings } from "./settings.js";
export { AWS_UNCONFIGURED_MESSAGE, UNCONFIGURED_AWS_SECRETS_MANAGER } from "./unconfigured.js";
export { AwsSession, SdkAwsPort, type AwsPort, type FetchedAwsSecret } from "./aws-port.js";
export { allowedSecretsManagerHosts, awsEndpoint, createEndpointPolicy, type EndpointPolicy } from "./endpoints.js";
export { classifyAwsError, ASSUME_ROLE_ACTION, DESCRIBE_SECRET_ACTION, GET_SECRET_VALUE_ACTION, KMS_DECRYPT_ACTION } from "./errors.js";
export {
  AWS_SECRETS_MANAGER_IDENTIFIER_EXAMPLE,
  AWS_SECRETS_MANAGER_IDENTIFIER_FORMAT,
  awsSecretsManagerGrammar,
  formatAwsSecretsManagerIdentifier,
  looksLikeAwsSecretsManagerIdentifier,
  parseAwsSecretsManagerIdentifier,
  type AwsIdentifierError,
  type AwsPartition,
  type AwsSecretReference,
} from "./identifier.js";
