export { catalog, createCatalog, type Catalog } from "./catalog.js";
export { definePlugin, ADDITIONAL_CONFIGS_GROUP, type CatalogPlugin, type ConfigDefinitionPatch, type PluginSpec } from "./define-plugin.js";
