// `vaultwire dev azure`: start in the foreground, administer it over the HTTP
// admin API with the CLI, use it with the real SDKs, stop on a signal.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ClientAssertionCredential, ClientSecretCredential } from "@azure/identity";
import { SecretClient } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { createAdminClient } from "../../src/cli/commands/dev-azure-client.js";
import { devAzure } from "../../src/cli/commands/dev-azure.js";
import { captureIo, cli, until } from "./cli-io.js";

interface StartJson {
  authorityHost: string;
  caCertPath: string;
  oidcIssuer: string;
  tenantId: string;
  vaults: { name: string; vaultUri: string }[];
  app: { appId: string; clientSecret: string; servicePrincipalObjectId: string; roleAssignments: { vault: string; roleName: string; assignmentId: string }[] };
}

interface RoleAssignmentJson { vault: string; assignmentId: string; principalObjectId: string; roleName: string; dataActions: string[]; secretName: string | null }

describe("vaultwire dev azure (in-process)", () => {
  let stateDir: string;
  let stop: () => void;
  let started: Promise<number>;
  let summary: StartJson;
  let stdin = "";
  const state = (): string[] => ["--state-dir", stateDir];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), "vaultwire-cli-azure-"));
    const shutdown = new Promise<string>((resolve) => { stop = () => { resolve("SIGTERM"); }; });
    const { io, out } = captureIo({ waitForShutdown: () => shutdown, readStdin: () => Promise.resolve(stdin) });
    started = devAzure(["start", "--state-dir", stateDir, "--port", "0", "--vault", "dev:0", "--vault", "second:0", "--app", "vaultwire", "-o", "json"], io);
    summary = JSON.parse(await until(() => out().split("\n")[0] || undefined)) as StartJson;
  });

  afterAll(async () => {
    stop();
    await started;
    await rm(stateDir, { recursive: true, force: true });
  });

  it("prints how to reach it and writes its address into the state directory", async () => {
    expect(summary.authorityHost).toMatch(/^https:\/\/localhost:\d+$/);
    expect(summary.caCertPath).toBe(join(stateDir, "ca.pem"));
    expect(summary.vaults.map((v) => v.name)).toEqual(["dev", "second"]);
    expect(summary.app.clientSecret).toMatch(/^.{3}8Q~/);
    expect(JSON.parse(await readFile(join(stateDir, "emulator.json"), "utf8"))).toEqual({ authorityHost: summary.authorityHost, caCertPath: summary.caCertPath });
  });

  it("sets secrets with the admin commands, which the app then reads through the SDK", async () => {
    expect(await cli(["dev", "azure", "secret", "set", "db-password", "hunter2", "--vault", "dev", ...state()])).toMatchObject({ code: 0, out: expect.stringMatching(/^Set secret "db-password": version [0-9a-f]{32}\.\n$/) as unknown });
    const valueFile = join(stateDir, "value.json");
    await writeFile(valueFile, "{\"user\":\"app\"}\n");
    expect((await cli(["dev", "azure", "secret", "set", "db-json", "--value-file", valueFile, "--content-type", "application/json", "--tag", "team=data", "--vault", "dev", ...state()])).code).toBe(0);

    const ca = await readFile(summary.caCertPath, "utf8");
    const credential = new ClientSecretCredential(summary.tenantId, summary.app.appId, summary.app.clientSecret, { authorityHost: summary.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
    const client = new SecretClient(summary.vaults[0]?.vaultUri ?? "", credential, { disableChallengeResourceVerification: true, tlsOptions: { ca } });
    expect((await client.getSecret("db-password")).value).toBe("hunter2");
    const json = await client.getSecret("db-json");
    expect(json.value).toBe("{\"user\":\"app\"}\n");
    expect(json.properties).toMatchObject({ contentType: "application/json", tags: { team: "data" } });
  });

  it("reads a value from stdin without its final newline", async () => {
    stdin = "from-stdin\n";
    const { io } = captureIo({ waitForShutdown: () => new Promise(() => undefined), readStdin: () => Promise.resolve(stdin) });
    expect(await devAzure(["secret", "set", "piped", "--vault", "dev", ...state()], io)).toBe(0);
    const ca = await readFile(summary.caCertPath, "utf8");
    const credential = new ClientSecretCredential(summary.tenantId, summary.app.appId, summary.app.clientSecret, { authorityHost: summary.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
    const client = new SecretClient(summary.vaults[0]?.vaultUri ?? "", credential, { disableChallengeResourceVerification: true, tlsOptions: { ca } });
    expect((await client.getSecret("piped")).value).toBe("from-stdin");
  });

  it("creates tenants, apps, vaults and role assignments, and reports them", async () => {
    const tenant = JSON.parse((await cli(["dev", "azure", "tenant", "create", "--display-name", "Contoso", "-o", "json", ...state()])).out) as { tenantId: string };
    const app = JSON.parse((await cli(["dev", "azure", "app", "create", "--tenant", summary.tenantId, "--name", "worker", "--multi-tenant", "-o", "json", ...state()])).out) as { appId: string };
    const secret = JSON.parse((await cli(["dev", "azure", "app", "secret", "add", "--app", app.appId, "-o", "json", ...state()])).out) as { secret: string };
    expect((await cli(["dev", "azure", "consent", "--app", app.appId, "--tenant", tenant.tenantId, ...state()])).code).toBe(0);
    const vault = JSON.parse((await cli(["dev", "azure", "vault", "create", "customer", "--tenant", tenant.tenantId, "--permission-model", "access-policy", "--access-policy-error", "AccessDenied", "-o", "json", ...state()])).out) as { vaultUri: string };
    expect((await cli(["dev", "azure", "secret", "set", "s", "v", "--vault", "customer", ...state()])).code).toBe(0);
    expect((await cli(["dev", "azure", "access-policy", "set", "--vault", "customer", "--app", app.appId, "--permissions", "get", ...state()])).code).toBe(0);

    const ca = await readFile(summary.caCertPath, "utf8");
    const credential = new ClientSecretCredential(tenant.tenantId, app.appId, secret.secret, { authorityHost: summary.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
    const client = new SecretClient(vault.vaultUri, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca } });
    expect((await client.getSecret("s")).value).toBe("v");

    const assigned = await cli(["dev", "azure", "role", "assign", "--vault", "second", "--app", summary.app.appId, "--role", "secrets-officer", "--secret", "x", ...state()]);
    expect(assigned.out).toMatch(/^Assigned the role: assignment [0-9a-f-]{36}\.\n$/);
    const status = await cli(["dev", "azure", "status", ...state()]);
    expect(status.out).toContain("Contoso");
    expect(status.out).toMatch(/customer {2}https:\/\/localhost:\d+ {2}tenant [0-9a-f-]{36} {2}public {2}accessPolicy {2}1 secret\n/);
  });

  it("turns the firewall, throttle and faults on and off, and shows and resets stats", async () => {
    for (const args of [["firewall", "on"], ["firewall", "off"], ["throttle", "--limit", "100", "--retry-after", "2"], ["throttle", "--off"], ["fault", "--latency", "5", "--fail-next", "1", "--status", "502"], ["fault", "--clear"]]) {
      const result = await cli(["dev", "azure", ...args, "--vault", "dev", ...state()]);
      expect(result, args.join(" ")).toMatchObject({ code: 0, err: "" });
    }
    const stats = await cli(["dev", "azure", "stats", "--reset", ...state()]);
    expect(stats.out).toMatch(/^dev: \d+ requests \(.*get=\d+.*\)\nsecond: 0 requests\ncustomer: /);
    expect(JSON.parse((await cli(["dev", "azure", "stats", "-o", "json", ...state()])).out)).toMatchObject({ dev: { total: 0 } });
  });

  it("updates, deletes and purges secrets, registers certificates and removes role assignments", async () => {
    const ca = await readFile(summary.caCertPath, "utf8");
    const credential = new ClientSecretCredential(summary.tenantId, summary.app.appId, summary.app.clientSecret, { authorityHost: summary.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
    const client = new SecretClient(summary.vaults[0]?.vaultUri ?? "", credential, { disableChallengeResourceVerification: true, tlsOptions: { ca }, retryOptions: { maxRetries: 0 } });
    expect((await cli(["dev", "azure", "secret", "set", "lifecycle", "v", "--vault", "dev", "--expires", "2030-01-31T00:00:00Z", ...state()])).code).toBe(0);
    expect((await client.getSecret("lifecycle")).properties.expiresOn?.toISOString()).toBe("2030-01-31T00:00:00.000Z");
    expect((await cli(["dev", "azure", "secret", "update", "lifecycle", "--vault", "dev", "--disable", "--expires", "none", ...state()])).code).toBe(0);
    const disabled = await client.getSecret("lifecycle").catch((error: unknown) => error as { statusCode?: number });
    expect(disabled).toMatchObject({ statusCode: 403 });
    expect((await cli(["dev", "azure", "secret", "delete", "lifecycle", "--vault", "dev", "--purge", ...state()])).out).toBe("Deleted secret \"lifecycle\" and purged it.\n");
    expect((await cli(["dev", "azure", "secret", "set", "lifecycle", "again", "--vault", "dev", ...state()])).code).toBe(0);

    const certificate = join(stateDir, "app.pem");
    await writeFile(certificate, (await readFile(summary.caCertPath, "utf8")));
    expect((await cli(["dev", "azure", "app", "cert", "add", "--app", summary.app.appId, "--cert-file", certificate, ...state()])).out).toMatch(/^Registered certificate [0-9A-F]{64} \(SHA-256 thumbprint\)\.\n$/);

    const { assignmentId } = JSON.parse((await cli(["dev", "azure", "role", "assign", "--vault", "second", "--principal", summary.app.servicePrincipalObjectId, "--data-action", "Microsoft.KeyVault/vaults/secrets/*", "-o", "json", ...state()])).out) as { assignmentId: string };
    expect((await cli(["dev", "azure", "role", "remove", "--vault", "second", "--assignment", assignmentId, ...state()])).code).toBe(0);
    expect((await cli(["dev", "azure", "role", "remove", "--vault", "second", "--assignment", assignmentId, ...state()])).err).toBe(`Error: role assignment "${assignmentId}" does not exist in vault "second"\n`);
  });

  it("mints federated tokens the app can be set up to trust", async () => {
    expect((await cli(["dev", "azure", "app", "federated-credential", "add", "--app", summary.app.appId, "--issuer", summary.oidcIssuer, "--subject", "sa", ...state()])).code).toBe(0);
    const minted = await cli(["dev", "azure", "federated-token", "mint", "--subject", "sa", ...state()]);
    expect(minted.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
  });

  it("reports admin refusals as one-line errors (exit 1) and bad usage with exit 2", async () => {
    const missing = await cli(["dev", "azure", "secret", "set", "x", "y", "--vault", "nope", ...state()]);
    expect(missing).toMatchObject({ code: 1, err: "Error: vault \"nope\" does not exist\n" });
    const badName = await cli(["dev", "azure", "secret", "set", "bad_name", "y", "--vault", "dev", ...state()]);
    expect(badName.code).toBe(1);
    expect(badName.err).toMatch(/^Error: secret name "bad_name" is invalid/);
    expect((await cli(["dev", "azure", "firewall", "maybe", "--vault", "dev", ...state()])).code).toBe(2);
    expect((await cli(["dev", "azure", "throttle", "--vault", "dev", ...state()])).err).toContain("required flag \"limit\" not set");
  });

  it("lists role assignments, those start made included, so role remove can undo them", async () => {
    const sp = summary.app.servicePrincipalObjectId;
    const [devGrant, secondGrant] = summary.app.roleAssignments;
    expect(summary.app.roleAssignments).toEqual([
      { vault: "dev", roleName: "Key Vault Secrets User", assignmentId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown },
      { vault: "second", roleName: "Key Vault Secrets User", assignmentId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown },
    ]);
    const all = JSON.parse((await cli(["dev", "azure", "role", "list", "-o", "json", ...state()])).out) as RoleAssignmentJson[];
    expect(all.filter((a) => a.assignmentId === devGrant?.assignmentId)).toEqual([{ vault: "dev", assignmentId: devGrant?.assignmentId, principalObjectId: sp, roleName: "Key Vault Secrets User", dataActions: ["Microsoft.KeyVault/vaults/secrets/getSecret/action", "Microsoft.KeyVault/vaults/secrets/readMetadata/action"], secretName: null }]);

    // On "second", the app has the role start gave it and the secret-scoped one an earlier test assigned.
    const second = JSON.parse((await cli(["dev", "azure", "role", "list", "--vault", "second", "--app", summary.app.appId, "-o", "json", ...state()])).out) as RoleAssignmentJson[];
    expect(second.map((a) => [a.assignmentId === secondGrant?.assignmentId ? "start" : "other", a.roleName, a.secretName])).toEqual([["start", "Key Vault Secrets User", null], ["other", "Key Vault Secrets Officer", "x"]]);
    expect(parseYaml((await cli(["dev", "azure", "role", "list", "--vault", "second", "--principal", sp.toUpperCase(), "-o", "yaml", ...state()])).out)).toEqual(second);
    const human = await cli(["dev", "azure", "role", "list", "--vault", "second", "--principal", sp, ...state()]);
    expect(human).toMatchObject({ code: 0, err: "" });
    expect(human.out).toBe(
      `${secondGrant?.assignmentId ?? ""}  vault second  principal ${sp}  Key Vault Secrets User  whole vault\n` +
      `${second[1]?.assignmentId ?? ""}  vault second  principal ${sp}  Key Vault Secrets Officer  secret "x"\n`,
    );

    expect((await cli(["dev", "azure", "role", "remove", "--vault", "second", "--assignment", secondGrant?.assignmentId ?? "", ...state()])).code).toBe(0);
    const after = JSON.parse((await cli(["dev", "azure", "role", "list", "--vault", "second", "--app", summary.app.appId, "-o", "json", ...state()])).out) as RoleAssignmentJson[];
    expect(after.map((a) => a.roleName)).toEqual(["Key Vault Secrets Officer"]);

    expect((await cli(["dev", "azure", "role", "list", "--principal", "00000000-0000-0000-0000-000000000000", ...state()])).out).toBe("None found.\n");
    expect(await cli(["dev", "azure", "role", "list", "--vault", "nope", ...state()])).toMatchObject({ code: 1, err: "Error: vault \"nope\" does not exist\n" });
    expect((await cli(["dev", "azure", "role", "list", "--app", "nope", ...state()])).err.split("\n")[0]).toBe("Error: app \"nope\" does not exist");
    expect((await cli(["dev", "azure", "role", "list", "--principal", sp, "--app", summary.app.appId, ...state()])).code).toBe(2);
  });

  it("serves the list on the admin API, filtered by vault and principal", async () => {
    const client = createAdminClient(summary.authorityHost, await readFile(summary.caCertPath, "utf8"));
    const sp = summary.app.servicePrincipalObjectId;
    const { roleAssignments } = await client.call("GET", `/role-assignments?vault=DEV&principal=${sp}`) as { roleAssignments: RoleAssignmentJson[] };
    expect(roleAssignments.map((a) => [a.vault, a.assignmentId])).toEqual([["dev", summary.app.roleAssignments[0]?.assignmentId]]);
    expect(((await client.call("GET", "/role-assignments")) as { roleAssignments: RoleAssignmentJson[] }).roleAssignments.length).toBeGreaterThan(1);
    await expect(client.call("GET", "/role-assignments?vault=dev&vault=second")).rejects.toThrow("the query parameter \"vault\" may be given only once");
  });
});

describe("vaultwire dev azure start --managed-identity", () => {
  interface ManagedIdentityStartJson {
    authorityHost: string;
    caCertPath: string;
    managedIdentityEndpoint: string;
    managedIdentityHeader: string;
    tenantId: string;
    vaults: { name: string; vaultUri: string }[];
    app: { appId: string };
    managedIdentity: { displayName: string; clientId: string; principalId: string; trustedByApp: boolean; roleAssignments: { vault: string; roleName: string; assignmentId: string }[] };
  }

  /** What IDENTITY_ENDPOINT answers, asked the way MSAL's AppService source asks. */
  async function identityToken(summary: ManagedIdentityStartJson, resource: string): Promise<string> {
    const query = new URLSearchParams({ "api-version": "2019-08-01", resource, client_id: summary.managedIdentity.clientId });
    const response = await fetch(`${summary.managedIdentityEndpoint}?${query.toString()}`, { headers: { "X-IDENTITY-HEADER": summary.managedIdentityHeader } });
    expect(response.status).toBe(200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  it("creates a managed identity with the vault role, trusted by the app, and prints the endpoint", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "vaultwire-cli-mi-"));
    let stop = (): void => undefined;
    const shutdown = new Promise<string>((resolve) => { stop = () => { resolve("SIGTERM"); }; });
    const json = captureIo({ waitForShutdown: () => shutdown, readStdin: () => Promise.resolve("") });
    const started = devAzure(["start", "--state-dir", stateDir, "--port", "0", "--vault", "dev:0", "--app", "vaultwire", "--managed-identity", "vaultwire-mi", "-o", "json"], json.io);
    try {
      const summary = JSON.parse(await until(() => json.out().split("\n")[0] || undefined)) as ManagedIdentityStartJson;
      expect(summary.managedIdentityEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/msi\/token$/);
      expect(summary.managedIdentity).toMatchObject({ displayName: "vaultwire-mi", trustedByApp: true, roleAssignments: [{ vault: "dev", roleName: "Key Vault Secrets User" }] });
      const listed = JSON.parse((await cli(["dev", "azure", "role", "list", "--principal", summary.managedIdentity.principalId, "-o", "json", "--state-dir", stateDir])).out) as RoleAssignmentJson[];
      expect(listed.map((a) => a.assignmentId)).toEqual(summary.managedIdentity.roleAssignments.map((a) => a.assignmentId));
      const ca = await readFile(summary.caCertPath, "utf8");
      const vaultUri = summary.vaults[0]?.vaultUri ?? "";
      expect((await cli(["dev", "azure", "secret", "set", "db-password", "hunter2", "--vault", "dev", "--state-dir", stateDir])).code).toBe(0);

      // The identity itself reads the vault (it has the role) ...
      const direct = await identityToken(summary, "https://vault.azure.net");
      const asIdentity = { getToken: () => Promise.resolve({ token: direct, expiresOnTimestamp: Date.now() + 3_600_000 }) };
      const options = { disableChallengeResourceVerification: true, tlsOptions: { ca }, retryOptions: { maxRetries: 0 } };
      expect((await new SecretClient(vaultUri, asIdentity, options).getSecret("db-password")).value).toBe("hunter2");
      // ... and its exchange token signs the app in (the app trusts it).
      const exchange = await identityToken(summary, "api://AzureADTokenExchange");
      const app = new ClientAssertionCredential(summary.tenantId, summary.app.appId, () => Promise.resolve(exchange), { authorityHost: summary.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca } });
      expect((await new SecretClient(vaultUri, app, options).getSecret("db-password")).value).toBe("hunter2");

      const status = await cli(["dev", "azure", "status", "--state-dir", stateDir]);
      expect(status.out).toContain(`Managed identity endpoint: ${summary.managedIdentityEndpoint}\n`);
      expect(status.out).toContain(`  ${summary.managedIdentity.clientId}  vaultwire-mi  tenant ${summary.tenantId}  object id ${summary.managedIdentity.principalId}\n`);
    } finally {
      stop();
      await started;
      await rm(stateDir, { recursive: true, force: true });
    }
  });

  it("prints the endpoint and the identity for people", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "vaultwire-cli-mi-human-"));
    let stop = (): void => undefined;
    const shutdown = new Promise<string>((resolve) => { stop = () => { resolve("SIGTERM"); }; });
    const human = captureIo({ waitForShutdown: () => shutdown, readStdin: () => Promise.resolve("") });
    const started = devAzure(["start", "--state-dir", stateDir, "--port", "0", "--managed-identity", "vaultwire-mi"], human.io);
    try {
      const out = await until(() => (human.out().includes("Administer it") ? human.out() : undefined));
      expect(out).toMatch(/ {2}Managed identity: http:\/\/127\.0\.0\.1:\d+\/msi\/token {3}\(IDENTITY_ENDPOINT; IDENTITY_HEADER=[0-9a-f-]{36}\)\n/);
      expect(out).toMatch(/ {2}Managed identity "vaultwire-mi":\n {4}client id {8}[0-9a-f-]{36}\n {4}object id {8}[0-9a-f-]{36}/);
      expect(out).not.toContain("trusted by");
    } finally {
      stop();
      await started;
      await rm(stateDir, { recursive: true, force: true });
    }
    expect((await cli(["dev", "azure", "start", "--port", "0", "--state-dir", stateDir, "--managed-identity", "bad name"])).err).toContain("managed identity name \"bad name\" is invalid");
    await rm(stateDir, { recursive: true, force: true });
  });
});

