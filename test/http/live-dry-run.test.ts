// Creates and updates run a live dry run of every managed field: what is
// cached for running tasks does not vouch for a secret that can no longer be
// read (the help says "a live read of each secret").
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer } from "./harness.js";

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("live dry runs on $name", (target) => {
  let server: TestServer;
  let seed: Awaited<ReturnType<typeof seedEnvironment>>;
  beforeAll(async () => {
    server = await startTestServer(target, azure);
    seed = await seedEnvironment(server, azure, "live");
  });
  afterAll(async () => { await server.close(); });

  it("a create after the vault role was removed fails, although the secret is cached", async () => {
    expect((await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "first"))).status).toBe(201);
    azure.emulator.removeRoleAssignment("sql-vault", azure.roleAssignmentId);
    try {
      const second = await server.api<{ error: { message: string } }>("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "second"));
      expect(second.status).toBe(400);
      expect(second.body.error.message).toMatch(/database\.password: .*(permission|not allowed|Forbidden|role)/i);
      const validate = await server.api<{ error_count: number }>("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, specConnector(azure.vaultUri, seed.integrationId, "third").config);
      expect(validate.body.error_count).toBeGreaterThan(0);
    } finally {
      const { assignmentId } = azure.emulator.assignRole("sql-vault", { principalObjectId: azure.servicePrincipalObjectId, role: "Key Vault Secrets User" });
      Object.assign(azure, { roleAssignmentId: assignmentId });
    }
    expect((await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "second"))).status).toBe(201);
  });
});
