// `vaultwire connect cluster create --wait`: progress until RUNNING or FAILED, and the timeout.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { expectCleanError, objectId, specConnector, startCliFixture, type CliFixture } from "./harness.js";

let f: CliFixture;
let integration: string;

beforeAll(async () => {
  f = await startCliFixture();
  await f.login();
  const env = objectId(await f.ok(["environment", "create", "dev", "-o", "json"]));
  await f.ok(["environment", "use", env]);
  const cluster = objectId(await f.ok(["kafka", "cluster", "create", "c", "--cloud", "azure", "--region", "westus3", "-o", "json"]));
  await f.ok(["kafka", "cluster", "use", cluster]);
  integration = objectId(await f.ok(["pi", "create", "akv", "--cloud", "azure", "-o", "json"]));
  await f.ok(["pi", "update", integration, "--azure-tenant-id", f.azure.customerTenant]);
});
afterAll(async () => { await f.close(); });

async function configFile(name: string): Promise<string> {
  return f.writeFile(`${name}.json`, JSON.stringify(specConnector(f.azure.vaultUri, integration, name)));
}

const CREATED = /^Created connector (\S+) (lcc-[a-z0-9]{8})\n/;

/** Marks the connector RUNNING (as the reconciler would) once the CLI shows it is waiting. */
function runningOnceWaiting(name: string): (text: string) => void {
  let done = false;
  return (text) => {
    if (done || !text.includes("Waiting for connector")) return;
    done = true;
    void f.observe(name, "RUNNING");
  };
}

describe("vaultwire connect cluster create --wait", () => {
  it("returns at once when the connector starts RUNNING", async () => {
    f.runtime.states.set("quick", { state: "RUNNING", trace: "" });
    const r = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("quick"), "--wait"]);
    const id = CREATED.exec(r.out)?.[2] ?? "";
    expect(r).toEqual({ code: 0, out: `Created connector quick ${id}\nConnector "${id}" is RUNNING.\n`, err: "" });
  });

  it("prints one line per state change without a terminal, until RUNNING", async () => {
    f.runtime.states.set("slow", { state: "PROVISIONING", trace: "starting tasks" });
    const r = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("slow"), "--wait", "--timeout", "30s"], { onOutput: runningOnceWaiting("slow") });
    const id = CREATED.exec(r.out)?.[2] ?? "";
    expect(r).toEqual({ code: 0, out: `Created connector slow ${id}\nWaiting for connector "${id}": PROVISIONING\nConnector "${id}" is RUNNING.\n`, err: "" });
  });

  it("draws a spinner on a terminal", async () => {
    f.runtime.states.set("spin", { state: "PROVISIONING", trace: "" });
    const r = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("spin"), "--wait"], { tty: true, onOutput: runningOnceWaiting("spin") });
    expect(r.code).toBe(0);
    const drawn = r.out.replaceAll("\r\u001b[2K", "<clear>");
    expect(drawn).toMatch(/<clear>⠋ Waiting for connector "lcc-[a-z0-9]{8}": PROVISIONING \(0s\)/);
    expect(drawn).toMatch(/<clear>Connector "lcc-[a-z0-9]{8}" is RUNNING\.\n$/);
    expect(r.out).not.toMatch(/Waiting for connector[^\r]*\n/);
  });

  it("prints the trace and exits 1 when the connector FAILS", async () => {
    f.runtime.states.set("doomed", { state: "FAILED", trace: "There were some errors with your configuration:\ndatabase.password: login failed for user cdc_user" });
    const r = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("doomed"), "--wait"]);
    const id = CREATED.exec(r.out)?.[2] ?? "";
    expect(r.out).toBe(`Created connector doomed ${id}\n`);
    expectCleanError(r, 1, `Error: connector "${id}" failed\n  There were some errors with your configuration:\n  database.password: login failed for user cdc_user\n\nSuggestions:\n`);
  });

  it("gives up at the timeout with the last state and trace", async () => {
    f.runtime.states.set("stuck", { state: "PROVISIONING", trace: "waiting for the Kafka Connect workers of this cluster" });
    const started = Date.now();
    const r = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("stuck"), "--wait", "--timeout", "1500ms"]);
    expect(Date.now() - started).toBeLessThan(10_000);
    const id = CREATED.exec(r.out)?.[2] ?? "";
    expectCleanError(r, 1, `Error: connector "${id}" is still PROVISIONING after 1.5s\n  waiting for the Kafka Connect workers of this cluster\n`);
    expect(r.err).toContain(`Run "vaultwire connect cluster describe ${id}" to follow it`);
  });

  it("keeps stdout for the result with -o json: progress goes to stderr", async () => {
    f.runtime.states.set("machine", { state: "PROVISIONING", trace: "" });
    const r = await f.cli(["connect", "cluster", "create", "--config-file", await configFile("machine"), "--wait", "-o", "json"], { onOutput: runningOnceWaiting("machine") });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({ id: expect.stringMatching(/^lcc-/) as unknown, name: "machine", status: "RUNNING" });
    expect(r.err).toMatch(/^Waiting for connector "lcc-[a-z0-9]{8}": PROVISIONING\n$/);
  });
});
