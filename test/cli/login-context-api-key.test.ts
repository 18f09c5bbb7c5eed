// `vaultwire login`, `context …` and `api-key …` against a real server.
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, ADMIN_SECRET, closedPort, expectCleanError, expectGolden, idOf, objectId, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
beforeAll(async () => { f = await startCliFixture(); });
afterAll(async () => { await f.close(); });

describe("vaultwire login", () => {
  it("asks for the key and secret on stdin and stores a 0600 context", async () => {
    const r = await f.cli(["login", "--url", f.server.url], { stdin: `${ADMIN_KEY}\n${ADMIN_SECRET}\n` });
    const name = new URL(f.server.url).host;
    expect(r).toEqual({ code: 0, out: `Logged in to ${f.server.url} with API key "${ADMIN_KEY}".\nUsing context "${name}".\n`, err: "API key:\nAPI secret:\n" });
    const path = join(f.home, ".vaultwire", "config.json");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ current_context: name, contexts: { [name]: { url: f.server.url, api_key: ADMIN_KEY, api_secret: ADMIN_SECRET } } });
    expect(await f.ok(["environment", "list"])).toBe("None found.\n");
  });

  it("selects the only environment a key can see", async () => {
    await f.ok(["environment", "create", "only"]);
    const r = await f.ok(["login", "--url", f.server.url, "--api-key", ADMIN_KEY, "--api-secret", ADMIN_SECRET, "--name", "second"]);
    expect(r).toMatch(/^Logged in to .* with API key "ADMINTESTKEY0001"\.\nUsing context "second"\.\nUsing environment "env-[a-z0-9]{8}"\.\n$/);
  });

  it("stores nothing when the key is wrong, and says how to fix it", async () => {
    const before = await readFile(join(f.home, ".vaultwire", "config.json"), "utf8");
    const r = await f.cli(["login", "--url", f.server.url, "--api-key", ADMIN_KEY, "--name", "bad"], { stdin: "wrong-secret\n" });
    expectCleanError(r, 1, "Error: authentication failed: invalid API key or secret\n\nSuggestions:\n    Run \"vaultwire login\"");
    expect(r.out + r.err).not.toContain("wrong-secret");
    expect(await readFile(join(f.home, ".vaultwire", "config.json"), "utf8")).toBe(before);
  });

  it("fails cleanly when the server is down, the URL is bad or nothing is typed", async () => {
    const port = await closedPort();
    const down = await f.cli(["login", "--url", `http://127.0.0.1:${port}`, "--api-key", "K", "--api-secret", "S"]);
    expectCleanError(down, 1, `Error: couldn't connect to vaultwire at http://127.0.0.1:${port}: connection refused\n`);
    expect(down.err).toContain("Start a server with \"vaultwire server\"");
    expectCleanError(await f.cli(["login", "--url", "ftp://x"]), 2, "invalid value \"ftp://x\" for flag \"--url\"");
    expectCleanError(await f.cli(["login", "--url", f.server.url]), 1, "no api key given");
    expectCleanError(await f.cli(["login", "--url", f.server.url, "--api-key", "K"]), 1, "no api secret given");
    expectCleanError(await f.cli(["login", "--bogus"]), 2, "unknown option '--bogus'");
    expect((await f.cli(["login", "--help"])).out).toContain("Examples:");
  });
});

describe("vaultwire context", () => {
  it("lists contexts without their secrets", async () => {
    const out = await f.ok(["context", "list"]);
    await expectGolden("context-list", out);
    expect(out).not.toContain(ADMIN_SECRET);
    const rows = JSON.parse(await f.ok(["context", "list", "-o", "json"])) as Record<string, unknown>[];
    expect(Object.keys(rows[0] ?? {})).toEqual(["is_current", "name", "url", "api_key", "environment", "cluster"]);
    expect(JSON.stringify(rows)).not.toContain(ADMIN_SECRET);
  });

  it("switches and deletes contexts", async () => {
    const first = new URL(f.server.url).host;
    expect(await f.ok(["context", "use", first])).toBe(`Using context "${first}".\n`);
    const unknown = await f.cli(["context", "use", "nope"]);
    expectCleanError(unknown, 1, "unknown context \"nope\"");
    expect(unknown.err).toContain(`Stored contexts: ${first}, second.`);
    expect(await f.ok(["context", "delete", "second"], { stdin: "y\n" })).toBe("Deleted context \"second\".\n");
    expect(await f.ok(["context", "delete", first, "--force"])).toBe(`Deleted context "${first}".\n`);
    expectCleanError(await f.cli(["environment", "list"]), 1, "not logged in to a vaultwire server");
  });

  it("is overridden by VAULTWIRE_* variables, with no stored context at all", async () => {
    const env = { VAULTWIRE_URL: f.server.url, VAULTWIRE_API_KEY: ADMIN_KEY, VAULTWIRE_API_SECRET: ADMIN_SECRET };
    expect(JSON.parse(await f.ok(["environment", "list", "-o", "json"], { env }))).toHaveLength(1);
    const wrong = await f.cli(["environment", "list"], { env: { ...env, VAULTWIRE_API_SECRET: "nope-nope-nope" } });
    expectCleanError(wrong, 1, "authentication failed: invalid API key or secret");
    expect(wrong.err).toContain("check VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET");
    expectCleanError(await f.cli(["environment", "use", "env-x"], { env }), 1, "unknown environment ID \"env-x\"");
    await f.login();
  });
});

