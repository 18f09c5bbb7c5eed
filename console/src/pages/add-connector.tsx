/**
 * Add connector, as the specification describes it: plugin → Authentication
 * (method, Use secret manager, Secret manager, Configurations from Secret
 * manager, one identifier per selected field, Provider integration) → the
 * plugin's other fields grouped as the catalog groups them → review of the
 * exact JSON → create. Definitions, groups, required flags, recommended values
 * and the eligible fields come from the validate endpoint; every server error
 * lands on its field.
 */
import { useCallback, useEffect, useRef, useState, type SyntheticEvent, type ReactNode, type Ref } from "react";
import { ApiError, connectBase, messageOf } from "../api.js";
import { Field, Loading, Notice, PageTitle } from "../components.js";
import {
  AUTH_METHOD, buildConfig, checkIdentifier, configurationGroups, controlId, describeHosts, eligibleFields, emptyForm, entry, errorsByField,
  extraAuthFields, IDENTIFIER_EXAMPLE, IDENTIFIER_FORMAT, isManaged, learnVaultHosts, MANAGER_PROVIDERS, missingRequired, requestBody, SM, stepOf,
  supportsSecretManager, type ConnectorForm, type Step,
} from "../form-model.js";
import { Link, useRouter } from "../router.js";
import type { ExpandedConnector, Integration, Plugin, ValidationEntry, ValidationReport } from "../types.js";
import { useWorkspace } from "../workspace.js";
import { NeedCluster } from "./connectors.js";
import type { VaultHostPolicy } from "../../../src/domain/vault-host-policy.js";

const STEPS: readonly { step: Step; label: string }[] = [
  { step: "plugin", label: "Plugin" },
  { step: "authentication", label: "Authentication" },
  { step: "configuration", label: "Configuration" },
  { step: "review", label: "Review and create" },
];

type Errors = Readonly<Record<string, readonly string[]>>;

