// Pure parts of the resource commands: how usages read, and which plugin fields the secret manager may manage.
import { describe, expect, it } from "vitest";
import { catalog } from "../../catalog/index.js";
import { validateConnectorConfig } from "../../domain/connector-validation.js";
import { createVaultHostPolicy } from "../../secret-managers/azure-key-vault/vault-host-policy.js";
import { identifierGrammars } from "../../secret-managers/grammars.js";
import { pluginConfigRows } from "./connect-plugin.js";
import { describeUsage } from "./provider-integration.js";

describe("describeUsage", () => {
  it("names the connector and its cluster, and leaves other CRNs alone", () => {
    expect(describeUsage("crn://vaultwire/organization=o/environment=env-1/cloud-cluster=lkc-1/connector=SqlServerCdcSource1")).toBe("connector SqlServerCdcSource1 (lkc-1)");
    expect(describeUsage("crn://vaultwire/organization=o/environment=env-1")).toBe("crn://vaultwire/organization=o/environment=env-1");
  });
});

describe("pluginConfigRows", () => {
  it("marks exactly the plugin's secret-manager-eligible fields", () => {
    const hosts = createVaultHostPolicy({});
    if (!hosts.ok) throw new Error(hosts.error);
    for (const name of catalog.names()) {
      const report = validateConnectorConfig({ "connector.class": name }, { plugins: catalog, grammars: identifierGrammars({ vaultHosts: hosts.value }) });
      const rows = pluginConfigRows(report);
      expect(rows.filter((r) => r.secret_manager_eligible).map((r) => r.name)).toEqual(catalog.get(name)?.secretManagerEligibleFields);
      expect(Object.keys(rows[0] ?? {})).toEqual(["name", "display_name", "group", "type", "required", "default_value", "importance", "secret_manager_eligible", "documentation"]);
    }
  });
});
