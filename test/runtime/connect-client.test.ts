// The Kafka Connect client with its real transport against local HTTP servers
// on 127.0.0.1: what a server that is not Connect answers never comes back in
// a message, and a host name is refused when it resolves to a refused address.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createConnectHostPolicy, DEFAULT_CONNECT_HOST_POLICY, type ConnectHostPolicy } from "../../src/domain/connect-host-policy.js";
import { ConnectError, createConnectClient } from "../../src/runtime/kafka-connect/client.js";
import { createGuardedTransport, type ResolveAll } from "../../src/runtime/kafka-connect/guarded-http.js";

const CANARY = "Canary-Answer-1b7e55-never-echoed";

interface LocalServer { url: string; requests: string[]; close(): Promise<void> }

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<LocalServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => { requests.push(`${req.method ?? ""} ${req.url ?? ""}`); handler(req, res); });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => { resolve(); }); }),
  };
}

function policy(...entries: string[]): ConnectHostPolicy {
  const result = createConnectHostPolicy(entries);
  if (!result.ok) throw new Error(result.error);
  return result.value;
}

const LOCAL = policy("127.0.0.1", "localhost", "::1");

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe("Kafka Connect client against servers that are not Connect", () => {
  let html: LocalServer;
  let fakeError: LocalServer;
  let connectLike: LocalServer;
  let huge: LocalServer;
  let redirect: LocalServer;
  beforeAll(async () => {
    html = await serve((_req, res) => { res.writeHead(500, { "content-type": "text/html" }).end(`<html><body><h1>${CANARY}</h1></body></html>`); });
    fakeError = await serve((_req, res) => { res.writeHead(400, { "content-type": "application/json" }).end(JSON.stringify({ message: CANARY, error: CANARY })); });
    connectLike = await serve((_req, res) => { res.writeHead(409, { "content-type": "application/json" }).end(JSON.stringify({ error_code: 409, message: "Connector lcc-1 already exists" })); });
    huge = await serve((_req, res) => { res.writeHead(200, { "content-type": "application/json" }).end(`["${CANARY}${"x".repeat(2_000_000)}"]`); });
    redirect = await serve((_req, res) => { res.writeHead(302, { location: "http://169.254.169.254/latest/meta-data/" }).end(CANARY); });
  });
  afterAll(async () => { await Promise.all([html, fakeError, connectLike, huge, redirect].map((s) => s.close())); });

  it("summarises an HTML error page", async () => {
    const client = createConnectClient({ urls: [html.url], hosts: LOCAL });
    const error = await failure(client.status("lcc-1"));
    expect(error.message).toBe(`${html.url} answered 500 to GET /connectors/lcc-1/status, not Kafka Connect's API`);
    expect(error.kind).toBe("server");
    expect(JSON.stringify({ ...error, message: error.message, stack: error.stack })).not.toContain(CANARY);
  });

  it("summarises JSON that is not Connect's error shape", async () => {
    const error = await failure(createConnectClient({ urls: [fakeError.url], hosts: LOCAL }).putConfig("lcc-1", { a: "b" }));
    expect(error.message).toBe(`${fakeError.url} answered 400 to PUT /connectors/lcc-1/config, not Kafka Connect's API`);
    expect(error.message).not.toContain(CANARY);
  });

  it("keeps Connect's own error message", async () => {
    const error = await failure(createConnectClient({ urls: [connectLike.url], hosts: LOCAL }).pause("lcc-1"));
    expect(error).toMatchObject({ kind: "conflict", status: 409, message: "Kafka Connect answered 409 to PUT /connectors/lcc-1/pause: Connector lcc-1 already exists" });
  });

  it("does not follow a redirect", async () => {
    const error = await failure(createConnectClient({ urls: [redirect.url], hosts: LOCAL }).listNames());
    expect(error.message).toBe(`${redirect.url} answered 302 to GET /connectors, not Kafka Connect's API`);
    expect(redirect.requests).toEqual(["GET /connectors"]);
  });

  it("stops reading an answer that is too large", async () => {
    const client = createConnectClient({ urls: [huge.url], hosts: LOCAL, fetch: createGuardedTransport({ hosts: LOCAL, maxResponseBytes: 64 * 1024 }) });
    const error = await failure(client.listNames());
    expect(error).toMatchObject({ kind: "unreachable", message: `Kafka Connect is not reachable at ${huge.url} (ANSWER_TOO_LARGE)` });
  });
});

