import { describe, expect, it } from "vitest";
import type { AuditRecord } from "../domain/audit.js";
import type { Store } from "../store/store.js";
import { createAuditService, createAuditTrail, type AuditWriteReport } from "./audit-trail.js";
import type { Principal } from "./principal.js";

function fakeStore(options: { failAppend?: () => boolean } = {}) {
  const appended: AuditRecord[][] = [];
  const pruned: string[] = [];
  const store = {
    audit: {
      append(events: readonly AuditRecord[]) {
        if (options.failAppend?.() === true) return Promise.reject(new Error("database is down"));
        appended.push([...events]);
        return Promise.resolve();
      },
      list: () => Promise.resolve({ items: [], nextPageToken: null }),
      lastAccess: () => Promise.resolve([]),
      prune(before: string) {
        pruned.push(before);
        return Promise.resolve(2);
      },
    },
    clusters: { get: (id: string) => Promise.resolve(id === "lkc-known" ? { environmentId: "env-known" } : undefined) },
  } as unknown as Pick<Store, "audit" | "clusters">;
  return { store, appended, pruned };
}

describe("audit trail writer", () => {
  it("queues without waiting, writes in batches, fills defaults and the environment of a named cluster", async () => {
    const { store, appended } = fakeStore();
    const reports: AuditWriteReport[] = [];
    const trail = createAuditTrail({ store, retentionDays: 90, batchSize: 2, warn: () => undefined, onWrite: (r) => { reports.push(r); }, now: () => new Date("2026-01-01T00:00:00.000Z") });
    trail.record({ type: "secret.access.refused", outcome: "denied", clusterId: "lkc-known", reason: "refused_credential" });
    trail.record({ type: "secret.access.refused", outcome: "denied", clusterId: "lkc-unknown" });
    trail.record({ type: "rotation.detected", outcome: "restart-requested", environmentId: "env-x" });
    await trail.flush();
    expect(appended.map((b) => b.length)).toEqual([2, 1]);
    expect(appended.flat().map((e) => e.environmentId)).toEqual(["env-known", null, "env-x"]);
    expect(appended[0]?.[0]).toMatchObject({ at: "2026-01-01T00:00:00.000Z", keys: [], versions: {}, secrets: {}, workerCredentialId: null, reason: "refused_credential" });
    expect(reports.reduce((n, r) => n + r.written, 0)).toBe(3);
  });

  it("a failed write is logged and counted, never thrown; a full queue drops and counts", async () => {
    let failing = true;
    const { store, appended } = fakeStore({ failAppend: () => failing });
    const warnings: string[] = [];
    const reports: AuditWriteReport[] = [];
    const trail = createAuditTrail({ store, retentionDays: 90, maxQueued: 2, warn: (_d, m) => { warnings.push(m); }, onWrite: (r) => { reports.push(r); } });
    expect(() => { trail.record({ type: "secret.access", outcome: "granted" }); }).not.toThrow();
    await trail.flush();
    expect(warnings).toEqual(["audit events could not be written; they are lost"]);
    failing = false;
    for (let i = 0; i < 5; i++) trail.record({ type: "secret.access", outcome: "granted" });
    await trail.flush();
    expect(appended.flat()).toHaveLength(2);
    expect(reports.reduce((n, r) => n + r.failed, 0)).toBe(1);
    expect(reports.reduce((n, r) => n + r.dropped, 0)).toBe(3);
  });

  it("prunes what is older than the retention", async () => {
    const { store, pruned } = fakeStore();
    const trail = createAuditTrail({ store, retentionDays: 7, warn: () => undefined, now: () => new Date("2026-01-08T00:00:00.000Z") });
    expect(await trail.prune()).toBe(2);
    expect(pruned).toEqual(["2026-01-01T00:00:00.000Z"]);
  });
});

describe("audit queries", () => {
  const org: Principal = { keyId: "k", serviceAccountId: "sa-1", grants: [{ role: "Operator", scope: { kind: "organization" } }] };
  const developer: Principal = { keyId: "k", serviceAccountId: "sa-2", grants: [{ role: "DeveloperManage", scope: { kind: "environment", environmentId: "env-a" } }] };
  const operator: Principal = { keyId: "k", serviceAccountId: "sa-3", grants: [{ role: "Operator", scope: { kind: "environment", environmentId: "env-a" } }] };
  const { store } = fakeStore();
  const service = createAuditService({ store: { ...store, integrations: { get: () => Promise.resolve(undefined) } } as unknown as Pick<Store, "audit" | "integrations"> });

  it("names every bad parameter and what it expects", async () => {
    const failure = await service.list(org, { since: "yesterday", until: "2026-13-01T00:00:00Z", type: "secret.access,secret.read", order: "newest", pageToken: "1_x" }).catch((e: unknown) => e);
    expect((failure as { problems: { field: string }[] }).problems.map((p) => p.field)).toEqual(["since", "until", "type", "order", "page_token"]);
    expect((failure as Error).message).toContain("since must be an RFC 3339 date-time");
    expect((failure as Error).message).toContain("got \"secret.read\"");
    // An empty range is no error: it has no events.
    await expect(service.list(org, { since: "2026-01-02T00:00:00Z", until: "2026-01-01T00:00:00Z" })).resolves.toEqual({ items: [], nextPageToken: null });
  });

  it("refuses DeveloperManage keys and hides other environments", async () => {
    await expect(service.list(developer, {})).rejects.toThrow("needs the OrganizationAdmin, EnvironmentAdmin or Operator role");
    await expect(service.list(operator, { environment: "env-b" })).rejects.toThrow("environment \"env-b\" was not found");
    await expect(service.lastAccess(org, "cspi-missing")).rejects.toThrow("provider integration \"cspi-missing\" was not found");
  });
});