export function AddConnectorPage(): ReactNode {
  const { api, environmentId, clusterId, cluster, setFlash } = useWorkspace();
  const { navigate } = useRouter();
  const [step, setStep] = useState<Step>("plugin");
  const [plugins, setPlugins] = useState<readonly Plugin[] | null>(null);
  const [integrations, setIntegrations] = useState<readonly Integration[] | null>(null);
  const [report, setReport] = useState<ValidationReport | null>(null);
  const [form, setForm] = useState<ConnectorForm | null>(null);
  const [choice, setChoice] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [required, setRequired] = useState<ReadonlySet<string>>(new Set());
  const [hosts, setHosts] = useState<VaultHostPolicy | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [focusKey, setFocusKey] = useState<string | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  const base = environmentId === null || clusterId === null ? null : connectBase(environmentId, clusterId);

  useEffect(() => {
    if (base === null || environmentId === null) return;
    api.get<Plugin[]>(`${base}/connector-plugins`).then(setPlugins, (e: unknown) => { setProblem(messageOf(e)); });
    api.listAll<Integration>(`/pim/v2/integrations?environment=${encodeURIComponent(environmentId)}`).then(setIntegrations, (e: unknown) => { setProblem(messageOf(e)); });
  }, [api, base, environmentId]);

  // Focus the field an error summary link (or a step change) points at, once it is rendered.
  useEffect(() => {
    if (focusKey === null) return;
    const element = document.getElementById(focusKey === "summary" ? "error-summary" : controlId(focusKey));
    if (element) {
      element.focus();
      element.scrollIntoView({ block: "center" });
    }
    setFocusKey(null);
  }, [focusKey, step]);

  const validate = useCallback(async (config: Record<string, string>, plugin: string): Promise<ValidationReport> => {
    if (base === null) throw new Error("no cluster selected");
    const result = await api.request<ValidationReport>("PUT", `${base}/connector-plugins/${encodeURIComponent(plugin)}/config/validate`, config);
    const learned = learnVaultHosts(result.body.configs.flatMap((c) => c.value.errors));
    if (learned !== null) setHosts(learned);
    return result.body;
  }, [api, base]);

  if (base === null) return <><PageTitle>Add connector</PageTitle><NeedCluster /></>;

  const update = (change: Partial<ConnectorForm>) => { setForm((previous) => previous === null ? previous : { ...previous, ...change }); };
  const clearError = (key: string) => {
    setErrors((previous) => {
      if (!(key in previous)) return previous;
      const next = { ...previous };
      Reflect.deleteProperty(next, key);
      return next;
    });
  };

  const choosePlugin = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (choice === "") {
      setErrors({ plugin: ["Choose a connector plugin."] });
      setFocusKey("plugin");
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      // An empty config returns every definition with its group, flags and recommended values.
      const definitions = await validate({}, choice);
      setReport(definitions);
      setForm((previous) => previous?.plugin === choice ? previous : emptyForm(choice, definitions));
      setRequired(missingRequired(definitions));
      setErrors({});
      setStep("authentication");
    } catch (failure) {
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  /** Inline checks of the Authentication step (nothing sent yet). */
  const localAuthErrors = (f: ConnectorForm): Record<string, string[]> => {
    const found: Record<string, string[]> = {};
    if (!f.useSecretManager) return found;
    if (f.manager === "") found[SM.manager] = ["Choose a secret manager."];
    if (f.managed.length === 0) found[SM.managedConfigs] = ["Choose at least one configuration whose value comes from the secret manager."];
    for (const key of f.managed) {
      const check = checkIdentifier(f.identifiers[key] ?? "", hosts);
      if (check?.kind === "error") found[key] = [check.message];
    }
    if (f.integrationId === "") found[SM.integrationId] = ["Choose the provider integration that may read these secrets."];
    return found;
  };

  const showErrors = (found: Errors, order: readonly string[]) => {
    setErrors(found);
    const first = order.find((key) => key in found);
    setFocusKey(first ?? "summary");
  };

  const fieldOrder = (r: ValidationReport, f: ConnectorForm): string[] => {
    const keys = r.configs.map((c) => c.definition.name);
    const auth = keys.filter((k) => stepOf(r, f, k) === "authentication");
    // The Authentication step lists the identifiers right after the multi-select.
    return [...auth.filter((k) => !isManaged(f, k)).slice(0, 4), ...f.managed, ...auth, ...keys.filter((k) => stepOf(r, f, k) === "configuration")];
  };

  const submitAuthentication = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (report === null || form === null) return;
    const local = localAuthErrors(form);
    if (Object.keys(local).length > 0) {
      showErrors(local, fieldOrder(report, form));
      return;
    }
    setBusy(true);
    setProblem(null);
    try {
      // The server's verdict on this step: static rules and a live dry run of each identifier.
      const result = await validate(buildConfig(report, form), form.plugin);
      const all = errorsByField(result);
      const mine = Object.fromEntries(Object.entries(all).filter(([key]) => stepOf(report, form, key) === "authentication"));
      if (Object.keys(mine).length > 0) {
        showErrors(mine, fieldOrder(report, form));
        return;
      }
      setRequired(missingRequired(result));
      setErrors({});
      setStep("configuration");
    } catch (failure) {
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const placeErrors = (found: Errors) => {
    if (report === null || form === null) return;
    const order = fieldOrder(report, form);
    const first = order.find((key) => key in found) ?? Object.keys(found)[0];
    setErrors(found);
    if (first !== undefined) setStep(stepOf(report, form, first));
    setFocusKey(first ?? "summary");
  };

  const submitConfiguration = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (report === null || form === null) return;
    const local: Record<string, string[]> = {};
    if (form.name.trim() === "") local.name = ["Enter a name for the connector."];
    setBusy(true);
    setProblem(null);
    try {
      const result = await validate(buildConfig(report, form), form.plugin);
      const found = { ...errorsByField(result), ...local };
      setRequired(missingRequired(result));
      if (Object.keys(found).length > 0) {
        placeErrors(found);
        return;
      }
      setErrors({});
      setStep("review");
    } catch (failure) {
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const create = async () => {
    if (report === null || form === null) return;
    setBusy(true);
    setProblem(null);
    const body = requestBody(report, form);
    try {
      await api.request("POST", `${base}/connectors`, body);
      let id = "";
      try {
        const map = await api.get<Record<string, ExpandedConnector>>(`${base}/connectors?expand=id`);
        id = map[body.name]?.id.id ?? "";
      } catch {
        // The connector exists; its id is only for the message.
      }
      setFlash(`Created connector ${body.name}${id === "" ? "" : ` ${id}`}.`);
      navigate("/connectors");
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 400) {
        // Put each error on its field: the validate report says exactly where.
        let found: Errors;
        try {
          found = errorsByField(await validate(body.config, form.plugin));
        } catch {
          found = {};
        }
        if (Object.keys(found).length === 0) {
          const fromMessage: Record<string, string[]> = {};
          for (const { field, message } of failure.fields) fromMessage[field] = [...(fromMessage[field] ?? []), message];
          found = fromMessage;
        }
        if (Object.keys(found).length > 0) {
          placeErrors(found);
          return;
        }
      }
      if (failure instanceof ApiError && failure.status === 409) {
        placeErrors({ name: [failure.message] });
        return;
      }
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const errorCount = Object.values(errors).reduce((n, list) => n + list.length, 0);
  return (
    <>
      <p className="breadcrumb"><Link to="/connectors">Connectors</Link> <span aria-hidden="true">/</span> Add connector</p>
      <PageTitle subtitle={cluster === null ? undefined : <>On Kafka cluster <strong>{cluster.spec.display_name}</strong> <code>{cluster.id}</code></>}>Add connector</PageTitle>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, index) => (
          <li key={s.step} aria-current={s.step === step ? "step" : undefined} className={s.step === step ? "current" : STEPS.findIndex((x) => x.step === step) > index ? "done" : ""}>
            <span className="step-number" aria-hidden="true">{index + 1}</span> {s.label}
          </li>
        ))}
      </ol>
      {problem === null ? null : <Notice kind="error">{problem}</Notice>}
      {errorCount === 0 || report === null || form === null ? null : (
        <ErrorSummary errors={errors} report={report} form={form} onGo={(key) => { setStep(stepOf(report, form, key)); setFocusKey(key); }} innerRef={summaryRef} />
      )}

      {step === "plugin" ? (
        <form onSubmit={(e) => { void choosePlugin(e); }} noValidate className="wizard-step">
          <fieldset className="plugin-choice" id={controlId("plugin")} tabIndex={-1} aria-describedby={errors.plugin ? "plugin-error" : undefined}>
            <legend>Choose the connector plugin</legend>
            {plugins === null ? <Loading what="plugins" /> : plugins.map((p) => (
              <label key={p.class} className={`choice-card${choice === p.class ? " selected" : ""}`}>
                <input type="radio" name="plugin" value={p.class} checked={choice === p.class} onChange={() => { setChoice(p.class); clearError("plugin"); }} />
                <span className="choice-title">{p.class}</span>
                <span className="choice-detail">{p.type} connector · version {p.version}</span>
              </label>
            ))}
            {errors.plugin ? <p className="field-errors" id="plugin-error">{errors.plugin[0]}</p> : null}
          </fieldset>
          <div className="actions">
            <Link to="/connectors" className="button">Cancel</Link>
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? "Loading…" : "Next: Authentication"}</button>
          </div>
        </form>
      ) : null}

      {step === "authentication" && report !== null && form !== null ? (
        <form onSubmit={(e) => { void submitAuthentication(e); }} noValidate className="wizard-step">
          <AuthenticationStep report={report} form={form} update={update} errors={errors} clearError={clearError} integrations={integrations} hosts={hosts} />
          <div className="actions">
            <button type="button" className="button" onClick={() => { setErrors({}); setStep("plugin"); }}>Back</button>
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? "Checking…" : "Next: Configuration"}</button>
          </div>
        </form>
      ) : null}

      {step === "configuration" && report !== null && form !== null ? (
        <form onSubmit={(e) => { void submitConfiguration(e); }} noValidate className="wizard-step">
          <ConfigurationStep report={report} form={form} update={update} errors={errors} clearError={clearError} required={required} />
          <div className="actions">
            <button type="button" className="button" onClick={() => { setStep("authentication"); }}>Back</button>
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? "Validating…" : "Next: Review"}</button>
          </div>
        </form>
      ) : null}

      {step === "review" && report !== null && form !== null ? (
        <section className="wizard-step" aria-labelledby="review-title">
          <h2 id="review-title">Review the configuration</h2>
          <p>This is the JSON the console sends, exactly what <code>vaultwire connect cluster create --config-file</code> would send. {form.useSecretManager ? <>The values of {form.managed.map((k, i) => <span key={k}>{i > 0 ? ", " : ""}<code>{k}</code></span>)} are fetched from the secret manager when the connector starts; only their identifiers are stored.</> : null}</p>
          <ReviewJson body={requestBody(report, form)} />
          <div className="actions">
            <button type="button" className="button" onClick={() => { setStep("configuration"); }}>Back</button>
            <button type="button" className="button button-primary" disabled={busy} onClick={() => { void create(); }}>{busy ? "Creating…" : "Create connector"}</button>
          </div>
        </section>
      ) : null}
    </>
  );
}

