/**
 * The admin subcommands of `vaultwire dev azure`: each is one call to the
 * running emulator's HTTP admin API, found through --url or the state
 * directory's emulator.json, trusting --ca or the state directory's ca.pem.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { stringify as toYaml } from "yaml";
import { CliError, usageError } from "../cli-error.js";
import type { CliIo } from "../io.js";
import { createAdminClient, type AdminClient } from "./dev-azure-client.js";

export const DEFAULT_STATE_DIR = ".vaultwire/azure-emulator";
/** Written by `start` into the state directory: where the running emulator listens. */
export const ENDPOINT_FILE = "emulator.json";

export type OptionSpec = { type: "string"; multiple?: boolean; short?: string } | { type: "boolean"; short?: string };
export type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

interface ActionContext {
  readonly values: Values;
  readonly positionals: readonly string[];
  readonly client: AdminClient;
  readonly io: CliIo;
  readonly command: string;
}

interface ActionResult {
  readonly human: string;
  readonly data: unknown;
}

interface AdminCommandSpec {
  readonly path: readonly string[];
  readonly summary: string;
  /** More about the command, printed under the summary in its help. */
  readonly description?: string;
  readonly usage: string;
  readonly flags: string;
  readonly examples: readonly string[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly positionals?: { readonly min: number; readonly max: number };
  readonly action: (context: ActionContext) => Promise<ActionResult>;
}

export interface AdminCommand {
  readonly path: readonly string[];
  readonly summary: string;
  readonly run: (args: readonly string[], io: CliIo) => Promise<number>;
}

const COMMON_FLAGS = `      --url string         Authority host of the running emulator, e.g. https://localhost:8440
                           (default: read from the state directory's ${ENDPOINT_FILE}, or VAULTWIRE_AZURE_EMULATOR_URL).
      --ca string          CA certificate to trust (default: the state directory's ca.pem).
      --state-dir string   The emulator's state directory (default ${DEFAULT_STATE_DIR}).
  -o, --output string      human, json or yaml (default human).
  -h, --help               Show this help.`;

const COMMON_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  url: { type: "string" },
  ca: { type: "string" },
  "state-dir": { type: "string" },
  output: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
};

const VAULT_FLAG = "      --vault string       Name of the vault (required).";

/** The timing flags of `timing` and `start`, in milliseconds. */
export const TIMING_FLAG_LINES = [
  "      --rbac-delay int     A role assignment (and a removal) takes effect this many ms later (Azure: minutes).",
  "      --delete-delay int   A deleted secret is \"being deleted\" this many ms: not yet listed, 409 on purge or set.",
  "      --purge-delay int    A purged name stays \"being deleted\" this many ms: 409 on set or restore.",
];
export const TIMING_OPTIONS: Readonly<Record<string, OptionSpec>> = { "rbac-delay": { type: "string" }, "delete-delay": { type: "string" }, "purge-delay": { type: "string" } };
const TIMING_FLAGS = { "rbac-delay": "rbacPropagationMs", "delete-delay": "deletionMs", "purge-delay": "purgeMs" } as const;

interface TimingJson {
  readonly rbacPropagationMs: number;
  readonly deletionMs: number;
  readonly purgeMs: number;
}

/** The timing fields the flags set (only those given). */
export function timingFlags(values: Values, command: string): Partial<Record<(typeof TIMING_FLAGS)[keyof typeof TIMING_FLAGS], number>> {
  const change: Partial<Record<(typeof TIMING_FLAGS)[keyof typeof TIMING_FLAGS], number>> = {};
  for (const [flag, field] of Object.entries(TIMING_FLAGS)) {
    const text = str(values[flag]);
    if (text !== undefined) change[field] = wholeNumber(text, `--${flag}`, command, "a whole number of milliseconds");
  }
  return change;
}

function renderTiming(timing: TimingJson): string {
  const ms = (n: number): string => (n === 0 ? "instant" : `${n} ms`);
  return `RBAC propagation: ${ms(timing.rbacPropagationMs)}\nDeletion:         ${ms(timing.deletionMs)}\nPurge:            ${ms(timing.purgeMs)}\n`;
}
const enc = encodeURIComponent;

