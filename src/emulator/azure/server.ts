/**
 * HTTPS listeners on the loopback interface (and one plain HTTP listener, for
 * the managed identity endpoint) and the small request/response helpers the
 * Entra ID, Key Vault, managed identity and admin handlers share.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

export interface HttpsEndpoint {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 and, when the machine has IPv6 loopback, on [::1] with
 * the same port, so `https://localhost:PORT` works whichever address
 * `localhost` resolves to first. Port 0 picks a free port.
 */
export async function listenHttps(tls: TlsMaterial, port: number, handler: RequestHandler): Promise<HttpsEndpoint> {
  const listener = (request: IncomingMessage, response: ServerResponse): void => {
    handler(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { error: { code: "InternalServerError", message: `The emulator failed: ${(error as Error).message}` } });
      else response.destroy();
    });
  };
  for (let attempt = 0; ; attempt++) {
    const v4 = createServer({ cert: tls.cert, key: tls.key }, listener);
    await listen(v4, port, "127.0.0.1");
    const actualPort = (v4.address() as AddressInfo).port;
    const v6 = createServer({ cert: tls.cert, key: tls.key }, listener);
    const v6Result = await listen(v6, actualPort, "::1").then(() => "ok" as const, (error: unknown) => (error as NodeJS.ErrnoException).code ?? "error");
    if (v6Result === "EADDRINUSE" && port === 0 && attempt < 5) {
      await closeServer(v4);
      continue;
    }
    const servers = v6Result === "ok" ? [v4, v6] : [v4];
    return { port: actualPort, close: async () => { await Promise.all(servers.map(closeServer)); } };
  }
}

/**
 * A plain HTTP listener on 127.0.0.1 only, the way App Service and Container
 * Apps serve their managed identity endpoint; its URL names the address, so
 * how `localhost` resolves does not matter. Port 0 picks a free port.
 */
export async function listenHttp(port: number, handler: RequestHandler): Promise<HttpsEndpoint> {
  const server = createHttpServer((request, response) => {
    handler(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, { statusCode: 500, message: `The emulator failed: ${(error as Error).message}` });
      else response.destroy();
    });
  });
  await listen(server, port, "127.0.0.1");
  return { port: (server.address() as AddressInfo).port, close: () => closeServer(server) };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => { reject(error); };
    server.once("error", onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => { resolve(); });
    server.closeAllConnections();
  });
}

export class RequestBodyTooLarge extends Error {}

/** The request body as text; rejects beyond `limitBytes`. */
export async function readBody(request: IncomingMessage, limitBytes = 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limitBytes) throw new RequestBodyTooLarge(`the request body is larger than ${limitBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** The client's address without the IPv4-mapped prefix, e.g. `127.0.0.1`. */
export function clientAddress(request: IncomingMessage): string {
  const address = request.socket.remoteAddress ?? "";
  return address.startsWith("::ffff:") ? address.slice(7) : address;
}

export function isLoopback(address: string): boolean {
  return address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

/** Path and query of a request; the query keys decoded (the SDK sends `api%2Dversion`). */
export function requestUrl(request: IncomingMessage): URL {
  return new URL(request.url ?? "/", "https://emulator.invalid");
}
