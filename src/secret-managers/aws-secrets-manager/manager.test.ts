import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import type { AwsIntegrationConfig } from "../../domain/resources.js";
import type { IntegrationAccess, SecretResult } from "../secret-manager.js";
import { SecretValue } from "../secret-value.js";
import { AwsSession, type AssumeRoleInput, type AwsPort, type FetchedAwsSecret, type SecretCallInput } from "./aws-port.js";
import { awsEndpoint, createEndpointPolicy } from "./endpoints.js";
import { classifyAwsError } from "./errors.js";
import { parseAwsSecretsManagerIdentifier, type AwsSecretReference } from "./identifier.js";
import { createAwsSecretsManager } from "./manager.js";
import type { AwsSecretsManagerSettings } from "./settings.js";
import { UNCONFIGURED_AWS_SECRETS_MANAGER } from "./unconfigured.js";

const CANARY = "Canary-Value-a7f3e2";
const SESSION_SECRET = "Session-Secret-Canary-55d1";
const SESSION_TOKEN = "Session-Token-Canary-c0ffee";
const ROLE = "arn:aws:iam::210987654321:role/vaultwire-reader";
const ARN = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:db-credentials-AbCdEf";
const PLAIN = "arn:aws:secretsmanager:eu-west-1:210987654321:secret:plain-ZyXwVu";
const settings: AwsSecretsManagerSettings = {
  platformIdentity: { method: "static-keys", accessKeyId: "AKIAPLATFORM00000001", secretAccessKey: "not-used-in-unit-tests" },
  retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
};

function id(text: string): AwsSecretReference {
  const parsed = parseAwsSecretsManagerIdentifier(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function access(config: Partial<AwsIntegrationConfig> = {}, integrationId = "cspi-aws-unit"): IntegrationAccess {
  return { id: integrationId, config: { kind: "AwsIntegrationConfig", customerIamRoleArn: ROLE, externalId: "ext-123", ...config }, credential: null };
}

/** What the SDK throws for an AWS error response. */
function serviceError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });
}

/** A fake of the SDK port: secrets by ARN, and queues of failures to throw first. */
class FakePort implements AwsPort {
  readonly assumed: AssumeRoleInput[] = [];
  readonly reads: string[] = [];
  readonly secrets = new Map<string, { value: string | null; versionId: string }>();
  assumeFailures: Error[] = [];
  readFailures: Error[] = [];
  describeFailures: Error[] = [];
  sessionMs = 3_600_000;
  clock: () => number = Date.now;
  sessions = 0;

  assumeRole(input: AssumeRoleInput): Promise<AwsSession> {
    this.assumed.push(input);
    const failure = this.assumeFailures.shift();
    if (failure) return Promise.reject(failure);
    this.sessions++;
    return Promise.resolve(new AwsSession({ accessKeyId: `ASIA${this.sessions}`, secretAccessKey: SESSION_SECRET, sessionToken: SESSION_TOKEN }, new Date(this.clock() + this.sessionMs), `${ROLE}/s`));
  }

  callerIdentity(): Promise<{ arn: string; accountId: string }> {
    return Promise.resolve({ arn: "arn:aws:sts::111122223333:assumed-role/vaultwire-platform/i-0abc", accountId: "111122223333" });
  }

  getSecretValue(input: SecretCallInput): Promise<FetchedAwsSecret> {
    this.reads.push(`${input.secretId}|${input.session.id}`);
    const failure = this.readFailures.shift();
    if (failure) return Promise.reject(failure);
    const secret = this.secrets.get(input.secretId);
    if (!secret) return Promise.reject(serviceError("ResourceNotFoundException", 400, "Secrets Manager can't find the specified secret."));
    return Promise.resolve({ value: secret.value === null ? null : new SecretValue(secret.value), versionId: secret.versionId, arn: input.secretId });
  }

  describeSecret(): Promise<void> {
    const failure = this.describeFailures.shift();
    return failure ? Promise.reject(failure) : Promise.resolve();
  }
}

