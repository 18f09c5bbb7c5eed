// The in-process CLI for the `vaultwire dev azure` tests: captured output,
// one call per command, and a wait for what a foreground `start` prints.
import { readFile } from "node:fs/promises";
import type { CliIo } from "../../src/cli/io.js";
import { run } from "../../src/cli/run.js";

export interface CapturedIo {
  readonly io: CliIo;
  readonly out: () => string;
  readonly err: () => string;
}

export function captureIo(hooks: Partial<Pick<CliIo, "readStdin" | "waitForShutdown">> = {}): CapturedIo {
  let out = "";
  let err = "";
  return {
    io: {
      stdout: (t) => { out += t; },
      stderr: (t) => { err += t; },
      readFile: (path) => readFile(path, "utf8"),
      env: {},
      readStdin: hooks.readStdin ?? (() => Promise.resolve("")),
      waitForShutdown: hooks.waitForShutdown ?? (() => new Promise(() => undefined)),
    },
    out: () => out,
    err: () => err,
  };
}

export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { io, out, err } = captureIo();
  const code = await run(args, io);
  return { code, out: out(), err: err() };
}

/** Polls `probe` every 20 ms until it gives a value. */
export async function until<T>(probe: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