describe("Kafka Connect client and the host policy, at request time", () => {
  let connect: LocalServer;
  beforeAll(async () => { connect = await serve((_req, res) => { res.writeHead(200, { "content-type": "application/json" }).end("[]"); }); });
  afterAll(async () => { await connect.close(); });
  const port = () => new URL(connect.url).port;

  it("refuses a loopback URL stored under an older setting, sending nothing", async () => {
    const before = connect.requests.length;
    const error = await failure(createConnectClient({ urls: [connect.url], hosts: DEFAULT_CONNECT_HOST_POLICY }).listNames());
    expect(error.kind).toBe("refused");
    expect(error.message).toContain("127.0.0.1 is a loopback address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS");
    expect(connect.requests.length).toBe(before);
  });

  it("refuses a host name whose DNS answer is a refused address, before connecting", async () => {
    const before = connect.requests.length;
    const asked: string[] = [];
    // connect.example "resolves" to this machine, as a rebinding DNS server would answer.
    const resolve: ResolveAll = (hostname, _options, callback) => { asked.push(hostname); callback(null, [{ address: "127.0.0.1", family: 4 }]); };
    const hosts = DEFAULT_CONNECT_HOST_POLICY;
    const client = createConnectClient({ urls: [`http://connect.example:${port()}`], hosts, fetch: createGuardedTransport({ hosts, resolve }) });
    const error = await failure(client.listNames());
    expect(error.kind).toBe("refused");
    expect(error.message).toBe(`vaultwire will not call Kafka Connect at http://connect.example:${port()} ("connect.example" resolves to a loopback address, which vaultwire refuses unless an operator allows it in VAULTWIRE_ALLOWED_CONNECT_HOSTS (allowedConnectHosts in the config file))`);
    expect(asked).toEqual(["connect.example"]);
    expect(connect.requests.length).toBe(before);
  });

  it("refuses a name when any of its addresses is refused", async () => {
    const resolve: ResolveAll = (_hostname, _options, callback) => { callback(null, [{ address: "10.0.0.1", family: 4 }, { address: "::ffff:169.254.169.254", family: 6 }]); };
    const client = createConnectClient({ urls: [`http://connect.example:${port()}`], hosts: DEFAULT_CONNECT_HOST_POLICY, fetch: createGuardedTransport({ hosts: DEFAULT_CONNECT_HOST_POLICY, resolve }) });
    expect((await failure(client.listNames())).message).toContain("\"connect.example\" resolves to a cloud metadata address");
  });

  it("connects to the address it checked when the list allows it", async () => {
    const before = connect.requests.length;
    const resolve: ResolveAll = (_hostname, _options, callback) => { callback(null, [{ address: "127.0.0.1", family: 4 }]); };
    const hosts = policy("connect.example", "127.0.0.1");
    const client = createConnectClient({ urls: [`http://connect.example:${port()}`], hosts, fetch: createGuardedTransport({ hosts, resolve }) });
    expect(await client.listNames()).toEqual([]);
    expect(connect.requests.length).toBe(before + 1);
  });

  it("checks what localhost really resolves to", async () => {
    const byName = policy("localhost");
    const error = await failure(createConnectClient({ urls: [`http://localhost:${port()}`], hosts: byName }).listNames());
    expect(error.message).toContain("\"localhost\" resolves to a loopback address");
    expect(await createConnectClient({ urls: [`http://localhost:${port()}`], hosts: LOCAL }).listNames()).toEqual([]);
  });
});
