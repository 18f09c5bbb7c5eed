import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { catalog } from "../catalog/index.js";
import { MASKED_VALUE, secretBinding, validateConnectorConfig, validateConnectorConfigInput, type ValidationContext, type ValidationReport } from "./connector-validation.js";
import type { ConnectorConfig } from "./connector-config.js";
import { DEFAULT_VAULT_HOST_POLICY, createVaultHostPolicy } from "../secret-managers/azure-key-vault/vault-host-policy.js";
import { identifierGrammars } from "../secret-managers/grammars.js";
import type { ClusterPlacement } from "./region-policy.js";

const example = (JSON.parse(readFileSync(new URL("../../test/fixtures/sqlcdc_with_key_vault.json", import.meta.url), "utf8")) as { config: Record<string, string> }).config;
const context: ValidationContext = { plugins: catalog, grammars: identifierGrammars({ vaultHosts: DEFAULT_VAULT_HOST_POLICY }) };

function errorsOf(report: ValidationReport): Record<string, readonly string[]> {
  return Object.fromEntries(report.configs.filter((c) => c.value.errors.length > 0).map((c) => [c.value.name, c.value.errors]));
}

function mutate(changes: Record<string, string | null>): Record<string, string> {
  const config: Record<string, string> = { ...example };
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) Reflect.deleteProperty(config, key);
    else config[key] = value;
  }
  return config;
}

function value(report: ValidationReport, key: string): string | null | undefined {
  return report.configs.find((c) => c.value.name === key)?.value.value;
}

describe("the specification's example config", () => {
  it("validates clean when the integration id and host are allowed", () => {
    const report = validateConnectorConfig(example, context);
    expect(errorsOf(report)).toEqual({});
    expect(report.error_count).toBe(0);
    expect(report.warnings).toEqual([]);
    expect(report.name).toBe("SqlServerCdcSourceV2");
  });

  it("has the shape of Kafka Connect's validate response", () => {
    const report = validateConnectorConfig(example, context);
    expect(report.groups[0]).toBe("How should we connect to your data?");
    expect(report.groups.at(-1)).toBe("Additional Configs");
    const entry = report.configs.find((c) => c.value.name === "database.hostname");
    expect(entry).toEqual({
      definition: expect.objectContaining({ name: "database.hostname", type: "STRING", required: true, group: "How should we connect to your database?", display_name: "Database hostname", importance: "HIGH", width: "NONE" }) as unknown,
      value: { name: "database.hostname", value: "203.0.113.0", recommended_values: [], errors: [], visible: true },
    });
    // Every definition of the plugin is reported, once.
    const names = report.configs.map((c) => c.value.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names.length).toBe(catalog.get("SqlServerCdcSourceV2")?.definitions.length);
  });

  it("tells a form what the catalog knows: a recommender's fixed choices, template defaults, fields not shown, an identity method's own fields", () => {
    const report = validateConnectorConfig(example, context);
    const at = (key: string) => report.configs.find((c) => c.value.name === key);
    // kafka.auth.mode names a recommender in Confluent's template: its values are offered and checked.
    expect(at("kafka.auth.mode")?.value.recommended_values).toEqual(["KAFKA_API_KEY", "SERVICE_ACCOUNT"]);
    expect(errorsOf(validateConnectorConfig(mutate({ "kafka.auth.mode": "OAUTH" }), context))).toEqual({
      "kafka.auth.mode": ["Invalid value \"OAUTH\" for configuration kafka.auth.mode: must be one of KAFKA_API_KEY, SERVICE_ACCOUNT"],
    });
    expect(errorsOf(validateConnectorConfig(mutate({ "kafka.auth.mode": "service_account" }), context))).toEqual({});
    // Defaults the managed service fills in are marked; plain defaults are not.
    expect(at("kafka.auth.mode")?.definition.default_is_template).toBe(true);
    expect(at("schema.history.internal.kafka.topic")?.definition.default_is_template).toBe(true);
    expect(at("topic.heartbeat.prefix")?.definition.default_is_template).toBe(true);
    expect(at("snapshot.mode")?.definition.default_is_template).toBeUndefined();
    expect(at("tasks.max")?.definition.default_is_template).toBeUndefined();
    // "It is not shown when creating a connector."
    expect(at("datapreview.schemas.enable")?.value.visible).toBe(false);
    // The identity method's provider integration applies only to that method, and is an Azure integration here.
    expect(at("provider.integration.id")?.definition.shown_when).toEqual({ field: "authentication.method", equals: "Microsoft Entra ID application" });
    expect(at("provider.integration.id")?.definition.integration_provider).toBe("AZURE");
    expect(at("database.password")?.definition.shown_when).toBeUndefined();
    expect(at("secret.manager.provider.integration.id")?.definition.integration_provider).toBeUndefined();
    const mysql = validateConnectorConfig({ "connector.class": "MySqlCdcSourceV2" }, context).configs;
    expect(mysql.find((c) => c.value.name === "provider.integration.id")?.definition).toMatchObject({ shown_when: { field: "authentication.method", equals: "IAM Roles" }, integration_provider: "AWS" });
    expect(mysql.find((c) => c.value.name === "database.aws.region")?.definition.shown_when).toEqual({ field: "authentication.method", equals: "IAM Roles" });
  });

  it("shows identifiers (they are not secrets) and offers the plugin's eligible fields", () => {
    const report = validateConnectorConfig(example, context);
    expect(value(report, "database.password")).toBe(example["database.password"]);
    const managed = report.configs.find((c) => c.value.name === "secret.manager.managed.configs");
    expect(managed?.value.recommended_values).toEqual(["database.hostname", "database.port", "database.user", "database.password"]);
    expect(report.configs.find((c) => c.value.name === "secret.manager")?.value.recommended_values).toEqual(["AZURE_KEY_VAULT", "AWS_SECRETS_MANAGER"]);
  });

  it("lists what the secret manager must fetch, deduplicated by secret", () => {
    const binding = secretBinding(example, context.grammars);
    expect(binding).toMatchObject({ manager: "AZURE_KEY_VAULT", integrationId: example["secret.manager.provider.integration.id"], invalid: [] });
    expect(binding?.fields.map((f) => ({ key: f.key, secretKey: f.reference.secretKey, jsonKey: f.reference.jsonKey }))).toEqual([
      { key: "database.password", secretKey: "https://your-key-vault-name.vault.azure.net/secrets/sqlserver-db-secret", jsonKey: "password" },
      { key: "database.user", secretKey: "https://your-key-vault-name.vault.azure.net/secrets/sqlserver-db-secret", jsonKey: "user" },
    ]);
    expect(new Set(binding?.fields.map((f) => f.reference.secretKey)).size).toBe(1);
    expect(secretBinding(mutate({ "secret.manager.enabled": "false" }), context.grammars)).toBeNull();
    // A manager this deployment does not support has no binding.
    expect(secretBinding(example, {})).toBeNull();
  });
});

