/**
 * What every signed-in page shares: the API client, the environments and the
 * selected environment's clusters, the selection (kept in sessionStorage and
 * taken from ?environment=&cluster= when a link carries them), and a flash
 * message for the next page.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { createApiClient, messageOf, type ApiClient } from "./api.js";
import { useRouter } from "./router.js";
import { loadSelection, saveSelection, type Credentials } from "./session.js";
import type { Cluster, Environment } from "./types.js";

export interface Workspace {
  readonly api: ApiClient;
  readonly keyId: string;
  readonly environments: readonly Environment[] | null;
  readonly clusters: readonly Cluster[] | null;
  readonly loadError: string | null;
  readonly environmentId: string | null;
  readonly clusterId: string | null;
  readonly environment: Environment | null;
  readonly cluster: Cluster | null;
  readonly selectEnvironment: (id: string) => void;
  readonly selectCluster: (id: string) => void;
  readonly reloadEnvironments: () => Promise<void>;
  readonly reloadClusters: () => Promise<void>;
  readonly flash: string | null;
  readonly setFlash: (message: string | null) => void;
  readonly signOut: (reason?: string) => void;
}

const WorkspaceContext = createContext<Workspace | null>(null);

export function useWorkspace(): Workspace {
  const value = useContext(WorkspaceContext);
  if (value === null) throw new Error("useWorkspace outside WorkspaceProvider");
  return value;
}

export function WorkspaceProvider({ credentials, onSignOut, children }: { credentials: Credentials; onSignOut: (reason?: string, options?: { keepDraft?: boolean }) => void; children: ReactNode }): ReactNode {
  const { location } = useRouter();
  const api = useMemo(() => createApiClient(credentials, () => { onSignOut("Your session ended: the API key was rejected. Sign in again.", { keepDraft: true }); }), [credentials, onSignOut]);
  const [environments, setEnvironments] = useState<readonly Environment[] | null>(null);
  const [clusters, setClusters] = useState<readonly Cluster[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [selection, setSelection] = useState(loadSelection);
  const [flash, setFlash] = useState<string | null>(null);

  const select = useCallback((environmentId: string | null, clusterId: string | null) => {
    setSelection((previous) => {
      if (previous.environmentId === environmentId && previous.clusterId === clusterId) return previous;
      const next = { environmentId, clusterId };
      saveSelection(next);
      return next;
    });
  }, []);

  // A link that names its environment and cluster (an integration's resource) selects them.
  const linkedEnvironment = location.query.get("environment");
  const linkedCluster = location.query.get("cluster");
  useEffect(() => {
    if (linkedEnvironment !== null) select(linkedEnvironment, linkedCluster);
  }, [linkedEnvironment, linkedCluster, select]);

  const reloadEnvironments = useCallback(async () => {
    try {
      setEnvironments(await api.listAll<Environment>("/org/v2/environments"));
      setLoadError(null);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  }, [api]);
  useEffect(() => { void reloadEnvironments(); }, [reloadEnvironments]);

  // Keep the selected environment one that exists.
  useEffect(() => {
    if (environments === null) return;
    if (selection.environmentId !== null && environments.some((e) => e.id === selection.environmentId)) return;
    select(environments[0]?.id ?? null, null);
  }, [environments, selection.environmentId, select]);

  const environmentId = selection.environmentId !== null && environments?.some((e) => e.id === selection.environmentId) === true ? selection.environmentId : null;
  const reloadClusters = useCallback(async () => {
    if (environmentId === null) {
      setClusters(environments === null ? null : []);
      return;
    }
    try {
      setClusters(await api.listAll<Cluster>(`/cmk/v2/clusters?environment=${encodeURIComponent(environmentId)}`));
      setLoadError(null);
    } catch (error) {
      setLoadError(messageOf(error));
    }
  }, [api, environmentId, environments]);
  useEffect(() => {
    setClusters(null);
    void reloadClusters();
  }, [reloadClusters]);

  useEffect(() => {
    if (clusters === null || environmentId === null) return;
    if (selection.clusterId !== null && clusters.some((c) => c.id === selection.clusterId)) return;
    select(environmentId, clusters[0]?.id ?? null);
  }, [clusters, environmentId, selection.clusterId, select]);

  const clusterId = selection.clusterId !== null && clusters?.some((c) => c.id === selection.clusterId) === true ? selection.clusterId : null;
  const value = useMemo<Workspace>(() => ({
    api,
    keyId: credentials.key,
    environments,
    clusters,
    loadError,
    environmentId,
    clusterId,
    environment: environments?.find((e) => e.id === environmentId) ?? null,
    cluster: clusters?.find((c) => c.id === clusterId) ?? null,
    selectEnvironment: (id) => { select(id, null); },
    selectCluster: (id) => { select(environmentId, id); },
    reloadEnvironments,
    reloadClusters,
    flash,
    setFlash,
    signOut: onSignOut,
  }), [api, credentials.key, environments, clusters, loadError, environmentId, clusterId, select, reloadEnvironments, reloadClusters, flash, onSignOut]);
  return <WorkspaceContext.Provider value={value}>{children}</WorkspaceContext.Provider>;
}
