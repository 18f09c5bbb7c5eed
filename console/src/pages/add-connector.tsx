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
import { ConfirmDialog, Field, Loading, Notice, PageTitle } from "../components.js";
import {
  AUTH_METHOD, buildConfig, checkIdentifier, configurationGroups, controlId, describeHosts, draftOf, eligibleFields, emptyForm, entry, errorsByField,
  extraAuthFields, hasWork, identifierHint, isManaged, MANAGER_PROVIDERS, missingRequired, readDraft, requestBody, shownDefault, SM, stepOf,
  supportsSecretManager, uniqueMessages, type ConnectorForm, type Step,
} from "../form-model.js";
import { Link, useRouter } from "../router.js";
import { clearDraft, loadDraft, saveDraft } from "../session.js";
import type { ExpandedConnector, Integration, Plugin, ValidationEntry, ValidationReport } from "../types.js";
import { useWorkspace } from "../workspace.js";
import { NeedCluster } from "./connectors.js";
import { vaultHostPolicyFrom, type VaultHostPolicy } from "../../../src/secret-managers/azure-key-vault/vault-host-policy.js";
import type { AllowedSecretHosts } from "../../../src/domain/secret-managers.js";

const STEPS: readonly { step: Step; label: string }[] = [
  { step: "plugin", label: "Plugin" },
  { step: "authentication", label: "Authentication" },
  { step: "configuration", label: "Configuration" },
  { step: "review", label: "Review and create" },
];
const STEP_NAMES: readonly Step[] = STEPS.map((s) => s.step);

type Errors = Readonly<Record<string, readonly string[]>>;

/** Each step is a history entry: /connectors/new, then ?step=authentication, ?step=configuration, ?step=review. */
function stepUrl(step: Step): string {
  return step === "plugin" ? "/connectors/new" : `/connectors/new?step=${step}`;
}

function stepOfQuery(query: URLSearchParams): Step {
  const value = query.get("step");
  return (STEP_NAMES as readonly (string | null)[]).includes(value) ? value as Step : "plugin";
}

/** The history state a wizard step's entry carries: which step the user came from by Next. */
interface WizardEntry { readonly wizardFrom: Step }

function cameFrom(state: unknown): Step | null {
  return typeof state === "object" && state !== null && typeof (state as Partial<WizardEntry>).wizardFrom === "string" ? (state as WizardEntry).wizardFrom : null;
}

type Pending = { readonly kind: "cancel" } | { readonly kind: "discard" } | { readonly kind: "switch-plugin"; readonly to: string };