const SPECS: readonly AdminCommandSpec[] = [
  {
    path: ["status"],
    summary: "Show the running emulator's tenants, apps and vaults.",
    usage: "vaultwire dev azure status [flags]",
    flags: "",
    examples: ["vaultwire dev azure status", "vaultwire dev azure status --url https://localhost:8440 -o json"],
    action: async ({ client }) => {
      const state = await client.call("GET", "") as StatusJson;
      return { data: state, human: renderStatus(state) };
    },
  },
  {
    path: ["tenant", "create"],
    summary: "Create a tenant.",
    usage: "vaultwire dev azure tenant create [flags]",
    flags: "      --tenant-id string   The tenant id, a GUID (default: a new one).\n      --display-name string\n                           The directory's name, shown in some errors.",
    options: { "tenant-id": { type: "string" }, "display-name": { type: "string" } },
    examples: ["vaultwire dev azure tenant create", "vaultwire dev azure tenant create --display-name Contoso"],
    action: async ({ client, values }) => {
      const result = await client.call("POST", "/tenants", { tenantId: str(values["tenant-id"]), displayName: str(values["display-name"]) }) as { tenantId: string };
      return { data: result, human: `Created tenant ${result.tenantId}.\n` };
    },
  },
  {
    path: ["app", "create"],
    summary: "Register an app in its home tenant.",
    usage: "vaultwire dev azure app create --tenant ID --name NAME [flags]",
    flags: "      --tenant string      Home tenant (required).\n      --name string        Display name (required).\n      --multi-tenant       Let other tenants consent to the app.",
    options: { tenant: { type: "string" }, name: { type: "string" }, "multi-tenant": { type: "boolean" } },
    examples: ["vaultwire dev azure app create --tenant 0b1c... --name vaultwire --multi-tenant"],
    action: async ({ client, values, command }) => {
      const result = await client.call("POST", "/apps", { homeTenantId: required(values, "tenant", command), displayName: required(values, "name", command), multiTenant: values["multi-tenant"] === true }) as { appId: string; homeServicePrincipalObjectId: string };
      return { data: result, human: `Created app ${result.appId} (service principal ${result.homeServicePrincipalObjectId} in its home tenant).\n` };
    },
  },
  {
    path: ["app", "secret", "add"],
    summary: "Add a client secret to an app and print it.",
    usage: "vaultwire dev azure app secret add --app ID [flags]",
    flags: "      --app string         App (client) id (required).",
    options: { app: { type: "string" } },
    examples: ["vaultwire dev azure app secret add --app 3f2a..."],
    action: async ({ client, values, command }) => {
      const result = await client.call("POST", `/apps/${enc(required(values, "app", command))}/secrets`) as { secret: string };
      return { data: result, human: `Client secret (a fake credential, valid only in this emulator): ${result.secret}\n` };
    },
  },
  {
    path: ["app", "cert", "add"],
    summary: "Register a certificate (PEM) on an app for ClientCertificateCredential.",
    usage: "vaultwire dev azure app cert add --app ID --cert-file FILE [flags]",
    flags: "      --app string         App (client) id (required).\n      --cert-file string   PEM file with the certificate (a private key in it is ignored).",
    options: { app: { type: "string" }, "cert-file": { type: "string" } },
    examples: ["vaultwire dev azure app cert add --app 3f2a... --cert-file app.pem"],
    action: async ({ client, values, io, command }) => {
      const pem = await readInput(io, required(values, "cert-file", command), "certificate file");
      const result = await client.call("POST", `/apps/${enc(required(values, "app", command))}/certificates`, { certificatePem: pem }) as { thumbprintSha256: string };
      return { data: result, human: `Registered certificate ${result.thumbprintSha256} (SHA-256 thumbprint).\n` };
    },
  },
  {
    path: ["app", "federated-credential", "add"],
    summary: "Trust tokens of an external issuer (workload identity federation).",
    usage: "vaultwire dev azure app federated-credential add --app ID --issuer URL --subject SUBJECT [flags]",
    flags: "      --app string         App (client) id (required).\n      --issuer string      Token issuer (required); the emulator's own is printed by start.\n      --subject string     Token subject (required).\n      --audience string    Token audience (default api://AzureADTokenExchange).",
    options: { app: { type: "string" }, issuer: { type: "string" }, subject: { type: "string" }, audience: { type: "string" } },
    examples: ["vaultwire dev azure app federated-credential add --app 3f2a... --issuer https://localhost:8440/oidc --subject system:serviceaccount:ns:sa"],
    action: async ({ client, values, command }) => {
      await client.call("POST", `/apps/${enc(required(values, "app", command))}/federated-credentials`, { issuer: required(values, "issuer", command), subject: required(values, "subject", command), audience: str(values.audience) });
      return { data: { added: true }, human: "Added the federated credential.\n" };
    },
  },
  {
    path: ["federated-token", "mint"],
    summary: "Mint a token of the emulator's OIDC issuer (a workload identity token file's content).",
    usage: "vaultwire dev azure federated-token mint --subject SUBJECT [flags]",
    flags: "      --subject string     Token subject (required).\n      --audience string    Token audience (default api://AzureADTokenExchange).\n      --expires-in int     Lifetime in seconds (default 3600).",
    options: { subject: { type: "string" }, audience: { type: "string" }, "expires-in": { type: "string" } },
    examples: ["vaultwire dev azure federated-token mint --subject system:serviceaccount:ns:sa > token"],
    action: async ({ client, values, command }) => {
      const expires = str(values["expires-in"]);
      const result = await client.call("POST", "/federated-tokens", { subject: required(values, "subject", command), audience: str(values.audience), expiresInSeconds: expires === undefined ? undefined : wholeNumber(expires, "--expires-in", command) }) as { token: string };
      return { data: result, human: `${result.token}\n` };
    },
  },
  {
    path: ["consent"],
    summary: "Consent to a multi-tenant app in a tenant (creates its service principal there).",
    usage: "vaultwire dev azure consent --app ID --tenant ID [flags]",
    flags: "      --app string         App (client) id (required).\n      --tenant string      Tenant that consents (required).",
    options: { app: { type: "string" }, tenant: { type: "string" } },
    examples: ["vaultwire dev azure consent --app 3f2a... --tenant 9c1d..."],
    action: async ({ client, values, command }) => {
      const result = await client.call("POST", `/apps/${enc(required(values, "app", command))}/consents`, { tenantId: required(values, "tenant", command) }) as { servicePrincipalObjectId: string };
      return { data: result, human: `The app's service principal in the tenant is ${result.servicePrincipalObjectId}.\n` };
    },
  },
  {
    path: ["vault", "create"],
    summary: "Create a vault on its own localhost port.",
    usage: "vaultwire dev azure vault create NAME --tenant ID [flags]",
    flags: [
      "      --tenant string      Tenant of the vault (required).",
      "      --port int           Port (default: a free one).",
      "      --permission-model string",
      "                           rbac or access-policy (default rbac).",
      "      --access-policy-error string",
      "                           ForbiddenByPolicy (default) or AccessDenied (the older error code).",
      "      --cloud string       public, china or usgov: the token audience it expects (default public).",
      "      --location string    Region shown in errors and headers (default eastus).",
    ].join("\n"),
    options: { tenant: { type: "string" }, port: { type: "string" }, "permission-model": { type: "string" }, "access-policy-error": { type: "string" }, cloud: { type: "string" }, location: { type: "string" } },
    positionals: { min: 1, max: 1 },
    examples: ["vaultwire dev azure vault create dev --tenant 0b1c... --port 8443", "vaultwire dev azure vault create legacy --tenant 0b1c... --permission-model access-policy --access-policy-error AccessDenied"],
    action: async ({ client, values, positionals, command }) => {
      const model = str(values["permission-model"]);
      if (model !== undefined && model !== "rbac" && model !== "access-policy") throw usageError(`invalid value "${model}" for flag "--permission-model": expected rbac or access-policy`, command);
      const port = str(values.port);
      const result = await client.call("POST", "/vaults", {
        name: positionals[0],
        tenantId: required(values, "tenant", command),
        port: port === undefined ? undefined : wholeNumber(port, "--port", command),
        permissionModel: model === "access-policy" ? "accessPolicy" : model,
        accessPolicyErrorCode: str(values["access-policy-error"]),
        cloud: str(values.cloud),
        location: str(values.location),
      }) as { vaultUri: string };
      return { data: result, human: `Created vault "${positionals[0] ?? ""}" at ${result.vaultUri}.\n` };
    },
  },
  {
    path: ["secret", "set"],
    summary: "Set a secret (adds a version).",
    usage: "vaultwire dev azure secret set NAME [VALUE] --vault VAULT [flags]",
    flags: [
      VAULT_FLAG,
      "      --value-file string  Read the value from this file, as it is (\"-\", or no VALUE: from stdin, without its final newline).",
      "      --content-type string\n                           The content type, e.g. application/json.",
      "      --disabled           Create the version disabled.",
      "      --not-before string  ISO 8601 date before which the secret is not valid (not enforced on GET, as in Azure).",
      "      --expires string     ISO 8601 expiry date (not enforced on GET, as in Azure).",
      "      --tag key=value      A tag (repeatable).",
    ].join("\n"),
    options: { vault: { type: "string" }, "value-file": { type: "string" }, "content-type": { type: "string" }, disabled: { type: "boolean" }, "not-before": { type: "string" }, expires: { type: "string" }, tag: { type: "string", multiple: true } },
    positionals: { min: 1, max: 2 },
    examples: ["vaultwire dev azure secret set db-password --vault dev --value-file password.txt", "printf '{\"user\":\"app\",\"password\":\"p\"}' | vaultwire dev azure secret set db-credentials --vault dev --content-type application/json"],
    action: async ({ client, values, positionals, io, command }) => {
      const [name = "", inline] = positionals;
      const file = str(values["value-file"]);
      if (inline !== undefined && file !== undefined) throw usageError("give the value either as an argument or with --value-file, not both", command);
      // From stdin one trailing newline is dropped (echo adds it); a file is taken as it is.
      const value = inline ?? (file === undefined || file === "-" ? (await io.readStdin()).replace(/\r?\n$/, "") : await readInput(io, file, "value file"));
      const tags = Object.fromEntries(((values.tag as string[] | undefined) ?? []).map((tag) => {
        const eq = tag.indexOf("=");
        if (eq <= 0) throw usageError(`invalid value "${tag}" for flag "--tag": expected key=value`, command);
        return [tag.slice(0, eq), tag.slice(eq + 1)];
      }));
      const result = await client.call("PUT", `/vaults/${enc(required(values, "vault", command))}/secrets/${enc(name)}`, {
        value,
        contentType: str(values["content-type"]),
        enabled: values.disabled === true ? false : undefined,
        notBefore: isoDate(values["not-before"], "--not-before", command),
        expiresOn: isoDate(values.expires, "--expires", command),
        tags: Object.keys(tags).length === 0 ? undefined : tags,
      }) as { version: string };
      return { data: result, human: `Set secret "${name}": version ${result.version}.\n` };
    },
  },
  {
    path: ["secret", "update"],
    summary: "Change the current version's attributes.",
    usage: "vaultwire dev azure secret update NAME --vault VAULT [flags]",
    flags: [VAULT_FLAG, "      --enable / --disable", "      --not-before string  ISO 8601 date, or \"none\" to clear.", "      --expires string     ISO 8601 date, or \"none\" to clear."].join("\n"),
    options: { vault: { type: "string" }, enable: { type: "boolean" }, disable: { type: "boolean" }, "not-before": { type: "string" }, expires: { type: "string" } },
    positionals: { min: 1, max: 1 },
    examples: ["vaultwire dev azure secret update db-password --vault dev --disable", "vaultwire dev azure secret update db-password --vault dev --expires none"],
    action: async ({ client, values, positionals, command }) => {
      if (values.enable === true && values.disable === true) throw usageError("--enable and --disable exclude each other", command);
      const clearable = (flag: "not-before" | "expires"): string | null | undefined => (values[flag] === "none" ? null : isoDate(values[flag], `--${flag}`, command));
      const body = { enabled: values.enable === true ? true : values.disable === true ? false : undefined, notBefore: clearable("not-before"), expiresOn: clearable("expires") };
      await client.call("PATCH", `/vaults/${enc(required(values, "vault", command))}/secrets/${enc(positionals[0] ?? "")}`, body);
      return { data: { updated: true }, human: `Updated secret "${positionals[0] ?? ""}".\n` };
    },
  },
  {
    path: ["secret", "delete"],
    summary: "Delete a secret (soft delete, as Key Vault does).",
    usage: "vaultwire dev azure secret delete NAME --vault VAULT [flags]",
    flags: `${VAULT_FLAG}\n      --purge              Also purge it, so the name can be reused at once.`,
    options: { vault: { type: "string" }, purge: { type: "boolean" } },
    positionals: { min: 1, max: 1 },
    examples: ["vaultwire dev azure secret delete db-password --vault dev --purge"],
    action: async ({ client, values, positionals, command }) => {
      const path = `/vaults/${enc(required(values, "vault", command))}`;
      const name = positionals[0] ?? "";
      await client.call("DELETE", `${path}/secrets/${enc(name)}`);
      if (values.purge === true) await client.call("DELETE", `${path}/deleted-secrets/${enc(name)}`);
      return { data: { deleted: true, purged: values.purge === true }, human: `Deleted secret "${name}"${values.purge === true ? " and purged it" : ""}.\n` };
    },
  },
  {
    path: ["role", "assign"],
    summary: "Assign a Key Vault role to a principal at vault or secret scope.",
    usage: "vaultwire dev azure role assign --vault VAULT --role ROLE (--principal OID | --app ID) [flags]",
    flags: [
      VAULT_FLAG,
      "      --role string        \"Key Vault Secrets User\", \"Key Vault Secrets Officer\", \"Key Vault Reader\"",
      "                           (or secrets-user, secrets-officer, reader), or custom with --data-action.",
      "      --data-action string A data action of a custom role (repeatable),",
      "                           e.g. Microsoft.KeyVault/vaults/secrets/getSecret/action.",
      "      --principal string   Object id of the principal.",
      "      --app string         Or the app whose service principal in the vault's tenant gets the role.",
      "      --secret string      Assign at this secret's scope only.",
    ].join("\n"),
    options: { vault: { type: "string" }, role: { type: "string" }, "data-action": { type: "string", multiple: true }, principal: { type: "string" }, app: { type: "string" }, secret: { type: "string" } },
    examples: ["vaultwire dev azure role assign --vault dev --app 3f2a... --role secrets-user", "vaultwire dev azure role assign --vault dev --principal 5e6f... --role reader --secret db-password"],
    action: async ({ client, values, command }) => {
      const vault = required(values, "vault", command);
      const role = roleOf(values, command);
      const principal = await principalOf(client, values, vault, command);
      const result = await client.call("POST", `/vaults/${enc(vault)}/role-assignments`, { principalObjectId: principal, role, secretName: str(values.secret) }) as { assignmentId: string };
      return { data: result, human: `Assigned the role: assignment ${result.assignmentId}.\n` };
    },
  },
  {
    path: ["role", "list"],
    summary: "List role assignments, with the ids role remove takes.",
    usage: "vaultwire dev azure role list [--vault VAULT] [--principal OID | --app ID] [flags]",
    flags: [
      "      --vault string       Only this vault's assignments (default: every vault).",
      "      --principal string   Only the assignments of this principal (object id).",
      "      --app string         Or only those of this app's service principals.",
    ].join("\n"),
    options: { vault: { type: "string" }, principal: { type: "string" }, app: { type: "string" } },
    examples: ["vaultwire dev azure role list", "vaultwire dev azure role list --vault dev --app 3f2a... -o json"],
    action: async ({ client, values, command }) => {
      const vault = str(values.vault);
      const principal = str(values.principal);
      const app = str(values.app);
      if (principal !== undefined && app !== undefined) throw usageError("pass at most one of --principal and --app", command);
      let principals: ReadonlySet<string> | undefined;
      if (app !== undefined) {
        const state = await client.call("GET", "") as StatusJson;
        const found = state.apps.find((a) => a.appId.toLowerCase() === app.toLowerCase());
        if (found === undefined) throw new CliError(`app "${app}" does not exist`, 1, [`Apps: ${state.apps.map((a) => a.appId).join(", ") || "none"}.`]);
        principals = new Set(Object.values(found.servicePrincipals).map((oid) => oid.toLowerCase()));
      }
      const query = new URLSearchParams({ ...(vault === undefined ? {} : { vault }), ...(principal === undefined ? {} : { principal }) }).toString();
      const { roleAssignments } = await client.call("GET", `/role-assignments${query === "" ? "" : `?${query}`}`) as { roleAssignments: RoleAssignmentJson[] };
      const rows = principals === undefined ? roleAssignments : roleAssignments.filter((a) => principals.has(a.principalObjectId.toLowerCase()));
      return { data: rows, human: renderRoleAssignments(rows) };
    },
  },
  {
    path: ["role", "remove"],
    summary: "Remove a role assignment.",
    usage: "vaultwire dev azure role remove --vault VAULT --assignment ID [flags]",
    flags: `${VAULT_FLAG}\n      --assignment string  The assignment id that role assign, role list or start printed (required).`,
    options: { vault: { type: "string" }, assignment: { type: "string" } },
    examples: ["vaultwire dev azure role remove --vault dev --assignment 7a8b..."],
    action: async ({ client, values, command }) => {
      await client.call("DELETE", `/vaults/${enc(required(values, "vault", command))}/role-assignments/${enc(required(values, "assignment", command))}`);
      return { data: { removed: true }, human: "Removed the role assignment.\n" };
    },
  },
  {
    path: ["access-policy", "set"],
    summary: "Set a principal's secret permissions on an access-policy vault.",
    usage: "vaultwire dev azure access-policy set --vault VAULT (--principal OID | --app ID) --permissions LIST [flags]",
    flags: `${VAULT_FLAG}\n      --principal string   Object id of the principal.\n      --app string         Or the app whose service principal in the vault's tenant it is.\n      --permissions string Comma-separated: get, list, set, delete, recover, purge, backup, restore; empty removes the policy.`,
    options: { vault: { type: "string" }, principal: { type: "string" }, app: { type: "string" }, permissions: { type: "string" } },
    examples: ["vaultwire dev azure access-policy set --vault legacy --app 3f2a... --permissions get,list"],
    action: async ({ client, values, command }) => {
      const vault = required(values, "vault", command);
      const principal = await principalOf(client, values, vault, command);
      const permissions = (str(values.permissions) ?? "").split(",").map((p) => p.trim().toLowerCase()).filter((p) => p !== "");
      await client.call("PUT", `/vaults/${enc(vault)}/access-policies/${enc(principal)}`, { permissions });
      return { data: { principalObjectId: principal, permissions }, human: `Set the access policy of ${principal}: ${permissions.length === 0 ? "none" : permissions.join(", ")}.\n` };
    },
  },
  {
    path: ["firewall"],
    summary: "Turn a vault's firewall on (every call gets 403 ForbiddenByFirewall) or off.",
    usage: "vaultwire dev azure firewall on|off --vault VAULT [flags]",
    flags: VAULT_FLAG,
    options: { vault: { type: "string" } },
    positionals: { min: 1, max: 1 },
    examples: ["vaultwire dev azure firewall on --vault dev"],
    action: async ({ client, values, positionals, command }) => {
      const state = positionals[0];
      if (state !== "on" && state !== "off") throw usageError(`expected "on" or "off", not "${state ?? ""}"`, command);
      await client.call("PUT", `/vaults/${enc(required(values, "vault", command))}/firewall`, { enabled: state === "on" });
      return { data: { firewall: state }, human: `Turned the firewall ${state}.\n` };
    },
  },
  {
    path: ["throttle"],
    summary: "Throttle a vault: N requests per 10 seconds, then 429.",
    usage: "vaultwire dev azure throttle --vault VAULT (--limit N [--retry-after S|window] | --off) [flags]",
    flags: `${VAULT_FLAG}\n      --limit int          Requests admitted per sliding 10 seconds.\n      --retry-after string Send Retry-After: a fixed number of seconds, or "window" for the seconds until the\n                           10-second window has room again (default: no header, like many real 429s).\n      --off                Remove the throttle.`,
    options: { vault: { type: "string" }, limit: { type: "string" }, "retry-after": { type: "string" }, off: { type: "boolean" } },
    examples: ["vaultwire dev azure throttle --vault dev --limit 5", "vaultwire dev azure throttle --vault dev --limit 5 --retry-after window", "vaultwire dev azure throttle --vault dev --off"],
    action: async ({ client, values, command }) => {
      const path = `/vaults/${enc(required(values, "vault", command))}/throttle`;
      if (values.off === true) {
        await client.call("PUT", path, null);
        return { data: { throttle: null }, human: "Removed the throttle.\n" };
      }
      const limit = wholeNumber(required(values, "limit", command), "--limit", command);
      const retry = str(values["retry-after"]);
      const retryAfterSeconds = retry === undefined ? undefined : retry === "window" ? "window" : wholeNumber(retry, "--retry-after", command, "a whole number of seconds or \"window\"");
      const throttle = { limitPer10Seconds: limit, retryAfterSeconds };
      await client.call("PUT", path, throttle);
      const header = retryAfterSeconds === undefined ? ", 429 without Retry-After" : retryAfterSeconds === "window" ? ", Retry-After until the window has room" : `, Retry-After ${retryAfterSeconds} s`;
      return { data: { throttle }, human: `Throttling at ${limit} requests per 10 s${header}.\n` };
    },
  },
  {
    path: ["timing"],
    summary: "Make a vault as slow as Key Vault: RBAC propagation, deletion and purge windows.",
    usage: "vaultwire dev azure timing --vault VAULT [--rbac-delay MS] [--delete-delay MS] [--purge-delay MS] [flags]",
    flags: [
      VAULT_FLAG,
      ...TIMING_FLAG_LINES,
      "                           Without any of these, shows the vault's timing. Changes apply to what happens next.",
    ].join("\n"),
    options: { vault: { type: "string" }, ...TIMING_OPTIONS },
    examples: ["vaultwire dev azure timing --vault dev --rbac-delay 120000", "vaultwire dev azure timing --vault dev --delete-delay 2000 --purge-delay 2000", "vaultwire dev azure timing --vault dev -o json"],
    action: async ({ client, values, command }) => {
      const path = `/vaults/${enc(required(values, "vault", command))}/timing`;
      const change = timingFlags(values, command);
      const timing = await client.call(Object.keys(change).length === 0 ? "GET" : "PUT", path, Object.keys(change).length === 0 ? undefined : change) as TimingJson;
      return { data: timing, human: renderTiming(timing) };
    },
  },
  {
    path: ["fault"],
    summary: "Inject latency, 5xx failures or dropped connections into a vault.",
    usage: "vaultwire dev azure fault --vault VAULT [--latency MS] [--fail-next N --status CODE] [--drop-next N] | --clear [flags]",
    flags: `${VAULT_FLAG}\n      --latency int        Delay every response by this many milliseconds.\n      --fail-next int      Fail the next N requests ...\n      --status int         ... with this 5xx status (default 503).\n      --drop-next int      Close the next N connections without a response.\n      --clear              Remove all faults.`,
    options: { vault: { type: "string" }, latency: { type: "string" }, "fail-next": { type: "string" }, status: { type: "string" }, "drop-next": { type: "string" }, clear: { type: "boolean" } },
    examples: ["vaultwire dev azure fault --vault dev --fail-next 2 --status 500", "vaultwire dev azure fault --vault dev --latency 800", "vaultwire dev azure fault --vault dev --clear"],
    action: async ({ client, values, command }) => {
      const path = `/vaults/${enc(required(values, "vault", command))}/faults`;
      if (values.clear === true) {
        await client.call("PUT", path, null);
        return { data: { faults: null }, human: "Removed all faults.\n" };
      }
      const number = (flag: "latency" | "fail-next" | "status" | "drop-next"): number | undefined => {
        const text = str(values[flag]);
        return text === undefined ? undefined : wholeNumber(text, `--${flag}`, command);
      };
      const failCount = number("fail-next");
      const faults = { latencyMs: number("latency"), dropNext: number("drop-next"), failNext: failCount === undefined ? undefined : { count: failCount, status: number("status") ?? 503 } };
      await client.call("PUT", path, faults);
      return { data: { faults }, human: "Set the faults (they replace earlier ones).\n" };
    },
  },
  {
    path: ["stats"],
    summary: "Show request counts per vault and operation.",
    usage: "vaultwire dev azure stats [--vault VAULT] [--reset] [flags]",
    flags: "      --vault string       Only this vault (default: all).\n      --reset              Reset the counters after showing them.",
    options: { vault: { type: "string" }, reset: { type: "boolean" } },
    examples: ["vaultwire dev azure stats", "vaultwire dev azure stats --vault dev --reset -o json"],
    action: async ({ client, values }) => {
      const only = str(values.vault);
      const names = only === undefined ? ((await client.call("GET", "") as StatusJson).vaults.map((v) => v.name)) : [only];
      const counts: Record<string, { total: number; byOperation: Record<string, number> }> = {};
      for (const name of names) counts[name] = await client.call("GET", `/vaults/${enc(name)}/request-counts`) as { total: number; byOperation: Record<string, number> };
      if (values.reset === true) await client.call("DELETE", only === undefined ? "/request-counts" : `/vaults/${enc(only)}/request-counts`);
      const human = names.length === 0
        ? "None found.\n"
        : names.map((name) => {
          const c = counts[name] ?? { total: 0, byOperation: {} };
          const ops = Object.entries(c.byOperation).map(([op, n]) => `${op}=${n}`).join(" ");
          return `${name}: ${c.total} request${c.total === 1 ? "" : "s"}${ops === "" ? "" : ` (${ops})`}`;
        }).join("\n") + "\n";
      return { data: counts, human };
    },
  },
  {
    path: ["events", "subscribe"],
    summary: "Subscribe a webhook to a vault's secret events (Event Grid), after its validation handshake.",
    usage: "vaultwire dev azure events subscribe --vault VAULT --endpoint URL [--schema EventGridSchema|CloudEventSchemaV1_0] [flags]",
    flags: [
      VAULT_FLAG,
      "      --endpoint string    The webhook URL (required), e.g. the endpoint \"vaultwire pi events create\" printed.",
      "                           http:// is accepted here (Azure needs https://). Its query is never shown again.",
      "      --schema string      EventGridSchema (default) or CloudEventSchemaV1_0 (also: eventgrid, cloudevents);",
      "                           use the webhook's delivery schema.",
      "      --event-type string  An event type to deliver (repeatable; default: Microsoft.KeyVault.SecretNewVersionCreated,",
      "                           SecretNearExpiry and SecretExpired).",
    ].join("\n"),
    description: [
      "Like Event Grid, the emulator first validates the endpoint: the Event Grid schema POSTs a",
      "SubscriptionValidationEvent and expects its validationResponse back; CloudEvents sends OPTIONS",
      "with WebHook-Request-Origin and expects WebHook-Allowed-Origin. A failed handshake creates nothing.",
      "Then every new secret version, and the expiry of one, is delivered to the endpoint, retried",
      "on errors other than 400, 401, 403, 404 and 413, as Event Grid does.",
    ].join("\n"),
    options: { vault: { type: "string" }, endpoint: { type: "string" }, schema: { type: "string" }, "event-type": { type: "string", multiple: true } },
    examples: [
      "vaultwire dev azure events subscribe --vault dev --endpoint \"$ENDPOINT\"   # the endpoint vaultwire pi events create printed",
      "vaultwire dev azure events subscribe --vault dev --endpoint http://127.0.0.1:9000/hook --schema CloudEventSchemaV1_0 -o json",
    ],
    action: async ({ client, values, command }) => {
      const vault = required(values, "vault", command);
      const endpoint = required(values, "endpoint", command);
      if (!isHttpUrl(endpoint)) throw usageError("invalid value for flag \"--endpoint\": expected an http:// or https:// URL", command);
      const schema = schemaOf(str(values.schema), command);
      const types = values["event-type"] as string[] | undefined;
      const created = await client.call("POST", `/vaults/${enc(vault)}/event-subscriptions`, { endpoint, schema, includedEventTypes: types === undefined || types.length === 0 ? undefined : types.map(fullEventType) }) as EventSubscriptionJson;
      return { data: created, human: `Subscribed ${created.endpointBaseUrl} to the secret events of vault "${created.vault}": event subscription ${created.subscriptionId} (${created.schema}; the validation handshake succeeded).\n` };
    },
  },
  {
    path: ["events", "list"],
    summary: "List the event subscriptions (endpoints without their query).",
    usage: "vaultwire dev azure events list [--vault VAULT] [flags]",
    flags: "      --vault string       Only this vault's subscriptions (default: every vault).",
    options: { vault: { type: "string" } },
    examples: ["vaultwire dev azure events list", "vaultwire dev azure events list --vault dev -o json"],
    action: async ({ client, values }) => {
      const vault = str(values.vault);
      const { eventSubscriptions } = await client.call("GET", `/event-subscriptions${vault === undefined ? "" : `?${new URLSearchParams({ vault }).toString()}`}`) as { eventSubscriptions: EventSubscriptionJson[] };
      return { data: eventSubscriptions, human: renderEventSubscriptions(eventSubscriptions) };
    },
  },
  {
    path: ["events", "unsubscribe"],
    summary: "Delete an event subscription: its vault's events stop going to the webhook.",
    usage: "vaultwire dev azure events unsubscribe ID [flags]",
    flags: "",
    positionals: { min: 1, max: 1 },
    examples: ["vaultwire dev azure events unsubscribe 7a8b..."],
    action: async ({ client, positionals }) => {
      const id = await existingSubscription(client, positionals[0] ?? "");
      await client.call("DELETE", `/event-subscriptions/${enc(id)}`);
      return { data: { deleted: id }, human: `Deleted event subscription "${id}".\n` };
    },
  },
  {
    path: ["events", "faults"],
    summary: "Make an event subscription's deliveries worse: drop, delay, duplicate or hold back (reorder).",
    usage: "vaultwire dev azure events faults ID [--drop-next N] [--delay-ms N] [--duplicate N] [--hold-next N] | --clear [flags]",
    flags: [
      "      --drop-next int      Lose the next N events (never sent, never retried).",
      "      --delay-ms int       Wait this many milliseconds before every delivery (up to 3600000).",
      "      --duplicate int      Send every event this many extra times (at-least-once delivery; up to 100).",
      "      --hold-next int      Hold the next N events back and send them after the following one (reordering).",
      "      --clear              Remove the faults; events held back are sent now.",
      "                           The flags given replace the earlier faults (those not given become 0).",
    ].join("\n"),
    options: { "drop-next": { type: "string" }, "delay-ms": { type: "string" }, duplicate: { type: "string" }, "hold-next": { type: "string" }, clear: { type: "boolean" } },
    positionals: { min: 1, max: 1 },
    examples: ["vaultwire dev azure events faults 7a8b... --duplicate 2 --delay-ms 500", "vaultwire dev azure events faults 7a8b... --hold-next 1", "vaultwire dev azure events faults 7a8b... --clear"],
    action: async ({ client, values, positionals, command }) => {
      const flags = ["drop-next", "delay-ms", "duplicate", "hold-next"] as const;
      const given = flags.filter((flag) => values[flag] !== undefined);
      if (values.clear === true && given.length > 0) throw usageError(`--clear excludes --${given.join(", --")}`, command);
      if (values.clear !== true && given.length === 0) throw usageError("give at least one of --drop-next, --delay-ms, --duplicate and --hold-next, or --clear", command);
      const number = (flag: (typeof flags)[number]): number => {
        const text = str(values[flag]);
        return text === undefined ? 0 : wholeNumber(text, `--${flag}`, command);
      };
      const faults = values.clear === true ? null : { dropNext: number("drop-next"), delayMs: number("delay-ms"), duplicate: number("duplicate"), holdNext: number("hold-next") };
      const id = await existingSubscription(client, positionals[0] ?? "");
      await client.call("PUT", `/event-subscriptions/${enc(id)}/faults`, faults);
      if (faults === null) return { data: { subscriptionId: id, faults: null }, human: `Removed the delivery faults of event subscription "${id}" (events held back are sent now).\n` };
      return { data: { subscriptionId: id, faults }, human: `Set the delivery faults of event subscription "${id}": drop next ${faults.dropNext}, delay ${faults.delayMs} ms, duplicate ${faults.duplicate}, hold next ${faults.holdNext}.\n` };
    },
  },
  {
    path: ["events", "deliveries"],
    summary: "Show every event delivery attempt (and drop), oldest first.",
    usage: "vaultwire dev azure events deliveries [--vault VAULT] [--subscription ID] [flags]",
    flags: "      --vault string       Only the events of this vault.\n      --subscription string\n                           Only those of this event subscription (deleted ones included).",
    options: { vault: { type: "string" }, subscription: { type: "string" } },
    examples: ["vaultwire dev azure events deliveries", "vaultwire dev azure events deliveries --subscription 7a8b... -o json"],
    action: async ({ client, values }) => {
      const vault = str(values.vault);
      const subscription = str(values.subscription);
      const query = new URLSearchParams({ ...(vault === undefined ? {} : { vault }), ...(subscription === undefined ? {} : { subscription }) }).toString();
      const { deliveries } = await client.call("GET", `/event-deliveries${query === "" ? "" : `?${query}`}`) as { deliveries: DeliveryJson[] };
      return { data: deliveries, human: renderDeliveries(deliveries) };
    },
  },
  {
    path: ["events", "check-expiry"],
    summary: "Send the SecretNearExpiry and SecretExpired events now due (a timer does it every 500 ms).",
    usage: "vaultwire dev azure events check-expiry [flags]",
    flags: "",
    examples: ["vaultwire dev azure events check-expiry"],
    action: async ({ client }) => {
      const { eventsDue } = await client.call("POST", "/expiry-check") as { eventsDue: number };
      return { data: { eventsDue }, human: eventsDue === 0 ? "No expiry events are due (each is sent once per secret version).\n" : `Sent ${eventsDue} expiry event${eventsDue === 1 ? "" : "s"}.\n` };
    },
  },
];