function ErrorSummary({ errors, report, form, onGo, innerRef }: { errors: Errors; report: ValidationReport; form: ConnectorForm; onGo: (key: string) => void; innerRef: Ref<HTMLDivElement> }): ReactNode {
  const entries = Object.entries(errors).flatMap(([key, list]) => list.map((message) => ({ key, message })));
  return (
    <div className="notice notice-error error-summary" role="alert" id="error-summary" tabIndex={-1} ref={innerRef}>
      <p className="notice-title">{entries.length === 1 ? "1 problem needs fixing" : `${entries.length} problems need fixing`}</p>
      <ul>
        {entries.map(({ key, message }, index) => (
          <li key={`${key}-${index}`}>
            <a href={`#${controlId(key)}`} onClick={(event) => { event.preventDefault(); onGo(key); }}>
              {entry(report, key)?.definition.display_name ?? key}
            </a>{" "}
            <span className="muted">({stepOf(report, form, key) === "authentication" ? "Authentication" : "Configuration"})</span>: {message}
          </li>
        ))}
      </ul>
    </div>
  );
}

interface StepProps {
  readonly report: ValidationReport;
  readonly form: ConnectorForm;
  readonly update: (change: Partial<ConnectorForm>) => void;
  readonly errors: Errors;
  readonly clearError: (key: string) => void;
}