describe("vaultwire dev azure start --app (for people)", () => {
  it("prints the id of each role assignment it made, which role list shows and role remove takes", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "vaultwire-cli-app-human-"));
    let stop = (): void => undefined;
    const shutdown = new Promise<string>((resolve) => { stop = () => { resolve("SIGTERM"); }; });
    const human = captureIo({ waitForShutdown: () => shutdown, readStdin: () => Promise.resolve("") });
    const started = devAzure(["start", "--state-dir", stateDir, "--port", "0", "--vault", "dev:0", "--app", "vaultwire"], human.io);
    try {
      const out = await until(() => (human.out().includes("Administer it") ? human.out() : undefined));
      const id = / {4}role assignment {2}([0-9a-f-]{36}) {3}\(Key Vault Secrets User on vault "dev"\)\n/.exec(out)?.[1];
      expect(id).toBeDefined();
      expect(out).toContain("  vaultwire dev azure role list");
      const listed = await cli(["dev", "azure", "role", "list", "--vault", "dev", "--state-dir", stateDir]);
      expect(listed.out).toMatch(new RegExp(`^${id ?? "none"}  vault dev  principal [0-9a-f-]{36}  Key Vault Secrets User  whole vault\n$`));
      expect((await cli(["dev", "azure", "role", "remove", "--vault", "dev", "--assignment", id ?? "", "--state-dir", stateDir])).code).toBe(0);
      expect((await cli(["dev", "azure", "role", "list", "--state-dir", stateDir])).out).toBe("None found.\n");
    } finally {
      stop();
      await started;
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});

