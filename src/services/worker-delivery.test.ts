import { describe, expect, it } from "vitest";
import { TooManyRequestsError } from "../domain/errors.js";
import type { Connector } from "../domain/resources.js";
import { SecretValue } from "../secret-managers/secret-value.js";
import type { AuditInput } from "./audit-trail.js";
import type { SecretDelivery } from "./secret-delivery.js";
import { createWorkerDelivery, type WorkerDeliveryDependencies, type WorkerDeliveryReport } from "./worker-delivery.js";

const connector = { id: "lcc-1", name: "orders", clusterId: "lkc-1", environmentId: "env-1", integrationId: "cspi-1" } as Connector;

function setup(overrides: Partial<WorkerDeliveryDependencies> = {}, resolveErrors: { key: string; message: string; transient: boolean }[] = []) {
  const reports: WorkerDeliveryReport[] = [];
  const audits: string[] = [];
  const delivery = {
    secretKeys: () => ({ managed: ["database.password", "database.user"], plaintext: [] }),
    resolve: () => Promise.resolve({ values: new Map([["database.password", new SecretValue("pw-canary")]]), versions: new Map([["database.password", "v1"]]), references: new Map([["database.password", "https://v.vault.azure.net/secrets/db"]]), errors: resolveErrors }),
  } as unknown as SecretDelivery;
  const service = createWorkerDelivery({
    store: { connectors: { get: (id: string) => Promise.resolve(id === connector.id ? connector : undefined) } } as unknown as WorkerDeliveryDependencies["store"],
    credentials: { verify: (_cluster: string, token: string | undefined) => Promise.resolve(token === "good" ? { id: "wcr-1", clusterId: "lkc-1" } : null) } as unknown as WorkerDeliveryDependencies["credentials"],
    delivery,
    limiter: { check: () => undefined, fail: () => undefined, succeed: () => undefined },
    audit: (event) => { audits.push(event.outcome); },
    onOutcome: (report) => { reports.push(report); },
    ...overrides,
  });
  const ask = (token: string | undefined, keys = "database.password", connectorId = "lcc-1") => service.deliver({ clusterId: "lkc-1", connectorId, keys, token, remote: "198.51.100.1" }).then(() => "ok", () => "refused");
  return { ask, reports, audits };
}

describe("worker delivery outcomes", () => {
  it("reports one id-free outcome per request, next to its audit line", async () => {
    const { ask, reports, audits } = setup();
    expect(await ask("good")).toBe("ok");
    expect(await ask("bad")).toBe("refused");
    expect(await ask(undefined)).toBe("refused");
    expect(await ask("good", "")).toBe("refused");
    expect(await ask("good", "database.password", "lcc-nope")).toBe("refused");
    expect(await ask("good", "database.hostname")).toBe("refused");
    expect(reports.map((r) => r.outcome)).toEqual(["served", "refused_credential", "no_credential", "bad_keys", "unknown_connector", "not_secret"]);
    expect(audits).toHaveLength(6);
    expect(JSON.stringify(reports)).not.toMatch(/lcc-|wcr-|database|canary/);
  });

  it("reports a lock-out, and the failed secret lookups by kind", async () => {
    const locked = setup({ limiter: { check: () => { throw new TooManyRequestsError("locked", 60); }, fail: () => undefined, succeed: () => undefined } });
    expect(await locked.ask("good")).toBe("refused");
    expect(locked.reports).toEqual([{ outcome: "locked_out", failedLookups: [] }]);
    const failing = setup({}, [{ key: "database.password", message: "secret \"db\" was not found", transient: false }, { key: "database.user", message: "throttled", transient: true }]);
    expect(await failing.ask("good", "database.password,database.user")).toBe("refused");
    expect(failing.reports).toEqual([{ outcome: "secret_error", failedLookups: [{ transient: false }, { transient: true }] }]);
    expect(failing.audits).toEqual(["failed"]);
  });

  it("reports an unexpected failure once, and a throwing callback changes nothing for the worker", async () => {
    const broken = setup({ store: { connectors: { get: () => Promise.reject(new Error("database down")) } } as unknown as WorkerDeliveryDependencies["store"] });
    expect(await broken.ask("good")).toBe("refused");
    expect(broken.reports.map((r) => r.outcome)).toEqual(["internal_error"]);
    const throwing = setup({ onOutcome: () => { throw new Error("metrics broke"); } });
    expect(await throwing.ask("good")).toBe("ok");
  });

  it("records every answer and refusal in the audit trail, with keys, versions and references, never a value", async () => {
    const records: AuditInput[] = [];
    const { ask } = setup({ trail: { record: (event) => { records.push(event); } } });
    await ask("good");
    await ask("bad");
    await ask("good", "database.password", "lcc-nope");
    expect(records.map((r) => [r.type, r.outcome, r.reason])).toEqual([
      ["secret.access", "granted", null],
      ["secret.access.refused", "denied", "refused_credential"],
      ["secret.access.refused", "denied", "unknown_connector"],
    ]);
    expect(records[0]).toMatchObject({ environmentId: "env-1", clusterId: "lkc-1", connectorId: "lcc-1", connectorName: "orders", integrationId: "cspi-1", keys: ["database.password"], versions: { "database.password": "v1" }, secrets: { "database.password": "https://v.vault.azure.net/secrets/db" }, workerCredentialId: "wcr-1", remoteAddress: "198.51.100.1" });
    // Before the connector is known to be the cluster's, the trail resolves the environment from the cluster.
    expect(records[2]).toMatchObject({ environmentId: null, connectorId: "lcc-nope", connectorName: null, workerCredentialId: "wcr-1" });
    expect(JSON.stringify(records)).not.toContain("pw-canary");
  });
});
