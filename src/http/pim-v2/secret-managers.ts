/**
 * GET /pim/v2/secret-managers — vaultwire's addition: the secret managers a
 * connector config may name and where their identifiers may point, so a form
 * can show the allowed vault hosts before anything is sent. Read-only, for
 * every API key (the same facts a validation error names).
 */
import type { FastifyInstance } from "fastify";
import { SECRET_MANAGER_CLOUDS, type AllowedSecretHosts, type SecretManagerKind } from "../../domain/secret-managers.js";
import type { RouteDependencies } from "../app.js";
import { str, v2ErrorResponses } from "../schemas.js";

/** Each supported manager's allowed hosts, in the order the validate endpoint offers the managers. */
export type SecretManagerHosts = Readonly<Partial<Record<SecretManagerKind, AllowedSecretHosts>>>;

const hostList = { type: "array", maxItems: 256, items: str(300) } as const;
const managerSchema = {
  type: "object",
  properties: {
    kind: { const: "SecretManager" },
    id: { enum: ["AZURE_KEY_VAULT", "AWS_SECRETS_MANAGER", "GCP_SECRET_MANAGER"], description: "the value of secret.manager" },
    provider: { enum: ["AZURE", "AWS", "GCP"], description: "the cloud whose provider integrations read this manager" },
    allowed_hosts: {
      type: "object",
      description: "where identifiers may point: patterns (<vault-name>.vault.azure.net, secretsmanager.<region>.amazonaws.com) and the exact hosts this server's operator added",
      properties: { patterns: hostList, hosts: hostList },
    },
  },
} as const;

export function registerSecretManagers(app: FastifyInstance, deps: Pick<RouteDependencies, "principalOf" | "secretManagerHosts">): void {
  app.get("/pim/v2/secret-managers", {
    schema: {
      tags: ["Provider integrations (pim/v2)"],
      summary: "vaultwire: the secret managers a connector may use and the hosts their identifiers may name",
      response: { 200: { type: "object", properties: { api_version: { const: "pim/v2" }, kind: { const: "SecretManagerList" }, data: { type: "array", items: managerSchema } } }, ...v2ErrorResponses() },
    },
  }, (request) => {
    deps.principalOf(request);
    const data = Object.entries(deps.secretManagerHosts).map(([id, allowed]) => ({
      kind: "SecretManager",
      id,
      provider: SECRET_MANAGER_CLOUDS[id as SecretManagerKind],
      allowed_hosts: { patterns: allowed.patterns, hosts: allowed.hosts },
    }));
    return Promise.resolve({ api_version: "pim/v2", kind: "SecretManagerList", data });
  });
}
