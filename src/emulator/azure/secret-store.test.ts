import { describe, expect, it } from "vitest";
import { EmulatorAdminError } from "./admin-error.js";
import { checkNewSecret, latestVersion, SecretStore } from "./secret-store.js";

function store(): { store: SecretStore; tick: (s: number) => void } {
  let now = 1_700_000_000;
  return { store: new SecretStore(() => now), tick: (s) => { now += s; } };
}

describe("a vault's secret store", () => {
  it("adds versions with 32-hex ids and finds names case-insensitively, keeping the first spelling", () => {
    const { store: s } = store();
    const v1 = s.set("Db-Password", { value: "one" }).version;
    const v2 = s.set("db-password", { value: "two", enabled: false }).version;
    expect(v1.version).toMatch(/^[0-9a-f]{32}$/);
    expect(s.find("DB-PASSWORD")?.version.value).toBe("two");
    expect(s.find("db-password", v1.version.toUpperCase())?.version.value).toBe("one");
    expect(s.find("db-password", "0".repeat(32))).toBeUndefined();
    expect(s.entry("db-password")?.name).toBe("Db-Password");
    expect(latestVersion(s.entry("db-password") ?? { name: "", versions: [] })).toBe(v2);
  });

  it("updates attributes of a version and its updated time", () => {
    const { store: s, tick } = store();
    const { version } = s.set("a", { value: "x", expires: 10 });
    tick(5);
    s.update("a", "", { enabled: false, expires: null, notBefore: 3 });
    expect(version).toMatchObject({ enabled: false, expires: undefined, notBefore: 3, updated: version.created + 5 });
    expect(s.update("missing", undefined, {})).toBeUndefined();
  });

  it("soft-deletes: the name is blocked until recovered or purged", () => {
    const { store: s } = store();
    s.set("a", { value: "x" });
    const deleted = s.delete("A");
    expect(deleted?.scheduledPurgeDate).toBe((deleted?.deletedDate ?? 0) + 7 * 86_400);
    expect(s.find("a")).toBeUndefined();
    expect(() => s.set("a", { value: "y" })).toThrow(EmulatorAdminError);
    expect(s.recover("a")?.name).toBe("a");
    expect(s.find("a")?.version.value).toBe("x");
    s.delete("a");
    expect(s.purge("a")).toBe(true);
    expect(s.set("a", { value: "y" }).version.value).toBe("y");
  });

  it("checks names and values like the service", () => {
    expect(() => { checkNewSecret("ok-Name-1", "v"); }).not.toThrow();
    expect(() => { checkNewSecret("bad_name", "v"); }).toThrow(/invalid/);
    expect(() => { checkNewSecret("x".repeat(128), "v"); }).toThrow(/invalid/);
    expect(() => { checkNewSecret("a", "v".repeat(25 * 1024 + 1)); }).toThrow(/at most/);
  });
});

describe("a vault's secret store with Key Vault's timing", () => {
  function timed(deletionMs: number, purgeMs: number): { store: SecretStore; advance: (ms: number) => void } {
    let nowMs = 1_700_000_000_000;
    return {
      store: new SecretStore(() => Math.floor(nowMs / 1000), { nowMs: () => nowMs, timing: () => ({ deletionMs, purgeMs }) }),
      advance: (ms) => { nowMs += ms; },
    };
  }

  it("is being deleted for the deletion window: not listed, not purgeable, not recoverable, the name blocked", () => {
    const { store: s, advance } = timed(2_000, 0);
    s.set("a", { value: "x" });
    const deleted = s.delete("a");
    expect(deleted?.deletedDate).toBe(1_700_000_000);
    expect(s.state("a")).toBe("deleting");
    expect([s.deleted("a"), s.deletedEntries(), s.recover("a"), s.startPurge("a")]).toEqual([undefined, [], undefined, "being-deleted"]);
    expect(() => s.set("a", { value: "y" })).toThrow(/being deleted/);
    advance(1_999);
    expect(s.state("a")).toBe("deleting");
    advance(1);
    expect(s.state("a")).toBe("deleted");
    expect(s.deletedEntries().map((d) => d.entry.name)).toEqual(["a"]);
    expect(() => s.set("a", { value: "y" })).toThrow(/deleted but recoverable/);
  });

  it("keeps a purged name blocked for the purge window, also for restore", () => {
    const { store: s, advance } = timed(0, 1_500);
    s.set("a", { value: "x" });
    const entry = s.entry("a");
    s.delete("a");
    expect(s.startPurge("a")).toBe("purged");
    expect([s.state("a"), s.deleted("a"), s.startPurge("a")]).toEqual(["purging", undefined, "not-found"]);
    if (!entry) throw new Error("no entry");
    expect(s.restore(entry)).toBe(false);
    expect(() => s.set("a", { value: "y" })).toThrow(/being deleted/);
    advance(1_500);
    expect(s.state("a")).toBe("absent");
    expect(s.restore(entry)).toBe(true);
    expect(s.find("a")?.version.value).toBe("x");
    expect(s.restore(entry)).toBe(false);
  });

  it("recovers every version once the deletion has completed; the admin purge needs no window", () => {
    const { store: s, advance } = timed(1_000, 1_000);
    s.set("a", { value: "one" });
    s.set("a", { value: "two" });
    s.delete("a");
    advance(1_000);
    expect(s.recover("a")?.versions.map((v) => v.value)).toEqual(["one", "two"]);
    s.delete("a");
    expect(s.purge("a")).toBe(true);
    expect(s.state("a")).toBe("absent");
  });
});
