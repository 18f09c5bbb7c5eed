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

const KEY_ID = "KNOWNKEY00000001";
const SECRET = "the-right-secret-0123456789abcdef";
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`;

describe("authenticate: unknown key ids cost what wrong secrets cost", () => {
  let service: ReturnType<typeof createApiKeyService>;
  const lookups: string[] = [];

  beforeAll(async () => {
    const key: ApiKey = { id: KEY_ID, secretHash: await hashSecret(SECRET), scope: { kind: "org" }, role: "OrganizationAdmin", description: "", createdAt: "2024-01-01T00:00:00.000Z", lastUsedAt: null };
    const apiKeys = {
      get: (id: string) => {
        lookups.push(id);
        return Promise.resolve(id === KEY_ID ? key : undefined);
      },
      touch: () => Promise.resolve(),
    };
    service = createApiKeyService({ store: { apiKeys } as never, now: () => "2024-01-01T00:00:00.000Z", newId: () => "unused" });
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
    await expect(service.authenticate(basic(KEY_ID, SECRET))).resolves.toEqual({ kind: "org", keyId: KEY_ID, role: "OrganizationAdmin" });
    await expect(service.authenticate(basic("UNKNOWNKEY000001", SECRET))).rejects.toThrow("invalid API key or secret");
  });
});
