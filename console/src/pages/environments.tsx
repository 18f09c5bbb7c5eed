import { useState, type SyntheticEvent, type ReactNode } from "react";
import { ApiError, messageOf } from "../api.js";
import { Cell, Field, Loading, Notice, PageTitle } from "../components.js";
import { formatDate } from "../format.js";
import type { Cluster, Environment } from "../types.js";
import { useWorkspace } from "../workspace.js";

type Errors = Record<string, string[]>;

function errorsOf(failure: unknown, fallbackField: string): Errors {
  const found: Errors = {};
  if (failure instanceof ApiError && failure.fields.length > 0) {
    for (const f of failure.fields) found[f.field] = [...(found[f.field] ?? []), f.message];
  } else found[fallbackField] = [messageOf(failure)];
  return found;
}

export function EnvironmentsPage(): ReactNode {
  const workspace = useWorkspace();
  const { environments, clusters, environment } = workspace;
  return (
    <>
      <PageTitle>Environments &amp; clusters</PageTitle>
      <p className="lead">An environment groups Kafka clusters and provider integrations. vaultwire runs a cluster's connectors on the Kafka Connect workers you register with it.</p>
      <section aria-labelledby="environments-title">
        <h2 id="environments-title">Environments</h2>
        {environments === null ? <Loading what="environments" /> : environments.length === 0 ? <p className="empty">No environments yet.</p> : (
          <table className="table responsive" aria-labelledby="environments-title">
            <thead><tr><th scope="col">Name</th><th scope="col">ID</th><th scope="col">Created</th><th scope="col"><span className="visually-hidden">Selection</span></th></tr></thead>
            <tbody>
              {environments.map((e: Environment) => (
                <tr key={e.id} aria-current={e.id === workspace.environmentId ? "true" : undefined}>
                  <Cell label="Name">{e.display_name}</Cell>
                  <Cell label="ID"><code>{e.id}</code></Cell>
                  <Cell label="Created">{formatDate(e.metadata.created_at)}</Cell>
                  <Cell label="Selection">{e.id === workspace.environmentId ? <span className="tag">selected</span> : <button type="button" className="button button-small" onClick={() => { workspace.selectEnvironment(e.id); }} aria-label={`Select environment ${e.display_name}`}>Select</button>}</Cell>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <CreateEnvironment />
      </section>

      <section aria-labelledby="clusters-title">
        <h2 id="clusters-title">Kafka clusters{environment === null ? "" : ` of ${environment.display_name}`}</h2>
        {environment === null ? <p className="muted">Create an environment first.</p> : clusters === null ? <Loading what="clusters" /> : clusters.length === 0 ? <p className="empty">No clusters in this environment yet.</p> : (
          <table className="table responsive" aria-labelledby="clusters-title">
            <thead><tr><th scope="col">Name</th><th scope="col">Cloud / region</th><th scope="col">Type</th><th scope="col">Networking</th><th scope="col">Bootstrap servers</th><th scope="col">Kafka Connect</th></tr></thead>
            <tbody>
              {clusters.map((c: Cluster) => (
                <tr key={c.id}>
                  <Cell label="Name">{c.spec.display_name}<div className="id-line"><code>{c.id}</code></div></Cell>
                  <Cell label="Cloud / region">{c.spec.cloud} · {c.spec.region}<div className="id-line muted">{c.spec.availability}</div></Cell>
                  <Cell label="Type">{c.spec.config.kind}{c.spec.config.cku === undefined ? "" : ` · ${c.spec.config.cku} CKU`}</Cell>
                  <Cell label="Networking">{c.spec.networking}</Cell>
                  <Cell label="Bootstrap servers">{c.spec.kafka_bootstrap_servers === "" ? <span className="muted">—</span> : <code>{c.spec.kafka_bootstrap_servers}</code>}</Cell>
                  <Cell label="Kafka Connect">{c.spec.connect_urls.length === 0 ? <span className="muted">none</span> : c.spec.connect_urls.map((u) => <div key={u}><code>{u}</code></div>)}</Cell>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {environment === null ? null : <RegisterCluster environmentId={environment.id} />}
      </section>
    </>
  );
}

function CreateEnvironment(): ReactNode {
  const { api, reloadEnvironments, selectEnvironment } = useWorkspace();
  const [name, setName] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    if (name.trim() === "") {
      setErrors({ display_name: ["Enter a name for the environment."] });
      document.getElementById("environment-name")?.focus();
      return;
    }
    setBusy(true);
    try {
      const { body } = await api.request<Environment>("POST", "/org/v2/environments", { display_name: name.trim() });
      setDone(`Created environment "${body.display_name}" (${body.id}).`);
      setName("");
      setErrors({});
      await reloadEnvironments();
      selectEnvironment(body.id);
    } catch (failure) {
      setErrors(errorsOf(failure, "display_name"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details className="panel" open={false}>
      <summary>Create an environment</summary>
      <form onSubmit={(e) => { void submit(e); }} noValidate className="inline-form">
        <Field id="environment-name" label="Environment name" errors={errors.display_name} required>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={name} onChange={(e) => { setName(e.target.value); setErrors({}); }} />}
        </Field>
        <div className="actions"><button type="submit" className="button button-primary" disabled={busy}>Create environment</button></div>
      </form>
      {done === null ? null : <Notice kind="success">{done}</Notice>}
    </details>
  );
}

const CLOUDS = [["AZURE", "Microsoft Azure"], ["AWS", "Amazon Web Services"], ["GCP", "Google Cloud"]] as const;
const KINDS = ["Basic", "Standard", "Enterprise", "Dedicated"] as const;

function RegisterCluster({ environmentId }: { environmentId: string }): ReactNode {
  const { api, reloadClusters, selectCluster } = useWorkspace();
  const [values, setValues] = useState({ name: "", cloud: "AZURE", region: "", availability: "SINGLE_ZONE", kind: "Dedicated", cku: "1", networking: "PUBLIC", bootstrap: "", connect: "" });
  const [errors, setErrors] = useState<Errors>({});
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof typeof values, field: string) => (event: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [key]: event.target.value }));
    setErrors((e) => Object.fromEntries(Object.entries(e).filter(([k]) => k !== field && !k.startsWith(`${field}.`))));
  };

  const submit = async (event: SyntheticEvent) => {
    event.preventDefault();
    const local: Errors = {};
    if (values.name.trim() === "") local["spec.display_name"] = ["Enter a name for the cluster."];
    if (values.region.trim() === "") local["spec.region"] = ["Enter the cloud region, e.g. westus3."];
    const cku = Number(values.cku);
    if (values.kind === "Dedicated" && (!Number.isInteger(cku) || cku < 1)) local["spec.config.cku"] = ["Enter a whole number of CKUs, at least 1."];
    if (Object.keys(local).length > 0) {
      setErrors(local);
      focusFirst(local);
      return;
    }
    const connectUrls = values.connect.split(/[\s,]+/).map((u) => u.trim()).filter((u) => u !== "");
    setBusy(true);
    try {
      const { body } = await api.request<Cluster>("POST", "/cmk/v2/clusters", {
        spec: {
          display_name: values.name.trim(),
          availability: values.availability,
          cloud: values.cloud,
          region: values.region.trim(),
          config: { kind: values.kind, ...(values.kind === "Dedicated" ? { cku } : {}) },
          environment: { id: environmentId },
          networking: values.networking,
          ...(values.bootstrap.trim() === "" ? {} : { kafka_bootstrap_servers: values.bootstrap.trim() }),
          ...(connectUrls.length === 0 ? {} : { connect_urls: connectUrls }),
        },
      });
      setDone(`Registered Kafka cluster "${body.spec.display_name}" (${body.id}).`);
      setErrors({});
      await reloadClusters();
      selectCluster(body.id);
    } catch (failure) {
      const found = errorsOf(failure, "spec.display_name");
      setErrors(found);
      focusFirst(found);
    } finally {
      setBusy(false);
    }
  };

  const ids: Record<string, string> = { "spec.display_name": "cluster-name", "spec.region": "cluster-region", "spec.config.cku": "cluster-cku", "spec.kafka_bootstrap_servers": "cluster-bootstrap", "spec.connect_urls": "cluster-connect" };
  const focusFirst = (found: Errors) => {
    const first = Object.keys(found).map((k) => ids[k.replace(/\.\d+$/, "")]).find((id) => id !== undefined);
    if (first !== undefined) document.getElementById(first)?.focus();
  };
  const connectErrors = Object.entries(errors).filter(([k]) => k.startsWith("spec.connect_urls")).flatMap(([, v]) => v);

  return (
    <details className="panel">
      <summary>Register a Kafka cluster</summary>
      <form onSubmit={(e) => { void submit(e); }} noValidate className="grid-form">
        <Field id="cluster-name" label="Cluster name" errors={errors["spec.display_name"]} required>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.name} onChange={set("name", "spec.display_name")} />}
        </Field>
        <Field id="cluster-cloud" label="Cloud" errors={errors["spec.cloud"]}>
          {({ id, describedBy, invalid }) => <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.cloud} onChange={set("cloud", "spec.cloud")}>{CLOUDS.map(([v, label]) => <option key={v} value={v}>{label}</option>)}</select>}
        </Field>
        <Field id="cluster-region" label="Region" hint="e.g. westus3; the secret manager is not offered in some regions." errors={errors["spec.region"]} required>
          {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.region} onChange={set("region", "spec.region")} />}
        </Field>
        <Field id="cluster-availability" label="Availability" errors={errors["spec.availability"]}>
          {({ id, describedBy, invalid }) => <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.availability} onChange={set("availability", "spec.availability")}><option value="SINGLE_ZONE">Single zone</option><option value="MULTI_ZONE">Multi zone</option></select>}
        </Field>
        <Field id="cluster-type" label="Cluster type" errors={errors["spec.config.kind"]}>
          {({ id, describedBy, invalid }) => <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.kind} onChange={set("kind", "spec.config.kind")}>{KINDS.map((k) => <option key={k} value={k}>{k}</option>)}</select>}
        </Field>
        {values.kind === "Dedicated" ? (
          <Field id="cluster-cku" label="CKUs" errors={errors["spec.config.cku"]} required>
            {({ id, describedBy, invalid }) => <input id={id} aria-describedby={describedBy} aria-invalid={invalid} inputMode="numeric" value={values.cku} onChange={set("cku", "spec.config.cku")} />}
          </Field>
        ) : null}
        <Field id="cluster-networking" label="Networking" errors={errors["spec.networking"]}>
          {({ id, describedBy, invalid }) => <select id={id} aria-describedby={describedBy} aria-invalid={invalid} value={values.networking} onChange={set("networking", "spec.networking")}><option value="PUBLIC">Public</option><option value="PRIVATE_LINK">Private Link</option></select>}
        </Field>
        <Field id="cluster-bootstrap" label="Kafka bootstrap servers" hint="Comma-separated host:port, e.g. broker-1:9092,broker-2:9092." errors={errors["spec.kafka_bootstrap_servers"]}>
          {({ id, describedBy, invalid }) => <input id={id} className="mono" aria-describedby={describedBy} aria-invalid={invalid} value={values.bootstrap} spellCheck={false} onChange={set("bootstrap", "spec.kafka_bootstrap_servers")} />}
        </Field>
        <Field id="cluster-connect" label="Kafka Connect REST URLs" hint="One per line (or comma-separated), e.g. http://connect-1:8083. Connectors stay PROVISIONING until workers are reachable." errors={connectErrors}>
          {({ id, describedBy, invalid }) => <textarea id={id} className="mono" rows={2} aria-describedby={describedBy} aria-invalid={invalid} value={values.connect} spellCheck={false} onChange={set("connect", "spec.connect_urls")} />}
        </Field>
        <div className="actions grid-wide"><button type="submit" className="button button-primary" disabled={busy}>Register cluster</button></div>
      </form>
      {done === null ? null : <Notice kind="success">{done}</Notice>}
    </details>
  );
}
