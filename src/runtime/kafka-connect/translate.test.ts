import { describe, expect, it } from "vitest";
import type { Connector, KafkaCluster } from "../../domain/resources.js";
import { databaseLeftovers, placeholder, replicationSlotName, serverId, translate } from "./translate.js";

const cluster: KafkaCluster = {
  id: "lkc-abc", environmentId: "env-abc", displayName: "c", cloud: "AZURE", region: "westus3", availability: "SINGLE_ZONE", type: "DEDICATED",
  cku: 1, networking: "PUBLIC", bootstrapServers: "127.0.0.1:9092", connectUrls: ["http://127.0.0.1:8083"], createdAt: "", updatedAt: "",
};

function connector(plugin: string, config: Record<string, string>): Connector {
  return {
    id: "lcc-x1y2z3", environmentId: "env-abc", clusterId: "lkc-abc", name: "c1", plugin, config: { "connector.class": plugin, name: "c1", ...config },
    sensitiveCiphertext: null, integrationId: "cspi-1", desiredState: "RUNNING", status: { state: "PROVISIONING", workerId: null, trace: null, tasks: [], observedAt: "" },
    generation: 1, createdAt: "", updatedAt: "",
  };
}

const managed = {
  "kafka.auth.mode": "SERVICE_ACCOUNT",
  "kafka.service.account.id": "sa-1",
  "authentication.method": "Password",
  "secret.manager.enabled": "true",
  "secret.manager": "AZURE_KEY_VAULT",
  "secret.manager.managed.configs": "database.user,database.password",
  "secret.manager.provider.integration.id": "cspi-1",
  "database.hostname": "db.internal",
  "database.port": "5432",
  "database.user": "https://v.vault.azure.net::db::user",
  "database.password": "https://v.vault.azure.net::db::password",
  "database.dbname": "app",
  "topic.prefix": "pg",
  "tasks.max": "1",
  "output.data.format": "JSON",
  "output.key.format": "JSON",
  "table.include.list": "public.orders",
};

