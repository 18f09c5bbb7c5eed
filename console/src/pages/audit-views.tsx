/**
 * The audit trail in the console (decision 42): a connector's history (secret
 * versions its workers were given, rotations with from → to and how they were
 * noticed, restarts and why), an integration's last access per secret, and a
 * small chart of this replica's secret-manager requests per minute per vault.
 * Never a value: the API returns keys, versions and secret references only.
 */
import { useCallback, useEffect, useState, type ReactNode } from "react";
import { ApiError, messageOf, type ApiClient } from "../api.js";
import { Cell, Notice } from "../components.js";
import { formatDate } from "../format.js";

export interface AuditEventBody {
  readonly id: string;
  readonly type: "secret.access" | "secret.access.refused" | "rotation.detected" | "connector.restarted";
  readonly time: string;
  readonly connector_id: string | null;
  readonly keys: readonly string[];
  readonly versions: Readonly<Record<string, string>>;
  readonly previous_versions: Readonly<Record<string, string | null>>;
  readonly outcome: string;
  readonly reason: string | null;
  readonly worker_name: string | null;
  readonly worker_credential_id: string | null;
  readonly detected_by: string | null;
  readonly restart_cause: string | null;
}

interface SecretAccessBody {
  readonly secret: string;
  readonly time: string;
  readonly connector_name: string;
  readonly key: string;
  readonly version: string | null;
  readonly worker_name: string | null;
  readonly worker_credential_id: string | null;
}

interface RateSeries {
  readonly manager: string;
  readonly target: string;
  readonly minutes: readonly { readonly minute: string; readonly requests: number; readonly throttled: number; readonly failed: number }[];
}

const DETECTED: Readonly<Record<string, string>> = { poll: "the periodic re-read", event: "an event from the secret manager", reactive: "a task that failed to authenticate" };
const CAUSES: Readonly<Record<string, string>> = { rotation: "a secret rotation", request: "a restart request", "provider-unreachable": "tasks that could not reach vaultwire", "stuck-restarting": "a restart that did not finish" };

function short(version: string | null | undefined): string {
  if (version === null || version === undefined) return "none";
  return version.length > 12 ? `${version.slice(0, 12)}…` : version;
}

/** Newest first: rotations, restarts, and each granted access whose versions differ from the one before it. */
export function historyEntries(events: readonly AuditEventBody[]): { id: string; time: string; kind: string; text: string }[] {
  const entries: { id: string; time: string; kind: string; text: string }[] = [];
  const granted = events.filter((e) => e.type === "secret.access" && e.outcome === "granted");
  for (const event of events) {
    if (event.type === "rotation.detected") {
      const changes = Object.entries(event.versions).map(([key, to]) => `${key} ${short(event.previous_versions[key])} → ${short(to)}`).join(", ");
      entries.push({ id: event.id, time: event.time, kind: "Rotation", text: `${changes}, noticed by ${DETECTED[event.detected_by ?? ""] ?? "vaultwire"}${event.outcome === "no-workers" ? " (no workers yet: nothing to restart)" : ""}` });
    } else if (event.type === "connector.restarted") {
      entries.push({ id: event.id, time: event.time, kind: "Restart", text: `${event.outcome === "restarted" ? "Restarted with its tasks" : "Restart skipped"}, after ${CAUSES[event.restart_cause ?? ""] ?? "a request"}${event.reason === null ? "" : ` (${event.reason})`}` });
    } else if (event.type === "secret.access" && event.outcome === "granted") {
      const older = granted[granted.indexOf(event) + 1];
      const versions = Object.entries(event.versions);
      if (versions.length === 0) continue;
      const changed = older === undefined || versions.some(([key, version]) => older.versions[key] !== version);
      if (!changed) continue;
      entries.push({ id: event.id, time: event.time, kind: "Versions", text: `Workers got ${versions.map(([key, version]) => `${key} ${short(version)}`).join(", ")}${event.worker_name === null ? "" : ` (first: ${event.worker_name})`}` });
    }
  }
  return entries;
}

function refusedRole(failure: unknown): boolean {
  return failure instanceof ApiError && failure.status === 403;
}

