import { useCallback, useEffect, useState, type SyntheticEvent, type ReactNode } from "react";
import { ApiError, messageOf } from "../api.js";
import { Cell, ConfirmDialog, Field, Loading, Notice, PageTitle, StatusBadge } from "../components.js";
import { connectorPath, parseUsage, pluralize } from "../format.js";
import { Link, useRouter } from "../router.js";
import type { Integration } from "../types.js";
import { useWorkspace } from "../workspace.js";

/** One link per usage CRN: to the connector's page in its environment and cluster. */
export function Resources({ usages }: { usages: readonly string[] }): ReactNode {
  if (usages.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="resources">
      {usages.map((crn) => {
        const usage = parseUsage(crn);
        return <li key={crn}>{usage === null ? <code>{crn}</code> : <Link to={connectorPath(usage)} title={crn}>Connector {usage.connector}</Link>}</li>;
      })}
    </ul>
  );
}

export function inUseExplanation(integration: Integration): string {
  return `In use by ${pluralize(integration.usages.length, "connector")}: delete those connectors (or point them at another integration) before deleting this integration.`;
}

export function IntegrationsPage(): ReactNode {
  const { api, environmentId, environment, setFlash } = useWorkspace();
  const { navigate } = useRouter();
  const [integrations, setIntegrations] = useState<readonly Integration[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [cloud, setCloud] = useState("AZURE");
  const [formErrors, setFormErrors] = useState<Record<string, string[]>>({});
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState<Integration | null>(null);
  const [result, setResult] = useState<{ kind: "success" | "error"; text: string } | null>(null);

  const load = useCallback(async () => {
    if (environmentId === null) return;
    try {
      setIntegrations(await api.listAll<Integration>(`/pim/v2/integrations?environment=${encodeURIComponent(environmentId)}`));
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [api, environmentId]);
  useEffect(() => {
    setIntegrations(null);
    void load();
  }, [load]);

  const create = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (environmentId === null) return;
    if (name.trim() === "") {
      setFormErrors({ display_name: ["Enter a name for the integration."] });
      document.getElementById("integration-name")?.focus();
      return;
    }
    setBusy(true);
    try {
      const { body } = await api.request<Integration>("POST", "/pim/v2/integrations", { display_name: name.trim(), provider: cloud, environment: { id: environmentId } });
      setFlash(`Created provider integration "${body.display_name}" (${body.id}). Next: consent its app in your tenant, grant the role, enter your tenant id and validate.`);
      navigate(`/integrations/${encodeURIComponent(body.id)}`);
    } catch (failure) {
      if (failure instanceof ApiError && failure.fields.length > 0) {
        const found: Record<string, string[]> = {};
        for (const f of failure.fields) found[f.field] = [...(found[f.field] ?? []), f.message];
        setFormErrors(found);
      } else setFormErrors({ display_name: [messageOf(failure)] });
    } finally {
      setBusy(false);
    }
  };

  const remove = async (integration: Integration) => {
    setBusy(true);
    try {
      await api.request("DELETE", `/pim/v2/integrations/${encodeURIComponent(integration.id)}?environment=${encodeURIComponent(integration.environment.id)}`);
      setResult({ kind: "success", text: `Deleted provider integration "${integration.display_name}" (${integration.id}).` });
      await load();
    } catch (failure) {
      setResult({ kind: "error", text: messageOf(failure) });
    } finally {
      setBusy(false);
      setDeleting(null);
    }
  };

  return (
    <>
      <PageTitle subtitle={environment === null ? undefined : <>Environment <strong>{environment.display_name}</strong> <code>{environment.id}</code></>}>Provider integrations</PageTitle>
      <p className="lead">A provider integration is a cloud identity that vaultwire uses to read a connector's secrets from your secret manager. Connectors name it in <code>secret.manager.provider.integration.id</code>.</p>
      {environmentId === null ? <Notice kind="info">Choose or <Link to="/environments">create an environment</Link> first.</Notice> : (
        <>
          {error === null ? null : <Notice kind="error">{error}</Notice>}
          {result === null ? null : <Notice kind={result.kind}>{result.text}</Notice>}
          {integrations === null ? (error === null ? <Loading what="provider integrations" /> : null) : integrations.length === 0 ? <p className="empty">No provider integrations in this environment yet.</p> : (
            <table className="table responsive" aria-label="Provider integrations">
              <thead><tr><th scope="col">Name</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Resources</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
              <tbody>
                {integrations.map((i) => {
                  const inUse = i.usages.length > 0;
                  const explainId = `in-use-${i.id}`;
                  return (
                    <tr key={i.id}>
                      <Cell label="Name"><Link to={`/integrations/${encodeURIComponent(i.id)}`}>{i.display_name}</Link><div className="id-line"><code>{i.id}</code></div></Cell>
                      <Cell label="Provider">{i.provider}</Cell>
                      <Cell label="Status"><StatusBadge state={i.status} /></Cell>
                      <Cell label="Resources"><Resources usages={i.usages} /></Cell>
                      <Cell label="Actions" className="actions-cell">
                        <button type="button" className="button button-small button-danger" disabled={inUse} aria-describedby={inUse ? explainId : undefined} onClick={() => { setDeleting(i); }} aria-label={`Delete ${i.display_name}`}>Delete</button>
                        {inUse ? <p className="hint" id={explainId}>{inUseExplanation(i)}</p> : null}
                      </Cell>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}

          <section className="panel" aria-labelledby="create-integration-title">
            <h2 id="create-integration-title">Create a provider integration</h2>
            <form onSubmit={(e) => { void create(e); }} noValidate className="inline-form">
              <Field id="integration-name" label="Name" hint="Up to 60 characters; it cannot be changed later." errors={formErrors.display_name} required>
                {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} maxLength={60} value={name} onChange={(e) => { setName(e.target.value); setFormErrors({}); }} />}
              </Field>
              <Field id="integration-cloud" label="Cloud" errors={formErrors.provider}>
                {({ id, describedBy, invalid }) => (
                  <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={cloud} onChange={(e) => { setCloud(e.target.value); }}>
                    <option value="AZURE">Microsoft Azure (Azure Key Vault)</option>
                    <option value="AWS" disabled>Amazon Web Services (not supported yet)</option>
                    <option value="GCP" disabled>Google Cloud (not supported yet)</option>
                  </select>
                )}
              </Field>
              <div className="actions"><button type="submit" className="button button-primary" disabled={busy}>Create integration</button></div>
            </form>
          </section>
        </>
      )}
      <ConfirmDialog open={deleting !== null} title={`Delete provider integration “${deleting?.display_name ?? ""}”?`} confirmLabel="Delete integration" danger busy={busy}
        onCancel={() => { setDeleting(null); }} onConfirm={() => { if (deleting !== null) void remove(deleting); }}>
        <p>Connectors can no longer use <code>{deleting?.id}</code>. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}
