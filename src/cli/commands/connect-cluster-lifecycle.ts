/** `vaultwire connect cluster pause|resume|restart <id>...` and `delete <id>... [--force]`. */
import { parseArgs } from "node:util";
import type { Command } from "../command.js";
import { CLUSTER_OPTION, ENVIRONMENT_OPTION, expectPositionals, FORCE_OPTION, HELP_OPTION, parseFlags } from "../flags.js";
import type { CliIo } from "../io.js";
import { confirmDeletion, connectTarget, enc, uniqueIds } from "../resources.js";
import { openSession } from "../session.js";
import { CONNECTOR_ID_HELP, resolveConnectors, TARGET_FLAGS_HELP } from "./connectors.js";

interface Action {
  readonly verb: "pause" | "resume" | "restart";
  readonly summary: string;
  readonly past: string;
  readonly call: (base: string) => { method: "PUT" | "POST"; path: string };
}

const ACTIONS: readonly Action[] = [
  { verb: "pause", summary: "Pause connectors: their tasks stop until resumed.", past: "Paused", call: (base) => ({ method: "PUT", path: `${base}/pause` }) },
  { verb: "resume", summary: "Resume paused connectors.", past: "Resumed", call: (base) => ({ method: "PUT", path: `${base}/resume` }) },
  { verb: "restart", summary: "Restart connectors and their tasks (e.g. after fixing a secret in the vault).", past: "Restarted", call: (base) => ({ method: "POST", path: `${base}/restart` }) },
];

function actionHelp(action: Action): string {
  return `${action.summary}
Every ID is checked before any connector is changed.
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect cluster ${action.verb} <id>... [flags]

Flags:
${TARGET_FLAGS_HELP}
  -h, --help                 Show this help.

Examples:
  vaultwire connect cluster ${action.verb} lcc-a1b2c3d4
  vaultwire connect cluster ${action.verb} lcc-a1b2c3d4 lcc-e5f6g7h8 --cluster lkc-a1b2c3d4
`;
}

function lifecycle(action: Action): Command {
  const path = `vaultwire connect cluster ${action.verb}`;
  return async (args: readonly string[], io: CliIo) => {
    const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
    if (values.help) {
      io.stdout(actionHelp(action));
      return 0;
    }
    const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
    const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
    const target = await connectTarget(session);
    for (const connector of await resolveConnectors(session, target, ids)) {
      const { method, path: url } = action.call(`${target.base}/connectors/${enc(connector.name)}`);
      await session.client.request(method, url);
      io.stdout(`${action.past} connector "${connector.id}".\n`);
    }
    return 0;
  };
}

export const connectClusterPause = lifecycle(ACTIONS[0] as Action);
export const connectClusterResume = lifecycle(ACTIONS[1] as Action);
export const connectClusterRestart = lifecycle(ACTIONS[2] as Action);

export const CONNECT_CLUSTER_DELETE_HELP = `Delete connectors. Every ID is checked first; then it asks unless --force.
${CONNECTOR_ID_HELP}

Usage:
  vaultwire connect cluster delete <id>... [flags]

Flags:
      --force                Delete without asking.
${TARGET_FLAGS_HELP}
  -h, --help                 Show this help.

Examples:
  vaultwire connect cluster delete lcc-a1b2c3d4
  vaultwire connect cluster delete lcc-a1b2c3d4 lcc-e5f6g7h8 --force
`;

export async function connectClusterDelete(args: readonly string[], io: CliIo): Promise<number> {
  const path = "vaultwire connect cluster delete";
  const { values, positionals } = parseFlags(() => parseArgs({ args: [...args], options: { ...FORCE_OPTION, ...CLUSTER_OPTION, ...ENVIRONMENT_OPTION, ...HELP_OPTION }, strict: true, allowPositionals: true }), path);
  if (values.help) {
    io.stdout(CONNECT_CLUSTER_DELETE_HELP);
    return 0;
  }
  const ids = uniqueIds(expectPositionals(positionals, path, "<id>", 1, Number.MAX_SAFE_INTEGER));
  const session = await openSession(io, { environment: values.environment, cluster: values.cluster });
  const target = await connectTarget(session);
  const connectors = await resolveConnectors(session, target, ids);
  if (!(await confirmDeletion(io, "connector", connectors.map((c) => c.id), values.force === true))) return 0;
  for (const connector of connectors) {
    const { body } = await session.client.delete<{ notices?: string[] }>(`${target.base}/connectors/${enc(connector.name)}`);
    io.stdout(`Deleted connector "${connector.id}".\n`);
    for (const notice of body.notices ?? []) io.stdout(`Note: ${notice}\n`);
  }
  return 0;
}
