/**
 * API keys: `Authorization: Basic base64(key:secret)`. Secrets are stored as
 * scrypt hashes and shown once; successful verifications are remembered
 * briefly (by a SHA-256 of the secret) so scrypt does not run on every request.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { AuthenticationError, InputError, NotAllowedError, NotFoundError } from "../domain/errors.js";
import { crnOf, grantsOfKey, principalOfServiceAccount, type ApiKeyResource, type CrnScope, type RoleBinding, type ServiceAccount } from "../domain/identity.js";
import { isId } from "../domain/ids.js";
import { API_KEY_ROLES, ROLES_BY_SCOPE, type ApiKey, type ApiKeyRole } from "../domain/resources.js";
import { UniqueViolationError, type Page, type PageRequest } from "../store/store.js";
import type { ServiceContext } from "./context.js";
import { asciiLower, FieldChecks } from "./input.js";
import { assertOrgAdmin, assertOrgReader, type Principal } from "./principal.js";

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 } as const;
const KEY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const VERIFIED_TTL_MS = 60_000;
const TOUCH_INTERVAL_MS = 60_000;

function scrypt(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(secret, salt, SCRYPT.keyLength, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${salt.toString("base64url")}$${hash.toString("base64url")}`;
}

export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltText, hashText] = stored.split("$");
  if (scheme !== "scrypt" || n === undefined || r === undefined || p === undefined || saltText === undefined || hashText === undefined) return false;
  const expected = Buffer.from(hashText, "base64url");
  const actual = await scrypt(secret, Buffer.from(saltText, "base64url"), { N: Number(n), r: Number(r), p: Number(p) });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * What an unknown key id's secret is checked against, so that an unknown id
 * costs the same scrypt work as a known one with a wrong secret (the answer
 * time does not tell which key ids exist). No secret hashes to all zeros.
 */
const UNKNOWN_KEY_HASH = `scrypt$${SCRYPT.N}$${SCRYPT.r}$${SCRYPT.p}$${Buffer.from("vaultwire:no-key").toString("base64url")}$${Buffer.alloc(SCRYPT.keyLength).toString("base64url")}`;

function randomText(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let text = "";
  for (const byte of bytes) text += alphabet.charAt(byte % alphabet.length);
  return text;
}

export function newKeyId(): string {
  return randomText(16, KEY_ALPHABET);
}

export function newKeySecret(): string {
  return randomBytes(48).toString("base64url");
}

export interface CreatedApiKey {
  readonly key: ApiKey;
  /** Shown once, never stored. */
  readonly secret: string;
}

export interface ApiKeyInput {
  readonly displayName?: unknown;
  readonly description?: unknown;
  /** `spec.owner.id`; absent: vaultwire creates a service account for the key with `role` (decision 45). */
  readonly ownerId?: unknown;
  readonly ownerKind?: unknown;
  /** `spec.resource.id`: absent, null or `cloud` (a Cloud API key), `env-…` (vaultwire's environment keys) or `lkc-…`. */
  readonly resourceId?: unknown;
  readonly resourceKind?: unknown;
  readonly resourceEnvironment?: unknown;
  /** vaultwire: the role of the service account created for a key without an owner. */
  readonly role?: unknown;
}

export interface ApiKeyService {
  /** On an empty store: the first admin key (from the given values or generated). Null when keys exist. */
  bootstrap(given?: { key?: string | undefined; secret?: string | undefined }): Promise<CreatedApiKey | null>;
  authenticate(authorization: string | undefined): Promise<Principal>;
  create(principal: Principal, input: ApiKeyInput): Promise<CreatedApiKey>;
  list(principal: Principal, filter: { owner?: string | undefined; resource?: string | undefined }, page: PageRequest): Promise<Page<ApiKey>>;
  get(principal: Principal, id: string): Promise<ApiKey>;
  /** Changes display_name and description, nothing else; `others` names the other spec fields the request sent. */
  update(principal: Principal, id: string, input: { displayName?: unknown; description?: unknown; others: readonly string[] }): Promise<ApiKey>;
  delete(principal: Principal, id: string): Promise<void>;
}

export function apiKeyNotFound(id: string): NotFoundError {
  return new NotFoundError(`API key "${id}" was not found`);
}

export const MAX_API_KEY_TEXT = 255;
const OWNER_KINDS = ["ServiceAccount"] as const;
const RESOURCE_KINDS: Readonly<Record<ApiKeyResource["kind"], string>> = { Cloud: "Cloud", Environment: "Environment", Cluster: "Cluster" };

