/**
 * One provider integration and its Azure setup, in the order Confluent
 * documents it: consent the platform's multi-tenant app in your tenant, grant
 * it "Key Vault Secrets User" on the vault, record your tenant id, validate.
 */
import { useCallback, useEffect, useState, type SyntheticEvent, type ReactNode } from "react";
import { ApiError, messageOf } from "../api.js";
import { Cell, ConfirmDialog, CopyButton, Field, Loading, Notice, PageTitle, StatusBadge } from "../components.js";
import { formatDate } from "../format.js";
import { Link, useRouter } from "../router.js";
import type { Integration, IntegrationValidation } from "../types.js";
import { useWorkspace } from "../workspace.js";
import { IntegrationAccesses, RequestRateChart } from "./audit-views.js";
import { inUseExplanation, Resources } from "./integrations.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const KEY_VAULT_ROLE = "Key Vault Secrets User";

type Outcome =
  | { kind: "ready"; validation: IntegrationValidation | null }
  | { kind: "failed"; validation: IntegrationValidation | null; message: string }
  | { kind: "error"; message: string };

export function IntegrationDetailPage({ id }: { id: string }): ReactNode {
  const { api, setFlash } = useWorkspace();
  const { navigate } = useRouter();
  const [integration, setIntegration] = useState<Integration | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tenant, setTenant] = useState("");
  const [tenantErrors, setTenantErrors] = useState<string[]>([]);
  const [vaultUri, setVaultUri] = useState("");
  const [vaultErrors, setVaultErrors] = useState<string[]>([]);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [saved, setSaved] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setIntegration(await api.get<Integration>(`/pim/v2/integrations/${encodeURIComponent(id)}`));
      setError(null);
    } catch (failure) {
      setError(messageOf(failure));
    }
  }, [api, id]);
  useEffect(() => { void load(); }, [load]);

  if (integration === null) {
    return <><PageTitle>Provider integration {id}</PageTitle>{error === null ? <Loading what="the integration" /> : <Notice kind="error">{error}</Notice>}</>;
  }

  const appId = integration.config.confluent_multi_tenant_app_id;
  const draft = integration.status === "DRAFT";
  const tenantForLink = draft ? (GUID.test(tenant.trim()) ? tenant.trim() : "organizations") : integration.config.customer_azure_tenant_id;
  const consentUrl = `https://login.microsoftonline.com/${encodeURIComponent(tenantForLink)}/adminconsent?client_id=${encodeURIComponent(appId)}`;
  const inUse = integration.usages.length > 0;

  const saveTenant = async (event: SyntheticEvent) => {
    event.preventDefault();
    const value = tenant.trim();
    if (!GUID.test(value)) {
      setTenantErrors(["Enter your Microsoft Entra tenant id: a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47."]);
      document.getElementById("tenant-id")?.focus();
      return;
    }
    setBusy(true);
    try {
      const { body } = await api.request<Integration>("PATCH", `/pim/v2/integrations/${encodeURIComponent(integration.id)}`, {
        config: { kind: "AzureIntegrationConfig", customer_azure_tenant_id: value },
        environment: { id: integration.environment.id },
      });
      setIntegration(body);
      setTenantErrors([]);
      setSaved(`Saved tenant ${value}. The integration is now ${body.status}: validate it below.`);
    } catch (failure) {
      setTenantErrors([failure instanceof ApiError && failure.fields.length > 0 ? failure.fields.map((f) => f.message).join(" ") : messageOf(failure)]);
    } finally {
      setBusy(false);
    }
  };

  const validate = async (event: SyntheticEvent) => {
    event.preventDefault();
    setBusy(true);
    setOutcome(null);
    setVaultErrors([]);
    const vault = vaultUri.trim();
    try {
      const { status, body } = await api.request<IntegrationValidation | undefined>("POST", "/pim/v2/integrations:validate", {
        id: integration.id,
        environment: { id: integration.environment.id },
        ...(vault === "" ? {} : { vault_uri: vault }),
      });
      setOutcome({ kind: "ready", validation: status === 200 && body !== undefined ? body : null });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 422) {
        const validation = (failure.body as { validation?: IntegrationValidation } | null)?.validation ?? null;
        setOutcome({ kind: "failed", validation, message: failure.message });
      } else if (failure instanceof ApiError && failure.fields.some((f) => f.field === "vault_uri")) {
        setVaultErrors(failure.fields.filter((f) => f.field === "vault_uri").map((f) => f.message.replace(/^vault_uri: /, "")));
        document.getElementById("vault-uri")?.focus();
      } else setOutcome({ kind: "error", message: messageOf(failure) });
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    setBusy(true);
    try {
      await api.request("DELETE", `/pim/v2/integrations/${encodeURIComponent(integration.id)}?environment=${encodeURIComponent(integration.environment.id)}`);
      setFlash(`Deleted provider integration "${integration.display_name}" (${integration.id}).`);
      navigate("/integrations");
    } catch (failure) {
      setError(messageOf(failure));
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <p className="breadcrumb"><Link to="/integrations">Provider integrations</Link> <span aria-hidden="true">/</span> {integration.display_name}</p>
      <div className="title-row">
        <PageTitle subtitle={<><code>{integration.id}</code> · {integration.provider} · created {formatDate(integration.metadata.created_at)}</>}>{integration.display_name}</PageTitle>
        <StatusBadge state={integration.status} />
      </div>
      {error === null ? null : <Notice kind="error">{error}</Notice>}

      <section className="panel" aria-labelledby="setup-title">
        <h2 id="setup-title">Set up access to Azure Key Vault</h2>
        <ol className="setup-steps">
          <li>
            <h3>Consent vaultwire's application in your Microsoft Entra tenant</h3>
            {appId === "" ? <Notice kind="warning">This server has no Azure identity configured, so there is no application to consent. Ask its operator to set <code>VAULTWIRE_AZURE_CLIENT_ID</code> and a credential.</Notice> : (
              <>
                <dl className="facts">
                  <dt>Confluent Azure Multi-Tenant App ID</dt>
                  <dd><code data-testid="app-id">{appId}</code> <CopyButton text={appId} label="Copy the app id" /></dd>
                </dl>
                <p>A tenant administrator opens the <a href={consentUrl} target="_blank" rel="noreferrer noopener">admin consent page</a> <span className="muted">(opens login.microsoftonline.com)</span>, or creates the service principal with the Azure CLI:</p>
                <pre className="command">az ad sp create --id {appId}</pre>
              </>
            )}
          </li>
          <li>
            <h3>Grant the role “{KEY_VAULT_ROLE}” on the vault</h3>
            <p>The role grants <code>Microsoft.KeyVault/vaults/secrets/getSecret/action</code> and <code>…/secrets/readMetadata/action</code>. In the Azure portal: the vault → Access control (IAM) → Add role assignment, or:</p>
            <pre className="command">{`az role assignment create --role "${KEY_VAULT_ROLE}" --assignee ${appId === "" ? "<app id>" : appId} --scope <your vault's resource id>`}</pre>
          </li>
          <li>
            <h3>Enter your tenant id</h3>
            {draft ? (
              <form onSubmit={(e) => { void saveTenant(e); }} noValidate className="inline-form">
                <Field id="tenant-id" label="Customer Azure Tenant ID" hint="The Directory (tenant) ID of your Microsoft Entra tenant, a GUID." errors={tenantErrors} required>
                  {({ id: inputId, describedBy, invalid }) => <input id={inputId} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={tenant} autoComplete="off" spellCheck={false} placeholder="00000000-0000-0000-0000-000000000000" onChange={(e) => { setTenant(e.target.value); setTenantErrors([]); }} />}
                </Field>
                <div className="actions"><button type="submit" className="button button-primary" disabled={busy}>Save tenant id</button></div>
              </form>
            ) : (
              <>
                <dl className="facts"><dt>Customer Azure Tenant ID</dt><dd><code data-testid="tenant-id">{integration.config.customer_azure_tenant_id}</code></dd></dl>
                <p className="hint">The tenant is set; to use another tenant, create a new integration.</p>
              </>
            )}
            {saved === null ? null : <Notice kind="success">{saved}</Notice>}
          </li>
          <li>
            <h3>Validate</h3>
            {draft ? <p className="muted" id="validate-draft">Validation needs the tenant id first.</p> : null}
            <form onSubmit={(e) => { void validate(e); }} noValidate className="inline-form">
              <Field id="vault-uri" label="Vault URI (optional)" hint={<>Given a vault, validation also checks the two permissions on it. Example: <code>https://your-key-vault-name.vault.azure.net</code>.</>} errors={vaultErrors}>
                {({ id: inputId, describedBy, invalid }) => <input id={inputId} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={vaultUri} autoComplete="off" spellCheck={false} placeholder="https://your-key-vault-name.vault.azure.net" onChange={(e) => { setVaultUri(e.target.value); setVaultErrors([]); }} />}
              </Field>
              <div className="actions"><button type="submit" className="button button-primary" disabled={busy || draft} aria-describedby={draft ? "validate-draft" : undefined}>{busy ? "Validating…" : "Validate"}</button></div>
            </form>
            <div aria-live="polite">{outcome === null ? null : <ValidationOutcome integration={integration} outcome={outcome} />}</div>
          </li>
        </ol>
      </section>

      <IntegrationAccesses api={api} integrationId={integration.id} />
      <RequestRateChart api={api} />

      <section aria-labelledby="resources-title">
        <h2 id="resources-title">Resources</h2>
        <p className="hint">Connectors that read their secrets through this integration.</p>
        <Resources usages={integration.usages} />
      </section>

      <section aria-labelledby="danger-title" className="danger-zone">
        <h2 id="danger-title">Delete</h2>
        <button type="button" className="button button-danger" disabled={inUse} aria-describedby={inUse ? "delete-explanation" : undefined} onClick={() => { setConfirmDelete(true); }}>Delete integration</button>
        {inUse ? <p className="hint" id="delete-explanation">{inUseExplanation(integration)}</p> : null}
      </section>

      <ConfirmDialog open={confirmDelete} title={`Delete provider integration “${integration.display_name}”?`} confirmLabel="Delete integration" danger busy={busy} onCancel={() => { setConfirmDelete(false); }} onConfirm={() => { void remove(); }}>
        <p>Connectors can no longer use <code>{integration.id}</code>. This cannot be undone.</p>
      </ConfirmDialog>
    </>
  );
}

function ValidationOutcome({ integration, outcome }: { integration: Integration; outcome: Outcome }): ReactNode {
  if (outcome.kind === "error") return <Notice kind="error">{outcome.message}</Notice>;
  const validation = outcome.validation;
  return (
    <div className="validation">
      {outcome.kind === "ready"
        ? <Notice kind="success">Successfully validated provider integration "{integration.id}".{validation === null ? " A token was acquired in your tenant; give a vault URI to check the permissions on a vault too." : ""}</Notice>
        : <Notice kind="error" title={`Provider integration "${integration.id}" is not ready`}>Fix the failed checks below, then validate again.</Notice>}
      {validation === null ? null : (
        <table className="table responsive stacked" aria-label="Validation checks">
          <thead><tr><th scope="col">Check</th><th scope="col">Result</th><th scope="col">Details</th></tr></thead>
          <tbody>
            <tr>
              <Cell label="Check">Token in your tenant</Cell>
              <Cell label="Result"><span className={`badge badge-${validation.token.ok ? "ok" : "bad"}`}>{validation.token.ok ? "ok" : "failed"}</span></Cell>
              <Cell label="Details">{validation.token.message}</Cell>
            </tr>
            {validation.permissions.map((p) => (
              <tr key={p.permission} data-permission={p.permission}>
                <Cell label="Check">{p.permission}<div className="id-line"><code>{p.action}</code></div></Cell>
                <Cell label="Result"><span className={`badge badge-${p.status === "granted" ? "ok" : p.status === "denied" ? "bad" : "warn"}`}>{p.status}</span></Cell>
                <Cell label="Details">{p.reason}{p.status === "denied" ? <p className="hint">Grant the role “{KEY_VAULT_ROLE}” on the vault to vaultwire's application, then validate again.</p> : null}</Cell>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