export function AddConnectorPage(): ReactNode {
  const { api, environmentId, clusterId, cluster, setFlash } = useWorkspace();
  const { location, navigate } = useRouter();
  const step = stepOfQuery(location.query);
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
  /** "pending" until the tab's draft is read (and its plugin's definitions loaded), so nothing overwrites it first. */
  const [restore, setRestore] = useState<"pending" | "loading" | "done">("pending");
  const [restoredDraft, setRestoredDraft] = useState(false);
  const [pending, setPending] = useState<Pending | null>(null);
  const summaryRef = useRef<HTMLDivElement>(null);
  const shownStep = useRef<Step | null>(null);

  const base = environmentId === null || clusterId === null ? null : connectBase(environmentId, clusterId);

  useEffect(() => {
    if (base === null || environmentId === null) return;
    api.get<Plugin[]>(`${base}/connector-plugins`).then(setPlugins, (e: unknown) => { setProblem(messageOf(e)); });
    api.listAll<Integration>(`/pim/v2/integrations?environment=${encodeURIComponent(environmentId)}`).then(setIntegrations, (e: unknown) => { setProblem(messageOf(e)); });
  }, [api, base, environmentId]);

  // The vault hosts this server allows, known before anything is typed (null: unknown, the inline check only notes other hosts).
  useEffect(() => {
    api.get<{ data: { id: string; allowed_hosts: AllowedSecretHosts }[] }>("/pim/v2/secret-managers").then((list) => {
      const azure = list.data.find((m) => m.id === "AZURE_KEY_VAULT");
      const policy = azure === undefined ? null : vaultHostPolicyFrom(azure.allowed_hosts);
      setHosts(policy?.ok === true ? policy.value : null);
    }, () => { setHosts(null); });
  }, [api]);

  const validate = useCallback(async (config: Record<string, string>, plugin: string): Promise<ValidationReport> => {
    if (base === null) throw new Error("no cluster selected");
    const result = await api.request<ValidationReport>("PUT", `${base}/connector-plugins/${encodeURIComponent(plugin)}/config/validate`, config);
    return result.body;
  }, [api, base]);

  // Reload, Forward or a new visit: the tab's draft for this cluster comes back (its plugin's definitions fetched again).
  useEffect(() => {
    if (restore !== "pending" || environmentId === null || clusterId === null || base === null) return;
    const draft = readDraft(loadDraft(), { environmentId, clusterId });
    if (draft === null) {
      setRestore("done");
      return;
    }
    setChoice(draft.plugin);
    const saved = draft.form;
    if (saved === null) {
      setRestore("done");
      return;
    }
    setRestore("loading");
    validate({}, draft.plugin).then((definitions) => {
      setReport(definitions);
      setForm(saved);
      setRequired(missingRequired(definitions));
      setRestoredDraft(hasWork(definitions, saved));
    }, (failure: unknown) => { setProblem(messageOf(failure)); }).finally(() => { setRestore("done"); });
  }, [restore, environmentId, clusterId, base, validate]);

  // Keep the draft in the tab as the user types (never a plaintext sensitive value: draftOf drops them).
  useEffect(() => {
    if (restore !== "done" || environmentId === null || clusterId === null) return;
    saveDraft(draftOf(report, form, { environmentId, clusterId }, choice));
  }, [restore, report, form, choice, environmentId, clusterId]);

  // A step opened without its data (a bookmarked ?step=review, a draft from another cluster) starts at the plugin.
  const ready = step === "plugin" || (report !== null && form !== null);
  useEffect(() => {
    if (restore === "done" && !ready) navigate(stepUrl("plugin"), { replace: true });
  }, [restore, ready, navigate]);

  // After Next, Back or Forward, the new step's heading takes focus (an error's field wins: see below).
  useEffect(() => {
    if (!ready) return;
    const previous = shownStep.current;
    shownStep.current = step;
    if (previous === null || previous === step) return;
    document.getElementById("wizard-step-title")?.focus();
  }, [step, ready]);

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

  if (base === null || environmentId === null || clusterId === null) return <><PageTitle>Add connector</PageTitle><NeedCluster /></>;

  const goTo = (next: Step) => { navigate(stepUrl(next), { state: { wizardFrom: step } satisfies WizardEntry }); };
  /** The in-page Back: the browser's Back when this entry came from that step by Next, so history stays in step order. */
  const goBack = (previous: Step) => {
    if (cameFrom(location.state) === previous) window.history.back();
    else navigate(stepUrl(previous), { replace: true });
  };

  const update = (change: Partial<ConnectorForm>) => { setForm((previous) => previous === null ? previous : { ...previous, ...change }); };
  const clearError = (key: string) => {
    setErrors((previous) => {
      if (!(key in previous)) return previous;
      const next = { ...previous };
      Reflect.deleteProperty(next, key);
      return next;
    });
  };

  const discard = () => {
    clearDraft();
    setForm(null);
    setReport(null);
    setChoice("");
    setErrors({});
    setRestoredDraft(false);
  };

  const loadPlugin = async (plugin: string) => {
    setBusy(true);
    setProblem(null);
    try {
      // An empty config returns every definition with its group, flags and recommended values.
      const definitions = await validate({}, plugin);
      setReport(definitions);
      setForm((previous) => previous?.plugin === plugin ? previous : emptyForm(plugin, definitions));
      setRequired(missingRequired(definitions));
      setErrors({});
      goTo("authentication");
    } catch (failure) {
      setProblem(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const choosePlugin = (event: SyntheticEvent) => {
    event.preventDefault();
    if (choice === "") {
      setErrors({ plugin: ["Choose a connector plugin."] });
      setFocusKey("plugin");
      return;
    }
    if (form !== null && form.plugin !== choice && hasWork(report, form)) {
      setPending({ kind: "switch-plugin", to: choice });
      return;
    }
    void loadPlugin(choice);
  };

  /** Inline checks of the Authentication step (nothing sent yet). */
  const localAuthErrors = (f: ConnectorForm): Record<string, string[]> => {
    const found: Record<string, string[]> = {};
    if (!f.useSecretManager) return found;
    if (f.manager === "") found[SM.manager] = ["Choose a secret manager."];
    if (f.managed.length === 0) found[SM.managedConfigs] = ["Choose at least one configuration whose value comes from the secret manager."];
    for (const key of f.managed) {
      const check = checkIdentifier(f.identifiers[key] ?? "", hosts, f.manager);
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
      goTo("configuration");
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
    if (first !== undefined) {
      const target = stepOf(report, form, first);
      if (target !== step) goTo(target);
    }
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
      goTo("review");
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
      clearDraft();
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

  const cancel = () => {
    if (hasWork(report, form)) setPending({ kind: "cancel" });
    else {
      discard();
      navigate("/connectors");
    }
  };

  const confirmPending = () => {
    const what = pending;
    setPending(null);
    if (what === null) return;
    if (what.kind === "switch-plugin") {
      setForm(null);
      void loadPlugin(what.to);
      return;
    }
    discard();
    navigate(what.kind === "cancel" ? "/connectors" : stepUrl("plugin"), { replace: what.kind === "discard" });
  };

  const stepIndex = STEPS.findIndex((x) => x.step === step);
  /** The step bar: sticky at the bottom of the window, so Next is in reach however long the step is. */
  const bar = (buttons: ReactNode) => (
    <div className="actions wizard-bar">
      <span className="wizard-bar-step">Step {stepIndex + 1} of {STEPS.length}: {STEPS[stepIndex]?.label}</span>
      {buttons}
    </div>
  );
  const errorCount = Object.values(errors).reduce((n, list) => n + list.length, 0);
  return (
    <>
      <p className="breadcrumb"><Link to="/connectors">Connectors</Link> <span aria-hidden="true">/</span> Add connector</p>
      <PageTitle subtitle={cluster === null ? undefined : <>On Kafka cluster <strong>{cluster.spec.display_name}</strong> <code>{cluster.id}</code></>}>Add connector</PageTitle>
      <ol className="steps" aria-label="Steps">
        {STEPS.map((s, index) => (
          <li key={s.step} aria-current={s.step === step ? "step" : undefined} className={s.step === step ? "current" : stepIndex > index ? "done" : ""}>
            <span className="step-number" aria-hidden="true">{index + 1}</span> {s.label}
          </li>
        ))}
      </ol>
      {!restoredDraft ? null : (
        <div className="draft-notice">
          <Notice kind="info" title="Draft restored">
            <p>This is the connector you were adding in this tab. Values of sensitive fields typed in plaintext (passwords) are never kept: enter them again.</p>
          </Notice>
          <button type="button" className="button button-small" onClick={() => { setPending({ kind: "discard" }); }}>Discard draft</button>
        </div>
      )}
      {problem === null ? null : <Notice kind="error">{problem}</Notice>}
      {errorCount === 0 || report === null || form === null ? null : (
        <ErrorSummary errors={errors} report={report} form={form} onGo={(key) => { const target = stepOf(report, form, key); if (target !== step) goTo(target); setFocusKey(key); }} innerRef={summaryRef} />
      )}

      {!ready ? <Loading what="your draft" /> : null}

      {step === "plugin" ? (
        <form onSubmit={choosePlugin} noValidate className="wizard-step">
          <h2 id="wizard-step-title" tabIndex={-1}>Plugin</h2>
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
          {bar(<>
            <button type="button" className="button" onClick={cancel}>Cancel</button>
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? "Loading…" : "Next: Authentication"}</button>
          </>)}
        </form>
      ) : null}

      {step === "authentication" && report !== null && form !== null ? (
        <form onSubmit={(e) => { void submitAuthentication(e); }} noValidate className="wizard-step">
          <AuthenticationStep report={report} form={form} update={update} errors={errors} clearError={clearError} integrations={integrations} hosts={hosts} />
          {bar(<>
            <button type="button" className="button" onClick={() => { setErrors({}); goBack("plugin"); }}>Back</button>
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? "Checking…" : "Next: Configuration"}</button>
          </>)}
        </form>
      ) : null}

      {step === "configuration" && report !== null && form !== null ? (
        <form onSubmit={(e) => { void submitConfiguration(e); }} noValidate className="wizard-step">
          <ConfigurationStep report={report} form={form} update={update} errors={errors} clearError={clearError} required={required} />
          {bar(<>
            <button type="button" className="button" onClick={() => { goBack("authentication"); }}>Back</button>
            <button type="submit" className="button button-primary" disabled={busy}>{busy ? "Validating…" : "Next: Review"}</button>
          </>)}
        </form>
      ) : null}

      {step === "review" && report !== null && form !== null ? (
        <section className="wizard-step" aria-labelledby="wizard-step-title">
          <h2 id="wizard-step-title" tabIndex={-1}>Review the configuration</h2>
          <p>This is the JSON the console sends, exactly what <code>vaultwire connect cluster create --config-file</code> would send. {form.useSecretManager ? <>The values of {form.managed.map((k, i) => <span key={k}>{i > 0 ? ", " : ""}<code>{k}</code></span>)} are fetched from the secret manager when the connector starts; only their identifiers are stored.</> : null}</p>
          <ReviewJson body={requestBody(report, form)} />
          {bar(<>
            <button type="button" className="button" onClick={() => { goBack("configuration"); }}>Back</button>
            <button type="button" className="button button-primary" disabled={busy} onClick={() => { void create(); }}>{busy ? "Creating…" : "Create connector"}</button>
          </>)}
        </section>
      ) : null}

      <ConfirmDialog
        open={pending !== null}
        title={pending?.kind === "switch-plugin" ? `Switch to ${pending.to}?` : "Discard this connector draft?"}
        confirmLabel={pending?.kind === "switch-plugin" ? "Switch plugin" : "Discard draft"}
        danger
        onConfirm={confirmPending}
        onCancel={() => { setPending(null); }}
      >
        <p>{pending?.kind === "switch-plugin"
          ? <>The settings you entered for <code>{form?.plugin}</code> are discarded; the new plugin starts empty.</>
          : "The settings you entered are removed from this tab. Nothing was created."}</p>
      </ConfirmDialog>
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
    <section aria-labelledby="wizard-step-title">
      <h2 id="wizard-step-title" tabIndex={-1}>Authentication</h2>
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

          {!form.useSecretManager ? extraAuthFields(report, form).map((c) => (
            <ConfigField key={c.definition.name} entry={c} value={form.values[c.definition.name] ?? ""} errors={errors[c.definition.name]} required={c.definition.required}
              integrations={integrations} context={form.authMethod}
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
                  <p className="hint" id="identifier-hosts">Enter where each value is stored instead of the value itself. {form.manager === "AWS_SECRETS_MANAGER" ? "Each is a secret's ARN (its region and account choose the endpoint), with ::<json-key> for a key of a JSON secret." : <>Allowed vault hosts: {describeHosts(hosts)}.</>}</p>
                  {form.managed.map((key) => {
                    const value = form.identifiers[key] ?? "";
                    // Checked as typed (not on blur: a message appearing on blur would move the Next button under the pointer).
                    const inline = value.trim() === "" ? null : checkIdentifier(value, hosts, form.manager);
                    const fieldErrors = uniqueMessages([...(inline?.kind === "error" ? [inline.message] : []), ...(errors[key] ?? [])]);
                    return (
                      <Field key={key} id={controlId(key)} label={entry(report, key)?.definition.display_name ?? key} detail={<>{key} · secret identifier</>} required errors={fieldErrors}
                        hint={<>
                          {inline?.kind === "note" ? <span className="note">{inline.message} </span> : null}
                          Format: <code>{identifierHint(form.manager).format}</code>, e.g. <code>{identifierHint(form.manager).example}</code>
                        </>}>
                        {({ id, describedBy, invalid }) => (
                          <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={value} autoComplete="off" spellCheck={false}
                            placeholder={form.manager === "AWS_SECRETS_MANAGER" ? "arn:aws:secretsmanager:<region>:<account>:secret:<name>::<json-key>" : "https://your-key-vault-name.vault.azure.net::secret-name::key"}
                            onChange={(e) => { clearError(key); update({ identifiers: { ...form.identifiers, [key]: e.target.value } }); }} />
                        )}
                      </Field>
                    );
                  })}
                </div>
              )}

              <Field label={`${integrationEntry?.definition.display_name ?? "Provider Integration"} for the secret manager`} detail={SM.integrationId} required errors={errors[SM.integrationId]} id={controlId(SM.integrationId)}
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
  const groups = configurationGroups(report, form, required);
  const fresh = emptyForm(form.plugin, report);
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
    <section aria-labelledby="wizard-step-title">
      <h2 id="wizard-step-title" tabIndex={-1}>Configuration</h2>
      <p className="hint">Fields marked <span className="required-mark">*</span> are required. Groups with nothing required are collapsed. Empty fields take the plugin's default.{form.useSecretManager && form.managed.length > 0 ? <> {form.managed.map((k, i) => <span key={k}>{i > 0 ? ", " : ""}<code>{k}</code></span>)} come{form.managed.length === 1 ? "s" : ""} from the secret manager (set in Authentication).</> : null}</p>
      <p className="plugin-line">Connector class: <code>{form.plugin}</code></p>
      {groups.map(({ group, entries, optional }) => {
        const body = entries.map(field);
        if (!optional) {
          return (
            <fieldset key={group} className="group">
              <legend>{group}</legend>
              {body}
            </fieldset>
          );
        }
        // Open when it holds an error or something the user set, so nothing typed is hidden.
        const open = entries.some((c) => errors[c.definition.name] !== undefined || (form.values[c.definition.name] ?? "") !== (fresh.values[c.definition.name] ?? ""));
        return (
          <details key={group} className="group" open={open}>
            <summary>{group} <span className="muted">(optional, {entries.length} {entries.length === 1 ? "setting" : "settings"})</span></summary>
            {body}
          </details>
        );
      })}
    </section>
  );
}

/** An integration id field (an identity method's `provider.integration.id`): a picker of this environment's integrations of its cloud. */
function IntegrationSelect({ common, value, provider, integrations, onChange }: { common: Record<string, unknown>; value: string; provider: string; integrations: readonly Integration[] | null; onChange: (value: string) => void }): ReactNode {
  const candidates = integrations?.filter((i) => i.provider === provider) ?? null;
  return (
    <select {...common} value={value} onChange={(e) => { onChange(e.target.value); }}>
      <option value="">{candidates === null ? "Loading…" : candidates.length === 0 ? `No ${provider} provider integration in this environment` : `Choose a ${provider} provider integration…`}</option>
      {candidates?.map((i) => <option key={i.id} value={i.id} disabled={i.status === "DRAFT"}>{i.display_name} ({i.id}){i.status === "DRAFT" ? " — DRAFT: not set up yet" : ""}</option>)}
    </select>
  );
}

function ConfigField({ entry: c, value, errors, required, onChange, integrations = null, context }: {
  entry: ValidationEntry;
  value: string;
  errors: readonly string[] | undefined;
  required: boolean;
  onChange: (value: string) => void;
  integrations?: readonly Integration[] | null;
  /** What the field belongs to, for a label that tells it from a namesake (the authentication method of an integration field). */
  context?: string;
}): ReactNode {
  const { definition } = c;
  const key = definition.name;
  const options = c.value.recommended_values;
  const fallback = shownDefault(c);
  const hint = <>{definition.documentation}{fallback === null ? null : <> Default: <code>{fallback}</code>.</>}</>;
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
        {errors && errors.length > 0 ? <ul className="field-errors">{uniqueMessages(errors).map((m) => <li key={m}>{m}</li>)}</ul> : null}
      </fieldset>
    );
  }
  if (definition.type === "BOOLEAN") {
    // A switch shows the value that applies: the one set, else the default.
    const on = (value !== "" ? value : fallback ?? "false").toLowerCase() === "true";
    return (
      <Field id={controlId(key)} label={definition.display_name} detail={key} hint={hint} errors={errors} required={required} inline>
        {({ id, describedBy, invalid }) => (
          <input id={id} type="checkbox" role="switch" className="switch" aria-describedby={describedBy} aria-invalid={invalid} checked={on} onChange={(e) => { onChange(e.target.checked ? "true" : "false"); }} />
        )}
      </Field>
    );
  }
  const label = definition.integration_provider !== undefined && context !== undefined ? `${definition.display_name} for ${context}` : definition.display_name;
  return (
    <Field id={controlId(key)} label={label} detail={key} hint={hint} errors={errors} required={required}>
      {({ id, describedBy, invalid }) => {
        const common = { id, "aria-describedby": describedBy, "aria-invalid": invalid, "aria-required": required };
        if (definition.integration_provider !== undefined) {
          return <IntegrationSelect common={common} value={value} provider={definition.integration_provider} integrations={integrations} onChange={onChange} />;
        }
        if (options.length > 0) {
          return (
            <select {...common} value={value} onChange={(e) => { onChange(e.target.value); }}>
              <option value="">{fallback !== null ? `Default (${fallback})` : definition.default_is_template === true ? "Not set: the service's default" : "Not set"}</option>
              {options.map((o) => <option key={o} value={o}>{o}</option>)}
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
