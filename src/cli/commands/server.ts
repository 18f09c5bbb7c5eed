/**
 * `vaultwire server`: runs the control plane in the foreground until
 * SIGINT/SIGTERM, then drains (readiness 503 while still serving, for
 * VAULTWIRE_DRAIN_MS) and closes: background work, HTTP server, store.
 */
import { parseArgs } from "node:util";
import { startServer, type RunningServer } from "../../main/server.js";
import { loadSettings, SettingsError } from "../../main/settings.js";
import { CliError, usageError } from "../cli-error.js";
import type { CliIo } from "../io.js";

export const SERVER_HELP = `Run the vaultwire control plane (REST API) in the foreground.

Settings come from flags, then environment variables, then the config file
(JSON or YAML), then defaults; the README lists them all.

On SIGTERM or SIGINT it drains first: GET /health/ready answers 503 while
requests are still served, for VAULTWIRE_DRAIN_MS (default 5000; a second
signal skips the rest), then it stops, letting requests in flight finish.
docs/deployment.md describes running several replicas.

Usage:
  vaultwire server [flags]

Flags:
      --port int              Port to listen on (VAULTWIRE_PORT, default 8080; 0 picks a free one).
      --host string           Address to listen on (VAULTWIRE_HOST, default 127.0.0.1).
      --data-dir string       Directory for the SQLite store and the generated master key (VAULTWIRE_DATA_DIR, default .vaultwire/data).
      --database-url string   postgres://user:password@host:5432/db to use PostgreSQL instead (VAULTWIRE_DATABASE_URL).
      --config string         Config file (JSON or YAML).
  -h, --help                  Show this help.

Examples:
  vaultwire server
  vaultwire server --port 9090 --data-dir /var/lib/vaultwire
  VAULTWIRE_MASTER_KEY=$(openssl rand -base64 32) vaultwire server --database-url postgres://vaultwire:secret@db:5432/vaultwire
`;

export async function server(args: readonly string[], io: CliIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        port: { type: "string" },
        host: { type: "string" },
        "data-dir": { type: "string" },
        "database-url": { type: "string" },
        config: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw usageError((error as Error).message.replace(/^./, (c) => c.toLowerCase()), "vaultwire server");
  }
  if (values.help) {
    io.stdout(SERVER_HELP);
    return 0;
  }
  let settings;
  try {
    settings = loadSettings({
      env: io.env,
      flags: { port: values.port, host: values.host, "data-dir": values["data-dir"], "database-url": values["database-url"] },
      configFile: values.config ?? io.env.VAULTWIRE_CONFIG,
    });
  } catch (error) {
    if (error instanceof SettingsError) throw new CliError(error.problems.join("; "), 1, ["Run \"vaultwire server --help\"; the README lists every setting."]);
    throw error;
  }
  let running;
  try {
    running = await startServer(settings);
  } catch (error) {
    throw new CliError(`the server could not start: ${(error as Error).message}`);
  }
  // Listen for signals before saying we are up, so an early Ctrl-C still shuts down cleanly.
  const shutdown = io.waitForShutdown();
  if (running.bootstrapKey) io.stderr(bootstrapKeyNotice(running.bootstrapKey, settings.bootstrapApiSecret !== undefined));
  io.stderr(`vaultwire server listening on ${running.url} (Ctrl-C to stop)\n`);
  const signal = await shutdown;
  io.stderr(`received ${signal}, shutting down${settings.drainMs > 0 ? `: draining for ${settings.drainMs} ms (send ${signal} again to skip)` : ""}\n`);
  // A second signal during the drain ends it; the one after that is Node's default (the process ends at once).
  void io.waitForShutdown().then(() => running.drain());
  await running.drain();
  await running.close();
  return 0;
}

/**
 * What the first start says about the admin key it created: the secret only
 * when vaultwire generated it (it exists nowhere else); an operator's own
 * secret is never printed, since stderr ends up in log collectors.
 */
export function bootstrapKeyNotice(created: NonNullable<RunningServer["bootstrapKey"]>, secretFromOperator: boolean): string {
  if (secretFromOperator) {
    return `\nCreated the first admin API key "${created.key.id}" from VAULTWIRE_BOOTSTRAP_API_KEY, with the secret set in VAULTWIRE_BOOTSTRAP_API_SECRET (not shown).\n\n`;
  }
  return `\nCreated the first admin API key. The secret is shown only now; store it safely:\n\n  API key:    ${created.key.id}\n  API secret: ${created.secret}\n\n` +
    `  export VAULTWIRE_API_KEY=${created.key.id} VAULTWIRE_API_SECRET=<the secret above>\n\n`;
}