export const ADMIN_COMMANDS: readonly AdminCommand[] = SPECS.map((spec) => ({ path: spec.path, summary: spec.summary, run: (args, io) => runAdmin(spec, args, io) }));

export const ADMIN_HELP_LINES = SPECS.map((spec) => `  ${spec.path.join(" ").padEnd(31)}${spec.summary}`).join("\n");

function helpOf(spec: AdminCommandSpec): string {
  return `${spec.summary}\n${spec.description === undefined ? "" : `\n${spec.description}\n`}\nUsage:\n  ${spec.usage}\n\nFlags:\n${spec.flags === "" ? "" : `${spec.flags}\n`}${COMMON_FLAGS}\n\nExamples:\n${spec.examples.map((e) => `  ${e}`).join("\n")}\n`;
}

async function runAdmin(spec: AdminCommandSpec, args: readonly string[], io: CliIo): Promise<number> {
  const command = `vaultwire dev azure ${spec.path.join(" ")}`;
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { ...COMMON_OPTIONS, ...spec.options }, strict: true, allowPositionals: true });
  } catch (error) {
    throw usageError(lowerFirst((error as Error).message), command);
  }
  const values = parsed.values as Values;
  if (values.help === true) {
    io.stdout(helpOf(spec));
    return 0;
  }
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min) throw usageError(`missing argument: ${spec.usage}`, command);
  if (parsed.positionals.length > max) throw usageError(`unexpected argument "${parsed.positionals[max] ?? ""}"`, command);
  const output = str(values.output) ?? "human";
  if (output !== "human" && output !== "json" && output !== "yaml") throw usageError(`invalid value "${output}" for flag "--output": expected human, json or yaml`, command);
  const client = await connect(values, io);
  const result = await spec.action({ values, positionals: parsed.positionals, client, io, command });
  io.stdout(output === "human" ? result.human : render(result.data, output));
  return 0;
}

