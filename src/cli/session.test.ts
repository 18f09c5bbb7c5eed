import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { contextFilePath, loadContexts, saveContexts } from "./context-store.js";
import type { CliIo } from "./io.js";
import { forgetIfSelected, openSession, rememberSelection } from "./session.js";

let home: string;
beforeEach(async () => { home = await mkdtemp(join(tmpdir(), "vaultwire-cli-session-")); });
afterEach(async () => { await rm(home, { recursive: true, force: true }); });

function io(env: Record<string, string> = {}): CliIo {
  return {
    stdout: () => undefined,
    stderr: () => undefined,
    readFile: () => Promise.reject(new Error("unused")),
    env: { HOME: home, ...env },
    readStdin: () => Promise.resolve(""),
    waitForShutdown: () => new Promise(() => undefined),
  };
}

async function storeLocal(): Promise<void> {
  await saveContexts(contextFilePath({ HOME: home }), {
    current_context: "local",
    contexts: { local: { url: "http://127.0.0.1:8080", api_key: "STOREDKEY", api_secret: "stored-secret", environment: "env-stored01", cluster: "lkc-stored01" } },
  });
}

describe("openSession", () => {
  it("says how to log in when nothing is configured", async () => {
    await expect(openSession(io())).rejects.toThrow("not logged in to a vaultwire server");
  });

  it("uses the current context and its selections", async () => {
    await storeLocal();
    const session = await openSession(io());
    expect(session).toMatchObject({ url: "http://127.0.0.1:8080", apiKey: "STOREDKEY", contextName: "local", environmentId: "env-stored01", clusterId: "lkc-stored01", environmentExplicit: false });
  });

  it("lets flags and then VAULTWIRE_* variables override the selections", async () => {
    await storeLocal();
    const fromEnv = await openSession(io({ VAULTWIRE_ENVIRONMENT: "env-fromenv1", VAULTWIRE_CLUSTER: "lkc-fromenv1" }));
    expect(fromEnv).toMatchObject({ environmentId: "env-fromenv1", clusterId: "lkc-fromenv1", environmentExplicit: true, clusterExplicit: true });
    const fromFlags = await openSession(io({ VAULTWIRE_ENVIRONMENT: "env-fromenv1" }), { environment: "env-flag0001", cluster: "lkc-flag0001" });
    expect(fromFlags).toMatchObject({ environmentId: "env-flag0001", clusterId: "lkc-flag0001" });
  });

  it("takes the key from the environment, and never sends the stored key to another URL", async () => {
    await storeLocal();
    expect(await openSession(io({ VAULTWIRE_API_KEY: "ENVKEY", VAULTWIRE_API_SECRET: "env-secret" }))).toMatchObject({ apiKey: "ENVKEY", contextName: "local" });
    expect(await openSession(io({ VAULTWIRE_URL: "http://127.0.0.1:8080/" }))).toMatchObject({ apiKey: "STOREDKEY", contextName: "local" });
    await expect(openSession(io({ VAULTWIRE_URL: "https://elsewhere.example.com" }))).rejects.toThrow("no API key for https://elsewhere.example.com");
    const elsewhere = await openSession(io({ VAULTWIRE_URL: "https://elsewhere.example.com", VAULTWIRE_API_KEY: "K", VAULTWIRE_API_SECRET: "S" }));
    expect(elsewhere).toMatchObject({ url: "https://elsewhere.example.com", apiKey: "K", contextName: null, environmentId: undefined, clusterId: undefined });
    await expect(openSession(io({ VAULTWIRE_API_KEY: "K" }))).rejects.toThrow("VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET go together");
  });

  it("works from environment variables alone", async () => {
    const session = await openSession(io({ VAULTWIRE_URL: "http://h:1", VAULTWIRE_API_KEY: "K", VAULTWIRE_API_SECRET: "S", VAULTWIRE_ENVIRONMENT: "env-1" }));
    expect(session).toMatchObject({ url: "http://h:1", contextName: null, environmentId: "env-1" });
    await expect(rememberSelection(io(), session, { environment: "env-2" })).rejects.toThrow("there is no stored context to remember the selection in");
  });
});

describe("rememberSelection", () => {
  it("stores and forgets selections in the current context", async () => {
    await storeLocal();
    const session = await openSession(io());
    await rememberSelection(io(), session, { environment: "env-new00001", cluster: null });
    expect((await loadContexts({ HOME: home })).file.contexts.local).toEqual({ url: "http://127.0.0.1:8080", api_key: "STOREDKEY", api_secret: "stored-secret", environment: "env-new00001" });
    await forgetIfSelected(io(), session, "environment", "env-other001");
    expect((await loadContexts({ HOME: home })).file.contexts.local?.environment).toBe("env-new00001");
    await forgetIfSelected(io(), session, "environment", "env-new00001");
    expect((await loadContexts({ HOME: home })).file.contexts.local?.environment).toBeUndefined();
  });
});
