/** `vaultwire kafka cluster pool list`: the operator's Kafka Connect worker pools (GET /cmk/v2/connect-pools). */
import { parseArgs } from "node:util";
import { commandGroup } from "../command.js";
import { expectPositionals, HELP_OPTION, OUTPUT_OPTION, parseFlags, parseOutput } from "../flags.js";
import type { CliIo } from "../io.js";
import { currentMark, printList, type Column } from "../output.js";
import { openSession } from "../session.js";

interface PoolBody {
  readonly name: string;
  readonly connect_urls?: readonly string[];
  readonly kafka_bootstrap_servers?: string;
  readonly environments?: readonly string[];
  readonly placements?: readonly string[];
  readonly default?: boolean;
}

interface PoolRow {
  readonly is_default: boolean;
  readonly name: string;
  readonly serves: string;
  readonly connect_urls: readonly string[];
  readonly bootstrap_servers: string;
}

const POOL_COLUMNS: readonly Column<PoolRow>[] = [
  { key: "is_default", header: "Default", format: currentMark },
  { key: "name", header: "Name" },
  { key: "serves", header: "Serves", wrap: true, flexible: true },
  { key: "connect_urls", header: "Connect URLs", wrap: true, flexible: true },
  { key: "bootstrap_servers", header: "Bootstrap Servers", wrap: true, flexible: true },
];

export const POOL_LIST_HELP = `List the Kafka Connect worker pools the server's operator configured
(VAULTWIRE_CONNECT_POOLS, or connectPools in its config file). A Kafka cluster
registered without bootstrap servers or Connect URLs, as Confluent's Terraform
provider registers one, gets those of the pool serving its environment, else
its cloud and region, else its cloud, else the default (marked with *).
Needs an organization-wide API key.

Usage:
  vaultwire kafka cluster pool list [flags]

Flags:
  -o, --output string   human, json or yaml (default human).
  -h, --help            Show this help.

Examples:
  vaultwire kafka cluster pool list
  vaultwire kafka cluster pool list -o json
`;

export const POOL_HELP = `See the Kafka Connect worker pools.

Usage:
  vaultwire kafka cluster pool [command]

Available Commands:
  list        List the Kafka Connect worker pools.
`;

async function list(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire kafka cluster pool list";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...OUTPUT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) {
    io.stdout(POOL_LIST_HELP);
    return 0;
  }
  const output = parseOutput(values.output, path);
  expectPositionals(positionals, path, "", 0);
  const session = await openSession(io, {});
  const { body } = await session.client.get<{ data?: PoolBody[] }>("/cmk/v2/connect-pools");
  const rows = (body.data ?? []).map((pool): PoolRow => ({
    is_default: pool.default === true,
    name: pool.name,
    serves: [...(pool.environments ?? []), ...(pool.placements ?? [])].join(", "),
    connect_urls: pool.connect_urls ?? [],
    bootstrap_servers: pool.kafka_bootstrap_servers ?? "",
  }));
  printList(io, output, POOL_COLUMNS, rows);
  return 0;
}

export const poolCommands = commandGroup("vaultwire kafka cluster pool", POOL_HELP, { list });