export function ConnectorHistory({ api, connectorId }: { api: ApiClient; connectorId: string }): ReactNode {
  const [events, setEvents] = useState<readonly AuditEventBody[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const body = await api.get<{ data: AuditEventBody[] }>(`/audit/v1/events?connector=${encodeURIComponent(connectorId)}&type=secret.access,rotation.detected,connector.restarted&page_size=100`);
      setEvents(body.data);
      setError(null);
    } catch (failure) {
      setError(refusedRole(failure) ? "This API key's role cannot read the audit trail (DeveloperManage keys do not)." : messageOf(failure));
    }
  }, [api, connectorId]);
  useEffect(() => { void load(); }, [load]);
  const entries = events === null ? [] : historyEntries(events);
  return (
    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <p className="hint">Secret versions its workers were given, rotations and restarts, newest first (the last 100 events of the audit trail; never a value).</p>
      {error !== null ? <Notice kind="info">{error}</Notice> : events === null ? <p className="muted">Loading the history…</p> : entries.length === 0 ? <p className="muted">Nothing yet: no worker has fetched this connector's secrets.</p> : (
        <ol className="timeline" aria-label="Connector history">
          {entries.map((entry) => (
            <li key={entry.id} className={`timeline-item timeline-${entry.kind.toLowerCase()}`}>
              <time dateTime={entry.time}>{formatDate(entry.time)}</time> <span className="tag">{entry.kind}</span> <span>{entry.text}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}

export function IntegrationAccesses({ api, integrationId }: { api: ApiClient; integrationId: string }): ReactNode {
  const [accesses, setAccesses] = useState<readonly SecretAccessBody[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<{ data: SecretAccessBody[] }>(`/audit/v1/secret-accesses?integration=${encodeURIComponent(integrationId)}`)
      .then((body) => { setAccesses(body.data); setError(null); })
      .catch((failure: unknown) => { setError(refusedRole(failure) ? "This API key's role cannot read the audit trail." : messageOf(failure)); });
  }, [api, integrationId]);
  return (
    <section aria-labelledby="access-title">
      <h2 id="access-title">Last access per secret</h2>
      <p className="hint">When a Kafka Connect worker last got each secret read through this integration (from the audit trail).</p>
      {error !== null ? <Notice kind="info">{error}</Notice> : accesses === null ? <p className="muted">Loading…</p> : accesses.length === 0 ? <p className="muted">No worker has fetched a secret through this integration yet.</p> : (
        <table className="table responsive" aria-labelledby="access-title">
          <thead><tr><th scope="col">Secret</th><th scope="col">Last access</th><th scope="col">Connector</th><th scope="col">Version</th><th scope="col">Worker</th></tr></thead>
          <tbody>
            {accesses.map((a) => (
              <tr key={a.secret}>
                <Cell label="Secret"><code className="identifier">{a.secret}</code></Cell>
                <Cell label="Last access"><time dateTime={a.time}>{formatDate(a.time)}</time></Cell>
                <Cell label="Connector">{a.connector_name} <span className="muted">({a.key})</span></Cell>
                <Cell label="Version"><code>{short(a.version)}</code></Cell>
                <Cell label="Worker">{a.worker_name ?? a.worker_credential_id ?? "—"}</Cell>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** One small bar chart per vault: requests per minute over the last hour, throttled ones on top in red. */
export function RequestRateChart({ api }: { api: ApiClient }): ReactNode {
  const [series, setSeries] = useState<readonly RateSeries[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.get<{ data: RateSeries[] }>("/audit/v1/secret-manager-requests")
      .then((body) => { setSeries(body.data); })
      .catch((failure: unknown) => { setError(refusedRole(failure) ? "Request rates are shown to organization-wide API keys." : messageOf(failure)); });
  }, [api]);
  return (
    <section aria-labelledby="rates-title">
      <h2 id="rates-title">Secret-manager requests per minute</h2>
      <p className="hint">Counted by the vaultwire replica serving this page, over the last hour (each replica counts its own). Key Vault throttles at about 4,000 reads per 10 seconds per vault; red is throttled.</p>
      {error !== null ? <Notice kind="info">{error}</Notice> : series === null ? <p className="muted">Loading…</p> : series.length === 0 ? <p className="muted">No requests in the last hour.</p> : series.map((s) => {
        const peak = Math.max(1, ...s.minutes.map((m) => m.requests));
        const total = s.minutes.reduce((n, m) => n + m.requests, 0);
        const throttled = s.minutes.reduce((n, m) => n + m.throttled, 0);
        const width = 4;
        const height = 40;
        return (
          <figure key={`${s.manager} ${s.target}`} className="rate-chart">
            <svg role="img" aria-label={`${s.target}: ${total} requests in the last hour, ${throttled} throttled, at most ${peak} in a minute`} width={s.minutes.length * width} height={height} viewBox={`0 0 ${s.minutes.length * width} ${height}`}>
              {s.minutes.map((m, i) => {
                const h = Math.round((m.requests / peak) * (height - 2));
                const t = Math.round((m.throttled / peak) * (height - 2));
                return (
                  <g key={m.minute}>
                    <title>{`${m.minute}: ${m.requests} requests, ${m.throttled} throttled, ${m.failed} failed`}</title>
                    <rect x={i * width} y={height - h} width={width - 1} height={h} fill="var(--accent)" />
                    {t > 0 ? <rect x={i * width} y={height - h} width={width - 1} height={t} fill="var(--bad)" /> : null}
                  </g>
                );
              })}
            </svg>
            <figcaption><code>{s.target}</code> · {total} requests{throttled > 0 ? <>, <strong>{throttled} throttled</strong></> : null}, peak {peak}/min</figcaption>
          </figure>
        );
      })}
    </section>
  );
}