function AuthenticationStep({ report, form, update, errors, clearError, integrations, hosts }: StepProps & { integrations: readonly Integration[] | null; hosts: VaultHostPolicy | null }): ReactNode {
  const method = entry(report, AUTH_METHOD);
  const manager = entry(report, SM.manager);
  const managedEntry = entry(report, SM.managedConfigs);
  const integrationEntry = entry(report, SM.integrationId);
  const eligible = eligibleFields(report);
  const provider = MANAGER_PROVIDERS[form.manager] ?? "";
  const candidates = integrations?.filter((i) => i.provider === provider) ?? null;
  const managedErrors = errors[SM.managedConfigs] ?? [];
  const toggleManaged = (key: string) => {
    clearError(SM.managedConfigs);
    update({ managed: form.managed.includes(key) ? form.managed.filter((k) => k !== key) : [...form.managed, key] });
  };

  return (
    <section aria-labelledby="auth-title">
      <h2 id="auth-title">Authentication</h2>
      {method === undefined ? null : (
        <Field label={method.definition.display_name} detail={AUTH_METHOD} hint={method.definition.documentation} errors={errors[AUTH_METHOD]} id={controlId(AUTH_METHOD)}>
          {({ id, describedBy, invalid }) => (
            <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={form.authMethod} onChange={(e) => { clearError(AUTH_METHOD); update({ authMethod: e.target.value }); }}>
              {method.value.recommended_values.map((v) => <option key={v} value={v}>{v}{v === method.definition.default_value ? " (default)" : ""}</option>)}
            </select>
          )}
        </Field>
      )}

      {!supportsSecretManager(report) ? <p className="muted">This plugin cannot take its credentials from a secret manager.</p> : (
        <>
          <Field label="Use secret manager" detail={SM.enabled} hint="Fetch credentials from a secret manager instead of typing them here. Works with authentication methods that use static credentials, such as Password." errors={errors[SM.enabled]} id={controlId(SM.enabled)} inline>
            {({ id, describedBy, invalid }) => (
              <input id={id} type="checkbox" role="switch" className="switch" aria-describedby={describedBy} aria-invalid={invalid} checked={form.useSecretManager}
                onChange={(e) => {
                  clearError(SM.enabled);
                  const on = e.target.checked;
                  const managers = manager?.value.recommended_values ?? [];
                  update({ useSecretManager: on, manager: on && form.manager === "" && managers.length === 1 ? managers[0] ?? "" : form.manager });
                }} />
            )}
          </Field>

          {!form.useSecretManager ? extraAuthFields(report).map((c) => (
            <ConfigField key={c.definition.name} entry={c} value={form.values[c.definition.name] ?? ""} errors={errors[c.definition.name]} required={c.definition.required}
              onChange={(value) => { clearError(c.definition.name); update({ values: { ...form.values, [c.definition.name]: value } }); }} />
          )) : (
            <div className="secret-manager">
              <Field label={manager?.definition.display_name ?? "Secret manager"} detail={SM.manager} errors={errors[SM.manager]} required id={controlId(SM.manager)}>
                {({ id, describedBy, invalid }) => (
                  <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={form.manager} onChange={(e) => { clearError(SM.manager); update({ manager: e.target.value, integrationId: "" }); }}>
                    <option value="">Choose a secret manager…</option>
                    {(manager?.value.recommended_values ?? []).map((v) => <option key={v} value={v}>{v}</option>)}
                  </select>
                )}
              </Field>

              <fieldset className="checkbox-group" id={controlId(SM.managedConfigs)} tabIndex={-1} aria-describedby={`${controlId(SM.managedConfigs)}-hint${managedErrors.length > 0 ? ` ${controlId(SM.managedConfigs)}-error` : ""}`}>
                <legend>{managedEntry?.definition.display_name ?? "Configurations from Secret manager"}<span className="required-mark" aria-hidden="true"> *</span><span className="visually-hidden"> (required)</span> <span className="label-detail">{SM.managedConfigs}</span></legend>
                <p className="hint" id={`${controlId(SM.managedConfigs)}-hint`}>The configurations whose values the secret manager supplies. For each, enter a secret identifier instead of the value.</p>
                <div className="checkbox-options">
                  {eligible.map((key) => (
                    <label key={key} className="checkbox">
                      <input type="checkbox" name="managed-configs" value={key} checked={form.managed.includes(key)} onChange={() => { toggleManaged(key); }} />
                      <span>{entry(report, key)?.definition.display_name ?? key} <code className="label-detail">{key}</code></span>
                    </label>
                  ))}
                </div>
                {managedErrors.length > 0 ? <ul className="field-errors" id={`${controlId(SM.managedConfigs)}-error`}>{managedErrors.map((m) => <li key={m}>{m}</li>)}</ul> : null}
              </fieldset>

              {form.managed.length === 0 ? null : (
                <div className="identifiers">
                  <h3>Secret identifiers</h3>
                  <p className="hint" id="identifier-hosts">Enter where each value is stored instead of the value itself. Allowed vault hosts: {describeHosts(hosts)}.</p>
                  {form.managed.map((key) => {
                    const value = form.identifiers[key] ?? "";
                    // Checked as typed (not on blur: a message appearing on blur would move the Next button under the pointer).
                    const inline = value.trim() === "" ? null : checkIdentifier(value, hosts);
                    const fieldErrors = [...(inline?.kind === "error" ? [inline.message] : []), ...(errors[key] ?? []).filter((m) => m !== inline?.message)];
                    return (
                      <Field key={key} id={controlId(key)} label={entry(report, key)?.definition.display_name ?? key} detail={<>{key} · secret identifier</>} required errors={fieldErrors}
                        hint={<>
                          {inline?.kind === "note" ? <span className="note">{inline.message} </span> : null}
                          Format: <code>{IDENTIFIER_FORMAT}</code>, e.g. <code>{IDENTIFIER_EXAMPLE}</code>
                        </>}>
                        {({ id, describedBy, invalid }) => (
                          <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={value} autoComplete="off" spellCheck={false}
                            placeholder="https://your-key-vault-name.vault.azure.net::secret-name::key"
                            onChange={(e) => { clearError(key); update({ identifiers: { ...form.identifiers, [key]: e.target.value } }); }} />
                        )}
                      </Field>
                    );
                  })}
                </div>
              )}

              <Field label={integrationEntry?.definition.display_name ?? "Provider integration"} detail={SM.integrationId} required errors={errors[SM.integrationId]} id={controlId(SM.integrationId)}
                hint={candidates !== null && candidates.length === 0
                  ? <>No {provider === "" ? "" : `${provider} `}provider integration in this environment yet: <Link to="/integrations">create one</Link> (its id goes into <code>{SM.integrationId}</code>).</>
                  : <>The integration whose cloud identity may read these secrets. <Link to="/integrations">Manage provider integrations</Link>.</>}>
                {({ id, describedBy, invalid }) => (
                  <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={form.integrationId} disabled={form.manager === ""} onChange={(e) => { clearError(SM.integrationId); update({ integrationId: e.target.value }); }}>
                    <option value="">{form.manager === "" ? "Choose a secret manager first" : candidates === null ? "Loading…" : "Choose a provider integration…"}</option>
                    {candidates?.map((i) => (
                      <option key={i.id} value={i.id} disabled={i.status === "DRAFT"}>{i.display_name} ({i.id}){i.status === "DRAFT" ? " — DRAFT: tenant not set" : ""}</option>
                    ))}
                  </select>
                )}
              </Field>
            </div>
          )}
        </>
      )}
    </section>
  );
}

