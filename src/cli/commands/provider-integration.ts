/**
 * `vaultwire provider-integration` (alias `pi`): create, update, describe,
 * list and delete the cloud identities through which connectors read their
 * secrets; `validate` is in provider-integration-validate.ts.
 */
import { parseArgs } from "node:util";
import { CliError, usageError } from "../cli-error.js";
import { choice, ENVIRONMENT_OPTION, expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput, requireFlag } from "../flags.js";
import type { CliIo } from "../io.js";
import { printList, printRecord, TERMINAL_WIDTH, wrapText, type CellValue, type Column, type Field } from "../output.js";
import { confirmDeletion, enc, explicitEnvironment, getIntegration, lowerKebab, requireEnvironment, uniqueIds, type IntegrationBody } from "../resources.js";
import { openSession } from "../session.js";
import { providerIntegrationEvents } from "./provider-integration-events.js";
import { providerIntegrationValidate } from "./provider-integration-validate.js";

export const PROVIDER_INTEGRATION_HELP = `Manage provider integrations: the cloud identity through which vaultwire reads
connectors' secrets from your secret manager (Azure Key Vault, AWS Secrets Manager).

Azure: create one, attach your Azure tenant with "update", consent the
"Confluent Azure Multi-Tenant App ID" it shows into that tenant and grant it
"Key Vault Secrets User" on the vault, then "validate".
AWS: create one with --cloud aws --customer-role-arn <your role>, let the
role's trust policy allow the vaultwire role it shows with its external id,
grant the role secretsmanager:GetSecretValue, then "validate".

Usage:
  vaultwire provider-integration [command]

Aliases:
  provider-integration, pi

Available Commands:
  create      Create a provider integration.
  delete      Delete provider integrations no connector uses.
  describe    Describe a provider integration.
  events      Manage the Azure Event Grid webhooks that push Key Vault rotations.
  list        List provider integrations.
  update      Attach your Azure tenant to a provider integration.
  validate    Check that vaultwire can sign in to your tenant and read the vault.

Use "vaultwire provider-integration [command] --help" for more information about a command.
`;

const CREATE_HELP = `Create a provider integration. Azure: DRAFT until a tenant is attached
("update"). AWS: created with your IAM role, ready for its trust policy.

Usage:
  vaultwire provider-integration create <name> --cloud azure [flags]
  vaultwire provider-integration create <name> --cloud aws --customer-role-arn <arn> [flags]

Flags:
      --cloud string              The cloud of the secret manager: azure or aws (required).
      --customer-role-arn string  AWS: the IAM role in your account that may read the secrets (required for aws).
      --environment string   Environment ID (default: the one in use).
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire provider-integration create sql-vault --cloud azure
  vaultwire pi create sql-vault --cloud azure --environment env-a1b2c3d4 -o json
  vaultwire pi create pg-secrets --cloud aws --customer-role-arn arn:aws:iam::123456789012:role/vaultwire-reader
`;

const UPDATE_HELP = `Attach your Azure tenant (Microsoft Entra ID) to a DRAFT provider integration.

Usage:
  vaultwire provider-integration update <id> --azure-tenant-id <uuid> [flags]

Flags:
      --azure-tenant-id string   Your tenant (directory) ID, a GUID (required).
      --environment string       Environment ID; when given, the integration must belong to it.
  -o, --output string            human, json or yaml (default human).
  -h, --help                     Show this help.

Examples:
  vaultwire provider-integration update cspi-a1b2c3d4 --azure-tenant-id 72f988bf-86f1-41af-91ab-2d7cd011db47
`;

const DESCRIBE_HELP = `Describe a provider integration.

Usage:
  vaultwire provider-integration describe <id> [flags]

Flags:
      --environment string   Environment ID; when given, the integration must belong to it.
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire provider-integration describe cspi-a1b2c3d4
  vaultwire pi describe cspi-a1b2c3d4 -o yaml
`;

const LIST_HELP = `List the provider integrations of an environment.

Usage:
  vaultwire provider-integration list [flags]

Flags:
      --cloud string         Only this cloud's integrations: azure or aws.
      --environment string   Environment ID (default: the one in use).
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire provider-integration list
  vaultwire pi list --cloud azure -o json
`;

const DELETE_HELP = `Delete provider integrations. Every ID is checked first, and an integration
that connectors still use is not deleted. Asks first unless --force.

Usage:
  vaultwire provider-integration delete <id>... [flags]

Flags:
      --environment string   Environment ID; when given, the integrations must belong to it.
      --force                Delete without asking.
  -h, --help                 Show this help.

Examples:
  vaultwire provider-integration delete cspi-a1b2c3d4
  vaultwire pi delete cspi-a1b2c3d4 cspi-e5f6g7h8 --force
`;

