/**
 * The AWS Secrets Manager secret manager: assumes each provider
 * integration's customer role with its external id, fetches the secrets a
 * connector config names (one GET per distinct secret), and probes an
 * integration's permissions.
 */
import { setMaxListeners } from "node:events";
import type { AwsIntegrationConfig } from "../../domain/resources.js";
import { KeyedConcurrencyLimiter } from "../concurrency.js";
import { readJsonKey } from "../json-secret.js";
import { withRetry, type RetryPolicy } from "../retry.js";
import { SecretCache } from "../secret-cache.js";
import type { IntegrationAccess, IntegrationValidation, PermissionProbe, SecretError, SecretErrorCode, SecretManager, SecretRequest, SecretResult } from "../secret-manager.js";
import { SecretValue } from "../secret-value.js";
import { SdkAwsPort, type AwsPort, type AwsSession, type FetchedAwsSecret } from "./aws-port.js";
import { createEndpointPolicy } from "./endpoints.js";
import { ASSUME_ROLE_ACTION, classifyAwsError, describeFailure, DESCRIBE_SECRET_ACTION, explain, GET_SECRET_VALUE_ACTION, type AwsOperation, type Classified, type ErrorContext } from "./errors.js";
import { awsSecretsManagerGrammar, formatAwsSecretsManagerIdentifier, type AwsPartition, type AwsSecretReference } from "./identifier.js";
import { SessionCache } from "./sessions.js";
import { AWS_SETTINGS_DEFAULTS, describePlatformIdentity, type AwsSecretsManagerSettings } from "./settings.js";

export type AwsSecretRequest = SecretRequest<AwsSecretReference>;

export interface AwsManagerDependencies {
  readonly port?: AwsPort;
  readonly now?: () => number;
  readonly random?: () => number;
  readonly randomSecretName?: () => string;
  /** Told about every AWS call, for metrics (never with values or keys). */
  readonly onRequest?: (event: { region: string; operation: AwsOperation; outcome: string; attempt: number }) => void;
}