async function connect(values: Values, io: CliIo): Promise<AdminClient> {
  const stateDir = str(values["state-dir"]) ?? DEFAULT_STATE_DIR;
  let url = str(values.url) ?? io.env.VAULTWIRE_AZURE_EMULATOR_URL;
  let caPath = str(values.ca);
  if (url === undefined) {
    const endpointPath = join(stateDir, ENDPOINT_FILE);
    let endpoint: { authorityHost?: unknown; caCertPath?: unknown };
    try {
      endpoint = JSON.parse(await io.readFile(endpointPath)) as typeof endpoint;
    } catch {
      throw new CliError(`no running Azure emulator found in state directory "${stateDir}"`, 1, [
        "Start one with \"vaultwire dev azure start\", or pass --url https://localhost:PORT (and --ca).",
      ]);
    }
    if (typeof endpoint.authorityHost !== "string") throw new CliError(`"${endpointPath}" does not name the emulator's address`);
    url = endpoint.authorityHost;
    if (caPath === undefined && typeof endpoint.caCertPath === "string") caPath = endpoint.caCertPath;
  }
  if (!/^https:\/\/[^/]+\/?$/.test(url)) throw new CliError(`invalid emulator address "${url}": expected https://localhost:PORT`);
  caPath ??= join(stateDir, "ca.pem");
  const ca = await readInput(io, caPath, "CA certificate");
  return createAdminClient(url, ca);
}

