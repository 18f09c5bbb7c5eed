import { useCallback, useEffect, useState, type ReactNode } from "react";
import { ApiError, connectBase, messageOf } from "../api.js";
import { Cell, ConfirmDialog, ExpiryBadge, Loading, Notice, PageTitle, StatusBadge } from "../components.js";
import { troubleshootingHints } from "../format.js";
import { Link, useRouter } from "../router.js";
import type { ExpandedConnector } from "../types.js";
import { useWorkspace } from "../workspace.js";
import { ConnectorHistory } from "./audit-views.js";
import { NeedCluster } from "./connectors.js";

const MANAGER_NAMES: Readonly<Record<string, string>> = { AZURE_KEY_VAULT: "Azure Key Vault", AWS_SECRETS_MANAGER: "AWS Secrets Manager", GCP_SECRET_MANAGER: "Google Secret Manager" };
const MASKED = /^\*{2,}$/;
const REFRESH_MS = 5000;
const SETTLE_MS = 15_000;
const SETTLE_POLL_MS = 500;

type Action = "pause" | "resume" | "restart" | "delete";

const ACTIONS: Readonly<Record<Action, { title: string; verb: string; done: string; explain: string }>> = {
  pause: { title: "Pause connector", verb: "Pause", done: "Paused", explain: "Its tasks stop reading and writing until you resume it." },
  resume: { title: "Resume connector", verb: "Resume", done: "Resumed", explain: "Its tasks start again from where they stopped." },
  restart: { title: "Restart connector", verb: "Restart", done: "Restarted", explain: "The connector and its tasks are stopped and started again; secrets are fetched again on start." },
  delete: { title: "Delete connector", verb: "Delete", done: "Deleted", explain: "It is removed from Kafka Connect and from vaultwire. Its topics and offsets in Kafka stay. This cannot be undone." },
};