describe("each single mutation yields exactly the expected field error", () => {
  const cases: [string, Record<string, string | null>, string, string][] = [
    ["a host that is not a vault", { "database.password": "https://evil.example.com::sqlserver-db-secret::password" }, "database.password", "vault host \"evil.example.com\" is not allowed"],
    ["an emulator host not configured", { "database.user": "https://localhost:8443::sqlserver-db-secret::user" }, "database.user", "vault host \"localhost:8443\" is not allowed"],
    ["a managed key missing from the config", { "database.user": null }, "database.user", "It is listed in secret.manager.managed.configs"],
    ["a literal password in a managed field", { "database.password": "$trongPassw0rd" }, "database.password", "is not a secret identifier"],
    ["secret.manager.enabled=yes", { "secret.manager.enabled": "yes" }, "secret.manager.enabled", "Expected value to be either true or false"],
    ["an unknown plugin", { "connector.class": "OracleCdcSourceV9" }, "connector.class", "unknown connector plugin \"OracleCdcSourceV9\"; known plugins: MySqlCdcSourceV2, PostgresCdcSourceV2, SqlServerCdcSourceV2"],
    ["no connector.class", { "connector.class": null }, "connector.class", "Missing required configuration \"connector.class\""],
    ["an unsupported secret manager", { "secret.manager": "GCP_SECRET_MANAGER" }, "secret.manager", "secret manager GCP_SECRET_MANAGER is not supported yet; supported: AZURE_KEY_VAULT, AWS_SECRETS_MANAGER"],
    ["Azure identifiers for AWS Secrets Manager", { "secret.manager": "AWS_SECRETS_MANAGER", "database.user": "arn:aws:secretsmanager:us-east-1:123456789012:secret:db::user" }, "database.password", "expected <secret-arn> or <secret-arn>::<json-key>"],
    ["an unknown secret manager", { "secret.manager": "HASHICORP_VAULT" }, "secret.manager", "must be one of AZURE_KEY_VAULT, AWS_SECRETS_MANAGER, GCP_SECRET_MANAGER"],
    ["no secret.manager", { "secret.manager": null }, "secret.manager", "required when secret.manager.enabled is true"],
    ["no integration id", { "secret.manager.provider.integration.id": null }, "secret.manager.provider.integration.id", "Missing required configuration"],
    ["a malformed integration id", { "secret.manager.provider.integration.id": "lcc-123" }, "secret.manager.provider.integration.id", "expected a provider integration id"],
    ["no managed configs", { "secret.manager.managed.configs": null }, "secret.manager.managed.configs", "e.g. database.hostname,database.port,database.user,database.password"],
    ["blank managed configs", { "secret.manager.managed.configs": "  " }, "secret.manager.managed.configs", "Missing required configuration"],
    ["an ineligible managed field", { "secret.manager.managed.configs": "database.password,database.user,database.names" }, "secret.manager.managed.configs", "\"database.names\" cannot be fetched from a secret manager for SqlServerCdcSourceV2"],
    ["a duplicate managed field", { "secret.manager.managed.configs": "database.password, database.user ,database.password" }, "secret.manager.managed.configs", "lists \"database.password\" more than once"],
    ["an empty managed entry", { "secret.manager.managed.configs": "database.password,,database.user" }, "secret.manager.managed.configs", "has an empty entry"],
    ["an identity-based authentication method", { "authentication.method": "Microsoft Entra ID application" }, "authentication.method", "uses a cloud identity and cannot be combined with a secret manager"],
    ["an unknown authentication method", { "authentication.method": "Kerberos" }, "authentication.method", "must be one of Microsoft Entra ID application, Password"],
    ["a JSON key separated by one colon", { "database.user": "https://your-key-vault-name.vault.azure.net::sqlserver-db-secret:user" }, "database.user", "two colons"],
    ["a fourth :: segment", { "database.user": "https://your-key-vault-name.vault.azure.net::sqlserver-db-secret::user::x" }, "database.user", "at most 3 are allowed"],
    ["a non-numeric port", { "database.port": "14x3" }, "database.port", "Not a number of type INT"],
    ["a port out of range", { "database.port": "70000" }, "database.port", "Value must be no more than 65535"],
    ["zero tasks", { "tasks.max": "0" }, "tasks.max", "Value must be at least 1"],
    ["a non-boolean boolean", { "database.encrypt": "maybe" }, "database.encrypt", "Expected value to be either true or false"],
    ["an unknown output format", { "output.data.format": "XML" }, "output.data.format", "must be one of AVRO, JSON_SR, PROTOBUF, JSON"],
    ["a missing required field", { "topic.prefix": null }, "topic.prefix", "Missing required configuration \"topic.prefix\" which has no default value."],
    ["an empty required field", { "database.names": " " }, "database.names", "must not be empty"],
    ["a config provider reference", { "table.include.list": "${file:/etc/passwd:root}" }, "table.include.list", "must not contain \"${\" (Kafka Connect's config provider syntax)"],
    ["another connector's placeholder", { "database.hostname": "${vaultwire:lcc-victim:database.password}" }, "database.hostname", "config provider syntax"],
  ];

  it.each(cases)("%s", (_label, changes, key, fragment) => {
    const report = validateConnectorConfig(mutate(changes), context);
    const errors = errorsOf(report);
    expect(Object.keys(errors)).toEqual([key]);
    expect(errors[key]).toHaveLength(1);
    expect(errors[key]?.[0]).toContain(fragment);
    expect(report.error_count).toBe(1);
  });

  it("a non-string value", () => {
    const report = validateConnectorConfigInput({ ...example, "tasks.max": 1 }, context);
    expect(errorsOf(report)).toEqual({ "tasks.max": ["only string values are permitted for the configuration \"tasks.max\""] });
    expect(report.error_count).toBe(1);
  });

  it("a non-string value of a key the plugin does not define", () => {
    const report = validateConnectorConfigInput({ ...example, "x.custom": false }, context);
    expect(errorsOf(report)).toEqual({ "x.custom": ["only string values are permitted for the configuration \"x.custom\""] });
  });
});

