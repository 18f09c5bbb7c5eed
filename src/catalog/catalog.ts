/** The managed plugins vaultwire knows, looked up by the name users put in `connector.class`. */
import type { PluginLookup } from "../domain/plugin-definition.js";
import type { CatalogPlugin } from "./define-plugin.js";
import { mySqlCdcSourceV2 } from "./plugins/mysql-cdc-source-v2.js";
import { postgresCdcSourceV2 } from "./plugins/postgres-cdc-source-v2.js";
import { sqlServerCdcSourceV2 } from "./plugins/sqlserver-cdc-source-v2.js";

export interface Catalog extends PluginLookup {
  get(name: string): CatalogPlugin | undefined;
  all(): readonly CatalogPlugin[];
}

export function createCatalog(plugins: readonly CatalogPlugin[]): Catalog {
  const byName = new Map<string, CatalogPlugin>();
  for (const plugin of plugins) {
    if (byName.has(plugin.name)) throw new Error(`catalog: plugin ${plugin.name} is defined twice`);
    byName.set(plugin.name, plugin);
  }
  const names = [...byName.keys()].sort();
  return {
    get: (name) => byName.get(name),
    names: () => names,
    all: () => names.map((n) => byName.get(n)).filter((p): p is CatalogPlugin => p !== undefined),
  };
}

export const catalog: Catalog = createCatalog([postgresCdcSourceV2, mySqlCdcSourceV2, sqlServerCdcSourceV2]);
