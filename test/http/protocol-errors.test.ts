// What Fastify and Node answer on their own — malformed URLs, over-long URLs
// and headers, bodies that are not JSON, methods a path does not support —
// answers in the API's error shape for the path's family, with the status
// the OpenAPI document declares.
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzureFixture, startTestServer, storeTargets, type ApiResponse, type AzureFixture, type TestServer } from "./harness.js";

interface V2Error { errors: { id: string; status: string; code: string; title: string; detail: string }[] }
interface ConnectError { error: { code: number; message: string } }

let azure: AzureFixture;
beforeAll(async () => { azure = await startAzureFixture(); });
afterAll(async () => { await azure.close(); });

const CONNECTORS = "/connect/v1/environments/env-x/clusters/lkc-x/connectors";
const ADMIN_BASIC = `Basic ${Buffer.from("ADMINTESTKEY0001:admin-test-secret-0123456789abcdef").toString("base64")}`;

function expectV2(response: { status: number; body: unknown; headers: Headers | Record<string, string> }, status: number, code: string): V2Error["errors"][number] {
  expect(response.status).toBe(status);
  const contentType = response.headers instanceof Headers ? response.headers.get("content-type") : response.headers["content-type"];
  expect(contentType).toContain("application/json");
  const body = response.body as V2Error;
  expect(body.errors).toHaveLength(1);
  expect(body.errors[0]).toMatchObject({ status: String(status), code });
  expect(Object.keys(body).sort()).toEqual(["errors"]);
  return body.errors[0] as V2Error["errors"][number];
}

function expectConnect(response: { status: number; body: unknown }, status: number): string {
  expect(response.status).toBe(status);
  const message = (response.body as { error?: { message?: unknown } }).error?.message;
  expect(message).toEqual(expect.any(String));
  // A 400 and a 500 also carry the top-level fields Confluent's SDK decodes (http/errors.ts connectErrorBody).
  const extra = status === 400 ? { code: status, message } : status === 500 ? { error_code: status, message } : {};
  expect(response.body).toEqual({ error: { code: status, message }, ...extra });
  return (response.body as ConnectError).error.message;
}

