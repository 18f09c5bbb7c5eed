/**
 * The audit trail (decision 42): what the workers were given and refused,
 * which rotations were detected and which restarts they (or anyone) caused —
 * in the store, not only in log lines, and never a value.
 *
 * Writing must not slow or fail secret delivery: `record` only queues; the
 * queue is written in batches (every `flushMs`, or at once when `batchSize`
 * are waiting). A batch that fails is logged and counted, and dropped; a
 * queue longer than `maxQueued` drops its newest arrivals (counted too).
 * Nothing is ever thrown at the caller. Retention: events older than
 * `retentionDays` are pruned every `pruneIntervalMs` by whichever replica's
 * timer fires (deleting by age is idempotent).
 *
 * Reading is for API callers: organization-wide keys see everything; the
 * EnvironmentAdmin and Operator keys of an environment see its events only;
 * DeveloperManage keys see none (the trail names worker credentials and
 * addresses).
 */
import { AUDIT_EVENT_TYPES, AUDIT_PAGE_TOKEN_PATTERN, type AuditEvent, type AuditEventType, type AuditOrder, type AuditQuery, type AuditRecord, type SecretLastAccess } from "../domain/audit.js";
import { NotAllowedError, NotFoundError } from "../domain/errors.js";
import type { Page } from "../domain/page-token.js";
import type { Store } from "../store/store.js";
import { FieldChecks } from "./input.js";
import { describePrincipal, organizationRole, type Principal } from "./principal.js";

/** What a caller records: the type and outcome, and whatever else it knows (the rest defaults to empty). */
export type AuditInput = Pick<AuditRecord, "type" | "outcome"> & Partial<Omit<AuditRecord, "type" | "outcome">>;

/** The port the delivery path and the reconciler record through. Never throws, never waits. */
export interface AuditRecorder {
  record(event: AuditInput): void;
}

export interface AuditWriteReport {
  readonly written: number;
  readonly failed: number;
  readonly dropped: number;
}

export interface AuditTrail extends AuditRecorder {
  /** Writes what is queued now (tests, shutdown). */
  flush(): Promise<void>;
  /** Deletes events older than the retention; returns how many went. */
  prune(): Promise<number>;
  /** Starts the batch and prune timers. */
  start(): void;
  /** Stops the timers and writes what is queued. */
  stop(): Promise<void>;
}

export interface AuditTrailDependencies {
  readonly store: Pick<Store, "audit" | "clusters">;
  readonly retentionDays: number;
  readonly now?: () => Date;
  readonly flushMs?: number;
  readonly batchSize?: number;
  readonly maxQueued?: number;
  readonly pruneIntervalMs?: number;
  /** A failed write or prune (a message without values; the error's text is the database's). */
  readonly warn: (details: Record<string, unknown>, message: string) => void;
  /** Counts of each flush (metrics); must not throw, and is ignored if it does. */
  readonly onWrite?: (report: AuditWriteReport) => void;
}

export const AUDIT_FLUSH_MS = 250;
export const AUDIT_BATCH_SIZE = 200;
export const AUDIT_MAX_QUEUED = 10_000;
export const AUDIT_PRUNE_INTERVAL_MS = 60 * 60_000;
export const DEFAULT_AUDIT_RETENTION_DAYS = 90;
const DAY_MS = 24 * 60 * 60_000;

function complete(event: AuditInput, at: string): AuditRecord {
  return {
    type: event.type,
    outcome: event.outcome,
    at: event.at ?? at,
    environmentId: event.environmentId ?? null,
    clusterId: event.clusterId ?? null,
    connectorId: event.connectorId ?? null,
    connectorName: event.connectorName ?? null,
    integrationId: event.integrationId ?? null,
    keys: event.keys ?? [],
    versions: event.versions ?? {},
    previousVersions: event.previousVersions ?? {},
    secrets: event.secrets ?? {},
    reason: event.reason ?? null,
    workerCredentialId: event.workerCredentialId ?? null,
    workerName: event.workerName ?? null,
    remoteAddress: event.remoteAddress ?? null,
    userAgent: event.userAgent ?? null,
    detectedBy: event.detectedBy ?? null,
    restartCause: event.restartCause ?? null,
  };
}