function ConfigurationStep({ report, form, update, errors, clearError, required }: StepProps & { required: ReadonlySet<string> }): ReactNode {
  const groups = configurationGroups(report, form);
  const field = (c: ValidationEntry) => {
    const key = c.definition.name;
    if (key === "name") {
      return (
        <Field key={key} id={controlId(key)} label={c.definition.display_name} detail={key} required errors={errors[key]} hint="A name of your choice, unique on this cluster (it is also the config's name).">
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={form.name} autoComplete="off" spellCheck={false} onChange={(e) => { clearError(key); update({ name: e.target.value }); }} />}
        </Field>
      );
    }
    return (
      <ConfigField key={key} entry={c} value={form.values[key] ?? ""} errors={errors[key]} required={c.definition.required || required.has(key)}
        onChange={(value) => { clearError(key); update({ values: { ...form.values, [key]: value } }); }} />
    );
  };
  return (
    <section aria-labelledby="configuration-title">
      <h2 id="configuration-title">Configuration</h2>
      <p className="hint">Fields marked <span className="required-mark">*</span> are required. Empty fields take the plugin's default (shown as the placeholder).{form.useSecretManager && form.managed.length > 0 ? <> {form.managed.map((k, i) => <span key={k}>{i > 0 ? ", " : ""}<code>{k}</code></span>)} come{form.managed.length === 1 ? "s" : ""} from the secret manager (set in Authentication).</> : null}</p>
      <p className="plugin-line">Connector class: <code>{form.plugin}</code></p>
      {groups.map(({ group, entries }) => {
        const open = group !== "Additional Configs" || entries.some((c) => errors[c.definition.name] !== undefined);
        const body = entries.map(field);
        return group === "Additional Configs" ? (
          <details key={group} className="group" open={open}>
            <summary>{group} <span className="muted">({entries.length} optional settings)</span></summary>
            {body}
          </details>
        ) : (
          <fieldset key={group} className="group">
            <legend>{group}</legend>
            {body}
          </fieldset>
        );
      })}
    </section>
  );
}

