// The CLI in-process (`run(argv, io)`) against a real server and the Azure
// emulator, with a temporary HOME for its contexts, plus golden files for
// human output (ids, keys, timestamps and ports normalised, lengths kept so
// the tables stay aligned). UPDATE_GOLDEN=1 rewrites the golden files.
import { existsSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { expect } from "vitest";
import { run } from "../../src/cli/run.js";
import type { CliIo } from "../../src/cli/io.js";
import type { Connector, ConnectorState, ConnectorStatus } from "../../src/domain/resources.js";
import type { ConnectorRuntime } from "../../src/services/runtime.js";
import { ADMIN_KEY, ADMIN_SECRET, startAzureFixture, startTestServer, storeTargets, type AzureFixture, type TestServer, type TestServerOptions } from "../http/harness.js";

export { ADMIN_KEY, ADMIN_SECRET, VAULT_CANARY, specConnector } from "../http/harness.js";

export interface CliResult {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export interface CliOptions {
  readonly stdin?: string;
  readonly env?: Record<string, string>;
  readonly tty?: boolean;
  /** Called with each write to stdout or stderr as it happens (to react to progress). */
  readonly onOutput?: (text: string) => void;
}

/**
 * A connector runtime whose answers the test chooses per connector name:
 * PROVISIONING (with a trace) unless `states` says otherwise; RUNNING
 * connectors get one RUNNING task. Records restarts and removals.
 */
export class ScriptedRuntime implements ConnectorRuntime {
  readonly states = new Map<string, { state: ConnectorState; trace: string }>();
  readonly restarted: string[] = [];
  readonly removed: string[] = [];

  apply(connector: Connector): Promise<ConnectorStatus> {
    return Promise.resolve(this.statusOf(connector));
  }

  restart(connector: Connector): Promise<void> {
    this.restarted.push(connector.name);
    return Promise.resolve();
  }

  remove(connector: Connector): Promise<void> {
    this.removed.push(connector.name);
    return Promise.resolve();
  }

  statusOf(connector: Pick<Connector, "name" | "desiredState">, observedAt = new Date().toISOString()): ConnectorStatus {
    const scripted = this.states.get(connector.name) ?? { state: "PROVISIONING" as const, trace: "waiting for the Kafka Connect workers of this cluster" };
    const state: ConnectorState = connector.desiredState === "PAUSED" ? "PAUSED" : scripted.state;
    const trace = state === "RUNNING" || state === "PAUSED" ? null : scripted.trace;
    const tasks = state === "RUNNING" || state === "PAUSED" ? [{ id: 0, state, workerId: "connect-1:8083", trace: null }] : [];
    return { state, workerId: state === "PROVISIONING" ? null : "connect-1:8083", trace, tasks, observedAt };
  }
}

export interface CliFixture {
  readonly azure: AzureFixture;
  readonly server: TestServer;
  readonly runtime: ScriptedRuntime;
  readonly home: string;
  /** Where relative --config-file paths are read from. */
  readonly workDir: string;
  cli(args: readonly string[], options?: CliOptions): Promise<CliResult>;
  /** Runs and expects exit 0; returns stdout. */
  ok(args: readonly string[], options?: CliOptions): Promise<string>;
  login(): Promise<void>;
  /** Scripts the runtime's answer for a connector and records it as observed, as the reconciler would. */
  observe(name: string, state: ConnectorState, trace?: string): Promise<void>;
  writeFile(name: string, content: string): Promise<string>;
  close(): Promise<void>;
}

export async function startCliFixture(serverOptions: Pick<TestServerOptions, "settings" | "allowedConnectHosts"> = {}): Promise<CliFixture> {
  const azure = await startAzureFixture();
  const runtime = new ScriptedRuntime();
  const target = storeTargets()[0];
  if (!target) throw new Error("no store target");
  const server = await startTestServer(target, azure, { ...serverOptions, runtime });
  const home = await mkdtemp(join(tmpdir(), "vaultwire-cli-home-"));
  const workDir = await mkdtemp(join(tmpdir(), "vaultwire-cli-work-"));
  const cli = async (args: readonly string[], options: CliOptions = {}): Promise<CliResult> => {
    let out = "";
    let err = "";
    const io: CliIo = {
      stdout: (t) => { out += t; options.onOutput?.(t); },
      stderr: (t) => { err += t; options.onOutput?.(t); },
      readFile: (path) => readFile(resolve(workDir, path), "utf8"),
      env: { HOME: home, ...options.env },
      readStdin: () => Promise.resolve(options.stdin ?? ""),
      waitForShutdown: () => new Promise(() => undefined),
      stdoutIsTTY: options.tty === true,
    };
    const code = await run(args, io);
    return { code, out, err };
  };
  const ok = async (args: readonly string[], options?: CliOptions): Promise<string> => {
    const result = await cli(args, options);
    if (result.code !== 0) throw new Error(`vaultwire ${args.join(" ")} exited ${result.code}:\n${result.err}${result.out}`);
    return result.out;
  };
  return {
    azure, server, runtime, home, workDir, cli, ok,
    async login() {
      await ok(["login", "--url", server.url, "--api-key", ADMIN_KEY, "--api-secret", ADMIN_SECRET]);
    },
    async observe(name, state, trace = "") {
      runtime.states.set(name, { state, trace });
      for (const connector of await server.running.store.connectors.listAll()) {
        if (connector.name === name) await server.running.store.connectors.updateStatus(connector.id, runtime.statusOf(connector));
      }
    },
    async writeFile(name, content) {
      await writeFile(join(workDir, name), content);
      return name;
    },
    async close() {
      await server.close();
      await azure.close();
      await rm(home, { recursive: true, force: true });
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** A localhost port nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The id of a JSON object (`create … -o json` output). */
export function objectId(json: string): string {
  const value = (JSON.parse(json) as { id?: unknown }).id;
  if (typeof value !== "string") throw new Error(`no id in ${json}`);
  return value;
}

/** The id of a JSON list's entry (`-o json` output). */
export function idOf(json: string, field = "id", index = 0): string {
  const rows = JSON.parse(json) as Record<string, unknown>[];
  const value = rows[index]?.[field];
  if (typeof value !== "string") throw new Error(`no ${field} in ${json}`);
  return value;
}

const GUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/g;

/**
 * Replaces what changes from run to run by placeholders of the same length,
 * numbered in order of appearance: ids (env-00000001), API keys, GUIDs,
 * timestamps and localhost ports.
 */
export function normalize(text: string): string {
  const seen = new Map<string, string>();
  const counters = new Map<string, number>();
  const stable = (value: string, kind: string, make: (n: number) => string) => {
    let replacement = seen.get(value);
    if (replacement === undefined) {
      const n = (counters.get(kind) ?? 0) + 1;
      counters.set(kind, n);
      replacement = make(n);
      seen.set(value, replacement);
    }
    return replacement;
  };
  return text
    .replace(/\b(env|lkc|lcc|cspi|evs|sa|rb)-[a-z0-9]{8}\b/g, (m, prefix: string) => stable(m, prefix, (n) => `${prefix}-${String(n).padStart(8, "0")}`))
    .replace(/\b(?!ADMINTESTKEY0001)[A-Z2-7]{16}\b/g, (m) => stable(m, "key", (n) => `APIKEY${String(n).padStart(10, "0")}`))
    .replace(GUID, (m) => stable(m, "guid", (n) => `00000000-0000-0000-0000-${String(n).padStart(12, "0")}`))
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z/g, (m) => m.replace(/\d/g, "0"))
    .replace(/(localhost|127\.0\.0\.1):(\d+)/g, (_, host: string, port: string) => `${host}:${"0".repeat(port.length)}`);
}

/** Compares normalised output with test/cli/golden/<name>.txt (UPDATE_GOLDEN=1 writes it). */
export async function expectGolden(name: string, text: string): Promise<void> {
  const path = new URL(`./golden/${name}.txt`, import.meta.url);
  const actual = normalize(text);
  for (const line of actual.split("\n")) expect(line.length, `a line of ${name} is wider than 80 columns: ${line}`).toBeLessThanOrEqual(80);
  if (process.env.UPDATE_GOLDEN === "1") {
    await writeFile(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file test/cli/golden/${name}.txt is missing: run the test with UPDATE_GOLDEN=1 and review it`);
  expect(actual).toBe(await readFile(path, "utf8"));
}

/** The shape of every failure: `Error: <lowercase line>`, no stack trace. */
export function expectCleanError(result: CliResult, code: 1 | 2, fragment: string): void {
  expect(result.code, result.err).toBe(code);
  expect(result.err).toMatch(/(^|\n)Error: ([a-z"-]|[A-Z]{2})/);
  expect(result.err).toContain(fragment);
  expect(result.err).not.toMatch(/\n\s+at /);
}