export interface IntegrationRow {
  readonly id: string;
  readonly name: string;
  readonly provider: string;
  readonly environment: string;
  readonly status: string;
  readonly customer_azure_tenant_id: string;
  readonly confluent_multi_tenant_app_id: string;
  readonly credential_client_id: string | null;
  readonly customer_iam_role_arn: string;
  readonly iam_role_arn: string;
  readonly external_id: string;
  readonly usages: readonly string[];
  readonly created_at: string;
}

const usageCount = (value: CellValue): string => (Array.isArray(value) ? String(value.length) : "");

/** `crn://…/environment=env-…/cloud-cluster=lkc-…/connector=Name` → `connector Name (lkc-…)`. */
export function describeUsage(crn: string): string {
  const parts = new Map(crn.replace(/^crn:\/\//, "").split("/").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)] as const));
  const connector = parts.get("connector");
  const cluster = parts.get("cloud-cluster");
  return connector === undefined ? crn : `connector ${connector}${cluster === undefined ? "" : ` (${cluster})`}`;
}

export const INTEGRATION_COLUMNS: readonly Column<IntegrationRow>[] = [
  { key: "id", header: "ID" },
  { key: "name", header: "Name", flexible: true },
  { key: "provider", header: "Provider" },
  { key: "status", header: "Status" },
  { key: "usages", header: "Usages", format: usageCount },
];

function integrationFields(row: IntegrationRow): Field<IntegrationRow>[] {
  return [
    { key: "id", label: "ID" },
    { key: "name", label: "Name" },
    { key: "provider", label: "Provider" },
    { key: "environment", label: "Environment" },
    { key: "status", label: "Status" },
    ...(row.provider === "aws"
      ? [
        { key: "customer_iam_role_arn", label: "Customer IAM Role ARN" } as const,
        { key: "iam_role_arn", label: "vaultwire IAM Role ARN" } as const,
        { key: "external_id", label: "External ID" } as const,
      ]
      : [
        { key: "customer_azure_tenant_id", label: "Customer Azure Tenant ID" } as const,
        { key: "confluent_multi_tenant_app_id", label: "Confluent Azure Multi-Tenant App ID" } as const,
        ...(row.credential_client_id === null ? [] : [{ key: "credential_client_id", label: "Own Service Principal Client ID" } as const]),
      ]),
    { key: "usages", label: "Usages", format: (v: CellValue) => (Array.isArray(v) ? v.map(describeUsage).join("\n") : "") },
  ];
}

export function integrationRow(body: IntegrationBody): IntegrationRow {
  return {
    id: body.id,
    name: body.display_name,
    provider: lowerKebab(body.provider),
    environment: body.environment.id,
    status: body.status,
    customer_azure_tenant_id: body.config?.customer_azure_tenant_id ?? "",
    confluent_multi_tenant_app_id: body.config?.confluent_multi_tenant_app_id ?? "",
    credential_client_id: body.config?.credential?.client_id ?? null,
    customer_iam_role_arn: body.config?.customer_iam_role_arn ?? "",
    iam_role_arn: body.config?.iam_role_arn ?? "",
    external_id: body.config?.external_id ?? "",
    usages: body.usages ?? [],
    created_at: body.metadata.created_at ?? "",
  };
}

export function printIntegration(io: CliIo, output: ReturnType<typeof parseOutput>, body: IntegrationBody): void {
  const row = integrationRow(body);
  printRecord(io, output, integrationFields(row), row);
}

async function create(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { cloud: { type: "string" }, "customer-role-arn": { type: "string" }, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, CREATE_HELP);
  const output = parseOutput(values.output, path);
  const [name = ""] = expectPositionals(positionals, path, "<name>", 1);
  const cloud = choice(requireFlag(values.cloud, "cloud", path), "cloud", ["azure", "aws"], path);
  if (cloud === "aws") {
    const roleArn = requireFlag(values["customer-role-arn"], "customer-role-arn", path);
    const session = await openSession(io, { environment: values.environment });
    const environmentId = await requireEnvironment(session);
    const { body } = await session.client.post<IntegrationBody>("/pim/v1/integrations", { display_name: name, provider: "AWS", config: { kind: "AwsIntegrationConfig", customer_iam_role_arn: roleArn }, environment: { id: environmentId } });
    // pim/v1 has no status or metadata: an AWS integration is created configured.
    printIntegration(io, output, { ...body, status: "CREATED", metadata: {} });
    if (output === "human") {
      const steps = `Next, let role ${roleArn} trust ${body.config?.iam_role_arn === "" || body.config?.iam_role_arn === undefined ? "vaultwire's AWS role" : body.config.iam_role_arn} with sts:AssumeRole on the condition sts:ExternalId = "${body.config?.external_id ?? ""}", grant it secretsmanager:GetSecretValue (and kms:Decrypt for a customer-managed key) on your secrets, then run:`;
      io.stdout(`\n${wrapText(steps, TERMINAL_WIDTH).join("\n")}\n  vaultwire pi validate ${body.id} --secret-identifier <secret-arn>\n`);
    }
    return 0;
  }
  if (values["customer-role-arn"] !== undefined) throw usageError(`--customer-role-arn is for --cloud aws; an Azure integration takes its tenant with "vaultwire pi update <id> --azure-tenant-id <tenant-id>"`, path);
  const session = await openSession(io, { environment: values.environment });
  const environmentId = await requireEnvironment(session);
  const { body } = await session.client.post<IntegrationBody>("/pim/v2/integrations", { display_name: name, provider: cloud.toUpperCase(), environment: { id: environmentId } });
  printIntegration(io, output, body);
  if (output === "human") io.stdout(`\nNext, attach your Azure tenant:\n  vaultwire pi update ${body.id} --azure-tenant-id <tenant-id>\n`);
  return 0;
}

async function update(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration update";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { "azure-tenant-id": { type: "string" }, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, UPDATE_HELP);
  const output = parseOutput(values.output, path);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const tenant = requireFlag(values["azure-tenant-id"], "azure-tenant-id", path);
  const session = await openSession(io, { environment: values.environment });
  const environmentId = explicitEnvironment(session);
  const existing = await getIntegration(session, id, environmentId);
  const { body } = await session.client.patch<IntegrationBody>(`/pim/v2/integrations/${enc(existing.id)}`, {
    config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: tenant },
    environment: { id: existing.environment.id },
  });
  printIntegration(io, output, body);
  if (output === "human") {
    const steps = `Next, consent the app ${body.config?.confluent_multi_tenant_app_id ?? ""} into tenant ${tenant}, grant it "Key Vault Secrets User" on your vault (https://<vault-name>.vault.azure.net), then run:`;
    io.stdout(`\n${wrapText(steps, TERMINAL_WIDTH).join("\n")}\n  vaultwire pi validate ${body.id} --vault-uri <vault-uri>\n`);
  }
  return 0;
}

async function describe(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration describe";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DESCRIBE_HELP);
  const output = parseOutput(values.output, path);
  const [id = ""] = expectPositionals(positionals, path, "<id>", 1);
  const session = await openSession(io, { environment: values.environment });
  printIntegration(io, output, await getIntegration(session, id, explicitEnvironment(session)));
  return 0;
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { cloud: { type: "string" }, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const cloud = values.cloud === undefined ? undefined : choice(values.cloud, "cloud", ["azure", "aws"], path);
  const session = await openSession(io, { environment: values.environment });
  const environmentId = await requireEnvironment(session);
  const integrations = await session.client.listAll<IntegrationBody>("/pim/v2/integrations", { environment: environmentId, provider: cloud?.toUpperCase() });
  printList(io, output, INTEGRATION_COLUMNS, integrations.map(integrationRow));
  return 0;
}

async function remove(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...ENVIRONMENT_OPTION, ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DELETE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io, { environment: values.environment });
  const integrations: IntegrationBody[] = [];
  for (const id of ids) integrations.push(await getIntegration(session, id, explicitEnvironment(session)));
  for (const integration of integrations) {
    const usages = integration.usages ?? [];
    if (usages.length > 0) {
      throw new CliError(`provider integration "${integration.id}" is currently in use by ${usages.length} resource(s)`, 1, [
        `Used by: ${usages.map(describeUsage).join(", ")}.`,
        "Delete those connectors or point them at another integration first; nothing was deleted.",
      ]);
    }
  }
  if (!(await confirmDeletion(io, "provider integration", ids, values.force === true))) return 0;
  for (const integration of integrations) {
    await session.client.delete(`/pim/v2/integrations/${enc(integration.id)}`, { environment: integration.environment.id });
    io.stdout(`Deleted provider integration "${integration.id}".\n`);
  }
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

export const PROVIDER_INTEGRATION_VERBS = {
  create,
  update,
  describe,
  list,
  validate: providerIntegrationValidate,
  events: providerIntegrationEvents,
  delete: remove,
};
