// Lint runs in the test command (`npm test`) with zero warnings allowed.
import js from "@eslint/js";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// ---------------------------------------------------------------------------
// Layering (docs/architecture.md, "Layers"; decision 38). One block per layer,
// each with the whole list of what that layer may not import: in a flat config
// a later block's `no-restricted-imports` replaces an earlier one's for the
// same file, it does not add to it. Unit tests beside the code (`*.test.ts`)
// are exempt: they may use fakes and helpers from anywhere.

/** The folders under src/ that are layers. */
const LAYERS = ["domain", "catalog", "secret-managers", "store", "runtime", "services", "http", "cli", "emulator", "main", "dev"];
const NODE_BUILTINS = ["node:*", "fs", "path", "crypto", "os", "http", "https", "process", "child_process"];
/** Product code imports no test code (and no test library: they are devDependencies). @type {Pattern} */
const TEST_CODE = {
  group: ["**/test/**", "**/*.test.js", "**/*.test.ts", "vitest", "vitest/**", "fast-check"],
  message: "product code imports no test code: move what it needs into src/ (src/dev/ for local tooling) and let the tests import it from there.",
};
/** The secret managers, one folder each under src/secret-managers/. */
const PROVIDERS = readdirSync(join(import.meta.dirname, "src", "secret-managers"), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);

/**
 * @typedef {{ group: string[], message: string, allowTypeImports?: boolean }} Pattern
 */

/**
 * The import patterns of a layer that may import `may` (besides itself) and,
 * type-only, the ports of `types`: every other layer is refused, and test code.
 * @param {string} name the layer's folder (`http/`) or file, for messages
 * @param {{ may?: string[], types?: string[], extra?: Pattern[], grammars?: boolean }} [options] grammars: the pure grammar files of secret-managers/ are allowed
 * @returns {Pattern[]}
 */
function layerPatterns(name, { may = [], types = [], extra = [], grammars = false } = {}) {
  const typesNote = types.length === 0 ? "" : ` (and \`import type\` of the ports in ${types.map((layer) => `${layer}/`).join(", ")})`;
  const what = may.length === 0 ? "imports nothing of the product" : `may import only ${may.map((layer) => `${layer}/`).join(", ")}`;
  const message = `${name} ${what}${typesNote} (docs/architecture.md, decision 38).`;
  const refused = LAYERS.filter((layer) => `${layer}/` !== name && !name.startsWith(`${layer}/`) && !may.includes(layer));
  const hard = refused.filter((layer) => !types.includes(layer));
  const typeOnly = refused.filter((layer) => types.includes(layer));
  return [
    TEST_CODE,
    ...extra,
    ...(hard.length === 0 ? [] : [{ group: hard.flatMap((layer) => (grammars && layer === "secret-managers" ? [`**/${layer}/**/*.js`, `**/${layer}/**/*.ts`, ...GRAMMAR_FILES.map((file) => `!**/${file}`)] : [`**/${layer}/**`])), message: grammars && hard.includes("secret-managers") ? `${message.slice(0, -1)} The pure identifier grammars of secret-managers/ are allowed: ${GRAMMAR_FILES.join(", ")}.` : message }]),
    ...(typeOnly.length === 0 ? [] : [{ group: typeOnly.map((layer) => `**/${layer}/**`), allowTypeImports: true, message: `${message} A value is not a port: move it inward.` }]),
  ];
}

/**
 * A config block restricting the imports of `files`.
 * @param {string[]} files
 * @param {Pattern[]} patterns
 */
function layer(files, patterns) {
  return { files, ignores: ["**/*.test.ts"], rules: { "no-restricted-imports": ["error", { patterns }] } };
}

/**
 * The pure part of secret-managers/: each provider's identifier grammar, host
 * policy and integration config reader, and the table that gathers them
 * (decision 39). The CLI's offline validation, the console, the library entry
 * and the HTTP layer's request schemas use them; they import only domain/ and
 * each other, and no Node built-ins.
 */
const GRAMMAR_FILES = ["secret-managers/grammars.js", "secret-managers/integration-configs.js", ...PROVIDERS.flatMap((provider) => ["identifier.js", "vault-host-policy.js", "integration-config.js"].map((file) => `secret-managers/${provider}/${file}`))];
const GRAMMAR_SOURCES = ["src/secret-managers/grammars.ts", "src/secret-managers/integration-configs.ts", "src/secret-managers/*/identifier.ts", "src/secret-managers/*/vault-host-policy.ts", "src/secret-managers/*/integration-config.ts"];

