// The api-version check: every version Microsoft's SDKs and the recordings
// use is answered; another gets 400 BadParameter naming the latest version.
import { request as httpsRequest } from "node:https";
import { SecretClient, type SecretClientOptions } from "@azure/keyvault-secrets";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KEY_VAULT_API_VERSIONS } from "../../src/emulator/azure/key-vault.js";
import { createIdentity, failure, startTestEmulator, type TestEmulator } from "./helpers.js";

const VAULT = "versions";
let test: TestEmulator;
let identity: ReturnType<typeof createIdentity>;

beforeAll(async () => {
  test = await startTestEmulator();
  identity = createIdentity(test.emulator);
  await test.emulator.createVault({ name: VAULT, tenantId: identity.tenantId });
  test.emulator.assignRole(VAULT, { principalObjectId: identity.objectId, role: "Key Vault Secrets User" });
  test.emulator.setSecret(VAULT, "s", "v");
});
afterAll(async () => { await test.close(); });

function get(path: string, bearer?: string): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(`${test.emulator.vaultUri(VAULT)}${path}`, { ca: test.emulator.caCertPem, headers: bearer === undefined ? {} : { Authorization: `Bearer ${bearer}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => { resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as unknown }); });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("api-version", () => {
  const sdkVersions: NonNullable<SecretClientOptions["serviceVersion"]>[] = ["7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01"];

  it.each(sdkVersions)("answers the SDK's serviceVersion %s", async (serviceVersion) => {
    expect(KEY_VAULT_API_VERSIONS).toContain(serviceVersion);
    const client = new SecretClient(test.emulator.vaultUri(VAULT), identity.credential, { serviceVersion, disableChallengeResourceVerification: true, tlsOptions: { ca: test.emulator.caCertPem }, retryOptions: { maxRetries: 0 } });
    expect((await client.getSecret("s")).value).toBe("v");
  });

  it("answers the recordings' 7.3 and 7.4-preview.1 and refuses others with 400 BadParameter", async () => {
    const token = (await identity.credential.getToken("https://vault.azure.net/.default")).token;
    for (const version of ["7.3", "7.4-preview.1"]) expect((await get(`/secrets/s?api-version=${version}`, token)).status).toBe(200);
    for (const version of ["7.9", "2025-07-02", "", "latest"]) {
      const response = await get(`/secrets/s?api-version=${encodeURIComponent(version)}`, token);
      expect(response).toEqual({ status: 400, body: { error: { code: "BadParameter", message: `The specified version (${version}) is not recognized. Consider using the latest supported version (2025-07-01).` } } });
    }
    expect((await get("/secrets/s", token)).body).toEqual({ error: { code: "BadParameter", message: "The 'api-version' query parameter is required." } });
  });

  it("makes an SDK call with an unsupported version fail with 400", async () => {
    const client = new SecretClient(test.emulator.vaultUri(VAULT), identity.credential, { serviceVersion: "9.9" as "7.6", disableChallengeResourceVerification: true, tlsOptions: { ca: test.emulator.caCertPem }, retryOptions: { maxRetries: 0 } });
    const error = await failure(client.getSecret("s"));
    expect([error.statusCode, error.code]).toEqual([400, "BadParameter"]);
  });
});
