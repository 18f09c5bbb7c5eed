import { mkdtemp, readFile, rm, stat, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CliError } from "./cli-error.js";
import { contextFilePath, EMPTY_CONTEXT_FILE, loadContexts, parseContextFile, saveContexts, withContext } from "./context-store.js";

let home: string;
beforeEach(async () => { home = await mkdtemp(join(tmpdir(), "vaultwire-cli-home-")); });
afterEach(async () => { await rm(home, { recursive: true, force: true }); });

const context = { url: "http://127.0.0.1:8080", api_key: "KEY", api_secret: "secret" };

describe("the context file", () => {
  it("lives in $HOME/.vaultwire/config.json and is empty until written", async () => {
    expect(contextFilePath({ HOME: home })).toBe(join(home, ".vaultwire", "config.json"));
    expect(await loadContexts({ HOME: home })).toEqual({ path: join(home, ".vaultwire", "config.json"), file: EMPTY_CONTEXT_FILE });
    expect(() => contextFilePath({})).toThrow("cannot find the home directory");
  });

  it("is written with mode 0600 in a 0700 directory and read back", async () => {
    const path = contextFilePath({ HOME: home });
    const file = { current_context: "local", contexts: { local: { ...context, environment: "env-a1b2c3d4" } } };
    await saveContexts(path, file);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(home, ".vaultwire"))).mode & 0o777).toBe(0o700);
    expect((await loadContexts({ HOME: home })).file).toEqual(file);
    await saveContexts(path, withContext(file, "other", context));
    expect(Object.keys((await loadContexts({ HOME: home })).file.contexts)).toEqual(["local", "other"]);
    expect((await readFile(path, "utf8")).endsWith("}\n")).toBe(true);
  });

  it("keeps 0600 when an existing file had wider permissions", async () => {
    const path = contextFilePath({ HOME: home });
    await mkdir(join(home, ".vaultwire"));
    await writeFile(path, "{}", { mode: 0o644 });
    await saveContexts(path, EMPTY_CONTEXT_FILE);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ["not json", "it is not JSON"],
    ["[]", "expected a JSON object"],
    [JSON.stringify({ contexts: [] }), "\"contexts\" must be an object"],
    [JSON.stringify({ contexts: { a: "x" } }), "context \"a\" must be an object"],
    [JSON.stringify({ contexts: { a: { url: "u", api_key: "k" } } }), "context \"a\" has no api_secret"],
    [JSON.stringify({ contexts: { a: { ...context, environment: 1 } } }), "the environment of context \"a\" must be a string"],
    [JSON.stringify({ current_context: 3, contexts: {} }), "\"current_context\" must be a string"],
  ])("names the problem in %s", (text, why) => {
    let error: unknown;
    try {
      parseContextFile(text, "/h/.vaultwire/config.json");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).message).toBe(`the CLI configuration "/h/.vaultwire/config.json" is not valid: ${why}`);
    expect((error as CliError).suggestions[0]).toContain("vaultwire login");
  });

  it("drops a current context that does not exist, and forgets the current one when it is removed", () => {
    expect(parseContextFile(JSON.stringify({ current_context: "gone", contexts: { a: context } }), "p").current_context).toBeNull();
    const file = { current_context: "a", contexts: { a: context, b: context } };
    expect(withContext(file, "a", undefined)).toEqual({ current_context: null, contexts: { b: context } });
    expect(withContext(file, "b", undefined).current_context).toBe("a");
  });
});
