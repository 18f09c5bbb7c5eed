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
