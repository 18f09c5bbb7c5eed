/**
 * MSAL reports a tenant it cannot find only as `endpoints_resolution_error`,
 * dropping Entra ID's answer. To tell "no such tenant" (AADSTS90002) from "the
 * authority is unreachable", ask the tenant's OpenID discovery document
 * directly, as MSAL did.
 */
import { get } from "node:https";
import type { Classified } from "./errors.js";

export function isEndpointResolutionFailure(error: unknown): boolean {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === "string" && message.includes("endpoints_resolution_error");
}

export function diagnoseAuthority(authorityHost: string, tenantId: string, caCertificatesPem: string | undefined, timeoutMs = 5_000): Promise<Classified> {
  const url = `${authorityHost}/${encodeURIComponent(tenantId)}/v2.0/.well-known/openid-configuration`;
  return new Promise((resolve) => {
    const request = get(url, { timeout: timeoutMs, ...(caCertificatesPem ? { ca: caCertificatesPem } : {}) }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        if (body.length < 16_384) body += chunk;
      });
      response.on("end", () => {
        const aadsts = /AADSTS(\d{5,7})/.exec(body)?.[1];
        if (aadsts === "90002") resolve({ code: "UNKNOWN_TENANT", transient: false, aadsts });
        else if (aadsts !== undefined) resolve({ code: "CREDENTIAL_UNAVAILABLE", transient: false, aadsts });
        else resolve({ code: "CREDENTIAL_UNAVAILABLE", transient: (response.statusCode ?? 0) >= 500, ...(response.statusCode === undefined ? {} : { status: response.statusCode }) });
      });
    });
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    request.on("error", (error: NodeJS.ErrnoException) => {
      resolve({ code: "CREDENTIAL_UNAVAILABLE", transient: true, systemCode: error.code ?? "ECONNREFUSED" });
    });
  });
}
