import { describe, expect, it } from "vitest";
import { entraError, entraTimestamp } from "./entra-errors.js";

const context = { traceId: "trace-1", correlationId: "corr-1", nowMs: Date.UTC(2025, 0, 2, 3, 4, 5, 678) };

describe("Entra ID error bodies", () => {
  it("carry the AADSTS code, trace, correlation and timestamp like the service", () => {
    const { status, body } = entraError({ kind: "invalid-client-secret", appId: "app-1" }, context);
    expect(status).toBe(401);
    expect(body).toEqual({
      error: "invalid_client",
      error_description: "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app 'app-1'. Trace ID: trace-1 Correlation ID: corr-1 Timestamp: 2025-01-02 03:04:05Z",
      error_codes: [7000215],
      timestamp: "2025-01-02 03:04:05Z",
      trace_id: "trace-1",
      correlation_id: "corr-1",
      error_uri: "https://login.microsoftonline.com/error?code=7000215",
    });
  });

  it.each([
    [{ kind: "invalid-tenant", tenant: "t" } as const, 400, "invalid_tenant", "AADSTS90002: Tenant 't' not found."],
    [{ kind: "app-not-in-directory", appId: "a", directory: "d" } as const, 400, "unauthorized_client", "AADSTS700016: Application with identifier 'a' was not found in the directory 'd'."],
    [{ kind: "federated-no-match", issuer: "i", subject: "s", audience: "au" } as const, 400, "invalid_request", "AADSTS70021: No matching federated identity record found for presented assertion. Assertion Issuer: 'i'. Assertion Subject: 's'. Assertion Audience: 'au'."],
    [{ kind: "assertion-key-not-found", appId: "a", thumbprint: "AB" } as const, 401, "invalid_client", "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: 'AB'"],
    [{ kind: "missing-credential" } as const, 401, "invalid_client", "AADSTS7000218:"],
    [{ kind: "invalid-scope", scope: "x" } as const, 400, "invalid_scope", "AADSTS1002012:"],
  ])("%o → %i %s", (failure, status, error, start) => {
    const response = entraError(failure, context);
    expect(response.status).toBe(status);
    expect(response.body.error).toBe(error);
    expect(response.body.error_description.startsWith(start)).toBe(true);
  });

  it("formats timestamps as Entra does", () => {
    expect(entraTimestamp(Date.UTC(2024, 10, 9, 8, 7, 6))).toBe("2024-11-09 08:07:06Z");
  });
});
