/** Building blocks: page heading, notices, badges, labelled fields, confirmation dialog. */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { STATE_DESCRIPTIONS } from "./format.js";

/** The page's <h1>; it takes focus when the page opens so screen readers announce it. */
export function PageTitle({ children, subtitle }: { children: ReactNode; subtitle?: ReactNode }): ReactNode {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => { ref.current?.focus({ preventScroll: true }); }, []);
  return (
    <div className="page-title">
      <h1 ref={ref} tabIndex={-1}>{children}</h1>
      {subtitle === undefined ? null : <p className="subtitle">{subtitle}</p>}
    </div>
  );
}

export function Notice({ kind, children, title, focusOnShow = false }: { kind: "error" | "success" | "info" | "warning"; children: ReactNode; title?: string; focusOnShow?: boolean }): ReactNode {
  const ref = useRef<HTMLDivElement>(null);
  // An error that answers the user's action takes focus, so keyboard and screen-reader users land on it.
  useEffect(() => { if (focusOnShow) ref.current?.focus(); }, [focusOnShow, children]);
  return (
    <div ref={ref} className={`notice notice-${kind}`} role={kind === "error" ? "alert" : "status"} tabIndex={focusOnShow ? -1 : undefined}>
      {title === undefined ? null : <p className="notice-title">{title}</p>}
      <div className="notice-body">{children}</div>
    </div>
  );
}

export function Loading({ what }: { what: string }): ReactNode {
  return <p className="loading" role="status">Loading {what}…</p>;
}

const STATE_CLASS: Readonly<Record<string, string>> = {
  RUNNING: "ok",
  ACTIVE: "ok",
  CREATED: "info",
  PROVISIONING: "info",
  PAUSED: "neutral",
  DRAFT: "neutral",
  NONE: "neutral",
  DELETED: "neutral",
  DEGRADED: "warn",
  FAILED: "bad",
};

/** A connector's, task's or integration's state (ConnectorState, IntegrationStatus). */
/** A badge beside the status when a secret the connector uses expires soon; its title names the secrets and dates. */
export function ExpiryBadge({ warnings }: { warnings: readonly { readonly key: string; readonly secret: string; readonly expires_at: string }[] | undefined }): ReactNode {
  if (warnings === undefined || warnings.length === 0) return null;
  const soonest = [...warnings].sort((a, b) => a.expires_at.localeCompare(b.expires_at))[0];
  const title = warnings.map((w) => `${w.key} (${w.secret}) expires at ${w.expires_at}`).join("\n");
  return <span className="badge badge-warn badge-expiry" title={title}>Secret expires {soonest?.expires_at.slice(0, 10) ?? ""}</span>;
}

export function StatusBadge({ state }: { state: string }): ReactNode {
  const description = (STATE_DESCRIPTIONS as Readonly<Record<string, string>>)[state];
  return <span className={`badge badge-${STATE_CLASS[state] ?? "neutral"}`} title={description}>{state}</span>;
}

export interface FieldProps {
  readonly label: ReactNode;
  /** Shown under the label (e.g. the config key). */
  readonly detail?: ReactNode;
  readonly hint?: ReactNode;
  readonly errors?: readonly string[] | undefined;
  readonly required?: boolean;
  /** The control's id (default: generated); error summaries link to it. */
  readonly id?: string | undefined;
  /** Label and control on one line (a switch or checkbox). */
  readonly inline?: boolean;
  readonly children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

/** A label, the control, its hint and its errors, wired with for/aria-describedby/aria-invalid. */
export function Field({ label, detail, hint, errors: given = [], required = false, id: givenId, inline = false, children }: FieldProps): ReactNode {
  // Each message once, whoever said it (the inline check and the server may both, capitalised differently).
  const errors = given.filter((message, index) => given.findIndex((m) => m.trim().replace(/\.$/, "").toLowerCase() === message.trim().replace(/\.$/, "").toLowerCase()) === index);
  const generatedId = useId();
  const id = givenId ?? generatedId;
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint === undefined ? null : hintId, errors.length > 0 ? errorId : null].filter((x) => x !== null).join(" ") || undefined;
  return (
    <div className={`field${errors.length > 0 ? " field-invalid" : ""}${inline ? " field-inline-control" : ""}`}>
      {inline ? children({ id, describedBy, invalid: errors.length > 0 }) : null}
      <label htmlFor={id}>
        <span className="label-text">{label}</span>
        {required ? <><span className="required-mark" aria-hidden="true"> *</span><span className="visually-hidden"> (required)</span></> : null}
        {detail === undefined ? null : <span className="label-detail">{detail}</span>}
      </label>
      {inline ? null : children({ id, describedBy, invalid: errors.length > 0 })}
      {hint === undefined ? null : <div className="hint" id={hintId}>{hint}</div>}
      {errors.length === 0 ? null : (
        <ul className="field-errors" id={errorId}>
          {errors.map((message, index) => <li key={index}>{message}</li>)}
        </ul>
      )}
    </div>
  );
}

/** A modal confirmation (native <dialog>: focus is trapped and Escape cancels). */
export function ConfirmDialog({ open, title, children, confirmLabel, danger = false, busy = false, onConfirm, onCancel }: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} aria-labelledby={titleId} onCancel={(event) => { event.preventDefault(); onCancel(); }}>
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="actions">
        <button type="button" className="button" onClick={onCancel} autoFocus>Cancel</button>
        <button type="button" className={`button ${danger ? "button-danger" : "button-primary"}`} onClick={onConfirm} disabled={busy}>{confirmLabel}</button>
      </div>
    </dialog>
  );
}

export function CopyButton({ text, label }: { text: string; label: string }): ReactNode {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard.writeText(text).then(() => {
      setCopied(true);
      setTimeout(() => { setCopied(false); }, 2000);
    }, () => { setCopied(false); });
  };
  return (
    <button type="button" className="button button-small" onClick={copy} aria-label={label}>
      {copied ? "Copied" : "Copy"}
    </button>
  );
}

/** A table cell that, on narrow screens, shows its column name before the value. */
export function Cell({ label, children, className }: { label: string; children: ReactNode; className?: string }): ReactNode {
  return <td data-label={label} className={className}><div className="cell">{children}</div></td>;
}
