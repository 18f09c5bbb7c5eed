/**
 * `vaultwire dev azure ...`: runs the local Azure emulator (Entra ID + Key
 * Vault) in the foreground (`start`) and administers a running one over its
 * HTTP admin API (the other subcommands, in dev-azure-admin.ts).
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { startAzureEmulator, type AzureEmulator } from "../../emulator/azure/index.js";
import { CliError, usageError } from "../cli-error.js";
import type { CliIo } from "../io.js";
import { ADMIN_COMMANDS, ADMIN_HELP_LINES, DEFAULT_STATE_DIR, ENDPOINT_FILE, lowerFirst, parsePort, TIMING_FLAG_LINES, TIMING_OPTIONS, timingFlags } from "./dev-azure-admin.js";

export const DEV_HELP = `Run local stand-ins for cloud services, for development and tests.

Usage:
  vaultwire dev [command]

Available Commands:
  azure       Run and administer the local Azure emulator (Entra ID + Key Vault).
`;

export const DEV_AZURE_HELP = `Run and administer the local Azure emulator: an Entra ID token endpoint and
Key Vault data plane that the real Azure SDKs use unmodified, over HTTPS with
the emulator's own CA, an App Service-style managed identity endpoint, and
Event Grid for the vaults' secret events (pushed to webhooks you subscribe).

Usage:
  vaultwire dev azure [command]

Available Commands:
  start                          Run the emulator in the foreground until Ctrl+C.
${ADMIN_HELP_LINES}

Use "vaultwire dev azure [command] --help" for more information about a command.
`;

export const DEV_AZURE_START_HELP = `Run the Azure emulator in the foreground until Ctrl+C (SIGINT) or SIGTERM.

The authority host (Entra ID and the admin API) and every vault listen on
their own localhost port. The CA that signs their certificate is kept in the
state directory (ca.pem) and reused, so clients can keep trusting it. The
managed identity endpoint (what App Service puts in IDENTITY_ENDPOINT, with
the secret IDENTITY_HEADER) listens over plain HTTP on a free 127.0.0.1 port.

Usage:
  vaultwire dev azure start [flags]

Flags:
      --state-dir string   Directory for ca.pem, the server certificate and the token signing keys (default ${DEFAULT_STATE_DIR}).
      --port int           Port of the authority host; 0 picks a free one (default 8440).
      --tenant string      Create a tenant with this id (a GUID); one is created anyway for --vault or --app.
      --vault NAME[:PORT]  Create a vault in the tenant (repeatable); ports default to 8443, 8444, ...
      --app string         Create an app registration with a client secret, consented in the tenant and
                           granted "Key Vault Secrets User" on every vault (the assignment ids are printed;
                           "role list" shows them too).
      --managed-identity string
                           Create a user-assigned managed identity with this name in the tenant, granted
                           "Key Vault Secrets User" on every vault; with --app, the app also trusts it
                           as a federated identity credential.
${TIMING_FLAG_LINES.join("\n")}
                           These apply to every vault (default 0: instant); "timing" changes them later.
  -o, --output string      human or json (default human): json prints one line, for scripts.
  -h, --help               Show this help.

Examples:
  vaultwire dev azure start --vault dev --app vaultwire
  vaultwire dev azure start --vault dev --app vaultwire --managed-identity vaultwire-mi
  vaultwire dev azure start --port 0 --vault a:0 --vault b:0 -o json
  vaultwire dev azure start --vault dev --app vaultwire --rbac-delay 120000 --delete-delay 2000
  vaultwire dev azure start --state-dir /tmp/azure --tenant 72f988bf-86f1-41af-91ab-2d7cd011db47 --vault dev:9443
`;

const DEFAULT_AUTHORITY_PORT = 8440;
const DEFAULT_FIRST_VAULT_PORT = 8443;

export async function devAzure(args: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "-h" || command === "--help" || command === "help") {
    io.stdout(DEV_AZURE_HELP);
    return command === undefined ? 2 : 0;
  }
  if (command === "start") return start(rest, io);
  for (const admin of ADMIN_COMMANDS) {
    if (admin.path.every((word, i) => args[i] === word)) return admin.run(args.slice(admin.path.length), io);
  }
  const group = ADMIN_COMMANDS.filter((admin) => admin.path[0] === command);
  if (group.length > 0) {
    throw usageError(`unknown command "${args.slice(0, 2).join(" ")}" for "vaultwire dev azure": expected ${group.map((g) => `"${g.path.join(" ")}"`).join(", ")}`, "vaultwire dev azure");
  }
  throw usageError(`unknown command "${command}" for "vaultwire dev azure"`, "vaultwire dev azure");
}


interface VaultRequest {
  readonly name: string;
  readonly port: number;
}

async function start(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        "state-dir": { type: "string" },
        port: { type: "string" },
        tenant: { type: "string" },
        vault: { type: "string", multiple: true },
        app: { type: "string" },
        "managed-identity": { type: "string" },
        ...TIMING_OPTIONS,
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw usageError(lowerFirst((error as Error).message), "vaultwire dev azure start");
  }
  if (values.help) {
    io.stdout(DEV_AZURE_START_HELP);
    return 0;
  }
  const output = values.output ?? "human";
  if (output !== "human" && output !== "json") throw usageError(`invalid value "${output}" for flag "--output": expected human or json`, "vaultwire dev azure start");
  const stateDir = resolve(values["state-dir"] ?? DEFAULT_STATE_DIR);
  const authorityPort = values.port === undefined ? DEFAULT_AUTHORITY_PORT : parsePort(values.port, "--port", "vaultwire dev azure start");
  const vaults = (values.vault ?? []).map((spec, i) => parseVault(spec, DEFAULT_FIRST_VAULT_PORT + i));
  const timing = timingFlags(values, "vaultwire dev azure start");

  let emulator: AzureEmulator;
  try {
    emulator = await startAzureEmulator({ stateDir, authorityPort, timing });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") throw new CliError(`port ${authorityPort} is already in use`, 1, ["Pass another --port (0 picks a free one), or stop the emulator that is already running."]);
    if (code === "EACCES") throw new CliError(`cannot use state directory "${stateDir}": permission denied`);
    throw error;
  }
  const endpointFile = join(stateDir, ENDPOINT_FILE);
  try {
    const summary: StartSummary = {
      ...(await populate(emulator, values.tenant, vaults, values.app, values["managed-identity"])),
      timing: { rbacPropagationMs: timing.rbacPropagationMs ?? 0, deletionMs: timing.deletionMs ?? 0, purgeMs: timing.purgeMs ?? 0 },
    };
    await mkdir(stateDir, { recursive: true });
    await writeFile(endpointFile, `${JSON.stringify({ authorityHost: emulator.authorityHost, caCertPath: emulator.caCertPath }, null, 2)}\n`);
    // Listen for signals before saying we are up, so an early Ctrl-C still stops cleanly.
    const shutdown = io.waitForShutdown();
    io.stdout(output === "json" ? `${JSON.stringify(summary)}\n` : renderStart(summary));
    const signal = await shutdown;
    if (output === "human") io.stdout(`\nReceived ${signal}: stopping the Azure emulator.\n`);
    return 0;
  } finally {
    await emulator.stop();
    await rm(endpointFile, { force: true });
  }
}

interface StartSummary {
  readonly authorityHost: string;
  readonly caCertPath: string;
  readonly oidcIssuer: string;
  readonly managedIdentityEndpoint: string;
  readonly managedIdentityHeader: string;
  readonly tenantId: string | null;
  readonly vaults: readonly { name: string; vaultUri: string }[];
  readonly app: { displayName: string; appId: string; clientSecret: string; servicePrincipalObjectId: string; roleAssignments: readonly RoleGrant[] } | null;
  readonly managedIdentity: { displayName: string; clientId: string; principalId: string; resourceId: string; trustedByApp: boolean; roleAssignments: readonly RoleGrant[] } | null;
  /** What every vault started with; all 0 unless --rbac-delay, --delete-delay or --purge-delay. */
  readonly timing?: { rbacPropagationMs: number; deletionMs: number; purgeMs: number };
}