describe("secret manager rules", () => {
  it("reports every error at once, each on its own key", () => {
    const report = validateConnectorConfig(mutate({
      "secret.manager": "NOPE",
      "secret.manager.provider.integration.id": "x",
      "database.user": "https://bad_host::s",
      "database.password": "plain",
      "authentication.method": "Microsoft Entra ID application",
    }), context);
    expect(Object.keys(errorsOf(report)).sort()).toEqual(["authentication.method", "secret.manager", "secret.manager.provider.integration.id"]);
    // With no valid manager the identifiers cannot be judged, so only the manager is blamed.
    expect(report.error_count).toBe(3);
  });

  it("judges identifiers when the manager is valid", () => {
    const report = validateConnectorConfig(mutate({ "database.user": "https://bad_host::s", "database.password": "plain" }), context);
    expect(Object.keys(errorsOf(report)).sort()).toEqual(["database.password", "database.user"]);
  });

  it("accepts enabled in any case and a manager in any case", () => {
    expect(validateConnectorConfig(mutate({ "secret.manager.enabled": "TRUE", "secret.manager": "azure_key_vault" }), context).error_count).toBe(0);
  });

  it("allows managing port and hostname too, skipping their type checks", () => {
    const config = mutate({
      "secret.manager.managed.configs": "database.hostname,database.port,database.user,database.password",
      "database.hostname": "https://your-key-vault-name.vault.azure.net::conn::host",
      "database.port": "https://your-key-vault-name.vault.azure.net::conn::port",
    });
    const report = validateConnectorConfig(config, context);
    expect(errorsOf(report)).toEqual({});
    expect(secretBinding(config, context.grammars)?.fields.map((f) => f.key)).toEqual(["database.hostname", "database.port", "database.user", "database.password"]);
  });

  it("accepts emulator hosts the operator allowed", () => {
    const hosts = createVaultHostPolicy({ extraHosts: ["localhost:8443"] });
    if (!hosts.ok) throw new Error(hosts.error);
    const config = mutate({ "database.user": "https://localhost:8443::db::user", "database.password": "https://localhost:8443::db::password" });
    expect(validateConnectorConfig(config, { ...context, grammars: identifierGrammars({ vaultHosts: hosts.value }) }).error_count).toBe(0);
  });

  it("warns and takes values literally when disabled but managed configs are set", () => {
    const report = validateConnectorConfig(mutate({ "secret.manager.enabled": "false" }), context);
    expect(report.error_count).toBe(0);
    expect(report.warnings.map((w) => w.key)).toEqual(["secret.manager.managed.configs", "database.user", "database.password"]);
    expect(report.warnings[0]?.message).toContain("used literally");
  });

  it("treats an absent secret.manager.enabled as false", () => {
    const config = mutate({ "secret.manager.enabled": null, "secret.manager": null, "secret.manager.managed.configs": null, "secret.manager.provider.integration.id": null, "database.user": "sa", "database.password": "pw" });
    const report = validateConnectorConfig(config, context);
    expect(report.error_count).toBe(0);
    expect(report.warnings).toEqual([]);
  });

  it("warns about an identifier in an eligible field that is not listed", () => {
    const report = validateConnectorConfig(mutate({ "secret.manager.managed.configs": "database.user" }), context);
    expect(report.error_count).toBe(0);
    expect(report.warnings).toEqual([{ key: "database.password", message: expect.stringContaining("not listed in secret.manager.managed.configs") as unknown }]);
  });

  it("warns about keys the plugin does not define", () => {
    const report = validateConnectorConfig(mutate({ "database.pasword": "x" }), context);
    expect(report.error_count).toBe(0);
    expect(report.warnings).toEqual([{ key: "database.pasword", message: "\"database.pasword\" is not a configuration of SqlServerCdcSourceV2; it is ignored" }]);
  });

  it("hides secret-manager fields from the form while the manager is off", () => {
    const visible = (r: ValidationReport, k: string) => r.configs.find((c) => c.value.name === k)?.value.visible;
    expect(visible(validateConnectorConfig(example, context), "secret.manager")).toBe(true);
    const off = validateConnectorConfig(mutate({ "secret.manager.enabled": "false" }), context);
    expect(visible(off, "secret.manager")).toBe(false);
    expect(visible(off, "secret.manager.enabled")).toBe(true);
  });
});