describe("vaultwire api-key", () => {
  let created: string;

  it("creates a key, shows its secret once, and the key works", async () => {
    const out = await f.ok(["api-key", "create", "--description", "ci pipeline"]);
    const match = /^Save the API secret now: it is shown only once and cannot be retrieved later\.\n\nAPI Key {5}([A-Z2-7]{16})\nAPI Secret {2}(\S{64})\nOwner {7}sa-[a-z0-9]{8}\nResource {4}cloud\n$/.exec(out);
    expect(match).not.toBeNull();
    created = match?.[1] ?? "";
    const env = { VAULTWIRE_URL: f.server.url, VAULTWIRE_API_KEY: created, VAULTWIRE_API_SECRET: match?.[2] ?? "" };
    expect(JSON.parse(await f.ok(["environment", "list", "-o", "json"], { env }))).toHaveLength(1);
    expect(await f.ok(["api-key", "list", "-o", "json"])).not.toContain(match?.[2] ?? "-");
  });

  it("scopes a key to one environment", async () => {
    const envId = idOf(await f.ok(["environment", "list", "-o", "json"]));
    const other = objectId(await f.ok(["environment", "create", "other", "-o", "json"]));
    const json = JSON.parse(await f.ok(["api-key", "create", "--environment", envId, "--description", "terraform", "-o", "json"])) as { api_key: string; api_secret: string; resource: string };
    expect(Object.keys(json)).toEqual(["api_key", "api_secret", "owner", "resource", "display_name", "description", "created_at"]);
    expect(json.resource).toBe(envId);
    const env = { VAULTWIRE_URL: f.server.url, VAULTWIRE_API_KEY: json.api_key, VAULTWIRE_API_SECRET: json.api_secret };
    expect((JSON.parse(await f.ok(["environment", "list", "-o", "json"], { env })) as { id: string }[]).map((e) => e.id)).toEqual([envId]);
    const forbidden = await f.cli(["environment", "create", "x"], { env });
    expectCleanError(forbidden, 1, `creating an environment needs an organization-wide API key with the OrganizationAdmin role; this API key is scoped to environment "${envId}"`);
    expectCleanError(await f.cli(["environment", "describe", other], { env }), 1, `unknown environment ID "${other}"`);
    expectCleanError(await f.cli(["api-key", "create", "--environment", "env-00000000"]), 1, "spec.resource.id names environment \"env-00000000\", which was not found");
  });

  it("lists keys, marking the one in use", async () => {
    await expectGolden("api-key-list", await f.ok(["api-key", "list"]));
  });

  it("deletes keys after checking them and asking", async () => {
    const unknown = await f.cli(["api-key", "delete", "NOPENOPENOPENOPE"]);
    expectCleanError(unknown, 1, "unknown API key ID \"NOPENOPENOPENOPE\"");
    expect(unknown.err).toContain(`Existing API keys: ${ADMIN_KEY} (bootstrap admin key), ${created} (ci pipeline), `);
    expectCleanError(await f.cli(["api-key", "delete", ADMIN_KEY, "--force"]), 1, `API key "${ADMIN_KEY}" is the one this CLI is using`);
    expect(await f.ok(["api-key", "delete", created], { stdin: "y\n" })).toBe(`Deleted API key "${created}".\n`);
    expectCleanError(await f.cli(["api-key", "create", "extra"]), 2, "unexpected argument \"extra\"");
    for (const verb of ["create", "list", "update", "delete"]) expect((await f.cli(["api-key", verb, "--help"])).out).toContain("Examples:");
  });
});
