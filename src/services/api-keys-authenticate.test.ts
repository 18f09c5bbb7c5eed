// authenticate() must cost the same for an unknown key id as for a known id
// with a wrong secret: one scrypt with the stored keys' parameters. Counted,
// not timed (timed tests are flaky on a shared machine; bench/ may time it).
import type { ScryptOptions } from "node:crypto";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

interface ScryptCall { readonly keyLength: number; readonly options: ScryptOptions }
const scryptCalls: ScryptCall[] = [];

vi.mock("node:crypto", async (importOriginal) => {
  const crypto = await importOriginal<typeof import("node:crypto")>();
  const scrypt = (...args: unknown[]): void => {
    scryptCalls.push({ keyLength: args[2] as number, options: typeof args[3] === "object" ? args[3] as ScryptOptions : {} });
    (crypto.scrypt as (...a: unknown[]) => void)(...args);
  };
  return { ...crypto, default: { ...crypto, scrypt }, scrypt };
});

const { createApiKeyService, hashSecret } = await import("./api-keys.js");
const { AuthenticationError } = await import("../domain/errors.js");
type ApiKey = import("../domain/resources.js").ApiKey;
type RoleBinding = import("../domain/identity.js").RoleBinding;

const KEY_ID = "KNOWNKEY00000001";
const SECRET = "the-right-secret-0123456789abcdef";
const OWNER = "sa-owner001";
const ADMIN: RoleBinding = { id: "rb-admin001", principal: `User:${OWNER}`, roleName: "OrganizationAdmin", crnPattern: "crn://confluent.cloud/organization=o", scope: { kind: "organization" }, createdAt: "2024-01-01T00:00:00.000Z" };
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

describe("authenticate: unknown key ids cost what wrong secrets cost", () => {
  let service: ReturnType<typeof createApiKeyService>;
  const lookups: string[] = [];

  beforeAll(async () => {
    const key: ApiKey = { id: KEY_ID, secretHash: await hashSecret(SECRET), ownerId: OWNER, resource: { kind: "Cloud" }, displayName: "", description: "", createdAt: "2024-01-01T00:00:00.000Z", updatedAt: "2024-01-01T00:00:00.000Z", lastUsedAt: null };
    const apiKeys = {
      get: (id: string) => {
        lookups.push(id);
        return Promise.resolve(id === KEY_ID ? key : undefined);
      },
      touch: () => Promise.resolve(),
    };
    service = createApiKeyService({ store: { apiKeys, roleBindings: { listByServiceAccount: () => Promise.resolve([ADMIN]) } } as never, now: () => "2024-01-01T00:00:00.000Z", newId: () => "unused", organizationId: "o" });
  });
  afterEach(() => {
    scryptCalls.length = 0;
    lookups.length = 0;
  });

  async function scryptWorkOf(authorization: string): Promise<ScryptCall[]> {
    scryptCalls.length = 0;
    await expect(service.authenticate(authorization)).rejects.toThrow(AuthenticationError);
    return [...scryptCalls];
  }

  it("runs one scrypt with the stored hash's parameters for an unknown id, as for a wrong secret", async () => {
    const wrongSecret = await scryptWorkOf(basic(KEY_ID, "wrong-secret-0123456789abcdef"));
    const unknownId = await scryptWorkOf(basic("UNKNOWNKEY000001", "wrong-secret-0123456789abcdef"));
    expect(wrongSecret).toHaveLength(1);
    expect(unknownId).toEqual(wrongSecret);
    expect(unknownId[0]).toMatchObject({ keyLength: 32, options: { N: 16384, r: 8, p: 1 } });
    expect(lookups).toEqual([KEY_ID, "UNKNOWNKEY000001"]);
  });

  it("still accepts the right secret and refuses it for another id", async () => {
    await expect(service.authenticate(basic(KEY_ID, SECRET))).resolves.toEqual({ keyId: KEY_ID, serviceAccountId: OWNER, grants: [{ role: "OrganizationAdmin", scope: { kind: "organization" } }] });
    await expect(service.authenticate(basic("UNKNOWNKEY000001", SECRET))).rejects.toThrow("invalid API key or secret");
  });
});

describe("authenticate: a change made on any replica takes effect at the next request", () => {
  it("a verified key deleted, or its owner given another role, elsewhere is refused or changed at once; the scrypt is still cached", async () => {
    let key: ApiKey | undefined = { id: KEY_ID, secretHash: await hashSecret(SECRET), ownerId: OWNER, resource: { kind: "Cloud" }, displayName: "", description: "", createdAt: "2024-01-01T00:00:00.000Z", updatedAt: "2024-01-01T00:00:00.000Z", lastUsedAt: null };
    // The store another replica writes to: this service only reads it.
    let bindings: RoleBinding[] = [ADMIN];
    const apiKeys = { get: () => Promise.resolve(key), touch: () => Promise.resolve() };
    const roleBindings = { listByServiceAccount: () => Promise.resolve(bindings) };
    const service = createApiKeyService({ store: { apiKeys, roleBindings } as never, now: () => "2024-01-01T00:00:00.000Z", newId: () => "unused", organizationId: "o" });
    await expect(service.authenticate(basic(KEY_ID, SECRET))).resolves.toMatchObject({ grants: [{ role: "OrganizationAdmin" }] });
    scryptCalls.length = 0;
    await expect(service.authenticate(basic(KEY_ID, SECRET))).resolves.toMatchObject({ grants: [{ role: "OrganizationAdmin" }] });
    expect(scryptCalls).toHaveLength(0);
    bindings = [{ ...ADMIN, roleName: "Operator" }];
    await expect(service.authenticate(basic(KEY_ID, SECRET))).resolves.toMatchObject({ grants: [{ role: "Operator" }] });
    expect(scryptCalls).toHaveLength(0);
    // A new secret (the row's hash changed) is verified again: the old one no longer works.
    key = { ...key, secretHash: await hashSecret("another-secret-0123456789abcdef") };
    await expect(service.authenticate(basic(KEY_ID, SECRET))).rejects.toThrow("invalid API key or secret");
    key = undefined;
    await expect(service.authenticate(basic(KEY_ID, SECRET))).rejects.toThrow("invalid API key or secret");
  });
});
