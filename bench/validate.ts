/**
 * bench/validate: connector configs validated per second, through the same
 * path the API takes (parse the untrusted map, then validate).
 *
 *   npm run bench:validate            (VAULTWIRE_BENCH_SECONDS=N per case, default 1)
 *
 * Figures are medians of 5 rounds. Each is also shown as a ratio to a
 * baseline measured in the same process (structuredClone of the same config),
 * so runs on busy or different machines can be compared. Target: above
 * 50,000 validations/s for the specification's example on one core.
 */
import { readFileSync } from "node:fs";
import { catalog, createCatalog, definePlugin } from "../src/catalog/index.js";
import { validateConnectorConfigInput, type ValidationContext } from "../src/domain/connector-validation.js";
import { DEFAULT_VAULT_HOST_POLICY } from "../src/secret-managers/azure-key-vault/vault-host-policy.js";
import { identifierGrammars } from "../src/secret-managers/grammars.js";
import type { ConfigDefinitionPatch } from "../src/catalog/define-plugin.js";

const SECONDS = Number(process.env.VAULTWIRE_BENCH_SECONDS ?? "1");
const TARGET_PER_SECOND = 50_000;

const example = (JSON.parse(readFileSync(new URL("../test/fixtures/sqlcdc_with_key_vault.json", import.meta.url), "utf8")) as { config: Record<string, string> }).config;

// A wide plugin: 200 fields, 10 of which the secret manager may manage.
const wideFields: ConfigDefinitionPatch[] = Array.from({ length: 190 }, (_, i) => ({
  name: `setting.${i}`,
  type: (["STRING", "INT", "BOOLEAN", "LIST"] as const)[i % 4] ?? "STRING",
  required: i % 10 === 0,
  documentation: `Setting ${i}.`,
  ...(i % 4 === 2 ? { recommendedValues: ["true", "false"] } : {}),
}));
const secretFields = Array.from({ length: 10 }, (_, i) => `credential.${i}`);
const widePlugin = definePlugin({
  name: "WideBenchSource",
  connectorType: "SOURCE",
  confluentConnectorClass: "bench.WideBenchSource",
  extends: [],
  definitions: [
    { name: "connector.class", type: "STRING", required: true, documentation: "Plugin." },
    { name: "secret.manager.enabled", type: "BOOLEAN", documentation: "Enabled." },
    { name: "secret.manager", type: "STRING", documentation: "Manager." },
    { name: "secret.manager.managed.configs", type: "LIST", documentation: "Managed.", recommendedValues: secretFields },
    { name: "secret.manager.provider.integration.id", type: "STRING", documentation: "Integration." },
    ...secretFields.map((name) => ({ name, type: "PASSWORD" as const, required: true, documentation: "A credential." })),
    ...wideFields,
  ],
});
const wideConfig: Record<string, string> = {
  "connector.class": "WideBenchSource",
  "secret.manager.enabled": "true",
  "secret.manager": "AZURE_KEY_VAULT",
  "secret.manager.managed.configs": secretFields.join(","),
  "secret.manager.provider.integration.id": "cspi-bench01",
};
secretFields.forEach((name, i) => { wideConfig[name] = `https://vault-${i % 3}.vault.azure.net::app-secret-${i % 5}::key${i}`; });
wideFields.forEach((field, i) => { wideConfig[field.name] = field.type === "INT" ? String(i * 7) : field.type === "BOOLEAN" ? "true" : field.type === "LIST" ? "a,b,c" : `value-${i}`; });
while (Object.keys(wideConfig).length < 200) wideConfig[`extra.${Object.keys(wideConfig).length}`] = "x";

const specContext: ValidationContext = { plugins: catalog, grammars: identifierGrammars({ vaultHosts: DEFAULT_VAULT_HOST_POLICY }) };
const wideContext: ValidationContext = { plugins: createCatalog([widePlugin]), grammars: identifierGrammars({ vaultHosts: DEFAULT_VAULT_HOST_POLICY }) };

function opsPerSecond(fn: () => unknown): number {
  const rounds: number[] = [];
  for (let round = 0; round < 5; round++) {
    let count = 0;
    const start = process.hrtime.bigint();
    const deadline = start + BigInt(Math.round((SECONDS / 5) * 1e9));
    let now = start;
    while (now < deadline) {
      for (let i = 0; i < 200; i++) fn();
      count += 200;
      now = process.hrtime.bigint();
    }
    rounds.push(count / (Number(now - start) / 1e9));
  }
  rounds.sort((a, b) => a - b);
  return rounds[2] ?? 0;
}

function check(label: string, context: ValidationContext, config: Record<string, string>): void {
  const report = validateConnectorConfigInput(config, context);
  if (report.error_count !== 0) throw new Error(`${label}: the benchmark config is invalid: ${JSON.stringify(report.configs.filter((c) => c.value.errors.length > 0))}`);
}

check("example", specContext, example);
check("wide", wideContext, wideConfig);
// Warm up the JIT before measuring.
opsPerSecond(() => validateConnectorConfigInput(example, specContext));

const cases = [
  { label: "spec example (SqlServerCdcSourceV2, 22 keys, 2 managed)", config: example, context: specContext },
  { label: "wide config (200 keys, 10 managed)", config: wideConfig, context: wideContext },
];
console.log(`bench/validate — ${SECONDS}s per case, median of 5 rounds, node ${process.version}`);
let failed = false;
for (const { label, config, context } of cases) {
  const baseline = opsPerSecond(() => structuredClone(config));
  const rate = opsPerSecond(() => validateConnectorConfigInput(config, context));
  const target = config === example ? ` (target > ${TARGET_PER_SECOND.toLocaleString("en-US")}/s: ${rate > TARGET_PER_SECOND ? "met" : "NOT MET"})` : "";
  if (config === example && rate <= TARGET_PER_SECOND) failed = true;
  console.log(`${label}\n  ${Math.round(rate).toLocaleString("en-US")} validations/s${target}\n  ${(baseline / rate).toFixed(2)}× the time of structuredClone of the same config (${Math.round(baseline).toLocaleString("en-US")} clones/s)`);
}
if (failed) process.exitCode = 1;
