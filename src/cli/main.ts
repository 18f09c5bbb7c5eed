#!/usr/bin/env node
/** The `vaultwire` binary: the only place that calls process.exit. */
import { readFile } from "node:fs/promises";
import { run } from "./run.js";
import { terminalPrompt } from "./terminal.js";

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, "utf8"),
  env: process.env,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
  stdoutIsTTY: process.stdout.isTTY,
  ...(process.stdin.isTTY ? { promptLine: terminalPrompt(process.stdin, process.stderr) } : {}),
  waitForShutdown: () => new Promise((resolve) => {
    const signals = ["SIGINT", "SIGTERM"] as const;
    const onSignal = (signal: string): void => {
      for (const s of signals) process.off(s, onSignal);
      resolve(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  }),
});
process.exitCode = code;