describe("vaultwire dev azure (usage)", () => {
  it("prints its help and lists the commands", async () => {
    const help = await cli(["dev", "azure", "--help"]);
    expect(help.code).toBe(0);
    for (const command of ["start", "secret set", "role assign", "role list", "role remove", "firewall", "throttle", "fault", "stats"]) expect(help.out).toContain(`  ${command}`);
    expect((await cli(["dev", "azure", "start", "--help"])).out).toContain("Examples:");
    expect((await cli(["--help"])).out).toContain("dev azure");
    expect((await cli(["dev"])).code).toBe(2);
  });

  it("refuses unknown commands and flags with exit 2", async () => {
    expect(await cli(["dev", "azure", "bogus"])).toMatchObject({ code: 2, err: expect.stringContaining("Error: unknown command \"bogus\" for \"vaultwire dev azure\"") as unknown });
    expect((await cli(["dev", "azure", "start", "--nope"])).code).toBe(2);
    expect((await cli(["dev", "azure", "start", "--vault", "a:99999"])).code).toBe(2);
  });

  it("says when no emulator is running", async () => {
    const dir = await mkdtemp(join(tmpdir(), "vaultwire-cli-none-"));
    try {
      const result = await cli(["dev", "azure", "stats", "--state-dir", dir]);
      expect(result.code).toBe(1);
      expect(result.err.split("\n")[0]).toBe(`Error: no running Azure emulator found in state directory "${dir}"`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("vaultwire dev azure start (a real process)", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url));

  it("starts in the foreground, serves, and stops cleanly on SIGINT", async () => {
    const stateDir = await mkdtemp(join(tmpdir(), "vaultwire-cli-process-"));
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", "dev", "azure", "start", "--state-dir", stateDir, "--port", "0", "--vault", "dev:0", "-o", "json"], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk: Buffer) => { out += chunk.toString(); });
      child.stderr.on("data", (chunk: Buffer) => { err += chunk.toString(); });
      const exited = new Promise<number | null>((resolve) => { child.on("exit", (code) => { resolve(code); }); });
      const line = await until(() => out.split("\n")[0] || undefined, 30_000);
      const started = JSON.parse(line) as StartJson;
      expect(existsSync(join(stateDir, "emulator.json"))).toBe(true);
      expect((await cli(["dev", "azure", "secret", "set", "s", "v", "--vault", "dev", "--state-dir", stateDir])).code).toBe(0);
      expect(started.vaults[0]?.vaultUri).toMatch(/^https:\/\/localhost:\d+$/);
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(err).toBe("");
      expect(existsSync(join(stateDir, "emulator.json"))).toBe(false);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  });
});
