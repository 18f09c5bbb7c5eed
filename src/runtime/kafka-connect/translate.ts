/**
 * From a managed connector (Confluent's plugin names and keys) to the config
 * Kafka Connect runs (Debezium's classes and keys). Every secret, whether a
 * secret-manager field or a plaintext value kept encrypted, becomes a
 * `${vaultwire:<lcc>:<key>}` placeholder that the worker's ConfigProvider
 * resolves at task start: Connect never stores a value.
 */
import { catalog } from "../../catalog/index.js";
import type { ConnectorConfig } from "../../domain/connector-config.js";
import { splitList } from "../../domain/connector-validation.js";
import { err, ok, type Result } from "../../domain/result.js";
import type { Connector, KafkaCluster } from "../../domain/resources.js";

export const CONFIG_PROVIDER_ALIAS = "vaultwire";

export const DEBEZIUM_CLASSES: Readonly<Record<string, string>> = {
  PostgresCdcSourceV2: "io.debezium.connector.postgresql.PostgresConnector",
  MySqlCdcSourceV2: "io.debezium.connector.mysql.MySqlConnector",
  SqlServerCdcSourceV2: "io.debezium.connector.sqlserver.SqlServerConnector",
};

/** Keys that only mean something to the managed service; Connect never sees them. */
const MANAGED_ONLY = new Set([
  "connector.class", "name", "kafka.auth.mode", "kafka.api.key", "kafka.api.secret", "kafka.service.account.id",
  "authentication.method", "provider.integration.id", "output.data.format", "output.key.format", "after.state.only",
  "datapreview.schemas.enable", "secret.manager.enabled", "secret.manager", "secret.manager.managed.configs",
  "secret.manager.provider.integration.id", "auto.restart.on.user.error", "exactly.once.enabled", "connector.egress.whitelist",
  "sr.service.account.id", "schema.context.name", "key.converter.reference.subject.name.strategy",
]);
const MANAGED_ONLY_PREFIXES = ["csfle."];

const JSON_CONVERTER = "org.apache.kafka.connect.json.JsonConverter";
const STRING_CONVERTER = "org.apache.kafka.connect.storage.StringConverter";

export interface Translation {
  /** The config to PUT to Connect (placeholders, never values). */
  readonly config: Readonly<Record<string, string>>;
  /** The keys the ConfigProvider will ask for. */
  readonly secretKeys: readonly string[];
}

export function placeholder(connectorId: string, key: string): string {
  return `\${${CONFIG_PROVIDER_ALIAS}:${connectorId}:${key}}`;
}

/** A Connect connector's name: the vaultwire id, unique across clusters that share workers. */
export function connectName(connector: Pick<Connector, "id">): string {
  return connector.id;
}

/**
 * @param sensitiveKeys the keys whose plaintext values are stored encrypted
 *   (names only; the values never pass through here).
 */