describe("region policy", () => {
  const cluster = (region: string, networking: ClusterPlacement["networking"] = "PUBLIC"): ClusterPlacement => ({ cloud: "AZURE", type: "DEDICATED", networking, region });

  it("rejects the secret manager on public Azure Dedicated in eastus, naming region and rule", () => {
    const report = validateConnectorConfig(example, { ...context, cluster: cluster("eastus") });
    expect(errorsOf(report)).toEqual({ "secret.manager.enabled": [expect.stringContaining("region \"eastus\" for Azure Dedicated clusters on public networking") as unknown] });
  });

  it("allows it on private link in eastus and anywhere when the manager is off", () => {
    expect(validateConnectorConfig(example, { ...context, cluster: cluster("eastus", "PRIVATE_LINK") }).error_count).toBe(0);
    expect(validateConnectorConfig(mutate({ "secret.manager.enabled": "false" }), { ...context, cluster: cluster("eastus") }).error_count).toBe(0);
  });

  it("follows an operator's policy instead of the default", () => {
    expect(validateConnectorConfig(example, { ...context, cluster: cluster("eastus"), regionPolicy: { rules: [] } }).error_count).toBe(0);
  });
});

describe("values in the report", () => {
  it("masks sensitive values and managed values that are not identifiers", () => {
    const report = validateConnectorConfig(mutate({ "secret.manager.enabled": "false", "database.password": "$trongPassw0rd", "database.user": "dbadmin" }), context);
    expect(value(report, "database.password")).toBe(MASKED_VALUE);
    expect(value(report, "database.user")).toBe("dbadmin");
    const managedLiteral = validateConnectorConfig(mutate({ "database.user": "dbadmin-literal" }), context);
    expect(value(managedLiteral, "database.user")).toBe(MASKED_VALUE);
    expect(JSON.stringify(managedLiteral)).not.toContain("dbadmin-literal");
  });

  it("masks the value of a key without a definition, as every other view does", () => {
    // database.sslcert is a PostgreSQL field: SqlServerCdcSourceV2 and unknown plugins do not define it.
    const cert = "-----BEGIN CERTIFICATE-----${file:/etc/passwd}";
    for (const connectorClass of ["SqlServerCdcSourceV2", "NopeSourceV2"]) {
      const report = validateConnectorConfig(mutate({ "connector.class": connectorClass, "database.sslcert": cert }), context);
      expect(errorsOf(report)["database.sslcert"]).toEqual(["the value of database.sslcert must not contain \"${\" (Kafka Connect's config provider syntax)"]);
      expect(value(report, "database.sslcert")).toBe(MASKED_VALUE);
      expect(value(report, "connector.class")).toBe(connectorClass === "NopeSourceV2" ? connectorClass : "SqlServerCdcSourceV2");
      expect(JSON.stringify(report)).not.toContain("BEGIN CERTIFICATE");
    }
  });

  it("never puts a pasted secret in any message or value", () => {
    const canary = "Canary-7f3a9c2e-SECRET";
    for (const field of ["database.password", "database.user"]) {
      for (const pasted of [canary, `https://${canary}`, `https://your-key-vault-name.vault.azure.net::${canary}_x`, `x::${canary}`, `https://your-key-vault-name.vault.azure.net::db::${canary}::x`]) {
        const report = validateConnectorConfig(mutate({ [field]: pasted }), context);
        expect(report.error_count).toBe(1);
        expect(JSON.stringify(report)).not.toContain(canary);
      }
    }
  });

  it("masks credential-looking keys even without a plugin", () => {
    const report = validateConnectorConfigInput({ "connector.class": "Nope", "db.password": 1, "some.setting": 2 }, context);
    expect(report.configs.map((c) => c.value.name).sort()).toEqual(["connector.class", "db.password", "some.setting"]);
  });
});

