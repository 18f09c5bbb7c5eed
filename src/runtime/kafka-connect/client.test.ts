import { describe, expect, it } from "vitest";
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

describe("Kafka Connect client", () => {
  it("maps answers to results and typed errors", async () => {
    const { fetch, calls } = fakeFetch([json(201, {}), json(200, {}), json(404, { error_code: 404, message: "not found" }), json(400, { error_code: 400, message: "Connector configuration is invalid" })]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch });
    expect(await client.putConfig("lcc-1", { a: "b" })).toEqual({ created: true });
    expect(await client.putConfig("lcc-1", { a: "b" })).toEqual({ created: false });
    expect(await client.status("lcc-1")).toBeNull();
    await expect(client.putConfig("lcc-1", {})).rejects.toMatchObject({ kind: "bad-request", status: 400 });
    expect(calls[0]).toBe("PUT http://w1:8083/connectors/lcc-1/config");
  });

  it("retries only a rebalance 409, within the deadline", async () => {
    const { fetch, calls } = fakeFetch([json(409, { message: "Cannot complete request momentarily due to stale configuration (typically caused by a concurrent config change) or rebalance in progress" }), json(204, undefined), json(409, { message: "Connector lcc-1 already exists" })]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch });
    await client.restart("lcc-1", { includeTasks: true, onlyFailed: false });
    expect(calls).toEqual(["POST http://w1:8083/connectors/lcc-1/restart?includeTasks=true&onlyFailed=false", "POST http://w1:8083/connectors/lcc-1/restart?includeTasks=true&onlyFailed=false"]);
    await expect(client.pause("lcc-1")).rejects.toMatchObject({ kind: "conflict" });
  });

  it("tries the next worker when one cannot be reached, and says which when none can", async () => {
    const { fetch, calls } = fakeFetch([refused, json(200, ["lcc-1"]), json(200, [])]);
    const client = createConnectClient({ urls: ["http://w1:8083", "http://w2:8083"], fetch });
    expect(await client.listNames()).toEqual(["lcc-1"]);
    expect(await client.listNames()).toEqual([]);
    expect(calls).toEqual(["GET http://w1:8083/connectors", "GET http://w2:8083/connectors", "GET http://w2:8083/connectors"]);
    const down = createConnectClient({ urls: ["http://w1:8083"], fetch: fakeFetch([refused]).fetch });
    const error = await down.listNames().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).message).toBe("Kafka Connect is not reachable at http://w1:8083 (ECONNREFUSED)");
    expect(await createConnectClient({ urls: ["http://w1:8083"], fetch: fakeFetch([refused]).fetch }).health()).toBe(false);
  });

  it("treats a missing connector as null or false", async () => {
    const { fetch } = fakeFetch([json(404, {}), json(404, {}), json(204, undefined)]);
    const client = createConnectClient({ urls: ["http://w1:8083"], fetch });
    expect(await client.getConfig("x")).toBeNull();
    expect(await client.delete("x")).toBe(false);
    expect(await client.delete("x")).toBe(true);
  });
});
