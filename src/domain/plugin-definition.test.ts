import { describe, expect, it } from "vitest";
import { catalog } from "../catalog/index.js";
import { isSensitiveKey } from "./plugin-definition.js";

const postgres = catalog.get("PostgresCdcSourceV2");
const mySql = catalog.get("MySqlCdcSourceV2");

describe("isSensitiveKey: the one rule for what is a secret", () => {
  it("follows the plugin's definition: PASSWORD fields are secrets, the others are not", () => {
    expect(isSensitiveKey(postgres, "database.password")).toBe(true);
    expect(isSensitiveKey(postgres, "database.sslkey")).toBe(true);
    expect(isSensitiveKey(mySql, "database.ssl.keystore")).toBe(true);
    expect(isSensitiveKey(postgres, "kafka.api.secret")).toBe(true);
    expect(isSensitiveKey(postgres, "database.hostname")).toBe(false);
    expect(isSensitiveKey(postgres, "database.user")).toBe(false);
    expect(isSensitiveKey(postgres, "secret.manager.managed.configs")).toBe(false);
  });

  it("treats a key the plugin does not define as a secret, whatever its name", () => {
    // database.sslkey is a PostgreSQL field; MySqlCdcSourceV2 does not define it.
    expect(mySql?.byName.has("database.sslkey")).toBe(false);
    expect(isSensitiveKey(mySql, "database.sslkey")).toBe(true);
    expect(isSensitiveKey(mySql, "database.sslcert")).toBe(true);
    expect(isSensitiveKey(postgres, "tasks.maxx")).toBe(true);
  });

  it("treats every key of an unknown plugin as a secret, except the connector's class and name", () => {
    expect(isSensitiveKey(undefined, "database.password")).toBe(true);
    expect(isSensitiveKey(undefined, "database.hostname")).toBe(true);
    expect(isSensitiveKey(undefined, "connector.class")).toBe(false);
    expect(isSensitiveKey(undefined, "name")).toBe(false);
  });
});
