import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateOpenApiDocument } from "./openapi.js";
import { BODY_ERROR_STATUSES, COMMON_ERROR_STATUSES } from "./schemas.js";

interface OpenApi {
  openapi: string;
  paths: Record<string, Record<string, { tags?: string[]; summary?: string; responses?: Record<string, unknown> }>>;
  components: { securitySchemes: Record<string, unknown> };
}

describe("the OpenAPI document", () => {
  it("is committed as docs/openapi.json and current (regenerate with: npm run openapi)", async () => {
    const committed = JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8")) as unknown;
    expect(await generateOpenApiDocument()).toEqual(committed);
  });

  it("is OpenAPI 3.1 and documents every API family with summaries and error responses", async () => {
    const document = await generateOpenApiDocument() as OpenApi;
    expect(document.openapi).toBe("3.1.0");
    expect(document.components.securitySchemes).toHaveProperty("apiKey");
    const paths = Object.keys(document.paths);
    for (const expected of [
      "/org/v2/environments", "/org/v2/environments/{id}", "/cmk/v2/clusters", "/cmk/v2/clusters/{id}",
      "/pim/v2/integrations", "/pim/v2/integrations/{id}", "/pim/v2/integrations:validate", "/iam/v2/api-keys",
      "/connect/v1/environments/{environment_id}/clusters/{kafka_cluster_id}/connectors",
      "/connect/v1/environments/{environment_id}/clusters/{kafka_cluster_id}/connectors/{connector_name}/config",
      "/connect/v1/environments/{environment_id}/clusters/{kafka_cluster_id}/connector-plugins/{plugin_name}/config/validate",
    ]) expect(paths).toContain(expected);
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).toContain("401");
      }
    }
    expect(paths.some((p) => p.includes("/health") || p.includes("/metrics"))).toBe(false);
  });

  it("declares on every operation the statuses any request can get: malformed, too long, credentials, lockout, internal", async () => {
    const document = await generateOpenApiDocument() as OpenApi & { paths: Record<string, Record<string, { requestBody?: unknown }>> };
    let operations = 0;
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        operations++;
        const statuses = Object.keys(operation.responses ?? {});
        const expected = [...COMMON_ERROR_STATUSES, ...(operation.requestBody === undefined ? [] : BODY_ERROR_STATUSES)].map(String);
        expect(statuses, `${method} ${path}`).toEqual(expect.arrayContaining(expected));
      }
    }
    expect(operations).toBeGreaterThan(30);
    const create = document.paths["/iam/v2/api-keys"]?.post as { responses: Record<string, { headers?: Record<string, unknown> }> };
    expect(create.responses["202"]?.headers).toHaveProperty("cache-control");
    expect(create.responses["429"]?.headers).toHaveProperty("retry-after");
    expect(create.responses["401"]?.headers).toHaveProperty("www-authenticate");
  });
});