async function readInput(io: CliIo, path: string, what: string): Promise<string> {
  try {
    return await io.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new CliError(`${what} "${path}" does not exist`);
    throw new CliError(`cannot read ${what} "${path}": ${code ?? "unknown error"}`);
  }
}

interface StatusJson {
  readonly authorityHost: string;
  readonly caCertPath: string;
  readonly oidcIssuer: string;
  readonly tenants: readonly { tenantId: string; displayName: string | null }[];
  readonly apps: readonly { appId: string; displayName: string; homeTenantId: string; multiTenant: boolean; servicePrincipals: Record<string, string> }[];
  readonly vaults: readonly { name: string; vaultUri: string; tenantId: string; cloud: string; permissionModel: string; firewall: boolean; secrets: number }[];
  /** Absent from emulators that predate the managed identity endpoint. */
  readonly managedIdentityEndpoint?: string;
  readonly managedIdentities?: readonly { clientId: string; principalId: string; tenantId: string; displayName: string; systemAssigned: boolean }[];
}

interface RoleAssignmentJson {
  readonly vault: string;
  readonly assignmentId: string;
  readonly principalObjectId: string;
  readonly roleName: string;
  readonly dataActions: readonly string[];
  readonly secretName: string | null;
}

/** One line per assignment (ids in full, to copy into role remove), like status. */
function renderRoleAssignments(rows: readonly RoleAssignmentJson[]): string {
  if (rows.length === 0) return "None found.\n";
  return rows.map((a) => {
    const role = a.roleName === "custom" ? `custom (${a.dataActions.join(", ")})` : a.roleName;
    const scope = a.secretName === null ? "whole vault" : `secret ${JSON.stringify(a.secretName)}`;
    return `${a.assignmentId}  vault ${a.vault}  principal ${a.principalObjectId}  ${role}  ${scope}\n`;
  }).join("");
}