/** @type {Pattern} */
const PURE = { group: NODE_BUILTINS, message: "domain/ and catalog/ are pure: no Node built-ins (the web console runs them too)." };
/**
 * A provider's folder imports no other provider's folder.
 * @param {string} provider
 * @returns {Pattern[]}
 */
const otherProviders = (provider) => PROVIDERS.filter((other) => other !== provider).map((other) => ({
  group: [`**/${other}/**`],
  message: `secret-managers/${provider}/ may not import another secret manager's folder (secret-managers/${other}/): share code through secret-managers/ itself.`,
}));

export default defineConfig(
  { ignores: ["dist/", "build-check/", "node_modules/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["eslint.config.js", "bench/*.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "no-restricted-imports": "off",
    },
  },
  {
    files: ["**/*.test.ts"],
    rules: {
      // Property tests build strings from ASCII alphabets on purpose.
      "@typescript-eslint/no-misused-spread": "off",
    },
  },
  {
    files: ["src/domain/**/*.ts", "src/catalog/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: { "no-restricted-globals": ["error", { name: "process", message: "domain/ and catalog/ are pure: no environment." }] },
  },
  // domain/ is flat: any `../` leaves it.
  layer(["src/domain/**/*.ts"], layerPatterns("domain/", { extra: [PURE, { group: ["../*"], message: "domain/ may import nothing outside domain/ (docs/architecture.md, decision 38)." }] })),
  layer(["src/catalog/**/*.ts"], layerPatterns("catalog/", { may: ["domain"], extra: [PURE] })),
  layer(["src/secret-managers/**/*.ts"], layerPatterns("secret-managers/", { may: ["domain"] })),
  ...PROVIDERS.map((provider) => layer([`src/secret-managers/${provider}/**/*.ts`], layerPatterns(`secret-managers/${provider}/`, { may: ["domain", "secret-managers"], extra: otherProviders(provider) }))),
  // The grammars are as pure as the domain (the web console runs them).
  layer(GRAMMAR_SOURCES, [...layerPatterns("secret-managers/ grammars", { may: ["domain", "secret-managers"] }), { ...PURE, message: "the identifier grammars are pure: no Node built-ins (the web console runs them too)." }]),
  layer(["src/store/**/*.ts"], layerPatterns("store/", { may: ["domain"] })),
  // The reconciler implements services' ConnectorRuntime port and calls the
  // SecretDelivery and Store ports: their types, never their code.
  layer(["src/runtime/**/*.ts"], layerPatterns("runtime/", { may: ["domain", "catalog"], types: ["services", "store"] })),
  layer(["src/services/**/*.ts"], layerPatterns("services/", { may: ["domain", "catalog", "secret-managers", "store", "runtime"] })),
  // The readiness probe and the page request use the Store port's types.
  layer(["src/http/**/*.ts"], layerPatterns("http/", { may: ["services", "domain"], types: ["store"], grammars: true })),
  // The CLI is an API client: domain/ and catalog/ (the offline `config validate`).
  layer(["src/cli/**/*.ts"], layerPatterns("cli/", { may: ["domain", "catalog"], grammars: true })),
  // …except the two commands that start something in-process.
  layer(["src/cli/commands/server.ts"], layerPatterns("cli/commands/server.ts", { may: ["domain", "catalog", "main"] })),
  layer(["src/cli/commands/dev-azure.ts"], layerPatterns("cli/commands/dev-azure.ts", { may: ["domain", "catalog", "emulator"] })),
  layer(["src/emulator/**/*.ts"], layerPatterns("emulator/", { extra: [{ group: ["../../index.js"], message: "emulator/ imports nothing of the product (docs/architecture.md, decision 38)." }] })),
  // The composition root: everything but dev/ (not in the package) and test code.
  layer(["src/main/**/*.ts"], layerPatterns("main/", { may: LAYERS.filter((name) => name !== "dev" && name !== "main") })),
  // Local Kafka for tests, the quickstart and benchmarks; not in the package.
  layer(["src/dev/**/*.ts"], layerPatterns("dev/", { may: ["domain", "runtime"] })),
  // The library entry ("vaultwire"): the pure layers only, so importing it loads no server.
  layer(["src/index.ts"], layerPatterns("src/index.ts", { may: ["domain", "catalog"], grammars: true })),
  // Scripts may use any of src/ (dev/ too), but no test code.
  layer(["scripts/**/*.ts"], [TEST_CODE]),
  // The web console runs in the browser: the pure layers only.
  layer(["console/src/**/*.ts", "console/src/**/*.tsx"], layerPatterns("console/src/", { may: ["domain", "catalog"], grammars: true })),
);
