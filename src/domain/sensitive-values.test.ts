import { describe, expect, it } from "vitest";
import { catalog } from "../catalog/index.js";
import type { ConnectorConfig } from "./connector-config.js";
import { MASKED_VALUE } from "./connector-validation.js";
import type { FieldProblem } from "./errors.js";
import type { PluginDefinition, PluginLookup } from "./plugin-definition.js";
import { isMaskedValue, maskConfig, restoreMaskedValues, separateSecrets, type StoredConfig } from "./sensitive-values.js";

const KEY = "-----BEGIN PRIVATE KEY-----key-----END PRIVATE KEY-----";
const PASSWORD = "pg-password";

const postgres: ConnectorConfig = {
  "connector.class": "PostgresCdcSourceV2",
  name: "pg",
  "database.hostname": "203.0.113.10",
  "database.port": "5432",
  "database.user": "cdc",
  "database.password": PASSWORD,
  "database.dbname": "app",
  "database.sslkey": KEY,
  "topic.prefix": "pg",
  "tasks.max": "1",
};

/** The stored form of a config, as the service keeps it (secrets decrypted). */
function store(config: ConnectorConfig): StoredConfig {
  return separateSecrets(config, catalog);
}

/** The config a client reads back and sends again, with these changes. */
function resend(stored: StoredConfig, changes: Record<string, string> = {}): Record<string, string> {
  return { ...maskConfig(stored.config, Object.keys(stored.secrets), catalog), ...changes };
}

function problems(result: ReturnType<typeof restoreMaskedValues>): readonly FieldProblem[] {
  return result.ok ? [] : result.error;
}

describe("isMaskedValue", () => {
  it("takes two or more asterisks as a mask, and nothing else", () => {
    expect(isMaskedValue(MASKED_VALUE)).toBe(true);
    expect(isMaskedValue("**")).toBe(true);
    expect(isMaskedValue("*")).toBe(false);
    expect(isMaskedValue("")).toBe(false);
    expect(isMaskedValue("** ")).toBe(false);
    expect(isMaskedValue("a**")).toBe(false);
  });
});

describe("separateSecrets", () => {
  it("takes out every secret value: PASSWORD fields and keys the plugin does not define", () => {
    const { config, secrets } = separateSecrets({ ...postgres, "connector.class": "MySqlCdcSourceV2" }, catalog);
    expect(secrets).toEqual({ "database.password": PASSWORD, "database.sslkey": KEY, "database.dbname": "app" });
    expect(config["database.hostname"]).toBe("203.0.113.10");
    expect(Object.keys(config)).not.toContain("database.sslkey");
  });

  it("keeps secret-manager identifiers and empty values in the plain config", () => {
    const managed = { ...postgres, "secret.manager.enabled": "true", "secret.manager.managed.configs": "database.password", "database.password": "https://v.vault.azure.net::db::password", "database.sslkey": "" };
    const { config, secrets } = separateSecrets(managed, catalog);
    expect(secrets).toEqual({});
    expect(config["database.password"]).toBe("https://v.vault.azure.net::db::password");
    expect(config["database.sslkey"]).toBe("");
  });
});

describe("maskConfig", () => {
  it("masks the stored secrets and any sensitive value still held in plaintext", () => {
    const legacy = { ...postgres, "connector.class": "MySqlCdcSourceV2" };
    Reflect.deleteProperty(legacy, "database.password");
    const view = maskConfig(legacy, ["database.password"], catalog);
    expect(view["database.password"]).toBe(MASKED_VALUE);
    expect(view["database.sslkey"]).toBe(MASKED_VALUE);
    expect(view["database.hostname"]).toBe("203.0.113.10");
    expect(view["connector.class"]).toBe("MySqlCdcSourceV2");
    expect(JSON.stringify(view)).not.toContain(KEY);
  });
});