/** A role `start` granted: what `role remove --vault VAULT --assignment ID` undoes. */
interface RoleGrant {
  readonly vault: string;
  readonly roleName: string;
  readonly assignmentId: string;
}

const START_ROLE = "Key Vault Secrets User";

async function populate(emulator: AzureEmulator, tenantOption: string | undefined, vaults: readonly VaultRequest[], appName: string | undefined, identityName: string | undefined): Promise<StartSummary> {
  const needsTenant = tenantOption !== undefined || vaults.length > 0 || appName !== undefined || identityName !== undefined;
  const tenantId = needsTenant ? adminCall(() => emulator.createTenant(tenantOption === undefined ? {} : { tenantId: tenantOption }).tenantId) : null;
  const created: { name: string; vaultUri: string }[] = [];
  for (const vault of vaults) {
    try {
      created.push({ name: vault.name, vaultUri: (await emulator.createVault({ name: vault.name, tenantId: tenantId ?? "", port: vault.port })).vaultUri });
    } catch (error) {
      throw new CliError(`cannot create vault "${vault.name}": ${(error as Error).message}`, 1, ["Pick another port with --vault NAME:PORT (0 picks a free one)."]);
    }
  }
  let app: StartSummary["app"] = null;
  if (appName !== undefined && tenantId !== null) {
    const { appId, homeServicePrincipalObjectId } = adminCall(() => emulator.createApp({ homeTenantId: tenantId, displayName: appName }));
    const { secret } = emulator.addClientSecret(appId);
    const roleAssignments = created.map((vault) => ({ vault: vault.name, roleName: START_ROLE, assignmentId: emulator.assignRole(vault.name, { principalObjectId: homeServicePrincipalObjectId, role: START_ROLE }).assignmentId }));
    app = { displayName: appName, appId, clientSecret: secret, servicePrincipalObjectId: homeServicePrincipalObjectId, roleAssignments };
  }
  let managedIdentity: StartSummary["managedIdentity"] = null;
  if (identityName !== undefined && tenantId !== null) {
    const { clientId, principalId, resourceId } = adminCall(() => emulator.createManagedIdentity({ tenantId, displayName: identityName }));
    const roleAssignments = created.map((vault) => ({ vault: vault.name, roleName: START_ROLE, assignmentId: emulator.assignRole(vault.name, { principalObjectId: principalId, role: START_ROLE }).assignmentId }));
    if (app) emulator.addFederatedCredential(app.appId, { issuer: emulator.managedIdentityIssuer(tenantId), subject: principalId });
    managedIdentity = { displayName: identityName, clientId, principalId, resourceId, trustedByApp: app !== null, roleAssignments };
  }
  return {
    authorityHost: emulator.authorityHost,
    caCertPath: emulator.caCertPath,
    oidcIssuer: emulator.oidcIssuer,
    managedIdentityEndpoint: emulator.managedIdentityEndpoint,
    managedIdentityHeader: emulator.managedIdentityHeader,
    tenantId,
    vaults: created,
    app,
    managedIdentity,
  };
}

function adminCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}

function renderStart(summary: StartSummary): string {
  const lines = [
    "The Azure emulator (Entra ID + Key Vault) is running. Press Ctrl+C to stop.",
    "",
    `  Authority host:   ${summary.authorityHost}`,
    `  CA certificate:   ${summary.caCertPath}`,
    `  OIDC issuer:      ${summary.oidcIssuer}   (for federated credentials)`,
    `  Managed identity: ${summary.managedIdentityEndpoint}   (IDENTITY_ENDPOINT; IDENTITY_HEADER=${summary.managedIdentityHeader})`,
  ];
  if (summary.tenantId !== null) lines.push(`  Tenant:           ${summary.tenantId}`);
  const timing = summary.timing;
  if (timing && (timing.rbacPropagationMs > 0 || timing.deletionMs > 0 || timing.purgeMs > 0)) {
    lines.push(`  Timing:           RBAC propagation ${timing.rbacPropagationMs} ms, deletion ${timing.deletionMs} ms, purge ${timing.purgeMs} ms`);
  }
  for (const vault of summary.vaults) lines.push(`  ${`Vault "${vault.name}":`.padEnd(18)}${vault.vaultUri}`);
  if (summary.app) {
    lines.push(
      `  App ${JSON.stringify(summary.app.displayName)}:`,
      `    client id        ${summary.app.appId}`,
      `    client secret    ${summary.app.clientSecret}   (a fake credential, valid only here)`,
      `    object id        ${summary.app.servicePrincipalObjectId}   (Key Vault Secrets User on every vault)`,
      ...grantLines(summary.app.roleAssignments),
    );
  }
  if (summary.managedIdentity) {
    const mi = summary.managedIdentity;
    lines.push(
      `  Managed identity ${JSON.stringify(mi.displayName)}:`,
      `    client id        ${mi.clientId}`,
      `    object id        ${mi.principalId}   (Key Vault Secrets User on every vault)`,
      ...grantLines(mi.roleAssignments),
    );
    if (mi.trustedByApp && summary.tenantId !== null) lines.push(`    trusted by       app ${JSON.stringify(summary.app?.displayName ?? "")} (federated credential: issuer ${summary.authorityHost}/${summary.tenantId}/v2.0, subject ${mi.principalId})`);
  }
  lines.push(
    "",
    "Point the Azure SDKs at it:",
    `  credential:    new ClientSecretCredential(tenant, clientId, secret, { authorityHost: "${summary.authorityHost}", disableInstanceDiscovery: true, tlsOptions: { ca } })`,
    "  SecretClient:  new SecretClient(vaultUri, credential, { disableChallengeResourceVerification: true, tlsOptions: { ca } })",
    `  managed identity: IDENTITY_ENDPOINT=${summary.managedIdentityEndpoint} IDENTITY_HEADER=${summary.managedIdentityHeader}, then new ManagedIdentityCredential({ clientId })`,
    "  where ca is the text of the CA certificate above.",
  );
  if (summary.vaults.length > 0) lines.push(`  vaultwire:     --allow-vault-host ${summary.vaults.map((v) => new URL(v.vaultUri).host).join(" --allow-vault-host ")}`);
  lines.push(
    "",
    "Administer it from another terminal (same --state-dir, or --url):",
    `  vaultwire dev azure secret set --vault ${summary.vaults[0]?.name ?? "NAME"} db-password --value-file password.txt`,
    "  vaultwire dev azure stats",
    "  vaultwire dev azure role list       (role remove --vault VAULT --assignment ID undoes one)",
    `  vaultwire dev azure events subscribe --vault ${summary.vaults[0]?.name ?? "NAME"} --endpoint URL   (Event Grid: push the vault's secret events to a webhook)`,
    "",
  );
  return `${lines.join("\n")}\n`;
}

function grantLines(grants: readonly RoleGrant[]): string[] {
  return grants.map((g) => `    role assignment  ${g.assignmentId}   (${g.roleName} on vault ${JSON.stringify(g.vault)})`);
}

function parseVault(spec: string, defaultPort: number): VaultRequest {
  const colon = spec.lastIndexOf(":");
  const name = colon < 0 ? spec : spec.slice(0, colon);
  const port = colon < 0 ? defaultPort : parsePort(spec.slice(colon + 1), "--vault", "vaultwire dev azure start");
  if (name === "") throw usageError(`invalid value "${spec}" for flag "--vault": expected NAME or NAME:PORT`, "vaultwire dev azure start");
  return { name, port };
}