/** A failed call and which call it was (the same AWS code means different things on STS and Secrets Manager). */
class AwsCallError extends Error {
  override readonly name = "AwsCallError";
  constructor(readonly operation: AwsOperation, readonly failure: unknown) {
    super(`AWS ${operation} failed`);
  }
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

interface RoleParts { readonly partition: AwsPartition; readonly accountId: string }

function roleParts(roleArn: string): RoleParts | null {
  const match = ROLE_ARN.exec(roleArn);
  return match ? { partition: match[1] as AwsPartition, accountId: match[2] ?? "" } : null;
}

/** `vaultwire-<integration id>`, within AWS's 64 characters of [\w+=,.@-]. */
function sessionNameFor(integrationId: string): string {
  return `vaultwire-${integrationId}`.replace(/[^\w+=,.@-]/g, "-").slice(0, 64);
}

/** The role ARN a trust policy names for an assumed-role caller (`…:assumed-role/<role>/<session>`). */
function principalOf(callerArn: string): string {
  const match = /^arn:([\w-]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  return match ? `arn:${match[1] ?? "aws"}:iam::${match[2] ?? ""}:role/${match[3] ?? ""}` : callerArn;
}

export function createAwsSecretsManager(settings: AwsSecretsManagerSettings, dependencies: AwsManagerDependencies = {}): SecretManager<AwsSecretReference> {
  const endpointPolicy = createEndpointPolicy(settings.endpointOverrides);
  if (!endpointPolicy.ok) throw new RangeError(endpointPolicy.error);
  const endpoints = endpointPolicy.value;
  const partition = settings.partition ?? AWS_SETTINGS_DEFAULTS.partition;
  const homeRegion = settings.region ?? AWS_SETTINGS_DEFAULTS.region;
  const port = dependencies.port ?? new SdkAwsPort({ platformIdentity: settings.platformIdentity, region: homeRegion, endpoints });
  const now = dependencies.now ?? Date.now;
  const deadlineMs = settings.fetchDeadlineMs ?? AWS_SETTINGS_DEFAULTS.fetchDeadlineMs;
  const retryPolicy: RetryPolicy = settings.retry ?? AWS_SETTINGS_DEFAULTS.retry;
  const durationSeconds = settings.sessionDurationSeconds ?? AWS_SETTINGS_DEFAULTS.sessionDurationSeconds;
  const limiter = new KeyedConcurrencyLimiter(settings.concurrencyPerAccountRegion ?? AWS_SETTINGS_DEFAULTS.concurrencyPerAccountRegion);
  const cache = new SecretCache<FetchedAwsSecret>({ ttlMs: settings.cacheTtlMs ?? AWS_SETTINGS_DEFAULTS.cacheTtlMs, maxEntries: settings.cacheMaxEntries ?? AWS_SETTINGS_DEFAULTS.cacheMaxEntries, now });
  const sessions = new SessionCache({ refreshMarginMs: settings.sessionRefreshMarginMs ?? AWS_SETTINGS_DEFAULTS.sessionRefreshMarginMs, now });
  const randomName = dependencies.randomSecretName ?? (() => `vaultwire-probe-${globalThis.crypto.randomUUID()}`);
  let principal: Promise<string> | undefined;

  /** One AWS call with vaultwire's retry policy, within `signal`; the per account+region cap applies to each attempt. */
  function call<T>(operation: AwsOperation, region: string, limitKey: string, signal: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
    return withRetry((attempt) => limiter.run(limitKey, async () => {
      try {
        const result = await run(signal);
        dependencies.onRequest?.({ region, operation, outcome: "ok", attempt });
        return result;
      } catch (error) {
        dependencies.onRequest?.({ region, operation, outcome: classifyAwsError(error, operation).code, attempt });
        throw new AwsCallError(operation, error);
      }
    }), {
      policy: retryPolicy,
      signal,
      ...(dependencies.random ? { random: dependencies.random } : {}),
      classify: (error) => ({ retry: error instanceof AwsCallError && classifyAwsError(error.failure, error.operation).retry }),
    });
  }

  function classify(error: unknown): Classified {
    return error instanceof AwsCallError ? classifyAwsError(error.failure, error.operation) : classifyAwsError(error, "get-secret-value");
  }

  /** vaultwire's principal as a trust policy names it; learned once from GetCallerIdentity (always allowed). */
  function platformPrincipal(signal: AbortSignal): Promise<string> {
    const identity = settings.platformIdentity;
    if (identity.method === "web-identity") return Promise.resolve(identity.roleArn);
    principal ??= port.callerIdentity(homeRegion, signal).then((caller) => principalOf(caller.arn)).catch(() => {
      principal = undefined;
      return describePlatformIdentity(identity);
    });
    return principal;
  }

  function sessionKey(integrationId: string, config: AwsIntegrationConfig): string {
    return `${integrationId}|${config.customerIamRoleArn}|${config.externalId}`;
  }

  function session(integrationId: string, config: AwsIntegrationConfig, region: string, signal: AbortSignal, fresh = false): Promise<AwsSession> {
    return sessions.get(sessionKey(integrationId, config), () => call("assume-role", region, `sts|${region}`, signal, (s) => port.assumeRole({
      region,
      roleArn: config.customerIamRoleArn,
      externalId: config.externalId,
      sessionName: sessionNameFor(integrationId),
      durationSeconds,
    }, s)), { fresh });
  }

  /** GetSecretValue with the integration's session; an expired session is renewed and the read tried once more. */
  async function load(integrationId: string, config: AwsIntegrationConfig, id: AwsSecretReference, signal: AbortSignal): Promise<FetchedAwsSecret> {
    const read = (current: AwsSession) => call("get-secret-value", id.region, `${id.region}|${id.accountId}`, signal, (s) => port.getSecretValue({ region: id.region, secretId: id.arn, session: current }, s));
    const first = await session(integrationId, config, id.region, signal);
    try {
      return await read(first);
    } catch (error) {
      if (classify(error).code !== "SESSION_EXPIRED") throw error;
      sessions.drop(sessionKey(integrationId, config), first);
      return read(await session(integrationId, config, id.region, signal));
    }
  }

  function contextFor(key: string, identifier: string, id: Pick<AwsSecretReference, "arn" | "region" | "accountId" | "possibleSuffix">, integrationId: string, config: AwsIntegrationConfig, platform: string): ErrorContext {
    return {
      key,
      identifier,
      arn: id.arn,
      region: id.region,
      accountId: id.accountId,
      partialArn: id.possibleSuffix === null,
      integrationId,
      roleArn: config.customerIamRoleArn,
      externalId: config.externalId,
      platformPrincipal: platform,
      deadlineMs,
      secretsManagerEndpoint: endpoints.endpointFor("secretsmanager", id.region),
      stsEndpoint: endpoints.endpointFor("sts", id.region),
    };
  }

  function fieldError(request: AwsSecretRequest, code: SecretErrorCode, message: string): SecretResult {
    const error: SecretError = { code, transient: false, message: `${request.key} (${formatAwsSecretsManagerIdentifier(request.identifier)}): ${message}` };
    return { key: request.key, ok: false, error };
  }

  /** The preconditions no call can fix: an AWS integration, and one partition for identity, role and secret. */
  function precondition(integration: IntegrationAccess, id: AwsSecretReference | null): { code: SecretErrorCode; message: string } | { config: AwsIntegrationConfig } {
    const config = integration.config;
    if (config.kind !== "AwsIntegrationConfig") {
      return { code: "INTEGRATION_MISMATCH", message: `provider integration "${integration.id}" is not an AWS integration, so it cannot read AWS Secrets Manager secrets. Use an AWS provider integration.` };
    }
    const role = roleParts(config.customerIamRoleArn);
    if (role === null) {
      return { code: "UNEXPECTED", message: `the customer_iam_role_arn of provider integration "${integration.id}" is not an IAM role ARN (arn:aws:iam::<account-id>:role/<name>). Update the integration.` };
    }
    if (role.partition !== partition || (id !== null && id.partition !== partition)) {
      const which = id !== null && id.partition !== partition ? `secret ${id.arn} is in partition ${id.partition}` : `role ${config.customerIamRoleArn} is in partition ${role.partition}`;
      return { code: "WRONG_PARTITION", message: `${which}, but vaultwire's AWS identity is in partition ${partition}; identities, roles and secrets of different partitions cannot be used together. Use a secret and a role in partition ${partition}.` };
    }
    return { config };
  }

  function resultFor(request: AwsSecretRequest, context: ErrorContext, secret: FetchedAwsSecret): SecretResult {
    if (secret.value === null) return { key: request.key, ok: false, error: describeFailure({ code: "SECRET_BINARY", transient: false, retry: false }, context) };
    const jsonKey = request.identifier.jsonKey;
    if (jsonKey === null) return { key: request.key, ok: true, value: secret.value, version: secret.versionId };
    const extracted = readJsonKey(secret.value.reveal(), jsonKey);
    if (!extracted.ok) {
      const hint = extracted.code === "JSON_NOT_OBJECT" ? `, so its key ${JSON.stringify(jsonKey)} cannot be read; store a JSON object or drop "::${jsonKey}" to use the whole value` : "";
      return fieldError(request, extracted.code, `secret ${request.identifier.arn} cannot be used: ${extracted.problem}${hint}.`);
    }
    return { key: request.key, ok: true, value: new SecretValue(extracted.value), version: secret.versionId };
  }

  async function fetch(integration: IntegrationAccess, requests: readonly AwsSecretRequest[], options: { readonly live?: boolean } = {}): Promise<SecretResult[]> {
    const signal = AbortSignal.timeout(deadlineMs);
    // Every request and retry wait of this fetch listens on the one deadline.
    setMaxListeners(0, signal);
    const loads = new Map<string, Promise<FetchedAwsSecret>>();
    const refused = new Map<string, { code: SecretErrorCode; message: string }>();
    for (const request of requests) {
      const id = request.identifier;
      if (loads.has(id.secretKey) || refused.has(id.secretKey)) continue;
      const checked = precondition(integration, id);
      if (!("config" in checked)) {
        refused.set(id.secretKey, checked);
        continue;
      }
      const cacheKey = `${sessionKey(integration.id, checked.config)}|${id.secretKey}`;
      const pending = cache.get(cacheKey, () => load(integration.id, checked.config, id, signal), { fresh: options.live === true });
      pending.catch(() => undefined);
      loads.set(id.secretKey, pending);
    }
    return Promise.all(requests.map(async (request): Promise<SecretResult> => {
      const id = request.identifier;
      const refusal = refused.get(id.secretKey);
      if (refusal) return fieldError(request, refusal.code, refusal.message);
      const config = integration.config as AwsIntegrationConfig;
      try {
        const secret = await (loads.get(id.secretKey) ?? Promise.reject(new Error("no load")));
        return resultFor(request, contextFor(request.key, formatAwsSecretsManagerIdentifier(id), id, integration.id, config, ""), secret);
      } catch (error) {
        const classified = classify(error);
        const platform = classified.code === "ASSUME_ROLE_DENIED" || classified.code === "INVALID_PLATFORM_CREDENTIALS" || classified.code === "CREDENTIAL_UNAVAILABLE"
          ? await platformPrincipal(AbortSignal.timeout(5_000))
          : describePlatformIdentity(settings.platformIdentity);
        return { key: request.key, ok: false, error: describeFailure(classified, contextFor(request.key, formatAwsSecretsManagerIdentifier(id), id, integration.id, config, platform)) };
      }
    }));
  }

  async function validateIntegration(integration: IntegrationAccess, options: { readonly reference?: AwsSecretReference } = {}): Promise<IntegrationValidation> {
    const reference = options.reference ?? null;
    const checked = precondition(integration, reference);
    if (!("config" in checked)) return { ready: false, token: { ok: false, code: checked.code, message: checked.message }, permissions: [] };
    const config = checked.config;
    const role = roleParts(config.customerIamRoleArn) ?? { partition, accountId: "" };
    const region = reference?.region ?? homeRegion;
    const probeArn = reference?.arn ?? `arn:${partition}:secretsmanager:${region}:${role.accountId}:secret:${randomName()}`;
    const probeId = { arn: probeArn, region, accountId: reference?.accountId ?? role.accountId, possibleSuffix: reference?.possibleSuffix ?? null };
    const signal = AbortSignal.timeout(deadlineMs);
    setMaxListeners(0, signal);
    const context = (platform: string) => contextFor("validation", reference ? formatAwsSecretsManagerIdentifier(reference) : "", probeId, integration.id, config, platform);

    let current: AwsSession;
    try {
      current = await session(integration.id, config, region, signal, true);
    } catch (error) {
      const c = classify(error);
      const reason = explain(c, context(await platformPrincipal(AbortSignal.timeout(5_000))));
      const status = c.code === "ASSUME_ROLE_DENIED" ? "denied" : "unknown";
      return { ready: false, token: { ok: false, code: c.code, message: reason }, permissions: [{ permission: "assumeRole", action: ASSUME_ROLE_ACTION, status, reason }] };
    }
    const token = { ok: true, message: `assumed role ${config.customerIamRoleArn} with external id "${config.externalId}" (session valid until ${current.expiration.toISOString()})` };
    const assumed: PermissionProbe = { permission: "assumeRole", action: ASSUME_ROLE_ACTION, status: "granted", reason: `assumed role ${config.customerIamRoleArn}` };
    const limitKey = `${region}|${probeId.accountId}`;
    const named = reference !== null;
    const probe = async (permission: "getSecretValue" | "describeSecret", run: (s: AbortSignal) => Promise<unknown>): Promise<PermissionProbe> => {
      const action = permission === "getSecretValue" ? GET_SECRET_VALUE_ACTION : DESCRIBE_SECRET_ACTION;
      const operation: AwsOperation = permission === "getSecretValue" ? "get-secret-value" : "describe-secret";
      try {
        await call(operation, region, limitKey, signal, run);
        return { permission, action, status: "granted", reason: permission === "getSecretValue" ? `read secret ${probeArn} (the value was dropped)` : `read the metadata of secret ${probeArn}` };
      } catch (error) {
        const c = classify(error);
        switch (c.code) {
          case "SECRET_NOT_FOUND":
            return { permission, action, status: "granted", reason: named ? `secret ${probeArn} does not exist, but ${action} was allowed (ResourceNotFoundException; AWS answers AccessDenied when it is not)` : `${action} on a secret that does not exist in region ${region} of account ${probeId.accountId} was allowed (ResourceNotFoundException), so the role may call it on that account's secrets` };
          case "SECRET_SCHEDULED_FOR_DELETION":
            return { permission, action, status: "granted", reason: `secret ${probeArn} is scheduled for deletion, but ${action} was allowed` };
          case "PERMISSION_DENIED_IAM":
          case "PERMISSION_DENIED_KMS":
            if (!named && c.code === "PERMISSION_DENIED_IAM") {
              return { permission, action, status: "unknown", reason: `role ${config.customerIamRoleArn} may not call ${action} on an arbitrary secret in region ${region} of account ${probeId.accountId}; if it is granted only some secrets, that is expected: validate with one of their identifiers` };
            }
            return { permission, action, status: "denied", reason: explain(c, context("")) };
          default:
            return { permission, action, status: "unknown", reason: explain(c, context("")) };
        }
      }
    };
    const session0 = current;
    const permissions = [
      assumed,
      // The value read for a reference is dropped at once; a random name reads nothing.
      await probe("getSecretValue", (s) => port.getSecretValue({ region, secretId: probeArn, session: session0 }, s)),
      await probe("describeSecret", (s) => port.describeSecret({ region, secretId: probeArn, session: session0 }, s)),
    ];
    return { ready: permissions.every((p) => p.status === "granted"), token, permissions };
  }

  return {
    kind: "AWS_SECRETS_MANAGER",
    grammar: awsSecretsManagerGrammar,
    fetch,
    validateIntegration,
    invalidate: (integrationId) => {
      if (integrationId === undefined) {
        cache.clear();
        sessions.clear();
      } else {
        cache.deleteWhere((key) => key.startsWith(`${integrationId}|`));
        sessions.deleteWhere((key) => key.startsWith(`${integrationId}|`));
      }
    },
  };
}