function setup(extra: Partial<AwsSecretsManagerSettings> = {}, now?: () => number) {
  const port = new FakePort();
  if (now) port.clock = now;
  port.secrets.set(ARN, { value: JSON.stringify({ user: "dbadmin", password: CANARY, port: 5432 }), versionId: "v1" });
  port.secrets.set(PLAIN, { value: CANARY, versionId: "v7" });
  const manager = createAwsSecretsManager({ ...settings, ...extra }, { port, random: () => 0.5, ...(now ? { now } : {}) });
  return { port, manager };
}

function expectNoLeak(results: readonly unknown[]): void {
  const text = JSON.stringify(results) + inspect(results, { depth: 10 });
  for (const canary of [CANARY, SESSION_SECRET, SESSION_TOKEN]) expect(text).not.toContain(canary);
}

function codeOf(result: SecretResult | undefined): string {
  return result === undefined ? "missing" : result.ok ? "ok" : result.error.code;
}

describe("fetch", () => {
  it("dedupes per secret, extracts JSON keys, and reuses one session", async () => {
    const { port, manager } = setup();
    const results = await manager.fetch(access(), [
      { key: "a", identifier: id(`${ARN}::user`) },
      { key: "b", identifier: id(`${ARN}::password`) },
      { key: "c", identifier: id(PLAIN) },
    ]);
    expect(results.map((r) => (r.ok ? [r.value.reveal(), r.version] : r.error.code))).toEqual([["dbadmin", "v1"], [CANARY, "v1"], [CANARY, "v7"]]);
    expect(port.reads).toHaveLength(2);
    expect(port.assumed).toEqual([{ region: "eu-west-1", roleArn: ROLE, externalId: "ext-123", sessionName: "vaultwire-cspi-aws-unit", durationSeconds: 3600 }]);
    expectNoLeak(results);
  });

  it("retries throttling and 5xx with backoff, within the deadline", async () => {
    const { port, manager } = setup();
    port.readFailures = [serviceError("ThrottlingException", 400, "Rate exceeded"), serviceError("InternalServiceError", 500)];
    const [ok] = await manager.fetch(access(), [{ key: "p", identifier: id(PLAIN) }]);
    expect(codeOf(ok)).toBe("ok");
    expect(port.reads).toHaveLength(3);

    port.readFailures = Array.from({ length: 4 }, () => serviceError("ThrottlingException", 400));
    const [throttled] = await manager.fetch(access(), [{ key: "p", identifier: id(PLAIN) }], { live: true });
    expect(codeOf(throttled)).toBe("THROTTLED");
    expect(throttled?.ok === false && throttled.error.transient).toBe(true);
    expect(throttled?.ok === false && throttled.error.message).toContain("p (arn:aws:secretsmanager:eu-west-1:210987654321:secret:plain-ZyXwVu): AWS throttled");
  });

  it("renews an expired session once and reads again", async () => {
    const { port, manager } = setup();
    port.readFailures = [serviceError("ExpiredTokenException", 400, "The security token included in the request is expired")];
    const [result] = await manager.fetch(access(), [{ key: "p", identifier: id(PLAIN) }]);
    expect(codeOf(result)).toBe("ok");
    expect(port.assumed).toHaveLength(2);
    expect(port.reads.map((r) => r.split("|")[1])).toEqual(["ASIA1", "ASIA2"]);

    port.readFailures = [serviceError("ExpiredTokenException", 400), serviceError("ExpiredTokenException", 400)];
    const [twice] = await manager.fetch(access(), [{ key: "p", identifier: id(PLAIN) }], { live: true });
    expect(codeOf(twice)).toBe("SESSION_EXPIRED");
  });

  it("renews the session five minutes before it expires", async () => {
    let now = 1_000_000;
    const { port, manager } = setup({ cacheTtlMs: 0 }, () => now);
    await manager.fetch(access(), [{ key: "p", identifier: id(PLAIN) }]);
    now += 3_600_000 - 5 * 60_000 - 1;
    await manager.fetch(access(), [{ key: "p", identifier: id(PLAIN) }]);
    expect(port.assumed).toHaveLength(1);
    now += 2;
    await manager.fetch(access(), [{ key: "p", identifier: id(PLAIN) }]);
    expect(port.assumed).toHaveLength(2);
  });

  it("maps each AWS failure to a message with the field, the identifier and the next step, never a value", async () => {
    const cases: [Error, "assume" | "read", string, string[]][] = [
      [serviceError("AccessDenied", 403, "User is not authorized to perform: sts:AssumeRole"), "assume", "ASSUME_ROLE_DENIED", ["trust policy", "arn:aws:iam::111122223333:role/vaultwire-platform", "\"sts:ExternalId\": \"ext-123\"", ROLE]],
      [serviceError("RegionDisabledException", 403), "assume", "WRONG_REGION", ["eu-west-1", "not enabled"]],
      [serviceError("InvalidClientTokenId", 403), "assume", "INVALID_PLATFORM_CREDENTIALS", ["vaultwire's own credentials", "https://sts.eu-west-1.amazonaws.com"]],
      [serviceError("AccessDeniedException", 400, "User: x is not authorized to perform: secretsmanager:GetSecretValue"), "read", "PERMISSION_DENIED_IAM", ["secretsmanager:GetSecretValue", "kms:Decrypt", ROLE]],
      [serviceError("AccessDeniedException", 400, "Access to KMS is not allowed"), "read", "PERMISSION_DENIED_KMS", ["kms:Decrypt", "key policy"]],
      [serviceError("DecryptionFailure", 400), "read", "DECRYPTION_FAILURE", ["KMS key", "kms:Decrypt"]],
      [serviceError("InvalidRequestException", 400, "You can't perform this operation on the secret because it was marked for deletion."), "read", "SECRET_SCHEDULED_FOR_DELETION", ["restore-secret --secret-id"]],
      [serviceError("ResourceNotFoundException", 400), "read", "SECRET_NOT_FOUND", ["region eu-west-1 of account 210987654321"]],
      [serviceError("UnrecognizedClientException", 400), "read", "WRONG_REGION", ["opt-in region"]],
      [Object.assign(new Error("getaddrinfo ENOTFOUND secretsmanager.eu-west-1.amazonaws.com"), { code: "ENOTFOUND" }), "read", "ENDPOINT_UNRESOLVABLE", ["region eu-west-1"]],
      [Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), "read", "CONNECTION_FAILED", ["https://secretsmanager.eu-west-1.amazonaws.com"]],
      [Object.assign(new Error("certificate has expired"), { code: "CERT_HAS_EXPIRED" }), "read", "TLS_FAILURE", ["TLS"]],
      [Object.assign(new Error(`weird ${CANARY} ${SESSION_SECRET}`), { name: "Weird", $fault: "client", $metadata: { httpStatusCode: 418 } }), "read", "UNEXPECTED", ["HTTP 418", "(Weird)"]],
    ];
    for (const [failure, where, code, fragments] of cases) {
      const { port, manager } = setup();
      if (where === "assume") port.assumeFailures = Array.from({ length: 4 }, () => failure);
      else port.readFailures = Array.from({ length: 4 }, () => failure);
      const results = await manager.fetch(access(), [{ key: "database.password", identifier: id(`${ARN}::password`) }]);
      const result = results[0];
      expect({ code, got: codeOf(result) }).toEqual({ code, got: code });
      if (result?.ok !== false) continue;
      expect(result.error.message.startsWith(`database.password (${ARN}::password): `)).toBe(true);
      for (const fragment of fragments) expect(result.error.message).toContain(fragment);
      expectNoLeak(results);
    }
  });

  it("refuses a binary secret, another kind of integration and another partition before or without a value", async () => {
    const { port, manager } = setup();
    port.secrets.set(PLAIN, { value: null, versionId: "v1" });
    const [binary] = await manager.fetch(access(), [{ key: "k", identifier: id(PLAIN) }]);
    expect(codeOf(binary)).toBe("SECRET_BINARY");

    const azure: IntegrationAccess = { id: "cspi-az", config: { kind: "AzureIntegrationConfig", customerAzureTenantId: "t" }, credential: null };
    const [mismatch] = await manager.fetch(azure, [{ key: "k", identifier: id(PLAIN) }]);
    expect(codeOf(mismatch)).toBe("INTEGRATION_MISMATCH");

    const [partition] = await manager.fetch(access(), [{ key: "k", identifier: id("arn:aws-cn:secretsmanager:cn-north-1:210987654321:secret:x") }]);
    expect(codeOf(partition)).toBe("WRONG_PARTITION");
    expect(partition?.ok === false && partition.error.message).toContain("partition aws-cn");
    const [role] = await manager.fetch(access({ customerIamRoleArn: "arn:aws-us-gov:iam::210987654321:role/r" }), [{ key: "k", identifier: id(PLAIN) }]);
    expect(codeOf(role)).toBe("WRONG_PARTITION");
    expect(port.assumed).toHaveLength(1);
  });

  it("keeps session credentials out of logs", () => {
    const session = new AwsSession({ accessKeyId: "ASIAX", secretAccessKey: SESSION_SECRET, sessionToken: SESSION_TOKEN }, new Date(0), ROLE);
    const text = `${String(session)} ${JSON.stringify({ session })} ${inspect(session)} ${inspect({ session }, { depth: 5 })}`;
    expect(text).not.toContain(SESSION_SECRET);
    expect(text).not.toContain(SESSION_TOKEN);
  });
});

