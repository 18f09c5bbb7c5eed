import { useEffect, useRef, useState, type SyntheticEvent, type ReactNode } from "react";
import { checkCredentials, messageOf } from "../api.js";
import { Notice } from "../components.js";
import type { Credentials } from "../session.js";

export function SignInPage({ reason, onSignedIn }: { reason: string | null; onSignedIn: (credentials: Credentials) => void }): ReactNode {
  const [key, setKey] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyInput = useRef<HTMLInputElement>(null);
  useEffect(() => { keyInput.current?.focus(); }, []);

  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    const credentials = { key: key.trim(), secret };
    if (credentials.key === "" || credentials.secret === "") {
      setError("Enter both the API key and its secret.");
      return;
    }
    setBusy(true);
    setError(null);
    checkCredentials(credentials).then(() => { onSignedIn(credentials); }, (failure: unknown) => {
      setError(messageOf(failure));
      setBusy(false);
    });
  };

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <div className="brand brand-large">
          <img src="/favicon.svg" alt="" width="36" height="36" />
          <span>vaultwire</span>
        </div>
        <h1>Sign in</h1>
        <p className="subtitle">Use an API key and secret of this vaultwire server. They stay in this browser tab only and are removed when you sign out or close the tab.</p>
        {reason === null ? null : <Notice kind="info">{reason}</Notice>}
        {error === null ? null : <Notice kind="error" focusOnShow>{error}</Notice>}
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="api-key"><span className="label-text">API key</span></label>
            <input id="api-key" ref={keyInput} name="username" autoComplete="username" spellCheck={false} value={key} onChange={(e) => { setKey(e.target.value); }} />
          </div>
          <div className="field">
            <label htmlFor="api-secret"><span className="label-text">API secret</span></label>
            <input id="api-secret" type="password" name="password" autoComplete="current-password" value={secret} onChange={(e) => { setSecret(e.target.value); }} />
          </div>
          <button type="submit" className="button button-primary button-block" disabled={busy}>{busy ? "Signing in…" : "Sign in"}</button>
        </form>
        <p className="hint">The first admin key is printed once when <code>vaultwire server</code> starts on an empty store; <code>vaultwire</code> API keys are managed under <code>/iam/v2/api-keys</code>.</p>
      </div>
    </main>
  );
}
