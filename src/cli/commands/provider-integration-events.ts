/**
 * `vaultwire provider-integration events create|list|delete` (alias
 * `pi events`): the Event Grid webhooks of an Azure integration (decision
 * 41). `create` prints the webhook URL with its token, shown once, and the
 * `az eventgrid event-subscription create` command to run.
 */
import { parseArgs } from "node:util";
import { commandGroup } from "../command.js";
import { choice, ENVIRONMENT_OPTION, requireFlag, expectPositionals, FORCE_OPTION, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { printList, renderData, type Column } from "../output.js";
import { confirmDeletion, enc, explicitEnvironment, getIntegration, uniqueIds, unknownId } from "../resources.js";
import { openSession, type Session } from "../session.js";

const EVENTS_HELP = `Manage the Azure Event Grid webhooks of an Azure provider integration.

Event Grid pushes Key Vault's secret events (a new version, near expiry,
expired) to vaultwire, which restarts the connectors that use a rotated
secret within seconds; the periodic check stays as the safety net. Each
webhook has a token, shown once at creation inside its URL and the
"az eventgrid event-subscription create" command to run.

Usage:
  vaultwire provider-integration events [command]

Available Commands:
  create      Create a webhook and print the az command that subscribes it.
  delete      Delete webhooks; Event Grid's deliveries to them are refused.
  list        List the webhooks (never their tokens).

Use "vaultwire provider-integration events [command] --help" for more information about a command.
`;

const CREATE_HELP = `Create an Event Grid webhook for an Azure provider integration. The token is
in the printed endpoint and az command, shown only once.

Usage:
  vaultwire provider-integration events create --integration <id> [flags]

Flags:
      --integration string    Provider integration ID (required).
      --schema string         Event delivery schema: eventgrid (default) or cloudevents.
      --description string    What the webhook is for, e.g. which vault.
      --environment string    Environment ID; when given, the integration must belong to it.
  -o, --output string         human, json or yaml (default human).
  -h, --help                  Show this help.

Examples:
  vaultwire pi events create --integration cspi-a1b2c3d4 --description sql-vault
  vaultwire pi events create --integration cspi-a1b2c3d4 --schema cloudevents -o json
`;

const LIST_HELP = `List the Event Grid webhooks of a provider integration (never their tokens).

Usage:
  vaultwire provider-integration events list --integration <id> [flags]

Flags:
      --integration string    Provider integration ID (required).
      --environment string    Environment ID; when given, the integration must belong to it.
  -o, --output string         human, json or yaml (default human).
  -h, --help                  Show this help.

Examples:
  vaultwire pi events list --integration cspi-a1b2c3d4
`;

const DELETE_HELP = `Delete Event Grid webhooks. Every ID is checked first. Asks first unless --force.

Usage:
  vaultwire provider-integration events delete <id>... --integration <id> [flags]

Flags:
      --integration string    Provider integration ID (required).
      --environment string    Environment ID; when given, the integration must belong to it.
      --force                 Delete without asking.
  -h, --help                  Show this help.

Examples:
  vaultwire pi events delete evs-a1b2c3d4 --integration cspi-a1b2c3d4
`;

interface SubscriptionBody {
  readonly id: string;
  readonly metadata: { readonly created_at?: string };
  readonly spec: { readonly integration: { readonly id: string }; readonly description?: string; readonly delivery_schema: string; readonly webhook_url: string; readonly token?: string; readonly endpoint_url?: string; readonly az_command: string };
  readonly status?: { readonly last_event_at?: string | null };
}

export interface EventSubscriptionRow {
  readonly id: string;
  readonly integration: string;
  readonly description: string;
  readonly delivery_schema: string;
  readonly webhook_url: string;
  readonly created_at: string;
  readonly last_event_at: string;
}

const COLUMNS: readonly Column<EventSubscriptionRow>[] = [
  { key: "id", header: "ID" },
  { key: "delivery_schema", header: "Schema" },
  { key: "description", header: "Description", flexible: true },
  { key: "last_event_at", header: "Last Event At" },
];

const INTEGRATION_OPTION = { integration: { type: "string" } } as const;

function row(body: SubscriptionBody): EventSubscriptionRow {
  return { id: body.id, integration: body.spec.integration.id, description: body.spec.description ?? "", delivery_schema: body.spec.delivery_schema, webhook_url: body.spec.webhook_url, created_at: body.metadata.created_at ?? "", last_event_at: body.status?.last_event_at ?? "" };
}

async function integrationOf(session: Session, id: string): Promise<string> {
  return (await getIntegration(session, id, explicitEnvironment(session))).id;
}

async function create(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration events create";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...INTEGRATION_OPTION, schema: { type: "string" }, description: { type: "string" }, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, CREATE_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const integration = requireFlag(values.integration, "integration", path);
  const schema = values.schema === undefined ? "eventgrid" : choice(values.schema, "schema", ["eventgrid", "cloudevents"], path);
  const session = await openSession(io, { environment: values.environment });
  const integrationId = await integrationOf(session, integration);
  const { body } = await session.client.post<SubscriptionBody>(`/pim/v2/integrations/${enc(integrationId)}/event-subscriptions`, {
    spec: { delivery_schema: schema === "cloudevents" ? "CloudEventSchemaV1_0" : "EventGridSchema", ...(values.description === undefined ? {} : { description: values.description }) },
  });
  if (output !== "human") {
    io.stdout(renderData({ ...row(body), token: body.spec.token ?? "", endpoint_url: body.spec.endpoint_url ?? "", az_command: body.spec.az_command }, output));
    return 0;
  }
  io.stdout(`Save the endpoint now: its token is shown only once and cannot be retrieved later.\n\nID            ${body.id}\nIntegration   ${integrationId}\nSchema        ${body.spec.delivery_schema}\nEndpoint      ${body.spec.endpoint_url ?? ""}\n\nSubscribe it to your vault's secret events (fill in the vault's resource id):\n\n${body.spec.az_command}\n`);
  return 0;
}

async function listSubscriptions(session: Session, integrationId: string): Promise<SubscriptionBody[]> {
  return (await session.client.get<{ data?: SubscriptionBody[] }>(`/pim/v2/integrations/${enc(integrationId)}/event-subscriptions`)).body.data ?? [];
}

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration events list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...INTEGRATION_OPTION, ...ENVIRONMENT_OPTION, ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, LIST_HELP);
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const integration = requireFlag(values.integration, "integration", path);
  const session = await openSession(io, { environment: values.environment });
  const integrationId = await integrationOf(session, integration);
  printList(io, output, COLUMNS, (await listSubscriptions(session, integrationId)).map(row));
  return 0;
}

async function remove(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire provider-integration events delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...INTEGRATION_OPTION, ...ENVIRONMENT_OPTION, ...FORCE_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) return help(io, DELETE_HELP);
  const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
  const integration = requireFlag(values.integration, "integration", path);
  const session = await openSession(io, { environment: values.environment });
  const integrationId = await integrationOf(session, integration);
  const existing = await listSubscriptions(session, integrationId);
  for (const id of ids) {
    if (!existing.some((s) => s.id === id)) {
      throw unknownId("event subscription", id, existing.map((s) => ({ id: s.id, name: s.spec.description ?? "" })), `vaultwire pi events list --integration ${integrationId}`, `provider integration "${integrationId}"`);
    }
  }
  if (!(await confirmDeletion(io, "event subscription", ids, values.force === true))) return 0;
  for (const id of ids) {
    await session.client.delete(`/pim/v2/integrations/${enc(integrationId)}/event-subscriptions/${enc(id)}`);
    io.stdout(`Deleted event subscription "${id}".\n`);
  }
  return 0;
}

function help(io: CliIo, text: string): number {
  io.stdout(text);
  return 0;
}

export const providerIntegrationEvents = commandGroup("vaultwire provider-integration events", EVENTS_HELP, { create, list, delete: remove });
