/**
 * The repositories over one Kysely instance: the store's own, or a
 * transaction's (Kysely's Transaction is a Kysely bound to one connection).
 */
import type { Kysely } from "kysely";
import type { Database } from "../schema.js";
import type { Repositories } from "../store.js";
import { apiKeyRepository } from "./api-keys.js";
import { clusterRepository } from "./clusters.js";
import { connectorRepository } from "./connectors.js";
import { environmentRepository } from "./environments.js";
import { integrationRepository } from "./integrations.js";
import { metaRepository } from "./meta.js";
import { workerCredentialRepository } from "./worker-credentials.js";

export function createRepositories(db: Kysely<Database>): Repositories {
  return {
    environments: environmentRepository(db),
    clusters: clusterRepository(db),
    integrations: integrationRepository(db),
    connectors: connectorRepository(db),
    apiKeys: apiKeyRepository(db),
    workerCredentials: workerCredentialRepository(db),
    meta: metaRepository(db),
  };
}
