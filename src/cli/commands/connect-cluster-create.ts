/** `vaultwire connect cluster create --config-file F [--wait] [--dry-run]`. */
import { parseArgs } from "node:util";
import { CliError, usageError } from "../cli-error.js";
import { readConnectorConfigFile } from "../config-file.js";
import { CLUSTER_OPTION, ENVIRONMENT_OPTION, expectPositionals, formatDuration, HELP_OPTION, OUTPUT_OPTION, parseDuration, parseFlags, parseOutput, requireFlag } from "../flags.js";
import type { CliIo } from "../io.js";
import { renderData } from "../output.js";
import { waitForConnector } from "../progress.js";
import { connectTarget, enc, type ConnectTarget } from "../resources.js";
import { openSession, type Session } from "../session.js";
import { dryRun, listConnectors, TARGET_FLAGS_HELP, traceLines, withDryRunHint } from "./connectors.js";

const PATH = "vaultwire connect cluster create";
const DEFAULT_TIMEOUT = "5m";

export const CONNECT_CLUSTER_CREATE_HELP = `Create a connector from a configuration file.

The server validates the whole configuration first (every field, and a live
read of each secret the secret manager manages) and creates nothing when it is
invalid. --dry-run only validates and prints every error by key; it fails at
once when a connector of that name already exists.

Usage:
  vaultwire connect cluster create --config-file FILE [flags]

Flags:
      --config-file string   JSON file: {"name": ..., "config": {...}} or a flat map of strings (required).
      --dry-run              Validate only; print every error by key; exit 1 when invalid.
      --wait                 Wait until the connector is RUNNING (exit 0) or FAILED (exit 1, with its trace).
      --timeout duration     How long --wait waits, e.g. 90s, 5m (default ${DEFAULT_TIMEOUT}).
${TARGET_FLAGS_HELP}
  -o, --output string        human, json or yaml (default human).
  -h, --help                 Show this help.

Examples:
  vaultwire connect cluster create --config-file sqlcdc_with_key_vault.json
  vaultwire connect cluster create --config-file pg.json --cluster lkc-a1b2c3d4 --wait --timeout 10m
  vaultwire connect cluster create --config-file pg.json --dry-run
`;

export async function connectClusterCreate(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(() => parseArgs({
    args: [...args],
    options: {
      "config-file": { type: "string" },
      "dry-run": { type: "boolean" },
      wait: { type: "boolean" },
      timeout: { type: "string" },
      ...CLUSTER_OPTION,
      ...ENVIRONMENT_OPTION,
      ...OUTPUT_OPTION,
      ...HELP_OPTION,
    },
    strict: true,
    allowPositionals: true,
  }), PATH);
  if (values.help) {
    io.stdout(CONNECT_CLUSTER_CREATE_HELP);
    return 0;
  }
  const output = parseOutput(values.output, PATH);
  expectPositionals(positionals, PATH, "", 0);
  const file = requireFlag(values["config-file"], "config-file", PATH);
  if (values.timeout !== undefined && values.wait !== true) throw usageError("--timeout needs --wait", PATH);
  if (values.wait === true && values["dry-run"] === true) throw usageError("--wait and --dry-run do not go together", PATH);
  const timeoutMs = parseDuration(values.timeout ?? DEFAULT_TIMEOUT, "timeout", PATH);

  const document = await readConnectorConfigFile(file, io);
  const name = document.name;
  if (name === null || name.trim() === "") {
    throw new CliError(`configuration file "${file}" names no connector`, 1, ["Add \"name\": \"my-connector\" (beside \"config\", or as a config key)."]);
  }
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  if (values["dry-run"] === true) {
    // Before validating: a create under a taken name would fail however valid the configuration is.
    const existing = (await listConnectors(session, target)).find((c) => c.name === name);
    if (existing !== undefined) {
      throw new CliError(`connector "${name}" already exists in Kafka cluster "${target.clusterId}" (${existing.id}): create would fail`, 1, [
        `Change it with "vaultwire connect cluster update ${existing.id} --config-file ${file} --dry-run" (then without --dry-run), or pick another name.`,
      ]);
    }
    return dryRun(session, target, document.config, name, output, io);
  }

  await withDryRunHint(() => session.client.post(`${target.base}/connectors`, { name, config: document.config }), `${PATH} --config-file ${file} --dry-run`);
  const created = (await listConnectors(session, target)).find((c) => c.name === name);
  const id = created?.id ?? "";
  if (output === "human") io.stdout(`Created connector ${name} ${id}\n`);
  if (values.wait !== true) {
    if (output !== "human") io.stdout(renderData({ id, name }, output));
    return 0;
  }
  const state = await waitUntilRunning(session, target, io, { id, name }, timeoutMs, output === "human");
  if (output === "human") io.stdout(`Connector "${id}" is RUNNING.\n`);
  else io.stdout(renderData({ id, name, status: state }, output));
  return 0;
}

async function waitUntilRunning(session: Session, target: ConnectTarget, io: CliIo, connector: { id: string; name: string }, timeoutMs: number, human: boolean): Promise<string> {
  // Machine-readable output keeps stdout for the result: progress goes to stderr.
  const progressIo: CliIo = human ? io : { ...io, stdout: io.stderr, stdoutIsTTY: false };
  const outcome = await waitForConnector({
    io: progressIo,
    label: `connector "${connector.id}"`,
    timeoutMs,
    poll: async () => {
      const { body } = await session.client.get<{ connector?: { state?: string; trace?: string } }>(`${target.base}/connectors/${enc(connector.name)}/status`);
      return { state: body.connector?.state ?? "", trace: body.connector?.trace ?? "" };
    },
  });
  if (outcome.kind === "failed") {
    throw new CliError(`connector "${connector.id}" failed`, 1, [
      `Fix the cause, then run "vaultwire connect cluster update ${connector.id} --config-file FILE" or "vaultwire connect cluster restart ${connector.id}".`,
    ], traceLines(outcome.last.trace));
  }
  if (outcome.kind === "timeout") {
    throw new CliError(`connector "${connector.id}" is still ${outcome.last.state} after ${formatDuration(timeoutMs)}`, 1, [
      `Run "vaultwire connect cluster describe ${connector.id}" to follow it; the connector was created and keeps starting.`,
    ], traceLines(outcome.last.trace));
  }
  return outcome.last.state;
}
