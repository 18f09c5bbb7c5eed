import { describe, expect, it } from "vitest";
import { ApiClient, ApiError, connectionError, errorFromResponse } from "./api-client.js";
import { CliError } from "./cli-error.js";

interface Call { url: string; init: RequestInit }

function fakeFetch(responses: (Response | Error)[]): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl = (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    calls.push({ url: typeof input === "string" ? input : input instanceof URL ? input.href : input.url, init: init ?? {} });
    const next = responses.shift();
    if (next === undefined) return Promise.reject(new Error("no more responses"));
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  };
  return { fetch: fetchImpl, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

async function failure(promise: Promise<unknown>): Promise<CliError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("ApiClient", () => {
  it("sends Basic credentials and JSON, and reads JSON", async () => {
    const { fetch, calls } = fakeFetch([json(201, { id: "env-1" }), new Response(null, { status: 204 })]);
    const client = new ApiClient({ url: "http://h:1/", apiKey: "KEY", apiSecret: "s3cret", fetch });
    expect(await client.post("/org/v2/environments", { display_name: "dev" }, { x: "1", y: undefined })).toEqual({ status: 201, body: { id: "env-1" } });
    expect(calls[0]?.url).toBe("http://h:1/org/v2/environments?x=1");
    const headers = calls[0]?.init.headers as Record<string, string>;
    expect(headers.authorization).toBe(`Basic ${Buffer.from("KEY:s3cret").toString("base64")}`);
    expect(headers["content-type"]).toBe("application/json");
    expect(calls[0]?.init.body).toBe("{\"display_name\":\"dev\"}");
    expect(await client.delete("/org/v2/environments/env-1")).toEqual({ status: 204, body: undefined });
  });

  it("follows page tokens through a v2 list", async () => {
    const { fetch, calls } = fakeFetch([
      json(200, { data: [{ id: "a" }], metadata: { next: "http://public.example.com/org/v2/environments?page_size=100&page_token=T2" } }),
      json(200, { data: [{ id: "b" }], metadata: {} }),
    ]);
    const client = new ApiClient({ url: "http://h:1", apiKey: "K", apiSecret: "S", fetch });
    expect(await client.listAll("/org/v2/environments")).toEqual([{ id: "a" }, { id: "b" }]);
    expect(calls.map((c) => c.url)).toEqual(["http://h:1/org/v2/environments?page_size=100", "http://h:1/org/v2/environments?page_size=100&page_token=T2"]);
  });

  it("rebuilds the v2 error body: every detail on one lowercase line", async () => {
    const body = { errors: [{ detail: "spec.display_name is required", source: { pointer: "/spec/display_name" } }, { detail: "spec.region is required" }] };
    const { fetch } = fakeFetch([json(400, body)]);
    const error = await failure(new ApiClient({ url: "http://h:1", apiKey: "K", apiSecret: "S", fetch }).post("/cmk/v2/clusters", {}));
    if (!(error instanceof ApiError)) throw new Error("expected an ApiError");
    expect(error.message).toBe("spec.display_name is required; spec.region is required");
    expect(error.status).toBe(400);
    expect(error.body).toEqual(body);
  });

  it("rebuilds the connect error body, with the per-key lines as details", () => {
    const message = "Connector configuration is invalid and contains the following 2 error(s):\ndatabase.user: not allowed\ntasks.max: Value must be at least 1\nYou can also find the above list of errors at the endpoint `/connector-plugins/X/config/validate`";
    const error = errorFromResponse(400, JSON.stringify({ error: { code: 400, message } }), null, "http://h:1");
    expect(error.message).toBe("connector configuration is invalid and contains the following 2 error(s):");
    expect(error.details).toEqual(["database.user: not allowed", "tasks.max: Value must be at least 1"]);
  });

  it.each([
    [401, { errors: [{ detail: "invalid API key or secret" }] }, null, "authentication failed: invalid API key or secret", "vaultwire login"],
    [401, { error: { code: 401, message: "missing credentials: send an API key" } }, null, "authentication failed: missing credentials: send an API key", "vaultwire login"],
    [403, { errors: [{ detail: "creating an environment needs an organization-wide API key" }] }, null, "creating an environment needs an organization-wide API key", "organization-wide"],
    [404, { errors: [{ detail: "Kafka cluster \"lkc-1\" was not found" }] }, null, "kafka cluster \"lkc-1\" was not found", undefined],
    [409, { error: { code: 409, message: "Connector X already exists" } }, null, "connector X already exists", undefined],
    [429, { errors: [{ detail: "too many failed authentication attempts" }] }, "42", "too many failed authentication attempts", "Wait 42 s"],
    [500, { error: { code: 500, message: "internal error; the server log has the details under request id r-1" } }, null, "internal error; the server log has the details under request id r-1", "server's log"],
  ])("maps HTTP %i to a message and a suggestion", (status, body, retryAfter, message, suggestion) => {
    const error = errorFromResponse(status, JSON.stringify(body), retryAfter, "http://h:1");
    expect(error.message).toBe(message);
    if (suggestion === undefined) expect(error.suggestions).toEqual([]);
    else expect(error.suggestions.join(" ")).toContain(suggestion);
    expect(error.exitCode).toBe(1);
  });

  it("keeps acronyms capitalised", () => {
    expect(errorFromResponse(404, JSON.stringify({ errors: [{ detail: "API key \"X\" was not found" }] }), null, "u").message).toBe("API key \"X\" was not found");
  });

  it("says when the answer is not from vaultwire", () => {
    expect(errorFromResponse(404, "<html>nope</html>", null, "http://h:1").message).toBe("unexpected answer from http://h:1 (HTTP 404): this does not look like a vaultwire server");
    expect(errorFromResponse(404, JSON.stringify({ hello: "world" }), null, "http://h:1").message).toContain("does not look like a vaultwire server");
    expect(errorFromResponse(502, "Bad Gateway", null, "http://h:1").message).toBe("the server at http://h:1 failed with HTTP 502");
  });

  it("explains connection failures and where to look", async () => {
    const refused = Object.assign(new TypeError("fetch failed"), { cause: Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }) });
    const { fetch } = fakeFetch([refused]);
    const error = await failure(new ApiClient({ url: "http://127.0.0.1:1", apiKey: "K", apiSecret: "do-not-print", fetch }).get("/org/v2/environments"));
    expect(error.message).toBe("couldn't connect to vaultwire at http://127.0.0.1:1: connection refused");
    expect(error.suggestions).toEqual([
      "Check the URL: run \"vaultwire login --url <url>\" or set VAULTWIRE_URL.",
      "Start a server with \"vaultwire server\" if none is running there.",
    ]);
    expect(JSON.stringify(error)).not.toContain("do-not-print");
    expect(connectionError(Object.assign(new Error("t"), { name: "TimeoutError" }), "http://h", 60_000).message).toBe("vaultwire at http://h did not answer within 60 s");
    expect(connectionError(Object.assign(new TypeError("fetch failed"), { cause: { code: "ENOTFOUND" } }), "http://nope", 1).message).toContain(": host not found");
    expect(connectionError(Object.assign(new TypeError("fetch failed"), { cause: new Error("bad port") }), "http://h:1", 1).message).toBe("couldn't connect to vaultwire at http://h:1: bad port");
    expect(connectionError(Object.assign(new TypeError("fetch failed"), { cause: { code: "DEPTH_ZERO_SELF_SIGNED_CERT" } }), "https://h", 1).message).toContain("TLS error DEPTH_ZERO_SELF_SIGNED_CERT");
  });
});
