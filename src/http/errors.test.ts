import { describe, expect, it } from "vitest";
import { ConflictError, InputError, NotFoundError, TooManyRequestsError } from "../domain/errors.js";
import { InvalidPageTokenError } from "../store/store.js";
import { errorBody, familyOf, toHttpError } from "./errors.js";

const limits = { bodyLimitBytes: 1024 * 1024 };

describe("the error table", () => {
  it.each<[unknown, number, string]>([
    [new InputError("bad", [{ field: "spec.region", message: "region is wrong" }]), 400, "invalid_input"],
    [new NotFoundError("nope"), 404, "not_found"],
    [new ConflictError("taken"), 409, "conflict"],
    [new TooManyRequestsError("slow down", 30), 429, "too_many_requests"],
    [new InvalidPageTokenError(), 400, "invalid_input"],
    [Object.assign(new Error("x"), { code: "FST_ERR_CTP_BODY_TOO_LARGE", statusCode: 413 }), 413, "payload_too_large"],
    [Object.assign(new Error("x"), { code: "FST_ERR_CTP_INVALID_MEDIA_TYPE", statusCode: 415 }), 415, "unsupported_media_type"],
    [new SyntaxError("Unexpected token"), 400, "invalid_input"],
    [new TypeError("cannot read properties of undefined"), 500, "internal_error"],
  ])("maps %s", (error, status, code) => {
    expect(toHttpError(error, limits)).toMatchObject({ status, code });
  });

  it("renders both families, one v2 error per field with a JSON pointer", () => {
    const error = toHttpError(new InputError("two problems", [{ field: "spec.connect_urls[1]", message: "bad URL" }, { field: "spec.region", message: "bad region" }]), limits);
    expect(errorBody("connect", error, "r1")).toEqual({ error: { code: 400, message: "two problems" }, code: 400, message: "two problems" });
    const v2 = errorBody("v2", error, "r1") as { errors: { status: string; detail: string; source: { pointer: string } }[] };
    expect(v2.errors.map((e) => [e.status, e.detail, e.source.pointer])).toEqual([["400", "bad URL", "/spec/connect_urls/1"], ["400", "bad region", "/spec/region"]]);
  });

  it("hides unexpected errors behind a request id", () => {
    const error = toHttpError(new Error("database password is hunter2"), limits);
    const message = "internal error; the server log has the details under request id req-123";
    expect(errorBody("connect", error, "req-123")).toEqual({ error: { code: 500, message }, error_code: 500, message });
    expect(JSON.stringify(errorBody("connect", error, "req-123"))).not.toContain("hunter2");
  });

  it("gives the Connect API's other statuses only Kafka Connect's nested body", () => {
    expect(errorBody("connect", toHttpError(new NotFoundError("connector \"x\" was not found"), limits), "r1")).toEqual({ error: { code: 404, message: "connector \"x\" was not found" } });
    expect(errorBody("connect", toHttpError(new ConflictError("taken"), limits), "r1")).toEqual({ error: { code: 409, message: "taken" } });
  });

  it("chooses the family by path", () => {
    expect(familyOf("/connect/v1/environments/x")).toBe("connect");
    expect(familyOf("/org/v2/environments")).toBe("v2");
  });
});
