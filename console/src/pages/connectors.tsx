import { useCallback, useEffect, useState, type ReactNode } from "react";
import { connectBase, messageOf } from "../api.js";
import { Cell, ExpiryBadge, Loading, Notice, PageTitle, StatusBadge } from "../components.js";
import { Link } from "../router.js";
import type { ExpandedConnector } from "../types.js";
import { useWorkspace } from "../workspace.js";

/** Shown when there is no environment or cluster to work in yet. */
export function NeedCluster(): ReactNode {
  const { environments, clusters, environmentId } = useWorkspace();
  if (environments === null || (environmentId !== null && clusters === null)) return <Loading what="clusters" />;
  return (
    <Notice kind="info" title={environments.length === 0 ? "No environment yet" : "No Kafka cluster in this environment"}>
      <p>Connectors run on a Kafka cluster of an environment. <Link to="/environments">Create an environment and register a cluster</Link> first.</p>
    </Notice>
  );
}

export function ConnectorsPage(): ReactNode {
  const { api, environmentId, clusterId, cluster } = useWorkspace();
  const [connectors, setConnectors] = useState<[string, ExpandedConnector][] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState("");

  const load = useCallback(async () => {
    if (environmentId === null || clusterId === null) return;
    try {
      const map = await api.get<Record<string, ExpandedConnector>>(`${connectBase(environmentId, clusterId)}/connectors?expand=info,status,id`);
      setConnectors(Object.entries(map).sort(([a], [b]) => a.localeCompare(b)));
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [api, environmentId, clusterId]);
  useEffect(() => {
    setConnectors(null);
    void load();
  }, [load]);

  const needle = search.trim().toLowerCase();
  const shown = connectors?.filter(([name, c]) => needle === "" || [name, c.id.id, c.info.config["connector.class"] ?? "", c.status.connector.state].some((text) => text.toLowerCase().includes(needle))) ?? null;

  return (
    <>
      <div className="title-row">
        <PageTitle subtitle={cluster === null ? undefined : <>Kafka cluster <strong>{cluster.spec.display_name}</strong> <code>{cluster.id}</code></>}>Connectors</PageTitle>
        {clusterId === null ? null : <Link to="/connectors/new" className="button button-primary">Add connector</Link>}
      </div>
      {environmentId === null || clusterId === null ? <NeedCluster /> : (
        <>
          <div className="toolbar">
            <div className="field field-inline">
              <label htmlFor="connector-search"><span className="label-text">Search connectors</span></label>
              <input id="connector-search" type="search" value={search} placeholder="Name, ID, plugin or status" onChange={(e) => { setSearch(e.target.value); }} />
            </div>
            <button type="button" className="button" onClick={() => { void load(); }}>Refresh</button>
          </div>
          {error === null ? null : <Notice kind="error">{error}</Notice>}
          {shown === null ? (error === null ? <Loading what="connectors" /> : null) : connectors?.length === 0 ? (
            <div className="empty">
              <p>No connectors on this cluster yet.</p>
              <Link to="/connectors/new" className="button button-primary">Add connector</Link>
            </div>
          ) : shown.length === 0 ? <p role="status">No connector matches “{search}”.</p> : (
            <table className="table responsive" aria-label="Connectors">
              <thead>
                <tr><th scope="col">Name</th><th scope="col">ID</th><th scope="col">Status</th><th scope="col">Plugin</th><th scope="col">Type</th><th scope="col">Trace</th></tr>
              </thead>
              <tbody>
                {shown.map(([name, c]) => (
                  <tr key={name}>
                    <Cell label="Name"><Link to={`/connectors/${encodeURIComponent(name)}`}>{name}</Link></Cell>
                    <Cell label="ID"><code>{c.id.id}</code></Cell>
                    <Cell label="Status"><StatusBadge state={c.status.connector.state} /> <ExpiryBadge warnings={c.status.connector.warnings} /></Cell>
                    <Cell label="Plugin">{c.info.config["connector.class"] ?? ""}</Cell>
                    <Cell label="Type">{c.info.type}</Cell>
                    <Cell label="Trace" className="trace-cell">{c.status.connector.trace === "" ? <span className="muted">—</span> : <span className="trace-preview">{c.status.connector.trace.replace(/\s*\n\s*/g, " ")}</span>}</Cell>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
