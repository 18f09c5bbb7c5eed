/**
 * The audit trail's vocabulary (pure): what happened to whom, never a value.
 * Every secret access by a worker (granted, failed, refused), every rotation
 * detected and every restart it (or anyone) caused. Secret *references*
 * (`<vault>/secrets/<name>`, an ARN) and versions are recorded: they say where
 * a secret is and which one was delivered, not what it holds.
 *
 * Paging is by the row id (monotonic per database): a token is `a1_<id>`,
 * described exactly by AUDIT_PAGE_TOKEN_PATTERN; anything else is refused.
 */
import { InvalidPageTokenError } from "./page-token.js";

export const AUDIT_EVENT_TYPES = ["secret.access", "secret.access.refused", "rotation.detected", "connector.restarted"] as const;
export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

/** How a rotation was noticed (the reconciler's RotationSource). */
export const ROTATION_SOURCES = ["poll", "event", "reactive"] as const;
export type AuditRotationSource = (typeof ROTATION_SOURCES)[number];

/** Why a connector was restarted. */
export const RESTART_CAUSES = ["rotation", "request", "provider-unreachable", "stuck-restarting"] as const;
export type RestartCause = (typeof RESTART_CAUSES)[number];

/**
 * One event as recorded. `outcome` is `granted` / `failed` (secret.access),
 * `denied` (secret.access.refused), `restart-requested` / `no-workers`
 * (rotation.detected), `restarted` / `skipped` (connector.restarted);
 * `reason` is a class without ids or values (e.g. `refused_credential`).
 */
export interface AuditRecord {
  readonly type: AuditEventType;
  /** ISO-8601 UTC. */
  readonly at: string;
  readonly environmentId: string | null;
  readonly clusterId: string | null;
  readonly connectorId: string | null;
  readonly connectorName: string | null;
  readonly integrationId: string | null;
  /** The configuration keys concerned (requested, rotated). */
  readonly keys: readonly string[];
  /** Secret version by key: delivered, or the new one of a rotation. */
  readonly versions: Readonly<Record<string, string>>;
  /** A rotation's previous version by key (null: none was seen). */
  readonly previousVersions: Readonly<Record<string, string | null>>;
  /** Where each key's secret is (a reference, never a value). */
  readonly secrets: Readonly<Record<string, string>>;
  readonly outcome: string;
  readonly reason: string | null;
  readonly workerCredentialId: string | null;
  readonly workerName: string | null;
  readonly remoteAddress: string | null;
  readonly userAgent: string | null;
  readonly detectedBy: AuditRotationSource | null;
  readonly restartCause: RestartCause | null;
}

export interface AuditEvent extends AuditRecord {
  /** Monotonic per database: the paging position. */
  readonly id: number;
}

/** The last granted access to one secret through one integration. */
export interface SecretLastAccess {
  readonly integrationId: string;
  readonly secret: string;
  readonly at: string;
  readonly environmentId: string;
  readonly connectorId: string;
  readonly connectorName: string;
  readonly key: string;
  readonly version: string | null;
  readonly workerCredentialId: string | null;
  readonly workerName: string | null;
  /** The audit event that recorded it. */
  readonly eventId: number;
}

export type AuditOrder = "asc" | "desc";

export interface AuditQuery {
  /** Scoped principals: only these environments. */
  readonly environmentIds?: readonly string[];
  readonly environmentId?: string;
  readonly clusterId?: string;
  /** A connector id (lcc-…) or name. */
  readonly connector?: string;
  readonly integrationId?: string;
  readonly types?: readonly AuditEventType[];
  /** Inclusive, ISO-8601 UTC. */
  readonly since?: string;
  /** Exclusive, ISO-8601 UTC. */
  readonly until?: string;
}

export interface AuditPageRequest {
  readonly pageSize?: number;
  readonly pageToken?: string | null;
  /** Newest first (default) or oldest first. */
  readonly order?: AuditOrder;
}

/** An audit page token, or empty (the first page). */
export const AUDIT_PAGE_TOKEN_PATTERN = "^(?:a1_[1-9][0-9]{0,15})?$";
const TOKEN = /^a1_([1-9][0-9]{0,15})$/;

export function encodeAuditPageToken(id: number): string {
  return `a1_${id}`;
}

/** The id after which (or before which, newest first) the page starts; null for the first page. */
export function decodeAuditPageToken(token: string | null | undefined): number | null {
  if (token === undefined || token === null || token === "") return null;
  const match = TOKEN.exec(token);
  if (!match?.[1]) throw new InvalidPageTokenError();
  return Number(match[1]);
}
