import { defineConfig } from "vitest/config";

// Layers: `unit` (beside the code, no IO, seconds) and `integration` (test/,
// real services). `npm test` runs them all; `npm run test:unit` for a quick loop.
export default defineConfig({
  test: {
    projects: [
      { test: { name: "unit", include: ["src/**/*.test.ts"], environment: "node" } },
      { test: { name: "integration", include: ["test/**/*.test.ts"], environment: "node", testTimeout: 120_000 } },
    ],
  },
});