/** What `spec.resource.id` names, before it is looked up. */
type ResourceRef = { kind: "Cloud" } | { kind: "Environment"; environmentId: string } | { kind: "Cluster"; clusterId: string };

function readResource(checks: FieldChecks, id: unknown, kind: unknown): ResourceRef | undefined {
  const text = checks.optionalString("spec.resource.id", id, 68);
  if (checks.problems.some((p) => p.field === "spec.resource.id")) return undefined;
  let ref: ResourceRef | undefined;
  if (text === undefined || asciiLower(text) === "cloud") ref = { kind: "Cloud" };
  else if (isId("environment", text)) ref = { kind: "Environment", environmentId: text };
  else if (isId("kafkaCluster", text)) ref = { kind: "Cluster", clusterId: text };
  else {
    checks.add("spec.resource.id", "spec.resource.id must be cloud (or absent) for a Cloud API key, an environment id (env-…) or a Kafka cluster id (lkc-…)");
    return undefined;
  }
  if (kind !== undefined && kind !== null && kind !== RESOURCE_KINDS[ref.kind]) {
    checks.add("spec.resource.kind", `spec.resource.kind must be ${RESOURCE_KINDS[ref.kind]} for spec.resource.id ${text ?? "cloud"} (or absent)`);
    return undefined;
  }
  return ref;
}

