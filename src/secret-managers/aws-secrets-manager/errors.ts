/**
 * Turns what the AWS SDK throws into a typed failure and one line a user can
 * act on. Only the error's name (AWS's error code), its HTTP status and a
 * low-level network code are kept; AWS's message is read for one hint (KMS,
 * deletion) and never reaches the output, nor do headers or bodies (they
 * can carry request ids, signatures or key ids).
 */
import type { SecretError, SecretErrorCode } from "../secret-manager.js";
import { CONNECTION_ERROR_CODES, TLS_ERROR_CODES } from "../network-errors.js";

export const GET_SECRET_VALUE_ACTION = "secretsmanager:GetSecretValue";
export const DESCRIBE_SECRET_ACTION = "secretsmanager:DescribeSecret";
export const ASSUME_ROLE_ACTION = "sts:AssumeRole";
export const KMS_DECRYPT_ACTION = "kms:Decrypt";

/** Which call failed: the session (STS) or the secret (Secrets Manager). */
export type AwsOperation = "assume-role" | "get-secret-value" | "describe-secret" | "caller-identity";

/** What was learned from a thrown error. */
export interface Classified {
  readonly code: SecretErrorCode;
  readonly transient: boolean;
  /** Worth retrying within the fetch's deadline (throttling, 5xx, dropped connections). */
  readonly retry: boolean;
  readonly status?: number;
  /** AWS's error code (the SDK error's name), e.g. AccessDeniedException. */
  readonly awsCode?: string;
  /** A low-level code (ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED, …). */
  readonly systemCode?: string;
}

const TLS_CODES = TLS_ERROR_CODES;
const CONNECTION_CODES = CONNECTION_ERROR_CODES;
const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN"]);
/** Names the SDK gives a service error that is AWS saying "slow down". */
const THROTTLING = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded", "ProvisionedThroughputExceededException"]);
const PLATFORM_CREDENTIAL_REJECTED = new Set(["InvalidClientTokenId", "SignatureDoesNotMatch", "UnrecognizedClientException", "InvalidSignatureException", "IncompleteSignature"]);
const EXPIRED = new Set(["ExpiredToken", "ExpiredTokenException", "RequestExpired"]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $fault?: unknown;
  cause?: unknown;
  errors?: unknown;
}

function systemCodeOf(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; typeof current === "object" && current !== null && depth < 4; depth++) {
    const c = current as ErrorLike;
    if (typeof c.code === "string" && (DNS_CODES.has(c.code) || TLS_CODES.has(c.code) || CONNECTION_CODES.has(c.code))) return c.code;
    // Node's AggregateError (happy eyeballs) keeps the per-address errors.
    if (Array.isArray(c.errors)) {
      for (const inner of c.errors as unknown[]) {
        const code = systemCodeOf(inner);
        if (code !== undefined) return code;
      }
    }
    current = c.cause;
  }
  return undefined;
}

