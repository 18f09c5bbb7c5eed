// The AWS Secrets Manager secret manager through the official SDK v3, against
// moto (a real implementation of the AWS APIs; this suite's own moto_server, test/aws/moto.ts) with its
// IAM enforcement on: AssumeRole with and without the right external id,
// plaintext and JSON secrets, rotation, deletion, permission probes, and the
// number of requests that reach AWS, counted by a proxy in front of moto.
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutRolePolicyCommand, PutUserPolicyCommand } from "@aws-sdk/client-iam";
import { CreateSecretCommand, DeleteSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AwsIntegrationConfig } from "../../src/domain/resources.js";
import { AwsSession, createAwsSecretsManager, parseAwsSecretsManagerIdentifier, SdkAwsPort, type EndpointPolicy, type AwsSecretReference, type AwsSecretsManagerSettings } from "../../src/secret-managers/aws-secrets-manager/index.js";
import type { IntegrationAccess, SecretManager, SecretResult } from "../../src/secret-managers/secret-manager.js";
import { requireMoto, startMoto, type Moto } from "../aws/moto.js";

const HAVE_MOTO = requireMoto("test/secret-managers/aws-secrets-manager.test.ts");
let moto: Moto;
let MOTO_URL = "";

const REGION = "us-east-1";
const ACCOUNT = "123456789012";
const EXTERNAL_ID = "vaultwire-ext-3f9a1c7e";
const CANARY_PASSWORD = "Canary-Aws-Pa55-91b3d0";
const CANARY_USER = "canary-aws-user-6e02";
const run = Math.random().toString(36).slice(2, 8);

/** Counts the requests that pass through to moto, by AWS operation. */
class CountingProxy {
  readonly counts = new Map<string, number>();
  #server: Server | undefined;
  url = "";

  async start(target: string): Promise<void> {
    const upstream = new URL(target);
    this.#server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const body = Buffer.concat(chunks);
        const target = req.headers["x-amz-target"];
        const operation = typeof target === "string" ? target.split(".").pop() ?? target : /(?:^|&)Action=([A-Za-z]+)/.exec(body.toString("utf8"))?.[1] ?? "unknown";
        this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
        const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on("error", () => res.destroy());
        forward.end(body);
      });
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  count(operation: string): number {
    return this.counts.get(operation) ?? 0;
  }

  reset(): void {
    this.counts.clear();
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.#server?.closeAllConnections();
      this.#server?.close(() => { resolve(); });
    });
  }
}

const proxy = new CountingProxy();
let platformKeys: { accessKeyId: string; secretAccessKey: string };
let admin: SecretsManagerClient;
const arns: Record<string, string> = {};
const versions: Record<string, string> = {};
const roles = { reader: "", none: "", getOnly: "" };
let platformUserArn = "";

function setAuth(count: "0" | "inf"): Promise<void> {
  return moto.setAuth(count);
}