function renderStatus(state: StatusJson): string {
  const lines = [`Authority host: ${state.authorityHost}`, `CA certificate: ${state.caCertPath}`, `OIDC issuer:    ${state.oidcIssuer}`];
  if (state.managedIdentityEndpoint !== undefined) lines.push(`Managed identity endpoint: ${state.managedIdentityEndpoint}`);
  lines.push("", "Tenants:");
  lines.push(...(state.tenants.length === 0 ? ["  None found."] : state.tenants.map((t) => `  ${t.tenantId}${t.displayName === null ? "" : `  ${t.displayName}`}`)));
  lines.push("", "Apps:");
  lines.push(...(state.apps.length === 0 ? ["  None found."] : state.apps.map((a) => `  ${a.appId}  ${a.displayName}  home ${a.homeTenantId}${a.multiTenant ? "  multi-tenant" : ""}  service principals: ${Object.entries(a.servicePrincipals).map(([t, o]) => `${o} in ${t}`).join(", ")}`)));
  lines.push("", "Vaults:");
  lines.push(...(state.vaults.length === 0 ? ["  None found."] : state.vaults.map((v) => `  ${v.name}  ${v.vaultUri}  tenant ${v.tenantId}  ${v.cloud}  ${v.permissionModel}${v.firewall ? "  firewall on" : ""}  ${v.secrets} secret${v.secrets === 1 ? "" : "s"}`)));
  if (state.managedIdentities !== undefined) {
    lines.push("", "Managed identities:");
    lines.push(...(state.managedIdentities.length === 0 ? ["  None found."] : state.managedIdentities.map((mi) => `  ${mi.clientId}  ${mi.displayName}  tenant ${mi.tenantId}  object id ${mi.principalId}${mi.systemAssigned ? "  system-assigned" : ""}`)));
  }
  return `${lines.join("\n")}\n`;
}