function ConfigField({ entry: c, value, errors, required, onChange }: { entry: ValidationEntry; value: string; errors: readonly string[] | undefined; required: boolean; onChange: (value: string) => void }): ReactNode {
  const { definition } = c;
  const key = definition.name;
  const options = c.value.recommended_values;
  const fallback = definition.default_value;
  const hint = <>{definition.documentation}{fallback === null || fallback === "" ? null : <> Default: <code>{fallback}</code>.</>}</>;
  if (definition.type === "LIST" && options.length > 0) {
    const chosen = value.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const toggle = (option: string) => { onChange((chosen.includes(option) ? chosen.filter((o) => o !== option) : [...chosen, option]).join(",")); };
    const hintId = `${controlId(key)}-hint`;
    return (
      <fieldset className="checkbox-group field" id={controlId(key)} tabIndex={-1} aria-describedby={hintId}>
        <legend>{definition.display_name}{required ? <><span className="required-mark" aria-hidden="true"> *</span><span className="visually-hidden"> (required)</span></> : null} <span className="label-detail">{key}</span></legend>
        <div className="checkbox-options">
          {options.map((option) => (
            <label key={option} className="checkbox"><input type="checkbox" checked={chosen.includes(option)} onChange={() => { toggle(option); }} /> <code>{option}</code></label>
          ))}
        </div>
        <div className="hint" id={hintId}>{hint}</div>
        {errors && errors.length > 0 ? <ul className="field-errors">{errors.map((m) => <li key={m}>{m}</li>)}</ul> : null}
      </fieldset>
    );
  }
  return (
    <Field id={controlId(key)} label={definition.display_name} detail={key} hint={hint} errors={errors} required={required}>
      {({ id, describedBy, invalid }) => {
        const common = { id, "aria-describedby": describedBy, "aria-invalid": invalid, "aria-required": required };
        if (options.length > 0 || definition.type === "BOOLEAN") {
          const choices = options.length > 0 ? options : ["true", "false"];
          return (
            <select {...common} value={value} onChange={(e) => { onChange(e.target.value); }}>
              <option value="">{fallback === null || fallback === "" ? "Not set" : `Default (${fallback})`}</option>
              {choices.map((o) => <option key={o} value={o}>{o}</option>)}
            </select>
          );
        }
        const numeric = ["INT", "LONG", "SHORT", "DOUBLE"].includes(definition.type);
        return (
          <input {...common} type={definition.type === "PASSWORD" ? "password" : "text"} inputMode={numeric ? (definition.type === "DOUBLE" ? "decimal" : "numeric") : undefined}
            autoComplete={definition.type === "PASSWORD" ? "new-password" : "off"} spellCheck={false} value={value} placeholder={fallback ?? ""}
            onChange={(e) => { onChange(e.target.value); }} />
        );
      }}
    </Field>
  );
}

function ReviewJson({ body }: { body: { name: string; config: Record<string, string> } }): ReactNode {
  const json = JSON.stringify(body, null, 2);
  const [copied, setCopied] = useState(false);
  return (
    <div className="json-view">
      <div className="json-toolbar">
        <span className="muted">{body.name === "" ? "connector" : body.name}.json</span>
        <button type="button" className="button button-small" onClick={() => { void navigator.clipboard.writeText(json).then(() => { setCopied(true); }, () => { setCopied(false); }); }}>{copied ? "Copied" : "Copy JSON"}</button>
      </div>
      <pre className="json" aria-label="Connector configuration JSON" tabIndex={0} data-testid="review-json">{json}</pre>
    </div>
  );
}
