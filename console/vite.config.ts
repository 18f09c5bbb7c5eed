// The web console: `npm run build` bundles it into dist/console/, which
// `vaultwire server` serves at `/`. `npx vite --config console/vite.config.ts`
// runs it with hot reload against a server on 127.0.0.1:8080.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const api = "http://127.0.0.1:8080";
const apiPrefixes = ["/org", "/cmk", "/pim", "/iam", "/connect", "/health", "/openapi.json"];

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/",
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL("../dist/console", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    assetsInlineLimit: 0,
  },
  server: {
    // The console reuses the pure domain code from ../src/domain.
    fs: { allow: [fileURLToPath(new URL("..", import.meta.url))] },
    proxy: Object.fromEntries(apiPrefixes.map((prefix) => [prefix, { target: api }])),
  },
});
