// Writes docs/openapi.json from the route schemas: npm run openapi
import { writeFile } from "node:fs/promises";
import { generateOpenApiDocument } from "../src/http/openapi.js";

const path = new URL("../docs/openapi.json", import.meta.url);
await writeFile(path, `${JSON.stringify(await generateOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${path.pathname}`);
