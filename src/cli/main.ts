#!/usr/bin/env node
/** The `vaultwire` binary: the only place that calls process.exit. */
import { readFile } from "node:fs/promises";
import { run } from "./run.js";

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  readFile: (path) => readFile(path, "utf8"),
  env: process.env,
});
process.exitCode = code;
