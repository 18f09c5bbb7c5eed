/**
 * API keys: `Authorization: Basic base64(key:secret)`. Secrets are stored as
 * scrypt hashes and shown once; successful verifications are remembered
 * briefly (by a SHA-256 of the secret) so scrypt does not run on every request.
 */
import { createHash, randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { AuthenticationError, InputError, NotFoundError } from "../domain/errors.js";
import { API_KEY_ROLES, ROLES_BY_SCOPE, type ApiKey, type ApiKeyRole, type ApiKeyScope } from "../domain/resources.js";
import type { ServiceContext } from "./context.js";
import { environmentNotFound } from "./environments.js";
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

export interface ApiKeyService {
  /** On an empty store: the first admin key (from the given values or generated). Null when keys exist. */
  bootstrap(given?: { key?: string | undefined; secret?: string | undefined }): Promise<CreatedApiKey | null>;
  authenticate(authorization: string | undefined): Promise<Principal>;
  create(principal: Principal, input: { description: unknown; environmentId: unknown; role?: unknown }): Promise<CreatedApiKey>;
  list(principal: Principal): Promise<readonly ApiKey[]>;
  get(principal: Principal, id: string): Promise<ApiKey>;
  delete(principal: Principal, id: string): Promise<void>;
}

/** The caller an API key makes; a stored role the scope cannot have was refused when the row was read. */
export function principalOf(key: ApiKey): Principal {
  if (key.scope.kind === "org") return { kind: "org", keyId: key.id, role: key.role === "Operator" ? "Operator" : "OrganizationAdmin" };
  const role = key.role === "DeveloperManage" || key.role === "Operator" ? key.role : "EnvironmentAdmin";
  return { kind: "environment", keyId: key.id, environmentId: key.scope.environmentId, role };
}

export function apiKeyNotFound(id: string): NotFoundError {
  return new NotFoundError(`API key "${id}" was not found`);
}

export function createApiKeyService(context: ServiceContext): ApiKeyService {
  const { store } = context;
  const verified = new Map<string, { digest: Buffer; until: number; principal: Principal }>();
  const touched = new Map<string, number>();

  async function insert(scope: ApiKeyScope, role: ApiKeyRole, description: string, given?: { key?: string | undefined; secret?: string | undefined }): Promise<CreatedApiKey> {
    const secret = given?.secret ?? newKeySecret();
    const key: ApiKey = { id: given?.key ?? newKeyId(), secretHash: await hashSecret(secret), scope, role, description, createdAt: context.now(), lastUsedAt: null };
    await store.apiKeys.insert(key);
    return { key, secret };
  }

  return {
    async bootstrap(given) {
      if ((await store.apiKeys.count()) > 0) return null;
      if ((given?.key === undefined) !== (given?.secret === undefined)) {
        throw new Error("VAULTWIRE_BOOTSTRAP_API_KEY and VAULTWIRE_BOOTSTRAP_API_SECRET go together: set both or neither");
      }
      if (given?.key !== undefined && !/^[A-Za-z0-9._-]{8,64}$/.test(given.key)) throw new Error("VAULTWIRE_BOOTSTRAP_API_KEY must be 8-64 letters, digits, '.', '_' or '-'");
      if (given?.secret !== undefined && given.secret.length < 16) throw new Error("VAULTWIRE_BOOTSTRAP_API_SECRET must be at least 16 characters");
      return insert({ kind: "org" }, "OrganizationAdmin", "bootstrap admin key", given);
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
      const cached = verified.get(id);
      let principal: Principal;
      if (cached && cached.until > now && timingSafeEqual(cached.digest, digest)) {
        principal = cached.principal;
      } else {
        const key = await store.apiKeys.get(id);
        // An unknown id pays the same scrypt as a wrong secret does.
        const matches = await verifySecret(secret, key?.secretHash ?? UNKNOWN_KEY_HASH);
        if (!key || !matches) throw new AuthenticationError("invalid API key or secret");
        principal = principalOf(key);
        verified.set(id, { digest, until: now + VERIFIED_TTL_MS, principal });
      }
      if ((touched.get(id) ?? 0) + TOUCH_INTERVAL_MS < now) {
        touched.set(id, now);
        await store.apiKeys.touch(id, context.now());
      }
      return principal;
    },

    async create(principal, input) {
      assertOrgAdmin(principal, "creating an API key");
      const checks = new FieldChecks();
      const description = checks.optionalString("spec.description", input.description, 255) ?? "";
      const environmentId = checks.optionalString("spec.resource.id", input.environmentId, 64);
      const scope: ApiKeyScope = environmentId === undefined ? { kind: "org" } : { kind: "environment", environmentId };
      const allowed = ROLES_BY_SCOPE[scope.kind];
      let role: ApiKeyRole = allowed[0] ?? "Operator";
      if (input.role !== undefined && input.role !== null) {
        const text = typeof input.role === "string" ? asciiLower(input.role) : undefined;
        const given = API_KEY_ROLES.find((r) => asciiLower(r) === text);
        if (given === undefined) checks.add("spec.role", `spec.role must be one of ${API_KEY_ROLES.join(", ")}`);
        else if (!allowed.includes(given)) {
          checks.add("spec.role", `spec.role ${given} needs ${given === "OrganizationAdmin" ? "an organization-wide key (no spec.resource)" : "an environment (spec.resource.id)"}; ${scope.kind === "org" ? "organization-wide" : "environment"} keys take ${allowed.join(", ")}`);
        } else role = given;
      }
      checks.throwIfAny("invalid API key");
      if (environmentId !== undefined && !(await store.environments.get(environmentId))) throw environmentNotFound(environmentId);
      return insert(scope, role, description);
    },

    async list(principal) {
      assertOrgReader(principal, "listing API keys");
      return store.apiKeys.list();
    },

    async get(principal, id) {
      assertOrgReader(principal, "reading API keys");
      const key = await store.apiKeys.get(id);
      if (!key) throw apiKeyNotFound(id);
      return key;
    },

    async delete(principal, id) {
      assertOrgAdmin(principal, "deleting API keys");
      if (principal.keyId === id) throw new InputError(`API key "${id}" is the one making this request; delete it with another admin key`);
      if (!(await store.apiKeys.delete(id))) throw apiKeyNotFound(id);
      verified.delete(id);
    },
  };
}
