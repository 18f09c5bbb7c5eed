import { describe, expect, it } from "vitest";
import { loadSettings, SettingsError } from "./settings.js";

const APP = "11111111-2222-3333-4444-555555555555";

function load(env: Record<string, string> = {}, flags: Record<string, string> = {}, file?: string) {
  return loadSettings({ env, flags, ...(file === undefined ? {} : { configFile: "vaultwire.yaml" }), readFile: () => file ?? "" });
}

function problems(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SettingsError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a SettingsError");
}

describe("loadSettings", () => {
  it("has defaults that need nothing installed", () => {
    const settings = load();
    expect(settings).toMatchObject({ host: "127.0.0.1", port: 8080, publicUrl: "http://127.0.0.1:8080", dataDir: ".vaultwire/data", databaseUrl: undefined, logLevel: "info" });
    expect(settings.azure).toMatchObject({ cloud: "public", platformIdentity: undefined, allowedVaultHosts: [], emulatorHosts: [] });
  });

  it("takes flags over environment over the config file", () => {
    const file = "port: 7000\nhost: 0.0.0.0\ndataDir: /srv/data\nazure:\n  cloud: china\n  allowedVaultHosts: [gateway.example:8443]\n";
    expect(load({}, {}, file)).toMatchObject({ port: 7000, host: "0.0.0.0", dataDir: "/srv/data", publicUrl: "http://127.0.0.1:7000", azure: { cloud: "china", allowedVaultHosts: ["gateway.example:8443"] } });
    expect(load({ VAULTWIRE_PORT: "7100" }, {}, file).port).toBe(7100);
    expect(load({ VAULTWIRE_PORT: "7100" }, { port: "7200" }, file).port).toBe(7200);
  });

  it("reads trusted proxies and rejects what is not an address", () => {
    expect(load({ VAULTWIRE_TRUSTED_PROXIES: "10.0.0.1, 192.168.0.0/16,::1" }).trustedProxies).toEqual(["10.0.0.1", "192.168.0.0/16", "::1"]);
    expect(load().trustedProxies).toEqual([]);
    expect(problems(() => load({ VAULTWIRE_TRUSTED_PROXIES: "proxy.example" })).join("\n")).toContain("VAULTWIRE_TRUSTED_PROXIES: \"proxy.example\" is not an IP address or CIDR");
  });

  it("reads the allowed Kafka Connect hosts and rejects what is not a host, an address or a CIDR", () => {
    expect(load().allowedConnectHosts).toEqual([]);
    expect(load({ VAULTWIRE_ALLOWED_CONNECT_HOSTS: "127.0.0.1, localhost,::1 , 10.20.0.0/16" }).allowedConnectHosts).toEqual(["127.0.0.1", "localhost", "::1", "10.20.0.0/16"]);
    expect(load({}, {}, "allowedConnectHosts: [connect-1.internal, 10.0.0.0/8]\n").allowedConnectHosts).toEqual(["connect-1.internal", "10.0.0.0/8"]);
    expect(problems(() => load({ VAULTWIRE_ALLOWED_CONNECT_HOSTS: "127.0.0.1:8083" })).join("\n")).toContain("VAULTWIRE_ALLOWED_CONNECT_HOSTS: allowed Connect host \"127.0.0.1:8083\" is not a host name, an IP address or a CIDR");
  });

  it("reads Connect worker pools from the environment (JSON) or the config file, under the Connect host policy", () => {
    expect(load().connectPools).toEqual({ pools: [], defaultPool: null });
    const json = JSON.stringify({ default: "local", pools: [{ name: "local", connectUrls: ["http://127.0.0.1:8083"], bootstrapServers: "127.0.0.1:9092" }] });
    const fromEnv = load({ VAULTWIRE_CONNECT_POOLS: json, VAULTWIRE_ALLOWED_CONNECT_HOSTS: "127.0.0.1" }).connectPools;
    expect(fromEnv).toEqual({ defaultPool: "local", pools: [{ name: "local", connectUrls: ["http://127.0.0.1:8083"], bootstrapServers: "127.0.0.1:9092", environments: [], placements: [] }] });
    const yaml = "connectPools:\n  default: shared\n  pools:\n    - name: shared\n      connectUrls: [http://connect-1.internal:8083]\n      placements: [AZURE/westus3]\n";
    expect(load({}, {}, yaml).connectPools?.pools[0]).toMatchObject({ name: "shared", connectUrls: ["http://connect-1.internal:8083"], placements: [{ cloud: "AZURE", region: "westus3" }] });
    // The loopback URL is refused unless the operator allows the host, like a cluster's connect_urls.
    expect(problems(() => load({ VAULTWIRE_CONNECT_POOLS: json })).join("\n")).toMatch(/^VAULTWIRE_CONNECT_POOLS: pool "local" connectUrls: .*loopback/m);
    expect(problems(() => load({ VAULTWIRE_CONNECT_POOLS: "{pools:" }))).toEqual([expect.stringMatching(/^VAULTWIRE_CONNECT_POOLS: expected a JSON object of Connect worker pools; it is /)]);
    expect(problems(() => load({}, {}, "connectPools:\n  default: missing\n"))).toEqual(["connectPools in vaultwire.yaml: default: expected the name of one of the pools (there are none)"]);
  });

  it("reads the drain period after SIGTERM: 5 s by default, 0 allowed, from the environment or the config file", () => {
    expect(load().drainMs).toBe(5_000);
    expect(load({ VAULTWIRE_DRAIN_MS: "0" }).drainMs).toBe(0);
    expect(load({ VAULTWIRE_DRAIN_MS: "15000" }).drainMs).toBe(15_000);
    expect(load({}, {}, "drainMs: 2500\n").drainMs).toBe(2_500);
    expect(load({ VAULTWIRE_DRAIN_MS: "600000" }).drainMs).toBe(600_000);
  });

  it.each(["5s", "-1", "1.5", "1e3", "600001", "99999999999"])("rejects VAULTWIRE_DRAIN_MS=%s, naming the variable", (value) => {
    expect(problems(() => load({ VAULTWIRE_DRAIN_MS: value }))).toEqual([`VAULTWIRE_DRAIN_MS: expected milliseconds from 0 to 600000, got "${value}"`]);
  });

  it("reads the secret expiry warning window in days: 30 by default, 0 (no warnings) allowed, from the environment or the config file", () => {
    expect(load().secretExpiryWarningDays).toBe(30);
    expect(load({ VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS: "0" }).secretExpiryWarningDays).toBe(0);
    expect(load({ VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS: " 14 " }).secretExpiryWarningDays).toBe(14);
    expect(load({}, {}, "secretExpiryWarningDays: 60\n").secretExpiryWarningDays).toBe(60);
    expect(load({ VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS: "3650" }).secretExpiryWarningDays).toBe(3650);
  });

  it.each(["30d", "-1", "1.5", "3651", "1e2", "99999"])("rejects VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS=%j, naming the variable and what it expects", (value) => {
    expect(problems(() => load({ VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS: value }))).toEqual([`VAULTWIRE_SECRET_EXPIRY_WARNING_DAYS: expected whole days from 0 (no warnings) to 3650, got "${value}"`]);
  });

  it("names the config file's secretExpiryWarningDays when it is wrong", () => {
    expect(problems(() => load({}, {}, "secretExpiryWarningDays: a month\n"))).toEqual(["secretExpiryWarningDays in vaultwire.yaml: expected whole days from 0 (no warnings) to 3650, got \"a month\""]);
  });

  it("reads the audit retention in days: 90 by default, 1 to 3650, from the environment or the config file", () => {
    expect(load().auditRetentionDays).toBe(90);
    expect(load({ VAULTWIRE_AUDIT_RETENTION_DAYS: "1" }).auditRetentionDays).toBe(1);
    expect(load({ VAULTWIRE_AUDIT_RETENTION_DAYS: "3650" }).auditRetentionDays).toBe(3650);
    expect(load({}, {}, "auditRetentionDays: 30\n").auditRetentionDays).toBe(30);
  });

  it.each(["0", "3651", "30d", "-5", "1.5"])("rejects VAULTWIRE_AUDIT_RETENTION_DAYS=%s, naming the variable", (value) => {
    expect(problems(() => load({ VAULTWIRE_AUDIT_RETENTION_DAYS: value }))).toEqual([`VAULTWIRE_AUDIT_RETENTION_DAYS: expected a whole number of days from 1 to 3650, got "${value}"`]);
  });

  it("names the config file's auditRetentionDays when it is wrong", () => {
    expect(problems(() => load({}, {}, "auditRetentionDays: forever\n"))).toEqual(["auditRetentionDays in vaultwire.yaml: expected a whole number of days from 1 to 3650, got \"forever\""]);
  });

  it("names the config file's drainMs when it is wrong", () => {
    expect(problems(() => load({}, {}, "drainMs: soon\n"))).toEqual(["drainMs in vaultwire.yaml: expected milliseconds from 0 to 600000, got \"soon\""]);
  });

  it("adds emulator hosts to the allowed vault hosts", () => {
    const settings = load({ VAULTWIRE_ALLOWED_VAULT_HOSTS: "a.example:1", VAULTWIRE_AZURE_EMULATOR_HOSTS: "LOCALHOST:8443" });
    expect(settings.azure.allowedVaultHosts).toEqual(["a.example:1", "localhost:8443"]);
    expect(settings.azure.emulatorHosts).toEqual(["localhost:8443"]);
  });

  it.each([
    [{ VAULTWIRE_AZURE_CLIENT_ID: APP, VAULTWIRE_AZURE_CLIENT_SECRET: "s" }, { method: "client-secret", clientId: APP, clientSecret: "s" }],
    [{ VAULTWIRE_AZURE_CLIENT_ID: APP, VAULTWIRE_AZURE_FEDERATED_TOKEN_FILE: "/var/run/token" }, { method: "workload-identity", clientId: APP, tokenFilePath: "/var/run/token" }],
    [{ VAULTWIRE_AZURE_CLIENT_ID: APP, VAULTWIRE_AZURE_MANAGED_IDENTITY: "true", VAULTWIRE_AZURE_MANAGED_IDENTITY_CLIENT_ID: "mi" }, { method: "managed-identity", clientId: APP, managedIdentityClientId: "mi" }],
    [{ VAULTWIRE_AZURE_CLIENT_ID: APP, VAULTWIRE_AZURE_CLIENT_CERTIFICATE_FILE: "/etc/cert.pem" }, { method: "client-certificate", clientId: APP, certificatePem: "" }],
  ])("reads the platform identity %#", (env, identity) => {
    expect(load(env).azure.platformIdentity).toEqual(identity);
  });

  it.each([
    [{ VAULTWIRE_PORT: "http" }, "VAULTWIRE_PORT: expected a port number"],
    [{ VAULTWIRE_PORT: "70000" }, "VAULTWIRE_PORT: expected a port number"],
    [{ VAULTWIRE_LOG_LEVEL: "loud" }, "VAULTWIRE_LOG_LEVEL: expected one of"],
    [{ VAULTWIRE_DATABASE_URL: "mysql://x" }, "VAULTWIRE_DATABASE_URL: expected a postgres:// URL"],
    [{ VAULTWIRE_AZURE_CLOUD: "mars" }, "VAULTWIRE_AZURE_CLOUD: expected one of public, china, usgov"],
    [{ VAULTWIRE_AZURE_AUTHORITY_HOST: "http://login" }, "VAULTWIRE_AZURE_AUTHORITY_HOST: expected an https:// URL"],
    [{ VAULTWIRE_AZURE_CLIENT_SECRET: "s" }, "VAULTWIRE_AZURE_CLIENT_ID (azure.clientId) is not"],
    [{ VAULTWIRE_AZURE_CLIENT_ID: APP }, "set exactly one Azure credential"],
    [{ VAULTWIRE_AZURE_CLIENT_ID: APP, VAULTWIRE_AZURE_CLIENT_SECRET: "s", VAULTWIRE_AZURE_FEDERATED_TOKEN_FILE: "/t" }, "set exactly one Azure credential"],
    [{ VAULTWIRE_AZURE_CLIENT_ID: "not-a-guid", VAULTWIRE_AZURE_CLIENT_SECRET: "s" }, "VAULTWIRE_AZURE_CLIENT_ID: expected an application (client) id"],
  ])("names the setting and its source for %j", (env, fragment) => {
    expect(problems(() => load(env)).join("\n")).toContain(fragment);
  });

  it("reports every problem at once, with config-file paths", () => {
    const found = problems(() => load({ VAULTWIRE_LOG_LEVEL: "loud" }, {}, "port: [1]\nazure:\n  cloud: mars\n"));
    expect(found).toHaveLength(3);
    expect(found.join("\n")).toContain("port in vaultwire.yaml: expected a string");
    expect(found.join("\n")).toContain("azure.cloud in vaultwire.yaml: expected one of");
  });

  it("explains an unreadable or malformed config file", () => {
    expect(problems(() => loadSettings({ env: {}, flags: {}, configFile: "missing.yaml", readFile: () => { throw Object.assign(new Error("x"), { code: "ENOENT" }); } }))).toEqual(["config file missing.yaml: does not exist"]);
    // A malformed JSON file is located, never quoted: it may hold the platform app secret.
    const leaky = problems(() => loadSettings({ env: {}, flags: {}, configFile: "vaultwire.json", readFile: () => '{"azure": {"clientSecret": QsZuDq4ejA-App-Secret}}' }));
    expect(leaky).toHaveLength(1);
    expect(leaky[0]).toMatch(/^config file vaultwire\.json: is not valid JSON/);
    expect(leaky.join("")).not.toMatch(/QsZu|App-Secret/);
    expect(problems(() => load({}, {}, "- a\n- b\n"))).toEqual(["config file vaultwire.yaml: expected a mapping of settings"]);
  });
});

