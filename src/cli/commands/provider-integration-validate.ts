/** `vaultwire provider-integration validate <id> [--vault-uri …] [--secret-identifier …]`. */
import { parseArgs } from "node:util";
import { ApiError } from "../api-client.js";
import { CliError, usageError } from "../cli-error.js";
import { ENVIRONMENT_OPTION, expectPositionals, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { renderData } from "../output.js";
import { explicitEnvironment, getIntegration } from "../resources.js";
import { openSession } from "../session.js";

const PATH = "vaultwire provider-integration validate";

export const PROVIDER_INTEGRATION_VALIDATE_HELP = `Check a provider integration: vaultwire signs in to your tenant as the
integration's app (Azure) or assumes your IAM role with the integration's
external id (AWS) and, given a vault or a secret, probes the permissions to
read it (never keeping a value). Prints each check; exits 1 when one fails.

Usage:
  vaultwire provider-integration validate <id> [flags]

Flags:
      --vault-uri string           Azure: probe this vault, e.g. https://my-vault.vault.azure.net.
      --secret-identifier string   Probe this secret instead (a role granted on one secret shows only there):
                                   Azure https://my-vault.vault.azure.net::sqlserver-db-secret,
                                   AWS the secret's ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>.
      --environment string         Environment ID; when given, the integration must belong to it.
  -o, --output string              human, json or yaml (default human).
  -h, --help                       Show this help.

Examples:
  vaultwire provider-integration validate cspi-a1b2c3d4
  vaultwire pi validate cspi-a1b2c3d4 --vault-uri https://my-vault.vault.azure.net
  vaultwire pi validate cspi-a1b2c3d4 --secret-identifier https://my-vault.vault.azure.net::sqlserver-db-secret -o json
  vaultwire pi validate cspi-e5f6a7b8 --secret-identifier arn:aws:secretsmanager:us-east-1:123456789012:secret:db-credentials-AbCdEf
`;

interface Probe {
  readonly permission: string;
  readonly action?: string;
  readonly status: string;
  readonly reason: string;
}

interface Validation {
  readonly ready: boolean;
  readonly token: { readonly ok: boolean; readonly message: string; readonly code?: string };
  readonly permissions: readonly Probe[];
}

export async function providerIntegrationValidate(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(() => parseArgs({
    args: [...args],
    options: { "vault-uri": { type: "string" }, "secret-identifier": { type: "string" }, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION },
    strict: true,
    allowPositionals: true,
  }), PATH);
  if (values.help) {
    io.stdout(PROVIDER_INTEGRATION_VALIDATE_HELP);
    return 0;
  }
  const output = parseOutput(values.output, PATH);
  const [id = ""] = expectPositionals(positionals, PATH, "<id>", 1);
  const vaultUri = values["vault-uri"];
  const secretIdentifier = values["secret-identifier"];
  if (vaultUri !== undefined && secretIdentifier !== undefined) throw usageError("give --vault-uri or --secret-identifier, not both", PATH);
  const session = await openSession(io, { environment: values.environment });
  const integration = await getIntegration(session, id, explicitEnvironment(session));
  const aws = integration.provider === "AWS";
  if (aws && vaultUri !== undefined) {
    throw usageError(`--vault-uri is for Azure integrations; provider integration "${integration.id}" is an AWS integration: probe one of its secrets with --secret-identifier <secret-arn>`, PATH);
  }
  if (integration.status === "DRAFT") {
    if (aws) {
      throw new CliError(`provider integration "${integration.id}" is DRAFT: it has no customer IAM role`, 1, [`Create an AWS integration with its role: "vaultwire pi create <name> --cloud aws --customer-role-arn <arn>".`]);
    }
    throw new CliError(`provider integration "${integration.id}" is DRAFT: attach your Azure tenant first`, 1, [`Run "vaultwire provider-integration update ${integration.id} --azure-tenant-id <tenant-id>".`]);
  }
  let validation: Validation;
  try {
    const { status, body } = await session.client.post<Validation | undefined>("/pim/v2/integrations:validate", {
      id: integration.id,
      environment: { id: integration.environment.id },
      ...(vaultUri === undefined ? {} : { vault_uri: vaultUri }),
      ...(secretIdentifier === undefined ? {} : { secret_identifier: secretIdentifier }),
    });
    validation = status === 204 || body === undefined ? { ready: true, token: { ok: true, message: "" }, permissions: [] } : body;
  } catch (error) {
    const reported = error instanceof ApiError && error.status === 422 ? (error.body as { validation?: Validation }).validation : undefined;
    if (reported === undefined) throw error;
    validation = reported;
  }
  if (output !== "human") io.stdout(renderData(validation, output));
  else {
    if (validation.ready) io.stdout(`Successfully validated provider integration "${integration.id}".\n`);
    io.stdout(checkLines(validation));
  }
  if (validation.ready) return 0;
  const failed = [...(validation.token.ok ? [] : ["sign-in"]), ...validation.permissions.filter((p) => p.status !== "granted").map((p) => p.permission)];
  const again = `vaultwire provider-integration validate ${integration.id}${vaultUri === undefined ? "" : ` --vault-uri ${vaultUri}`}${secretIdentifier === undefined ? "" : ` --secret-identifier ${secretIdentifier}`}`;
  throw new CliError(`provider integration "${integration.id}" failed validation: ${failed.join(", ")}`, 1, [`Fix what the checks above say, then run "${again}" again.`]);
}

/** One line per check: `  sign-in: ok: …`, `  getSecret: denied: …`. */
function checkLines(validation: Validation): string {
  const lines: string[] = [];
  if (validation.token.message !== "" || !validation.token.ok) lines.push(`  sign-in: ${validation.token.ok ? "ok" : "failed"}: ${validation.token.message}`);
  for (const probe of validation.permissions) lines.push(`  ${probe.permission}: ${probe.status}: ${probe.reason}`);
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