/** Classifies what one AWS call threw. `operation` tells an STS refusal from a Secrets Manager one. */
export function classifyAwsError(error: unknown, operation: AwsOperation): Classified {
  const e = (typeof error === "object" && error !== null ? error : {}) as ErrorLike;
  const name = typeof e.name === "string" ? e.name : "";
  const message = typeof e.message === "string" ? e.message : "";
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  const withStatus = status === undefined ? {} : { status };
  if (name === "AbortError" || name === "TimeoutError") return { code: "TIMEOUT", transient: true, retry: false };
  if (name === "EndpointNotAllowedError") return { code: "ENDPOINT_NOT_ALLOWED", transient: false, retry: false };
  if (name === "CredentialsProviderError" || name === "IncompleteAssumeRoleResponse") return { code: "CREDENTIAL_UNAVAILABLE", transient: false, retry: false, awsCode: name };

  if (status === undefined) {
    const systemCode = systemCodeOf(error);
    if (systemCode !== undefined) {
      if (DNS_CODES.has(systemCode)) return { code: "ENDPOINT_UNRESOLVABLE", transient: true, retry: false, systemCode };
      if (TLS_CODES.has(systemCode)) return { code: "TLS_FAILURE", transient: true, retry: false, systemCode };
      return { code: "CONNECTION_FAILED", transient: true, retry: true, systemCode };
    }
    if (/socket hang up|other side closed/i.test(message)) return { code: "CONNECTION_FAILED", transient: true, retry: true, systemCode: "ECONNRESET" };
  }

  // A service error carries $fault; a name like SyntaxError (a body the SDK could not parse) is no AWS code.
  const awsCode = e.$fault !== undefined && name !== "" ? name : undefined;
  const known = { ...withStatus, ...(awsCode === undefined ? {} : { awsCode }) };
  if (awsCode !== undefined && THROTTLING.has(awsCode)) return { code: "THROTTLED", transient: true, retry: true, ...known };
  if (status === 429) return { code: "THROTTLED", transient: true, retry: true, ...known };
  if (awsCode !== undefined && EXPIRED.has(awsCode)) {
    // On STS the platform identity's own (temporary) keys expired; on Secrets Manager the assumed session did.
    return operation === "assume-role" || operation === "caller-identity"
      ? { code: "INVALID_PLATFORM_CREDENTIALS", transient: false, retry: false, ...known }
      : { code: "SESSION_EXPIRED", transient: true, retry: false, ...known };
  }
  if (operation === "assume-role" || operation === "caller-identity") {
    if (awsCode === "AccessDenied" || awsCode === "AccessDeniedException" || status === 403 && awsCode === undefined) return { code: "ASSUME_ROLE_DENIED", transient: false, retry: false, ...known };
    if (awsCode === "RegionDisabledException") return { code: "WRONG_REGION", transient: false, retry: false, ...known };
    if (awsCode !== undefined && PLATFORM_CREDENTIAL_REJECTED.has(awsCode)) return { code: "INVALID_PLATFORM_CREDENTIALS", transient: false, retry: false, ...known };
  } else {
    switch (awsCode) {
      case "AccessDeniedException":
      case "AccessDenied":
        return { code: /\bkms\b/i.test(message) ? "PERMISSION_DENIED_KMS" : "PERMISSION_DENIED_IAM", transient: false, retry: false, ...known };
      case "ResourceNotFoundException":
        return { code: "SECRET_NOT_FOUND", transient: false, retry: false, ...known };
      case "InvalidRequestException":
        if (/deletion|deleted/i.test(message)) return { code: "SECRET_SCHEDULED_FOR_DELETION", transient: false, retry: false, ...known };
        break;
      case "DecryptionFailure":
        return { code: "DECRYPTION_FAILURE", transient: false, retry: false, ...known };
      case "UnrecognizedClientException":
      case "InvalidSignatureException":
        // Session keys that AWS does not know in this region: an opt-in region not enabled in the account (or a revoked session).
        return { code: "WRONG_REGION", transient: false, retry: false, ...known };
      default:
        // A 403 whose body the SDK could not read (moto answers AccessDenied on Secrets Manager in IAM's XML).
        if (status === 403 && awsCode === undefined) return { code: "PERMISSION_DENIED_IAM", transient: false, retry: false, ...known };
        break;
    }
  }
  if (awsCode === "InternalServiceError" || awsCode === "InternalFailure" || awsCode === "ServiceUnavailable" || (status !== undefined && (status >= 500 || status === 408))) {
    return { code: "SERVICE_UNAVAILABLE", transient: true, retry: true, ...known };
  }
  return { code: "UNEXPECTED", transient: false, retry: false, ...known };
}

/** What a message may mention about the request (no values, no keys). */
export interface ErrorContext {
  /** The config key, e.g. `database.password`. */
  readonly key: string;
  /** The identifier in canonical form; empty for a probe that names no secret. */
  readonly identifier: string;
  /** The secret's ARN as written. */
  readonly arn: string;
  readonly region: string;
  readonly accountId: string;
  /** True when the ARN has no AWS suffix (a partial ARN, or a name that ends like one). */
  readonly partialArn: boolean;
  readonly integrationId: string;
  readonly roleArn: string;
  readonly externalId: string;
  /** vaultwire's own principal as the customer's trust policy must name it, e.g. its role or user ARN. */
  readonly platformPrincipal: string;
  readonly deadlineMs: number;
  readonly secretsManagerEndpoint: string;
  readonly stsEndpoint: string;
}

/** One line for a user: field and identifier first, then what is wrong and what to do. */
export function describeFailure(classified: Classified, context: ErrorContext): SecretError {
  return { code: classified.code, transient: classified.transient, message: `${context.key} (${context.identifier}): ${explain(classified, context)}` };
}

