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

type OptionSpec = { type: "string"; multiple?: boolean; short?: string } | { type: "boolean"; short?: string };
type Values = Readonly<Record<string, string | boolean | string[] | undefined>>;

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
    flags: `${VAULT_FLAG}\n      --principal string   Object id of the principal.\n      --app string         Or the app whose service principal in the vault's tenant it is.\n      --permissions string Comma-separated: get, list, set, delete, recover, purge; empty removes the policy.`,
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
    usage: "vaultwire dev azure throttle --vault VAULT (--limit N [--retry-after S] | --off) [flags]",
    flags: `${VAULT_FLAG}\n      --limit int          Requests admitted per sliding 10 seconds.\n      --retry-after int    Send Retry-After with this many seconds (default: no header, like many real 429s).\n      --off                Remove the throttle.`,
    options: { vault: { type: "string" }, limit: { type: "string" }, "retry-after": { type: "string" }, off: { type: "boolean" } },
    examples: ["vaultwire dev azure throttle --vault dev --limit 5", "vaultwire dev azure throttle --vault dev --off"],
    action: async ({ client, values, command }) => {
      const path = `/vaults/${enc(required(values, "vault", command))}/throttle`;
      if (values.off === true) {
        await client.call("PUT", path, null);
        return { data: { throttle: null }, human: "Removed the throttle.\n" };
      }
      const limit = wholeNumber(required(values, "limit", command), "--limit", command);
      const retry = str(values["retry-after"]);
      const throttle = { limitPer10Seconds: limit, retryAfterSeconds: retry === undefined ? undefined : wholeNumber(retry, "--retry-after", command) };
      await client.call("PUT", path, throttle);
      return { data: { throttle }, human: `Throttling at ${limit} requests per 10 s${retry === undefined ? ", 429 without Retry-After" : `, Retry-After ${retry} s`}.\n` };
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
];

export const ADMIN_COMMANDS: readonly AdminCommand[] = SPECS.map((spec) => ({ path: spec.path, summary: spec.summary, run: (args, io) => runAdmin(spec, args, io) }));

export const ADMIN_HELP_LINES = SPECS.map((spec) => `  ${spec.path.join(" ").padEnd(31)}${spec.summary}`).join("\n");

function helpOf(spec: AdminCommandSpec): string {
  return `${spec.summary}\n\nUsage:\n  ${spec.usage}\n\nFlags:\n${spec.flags === "" ? "" : `${spec.flags}\n`}${COMMON_FLAGS}\n\nExamples:\n${spec.examples.map((e) => `  ${e}`).join("\n")}\n`;
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

function wholeNumber(text: string, flag: string, command: string): number {
  if (!/^\d{1,9}$/.test(text)) throw usageError(`invalid value "${text}" for flag "${flag}": expected a whole number`, command);
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
