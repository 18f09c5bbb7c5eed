import { describe, expect, it } from "vitest";
import { routeOf } from "./key-vault.js";

const op = (method: string, path: string): unknown => {
  const route = routeOf(method, path);
  return "operation" in route ? [route.operation, route.secretName, route.version] : route.code;
};

describe("Key Vault routes", () => {
  it("map the SDK's paths to operations", () => {
    expect(op("GET", "/secrets")).toEqual(["list", undefined, undefined]);
    expect(op("GET", "/secrets/db/")).toEqual(["get", "db", undefined]);
    expect(op("GET", "/secrets/db")).toEqual(["get", "db", undefined]);
    expect(op("GET", "/secrets/db/0123")).toEqual(["get", "db", "0123"]);
    expect(op("GET", "/secrets/db/versions")).toEqual(["versions", "db", undefined]);
    expect(op("PUT", "/secrets/db")).toEqual(["set", "db", undefined]);
    expect(op("PATCH", "/secrets/db/")).toEqual(["update", "db", undefined]);
    expect(op("PATCH", "/secrets/db/0123")).toEqual(["update", "db", "0123"]);
    expect(op("DELETE", "/secrets/db")).toEqual(["delete", "db", undefined]);
    expect(op("GET", "/deletedsecrets/db")).toEqual(["getDeleted", "db", undefined]);
    expect(op("DELETE", "/deletedsecrets/db")).toEqual(["purge", "db", undefined]);
    expect(op("POST", "/deletedsecrets/db/recover")).toEqual(["recover", "db", undefined]);
    expect(op("GET", "/deletedsecrets")).toEqual(["listDeleted", undefined, undefined]);
    expect(op("POST", "/secrets/db/backup")).toEqual(["backup", "db", undefined]);
    expect(op("POST", "/secrets/restore")).toEqual(["restore", undefined, undefined]);
    expect(op("GET", "/secrets/restore")).toEqual(["get", "restore", undefined]);
    expect(op("GET", "/secrets/db/backup")).toEqual(["get", "db", "backup"]);
  });

  it("refuse what the API does not have", () => {
    expect(op("GET", "/keys/k")).toBe("NotFound");
    expect(op("GET", "/secrets/db/v/x")).toBe("NotFound");
    expect(op("POST", "/secrets/db")).toBe("MethodNotAllowed");
    expect(op("DELETE", "/secrets/db/0123")).toBe("MethodNotAllowed");
    expect(op("DELETE", "/deletedsecrets")).toBe("MethodNotAllowed");
    expect(op("GET", "/deletedsecrets/db/recover")).toBe("NotFound");
  });
});
