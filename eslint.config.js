// Lint runs in the test command (`npm test`) with zero warnings allowed.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

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
    // Layering (docs/architecture.md): domain/ and catalog/ are pure and
    // portable (the web console runs them too): no Node built-ins, no outer layer.
    files: ["src/domain/**/*.ts", "src/catalog/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["node:*", "fs", "path", "crypto", "os", "http", "https", "process", "child_process"], message: "domain/ and catalog/ are pure: no Node built-ins." },
        { group: ["**/services/**", "**/http/**", "**/store/**", "**/cli/**", "**/runtime/**", "**/secret-managers/**", "**/emulator/**", "**/main/**"], message: "domain/ and catalog/ may import only domain/ (docs/architecture.md)." },
      ] }],
      "no-restricted-globals": ["error", { name: "process", message: "domain/ and catalog/ are pure: no environment." }],
    },
  },
  {
    files: ["src/domain/**/*.ts"],
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [
        { group: ["node:*", "fs", "path", "crypto", "os", "http", "https", "process", "child_process"], message: "domain/ is pure: no Node built-ins." },
        { group: ["../*"], message: "domain/ may import nothing outside domain/ (docs/architecture.md)." },
      ] }],
    },
  },
);