export function createApiKeyService(context: ServiceContext & { readonly organizationId: string }): ApiKeyService {
  const { store } = context;
  /**
   * Secrets this replica verified recently (scrypt is slow on purpose). The key's
   * row and its owner's role bindings are still read at every request, so a key
   * deleted, or a binding changed, on any replica takes effect on the next request everywhere.
   */
  const verified = new Map<string, { digest: Buffer; until: number; secretHash: string }>();
  const touched = new Map<string, number>();

  async function newKey(ownerId: string, resource: ApiKeyResource, displayName: string, description: string, given?: { key?: string | undefined; secret?: string | undefined }): Promise<CreatedApiKey> {
    const secret = given?.secret ?? newKeySecret();
    const now = context.now();
    const key: ApiKey = { id: given?.key ?? newKeyId(), secretHash: await hashSecret(secret), ownerId, resource, displayName, description, createdAt: now, updatedAt: now, lastUsedAt: null };
    return { key, secret };
  }

  /** A key with a service account of its own holding `role` on the key's scope (keys created without spec.owner, and the bootstrap key). */
  async function insertWithOwnAccount(created: CreatedApiKey, accountName: string, role: ApiKeyRole): Promise<void> {
    const { key } = created;
    const scope: CrnScope = key.resource.kind === "Cloud" ? { kind: "organization" } : { kind: "environment", environmentId: key.resource.environmentId };
    const account: ServiceAccount = { id: key.ownerId, displayName: accountName, description: `Owner of API key ${key.id}`, createdAt: key.createdAt, updatedAt: key.createdAt };
    await store.transaction(async (tx) => {
      try {
        await tx.serviceAccounts.insert(account);
      } catch (error) {
        if (!(error instanceof UniqueViolationError)) throw error;
        await tx.serviceAccounts.insert({ ...account, displayName: `${accountName}-${key.id.toLowerCase()}` });
      }
      await tx.roleBindings.insert({ id: context.newId("roleBinding"), principal: principalOfServiceAccount(account.id), roleName: role, crnPattern: crnOf(context.organizationId, scope), scope, createdAt: key.createdAt });
      await tx.apiKeys.insert(key);
    });
  }

  return {
    async bootstrap(given) {
      if ((await store.apiKeys.count()) > 0) return null;
      // Replicas starting together on an empty database: only the one whose claim is stored creates the key.
      const claim = crypto.randomUUID();
      if ((await store.meta.setIfAbsent("bootstrap_claim", claim)) !== claim) return null;
      if ((given?.key === undefined) !== (given?.secret === undefined)) {
        throw new Error("VAULTWIRE_BOOTSTRAP_API_KEY and VAULTWIRE_BOOTSTRAP_API_SECRET go together: set both or neither");
      }
      if (given?.key !== undefined && !/^[A-Za-z0-9._-]{8,64}$/.test(given.key)) throw new Error("VAULTWIRE_BOOTSTRAP_API_KEY must be 8-64 letters, digits, '.', '_' or '-'");
      if (given?.secret !== undefined && given.secret.length < 16) throw new Error("VAULTWIRE_BOOTSTRAP_API_SECRET must be at least 16 characters");
      const created = await newKey(context.newId("serviceAccount"), { kind: "Cloud" }, "bootstrap admin key", "bootstrap admin key", given);
      await insertWithOwnAccount(created, "bootstrap-admin", "OrganizationAdmin");
      return created;
    },

    async authenticate(authorization) {
      if (authorization === undefined || !/^Basic\s+/i.test(authorization)) throw new AuthenticationError("missing credentials: send an API key and secret as HTTP Basic authentication");
      const decoded = Buffer.from(authorization.replace(/^Basic\s+/i, "").trim(), "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon <= 0 || decoded.length > 512) throw new AuthenticationError("malformed Basic credentials: expected base64(key:secret)");
      const id = decoded.slice(0, colon);
      const secret = decoded.slice(colon + 1);
      const digest = createHash("sha256").update(secret).digest();
      const now = Date.now();
      const key = await store.apiKeys.get(id);
      const cached = verified.get(id);
      if (!key || !cached || cached.until <= now || cached.secretHash !== key.secretHash || !timingSafeEqual(cached.digest, digest)) {
        // An unknown id pays the same scrypt as a wrong secret does.
        const matches = await verifySecret(secret, key?.secretHash ?? UNKNOWN_KEY_HASH);
        if (!key || !matches) {
          verified.delete(id);
          throw new AuthenticationError("invalid API key or secret");
        }
        verified.set(id, { digest, until: now + VERIFIED_TTL_MS, secretHash: key.secretHash });
        if (verified.size > 10_000) verified.clear();
      }
      const principal = principalOf(key, await store.roleBindings.listByServiceAccount(key.ownerId));
      if ((touched.get(id) ?? 0) + TOUCH_INTERVAL_MS < now) {
        touched.set(id, now);
        await store.apiKeys.touch(id, context.now());
      }
      return principal;
    },

    async create(principal, input) {
      assertOrgAdmin(principal, "creating an API key");
      const checks = new FieldChecks();
      const displayName = checks.optionalString("spec.display_name", input.displayName, MAX_API_KEY_TEXT) ?? "";
      const description = checks.optionalString("spec.description", input.description, MAX_API_KEY_TEXT) ?? "";
      const ownerId = checks.optionalString("spec.owner.id", input.ownerId, 67);
      if (ownerId !== undefined && !isId("serviceAccount", ownerId)) {
        checks.add("spec.owner.id", ownerId.startsWith("u-") ? "spec.owner.id must name a service account (sa-…); vaultwire has no user accounts" : "spec.owner.id must be a service account id (sa-…)");
      }
      if (input.ownerKind !== undefined && input.ownerKind !== null && !OWNER_KINDS.some((kind) => kind === input.ownerKind)) checks.add("spec.owner.kind", "spec.owner.kind must be ServiceAccount (or absent)");
      const ref = readResource(checks, input.resourceId, input.resourceKind);
      const resourceEnvironment = checks.optionalString("spec.resource.environment", input.resourceEnvironment, 64);
      let role: ApiKeyRole | undefined;
      if (input.role !== undefined && input.role !== null) {
        const text = typeof input.role === "string" ? asciiLower(input.role) : undefined;
        const given = API_KEY_ROLES.find((r) => asciiLower(r) === text);
        if (given === undefined) checks.add("spec.role", `spec.role must be one of ${API_KEY_ROLES.join(", ")}`);
        else if (ownerId !== undefined || input.ownerId !== undefined && input.ownerId !== null) checks.add("spec.role", "spec.role is only for keys without spec.owner (vaultwire then creates their service account); an owner's role bindings say what its keys may do");
        else if (ref !== undefined && ref.kind !== "Cluster") {
          const scope = ref.kind === "Cloud" ? "org" : "environment";
          const allowed = ROLES_BY_SCOPE[scope];
          if (!allowed.includes(given)) checks.add("spec.role", `spec.role ${given} needs ${given === "OrganizationAdmin" ? "an organization-wide key (no spec.resource)" : "an environment (spec.resource.id)"}; ${scope === "org" ? "organization-wide" : "environment"} keys take ${allowed.join(", ")}`);
          else role = given;
        }
      }
      if (ref?.kind === "Cluster" && (input.ownerId === undefined || input.ownerId === null)) checks.add("spec.owner", "spec.owner is required for a Kafka cluster API key: name the service account (sa-…) that owns it");
      checks.throwIfAny("invalid API key");
      let resource: ApiKeyResource;
      if (ref === undefined || ref.kind === "Cloud") resource = { kind: "Cloud" };
      else if (ref.kind === "Environment") {
        // Confluent answers a create with 400 (not 404) for what the body names.
        if (!(await store.environments.get(ref.environmentId))) throw new InputError(`spec.resource.id names environment "${ref.environmentId}", which was not found`, [{ field: "spec.resource.id", message: "no such environment" }]);
        resource = ref;
      } else {
        const cluster = await store.clusters.get(ref.clusterId);
        if (!cluster || (resourceEnvironment !== undefined && cluster.environmentId !== resourceEnvironment)) {
          throw new InputError(`spec.resource.id names Kafka cluster "${ref.clusterId}", which was not found${resourceEnvironment === undefined ? "" : ` in environment "${resourceEnvironment}"`}`, [{ field: "spec.resource.id", message: "no such Kafka cluster" }]);
        }
        resource = { kind: "Cluster", clusterId: cluster.id, environmentId: cluster.environmentId };
      }
      if (ownerId === undefined) {
        const created = await newKey(context.newId("serviceAccount"), resource, displayName, description);
        await insertWithOwnAccount(created, `api-key-${created.key.id.toLowerCase()}`, role ?? (resource.kind === "Cloud" ? "OrganizationAdmin" : "EnvironmentAdmin"));
        return created;
      }
      const created = await newKey(ownerId, resource, displayName, description);
      await store.transaction(async (tx) => {
        if (!(await tx.serviceAccounts.get(ownerId))) throw new InputError(`spec.owner.id names service account "${ownerId}", which does not exist`, [{ field: "spec.owner.id", message: "no such service account" }]);
        await tx.apiKeys.insert(created.key);
      });
      return created;
    },

    async list(principal, filter, page) {
      assertOrgReader(principal, "listing API keys");
      const checks = new FieldChecks();
      const ref = filter.resource === undefined ? undefined : readResource(checks, filter.resource, undefined);
      if (filter.owner !== undefined && !isId("serviceAccount", filter.owner)) checks.add("spec.owner", "spec.owner must be a service account id (sa-…)");
      checks.throwIfAny();
      let resource: ApiKeyResource | undefined;
      if (ref?.kind === "Cluster") {
        const cluster = await store.clusters.get(ref.clusterId);
        if (!cluster) return { items: [], nextPageToken: null };
        resource = { kind: "Cluster", clusterId: cluster.id, environmentId: cluster.environmentId };
      } else resource = ref;
      return store.apiKeys.list({ ...(filter.owner === undefined ? {} : { ownerId: filter.owner }), ...(resource === undefined ? {} : { resource }) }, page);
    },

    async get(principal, id) {
      // Every key may read itself (the CLI reads its organization from it).
      if (principal.keyId !== id) assertOrgReader(principal, "reading API keys");
      const key = await store.apiKeys.get(id);
      if (!key) throw apiKeyNotFound(id);
      return key;
    },

    async update(principal, id, input) {
      assertOrgAdmin(principal, "changing an API key");
      const checks = new FieldChecks();
      for (const field of input.others) checks.add(`spec.${field}`, `spec.${field} cannot be changed: an API key's update changes only spec.display_name and spec.description`);
      const displayName = checks.optionalString("spec.display_name", input.displayName, MAX_API_KEY_TEXT);
      const description = checks.optionalString("spec.description", input.description, MAX_API_KEY_TEXT);
      checks.throwIfAny("invalid API key update");
      const existing = await store.apiKeys.get(id);
      if (!existing) throw apiKeyNotFound(id);
      const updated = await store.apiKeys.update(id, { displayName: displayName ?? existing.displayName, description: description ?? existing.description, updatedAt: context.now() });
      if (!updated) throw apiKeyNotFound(id);
      return updated;
    },

    async delete(principal, id) {
      assertOrgAdmin(principal, "deleting API keys");
      // 403, as Confluent's document allows for a delete: this key may not do this.
      if (principal.keyId === id) throw new NotAllowedError(`API key "${id}" is the one making this request; delete it with another admin key`);
      if (!(await store.apiKeys.delete(id))) throw apiKeyNotFound(id);
      verified.delete(id);
    },
  };
}

/** The caller an API key makes: its owner's bindings, narrowed to the key's resource (decision 45). */
export function principalOf(key: ApiKey, bindings: readonly RoleBinding[]): Principal {
  return { keyId: key.id, serviceAccountId: key.ownerId, grants: grantsOfKey(key.resource, bindings) };
}