describe("validateIntegration", () => {
  it("probes AssumeRole, then GetSecretValue and DescribeSecret on a random name in the role's account", async () => {
    const { manager, port } = setup();
    const result = await manager.validateIntegration(access());
    expect(result.ready).toBe(true);
    expect(result.token.message).toContain("assumed role arn:aws:iam::210987654321:role/vaultwire-reader with external id \"ext-123\"");
    expect(result.permissions.map((p) => [p.permission, p.status])).toEqual([["assumeRole", "granted"], ["getSecretValue", "granted"], ["describeSecret", "granted"]]);
    expect(port.reads[0]).toMatch(/^arn:aws:secretsmanager:us-east-1:210987654321:secret:vaultwire-probe-/);
  });

  it("reports a denied AssumeRole and stops there", async () => {
    const { manager, port } = setup();
    port.assumeFailures = [serviceError("AccessDenied", 403)];
    const result = await manager.validateIntegration(access(), { reference: id(PLAIN) });
    expect(result).toMatchObject({ ready: false, token: { ok: false, code: "ASSUME_ROLE_DENIED" } });
    expect(result.permissions).toEqual([expect.objectContaining({ permission: "assumeRole", status: "denied" })]);
    expect(port.reads).toHaveLength(0);
  });

  it("tells a denied secret from an unknown one", async () => {
    const { manager, port } = setup();
    port.describeFailures = [serviceError("AccessDeniedException", 400)];
    const named = await manager.validateIntegration(access(), { reference: id(PLAIN) });
    expect(named.permissions.map((p) => p.status)).toEqual(["granted", "granted", "denied"]);
    expect(named.ready).toBe(false);
    port.readFailures = [serviceError("AccessDeniedException", 400)];
    const random = await manager.validateIntegration(access());
    expect(random.permissions.map((p) => p.status)).toEqual(["granted", "unknown", "granted"]);
    expect(random.permissions[1]?.reason).toContain("validate with one of their identifiers");
    expectNoLeak([named, random]);
  });
});