describe("loadSettings: vaultwire's AWS identity", () => {
  const KEYS = { VAULTWIRE_AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE", VAULTWIRE_AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" };

  it("is off by default, in the aws partition and us-east-1", () => {
    expect(load().aws).toEqual({ platformIdentity: undefined, partition: "aws", region: "us-east-1", secretsManagerEndpoint: undefined, stsEndpoint: undefined, platformRoleArn: undefined });
  });

  it("takes static keys (with a session token), endpoints, a region with two digits, and a user ARN as the principal customers trust", () => {
    const settings = load({ ...KEYS, VAULTWIRE_AWS_SESSION_TOKEN: "tok", VAULTWIRE_AWS_REGION: "ap-southeast-5", VAULTWIRE_AWS_SECRETS_MANAGER_ENDPOINT: "http://127.0.0.1:5055", VAULTWIRE_AWS_STS_ENDPOINT: "http://127.0.0.1:5055", VAULTWIRE_AWS_PLATFORM_ROLE_ARN: "arn:aws:iam::123456789012:user/vaultwire" });
    expect(settings.aws).toMatchObject({ platformIdentity: { method: "static-keys", accessKeyId: KEYS.VAULTWIRE_AWS_ACCESS_KEY_ID, sessionToken: "tok" }, region: "ap-southeast-5", secretsManagerEndpoint: "http://127.0.0.1:5055", platformRoleArn: "arn:aws:iam::123456789012:user/vaultwire" });
    expect(load({ VAULTWIRE_AWS_REGION: "eu-central-12" }).aws.region).toBe("eu-central-12");
  });

  it("takes a web identity, whose role is the principal by default, or the instance or container role", () => {
    const web = load({ VAULTWIRE_AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/vaultwire", VAULTWIRE_AWS_WEB_IDENTITY_TOKEN_FILE: "/var/run/token" }).aws;
    expect(web).toMatchObject({ platformIdentity: { method: "web-identity", roleArn: "arn:aws:iam::123456789012:role/vaultwire", tokenFilePath: "/var/run/token" }, platformRoleArn: "arn:aws:iam::123456789012:role/vaultwire" });
    expect(load({ VAULTWIRE_AWS_INSTANCE_METADATA: "true" }).aws.platformIdentity).toEqual({ method: "instance-metadata" });
    expect(load({ VAULTWIRE_AWS_CONTAINER_CREDENTIALS: "true" }).aws.platformIdentity).toEqual({ method: "container-metadata" });
  });

  it("refuses half an identity, two identities, and malformed values, each naming the setting and never echoing a secret", () => {
    expect(problems(() => load({ VAULTWIRE_AWS_ACCESS_KEY_ID: KEYS.VAULTWIRE_AWS_ACCESS_KEY_ID }))).toEqual(["VAULTWIRE_AWS_ACCESS_KEY_ID and VAULTWIRE_AWS_SECRET_ACCESS_KEY go together: set both"]);
    expect(problems(() => load({ VAULTWIRE_AWS_ROLE_ARN: "arn:aws:iam::123456789012:role/v" }))).toEqual(["VAULTWIRE_AWS_ROLE_ARN and VAULTWIRE_AWS_WEB_IDENTITY_TOKEN_FILE go together: set both"]);
    expect(problems(() => load({ ...KEYS, VAULTWIRE_AWS_INSTANCE_METADATA: "true" }))[0]).toContain("set one AWS identity for vaultwire");
    const bad = problems(() => load({ VAULTWIRE_AWS_ACCESS_KEY_ID: "not a key", VAULTWIRE_AWS_SECRET_ACCESS_KEY: "Canary-Secret-Key-77", VAULTWIRE_AWS_REGION: "mars", VAULTWIRE_AWS_PARTITION: "aws-moon", VAULTWIRE_AWS_STS_ENDPOINT: "http://sts.example/path", VAULTWIRE_AWS_PLATFORM_ROLE_ARN: "arn:aws:iam::1:group/x" }));
    expect(bad).toEqual([
      "VAULTWIRE_AWS_PARTITION: expected one of aws, aws-us-gov, aws-cn",
      "VAULTWIRE_AWS_REGION: expected an AWS region such as us-east-1",
      "VAULTWIRE_AWS_STS_ENDPOINT: expected an http(s) origin with no path, such as https://vpce-0123.secretsmanager.us-east-1.vpce.amazonaws.com",
      "VAULTWIRE_AWS_PLATFORM_ROLE_ARN: expected the ARN of vaultwire's IAM role or user (arn:aws:iam::<account>:role/<name> or …:user/<name>)",
      "VAULTWIRE_AWS_ACCESS_KEY_ID: expected an AWS access key id (16-128 capital letters and digits)",
    ]);
    expect(bad.join("\n")).not.toContain("Canary-Secret-Key-77");
  });
});