interface EventSubscriptionJson {
  readonly subscriptionId: string;
  readonly vault: string;
  readonly endpointBaseUrl: string;
  readonly schema: string;
  readonly includedEventTypes: readonly string[];
}

interface DeliveryJson {
  readonly subscriptionId: string;
  readonly vault: string;
  readonly at: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly secretName: string;
  readonly version: string;
  readonly attempt: number;
  readonly outcome: number | "dropped" | "held" | "unreachable";
}

const KEY_VAULT_EVENT_PREFIX = "Microsoft.KeyVault.";
const SCHEMAS: Readonly<Record<string, string>> = { eventgridschema: "EventGridSchema", eventgrid: "EventGridSchema", cloudeventschemav1_0: "CloudEventSchemaV1_0", cloudevents: "CloudEventSchemaV1_0" };

function schemaOf(value: string | undefined, command: string): string | undefined {
  if (value === undefined) return undefined;
  const schema = SCHEMAS[value.toLowerCase()];
  if (schema === undefined) throw usageError(`invalid value "${value}" for flag "--schema": expected EventGridSchema or CloudEventSchemaV1_0`, command);
  return schema;
}

/** SecretNewVersionCreated means Microsoft.KeyVault.SecretNewVersionCreated. */
function fullEventType(type: string): string {
  return type.includes(".") ? type : `${KEY_VAULT_EVENT_PREFIX}${type}`;
}

