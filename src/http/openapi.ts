/**
 * The OpenAPI 3.1 document, generated from the route schemas without a
 * database or services (the routes are registered, never called). Committed
 * as docs/openapi.json; a test keeps the two equal.
 */
import pino from "pino";
import { allowedVaultHosts, DEFAULT_VAULT_HOST_POLICY } from "../secret-managers/azure-key-vault/vault-host-policy.js";
import { createHttpApp, type HttpServices } from "./app.js";

function inert(name: string): never {
  return new Proxy({}, {
    get: (_target, property) => () => {
      throw new Error(`${name}.${String(property)} is not available while generating the OpenAPI document`);
    },
  }) as never;
}

export async function generateOpenApiDocument(): Promise<unknown> {
  const services: HttpServices = {
    environments: inert("environments"),
    organization: inert("organization"),
    clusters: inert("clusters"),
    integrations: inert("integrations"),
    connectors: inert("connectors"),
    connectorOffsets: inert("connectorOffsets"),
    apiKeys: inert("apiKeys"),
    serviceAccounts: inert("serviceAccounts"),
    roleBindings: inert("roleBindings"),
    workerCredentials: inert("workerCredentials"),
    secretEvents: inert("secretEvents"),
    audit: inert("audit"),
  };
  const app = await createHttpApp({
    services,
    store: { ping: () => Promise.resolve(true), connectors: inert("connectors") },
    logger: pino({ level: "silent" }),
    links: { publicUrl: "http://127.0.0.1:8080", organizationId: "00000000-0000-0000-0000-000000000000" },
    platformAppId: "",
    vaultHosts: DEFAULT_VAULT_HOST_POLICY,
    secretManagerHosts: { AZURE_KEY_VAULT: allowedVaultHosts(DEFAULT_VAULT_HOST_POLICY) },
  });
  await app.ready();
  const document = app.swagger();
  await app.close();
  return document;
}
