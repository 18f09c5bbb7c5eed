import { defineConfig } from "vitest/config";

// Layers: `unit` (beside the code, no IO, seconds), `integration` (test/,
// real services) and `security` (test/security/: the standing attack suite
// with its canary scans). `npm test` runs them all; `npm run test:unit` for a
// quick loop, `npm run test:security` for the attacks alone.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["src/**/*.test.ts"], environment: "node" } },
      { test: { name: "integration", include: ["test/**/*.test.ts"], exclude: ["test/security/**", "**/node_modules/**"], environment: "node", testTimeout: 120_000 } },
      { test: { name: "security", include: ["test/security/**/*.test.ts"], environment: "node", testTimeout: 120_000 } },
    ],
  },
});