export function translate(connector: Connector, cluster: KafkaCluster, sensitiveKeys: readonly string[]): Result<Translation, string> {
  const plugin = catalog.get(connector.plugin);
  const connectorClass = DEBEZIUM_CLASSES[connector.plugin];
  if (!plugin || connectorClass === undefined) return err(`connector plugin "${connector.plugin}" cannot run on Kafka Connect here; supported: ${Object.keys(DEBEZIUM_CLASSES).join(", ")}`);
  const source: ConnectorConfig = connector.config;
  const managed = source["secret.manager.enabled"]?.trim().toLowerCase() === "true" ? splitList(source["secret.manager.managed.configs"] ?? "").filter((k) => k !== "") : [];
  // Like every other key, a secret reaches Connect only when the plugin defines it.
  const secretKeys = [...new Set([...managed, ...sensitiveKeys])].filter((key) => plugin.byName.has(key));
  const config: Record<string, string> = { "connector.class": connectorClass, name: connectName(connector) };

  for (const [key, value] of Object.entries(source)) {
    if (MANAGED_ONLY.has(key) || MANAGED_ONLY_PREFIXES.some((p) => key.startsWith(p)) || !plugin.byName.has(key)) continue;
    if (value.includes("${")) return err(`the value of ${key} contains "\${", Kafka Connect's config provider syntax, which vaultwire does not pass through`);
    config[key] = value;
  }
  for (const key of secretKeys) config[key] = placeholder(connector.id, key);

  const valueFormat = (source["output.data.format"] ?? "JSON").trim().toUpperCase();
  if (valueFormat !== "JSON") return err(`output.data.format ${valueFormat} needs a Schema Registry, which this vaultwire installation does not provide; use JSON`);
  config["value.converter"] = JSON_CONVERTER;
  config["value.converter.schemas.enable"] ??= "false";
  const keyFormat = (source["output.key.format"] ?? "JSON").trim().toUpperCase();
  if (keyFormat === "JSON") {
    config["key.converter"] = JSON_CONVERTER;
    config["key.converter.schemas.enable"] = "false";
  } else if (keyFormat === "STRING") {
    config["key.converter"] = STRING_CONVERTER;
  } else {
    return err(`output.key.format ${keyFormat} needs a Schema Registry, which this vaultwire installation does not provide; use JSON or STRING`);
  }

  if (source["after.state.only"]?.trim().toLowerCase() === "true") {
    config.transforms = "unwrap";
    config["transforms.unwrap.type"] = "io.debezium.transforms.ExtractNewRecordState";
    config["transforms.unwrap.delete.tombstone.handling.mode"] = "rewrite-with-tombstone";
  }
  // Fail a task whose database keeps refusing it instead of retrying forever while RUNNING.
  config["errors.max.retries"] ??= "3";

  switch (connector.plugin) {
    case "PostgresCdcSourceV2":
      config["plugin.name"] = "pgoutput";
      config["slot.name"] = replicationSlotName(connector);
      break;
    case "MySqlCdcSourceV2":
      config["database.server.id"] = String(serverId(connector.id));
      addSchemaHistory(config, cluster, connector.id);
      break;
    case "SqlServerCdcSourceV2":
      config["database.trustServerCertificate"] = "true";
      addSchemaHistory(config, cluster, connector.id);
      break;
    default:
      break;
  }
  return ok({ config, secretKeys });
}

function addSchemaHistory(config: Record<string, string>, cluster: KafkaCluster, connectorId: string): void {
  config["schema.history.internal.kafka.bootstrap.servers"] = cluster.bootstrapServers;
  config["schema.history.internal.kafka.topic"] ??= `dbhistory.${config["topic.prefix"] ?? "vaultwire"}.${connectorId}`;
}

/** A stable MySQL replica server id in 1..2^31-1 for a connector. */
/** The logical replication slot a PostgreSQL CDC connector reads from: its own, unless the config names one. */
export function replicationSlotName(connector: Pick<Connector, "id" | "config">): string {
  const given = connector.config["slot.name"]?.trim();
  return given !== undefined && given !== "" ? given : `vaultwire_${connector.id.replace(/^lcc-/, "")}`;
}

/**
 * What a deleted connector leaves in the source database, for people: a
 * PostgreSQL CDC connector's logical replication slot (an inactive slot makes
 * PostgreSQL keep WAL for the whole cluster until it is dropped) and the
 * publication Debezium created, each with the statement that drops it.
 * vaultwire does not drop them itself: a slot is also what lets a connector
 * re-created under that slot name resume where it stopped.
 */
export function databaseLeftovers(connector: Pick<Connector, "id" | "plugin" | "config">): string[] {
  if (connector.plugin !== "PostgresCdcSourceV2") return [];
  const where = `database "${connector.config["database.dbname"] ?? ""}" on ${connector.config["database.hostname"] ?? ""}:${connector.config["database.port"] ?? "5432"}`;
  const slot = replicationSlotName(connector);
  const notes = [`PostgreSQL keeps the logical replication slot "${slot}" in ${where}; while it is inactive the database retains WAL for it. When nothing will resume from it, drop it: SELECT pg_drop_replication_slot('${slot.replace(/'/g, "''")}');`];
  if (connector.config["publication.autocreate.mode"]?.trim().toLowerCase() !== "disabled") {
    const publication = connector.config["publication.name"]?.trim() || "dbz_publication";
    notes.push(`The publication "${publication}" the connector created stays too; drop it if no other connector uses it: DROP PUBLICATION "${publication.replace(/"/g, '""')}";`);
  }
  return notes;
}

export function serverId(connectorId: string): number {
  let hash = 2166136261;
  for (let i = 0; i < connectorId.length; i++) {
    hash ^= connectorId.charCodeAt(i);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return (hash % 2147483646) + 1;
}
