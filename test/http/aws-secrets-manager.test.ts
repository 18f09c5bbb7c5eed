// AWS Secrets Manager end to end through a real vaultwire server (SQLite and
// PostgreSQL), against this suite's own moto (test/aws/moto.ts) with IAM
// enforcement on: vaultwire's platform identity is the moto user's static
// keys, and it reaches Secrets Manager and STS only through the moto URL. An
// AWS integration is created with pim/v1, the customer's role trusts the
// platform user with the external id vaultwire generated, and then: pim/v2
// :validate on a secret ARN, the connector dry run, deployment to a fake
// Kafka Connect (placeholders only), delivery through /internal/v1,
// rotation (one restart), a wrong external id, pim/v1's refusals, the CLI,
// and the canary scan of everything the server wrote or answered.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../src/cli/io.js";
import { run as runCli } from "../../src/cli/run.js";
import { requireMoto, setUpAwsAccount, startMoto, type AwsAccount, type Moto } from "../aws/moto.js";
import { CanaryRegistry, describeHits } from "../security/canaries.js";
import { startFakeConnect, waitUntil, type FakeConnect } from "../security/fake-connect.js";
import { connectorIds, createWorkerCredential, expectNoCanaries, postgresConnector, startSecureServer, startSecurityAzure, storeTargets, workerSecrets, type SecureServer, type SecurityAzure } from "../security/harness.js";
import { seedEnvironment } from "./harness.js";

const HAVE_MOTO = requireMoto("test/http/aws-secrets-manager.test.ts");
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const run = Math.random().toString(36).slice(2, 8);
const REFRESH_MS = 1_500;

interface V2Error { errors: { status: string; code?: string; detail: string; source?: { pointer: string } }[] }
interface Probe { permission: string; action: string; status: string; reason: string }
interface Validation { ready: boolean; token: { ok: boolean; message: string; code?: string }; permissions: Probe[] }
interface V1Integration {
  api_version: string;
  kind: string;
  id: string;
  display_name: string;
  provider: string;
  config: { kind: string; customer_iam_role_arn: string; iam_role_arn: string; external_id: string };
  usages: string[];
  environment: { id: string };
}
interface Report { error_count: number; configs: { value: { name: string; errors: string[] } }[] }

const registry = new CanaryRegistry();
let azure: SecurityAzure;
let moto: Moto;
let account: AwsAccount;
let admin: SecretsManagerClient;

beforeAll(async () => {
  if (!HAVE_MOTO) return;
  azure = await startSecurityAzure(registry);
  moto = await startMoto();
  account = await setUpAwsAccount(moto, run, REGION);
  registry.add("aws-platform-secret-key", "vaultwire's AWS secret access key", account.platform.secretAccessKey);
  admin = new SecretsManagerClient({ region: REGION, endpoint: moto.url, credentials: account.admin });
  await moto.setAuth("0");
}, 60_000);

afterAll(async () => {
  if (!HAVE_MOTO) return;
  admin.destroy();
  await moto.close();
  await azure.close();
});

function errorsOf(report: Report, key: string): string[] {
  return report.configs.find((c) => c.value.name === key)?.value.errors ?? [];
}

/** The CLI in-process, logged in to `server` with a HOME of its own. */
async function cli(server: SecureServer, home: string, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io: CliIo = {
    stdout: (t) => { out += t; },
    stderr: (t) => { err += t; },
    readFile: () => Promise.reject(new Error("no files")),
    env: { HOME: home },
    readStdin: () => Promise.resolve(""),
    waitForShutdown: () => new Promise(() => undefined),
    stdoutIsTTY: false,
  };
  const code = await runCli(args, io);
  return { code, out, err };
}