export function createAuditTrail(deps: AuditTrailDependencies): AuditTrail {
  const now = deps.now ?? (() => new Date());
  const batchSize = deps.batchSize ?? AUDIT_BATCH_SIZE;
  const maxQueued = deps.maxQueued ?? AUDIT_MAX_QUEUED;
  let queue: AuditRecord[] = [];
  let dropped = 0;
  let flushing: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let pruneTimer: NodeJS.Timeout | null = null;
  let started = false;
  /** The environment of each cluster named by an event that did not say (a refused request before its connector was read). */
  const environmentOf = new Map<string, string | null>();

  const report = (counts: AuditWriteReport) => {
    try {
      deps.onWrite?.(counts);
    } catch {
      // Metrics never change what the trail does.
    }
  };

  async function resolveEnvironments(batch: AuditRecord[]): Promise<AuditRecord[]> {
    const unknown = new Set(batch.filter((e) => e.environmentId === null && e.clusterId !== null && !environmentOf.has(e.clusterId)).map((e) => e.clusterId ?? ""));
    for (const clusterId of unknown) {
      const cluster = await deps.store.clusters.get(clusterId);
      if (environmentOf.size > 10_000) environmentOf.clear();
      environmentOf.set(clusterId, cluster?.environmentId ?? null);
    }
    return batch.map((e) => (e.environmentId === null && e.clusterId !== null ? { ...e, environmentId: environmentOf.get(e.clusterId) ?? null } : e));
  }

  async function writeQueued(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      queue = queue.slice(batch.length);
      const lost = dropped;
      dropped = 0;
      try {
        await deps.store.audit.append(await resolveEnvironments(batch));
        report({ written: batch.length, failed: 0, dropped: lost });
      } catch (error) {
        deps.warn({ events: batch.length, types: [...new Set(batch.map((e) => e.type))], err: error instanceof Error ? error.message : String(error) }, "audit events could not be written; they are lost");
        report({ written: 0, failed: batch.length, dropped: lost });
      }
    }
    if (dropped > 0) {
      report({ written: 0, failed: 0, dropped });
      dropped = 0;
    }
  }

  function flush(): Promise<void> {
    if (flushing) return flushing.then(() => (queue.length > 0 ? flush() : undefined));
    flushing = writeQueued().finally(() => { flushing = null; });
    return flushing;
  }

  function schedule(): void {
    if (queue.length >= batchSize) {
      void flush();
      return;
    }
    if (timer !== null || !started) return;
    timer = setTimeout(() => {
      timer = null;
      void flush();
    }, deps.flushMs ?? AUDIT_FLUSH_MS);
    timer.unref();
  }

  async function prune(): Promise<number> {
    const before = new Date(now().getTime() - deps.retentionDays * DAY_MS).toISOString();
    try {
      return await deps.store.audit.prune(before);
    } catch (error) {
      deps.warn({ err: error instanceof Error ? error.message : String(error) }, "pruning the audit trail failed; it is tried again later");
      return 0;
    }
  }

  return {
    record(event) {
      try {
        if (queue.length >= maxQueued) {
          dropped++;
          return;
        }
        queue.push(complete(event, now().toISOString()));
        schedule();
      } catch {
        // Recording never fails the work it records.
      }
    },
    flush,
    prune,
    start() {
      if (started) return;
      started = true;
      void prune();
      pruneTimer = setInterval(() => { void prune(); }, deps.pruneIntervalMs ?? AUDIT_PRUNE_INTERVAL_MS);
      pruneTimer.unref();
      if (queue.length > 0) schedule();
    },
    async stop() {
      started = false;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      if (pruneTimer !== null) clearInterval(pruneTimer);
      pruneTimer = null;
      await flush();
    },
  };
}

// ---- reading ------------------------------------------------------------------

/** The query parameters of GET /audit/v1/events, as sent. */
export interface AuditListInput {
  readonly environment?: unknown;
  readonly cluster?: unknown;
  readonly connector?: unknown;
  readonly integration?: unknown;
  readonly type?: unknown;
  readonly since?: unknown;
  readonly until?: unknown;
  readonly order?: unknown;
  readonly pageSize?: number;
  readonly pageToken?: unknown;
}

export interface AuditService {
  list(principal: Principal, input: AuditListInput): Promise<Page<AuditEvent>>;
  /** The last granted access per secret of an integration the principal sees. */
  lastAccess(principal: Principal, integrationId: string): Promise<readonly SecretLastAccess[]>;
}

