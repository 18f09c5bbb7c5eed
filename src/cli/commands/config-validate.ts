/**
 * `vaultwire config validate --config-file F`: validates a connector config
 * file offline, with the same rules the server applies before deploying.
 */
import { parseArgs } from "node:util";
import { catalog } from "../../catalog/index.js";
import { validateConnectorConfig } from "../../domain/connector-validation.js";
import { CLUSTER_TYPES, NETWORKING_KINDS, type ClusterPlacement, type ClusterType, type Networking } from "../../domain/region-policy.js";
import { createVaultHostPolicy } from "../../secret-managers/azure-key-vault/vault-host-policy.js";
import { identifierGrammars } from "../../secret-managers/grammars.js";
import { lowerFirst, usageError } from "../cli-error.js";
import { readConnectorConfigFile } from "../config-file.js";
import { OUTPUT_FORMATS, type CliIo, type OutputFormat } from "../io.js";
import { renderValidation } from "../validation-output.js";

export const CONFIG_VALIDATE_HELP = `Validate a connector configuration file without a server.

Checks the plugin's fields, the secret manager settings and every secret
identifier, and prints each error next to its configuration key. Exits 1 when
the configuration is invalid.

Usage:
  vaultwire config validate --config-file FILE [flags]

Flags:
      --config-file string       JSON file: {"name": ..., "config": {...}} or a flat map of strings (required).
      --allow-vault-host string  Also allow this exact vault host[:port] in identifiers (repeatable), e.g. localhost:8443.
                                 Adds to VAULTWIRE_ALLOWED_VAULT_HOSTS (comma-separated).
      --cloud string             Cloud of the target Kafka cluster: azure, aws or gcp (enables the region check).
      --region string            Region of the target Kafka cluster, e.g. westus3.
      --cluster-type string      basic, standard, enterprise or dedicated (default dedicated).
      --networking string        public or private-link (default public).
  -o, --output string            human, json or yaml (default human).
  -h, --help                     Show this help.

Examples:
  vaultwire config validate --config-file sqlcdc_with_key_vault.json
  vaultwire config validate --config-file pg.json --allow-vault-host localhost:8443 -o json
  vaultwire config validate --config-file sqlcdc.json --cloud azure --region eastus --cluster-type dedicated
`;

export async function configValidate(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        "config-file": { type: "string" },
        "allow-vault-host": { type: "string", multiple: true },
        cloud: { type: "string" },
        region: { type: "string" },
        "cluster-type": { type: "string" },
        networking: { type: "string" },
        output: { type: "string", short: "o" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw usageError(lowerFirst((error as Error).message), "vaultwire config validate");
  }
  if (values.help) {
    io.stdout(CONFIG_VALIDATE_HELP);
    return 0;
  }
  const output = parseOutput(values.output);
  const file = values["config-file"];
  if (file === undefined || file.trim() === "") throw usageError("required flag \"config-file\" not set", "vaultwire config validate");

  const fromEnv = (io.env.VAULTWIRE_ALLOWED_VAULT_HOSTS ?? "").split(",").map((h) => h.trim()).filter((h) => h !== "");
  const hosts = createVaultHostPolicy({ extraHosts: [...fromEnv, ...(values["allow-vault-host"] ?? [])] });
  if (!hosts.ok) throw usageError(hosts.error, "vaultwire config validate");
  const cluster = parsePlacement(values.cloud, values.region, values["cluster-type"], values.networking);

  const document = await readConnectorConfigFile(file, io);
  const report = validateConnectorConfig(document.config, { plugins: catalog, grammars: identifierGrammars({ vaultHosts: hosts.value }), cluster });
  io.stdout(renderValidation(report, document.name, output));
  return report.error_count > 0 ? 1 : 0;
}

function parseOutput(value: string | undefined): OutputFormat {
  if (value === undefined) return "human";
  const format = OUTPUT_FORMATS.find((f) => f === value.toLowerCase());
  if (!format) throw usageError(`invalid value "${value}" for flag "--output": expected one of human, json, yaml`, "vaultwire config validate");
  return format;
}

function parsePlacement(cloud: string | undefined, region: string | undefined, type: string | undefined, networking: string | undefined): ClusterPlacement | null {
  if (cloud === undefined && region === undefined) {
    if (type !== undefined || networking !== undefined) throw usageError("--cluster-type and --networking need --cloud and --region", "vaultwire config validate");
    return null;
  }
  if (cloud === undefined || region === undefined || region.trim() === "") throw usageError("--cloud and --region go together", "vaultwire config validate");
  const upperCloud = cloud.toUpperCase();
  if (upperCloud !== "AZURE" && upperCloud !== "AWS" && upperCloud !== "GCP") throw usageError(`invalid value "${cloud}" for flag "--cloud": expected azure, aws or gcp`, "vaultwire config validate");
  const clusterType = (type ?? "dedicated").toUpperCase();
  if (!(CLUSTER_TYPES as readonly string[]).includes(clusterType)) throw usageError(`invalid value "${type ?? ""}" for flag "--cluster-type": expected basic, standard, enterprise or dedicated`, "vaultwire config validate");
  const net = (networking ?? "public").toUpperCase().replace("-", "_");
  if (!(NETWORKING_KINDS as readonly string[]).includes(net)) throw usageError(`invalid value "${networking ?? ""}" for flag "--networking": expected public or private-link`, "vaultwire config validate");
  return { cloud: upperCloud, region: region.trim(), type: clusterType as ClusterType, networking: net as Networking };
}