describe("translate", () => {
  it("turns PostgresCdcSourceV2 into Debezium's PostgresConnector with placeholders for secrets", () => {
    const result = translate(connector("PostgresCdcSourceV2", managed), cluster, []);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.config).toEqual({
      "connector.class": "io.debezium.connector.postgresql.PostgresConnector",
      name: "lcc-x1y2z3",
      "database.hostname": "db.internal",
      "database.port": "5432",
      "database.user": "${vaultwire:lcc-x1y2z3:database.user}",
      "database.password": "${vaultwire:lcc-x1y2z3:database.password}",
      "database.dbname": "app",
      "topic.prefix": "pg",
      "tasks.max": "1",
      "table.include.list": "public.orders",
      "value.converter": "org.apache.kafka.connect.json.JsonConverter",
      "value.converter.schemas.enable": "false",
      "key.converter": "org.apache.kafka.connect.json.JsonConverter",
      "key.converter.schemas.enable": "false",
      "errors.max.retries": "3",
      "plugin.name": "pgoutput",
      "slot.name": "vaultwire_x1y2z3",
    });
    expect(result.value.secretKeys).toEqual(["database.user", "database.password"]);
  });

  it("sends an encrypted value to Connect only for a key the plugin defines, as every other key", () => {
    // database.sslkey is kept encrypted for a MySQL connector, but MySqlCdcSourceV2 does not define it.
    const result = translate(connector("MySqlCdcSourceV2", { ...managed, "database.dbname": "x" }), cluster, ["database.ssl.keystore", "database.sslkey"]);
    expect(result.ok && result.value.secretKeys).toEqual(["database.user", "database.password", "database.ssl.keystore"]);
    expect(result.ok && result.value.config["database.ssl.keystore"]).toBe(placeholder("lcc-x1y2z3", "database.ssl.keystore"));
    expect(result.ok && Object.keys(result.value.config)).not.toContain("database.sslkey");
  });

  it("keeps a user's slot name and adds the unwrap transform for after.state.only", () => {
    const result = translate(connector("PostgresCdcSourceV2", { ...managed, "slot.name": "mine", "after.state.only": "true", "output.key.format": "STRING" }), cluster, []);
    expect(result.ok && result.value.config).toMatchObject({
      "slot.name": "mine",
      transforms: "unwrap",
      "transforms.unwrap.type": "io.debezium.transforms.ExtractNewRecordState",
      "transforms.unwrap.delete.tombstone.handling.mode": "rewrite-with-tombstone",
      "key.converter": "org.apache.kafka.connect.storage.StringConverter",
    });
  });

  it("adds MySQL's server id and schema history, and SQL Server's trusted certificate", () => {
    const mysql = translate(connector("MySqlCdcSourceV2", { ...managed, "database.dbname": "x" }), cluster, []);
    expect(mysql.ok && mysql.value.config).toMatchObject({
      "connector.class": "io.debezium.connector.mysql.MySqlConnector",
      "database.server.id": String(serverId("lcc-x1y2z3")),
      "schema.history.internal.kafka.bootstrap.servers": "127.0.0.1:9092",
      "schema.history.internal.kafka.topic": "dbhistory.pg.lcc-x1y2z3",
    });
    const sqlserver = translate(connector("SqlServerCdcSourceV2", { ...managed, "database.names": "db1" }), cluster, []);
    expect(sqlserver.ok && sqlserver.value.config).toMatchObject({
      "connector.class": "io.debezium.connector.sqlserver.SqlServerConnector",
      "database.trustServerCertificate": "true",
      "database.names": "db1",
    });
  });

  it("replaces plaintext secrets kept encrypted with placeholders too, and drops unknown and managed-only keys", () => {
    const plain = { ...managed, "secret.manager.enabled": "false", "database.user": "u", "x.unknown": "1", "csfle.enabled": "false" };
    const result = translate(connector("PostgresCdcSourceV2", plain), cluster, ["database.password"]);
    expect(result.ok && result.value.config["database.password"]).toBe(placeholder("lcc-x1y2z3", "database.password"));
    expect(result.ok && result.value.config["database.user"]).toBe("u");
    expect(result.ok && Object.keys(result.value.config).filter((k) => k.startsWith("secret.manager") || k.startsWith("kafka.") || k.startsWith("csfle") || k === "x.unknown")).toEqual([]);
  });

  it.each([
    [{ "output.data.format": "AVRO" }, "output.data.format AVRO needs a Schema Registry"],
    [{ "output.key.format": "PROTOBUF" }, "output.key.format PROTOBUF needs a Schema Registry"],
    [{ "table.include.list": "${file:/etc/passwd:x}" }, "contains \"${\", Kafka Connect's config provider syntax"],
  ])("refuses %j", (change, message) => {
    const result = translate(connector("PostgresCdcSourceV2", { ...managed, ...change }), cluster, []);
    expect(result.ok ? "" : result.error).toContain(message);
  });

  it("refuses plugins it cannot run", () => {
    expect(translate(connector("NopeSource", {}), cluster, [])).toMatchObject({ ok: false });
  });

  it("derives stable MySQL server ids in range", () => {
    expect(serverId("lcc-a")).toBe(serverId("lcc-a"));
    expect(serverId("lcc-a")).not.toBe(serverId("lcc-b"));
    for (const id of ["lcc-a", "lcc-zzzzzzzz", ""]) {
      expect(serverId(id)).toBeGreaterThanOrEqual(1);
      expect(serverId(id)).toBeLessThan(2 ** 31);
    }
  });
});

describe("databaseLeftovers", () => {
  it("names a PostgreSQL connector's replication slot and publication, with the statements that drop them", () => {
    const pg = connector("PostgresCdcSourceV2", { "database.hostname": "db.internal", "database.port": "5433", "database.dbname": "orders" });
    const notes = databaseLeftovers(pg);
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain(`logical replication slot "${replicationSlotName(pg)}" in database "orders" on db.internal:5433`);
    expect(notes[0]).toContain(`SELECT pg_drop_replication_slot('${replicationSlotName(pg)}');`);
    expect(notes[1]).toContain('DROP PUBLICATION "dbz_publication";');
    expect(replicationSlotName(pg)).toBe(`vaultwire_${pg.id.replace(/^lcc-/, "")}`);
    // The names the config chose; no publication when the connector does not create one.
    const named = connector("PostgresCdcSourceV2", { "slot.name": "o'slot", "publication.name": "pub", "publication.autocreate.mode": "disabled" });
    expect(databaseLeftovers(named)).toEqual([expect.stringContaining("SELECT pg_drop_replication_slot('o''slot');")]);
    expect(databaseLeftovers(connector("SqlServerCdcSourceV2", {}))).toEqual([]);
  });

  it("deploys a PostgreSQL connector on the slot it will name on delete", () => {
    const pg = connector("PostgresCdcSourceV2", { "database.hostname": "db", "database.dbname": "x" });
    const translated = translate(pg, cluster, []);
    expect(translated.ok && translated.value.config["slot.name"]).toBe(replicationSlotName(pg));
  });
});
