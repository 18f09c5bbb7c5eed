/** The console: sign-in, then the shell (header, navigation, pickers) around the pages. */
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { Notice, PageTitle } from "./components.js";
import { AddConnectorPage } from "./pages/add-connector.js";
import { ConnectorDetailPage } from "./pages/connector-detail.js";
import { ConnectorsPage } from "./pages/connectors.js";
import { EnvironmentsPage } from "./pages/environments.js";
import { IntegrationDetailPage } from "./pages/integration-detail.js";
import { IntegrationsPage } from "./pages/integrations.js";
import { SignInPage } from "./pages/sign-in.js";
import { Link, match, useRouter } from "./router.js";
import { clearSession, loadCredentials, saveCredentials, type Credentials } from "./session.js";
import { useWorkspace, WorkspaceProvider } from "./workspace.js";

export function App(): ReactNode {
  const { location, navigate } = useRouter();
  const [credentials, setCredentials] = useState<Credentials | null>(loadCredentials);
  const [signedOutReason, setSignedOutReason] = useState<string | null>(null);

  const signOut = useCallback((reason?: string, options: { keepDraft?: boolean } = {}) => {
    clearSession(options);
    setCredentials(null);
    setSignedOutReason(reason ?? "You are signed out. The API key was removed from this tab.");
    navigate("/sign-in", { replace: true });
  }, [navigate]);

  if (credentials === null) {
    return (
      <SignInPage
        reason={signedOutReason}
        onSignedIn={(signedIn) => {
          saveCredentials(signedIn);
          setSignedOutReason(null);
          setCredentials(signedIn);
          // A deep link opened while signed out stays where it was.
          const query = location.query.toString();
          navigate(location.path === "/" || location.path === "/sign-in" ? "/connectors" : `${location.path}${query === "" ? "" : `?${query}`}`, { replace: true });
        }}
      />
    );
  }
  return (
    <WorkspaceProvider credentials={credentials} onSignOut={signOut}>
      <Shell />
    </WorkspaceProvider>
  );
}

const NAVIGATION = [
  { to: "/connectors", label: "Connectors" },
  { to: "/integrations", label: "Provider integrations" },
  { to: "/environments", label: "Environments & clusters" },
] as const;

function Shell(): ReactNode {
  const { location } = useRouter();
  const workspace = useWorkspace();
  const section = NAVIGATION.find((item) => location.path === item.to || location.path.startsWith(`${item.to}/`))?.to ?? null;
  return (
    <>
      <a className="skip-link" href="#main">Skip to content</a>
      <header className="app-header">
        <div className="header-row">
          <Link to="/connectors" className="brand" aria-label="vaultwire console, home">
            <img src="/favicon.svg" alt="" width="28" height="28" />
            <span>vaultwire</span>
          </Link>
          <nav aria-label="Main">
            <ul>
              {NAVIGATION.map((item) => (
                <li key={item.to}><Link to={item.to} aria-current={section === item.to ? "page" : undefined}>{item.label}</Link></li>
              ))}
            </ul>
          </nav>
          <div className="account">
            <span className="key-id" title="Signed in with this API key">Key <code>{workspace.keyId}</code></span>
            <button type="button" className="button button-small" onClick={() => { workspace.signOut(); }}>Sign out</button>
          </div>
        </div>
        <Pickers />
      </header>
      <main id="main" className="main">
        {workspace.loadError === null ? null : <Notice kind="error" title="Could not load environments or clusters">{workspace.loadError}</Notice>}
        {workspace.flash === null ? null : (
          <div className="flash">
            <Notice kind="success">{workspace.flash}</Notice>
            <button type="button" className="button button-small" onClick={() => { workspace.setFlash(null); }}>Dismiss</button>
          </div>
        )}
        <Routes path={location.path} />
      </main>
    </>
  );
}

function Pickers(): ReactNode {
  const workspace = useWorkspace();
  const { environments, clusters } = workspace;
  return (
    <div className="pickers">
      <label className="picker">
        <span>Environment</span>
        <select value={workspace.environmentId ?? ""} onChange={(event) => { workspace.selectEnvironment(event.target.value); }} disabled={environments === null || environments.length === 0}>
          {environments === null ? <option value="">Loading…</option> : environments.length === 0 ? <option value="">No environments</option> : null}
          {environments?.map((e) => <option key={e.id} value={e.id}>{e.display_name} ({e.id})</option>)}
        </select>
      </label>
      <label className="picker">
        <span>Kafka cluster</span>
        <select value={workspace.clusterId ?? ""} onChange={(event) => { workspace.selectCluster(event.target.value); }} disabled={clusters === null || clusters.length === 0}>
          {clusters === null ? <option value="">Loading…</option> : clusters.length === 0 ? <option value="">No clusters</option> : null}
          {clusters?.map((c) => <option key={c.id} value={c.id}>{c.spec.display_name} ({c.id})</option>)}
        </select>
      </label>
    </div>
  );
}

function Redirect({ to }: { to: string }): ReactNode {
  const { navigate } = useRouter();
  useEffect(() => { navigate(to, { replace: true }); }, [navigate, to]);
  return null;
}

function Routes({ path }: { path: string }): ReactNode {
  if (path === "/" || path === "/sign-in") return <Redirect to="/connectors" />;
  if (match("/connectors", path)) return <ConnectorsPage />;
  if (match("/connectors/new", path)) return <AddConnectorPage />;
  const connector = match("/connectors/:name", path);
  if (connector) return <ConnectorDetailPage key={connector.name} name={connector.name ?? ""} />;
  if (match("/integrations", path)) return <IntegrationsPage />;
  const integration = match("/integrations/:id", path);
  if (integration) return <IntegrationDetailPage key={integration.id} id={integration.id ?? ""} />;
  if (match("/environments", path)) return <EnvironmentsPage />;
  return (
    <>
      <PageTitle>Page not found</PageTitle>
      <p>There is no console page at <code>{path}</code>. <Link to="/connectors">Go to the connectors</Link>.</p>
    </>
  );
}
