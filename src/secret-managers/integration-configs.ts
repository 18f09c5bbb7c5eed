/**
 * Each provider's integration configuration as a request gives it
 * (Confluent's `config` object: `AzureIntegrationConfig`, `AwsIntegrationConfig`),
 * read by the provider's own folder. With the registry, the one place that
 * maps a provider to its code. Pure.
 */
import type { FieldProblem } from "../domain/errors.js";
import type { IntegrationConfig, IntegrationProvider } from "../domain/resources.js";
import { err, ok, type Result } from "../domain/result.js";
import { readAwsIntegrationConfig } from "./aws-secrets-manager/integration-config.js";

const TENANT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readAzureIntegrationConfig(input: Readonly<Record<string, unknown>>): Result<IntegrationConfig, FieldProblem[]> {
  const problems: FieldProblem[] = [];
  if (input.kind !== undefined && input.kind !== "AzureIntegrationConfig") problems.push({ field: "config.kind", message: "config.kind must be AzureIntegrationConfig for an AZURE integration" });
  const tenant = input.customer_azure_tenant_id;
  if (typeof tenant !== "string" || !TENANT.test(tenant.trim())) problems.push({ field: "config.customer_azure_tenant_id", message: "config.customer_azure_tenant_id must be a tenant id (a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47)" });
  return problems.length > 0 ? err(problems) : ok({ kind: "AzureIntegrationConfig", customerAzureTenantId: (tenant as string).trim().toLowerCase() });
}

/** The provider's configuration from a request, or null when the provider has none vaultwire can read. */
export function readIntegrationConfig(provider: IntegrationProvider, input: Readonly<Record<string, unknown>>, generated: { readonly externalId: string }): Result<IntegrationConfig, FieldProblem[]> | null {
  switch (provider) {
    case "AZURE": return readAzureIntegrationConfig(input);
    case "AWS": return readAwsIntegrationConfig(input, generated.externalId);
    case "GCP": return null;
  }
}