describe.each(storeTargets().slice(0, 1))("protocol errors ($name)", (target) => {
  let server: TestServer;
  beforeAll(async () => { server = await startTestServer(target, azure); });
  afterAll(async () => { await server.close(); });

  /** One request written byte for byte (fetch would fix or refuse what these tests send). */
  function raw(request: string): Promise<{ status: number; headers: Record<string, string>; body: unknown }> {
    const url = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(url.port), url.hostname);
      const chunks: Buffer[] = [];
      socket.on("data", (chunk) => chunks.push(chunk));
      socket.on("error", reject);
      socket.on("close", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const [head = "", ...rest] = text.split("\r\n\r\n");
        const [statusLine = "", ...headerLines] = head.split("\r\n");
        const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
        const bodyText = rest.join("\r\n\r\n");
        resolve({ status: Number(statusLine.split(" ")[1]), headers, body: bodyText === "" ? undefined : JSON.parse(bodyText) as unknown });
      });
      socket.end(request);
    });
  }

  describe("malformed URLs", () => {
    it("bad percent-encoding → 400 in the v2 shape", async () => {
      const detail = expectV2(await raw(`GET /org/v2/environments/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: ${ADMIN_BASIC}\r\nConnection: close\r\n\r\n`), 400, "invalid_input").detail;
      expect(detail).toContain("malformed");
    });

    it("bad percent-encoding under /connect → 400 in the Connect shape", async () => {
      expectConnect(await raw(`DELETE /connect/v1/environments/%ZZ/clusters/lkc-x/connectors/a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`), 400);
    });

    it("a request that is not HTTP → 400 in the v2 shape", async () => {
      expectV2(await raw("FOO /org/v2/environments HTTP/1.1\r\nHost: x\r\n\r\n"), 400, "invalid_input");
    });
  });

  describe("too long", () => {
    it("a URL over 8192 characters → 414", async () => {
      const detail = expectV2(await server.api("GET", `/org/v2/environments?page_token=${"a".repeat(9000)}`), 414, "uri_too_long").detail;
      expect(detail).toContain("8192");
    });

    it("a URL over Node's 16 KiB header limit → 414, in the family's shape", async () => {
      const response = await raw(`GET ${CONNECTORS}?x=${"a".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`);
      expect(expectConnect(response, 414)).toContain("URL is longer than 8192");
    });

    it("a path segment over 4096 characters → 414", async () => {
      expectV2(await server.api("DELETE", `/org/v2/environments/env-${"a".repeat(4100)}`), 414, "uri_too_long");
      expectConnect(await server.api("PUT", `/connect/v1/environments/${"e".repeat(4100)}/clusters/lkc-x/connectors/a/config`, {}), 414);
    });

    it("header fields over 16 KiB → 431", async () => {
      const response = await raw(`GET /org/v2/environments HTTP/1.1\r\nHost: x\r\nX-Padding: ${"p".repeat(20_000)}\r\n\r\n`);
      expectV2(response, 431, "request_header_fields_too_large");
    });
  });

  describe("bodies", () => {
    it("malformed JSON → 400", async () => {
      const response = await server.api("POST", "/org/v2/environments", undefined, { rawBody: "{\"display_name\": ", headers: { "content-type": "application/json" } });
      expect(expectV2(response, 400, "invalid_input").detail).toBe("the request body is not valid JSON");
      expectConnect(await server.api("POST", CONNECTORS, undefined, { rawBody: "[1,", headers: { "content-type": "application/json" } }), 400);
    });

    it.each([
      ["text/plain", "dev"],
      ["application/x-www-form-urlencoded", "display_name=dev"],
      ["application/xml", "<environment/>"],
    ])("Content-Type %s → 415", async (contentType, rawBody) => {
      const response = await server.api("POST", "/org/v2/environments", undefined, { rawBody, headers: { "content-type": contentType } });
      expect(expectV2(response, 415, "unsupported_media_type").detail).toContain("application/json");
    });

    it("a body without Content-Type → 415", async () => {
      const response = await raw(`POST /org/v2/environments HTTP/1.1\r\nHost: x\r\nAuthorization: ${ADMIN_BASIC}\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`);
      expectV2(response, 415, "unsupported_media_type");
    });

    it("a body over 1 MiB → 413", async () => {
      const rawBody = JSON.stringify({ display_name: "x".repeat(1024 * 1024 + 1) });
      expect(expectV2(await server.api("POST", "/org/v2/environments", undefined, { rawBody, headers: { "content-type": "application/json" } }), 413, "payload_too_large").detail).toContain("1024 KiB");
      expectConnect(await server.api("POST", CONNECTORS, undefined, { rawBody, headers: { "content-type": "application/json" } }), 413);
    });
  });

  describe("methods", () => {
    const expect405 = (response: ApiResponse, allow: string) => {
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe(allow);
    };

    it.each([
      ["PUT", "/org/v2/environments", "GET, HEAD, POST"],
      ["POST", "/org/v2/environments/env-abc", "DELETE, GET, HEAD, PATCH"],
      ["DELETE", "/iam/v2/api-keys", "GET, HEAD, POST"],
      ["GET", "/pim/v2/integrations:validate", "POST"],
      ["OPTIONS", "/cmk/v2/clusters/lkc-abc/worker-config", "GET, HEAD, POST"],
    ])("%s %s → 405 with Allow: %s, in the v2 shape", async (method, path, allow) => {
      const response = await server.api(method, path);
      expect405(response, allow);
      expect(expectV2(response, 405, "method_not_allowed").detail).toBe(`method ${method} is not allowed here; allowed: ${allow}`);
    });

    it("under /connect → 405 in the Connect shape", async () => {
      const response = await server.api("PATCH", `${CONNECTORS}/orders/config`, {});
      expect405(response, "GET, HEAD, PUT");
      expectConnect(response, 405);
      expect405(await server.api("GET", `${CONNECTORS}/orders/restart`), "POST");
    });

    it("QUERY without Content-Type is a 405 too, not a complaint about its body", async () => {
      const response = await server.api("QUERY", "/org/v2/environments/env-abc");
      expect405(response, "DELETE, GET, HEAD, PATCH");
    });

    it("authentication comes first: without credentials a 405 is a 401", async () => {
      const response = await server.api("PUT", "/org/v2/environments", undefined, { auth: null });
      expect(response.status).toBe(401);
      expect(response.headers.get("allow")).toBeNull();
    });

    it("a path no method serves stays 404", async () => {
      expectV2(await server.api("POST", "/org/v2/nothing"), 404, "not_found");
      expectV2(await server.api("GET", "/iam/v2/api-keys/a/b"), 404, "not_found");
      expectConnect(await server.api("PUT", `${CONNECTORS}/a/b/c`), 404);
    });
  });
});