describe.skipIf(!HAVE_MOTO).each(storeTargets())("AWS Secrets Manager through the server on $name", (target) => {
  const tag = `${target.name}-${run}`;
  let server: SecureServer;
  let fake: FakeConnect;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  let integration: V1Integration;
  let wrong: V1Integration;
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/reader-${tag}`;
  const wrongRoleArn = `arn:aws:iam::${ACCOUNT}:role/other-id-${tag}`;
  const secrets = { plain: "", json: "" };
  const values = { plain: "", user: `cdc_${run}`, password: "", rotated: "" };
  const names = { plain: `aws plaintext secret (${target.name})`, password: `aws JSON password (${target.name})`, rotated: `aws rotated secret (${target.name})` };

  beforeAll(async () => {
    fake = await startFakeConnect();
    server = await startSecureServer(target, azure, {
      realRuntime: true,
      reconcileIntervalMs: 500,
      secretRefreshIntervalMs: REFRESH_MS,
      aws: { platformIdentity: { method: "static-keys", accessKeyId: account.platform.accessKeyId, secretAccessKey: account.platform.secretAccessKey }, endpoint: moto.url, platformRoleArn: account.platform.arn },
    });
    seed = await seedEnvironment(server, azure, "aws");
    expect((await server.api("PATCH", `/cmk/v2/clusters/${seed.clusterId}`, { spec: { connect_urls: [fake.url] } })).status).toBe(200);
    const create = async (name: string, arn: string) => {
      const response = await server.api<V1Integration>("POST", "/pim/v1/integrations", { display_name: name, provider: "AWS", config: { kind: "AwsIntegrationConfig", customer_iam_role_arn: arn }, environment: { id: seed.environmentId } });
      expect(response.status, response.text).toBe(201);
      return response.body;
    };
    integration = await create("aws-reader", roleArn);
    wrong = await create("aws-other-id", wrongRoleArn);

    // The customer's side, as its trust policy would be written from the pim/v1 answer (IAM enforcement off meanwhile).
    await moto.setAuth("inf");
    try {
      expect(await account.createReaderRole(`reader-${tag}`, integration.config.external_id)).toBe(roleArn);
      expect(await account.createReaderRole(`other-id-${tag}`, crypto.randomUUID())).toBe(wrongRoleArn);
    } finally {
      await moto.setAuth("0");
    }
    values.plain = registry.plant("aws-secret", names.plain);
    values.password = registry.plant("aws-secret", names.password);
    const put = async (name: string, value: string) => (await admin.send(new CreateSecretCommand({ Name: `${name}-${tag}`, SecretString: value }))).ARN ?? "";
    secrets.plain = await put("plain", values.plain);
    secrets.json = await put("json", JSON.stringify({ user: values.user, password: values.password, port: 5432 }));
  }, 60_000);

  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it("pim/v1 creates the integration configured, in Confluent's shape, with a generated external id", async () => {
    expect(integration).toMatchObject({
      api_version: "pim/v1",
      kind: "Integration",
      display_name: "aws-reader",
      provider: "AWS",
      config: { kind: "AwsIntegrationConfig", customer_iam_role_arn: roleArn, iam_role_arn: account.platform.arn },
      usages: [],
      environment: { id: seed.environmentId },
    });
    expect(integration.id).toMatch(/^cspi-/);
    expect(integration.config.external_id).toMatch(UUID);
    expect(wrong.config.external_id).not.toBe(integration.config.external_id);
    const read = await server.api<V1Integration>("GET", `/pim/v1/integrations/${integration.id}`);
    expect(read.body).toEqual(integration);
    const listed = await server.api<{ data: V1Integration[] }>("GET", `/pim/v1/integrations?environment=${seed.environmentId}`);
    expect(listed.body.data.map((i) => i.id).sort()).toEqual([integration.id, wrong.id].sort());
    const v2 = await server.api<{ provider: string; status: string; config: Record<string, string> }>("GET", `/pim/v2/integrations/${integration.id}`);
    expect(v2.body).toMatchObject({ provider: "AWS", status: "CREATED", config: { kind: "AwsIntegrationConfig", customer_iam_role_arn: roleArn, iam_role_arn: account.platform.arn, external_id: integration.config.external_id } });
  });

  it("pim/v1 refuses a missing or invalid customer_iam_role_arn (400 naming the field) and does not show Azure integrations (404)", async () => {
    const body = (config: Record<string, unknown>) => ({ display_name: "bad", provider: "AWS", config: { kind: "AwsIntegrationConfig", ...config }, environment: { id: seed.environmentId } });
    for (const [config, fragment] of [
      [{}, "config.customer_iam_role_arn is required"],
      [{ customer_iam_role_arn: "" }, "config.customer_iam_role_arn is required"],
      [{ customer_iam_role_arn: "arn:aws:iam::123:role/x" }, "config.customer_iam_role_arn must be an IAM role ARN"],
      [{ customer_iam_role_arn: `arn:aws:iam::${ACCOUNT}:user/someone` }, "config.customer_iam_role_arn must be an IAM role ARN"],
    ] as const) {
      const response = await server.api<V2Error>("POST", "/pim/v1/integrations", body(config));
      expect(response.status, JSON.stringify(config)).toBe(400);
      expect(response.body.errors.map((e) => e.source?.pointer)).toEqual(["/config/customer_iam_role_arn"]);
      expect(response.body.errors[0]?.detail).toContain(fragment);
    }
    // pim/v1 is AWS's: an Azure integration is never created through it, whatever the config says.
    for (const [provider, config] of [
      ["AZURE", { kind: "AzureIntegrationConfig", customer_azure_tenant_id: azure.customerTenant }],
      ["azure", { kind: "AwsIntegrationConfig", customer_iam_role_arn: roleArn }],
      ["GCP", { kind: "AwsIntegrationConfig", customer_iam_role_arn: roleArn }],
    ] as const) {
      const response = await server.api<V2Error>("POST", "/pim/v1/integrations", { display_name: "not-aws", provider, config, environment: { id: seed.environmentId } });
      expect(response.status, `${provider}: ${response.text}`).toBe(400);
      expect(response.body.errors.map((e) => e.source?.pointer)).toEqual(["/provider"]);
      expect(response.body.errors[0]?.detail).toContain("provider must be AWS");
    }
    const all = await server.api<{ data: { display_name: string }[] }>("GET", `/pim/v2/integrations?environment=${seed.environmentId}`);
    expect(all.body.data.map((i) => i.display_name)).not.toContain("not-aws");
    const listed = await server.api<{ data: V1Integration[] }>("GET", `/pim/v1/integrations?environment=${seed.environmentId}`);
    expect(listed.body.data).toHaveLength(2);
    for (const method of ["GET", "DELETE"]) {
      const azureOne = await server.api<V2Error>(method, `/pim/v1/integrations/${seed.integrationId}`);
      expect(azureOne.status, method).toBe(404);
      expect(azureOne.body.errors[0]?.detail).toContain(`provider integration "${seed.integrationId}" was not found among the AWS integrations (pim/v1)`);
    }
    expect((await server.api("GET", `/pim/v2/integrations/${seed.integrationId}`)).status).toBe(200);
  });

  it("pim/v2 :validate with a secret ARN assumes the role with the external id and probes the secret: ready", async () => {
    for (const identifier of [secrets.plain, `${secrets.json}::password`]) {
      const response = await server.api<Validation>("POST", "/pim/v2/integrations:validate", { id: integration.id, environment: { id: seed.environmentId }, secret_identifier: identifier });
      expect(response.status, response.text).toBe(200);
      expect(response.body.ready).toBe(true);
      expect(response.body.token.ok).toBe(true);
      expect(response.body.token.message).toContain(`assumed role ${roleArn} with external id "${integration.config.external_id}"`);
      expect(response.body.permissions.map((p) => [p.permission, p.action, p.status])).toEqual([
        ["assumeRole", "sts:AssumeRole", "granted"],
        ["getSecretValue", "secretsmanager:GetSecretValue", "granted"],
        ["describeSecret", "secretsmanager:DescribeSecret", "granted"],
      ]);
      expect(response.body.permissions[1]?.reason).toContain(identifier.split("::")[0]);
    }
    // No secret named: the role and a probe on a secret that does not exist, answered 204 like Azure's token-only check.
    const tokenOnly = await server.api("POST", "/pim/v2/integrations/validate", { id: integration.id });
    expect(tokenOnly.status, tokenOnly.text).toBe(204);
    const missing = await server.api<Validation>("POST", "/pim/v2/integrations:validate", { id: integration.id, secret_identifier: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:missing-${tag}` });
    expect(missing.status, missing.text).toBe(200);
    expect(missing.body.permissions[1]?.reason).toContain("does not exist, but secretsmanager:GetSecretValue was allowed");
  });

  it("pim/v2 :validate refuses an Azure identifier or a vault for an AWS integration (422: well-formed, but not this integration's), before any AWS call", async () => {
    const azureId = await server.api<V2Error>("POST", "/pim/v2/integrations:validate", { id: integration.id, secret_identifier: azure.plainSecret.identifier });
    expect(azureId.status).toBe(422);
    expect(azureId.body.errors[0]).toMatchObject({ source: { pointer: "/secret_identifier" } });
    expect(azureId.body.errors[0]?.detail).toContain("is an Azure Key Vault identifier, but provider integration");
    const vault = await server.api<V2Error>("POST", "/pim/v2/integrations:validate", { id: integration.id, vault_uri: azure.vaultUri });
    expect(vault.status).toBe(422);
    expect(vault.body.errors[0]?.source?.pointer).toBe("/vault_uri");
    // A malformed ARN is still a 400 on the field.
    const malformed = await server.api<V2Error>("POST", "/pim/v2/integrations:validate", { id: integration.id, secret_identifier: "arn:aws:secretsmanager:us-east-1:12:secret:x" });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0]?.source?.pointer).toBe("/secret_identifier");
    // And the Azure integration still takes its own identifiers, not an ARN.
    const arnOnAzure = await server.api<V2Error>("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, secret_identifier: secrets.plain });
    expect(arnOnAzure.status).toBe(422);
    expect(arnOnAzure.body.errors[0]?.source?.pointer).toBe("/secret_identifier");
    const azureOk = await server.api<Validation>("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, secret_identifier: azure.plainSecret.identifier });
    expect(azureOk.status, azureOk.text).toBe(200);
  });

  it("a role that trusts another external id: validation fails naming the external id and the role; a connector on it is refused", async () => {
    const response = await server.api<V2Error & { validation: Validation }>("POST", "/pim/v2/integrations:validate", { id: wrong.id, secret_identifier: secrets.plain });
    expect(response.status, response.text).toBe(422);
    expect(response.body.validation.ready).toBe(false);
    expect(response.body.validation.token).toMatchObject({ ok: false, code: "ASSUME_ROLE_DENIED" });
    expect(response.body.validation.permissions.map((p) => [p.permission, p.status])).toEqual([["assumeRole", "denied"]]);
    const detail = response.body.errors[0]?.detail ?? "";
    expect(response.body.errors[0]?.source?.pointer).toBe("/token");
    expect(detail).toContain(wrongRoleArn);
    expect(detail).toContain(`"sts:ExternalId": "${wrong.config.external_id}"`);
    expect(detail).toContain(account.platform.arn);

    const connector = postgresConnector("wrong-id", { integrationId: wrong.id, user: `${secrets.json}::user`, password: secrets.plain, extra: { "secret.manager": "AWS_SECRETS_MANAGER" } });
    const created = await server.api<{ error: { code: number; message: string } }>("POST", `${seed.base}/connectors`, connector);
    expect(created.status).toBe(400);
    const message = created.body.error.message;
    expect(message).toContain("database.password (");
    expect(message).toContain(`may not assume role ${wrongRoleArn}`);
    expect(message).toContain(wrong.config.external_id);
    expect((await connectorIds(server, seed.base))["wrong-id"]).toBeUndefined();
  });

  it("the connector dry run reads the ARNs: 0 errors when readable, the field's error naming the key and identifier when not", async () => {
    const validate = (config: Record<string, string>) => server.api<Report>("PUT", `${seed.base}/connector-plugins/PostgresCdcSourceV2/config/validate`, config);
    const ok = postgresConnector("dry-run", { integrationId: integration.id, user: `${secrets.json}::user`, password: secrets.plain, extra: { "secret.manager": "AWS_SECRETS_MANAGER" } });
    const good = await validate(ok.config);
    expect(good.status, good.text).toBe(200);
    expect(good.body.error_count, JSON.stringify(good.body.configs.filter((c) => c.value.errors.length > 0))).toBe(0);

    const missingSecret = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:nope-${tag}-AbCdEf`;
    const broken = await validate({ ...ok.config, "database.user": `${secrets.json}::nokey`, "database.password": missingSecret });
    expect(broken.body.error_count).toBe(2);
    const userErrors = errorsOf(broken.body, "database.user").join("\n");
    expect(userErrors).toContain(`database.user (${secrets.json}::nokey)`);
    expect(userErrors).toContain("it has no key \"nokey\"");
    const passwordErrors = errorsOf(broken.body, "database.password").join("\n");
    expect(passwordErrors).toContain(`database.password (${missingSecret})`);
    expect(passwordErrors).toContain("was not found in region us-east-1 of account 123456789012");

    // An AWS integration with the Azure secret manager: the cloud mismatch, on the integration field.
    const mismatch = await validate({ ...ok.config, "secret.manager": "AZURE_KEY_VAULT", "database.user": azure.jsonSecret.identifier("user"), "database.password": azure.jsonSecret.identifier("password") });
    expect(errorsOf(mismatch.body, "secret.manager.provider.integration.id")).toEqual([`provider integration "${integration.id}" is an AWS integration; AZURE_KEY_VAULT needs an AZURE integration`]);
    // And the other way round.
    const reverse = await validate({ ...ok.config, "secret.manager.provider.integration.id": seed.integrationId });
    expect(errorsOf(reverse.body, "secret.manager.provider.integration.id")).toEqual([`provider integration "${seed.integrationId}" is an AZURE integration; AWS_SECRETS_MANAGER needs an AWS integration`]);
    const body = JSON.stringify([good.body, broken.body]);
    expect(registry.scan(body, "dry run reports"), describeHits(registry.scan(body, "dry run reports"))).toEqual([]);
  });

  it("deploys with placeholders only, delivers the moto values to a worker, and a rotation restarts the connector once", async () => {
    const connector = postgresConnector("orders", { integrationId: integration.id, user: `${secrets.json}::user`, password: secrets.plain, extra: { "secret.manager": "AWS_SECRETS_MANAGER" } });
    const created = await server.api("POST", `${seed.base}/connectors`, connector);
    expect(created.status, created.text).toBe(201);
    const id = (await connectorIds(server, seed.base)).orders ?? "";
    const deployed = await waitUntil(() => Promise.resolve(fake.configs.get(id)), (c) => c !== undefined);
    expect(deployed?.["database.user"]).toBe(`\${vaultwire:${id}:database.user}`);
    expect(deployed?.["database.password"]).toBe(`\${vaultwire:${id}:database.password}`);
    expect(deployed?.["secret.manager.enabled"]).toBeUndefined();
    const sent = fake.requests.map((r) => `${r.method} ${r.url}\n${r.body}`).join("\n");
    expect(registry.scan(sent, "requests to Kafka Connect"), describeHits(registry.scan(sent, "requests to Kafka Connect"))).toEqual([]);
    expect(sent).not.toContain(secrets.json);
    const v1 = await server.api<V1Integration>("GET", `/pim/v1/integrations/${integration.id}`);
    expect(v1.body.usages).toEqual([expect.stringContaining(`/connector=orders`)]);

    const worker = await createWorkerCredential(server, seed.clusterId, "aws workers");
    const first = await workerSecrets(server, seed.clusterId, id, "database.user,database.password", worker.token, [names.plain]);
    expect(first.status, first.text).toBe(200);
    expect(first.body.data).toEqual({ "database.user": values.user, "database.password": values.plain });

    // The rotation check has seen the current versions before the rotation.
    await waitUntil(() => server.running.store.runtimeState.get(id), (s) => s?.seenVersions?.["database.password"] !== undefined, 30_000);
    const restarts = () => fake.requests.filter((r) => r.method === "POST" && r.url.startsWith(`/connectors/${id}/restart`)).length;
    const before = restarts();
    values.rotated = registry.plant("aws-secret", names.rotated);
    await admin.send(new PutSecretValueCommand({ SecretId: secrets.plain, SecretString: values.rotated }));
    await waitUntil(() => Promise.resolve(restarts()), (n) => n > before, 30_000);
    expect(restarts(), server.logs().split("\n").filter((l) => l.includes("reconciler") || l.includes("rotation")).slice(-15).join("\n")).toBe(before + 1);
    expect(fake.requests.find((r) => r.method === "POST" && r.url.startsWith(`/connectors/${id}/restart`))?.url).toBe(`/connectors/${id}/restart?includeTasks=true&onlyFailed=false`);
    // Later passes see nothing new: still one restart.
    await new Promise((resolve) => setTimeout(resolve, REFRESH_MS * 2 + 500));
    expect(restarts()).toBe(before + 1);
    const after = await workerSecrets(server, seed.clusterId, id, "database.password,database.user", worker.token, [names.rotated]);
    expect(after.status, after.text).toBe(200);
    expect(after.body.data).toEqual({ "database.user": values.user, "database.password": values.rotated });
    const log = server.logs().split("\n").filter((l) => l.includes("secret versions changed"));
    expect(log).toHaveLength(1);
    expect(log[0]).toContain("database.password");
  }, 90_000);

  it("the CLI validates an AWS integration with --secret-identifier <arn>, and refuses --vault-uri for it", async () => {
    const home = await mkdtemp(join(tmpdir(), "vaultwire-aws-cli-"));
    try {
      const login = await cli(server, home, ["login", "--url", server.url, "--api-key", server.bootstrap.key, "--api-secret", server.bootstrap.secret]);
      expect(login.code, login.err).toBe(0);
      const human = await cli(server, home, ["pi", "validate", integration.id, "--secret-identifier", secrets.plain]);
      expect(human.code, human.err).toBe(0);
      const lines = human.out.trimEnd().split("\n");
      expect(lines[0]).toBe(`Successfully validated provider integration "${integration.id}".`);
      expect(lines[1]).toContain(`  sign-in: ok: assumed role ${roleArn} with external id "${integration.config.external_id}"`);
      expect(lines.slice(2).map((l) => l.split(":").slice(0, 2).join(":"))).toEqual(["  assumeRole: granted", "  getSecretValue: granted", "  describeSecret: granted"]);
      const json = await cli(server, home, ["pi", "validate", integration.id, "--secret-identifier", `${secrets.json}::password`, "-o", "json"]);
      expect(json.code, json.err).toBe(0);
      expect((JSON.parse(json.out) as Validation).ready).toBe(true);
      const failing = await cli(server, home, ["pi", "validate", wrong.id, "--secret-identifier", secrets.plain]);
      expect(failing.code).toBe(1);
      expect(failing.out).toContain("assumeRole: denied");
      expect(failing.err).toContain(`Error: provider integration "${wrong.id}" failed validation: sign-in, assumeRole`);
      const vault = await cli(server, home, ["pi", "validate", integration.id, "--vault-uri", azure.vaultUri]);
      expect(vault.code).toBe(2);
      expect(vault.err).toContain(`Error: --vault-uri is for Azure integrations; provider integration "${integration.id}" is an AWS integration: probe one of its secrets with --secret-identifier <secret-arn>`);
      const malformed = await cli(server, home, ["pi", "validate", integration.id, "--secret-identifier", "db-credentials"]);
      expect(malformed.code).toBe(1);
      expect(malformed.err).toContain("the value is not a secret ARN");
      const output = [human, json, failing, vault, malformed].map((r) => r.out + r.err).join("\n");
      expect(registry.scan(output, "CLI output"), describeHits(registry.scan(output, "CLI output"))).toEqual([]);
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("no moto secret value and no platform key, in any encoding, in the database, the logs, /metrics or any response", async () => {
    expect(registry.kinds()).toContain("aws-secret");
    expect(registry.kinds()).toContain("aws-platform-secret-key");
    const scan = await expectNoCanaries(server);
    expect(scan.scanned.responses).toBeGreaterThan(20);
  });
});