describe("restoreMaskedValues", () => {
  const stored = store(postgres);

  it("keeps the stored value of the same key when nothing that says where it goes has changed", () => {
    const result = restoreMaskedValues(resend(stored, { "tasks.max": "2" }), catalog, stored);
    expect(result).toEqual({ ok: true, value: { ...postgres, "tasks.max": "2" } });
  });

  it("counts whitespace around the class, host or port as no change", () => {
    const result = restoreMaskedValues(resend(stored, { "connector.class": " PostgresCdcSourceV2", "database.hostname": " 203.0.113.10 ", "database.port": "5432 " }), catalog, stored);
    expect(result.ok).toBe(true);
  });

  it("keeps a sensitive value that an older version left in plaintext, so the next write encrypts it", () => {
    const legacy: StoredConfig = { config: { ...postgres, "connector.class": "MySqlCdcSourceV2" }, secrets: {} };
    const result = restoreMaskedValues(resend(legacy), catalog, legacy);
    expect(result.ok && result.value["database.sslkey"]).toBe(KEY);
    expect(result.ok && separateSecrets(result.value, catalog).secrets["database.sslkey"]).toBe(KEY);
  });

  it("refuses the plugin switch: a stored secret is not carried to another plugin", () => {
    const result = restoreMaskedValues(resend(stored, { "connector.class": "MySqlCdcSourceV2" }), catalog, stored);
    expect(problems(result)).toEqual([
      { field: "database.password", message: "the stored value cannot be kept: connector.class changed, and a stored secret is not sent to a new destination; send the value again" },
      { field: "database.sslkey", message: "the stored value cannot be kept: connector.class changed, and a stored secret is not sent to a new destination; send the value again" },
    ]);
  });

  it.each([
    [{ "database.hostname": "198.51.100.7" }, "database.hostname changed"],
    [{ "database.port": "6543" }, "database.port changed"],
    [{ "database.hostname": "198.51.100.7", "database.port": "6543" }, "database.hostname and database.port changed"],
    [{ "database.port": "" }, "database.port changed"],
    [{ "connector.class": "MySqlCdcSourceV2", "database.hostname": "198.51.100.7", "database.port": "3306" }, "connector.class, database.hostname and database.port changed"],
  ])("refuses a masked secret when its destination moves (%j)", (changes, reason) => {
    const result = restoreMaskedValues(resend(stored, changes), catalog, stored);
    expect(problems(result).map((p) => p.field)).toEqual(["database.password", "database.sslkey"]);
    for (const problem of problems(result)) expect(problem.message).toContain(`: ${reason}, and a stored secret`);
  });

  it("accepts a new destination when the secrets are given again", () => {
    const config = { ...resend(stored, { "database.hostname": "198.51.100.7" }), "database.password": "new", "database.sslkey": "new-key" };
    expect(restoreMaskedValues(config, catalog, stored)).toEqual({ ok: true, value: config });
  });

  it("refuses a masked value for a key that is no longer a secret", () => {
    // A plugin that defines database.sslkey as a plain setting.
    const base = catalog.get("PostgresCdcSourceV2") as PluginDefinition;
    const plain: PluginDefinition = { ...base, byName: new Map([...base.byName].map(([k, d]) => [k, k === "database.sslkey" ? { ...d, type: "STRING" as const } : d])) };
    const plugins: PluginLookup = { get: (name) => (name === base.name ? plain : catalog.get(name)), names: () => catalog.names() };
    expect(problems(restoreMaskedValues(resend(stored), plugins, stored))).toEqual([
      { field: "database.sslkey", message: "the stored value cannot be kept: database.sslkey is not a secret setting of PostgresCdcSourceV2, so its value would be stored and shown in plaintext; send the value again" },
    ]);
  });

  it("refuses a masked value for a field the secret manager now manages", () => {
    const config = resend(stored, { "secret.manager.enabled": "true", "secret.manager.managed.configs": "database.user,database.password" });
    expect(problems(restoreMaskedValues(config, catalog, stored))).toEqual([
      { field: "database.password", message: "the stored value cannot be kept: database.password is listed in secret.manager.managed.configs, so its value is a secret identifier, not a stored secret; send the value again" },
    ]);
  });

  it("refuses a masked value for a key that has nothing stored, on create and on update", () => {
    expect(problems(restoreMaskedValues({ ...postgres, "database.password": "**" }, catalog, undefined))).toEqual([
      { field: "database.password", message: "the stored value cannot be kept: no value is stored for database.password; send the value again" },
    ]);
    const noKey: Record<string, string> = { ...postgres };
    Reflect.deleteProperty(noKey, "database.sslkey");
    const without = store(noKey);
    expect(problems(restoreMaskedValues(resend(without, { "database.sslkey": MASKED_VALUE, constructor: MASKED_VALUE }), catalog, without)).map((p) => [p.field, p.message])).toEqual([
      ["database.sslkey", "the stored value cannot be kept: no value is stored for database.sslkey; send the value again"],
      ["constructor", "the stored value cannot be kept: no value is stored for constructor; send the value again"],
    ]);
  });

  it("lets secret-manager identifiers follow a host change: they are not values", () => {
    const managed = { ...postgres, "secret.manager.enabled": "true", "secret.manager.managed.configs": "database.password", "database.password": "https://v.vault.azure.net::db::password" };
    Reflect.deleteProperty(managed, "database.sslkey");
    const kept = store(managed);
    const config = resend(kept, { "database.hostname": "198.51.100.7" });
    expect(restoreMaskedValues(config, catalog, kept)).toEqual({ ok: true, value: config });
  });
});