/** RFC 3339 date-time (what `toISOString` writes, and offsets). */
const DATE_TIME = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,9})?(?:Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;
/** The `since`/`until` parameters: a date-time, or empty (no bound), as the service reads them. */
export const AUDIT_TIME_PATTERN = `^(?:${DATE_TIME.source.slice(1, -1)})?$`;
const AUDIT_ORDERS: readonly AuditOrder[] = ["asc", "desc"];
/** The `type` parameter: a comma-separated list of event types (spaces around them allowed), or empty. */
export const AUDIT_TYPE_LIST_PATTERN = `^(?: *(?:${AUDIT_EVENT_TYPES.map((t) => t.replace(/\./g, "\\.")).join("|")}) *(?:, *(?:${AUDIT_EVENT_TYPES.map((t) => t.replace(/\./g, "\\.")).join("|")}) *)*)?$`;
const MAX_ID = 128;

/** The environments whose trail a principal reads (undefined: all, an organization-wide key). DeveloperManage reads none. */
function readableEnvironments(principal: Principal): readonly string[] | undefined {
  if (organizationRole(principal) !== undefined) return undefined;
  const ids = new Set<string>();
  for (const grant of principal.grants) {
    if (grant.scope.kind === "environment" && (grant.role === "EnvironmentAdmin" || grant.role === "Operator")) ids.add(grant.scope.environmentId);
  }
  return [...ids];
}

function mayRead(principal: Principal, environmentId: string): boolean {
  const readable = readableEnvironments(principal);
  return readable === undefined || readable.includes(environmentId);
}

/** DeveloperManage keys read no audit trail: it names worker credentials and addresses. */
function assertAuditReader(principal: Principal): void {
  if (readableEnvironments(principal)?.length === 0) {
    throw new NotAllowedError(`reading the audit trail needs the OrganizationAdmin, EnvironmentAdmin or Operator role; ${describePrincipal(principal)}`);
  }
}

export function createAuditService(deps: { readonly store: Pick<Store, "audit" | "integrations"> }): AuditService {
  return {
    async list(principal, input) {
      assertAuditReader(principal);
      const checks = new FieldChecks();
      const text = (field: string, value: unknown) => checks.optionalString(field, value, MAX_ID) || undefined;
      const environmentId = text("environment", input.environment);
      const clusterId = text("cluster", input.cluster);
      const connector = text("connector", input.connector);
      const integrationId = text("integration", input.integration);
      const time = (field: string, value: unknown): string | undefined => {
        const given = checks.optionalString(field, value, 40);
        if (given === undefined || given === "") return undefined;
        const ms = DATE_TIME.test(given) ? Date.parse(given) : Number.NaN;
        if (Number.isNaN(ms)) {
          checks.add(field, `${field} must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z`);
          return undefined;
        }
        return new Date(ms).toISOString();
      };
      const since = time("since", input.since);
      const until = time("until", input.until);
      let types: AuditEventType[] | undefined;
      const typeText = checks.optionalString("type", input.type, 256);
      if (typeText !== undefined && typeText !== "") {
        const names = typeText.split(",").map((t) => t.trim());
        const unknown = names.filter((t) => !(AUDIT_EVENT_TYPES as readonly string[]).includes(t));
        if (unknown.length > 0) checks.add("type", `type must be a comma-separated list of ${AUDIT_EVENT_TYPES.join(", ")} (got "${unknown[0]?.slice(0, 40) ?? ""}")`);
        else types = [...new Set(names)] as AuditEventType[];
      }
      let order: AuditOrder = "desc";
      if (input.order !== undefined && input.order !== "") {
        if (typeof input.order === "string" && (AUDIT_ORDERS as readonly string[]).includes(input.order)) order = input.order as AuditOrder;
        else checks.add("order", "order must be asc (oldest first) or desc (newest first)");
      }
      const pageToken = checks.optionalString("page_token", input.pageToken, 64);
      if (pageToken !== undefined && !new RegExp(AUDIT_PAGE_TOKEN_PATTERN).test(pageToken)) checks.add("page_token", "page_token must be the page_token of a previous page's next link");
      checks.throwIfAny("invalid audit query");
      if (environmentId !== undefined && !mayRead(principal, environmentId)) throw new NotFoundError(`environment "${environmentId}" was not found`);
      const readable = readableEnvironments(principal);
      const query: AuditQuery = {
        ...(readable === undefined ? {} : { environmentIds: readable }),
        ...(environmentId === undefined ? {} : { environmentId }),
        ...(clusterId === undefined ? {} : { clusterId }),
        ...(connector === undefined ? {} : { connector }),
        ...(integrationId === undefined ? {} : { integrationId }),
        ...(types === undefined ? {} : { types }),
        ...(since === undefined ? {} : { since }),
        ...(until === undefined ? {} : { until }),
      };
      return deps.store.audit.list(query, { ...(input.pageSize === undefined ? {} : { pageSize: input.pageSize }), pageToken: pageToken ?? null, order });
    },

    async lastAccess(principal, integrationId) {
      assertAuditReader(principal);
      const integration = await deps.store.integrations.get(integrationId);
      if (!integration || !mayRead(principal, integration.environmentId)) throw new NotFoundError(`provider integration "${integrationId.slice(0, MAX_ID)}" was not found`);
      return deps.store.audit.lastAccess(integration.id);
    },
  };
}