describe("endpoint policy", () => {
  it("derives the regional endpoints of each partition", () => {
    expect(awsEndpoint("secretsmanager", "eu-west-1")).toBe("https://secretsmanager.eu-west-1.amazonaws.com");
    expect(awsEndpoint("sts", "cn-north-1")).toBe("https://sts.cn-north-1.amazonaws.com.cn");
    expect(awsEndpoint("secretsmanager", "us-gov-west-1")).toBe("https://secretsmanager.us-gov-west-1.amazonaws.com");
    expect(() => awsEndpoint("sts", "evil.example.com/")).toThrow(RangeError);
  });

  it("allows the derived endpoints and exact overrides only", () => {
    const policy = createEndpointPolicy({ secretsManager: "http://127.0.0.1:5055/", sts: "https://sts.example.internal" });
    if (!policy.ok) throw new Error(policy.error);
    expect(policy.value.endpointFor("secretsmanager", "eu-west-1")).toBe("http://127.0.0.1:5055");
    expect(policy.value.endpointFor("sts", "eu-west-1")).toBe("https://sts.example.internal");
    for (const allowed of ["http://127.0.0.1:5055", "https://sts.example.internal", "https://secretsmanager.eu-west-1.amazonaws.com", "https://sts.cn-north-1.amazonaws.com.cn"]) {
      expect({ allowed, ok: policy.value.isAllowed(allowed) }).toEqual({ allowed, ok: true });
    }
    for (const refused of ["http://127.0.0.1:5056", "http://secretsmanager.eu-west-1.amazonaws.com", "https://secretsmanager.eu-west-1.amazonaws.com:8443", "https://secretsmanager.cn-north-1.amazonaws.com", "https://s3.eu-west-1.amazonaws.com", "https://secretsmanager.evil.com", "https://user@sts.example.internal", "not a url"]) {
      expect({ refused, ok: policy.value.isAllowed(refused) }).toEqual({ refused, ok: false });
    }
  });

  it("rejects overrides that are not a bare origin, and plain http off loopback", () => {
    for (const bad of ["http://10.0.0.5:5055", "https://x.example/path", "https://x.example?q=1", "https://u:p@x.example", "ftp://x.example", "nope"]) {
      const policy = createEndpointPolicy({ secretsManager: bad });
      expect({ bad, ok: policy.ok }).toEqual({ bad, ok: false });
    }
    expect(() => createAwsSecretsManager({ ...settings, endpointOverrides: { sts: "http://10.1.1.1" } })).toThrow(/loopback/);
  });
});

