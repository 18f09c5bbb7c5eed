/**
 * The HTTP transport of the Kafka Connect client: node:http(s) with a DNS
 * lookup that refuses, before connecting, a host name resolving to an address
 * the Connect host policy refuses (a URL's IP literal is checked by the client
 * before the request). The connection then goes to the very address that was
 * checked, so a second DNS answer cannot differ. Redirects are not followed and
 * answers are read up to a size limit.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { checkResolvedAddress, type ConnectHostPolicy } from "../../domain/connect-host-policy.js";

export interface ConnectRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal: AbortSignal;
}

/** The part of a fetch `Response` the client reads. */
export interface ConnectResponse {
  readonly status: number;
  text(): Promise<string>;
}

export type ConnectTransport = (url: string, request: ConnectRequest) => Promise<ConnectResponse>;

/** A host name resolved to an address the policy refuses; nothing was sent. */
export class ConnectHostRefusedError extends Error {
  constructor(readonly problem: string) {
    super(problem);
    this.name = "ConnectHostRefusedError";
  }
}

/** Like node:dns `lookup` with `all: true` (tests resolve names their own way). */
export type ResolveAll = (hostname: string, options: LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface GuardedTransportOptions {
  readonly hosts: ConnectHostPolicy;
  readonly resolve?: ResolveAll;
  /** Answers longer than this fail (Connect's largest, a status with many task traces, are far smaller). */
  readonly maxResponseBytes?: number;
}

export function createGuardedTransport(options: GuardedTransportOptions): ConnectTransport {
  const resolve: ResolveAll = options.resolve ?? ((hostname, lookupOptions, callback) => { dnsLookup(hostname, lookupOptions, callback); });
  const maxBytes = options.maxResponseBytes ?? 16 * 1024 * 1024;
  const lookup = guardedLookup(options.hosts, resolve);
  // Own agents: a kept-alive socket is only ever one this transport's lookup checked.
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

  return (url, request) => new Promise<ConnectResponse>((resolvePromise, reject) => {
    const target = new URL(url);
    const secure = target.protocol === "https:";
    const req = (secure ? https : http).request(target, {
      method: request.method,
      headers: { ...request.headers, ...(request.body === undefined ? {} : { "content-length": String(Buffer.byteLength(request.body)) }) },
      agent: secure ? agents.https : agents.http,
      lookup,
      signal: request.signal,
    }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy(Object.assign(new Error(`the answer is larger than ${maxBytes} bytes`), { code: "ANSWER_TOO_LARGE" }));
          return;
        }
        chunks.push(chunk);
      });
      res.on("error", reject);
      res.on("close", () => { if (!res.complete) reject(new Error("the answer was cut off")); });
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolvePromise({ status: res.statusCode ?? 0, text: () => Promise.resolve(text) });
      });
    });
    req.on("error", reject);
    req.end(request.body);
  });
}

/** A net `lookup` that resolves every address and fails if the policy refuses any of them. */
export function guardedLookup(hosts: ConnectHostPolicy, resolve: ResolveAll): LookupFunction {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) {
        callback(error, options.all === true ? [] : "");
        return;
      }
      for (const entry of addresses) {
        const decision = checkResolvedAddress(hosts, hostname, entry.address);
        if (!decision.allowed) {
          callback(new ConnectHostRefusedError(decision.problem), options.all === true ? [] : "");
          return;
        }
      }
      const first = addresses[0];
      if (options.all === true) callback(null, addresses);
      else if (first) callback(null, first.address, first.family);
      else callback(Object.assign(new Error(`no address for ${hostname}`), { code: "ENOTFOUND" }), "");
    });
  };
}
