/**
 * Which server, key and selections a command uses: flags first, then the
 * VAULTWIRE_* environment variables, then the current stored context. The
 * stored key is used only with the stored URL, so pointing VAULTWIRE_URL at
 * another server never sends it there.
 */
import { ApiClient } from "./api-client.js";
import { CliError } from "./cli-error.js";
import { loadContexts, saveContexts, withContext, type StoredContext } from "./context-store.js";
import type { CliIo } from "./io.js";

export interface Session {
  readonly client: ApiClient;
  readonly url: string;
  readonly apiKey: string;
  /** The stored context in use; null when the environment variables replace it. */
  readonly contextName: string | null;
  readonly environmentId: string | undefined;
  readonly clusterId: string | undefined;
  /** True when the environment came from --environment or VAULTWIRE_ENVIRONMENT rather than a stored "use". */
  readonly environmentExplicit: boolean;
  readonly clusterExplicit: boolean;
}

export interface Selections {
  readonly environment?: string | undefined;
  readonly cluster?: string | undefined;
}

export const LOGIN_SUGGESTION = `Run "vaultwire login --url http://127.0.0.1:8080" (or set VAULTWIRE_URL, VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET).`;

export function normalizeUrl(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

export async function openSession(io: CliIo, selections: Selections = {}): Promise<Session> {
  const { file } = await loadContexts(io.env);
  const name = file.current_context;
  const stored: StoredContext | undefined = name === null ? undefined : file.contexts[name];
  const envUrl = blankToUndefined(io.env.VAULTWIRE_URL);
  const url = envUrl === undefined ? stored?.url : normalizeUrl(envUrl);
  if (url === undefined) throw new CliError("not logged in to a vaultwire server", 1, [LOGIN_SUGGESTION]);
  const applies = stored !== undefined && normalizeUrl(stored.url) === url;
  const envKey = blankToUndefined(io.env.VAULTWIRE_API_KEY);
  const envSecret = blankToUndefined(io.env.VAULTWIRE_API_SECRET);
  if ((envKey === undefined) !== (envSecret === undefined)) {
    throw new CliError("VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET go together: set both or neither", 1);
  }
  const apiKey = envKey ?? (applies ? stored.api_key : undefined);
  const apiSecret = envSecret ?? (applies ? stored.api_secret : undefined);
  if (apiKey === undefined || apiSecret === undefined) {
    throw new CliError(`no API key for ${url}`, 1, [`Run "vaultwire login --url ${url}", or set VAULTWIRE_API_KEY and VAULTWIRE_API_SECRET.`]);
  }
  const pick = (flag: string | undefined, variable: string | undefined, remembered: string | undefined) => {
    const explicit = blankToUndefined(flag) ?? blankToUndefined(variable);
    return { value: explicit ?? (applies ? remembered : undefined), explicit: explicit !== undefined };
  };
  const environment = pick(selections.environment, io.env.VAULTWIRE_ENVIRONMENT, stored?.environment);
  const cluster = pick(selections.cluster, io.env.VAULTWIRE_CLUSTER, stored?.cluster);
  return {
    client: new ApiClient({ url, apiKey, apiSecret }),
    url,
    apiKey,
    contextName: applies ? name : null,
    environmentId: environment.value,
    clusterId: cluster.value,
    environmentExplicit: environment.explicit,
    clusterExplicit: cluster.explicit,
  };
}

/**
 * Remembers (or forgets, given null) the environment and cluster in the
 * session's stored context.
 */
export async function rememberSelection(io: CliIo, session: Session, change: { environment?: string | null; cluster?: string | null }): Promise<void> {
  const { path, file } = await loadContexts(io.env);
  const name = session.contextName;
  const stored = name === null ? undefined : file.contexts[name];
  if (name === null || stored === undefined) {
    throw new CliError("there is no stored context to remember the selection in", 1, [
      `Run "vaultwire login --url ${session.url}" to store one, or set VAULTWIRE_ENVIRONMENT and VAULTWIRE_CLUSTER instead.`,
    ]);
  }
  const next: Record<string, string> = { ...stored };
  for (const key of ["environment", "cluster"] as const) {
    const value = change[key];
    if (value === null) Reflect.deleteProperty(next, key);
    else if (value !== undefined) next[key] = value;
  }
  await saveContexts(path, withContext(file, name, next as unknown as StoredContext));
}

/** Forgets a selection that points at a resource that was just deleted. */
export async function forgetIfSelected(io: CliIo, session: Session, kind: "environment" | "cluster", id: string): Promise<void> {
  if (session.contextName === null) return;
  const { file } = await loadContexts(io.env);
  const stored = file.contexts[session.contextName];
  if (stored?.[kind] !== id) return;
  await rememberSelection(io, session, kind === "environment" ? { environment: null, cluster: null } : { cluster: null });
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}
