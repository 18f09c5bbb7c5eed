/** `vaultwire login`: checks an API key against a server and stores it as a context. */
import { parseArgs } from "node:util";
import { ApiClient } from "../api-client.js";
import { CliError, usageError } from "../cli-error.js";
import { loadContexts, saveContexts, withContext, type StoredContext } from "../context-store.js";
import { expectPositionals, HELP_OPTION, parseFlags } from "../flags.js";
import type { CliIo } from "../io.js";
import { askRequired, createPrompter } from "../prompt.js";
import type { EnvironmentBody } from "../resources.js";
import { normalizeUrl } from "../session.js";

const PATH = "vaultwire login";

export const LOGIN_HELP = `Log in to a vaultwire server with an API key and store it as a context in
~/.vaultwire/config.json (mode 0600). Asks for what the flags do not give (the
secret is not echoed); without a terminal the answers are read as lines of stdin.

VAULTWIRE_URL, VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET (and
VAULTWIRE_ENVIRONMENT, VAULTWIRE_CLUSTER) override the stored context in every
command, so scripts may skip login altogether.

Usage:
  vaultwire login --url URL [flags]

Flags:
      --url string          The server, e.g. http://127.0.0.1:8080 (default VAULTWIRE_URL).
      --api-key string      The API key (asked when missing).
      --api-secret string   The API secret (asked when missing; prefer typing it or piping it on stdin).
      --name string         The context's name (default: the server's host:port).
  -h, --help                Show this help.

Examples:
  vaultwire login --url http://127.0.0.1:8080
  printf '%s\\n%s\\n' "$KEY" "$SECRET" | vaultwire login --url https://vaultwire.example.com --name prod
`;

export async function login(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags(() => parseArgs({
    args: [...args],
    options: { url: { type: "string" }, "api-key": { type: "string" }, "api-secret": { type: "string" }, name: { type: "string" }, ...HELP_OPTION },
    strict: true,
    allowPositionals: true,
  }), PATH);
  if (values.help) {
    io.stdout(LOGIN_HELP);
    return 0;
  }
  expectPositionals(positionals, PATH, "", 0);
  const prompter = createPrompter(io);
  const rawUrl = values.url ?? io.env.VAULTWIRE_URL ?? await askRequired(prompter, "vaultwire URL:", "--url");
  const url = checkUrl(rawUrl);
  const apiKey = values["api-key"]?.trim() || await askRequired(prompter, "API key:", "--api-key");
  const apiSecret = values["api-secret"] || await askRequired(prompter, "API secret:", "--api-secret", { secret: true });
  const name = values.name === undefined ? new URL(url).host : checkName(values.name);

  const client = new ApiClient({ url, apiKey, apiSecret });
  const environments = (await client.get<{ data?: EnvironmentBody[] }>("/org/v2/environments", { page_size: "2" })).body.data ?? [];

  const { path, file } = await loadContexts(io.env);
  const previous = file.contexts[name];
  const keep = previous !== undefined && normalizeUrl(previous.url) === url;
  const onlyEnvironment = environments.length === 1 ? environments[0]?.id : undefined;
  const environment = keep ? previous.environment : onlyEnvironment;
  const context: StoredContext = {
    url,
    api_key: apiKey,
    api_secret: apiSecret,
    ...(environment === undefined ? {} : { environment }),
    ...(keep && previous.cluster !== undefined ? { cluster: previous.cluster } : {}),
  };
  await saveContexts(path, { ...withContext(file, name, context), current_context: name });
  io.stdout(`Logged in to ${url} with API key "${apiKey}".\nUsing context "${name}".\n`);
  if (environment !== undefined && !keep) io.stdout(`Using environment "${environment}".\n`);
  return 0;
}

function checkUrl(value: string): string {
  const url = normalizeUrl(value);
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.username !== "" || parsed.password !== "" || parsed.search !== "" || parsed.hash !== "") {
    throw usageError(`invalid value "${value}" for flag "--url": expected an http:// or https:// URL such as http://127.0.0.1:8080`, PATH);
  }
  return url;
}

function checkName(value: string): string {
  const name = value.trim();
  // eslint-disable-next-line no-control-regex
  if (name === "" || name.length > 64 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new CliError(`invalid context name "${name.slice(0, 64)}": use 1-64 printable characters`, 2, [`Run "${PATH} --help" for usage.`]);
  }
  return name;
}
