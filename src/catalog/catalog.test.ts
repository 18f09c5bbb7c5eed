import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { catalog } from "./catalog.js";
import { ADDITIONAL_CONFIGS_GROUP, definePlugin } from "./define-plugin.js";
import { CONFIG_TYPES } from "../domain/plugin-definition.js";

// The reference templates sit in the shared folder beside the checkout (as in CI).
const REFERENCE = new URL("../../../shared/reference/confluent-templates/", import.meta.url);
const PLUGINS = ["PostgresCdcSourceV2", "MySqlCdcSourceV2", "SqlServerCdcSourceV2"] as const;

interface TemplateDef {
  name: string;
  type?: string;
  required?: boolean | string;
  default_value?: string;
  group?: string;
  order_in_group?: number;
  display_name?: string;
  recommended_values?: string[];
  recommender?: { name: string };
  documentation?: string;
}
interface Template { template_id: string; config_defs: TemplateDef[] }

/** Resolves a plugin's fields from the reference file: the plugin's own template wins, then each parent in order. */
function referenceFields(plugin: string): Map<string, TemplateDef & { docs: string[] }> {
  const file = JSON.parse(readFileSync(new URL(`${plugin}.json`, REFERENCE), "utf8")) as { templates: Template[] };
  const fields = new Map<string, TemplateDef & { docs: string[] }>();
  for (const template of file.templates) {
    for (const def of template.config_defs) {
      const existing = fields.get(def.name);
      const docs = def.documentation === undefined ? [] : [def.documentation];
      if (!existing) fields.set(def.name, { ...def, docs });
      else {
        fields.set(def.name, { ...def, ...existing, docs: [...existing.docs, ...docs] });
      }
    }
  }
  return fields;
}

const haveReference = existsSync(REFERENCE);
if (!haveReference && process.env.CI) throw new Error(`the reference templates are missing at ${REFERENCE.pathname}`);

describe.runIf(haveReference).each(PLUGINS)("catalog %s agrees with Confluent's managed template", (pluginName) => {
  const plugin = catalog.get(pluginName);
  const reference = haveReference ? referenceFields(pluginName) : new Map<string, TemplateDef & { docs: string[] }>();

  it("defines exactly the reference's fields", () => {
    expect(plugin).toBeDefined();
    expect([...(plugin?.byName.keys() ?? [])].sort()).toEqual([...reference.keys()].sort());
  });

  it("has the reference's type, required flag, default, group, order, display name and recommended values", () => {
    for (const [name, ref] of reference) {
      const def = plugin?.byName.get(name);
      const expected = {
        type: ref.type,
        required: ref.required === true || ref.required === "true",
        defaultValue: ref.default_value ?? null,
        group: ref.group ?? ADDITIONAL_CONFIGS_GROUP,
        orderInGroup: ref.order_in_group ?? null,
        displayName: ref.display_name ?? name,
        recommendedValues: ref.recommended_values ?? [],
      };
      expect({ name, type: def?.type, required: def?.required, defaultValue: def?.defaultValue, group: def?.group, orderInGroup: def?.orderInGroup, displayName: def?.displayName, recommendedValues: def?.recommendedValues }).toEqual({ name, ...expected });
    }
  });

  it("offers a recommender's values only where the reference names a recommender and lists none", () => {
    for (const def of plugin?.definitions ?? []) {
      if (def.recommenderValues === undefined) continue;
      expect(reference.get(def.name)?.recommender, def.name).toBeDefined();
      expect(def.recommendedValues, def.name).toEqual([]);
    }
    expect(plugin?.byName.get("kafka.auth.mode")?.recommenderValues).toEqual(["KAFKA_API_KEY", "SERVICE_ACCOUNT"]);
  });

  it("hides the fields the reference says are never shown when creating a connector", () => {
    const never = [...reference].filter(([, ref]) => ref.docs.some((doc) => /does not show in create connector UI/i.test(doc))).map(([name]) => name);
    expect(never).toContain("datapreview.schemas.enable");
    for (const name of never) expect(plugin?.byName.get(name)?.internal, name).toBe(true);
  });

  it("lets the secret manager manage exactly the reference's fields", () => {
    expect(plugin?.secretManagerEligibleFields).toEqual(reference.get("secret.manager.managed.configs")?.recommended_values);
  });

  it("documents every field in its own words", () => {
    for (const [name, ref] of reference) {
      const doc = plugin?.byName.get(name)?.documentation ?? "";
      expect(doc.length, name).toBeGreaterThan(10);
      for (const theirs of ref.docs) expect(doc, name).not.toBe(theirs);
      expect(doc, name).not.toMatch(/\{\{|\/mnt\//);
    }
  });
});

describe("catalog", () => {
  it("knows the three CDC V2 plugins, sorted", () => {
    expect(catalog.names()).toEqual(["MySqlCdcSourceV2", "PostgresCdcSourceV2", "SqlServerCdcSourceV2"]);
    expect(catalog.get("Nope")).toBeUndefined();
    expect(catalog.all().map((p) => p.name)).toEqual(catalog.names());
  });

  it.each(PLUGINS)("%s: authentication methods partition the recommended values; conditional fields exist", (name) => {
    const plugin = catalog.get(name);
    const auth = plugin?.authentication;
    expect(auth?.field).toBe("authentication.method");
    const recommended = plugin?.byName.get("authentication.method")?.recommendedValues ?? [];
    expect([...(auth?.staticMethods ?? []), ...(auth?.identityMethods ?? [])].sort()).toEqual([...recommended].sort());
    expect(recommended).toContain(auth?.defaultMethod);
    for (const requirement of plugin?.conditionalRequirements ?? []) {
      expect(plugin?.byName.has(requirement.field)).toBe(true);
      expect(plugin?.byName.get(requirement.when.field)?.recommendedValues).toContain(requirement.when.equals);
    }
  });

  it.each(PLUGINS)("%s: definitions are in form order and every type is known", (name) => {
    const plugin = catalog.get(name);
    const groupOf = plugin?.definitions.map((d) => plugin.groups.indexOf(d.group)) ?? [];
    expect(groupOf).toEqual([...groupOf].sort((a, b) => a - b));
    expect(plugin?.groups.at(-1)).toBe(ADDITIONAL_CONFIGS_GROUP);
    for (const d of plugin?.definitions ?? []) expect(CONFIG_TYPES).toContain(d.type);
    expect(plugin?.connectDefinitions.size).toBe(plugin?.definitions.length);
  });

  it("refuses a plugin whose fields lack a type or documentation, or whose eligible fields are undefined", () => {
    const base = { name: "P", connectorType: "SOURCE" as const, confluentConnectorClass: "x", extends: [] };
    expect(() => definePlugin({ ...base, definitions: [{ name: "a", documentation: "doc" }] })).toThrow("field a has no type");
    expect(() => definePlugin({ ...base, definitions: [{ name: "a", type: "STRING" }] })).toThrow("field a has no documentation");
    expect(() => definePlugin({ ...base, definitions: [{ name: "secret.manager.managed.configs", type: "LIST", documentation: "d", recommendedValues: ["ghost"] }] })).toThrow("ghost has no definition");
  });

  it("lets the most specific template win, field by field", () => {
    const plugin = definePlugin({
      name: "P",
      connectorType: "SOURCE",
      confluentConnectorClass: "x",
      extends: [[{ name: "a", type: "INT", required: true, documentation: "parent", group: "G" }]],
      definitions: [{ name: "a", required: false }],
    });
    expect(plugin.byName.get("a")).toMatchObject({ type: "INT", required: false, documentation: "parent", group: "G" });
  });
});
