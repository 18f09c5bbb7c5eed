/**
 * The repositories over one Kysely instance: the store's own, or a
 * transaction's (Kysely's Transaction is a Kysely bound to one connection).
 */
import type { Kysely } from "kysely";
import type { Database, StoreDialect } from "../schema.js";
import type { Repositories } from "../store.js";
import { apiKeyRepository } from "./api-keys.js";
import { auditRepository } from "./audit.js";
import { clusterRepository } from "./clusters.js";
import { connectorRepository } from "./connectors.js";
import { environmentRepository } from "./environments.js";
import { eventSubscriptionRepository } from "./event-subscriptions.js";
import { roleBindingRepository, serviceAccountRepository } from "./identity.js";
import { integrationRepository } from "./integrations.js";
import { metaRepository } from "./meta.js";
import { offsetRequestRepository } from "./offset-requests.js";
import { leaseRepository, runtimeRequestRepository, runtimeStateRepository, secretVersionRepository } from "./runtime.js";
import { workerCredentialRepository } from "./worker-credentials.js";

export function createRepositories(db: Kysely<Database>, dialect: StoreDialect): Repositories {
  return {
    environments: environmentRepository(db),
    clusters: clusterRepository(db),
    integrations: integrationRepository(db),
    connectors: connectorRepository(db),
    apiKeys: apiKeyRepository(db),
    serviceAccounts: serviceAccountRepository(db),
    roleBindings: roleBindingRepository(db),
    workerCredentials: workerCredentialRepository(db),
    meta: metaRepository(db),
    leases: leaseRepository(db, dialect),
    runtimeState: runtimeStateRepository(db),
    runtimeRequests: runtimeRequestRepository(db),
    secretVersions: secretVersionRepository(db),
    eventSubscriptions: eventSubscriptionRepository(db),
    offsetRequests: offsetRequestRepository(db),
    audit: auditRepository(db),
  };
}
