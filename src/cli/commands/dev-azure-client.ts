/** A small HTTPS JSON client for the running Azure emulator's admin API (`/admin/...`). */
import { request as httpsRequest } from "node:https";
import { CliError } from "../cli-error.js";

export interface AdminClient {
  readonly url: string;
  call(method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<unknown>;
}

export function createAdminClient(url: string, caCertPem: string): AdminClient {
  const base = new URL(url);
  return {
    url: base.origin,
    call: (method, path, body) => new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const request = httpsRequest(new URL(`/admin${path}`, base), {
        method,
        ca: caCertPem,
        headers: { Accept: "application/json", ...(payload === undefined ? {} : { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(payload)) }) },
        timeout: 15_000,
      }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const status = response.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = text === "" ? undefined : JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if (status >= 200 && status < 300) {
            resolve(parsed);
            return;
          }
          const message = (parsed as { error?: { message?: unknown } } | undefined)?.error?.message;
          reject(new CliError(typeof message === "string" ? message : `the emulator answered HTTP ${status}`));
        });
      });
      request.on("timeout", () => { request.destroy(new Error("timed out")); });
      request.on("error", (error: NodeJS.ErrnoException) => {
        reject(new CliError(`cannot reach the Azure emulator at ${base.origin}: ${error.code ?? error.message}`, 1, [
          "Start it with \"vaultwire dev azure start\", and pass its address with --url or the same --state-dir.",
        ]));
      });
      request.end(payload);
    }),
  };
}
