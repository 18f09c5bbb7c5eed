// Secrets at rest, on each store: a canary scan of every response, log line
// and the database itself (SQLite's files as bytes; every PostgreSQL table as
// text), and the master key that guards the few secrets vaultwire must keep.
import { randomBytes } from "node:crypto";
import { chmod, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecretBox } from "../../src/services/secret-box.js";
import { sensitiveContext } from "../../src/services/connectors.js";
import {
  databaseText, persistentStorage, plainConnector, seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets,
  VAULT_CANARY, VAULT_USER, type AzureFixture, type TestServer,
} from "./harness.js";

/** A password typed into a connector config with the secret manager off: stored, but only encrypted. */
const PLAIN_CANARY = "Plain-Canary-At-Rest-5d21c9";

interface Info { name: string; config: Record<string, string> }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

describe.each(storeTargets())("secrets at rest on $name", (target) => {
  describe("canary scan", () => {
    let server: TestServer;
    let seed: Awaited<ReturnType<typeof seedEnvironment>>;

    beforeAll(async () => {
      server = await startTestServer(target, azure);
      seed = await seedEnvironment(server, azure, "dev");
    });
    afterAll(async () => { await server.close(); });

    it("(a) secret manager on: creates, validates, reads and updates a connector whose secrets are in the vault", async () => {
      const spec = specConnector(azure.vaultUri, seed.integrationId, "kv-source");
      const validated = await server.api<{ error_count: number }>("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, spec.config);
      expect(validated.body.error_count).toBe(0);
      expect((await server.api("POST", `${seed.base}/connectors`, spec)).status).toBe(201);
      expect((await server.api("PUT", `${seed.base}/connectors/kv-source/config`, { ...spec.config, "tasks.max": "2" })).status).toBe(200);
      const read = await server.api<Info>("GET", `${seed.base}/connectors/kv-source`);
      expect(read.body.config["database.password"]).toBe(`${azure.vaultUri}::sqlserver-db-secret::password`);
      expect((await server.api("GET", `${seed.base}/connectors?expand=info,status,id`)).status).toBe(200);
      const probe = await server.api("POST", "/pim/v2/integrations:validate", { id: seed.integrationId, secret_identifier: `${azure.vaultUri}::sqlserver-db-secret::password` });
      expect(probe.status).toBe(200);
    });

    it("(b) secret manager off: a plaintext password is stored encrypted and shown masked", async () => {
      const plain = plainConnector("plain-source", PLAIN_CANARY);
      const created = await server.api<Info>("POST", `${seed.base}/connectors`, plain);
      expect(created.status, created.text).toBe(201);
      expect(created.body.config["database.password"]).toBe("****************");
      const updated = await server.api<Info>("PUT", `${seed.base}/connectors/plain-source/config`, { ...plain.config, "database.password": "****************", "table.include.list": "table456" });
      expect(updated.status).toBe(200);
      expect((await server.api<Record<string, string>>("GET", `${seed.base}/connectors/plain-source/config`)).body["database.password"]).toBe("****************");

      // Stored encrypted under the master key and bound to this connector, not dropped.
      const stored = (await server.running.store.connectors.listAll()).find((c) => c.name === "plain-source");
      expect(stored?.config["database.password"]).not.toBe(PLAIN_CANARY);
      expect(stored?.sensitiveCiphertext).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      const masterKey = Buffer.from((await readFile(join(server.dataDir, "master.key"), "utf8")).trim(), "base64");
      const opened = JSON.parse(new SecretBox(masterKey).open(stored?.sensitiveCiphertext ?? "", sensitiveContext(stored?.id ?? ""))) as Record<string, string>;
      expect(opened["database.password"]).toBe(PLAIN_CANARY);
      expect(() => new SecretBox(masterKey).open(stored?.sensitiveCiphertext ?? "", sensitiveContext("lcc-other"))).toThrow();
    });

    it("no response body carries either canary", () => {
      const responses = server.responses();
      expect(responses).toContain("kv-source");
      expect(responses).toContain("plain-source");
      expect(responses).not.toContain(VAULT_CANARY);
      expect(responses).not.toContain(VAULT_USER);
      expect(responses).not.toContain(PLAIN_CANARY);
    });

    it("no log line carries either canary or a credential", () => {
      const logs = server.logs();
      expect(logs).toContain("request completed");
      expect(logs.split("\n").filter((line) => line.includes("/connectors")).length).toBeGreaterThan(0);
      expect(logs).not.toContain(VAULT_CANARY);
      expect(logs).not.toContain(PLAIN_CANARY);
      expect(logs).not.toContain(azure.appSecret);
    });

    it("the database holds neither canary: only identifiers and ciphertext", async () => {
      const text = await databaseText(server);
      // The scan sees what is stored: ids, names and the identifiers themselves.
      expect(text).toContain(seed.integrationId);
      expect(text).toContain("plain-source");
      expect(text).toContain(`${azure.vaultUri}::sqlserver-db-secret::password`);
      expect(text).not.toContain(VAULT_CANARY);
      expect(text).not.toContain(PLAIN_CANARY);
      expect(text).not.toContain(azure.appSecret);
    });

    it("still holds neither canary after the connectors are deleted", async () => {
      for (const name of ["kv-source", "plain-source"]) expect((await server.api("DELETE", `${seed.base}/connectors/${name}`)).status).toBe(200);
      const text = await databaseText(server);
      expect(text).toContain(seed.integrationId);
      expect(text).not.toContain(VAULT_CANARY);
      expect(text).not.toContain(PLAIN_CANARY);
    });
  });

  describe("master key", () => {
    let storage: Awaited<ReturnType<typeof persistentStorage>>;

    beforeAll(async () => {
      storage = await persistentStorage(target);
      const first = await startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir });
      try {
        expect(first.running.masterKeySource).toBe(`${join(storage.dataDir, "master.key")} (generated)`);
        const seed = await seedEnvironment(first, azure, "keyed");
        expect((await first.api("POST", `${seed.base}/connectors`, plainConnector("keyed-source", PLAIN_CANARY))).status).toBe(201);
      } finally {
        await first.close();
      }
    });
    afterAll(async () => { await storage.drop(); });

    const restart = (masterKey?: string) => startTestServer(target, azure, { database: storage.database, dataDir: storage.dataDir, ...(masterKey === undefined ? {} : { masterKey }) });

    it("writes the generated master.key with mode 0600", async () => {
      const info = await stat(join(storage.dataDir, "master.key"));
      expect(info.mode & 0o777).toBe(0o600);
      expect(Buffer.from((await readFile(join(storage.dataDir, "master.key"), "utf8")).trim(), "base64")).toHaveLength(32);
    });

    it("refuses a master.key that other users can read", async () => {
      const path = join(storage.dataDir, "master.key");
      await chmod(path, 0o644);
      try {
        await expect(restart()).rejects.toThrow(`master key file ${path} is readable by other users (mode 644); run: chmod 600 ${path}`);
      } finally {
        await chmod(path, 0o600);
      }
    });

    it("refuses to start with a different VAULTWIRE_MASTER_KEY", async () => {
      const error = await restart(randomBytes(32).toString("base64")).then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      const message = (error as Error).message;
      expect(message).toContain("master key");
      expect(message).toContain("not the one this database was created with");
      expect(message).toContain("VAULTWIRE_MASTER_KEY");
    });

    it.each([["not-a-key"], ["c2hvcnQ="], ["0".repeat(63)], [randomBytes(31).toString("base64")]])("refuses a malformed key (%s) with a clear error", async (key) => {
      await expect(restart(key)).rejects.toThrow("VAULTWIRE_MASTER_KEY must hold a 32-byte key as base64 (44 characters) or hex (64 characters); generate one with: openssl rand -base64 32");
    });

    it("starts with the original key, from the file or as VAULTWIRE_MASTER_KEY in hex, and still opens its secrets", async () => {
      const fileKey = Buffer.from((await readFile(join(storage.dataDir, "master.key"), "utf8")).trim(), "base64");
      for (const masterKey of [undefined, fileKey.toString("hex")]) {
        const server = await restart(masterKey);
        try {
          expect(server.running.bootstrapKey).toBeNull();
          expect(server.running.masterKeySource).toBe(masterKey === undefined ? join(storage.dataDir, "master.key") : "VAULTWIRE_MASTER_KEY");
          const stored = (await server.running.store.connectors.listAll()).find((c) => c.name === "keyed-source");
          const opened = JSON.parse(new SecretBox(fileKey).open(stored?.sensitiveCiphertext ?? "", sensitiveContext(stored?.id ?? ""))) as Record<string, string>;
          expect(opened["database.password"]).toBe(PLAIN_CANARY);
          const environments = await server.api<{ data: { display_name: string }[] }>("GET", "/org/v2/environments");
          expect(environments.body.data.map((e) => e.display_name)).toEqual(["keyed"]);
        } finally {
          await server.close();
        }
      }
    });
  });
});