export function explain(c: Classified, x: ErrorContext): string {
  const secret = `secret ${x.arn}`;
  const validate = `then validate provider integration "${x.integrationId}"`;
  const role = `role ${x.roleArn}`;
  const seconds = Math.round(x.deadlineMs / 1000);
  const awsCode = c.awsCode === undefined ? "" : ` (${c.awsCode})`;
  switch (c.code) {
    case "ASSUME_ROLE_DENIED":
      return `vaultwire (${x.platformPrincipal}) may not assume ${role} of provider integration "${x.integrationId}" (${ASSUME_ROLE_ACTION} AccessDenied). Check the role's trust policy: it must allow ${ASSUME_ROLE_ACTION} for the principal ${x.platformPrincipal} with the condition StringEquals "sts:ExternalId": "${x.externalId}" (the integration's external_id). If the principal is right, the external id in the policy differs; if both are right, check customer_iam_role_arn and that vaultwire's own identity may call ${ASSUME_ROLE_ACTION} on that role, ${validate}.`;
    case "PERMISSION_DENIED_IAM": {
      const resource = x.partialArn ? `${x.arn}-??????` : x.arn;
      return `${role} may not read ${secret} (${GET_SECRET_VALUE_ACTION} AccessDenied). Allow the action ${GET_SECRET_VALUE_ACTION} on the resource ${resource} in the role's permissions policy, and check that the secret's resource policy denies nothing to the role; if the secret uses a customer-managed KMS key, the role also needs ${KMS_DECRYPT_ACTION} on that key. ${capitalise(validate)}.`;
    }
    case "PERMISSION_DENIED_KMS":
      return `${secret} is encrypted with a customer-managed KMS key that ${role} may not use. Allow ${KMS_DECRYPT_ACTION} on that key for the role, in the key policy and in the role's permissions policy, ${validate}.`;
    case "DECRYPTION_FAILURE":
      return `Secrets Manager could not decrypt ${secret} with its KMS key (DecryptionFailure). Check that the key is enabled and not pending deletion, and that ${role} has ${KMS_DECRYPT_ACTION} on it.`;
    case "SECRET_NOT_FOUND":
      return `${secret} was not found in region ${x.region} of account ${x.accountId} (ResourceNotFoundException). Check the region, the account and the name in the ARN${x.partialArn ? "; a partial ARN (no 6-character suffix) must match exactly one secret, so prefer the full ARN from the Secrets Manager console" : ""}.`;
    case "SECRET_SCHEDULED_FOR_DELETION":
      return `${secret} is scheduled for deletion and cannot be read (InvalidRequestException). Restore it (aws secretsmanager restore-secret --secret-id ${x.arn}) or point the field at another secret.`;
    case "SECRET_BINARY":
      return `${secret} holds a binary value (SecretBinary), and connector settings are text. Store the value as a secret string (base64-encode it yourself if the connector expects base64).`;
    case "SESSION_EXPIRED":
      return `the session of ${role} expired${awsCode} and a new one was refused or expired too. Try again; if it persists, ${validate.replace(/^then /, "")}.`;
    case "INVALID_PLATFORM_CREDENTIALS":
      return `AWS rejected vaultwire's own credentials (${x.platformPrincipal})${awsCode} when calling ${x.stsEndpoint}: they are wrong, expired or of another partition. Check vaultwire's AWS identity settings.`;
    case "CREDENTIAL_UNAVAILABLE":
      return `vaultwire could not load its own AWS credentials (${x.platformPrincipal})${awsCode}. Check vaultwire's AWS identity settings (the token file, the instance or container role), then restart or validate provider integration "${x.integrationId}".`;
    case "WRONG_REGION":
      return c.awsCode === "RegionDisabledException"
        ? `region ${x.region} is not enabled for STS in the account of ${role} (RegionDisabledException). Enable the region in that account, or use a secret in an enabled region.`
        : `AWS does not accept the session of ${role} in region ${x.region}${awsCode}: the region is probably an opt-in region not enabled in account ${x.accountId}. Enable it, or check the region in the ARN.`;
    case "WRONG_PARTITION":
      return `${secret} and ${role} must be in the partition of vaultwire's AWS identity; they are not. Use a secret and a role in the same partition as vaultwire's identity.`;
    case "INTEGRATION_MISMATCH":
      return `provider integration "${x.integrationId}" is not an AWS integration, so it cannot read AWS Secrets Manager secrets. Use an AWS provider integration.`;
    case "ENDPOINT_UNRESOLVABLE":
      return `the Secrets Manager or STS endpoint for region ${x.region} cannot be resolved (${c.systemCode ?? "ENOTFOUND"}). Check the region in the ARN and vaultwire's DNS (for a VPC endpoint, its private DNS).`;
    case "ENDPOINT_NOT_ALLOWED":
      return `vaultwire refused to send the request for ${secret} to an endpoint outside its policy (${x.secretsManagerEndpoint}, ${x.stsEndpoint}). Check vaultwire's AWS endpoint settings.`;
    case "CONNECTION_FAILED":
      return `could not connect to ${x.secretsManagerEndpoint} or ${x.stsEndpoint} (${c.systemCode ?? "connection error"}), also after retries. Check network access from vaultwire to AWS.`;
    case "TLS_FAILURE":
      return `the TLS connection to AWS for region ${x.region} failed (${c.systemCode ?? "certificate error"}): a proxy or firewall may be intercepting it.`;
    case "THROTTLED":
      return `AWS throttled the requests for ${secret}${awsCode} and retrying did not succeed within ${seconds} s. Try again later; vaultwire caches secrets to keep the request rate low.`;
    case "SERVICE_UNAVAILABLE":
      return `AWS answered${c.status === undefined ? "" : ` HTTP ${c.status}`}${awsCode} for ${secret} and retrying did not succeed within ${seconds} s. Try again later.`;
    case "TIMEOUT":
      return `no answer from AWS for ${secret} within ${seconds} s. Check network access from vaultwire to ${x.secretsManagerEndpoint}.`;
    case "JSON_NOT_OBJECT":
    case "JSON_KEY_MISSING":
    case "JSON_VALUE_NOT_SCALAR":
      return `${secret} cannot be read as JSON.`;
    case "UNEXPECTED":
    default:
      // `default`: the codes of other managers (Azure), which classifyAwsError never returns.
      return `AWS answered unexpectedly for ${secret}${c.status === undefined ? "" : ` (HTTP ${c.status})`}${awsCode}${c.systemCode === undefined ? "" : ` (${c.systemCode})`}.`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