describe("classifyAwsError", () => {
  it("tells STS refusals from Secrets Manager ones and retries only what may pass", () => {
    expect(classifyAwsError(serviceError("AccessDenied", 403), "assume-role").code).toBe("ASSUME_ROLE_DENIED");
    expect(classifyAwsError(serviceError("ExpiredToken", 400), "assume-role").code).toBe("INVALID_PLATFORM_CREDENTIALS");
    expect(classifyAwsError(serviceError("ExpiredTokenException", 400), "get-secret-value")).toMatchObject({ code: "SESSION_EXPIRED", retry: false });
    expect(classifyAwsError(serviceError("ThrottlingException", 400), "get-secret-value")).toMatchObject({ code: "THROTTLED", retry: true });
    expect(classifyAwsError(Object.assign(new Error("x"), { name: "TimeoutError" }), "get-secret-value")).toMatchObject({ code: "TIMEOUT", retry: false });
    expect(classifyAwsError(Object.assign(new SyntaxError("bad xml"), { $metadata: { httpStatusCode: 403 } }), "describe-secret").code).toBe("PERMISSION_DENIED_IAM");
    expect(classifyAwsError(Object.assign(new Error("x"), { name: "CredentialsProviderError" }), "assume-role").code).toBe("CREDENTIAL_UNAVAILABLE");
    expect(classifyAwsError(Object.assign(new Error("x"), { name: "EndpointNotAllowedError" }), "get-secret-value").code).toBe("ENDPOINT_NOT_ALLOWED");
  });
});

describe("the unconfigured stand-in", () => {
  it("explains what to configure for every field", async () => {
    const [result] = await UNCONFIGURED_AWS_SECRETS_MANAGER.fetch(access(), [{ key: "k", identifier: id(PLAIN) }]);
    expect(codeOf(result)).toBe("CREDENTIAL_UNAVAILABLE");
    expect(result?.ok === false && result.error.message).toContain(`k (${PLAIN}): vaultwire has no AWS identity configured`);
    expect((await UNCONFIGURED_AWS_SECRETS_MANAGER.validateIntegration(access())).ready).toBe(false);
  });
});