describe("conditional requirements", () => {
  const postgres: ConnectorConfig = {
    "connector.class": "PostgresCdcSourceV2",
    name: "pg",
    "tasks.max": "1",
    "database.hostname": "db",
    "database.port": "5432",
    "database.user": "u",
    "database.dbname": "app",
    "topic.prefix": "pg",
    "output.data.format": "JSON",
  };

  it("requires a password for password authentication (the default)", () => {
    const report = validateConnectorConfig(postgres, context);
    expect(errorsOf(report)).toEqual({ "database.password": ["Missing required configuration \"database.password\": it is required when authentication.method is \"Password\""] });
    expect(validateConnectorConfig({ ...postgres, "database.password": "pw" }, context).error_count).toBe(0);
  });

  it("requires a provider integration for identity authentication instead", () => {
    const report = validateConnectorConfig({ ...postgres, "authentication.method": "Google service account impersonation" }, context);
    expect(Object.keys(errorsOf(report))).toEqual(["provider.integration.id"]);
  });
});

describe("validateConnectorConfigInput", () => {
  it("reports a config that is not an object on connector.class", () => {
    const report = validateConnectorConfigInput(["x"], context);
    expect(report.error_count).toBeGreaterThanOrEqual(1);
    expect(errorsOf(report)["connector.class"]?.[0]).toContain("must be a JSON object");
  });
});
