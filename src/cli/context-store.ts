/**
 * The CLI's stored contexts: `~/.vaultwire/config.json` (mode 0600, in a
 * 0700 directory), one entry per server login with its API key and the
 * environment and Kafka cluster chosen with `use`. HOME comes from the
 * CLI's environment so tests can point it at a temporary directory.
 */
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CliError } from "./cli-error.js";

export interface StoredContext {
  readonly url: string;
  readonly api_key: string;
  readonly api_secret: string;
  readonly environment?: string;
  readonly cluster?: string;
}

export interface ContextFile {
  readonly current_context: string | null;
  readonly contexts: Readonly<Record<string, StoredContext>>;
}

export const EMPTY_CONTEXT_FILE: ContextFile = { current_context: null, contexts: {} };

export function contextFilePath(env: Readonly<Record<string, string | undefined>>): string {
  const home = env.HOME ?? env.USERPROFILE;
  if (home === undefined || home.trim() === "") {
    throw new CliError("cannot find the home directory for the CLI configuration", 1, ["Set HOME to a directory the CLI may write ~/.vaultwire/config.json in."]);
  }
  return join(home, ".vaultwire", "config.json");
}

/** Reads and checks the file's text; every problem names the file. */
export function parseContextFile(text: string, path: string): ContextFile {
  const invalid = (why: string) => new CliError(`the CLI configuration "${path}" is not valid: ${why}`, 1, [`Fix or delete the file, then run "vaultwire login" again.`]);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid("it is not JSON");
  }
  if (!isObject(data)) throw invalid("expected a JSON object");
  const rawContexts = data.contexts ?? {};
  if (!isObject(rawContexts)) throw invalid("\"contexts\" must be an object");
  const contexts: Record<string, StoredContext> = {};
  for (const [name, value] of Object.entries(rawContexts)) {
    if (!isObject(value)) throw invalid(`context "${name}" must be an object`);
    for (const field of ["url", "api_key", "api_secret"] as const) {
      if (typeof value[field] !== "string" || value[field] === "") throw invalid(`context "${name}" has no ${field}`);
    }
    for (const field of ["environment", "cluster"] as const) {
      if (value[field] !== undefined && typeof value[field] !== "string") throw invalid(`the ${field} of context "${name}" must be a string`);
    }
    contexts[name] = {
      url: value.url as string,
      api_key: value.api_key as string,
      api_secret: value.api_secret as string,
      ...(typeof value.environment === "string" ? { environment: value.environment } : {}),
      ...(typeof value.cluster === "string" ? { cluster: value.cluster } : {}),
    };
  }
  const current = data.current_context ?? null;
  if (current !== null && typeof current !== "string") throw invalid("\"current_context\" must be a string");
  return { current_context: current !== null && current in contexts ? current : null, contexts };
}

export async function loadContexts(env: Readonly<Record<string, string | undefined>>): Promise<{ path: string; file: ContextFile }> {
  const path = contextFilePath(env);
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { path, file: EMPTY_CONTEXT_FILE };
    throw new CliError(`cannot read the CLI configuration "${path}": ${code ?? "unknown error"}`);
  }
  return { path, file: parseContextFile(text, path) };
}

/** Writes the file atomically (temporary file, then rename) with mode 0600. */
export async function saveContexts(path: string, file: ContextFile): Promise<void> {
  const dir = join(path, "..");
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new CliError(`cannot write the CLI configuration "${path}": ${(error as NodeJS.ErrnoException).code ?? "unknown error"}`);
  }
}

/** A copy of the file with one context replaced (or removed, given undefined). */
export function withContext(file: ContextFile, name: string, context: StoredContext | undefined): ContextFile {
  const contexts = { ...file.contexts };
  if (context === undefined) Reflect.deleteProperty(contexts, name);
  else contexts[name] = context;
  return { current_context: file.current_context !== null && file.current_context in contexts ? file.current_context : null, contexts };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
