// The built `vaultwire` binary (node dist/cli/main.js) as users run it: exit
// codes, stderr and stdin, against a real server. Run `npm run build` first.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, ADMIN_SECRET, closedPort, startCliFixture, type CliFixture } from "./harness.js";

const bin = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

interface Exit { code: number | null; out: string; err: string }

let f: CliFixture;
let home: string;

/** Spawned asynchronously: the server answering it runs in this process. */
function vaultwire(args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<Exit> {
  const child = spawn(process.execPath, [bin, ...args], { env: { PATH: process.env.PATH ?? "", HOME: home, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => { out += chunk.toString(); });
  child.stderr.on("data", (chunk: Buffer) => { err += chunk.toString(); });
  child.stdin.end(options.stdin ?? "");
  return new Promise((resolve) => child.on("close", (code) => { resolve({ code, out, err }); }));
}

beforeAll(async () => {
  f = await startCliFixture();
  home = await mkdtemp(join(tmpdir(), "vaultwire-cli-bin-"));
});
afterAll(async () => {
  await f.close();
  await rm(home, { recursive: true, force: true });
});

function expectNoStack(exit: Exit): void {
  expect(exit.err).not.toMatch(/\n\s+at /);
}

describe("the vaultwire binary", () => {
  it("exits 2 with a usage error for bad flags and unknown commands", async () => {
    const bad = await vaultwire(["environment", "list", "--bogus"]);
    expect(bad).toEqual({ code: 2, out: "", err: "Error: unknown option '--bogus'\n\nSuggestions:\n    Run \"vaultwire environment list --help\" for usage.\n" });
    const unknown = await vaultwire(["connect", "cluster", "frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/^Error: unknown command "frobnicate" for "vaultwire connect cluster"\n/);
    expect((await vaultwire(["environment"])).code).toBe(2);
    const help = await vaultwire(["--help"]);
    expect(help.code).toBe(0);
    for (const noun of ["login", "context", "environment", "kafka cluster", "connect cluster", "connect plugin", "provider-integration", "api-key"]) expect(help.out).toContain(`  ${noun} `);
  });

  it("exits 1 saying how to log in when there is no context", async () => {
    const r = await vaultwire(["environment", "list"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error: not logged in to a vaultwire server\n\nSuggestions:\n {4}Run "vaultwire login/);
  });

  it("exits 1 with a clear message when the server is down", async () => {
    const port = await closedPort();
    const r = await vaultwire(["environment", "list"], { env: { VAULTWIRE_URL: `http://127.0.0.1:${port}`, VAULTWIRE_API_KEY: "K", VAULTWIRE_API_SECRET: "S" } });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`Error: couldn't connect to vaultwire at http://127.0.0.1:${port}: connection refused\n`);
    expect(r.err).toContain("Start a server with \"vaultwire server\"");
    expectNoStack(r);
  });

  it("exits 1 on wrong credentials, suggesting login", async () => {
    const r = await vaultwire(["environment", "list"], { env: { VAULTWIRE_URL: f.server.url, VAULTWIRE_API_KEY: ADMIN_KEY, VAULTWIRE_API_SECRET: "wrong-secret-value" } });
    expect(r.code).toBe(1);
    expect(r.err).toBe("Error: authentication failed: invalid API key or secret\n\nSuggestions:\n    Run \"vaultwire login\" to store a valid API key and secret, or check VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET.\n");
    expect(r.out).toBe("");
  });

  it("logs in from piped stdin, then works with the stored context", async () => {
    const login = await vaultwire(["login", "--url", f.server.url], { stdin: `${ADMIN_KEY}\n${ADMIN_SECRET}\n` });
    expect(login.code).toBe(0);
    expect(login.out).toContain(`Logged in to ${f.server.url} with API key "${ADMIN_KEY}".`);
    expect(login.out + login.err).not.toContain(ADMIN_SECRET);
    const created = await vaultwire(["environment", "create", "dev", "-o", "json"]);
    expect(created.code).toBe(0);
    const env = (JSON.parse(created.out) as { id: string }).id;
    expect((await vaultwire(["environment", "use", env])).code).toBe(0);
    const cluster = await vaultwire(["kafka", "cluster", "create", "c", "--cloud", "azure", "--region", "westus3", "-o", "json"]);
    expect((await vaultwire(["kafka", "cluster", "use", (JSON.parse(cluster.out) as { id: string }).id])).code).toBe(0);
    const list = await vaultwire(["connect", "cluster", "list"]);
    expect(list).toEqual({ code: 0, out: "None found.\n", err: "" });
  });

  it("exits 1 for an unknown id, with suggestions", async () => {
    const r = await vaultwire(["connect", "cluster", "delete", "lcc-000000", "--force"]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Error: unknown connector ID "lcc-000000"\n\nSuggestions:\n {4}There are no connectors in Kafka cluster "lkc-[a-z0-9]{8}"\.\n$/);
  });

  it("asks before deleting and reads the answer from stdin", async () => {
    const env = JSON.parse((await vaultwire(["environment", "create", "spare", "-o", "json"])).out) as { id: string };
    const no = await vaultwire(["environment", "delete", env.id], { stdin: "n\n" });
    expect(no).toEqual({ code: 0, out: "", err: `Are you sure you want to delete environment "${env.id}"? (y/n)\nCanceled: nothing was deleted.\n` });
    const none = await vaultwire(["environment", "delete", env.id]);
    expect(none.code).toBe(1);
    expect(none.err).toContain("Error: no answer to the confirmation question");
    const yes = await vaultwire(["environment", "delete", env.id], { stdin: "y\n" });
    expect(yes.code).toBe(0);
    expect(yes.out).toBe(`Deleted environment "${env.id}".\n`);
  });
});