function shortEventType(type: string): string {
  return type.startsWith(KEY_VAULT_EVENT_PREFIX) ? type.slice(KEY_VAULT_EVENT_PREFIX.length) : type;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** The id as the emulator knows it; an unknown one is refused with the ids that exist. */
async function existingSubscription(client: AdminClient, id: string): Promise<string> {
  const { eventSubscriptions } = await client.call("GET", "/event-subscriptions") as { eventSubscriptions: EventSubscriptionJson[] };
  const found = eventSubscriptions.find((s) => s.subscriptionId.toLowerCase() === id.toLowerCase());
  if (found === undefined) {
    throw new CliError(`event subscription "${id}" does not exist`, 1, [eventSubscriptions.length === 0 ? "There are none: create one with \"vaultwire dev azure events subscribe\"." : `Event subscriptions: ${eventSubscriptions.map((s) => `${s.subscriptionId} (vault ${s.vault})`).join(", ")}.`]);
  }
  return found.subscriptionId;
}

/** One line per subscription, the id in full (for unsubscribe and faults). */
function renderEventSubscriptions(rows: readonly EventSubscriptionJson[]): string {
  if (rows.length === 0) return "None found.\n";
  return rows.map((s) => `${s.subscriptionId}  vault ${s.vault}  ${s.schema}  ${s.endpointBaseUrl}  ${s.includedEventTypes.map(shortEventType).join(",")}\n`).join("");
}

function renderDeliveries(rows: readonly DeliveryJson[]): string {
  if (rows.length === 0) return "None found.\n";
  const outcome = (d: DeliveryJson): string => (typeof d.outcome === "number" ? `HTTP ${d.outcome}` : d.outcome === "dropped" ? "dropped (fault)" : d.outcome === "held" ? "held back (fault)" : "unreachable");
  return rows.map((d) => `${d.at}  ${d.subscriptionId}  vault ${d.vault}  ${shortEventType(d.eventType)}  ${d.secretName}/${d.version}  ${d.attempt === 0 ? "not sent" : `attempt ${d.attempt}`}  ${outcome(d)}\n`).join("");
}

const ROLE_ALIASES: Readonly<Record<string, string>> = {
  "key vault secrets user": "Key Vault Secrets User",
  "secrets-user": "Key Vault Secrets User",
  "key vault secrets officer": "Key Vault Secrets Officer",
  "secrets-officer": "Key Vault Secrets Officer",
  "key vault reader": "Key Vault Reader",
  reader: "Key Vault Reader",
};

function roleOf(values: Values, command: string): string | { dataActions: string[] } {
  const actions = values["data-action"] as string[] | undefined;
  const role = str(values.role);
  if (actions !== undefined && actions.length > 0) {
    if (role !== undefined && role.toLowerCase() !== "custom") throw usageError("--data-action makes a custom role: leave out --role or pass --role custom", command);
    return { dataActions: actions };
  }
  if (role === undefined) throw usageError("required flag \"role\" not set", command);
  const name = ROLE_ALIASES[role.toLowerCase()];
  if (name === undefined) throw usageError(`invalid value "${role}" for flag "--role": expected "Key Vault Secrets User", "Key Vault Secrets Officer", "Key Vault Reader" or --data-action`, command);
  return name;
}

async function principalOf(client: AdminClient, values: Values, vault: string, command: string): Promise<string> {
  const principal = str(values.principal);
  const app = str(values.app);
  if ((principal === undefined) === (app === undefined)) throw usageError("pass exactly one of --principal and --app", command);
  if (principal !== undefined) return principal;
  const state = await client.call("GET", "") as StatusJson;
  const tenantId = state.vaults.find((v) => v.name.toLowerCase() === vault.toLowerCase())?.tenantId;
  if (tenantId === undefined) throw new CliError(`vault "${vault}" does not exist`, 1, [`Vaults: ${state.vaults.map((v) => v.name).join(", ") || "none"}.`]);
  const { servicePrincipalObjectId } = await client.call("GET", `/apps/${enc(app ?? "")}/service-principals/${enc(tenantId)}`) as { servicePrincipalObjectId: string };
  return servicePrincipalObjectId;
}

function required(values: Values, flag: string, command: string): string {
  const value = values[flag];
  if (typeof value !== "string" || value === "") throw usageError(`required flag "${flag}" not set`, command);
  return value;
}

function str(value: Values[string]): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function wholeNumber(text: string, flag: string, command: string, expected = "a whole number"): number {
  if (!/^\d{1,9}$/.test(text)) throw usageError(`invalid value "${text}" for flag "${flag}": expected ${expected}`, command);
  return Number(text);
}

function isoDate(value: Values[string], flag: string, command: string): string | undefined {
  if (typeof value !== "string") return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw usageError(`invalid value "${value}" for flag "${flag}": expected an ISO 8601 date such as 2030-01-31T00:00:00Z`, command);
  return date.toISOString();
}

export function parsePort(text: string, flag: string, command: string): number {
  const port = /^\d{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw usageError(`invalid value "${text}" for flag "${flag}": expected a port from 0 to 65535`, command);
  return port;
}

export function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function render(value: unknown, output: "json" | "yaml"): string {
  return output === "yaml" ? toYaml(value) : `${JSON.stringify(value, null, 2)}\n`;
}
