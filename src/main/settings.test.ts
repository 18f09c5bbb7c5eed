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
