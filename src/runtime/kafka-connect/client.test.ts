import { describe, expect, it } from "vitest";
import { createConnectHostPolicy, DEFAULT_CONNECT_HOST_POLICY } from "../../domain/connect-host-policy.js";
import { ConnectError, createConnectClient } from "./client.js";

function fakeFetch(answers: ((url: string, init: RequestInit) => Response | Promise<Response>)[]): { fetch: typeof fetch; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: (async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      calls.push(`${init?.method ?? "GET"} ${url}`);
      const answer = answers.shift();
      if (!answer) throw new Error("no more answers");
      return answer(url, init ?? {});
    }),
  };
}

const json = (status: number, body: unknown) => () => new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const refused = () => { throw Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } }); };

/** An answer that comes only after the request's own deadline aborts it, as a hanging validate does. */
const hang = (ms: number) => (_url: string, init: RequestInit) => new Promise<Response>((resolve, reject) => {
  const timer = setTimeout(() => { resolve(new Response(JSON.stringify({ configs: [] }), { status: 200 })); }, ms);
  init.signal?.addEventListener("abort", () => { clearTimeout(timer); reject(init.signal?.reason as Error); });
});

describe("Kafka Connect client", () => {
  it("gives validation longer than other calls, and says Connect is slow, not unreachable, when it does not answer", async () => {
    const patient = fakeFetch([hang(150)]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch: patient.fetch, hosts: DEFAULT_CONNECT_HOST_POLICY, timeoutMs: 50, validateTimeoutMs: 1_000 });
    expect(await client.validate("SqlServerCdcSourceV2", {})).toEqual([]);
    const slow = fakeFetch([hang(5_000)]);
    const impatient = createConnectClient({ urls: ["http://w1:8083"], fetch: slow.fetch, hosts: DEFAULT_CONNECT_HOST_POLICY, timeoutMs: 50, validateTimeoutMs: 100 });
    const error = await impatient.validate("SqlServerCdcSourceV2", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ kind: "slow", message: "Kafka Connect at http://w1:8083 is slow: no answer to PUT /connector-plugins/SqlServerCdcSourceV2/config/validate within 100 ms" });
  });

  it("maps answers to results and typed errors", async () => {
    const { fetch, calls } = fakeFetch([json(201, {}), json(200, {}), json(404, { error_code: 404, message: "not found" }), json(400, { error_code: 400, message: "Connector configuration is invalid" })]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    expect(await client.putConfig("lcc-1", { a: "b" })).toEqual({ created: true });
    expect(await client.putConfig("lcc-1", { a: "b" })).toEqual({ created: false });
    expect(await client.status("lcc-1")).toBeNull();
    await expect(client.putConfig("lcc-1", {})).rejects.toMatchObject({ kind: "bad-request", status: 400 });
    expect(calls[0]).toBe("PUT http://w1:8083/connectors/lcc-1/config");
  });

  it("maps Connect's offsets API: read, stop, alter, reset, with Connect's messages and errors", async () => {
    const offsets = [{ partition: { server: "orders" }, offset: { lsn: 42 } }];
    const { fetch, calls } = fakeFetch([
      json(200, { offsets }),
      json(404, { error_code: 404, message: "Connector lcc-9 not found" }),
      json(202, undefined),
      json(200, { message: "The offsets for this connector have been altered successfully" }),
      json(200, { message: "The offsets for this connector have been reset successfully" }),
      json(400, { error_code: 400, message: "Connectors must be in the STOPPED state before their offsets can be modified." }),
      json(200, { offsets: [{ partition: "not an object" }] }),
    ]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    expect(await client.offsets("lcc-1")).toEqual(offsets);
    expect(await client.offsets("lcc-9")).toBeNull();
    await client.stop("lcc-1");
    expect(await client.alterOffsets("lcc-1", offsets)).toBe("The offsets for this connector have been altered successfully");
    expect(await client.resetOffsets("lcc-1")).toBe("The offsets for this connector have been reset successfully");
    await expect(client.alterOffsets("lcc-1", offsets)).rejects.toMatchObject({ kind: "bad-request", message: expect.stringContaining("must be in the STOPPED state") as string });
    await expect(client.offsets("lcc-1")).rejects.toMatchObject({ message: "http://w1:8083 answered 200 to GET /connectors/lcc-1/offsets, not Kafka Connect's API" });
    expect(calls).toEqual([
      "GET http://w1:8083/connectors/lcc-1/offsets",
      "GET http://w1:8083/connectors/lcc-9/offsets",
      "PUT http://w1:8083/connectors/lcc-1/stop",
      "PATCH http://w1:8083/connectors/lcc-1/offsets",
      "DELETE http://w1:8083/connectors/lcc-1/offsets",
      "PATCH http://w1:8083/connectors/lcc-1/offsets",
      "GET http://w1:8083/connectors/lcc-1/offsets",
    ]);
  });

  it("retries only a rebalance 409, within the deadline", async () => {
    const { fetch, calls } = fakeFetch([json(409, { error_code: 409, message: "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change) or rebalance in progress" }), json(204, undefined), json(409, { error_code: 409, message: "Connector lcc-1 already exists" })]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    await client.restart("lcc-1", { includeTasks: true, onlyFailed: false });
    expect(calls).toEqual(["POST http://w1:8083/connectors/lcc-1/restart?includeTasks=true&onlyFailed=false", "POST http://w1:8083/connectors/lcc-1/restart?includeTasks=true&onlyFailed=false"]);
    await expect(client.pause("lcc-1")).rejects.toMatchObject({ kind: "conflict" });
  });

  it("tries the next worker when one cannot be reached, and says which when none can", async () => {
    const { fetch, calls } = fakeFetch([refused, json(200, ["lcc-1"]), json(200, [])]);
    const client = createConnectClient({ urls: ["http://w1:8083", "http://w2:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    expect(await client.listNames()).toEqual(["lcc-1"]);
    expect(await client.listNames()).toEqual([]);
    expect(calls).toEqual(["GET http://w1:8083/connectors", "GET http://w2:8083/connectors", "GET http://w2:8083/connectors"]);
    const down = createConnectClient({ urls: ["http://w1:8083"], fetch: fakeFetch([refused]).fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    const error = await down.listNames().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).message).toBe("Kafka Connect is not reachable at http://w1:8083 (ECONNREFUSED)");
    expect(await createConnectClient({ urls: ["http://w1:8083"], fetch: fakeFetch([refused]).fetch, hosts: DEFAULT_CONNECT_HOST_POLICY }).health()).toBe(false);
  });

  it("treats a missing connector as null or false", async () => {
    const { fetch } = fakeFetch([json(404, {}), json(404, {}), json(204, undefined)]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    expect(await client.getConfig("x")).toBeNull();
    expect(await client.delete("x")).toBe(false);
    expect(await client.delete("x")).toBe(true);
  });
});

const CANARY = "Canary-Body-7f3a91-do-not-echo";
const answer = (status: number, body: string, contentType = "text/html") => () => new Response(body, { status, headers: { "content-type": contentType } });

describe("Kafka Connect client, answers that are not Connect's", () => {
  it.each([
    ["a 500 page", answer(500, `<html><body>${CANARY}</body></html>`), "http://w1:8083 answered 500 to GET /connectors, not Kafka Connect's API", "server"],
    ["a 404 page", answer(404, CANARY, "text/plain"), "http://w1:8083 answered 404 to GET /connectors, not Kafka Connect's API", "unexpected"],
    ["a 200 page", answer(200, CANARY), "http://w1:8083 answered 200 to GET /connectors, not Kafka Connect's API", "unexpected"],
    ["JSON without Connect's error shape", json(400, { message: CANARY }), "http://w1:8083 answered 400 to GET /connectors, not Kafka Connect's API", "unexpected"],
    ["JSON with a non-numeric error_code", json(500, { error_code: "x", message: CANARY }), "http://w1:8083 answered 500 to GET /connectors, not Kafka Connect's API", "server"],
    ["a 200 JSON object instead of a list", json(200, { names: [CANARY] }), "http://w1:8083 answered 200 to GET /connectors, not Kafka Connect's API", "unexpected"],
  ])("summarises %s without quoting it", async (_label, reply, message, kind) => {
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch: fakeFetch([reply]).fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    const error = await client.listNames().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error).toMatchObject({ message, kind });
    expect(JSON.stringify(error)).not.toContain(CANARY);
  });

  it("checks the shape of status, config and validation answers", async () => {
    const { fetch } = fakeFetch([json(200, { trace: CANARY }), json(200, { a: 1, b: CANARY }), json(200, { error: CANARY }), json(200, [CANARY])]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    const errors = [
      await client.status("lcc-1").catch((e: unknown) => e),
      await client.getConfig("lcc-1").catch((e: unknown) => e),
      await client.validate("io.debezium.connector.postgresql.PostgresConnector", {}).catch((e: unknown) => e),
      await client.status("lcc-1").catch((e: unknown) => e),
    ];
    expect(errors.map((e) => (e as Error).message)).toEqual([
      "http://w1:8083 answered 200 to GET /connectors/lcc-1/status, not Kafka Connect's API",
      "http://w1:8083 answered 200 to GET /connectors/lcc-1/config, not Kafka Connect's API",
      "http://w1:8083 answered 200 to PUT /connector-plugins/PostgresConnector/config/validate, not Kafka Connect's API",
      "http://w1:8083 answered 200 to GET /connectors/lcc-1/status, not Kafka Connect's API",
    ]);
  });

  it("reads every connector's config and status in one request, and checks that answer's shape", async () => {
    const status = { name: "lcc-1", connector: { state: "RUNNING", worker_id: "w:8083" }, tasks: [{ id: 0, state: "RUNNING", worker_id: "w:8083" }], type: "source" };
    const info = { name: "lcc-1", config: { "connector.class": "X", name: "lcc-1" }, tasks: [{ connector: "lcc-1", task: 0 }], type: "source" };
    const { fetch, calls } = fakeFetch([
      // lcc-2 was removed while Connect built the answer: it has no expansions.
      json(200, { "lcc-1": { info, status }, "lcc-2": {} }),
      json(200, [CANARY]),
      json(200, { "lcc-1": { info, status: { trace: CANARY } } }),
      json(200, { "lcc-1": { info: { name: "lcc-1", config: { a: 1, b: CANARY }, tasks: [] }, status } }),
      json(200, { "lcc-1": CANARY }),
    ]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    const listed = await client.listExpanded();
    expect([...listed.keys()]).toEqual(["lcc-1"]);
    expect(listed.get("lcc-1")).toEqual({ info, status });
    expect(calls).toEqual(["GET http://w1:8083/connectors?expand=status&expand=info"]);
    for (let i = 0; i < 4; i++) {
      const error = await client.listExpanded().catch((e: unknown) => e);
      expect(error).toMatchObject({ kind: "unexpected", message: "http://w1:8083 answered 200 to GET /connectors?expand=status&expand=info, not Kafka Connect's API" });
      expect(JSON.stringify(error)).not.toContain(CANARY);
    }
  });

  it("still gives Connect's own error message and status", async () => {
    const { fetch } = fakeFetch([json(400, { error_code: 400, message: "Connector configuration is invalid and contains the following 1 error(s)" })]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    await expect(client.putConfig("lcc-1", {})).rejects.toMatchObject({ kind: "bad-request", message: "Kafka Connect answered 400 to PUT /connectors/lcc-1/config: Connector configuration is invalid and contains the following 1 error(s)" });
  });
});

describe("Kafka Connect client, host policy", () => {
  it("refuses, before any request, a URL the policy refuses (one stored under an older setting too)", async () => {
    const { fetch, calls } = fakeFetch([json(200, [])]);
    const client = createConnectClient({ urls: ["http://127.0.0.1:8083", "http://169.254.169.254"], fetch, hosts: DEFAULT_CONNECT_HOST_POLICY });
    const error = await client.listNames().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: "refused", status: null });
    expect((error as Error).message).toBe("vaultwire will not call Kafka Connect at http://127.0.0.1:8083 (127.0.0.1 is a loopback address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file)); http://169.254.169.254 (169.254.169.254 is a cloud metadata address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file))");
    expect(calls).toEqual([]);
    expect(await client.health()).toBe(false);
  });

  it("skips a refused worker for one that is allowed", async () => {
    const hosts = createConnectHostPolicy(["connect-2.internal"]);
    if (!hosts.ok) throw new Error(hosts.error);
    const { fetch, calls } = fakeFetch([json(200, ["lcc-1"])]);
    const client = createConnectClient({ urls: ["http://connect-1.internal:8083", "http://connect-2.internal:8083"], fetch, hosts: hosts.value });
    expect(await client.listNames()).toEqual(["lcc-1"]);
    expect(calls).toEqual(["GET http://connect-2.internal:8083/connectors"]);
  });
});