export function ConnectorDetailPage({ name }: { name: string }): ReactNode {
  const { api, environmentId, clusterId, setFlash } = useWorkspace();
  const { navigate } = useRouter();
  const [connector, setConnector] = useState<ExpandedConnector | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [pending, setPending] = useState<Action | null>(null);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ kind: "success" | "error"; text: string } | null>(null);

  const base = environmentId === null || clusterId === null ? null : connectBase(environmentId, clusterId);
  const load = useCallback(async (): Promise<ExpandedConnector | undefined> => {
    if (base === null) return undefined;
    try {
      const map = await api.get<Record<string, ExpandedConnector>>(`${base}/connectors?expand=info,status,id`);
      const found = map[name];
      setConnector(found ?? null);
      setMissing(found === undefined);
      setError(null);
      return found;
    } catch (failure) {
      setError(messageOf(failure));
      return undefined;
    }
  }, [api, base, name]);
  useEffect(() => {
    void load();
    // The runtime acts in the background: the page follows the connector's state while it is open.
    const timer = setInterval(() => { if (document.visibilityState === "visible") void load(); }, REFRESH_MS);
    return () => { clearInterval(timer); };
  }, [load]);

  if (base === null) return <><PageTitle>{name}</PageTitle><NeedCluster /></>;

  const run = async (action: Action) => {
    setBusy(true);
    const path = `${base}/connectors/${encodeURIComponent(name)}`;
    try {
      if (action === "delete") await api.request("DELETE", path);
      else if (action === "restart") await api.request("POST", `${path}/restart`);
      else await api.request("PUT", `${path}/${action}`);
      const id = connector?.id.id ?? name;
      if (action === "delete") {
        setFlash(`Deleted connector "${name}" (${id}).`);
        navigate("/connectors");
        return;
      }
      // Pause and resume are carried out in the background: follow the state until it is reached (or a bound passes).
      const target = action === "pause" ? "PAUSED" : action === "resume" ? "RUNNING" : undefined;
      const until = Date.now() + SETTLE_MS;
      let seen = await load();
      while (target !== undefined && seen !== undefined && seen.status.connector.state !== target && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS));
        seen = await load();
      }
      setResult({ kind: "success", text: `${ACTIONS[action].done} connector "${name}" (${id}).` });
    } catch (failure) {
      setResult({ kind: "error", text: failure instanceof ApiError ? failure.message : messageOf(failure) });
    } finally {
      setBusy(false);
      setPending(null);
    }
  };

  const state = connector?.status.connector.state;
  const config = connector?.info.config ?? {};
  const managerOn = config["secret.manager.enabled"]?.trim().toLowerCase() === "true";
  const managed = new Set(managerOn ? (config["secret.manager.managed.configs"] ?? "").split(",").map((s) => s.trim()).filter((s) => s !== "") : []);
  const managerName = MANAGER_NAMES[config["secret.manager"]?.trim().toUpperCase() ?? ""] ?? "the secret manager";
  const integrationId = managerOn ? config["secret.manager.provider.integration.id"] : undefined;
  const trace = connector?.status.connector.trace ?? "";
  const failedTasks = connector?.status.tasks.filter((t) => t.state === "FAILED") ?? [];

  return (
    <>
      <p className="breadcrumb"><Link to="/connectors">Connectors</Link> <span aria-hidden="true">/</span> {name}</p>
      <div className="title-row">
        <PageTitle subtitle={connector === null ? undefined : <><code>{connector.id.id}</code> · {config["connector.class"] ?? ""} · {connector.info.type}</>}>{name}</PageTitle>
        {connector === null || state === undefined ? null : <><StatusBadge state={state} /> <ExpiryBadge warnings={connector.status.connector.warnings} /></>}
      </div>
      {error === null ? null : <Notice kind="error">{error}</Notice>}
      {result === null ? null : <Notice kind={result.kind}>{result.text}</Notice>}
      {missing ? <Notice kind="error" title="Connector not found">There is no connector “{name}” on this cluster. <Link to="/connectors">Back to the connectors</Link></Notice> : null}
      {connector === null ? (missing || error !== null ? null : <Loading what="the connector" />) : (
        <>
          <div className="actions" role="group" aria-label="Connector actions">
            {state === "PAUSED"
              ? <button type="button" className="button" onClick={() => { setPending("resume"); }}>Resume</button>
              : <button type="button" className="button" onClick={() => { setPending("pause"); }}>Pause</button>}
            <button type="button" className="button" onClick={() => { setPending("restart"); }}>Restart</button>
            <button type="button" className="button button-danger" onClick={() => { setPending("delete"); }}>Delete</button>
            <button type="button" className="button button-quiet" onClick={() => { void load(); }}>Refresh</button>
          </div>

          {(connector.status.connector.warnings ?? []).length === 0 ? null : (
            <Notice kind="warning" title="A secret this connector uses expires soon">
              <ul className="warnings">
                {(connector.status.connector.warnings ?? []).map((w) => <li key={w.key}>{w.message}</li>)}
              </ul>
            </Notice>
          )}

          {trace === "" && failedTasks.length === 0 ? null : (
            <section className={`panel${state === "FAILED" || state === "DEGRADED" ? " panel-bad" : ""}`} aria-labelledby="trace-title">
              <h2 id="trace-title">{state === "FAILED" ? "Why the connector failed" : "Status details"}</h2>
              {trace === "" ? null : <pre className="trace">{trace}</pre>}
              {state === "FAILED" || state === "DEGRADED" ? (
                <>
                  <h3>Troubleshooting</h3>
                  <ul className="hints">
                    {troubleshootingHints([trace, ...failedTasks.map((t) => t.msg)].join("\n")).map((hint) => <li key={hint}>{hint}</li>)}
                  </ul>
                  {integrationId === undefined ? null : <p><Link to={`/integrations/${encodeURIComponent(integrationId)}`}>Validate provider integration {integrationId}</Link></p>}
                </>
              ) : null}
            </section>
          )}

          <section aria-labelledby="tasks-title">
            <h2 id="tasks-title">Tasks</h2>
            {connector.status.tasks.length === 0 ? <p className="muted">No tasks are running yet.</p> : (
              <table className="table responsive" aria-labelledby="tasks-title">
                <thead><tr><th scope="col">Task</th><th scope="col">State</th><th scope="col">Worker</th><th scope="col">Message</th></tr></thead>
                <tbody>
                  {connector.status.tasks.map((task) => (
                    <tr key={task.id}>
                      <Cell label="Task">{task.id}</Cell>
                      <Cell label="State"><StatusBadge state={task.state} /></Cell>
                      <Cell label="Worker">{task.worker_id === "" ? <span className="muted">—</span> : <code>{task.worker_id}</code>}</Cell>
                      <Cell label="Message">{task.msg === "" ? <span className="muted">—</span> : <pre className="trace trace-small">{task.msg}</pre>}</Cell>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <ConnectorHistory api={api} connectorId={connector.id.id} />

          <section aria-labelledby="config-title">
            <h2 id="config-title">Configuration</h2>
            <p className="hint">Secret identifiers are shown as they are (they are not secrets); other sensitive values are masked and never sent to this page.</p>
            <table className="table responsive config-table" aria-labelledby="config-title">
              <thead><tr><th scope="col">Key</th><th scope="col">Value</th></tr></thead>
              <tbody>
                {Object.entries(config).map(([key, value]) => (
                  <tr key={key}>
                    <Cell label="Key"><code>{key}</code></Cell>
                    <Cell label="Value">
                      {managed.has(key) ? <><code className="identifier">{value}</code> <span className="tag tag-vault">from {managerName}</span></>
                        : MASKED.test(value) ? <><span className="masked" aria-label="masked value">••••••••</span> <span className="tag">masked</span></>
                        : key === "secret.manager.provider.integration.id" ? <Link to={`/integrations/${encodeURIComponent(value)}`}><code>{value}</code></Link>
                        : <code>{value}</code>}
                    </Cell>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </>
      )}
      <ConfirmDialog
        open={pending !== null}
        title={pending === null ? "" : `${ACTIONS[pending].title} “${name}”?`}
        confirmLabel={pending === null ? "" : `${ACTIONS[pending].verb} connector`}
        danger={pending === "delete"}
        busy={busy}
        onCancel={() => { setPending(null); }}
        onConfirm={() => { if (pending !== null) void run(pending); }}
      >
        <p>{pending === null ? "" : ACTIONS[pending].explain}</p>
      </ConfirmDialog>
    </>
  );
}