function id(text: string): AwsSecretReference {
  const parsed = parseAwsSecretsManagerIdentifier(text);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function settings(overrides: Partial<AwsSecretsManagerSettings> = {}): AwsSecretsManagerSettings {
  return {
    platformIdentity: { method: "static-keys", ...platformKeys },
    region: REGION,
    endpointOverrides: { secretsManager: proxy.url, sts: proxy.url },
    retry: { maxAttempts: 3, baseDelayMs: 20, maxDelayMs: 100 },
    fetchDeadlineMs: 15_000,
    ...overrides,
  };
}

function integration(roleArn: string, externalId = EXTERNAL_ID, integrationId = "cspi-aws01"): IntegrationAccess {
  const config: AwsIntegrationConfig = { kind: "AwsIntegrationConfig", customerIamRoleArn: roleArn, externalId };
  return { id: integrationId, config, credential: null };
}

function expectFailure(result: SecretResult | undefined, code: string, ...fragments: string[]): void {
  expect(result?.ok).toBe(false);
  if (result?.ok !== false) return;
  expect(result.error.code).toBe(code);
  for (const fragment of fragments) expect(result.error.message).toContain(fragment);
  expect(result.error.message).not.toContain(CANARY_PASSWORD);
  expect(result.error.message).not.toContain(CANARY_USER);
  expect(result.error.message).not.toContain(platformKeys.secretAccessKey);
}

function valueOf(result: SecretResult | undefined): string {
  if (result?.ok !== true) throw new Error(`expected a value, got ${result?.ok === false ? `${result.error.code}: ${result.error.message}` : "nothing"}`);
  return result.value.reveal();
}

describe.skipIf(!HAVE_MOTO)("AWS Secrets Manager through the SDK against moto", () => {
  let manager: SecretManager<AwsSecretReference>;

  beforeAll(async () => {
    moto = await startMoto();
    MOTO_URL = moto.url;
    await proxy.start(MOTO_URL);
    // Setup runs before IAM enforcement is switched on (moto counts no auth until then).
    await setAuth("inf");
    const anyKeys = { accessKeyId: "AKIASETUP0000000000", secretAccessKey: "setup" };
    const iam = new IAMClient({ region: REGION, endpoint: MOTO_URL, credentials: anyKeys });
    const user = async (name: string, policy: object) => {
      const created = await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify(policy) }));
      const key = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
      return { arn: created.User?.Arn ?? "", keys: { accessKeyId: key.AccessKey?.AccessKeyId ?? "", secretAccessKey: key.AccessKey?.SecretAccessKey ?? "" } };
    };
    const allowAll = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
    const adminUser = await user(`admin-${run}`, allowAll);
    const platform = await user(`vaultwire-${run}`, { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: "*" }] });
    platformKeys = platform.keys;
    platformUserArn = platform.arn;
    const trust = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: platform.arn }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": EXTERNAL_ID } } }],
    });
    const role = async (name: string, actions: string[]) => {
      const created = await iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: trust }));
      await iam.send(new PutRolePolicyCommand({ RoleName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] }) }));
      return created.Role?.Arn ?? "";
    };
    roles.reader = await role(`reader-${run}`, ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
    roles.none = await role(`none-${run}`, ["secretsmanager:ListSecrets"]);
    roles.getOnly = await role(`get-only-${run}`, ["secretsmanager:GetSecretValue"]);

    admin = new SecretsManagerClient({ region: REGION, endpoint: MOTO_URL, credentials: adminUser.keys });
    const create = async (name: string, value: string | Uint8Array) => {
      const created = await admin.send(new CreateSecretCommand({ Name: `${name}-${run}`, ...(typeof value === "string" ? { SecretString: value } : { SecretBinary: value }) }));
      arns[name] = created.ARN ?? "";
      versions[name] = created.VersionId ?? "";
    };
    await create("plain", CANARY_PASSWORD);
    await create("json", JSON.stringify({ user: CANARY_USER, password: CANARY_PASSWORD, port: 5432 }));
    await create("rotating", JSON.stringify({ password: "first-Canary" }));
    await create("doomed", "x");
    await create("binary", new Uint8Array([0, 1, 2, 255]));
    await admin.send(new DeleteSecretCommand({ SecretId: arns.doomed, RecoveryWindowInDays: 7 }));
    await setAuth("0");
  });

  afterAll(async () => {
    await setAuth("inf").catch(() => undefined);
    admin.destroy();
    await proxy.stop();
    await moto.close();
  });

  beforeEach(() => {
    manager = createAwsSecretsManager(settings());
    proxy.reset();
  });

  it("enforces IAM in moto: the platform user itself may not write secrets", async () => {
    // moto answers AccessDenied on Secrets Manager with IAM's XML body, which the SDK cannot parse: only the 403 is reliable.
    const direct = new SecretsManagerClient({ region: REGION, endpoint: MOTO_URL, credentials: platformKeys });
    await expect(direct.send(new PutSecretValueCommand({ SecretId: arns.plain, SecretString: "x" }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    direct.destroy();
  });

  it("assumes the role with the external id and reads plaintext and JSON secrets, one GET per secret", async () => {
    const results = await manager.fetch(integration(roles.reader), [
      { key: "database.password", identifier: id(arns.plain ?? "") },
      { key: "database.user", identifier: id(`${arns.json ?? ""}::user`) },
      { key: "database.port", identifier: id(`${arns.json ?? ""}::port`) },
      { key: "database.password2", identifier: id(`${arns.json ?? ""}::password`) },
    ]);
    expect(results.map((r) => r.key)).toEqual(["database.password", "database.user", "database.port", "database.password2"]);
    expect(valueOf(results[0])).toBe(CANARY_PASSWORD);
    expect(valueOf(results[1])).toBe(CANARY_USER);
    expect(valueOf(results[2])).toBe("5432");
    expect(results[0]?.ok === true && results[0].version).toBe(versions.plain);
    expect(results[1]?.ok === true && results[1].version).toBe(versions.json);
    expect(proxy.count("AssumeRole")).toBe(1);
    expect(proxy.count("GetSecretValue")).toBe(2);
  });

  it("reads a partial ARN, and keeps it apart from the full ARN of the same secret (two GETs)", async () => {
    const full = arns.plain ?? "";
    const partial = full.replace(/-[A-Za-z0-9]{6}$/, "");
    expect(partial).not.toBe(full);
    const results = await manager.fetch(integration(roles.reader), [
      { key: "a", identifier: id(partial) },
      { key: "b", identifier: id(full) },
    ]);
    expect(results.map(valueOf)).toEqual([CANARY_PASSWORD, CANARY_PASSWORD]);
    expect(proxy.count("GetSecretValue")).toBe(2);
  });

  it("serves the cache, reads live on request, reuses the session, and sees a rotation only live", async () => {
    const access = integration(roles.reader);
    const request = [{ key: "password", identifier: id(`${arns.rotating ?? ""}::password`) }];
    const first = await manager.fetch(access, request);
    expect(valueOf(first[0])).toBe("first-Canary");
    await manager.fetch(access, request);
    expect(proxy.count("GetSecretValue")).toBe(1);

    const rotated = await admin.send(new PutSecretValueCommand({ SecretId: arns.rotating, SecretString: JSON.stringify({ password: "second-Canary" }) }));
    expect(rotated.VersionId).not.toBe(versions.rotating);
    const cached = await manager.fetch(access, request);
    expect(valueOf(cached[0])).toBe("first-Canary");
    expect(proxy.count("GetSecretValue")).toBe(1);

    const live = await manager.fetch(access, request, { live: true });
    expect(valueOf(live[0])).toBe("second-Canary");
    expect(live[0]?.ok === true && live[0].version).toBe(rotated.VersionId);
    expect(proxy.count("GetSecretValue")).toBe(2);
    // The live read replaced the cached value; one session served all of it.
    expect(valueOf((await manager.fetch(access, request))[0])).toBe("second-Canary");
    expect(proxy.count("GetSecretValue")).toBe(2);
    expect(proxy.count("AssumeRole")).toBe(1);

    manager.invalidate(access.id);
    await manager.fetch(access, request);
    expect(proxy.count("AssumeRole")).toBe(2);
    expect(proxy.count("GetSecretValue")).toBe(3);
  });

  it("refuses a wrong external id at AssumeRole and names the trust policy, the principal and the external id", async () => {
    const results = await manager.fetch(integration(roles.reader, "not-the-external-id"), [{ key: "database.password", identifier: id(arns.plain ?? "") }]);
    expectFailure(results[0], "ASSUME_ROLE_DENIED", "database.password (", "trust policy", platformUserArn, "\"sts:ExternalId\": \"not-the-external-id\"", roles.reader);
    expect(proxy.count("GetSecretValue")).toBe(0);
  });

  it("maps a missing permission, a missing secret, a deleted secret, a binary secret and a missing JSON key", async () => {
    const [denied] = await manager.fetch(integration(roles.none), [{ key: "database.password", identifier: id(arns.plain ?? "") }]);
    expectFailure(denied, "PERMISSION_DENIED_IAM", "secretsmanager:GetSecretValue", roles.none, arns.plain ?? "");

    const missingArn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:missing-${run}-AbCdEf`;
    const results = await manager.fetch(integration(roles.reader), [
      { key: "a", identifier: id(missingArn) },
      { key: "b", identifier: id(arns.doomed ?? "") },
      { key: "c", identifier: id(arns.binary ?? "") },
      { key: "d", identifier: id(`${arns.json ?? ""}::passwd`) },
      { key: "e", identifier: id(`${arns.plain ?? ""}::password`) },
    ]);
    expectFailure(results[0], "SECRET_NOT_FOUND", `region ${REGION} of account ${ACCOUNT}`);
    expectFailure(results[1], "SECRET_SCHEDULED_FOR_DELETION", "restore-secret");
    expectFailure(results[2], "SECRET_BINARY", "SecretBinary");
    expectFailure(results[3], "JSON_KEY_MISSING", "its keys are \"user\", \"password\", \"port\"");
    expectFailure(results[4], "JSON_NOT_OBJECT", "not JSON");
  });

  it("probes AssumeRole, GetSecretValue and DescribeSecret", async () => {
    const ready = await manager.validateIntegration(integration(roles.reader));
    expect(ready.token.ok).toBe(true);
    expect(ready.permissions.map((p) => [p.action, p.status])).toEqual([["sts:AssumeRole", "granted"], ["secretsmanager:GetSecretValue", "granted"], ["secretsmanager:DescribeSecret", "granted"]]);
    expect(ready.ready).toBe(true);
    expect(proxy.count("GetSecretValue")).toBe(1);

    const getOnly = await manager.validateIntegration(integration(roles.getOnly), { reference: id(arns.plain ?? "") });
    expect(getOnly.permissions.map((p) => p.status)).toEqual(["granted", "granted", "denied"]);
    expect(getOnly.permissions[2]?.reason).toContain("secretsmanager:");
    expect(getOnly.ready).toBe(false);

    const none = await manager.validateIntegration(integration(roles.none));
    expect(none.permissions.map((p) => p.status)).toEqual(["granted", "unknown", "unknown"]);
    const noneNamed = await manager.validateIntegration(integration(roles.none), { reference: id(arns.plain ?? "") });
    expect(noneNamed.permissions.map((p) => p.status)).toEqual(["granted", "denied", "denied"]);

    const wrong = await manager.validateIntegration(integration(roles.reader, "wrong"));
    expect(wrong.ready).toBe(false);
    expect(wrong.token).toMatchObject({ ok: false, code: "ASSUME_ROLE_DENIED" });
    expect(wrong.permissions).toEqual([expect.objectContaining({ action: "sts:AssumeRole", status: "denied" })]);
    for (const text of [JSON.stringify(ready), JSON.stringify(getOnly), JSON.stringify(wrong)]) {
      expect(text).not.toContain(CANARY_PASSWORD);
      expect(text).not.toContain(platformKeys.secretAccessKey);
    }
  });

  it("sends nothing to an endpoint outside the policy", async () => {
    await manager.fetch(integration(roles.reader), [{ key: "x", identifier: id(arns.plain ?? "") }]);
    expect([...proxy.counts.keys()].sort()).toEqual(["AssumeRole", "GetSecretValue"]);
    proxy.reset();
    // A policy that allows nothing: the SDK port's guard stops each request before it is sent.
    const closed: EndpointPolicy = { overrides: {}, endpointFor: () => proxy.url, isAllowed: () => false };
    const port = new SdkAwsPort({ platformIdentity: { method: "static-keys", ...platformKeys }, region: REGION, endpoints: closed });
    const session = new AwsSession({ accessKeyId: "ASIAX", secretAccessKey: "x", sessionToken: "x" }, new Date(Date.now() + 3_600_000), roles.reader);
    await expect(port.getSecretValue({ region: REGION, secretId: arns.plain ?? "", session }, AbortSignal.timeout(5_000))).rejects.toMatchObject({ name: "EndpointNotAllowedError" });
    await expect(port.assumeRole({ region: REGION, roleArn: roles.reader, externalId: EXTERNAL_ID, sessionName: "s", durationSeconds: 900 }, AbortSignal.timeout(5_000))).rejects.toMatchObject({ name: "EndpointNotAllowedError" });
    port.destroy();
    expect(proxy.counts.size).toBe(0);
  });
});
