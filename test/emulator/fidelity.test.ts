// Fidelity: replays the real Key Vault recordings (../shared/reference/azure-recordings)
// against the emulator — same method, path and body, the recorded vault host
// mapped to the emulator's — and compares status codes, JSON key sets and value
// types, error codes and messages, the headers and the challenge, and paging.
// Plus a few wire-level checks of things the SDKs hide (Entra error bodies,
// the list-denial message).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentity, startTestEmulator, type TestEmulator } from "./helpers.js";

const RECORDINGS = new URL("../../../shared/reference/azure-recordings/", import.meta.url);
const haveRecordings = existsSync(RECORDINGS);
if (!haveRecordings && process.env.CI) throw new Error(`the Key Vault recordings are missing at ${RECORDINGS.pathname}`);

interface RecordedEntry {
  RequestUri: string;
  RequestMethod: string;
  RequestHeaders: Record<string, string>;
  RequestBody: unknown;
  StatusCode: number;
  ResponseHeaders: Record<string, string>;
  ResponseBody: unknown;
}

interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/** Headers the emulator does not send: the RBAC cache diagnostics have no meaning here. */
const NOT_EMULATED_HEADERS = new Set(["x-ms-keyvault-rbac-cache"]);
/** Headers whose value must be the service's exactly. */
const EXACT_HEADERS = ["content-type", "cache-control", "pragma", "expires", "x-content-type-options", "strict-transport-security"];
const RECORDED_HOST = "https://keyvault_name.vault.azure.net";

let test: TestEmulator;
let token: string;
let identity: ReturnType<typeof createIdentity>;

beforeAll(async () => {
  test = await startTestEmulator();
  identity = createIdentity(test.emulator);
  token = (await identity.credential.getToken("https://vault.azure.net/.default")).token;
});
afterAll(async () => { await test.close(); });

function send(url: string, method: string, options: { body?: unknown; bearer?: string; form?: string; headers?: Record<string, string> } = {}): Promise<WireResponse> {
  const payload = options.form ?? (options.body === undefined || options.body === null ? "" : JSON.stringify(options.body));
  return new Promise((resolve, reject) => {
    const request = httpsRequest(url, {
      method,
      ca: test.emulator.caCertPem,
      headers: {
        Accept: "application/json",
        "Content-Type": options.form === undefined ? "application/json" : "application/x-www-form-urlencoded",
        "Content-Length": String(Buffer.byteLength(payload)),
        ...(options.bearer === undefined ? {} : { Authorization: `Bearer ${options.bearer}` }),
        ...options.headers,
      },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        const headers = Object.fromEntries(Object.entries(response.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v.join(", ") : v ?? ""]));
        resolve({ status: response.statusCode ?? 0, headers, body: text === "" ? null : JSON.parse(text) as unknown });
      });
    });
    request.on("error", reject);
    request.end(payload);
  });
}

type Shape = string | { [key: string]: Shape } | Shape[];

/** Keys and value types, recursively; arrays by the shape of their first element. */
function shapeOf(value: unknown): Shape {
  if (value === null) return "null";
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, shapeOf(v)]));
  return typeof value;
}

/** The recorded URI as a request to the emulator's vault; versions mapped to the emulator's. */
function toEmulator(recordedUri: string, vaultUri: string, versions: ReadonlyMap<string, string>): string {
  let uri = recordedUri.replace(RECORDED_HOST, vaultUri);
  for (const [recorded, emulated] of versions) uri = uri.replace(recorded, emulated);
  return uri;
}

function versionOf(body: unknown): string | undefined {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id.split("/").pop() : undefined;
}

function expectHeadersLikeRecorded(entry: RecordedEntry, actual: WireResponse, label: string): void {
  const recorded = Object.fromEntries(Object.entries(entry.ResponseHeaders).map(([k, v]) => [k.toLowerCase(), v]));
  for (const name of Object.keys(recorded)) {
    if (NOT_EMULATED_HEADERS.has(name)) continue;
    expect(actual.headers, `${label}: header ${name}`).toHaveProperty([name]);
  }
  for (const name of EXACT_HEADERS) expect(actual.headers[name], `${label}: ${name}`).toBe(recorded[name]);
  expect(actual.headers["x-ms-request-id"], label).toMatch(/^[0-9a-f-]{36}$/);
  if (entry.StatusCode === 401) {
    const challenge = /^Bearer authorization="(https:\/\/[^"]+)\/([0-9a-f-]{36})", resource="(https:\/\/[^"]+)"$/;
    expect(recorded["www-authenticate"], label).toMatch(challenge);
    const [, authority, tenant, resource] = challenge.exec(actual.headers["www-authenticate"] ?? "") ?? [];
    expect([authority, tenant, resource], label).toEqual([test.emulator.authorityHost, identity.tenantId, challenge.exec(recorded["www-authenticate"] ?? "")?.[3]]);
  }
}

function expectBodyLikeRecorded(entry: RecordedEntry, actual: WireResponse, vaultUri: string, versions: ReadonlyMap<string, string>, label: string): void {
  const recorded = entry.ResponseBody as Record<string, unknown> | null;
  const body = actual.body as Record<string, unknown> | null;
  if (recorded !== null && typeof recorded.error === "object") {
    // Errors: the same code, inner code and message.
    expect(body, label).toEqual(JSON.parse(toEmulator(JSON.stringify(recorded), vaultUri, versions)));
    return;
  }
  if (recorded !== null && Array.isArray(recorded.value)) {
    // A page: the same item shapes; nextLink a string or null.
    expect(Object.keys(body ?? {}).sort(), label).toEqual(["nextLink", "value"]);
    const recordedItems = recorded.value.map(shapeOf);
    for (const item of (body?.value ?? []) as unknown[]) {
      if (recordedItems.length > 0) expect(recordedItems, `${label}: item shape`).toContainEqual(shapeOf(item));
      expect((item as { value?: unknown }).value, `${label}: list items carry no value`).toBeUndefined();
    }
    const nextLink = body?.nextLink;
    expect(nextLink === null || typeof nextLink === "string", label).toBe(true);
    if (typeof nextLink === "string" && typeof recorded.nextLink === "string") {
      const normalize = (link: string): string => link.replace(/^https:\/\/[^/]+/, "HOST").replace(/\$skiptoken=[^&]+/, "$skiptoken=TOKEN");
      expect(normalize(nextLink), label).toBe(normalize(recorded.nextLink));
      expect(new URL(nextLink).port, `${label}: nextLink spells out the port`).not.toBe("");
    }
    return;
  }
  // A bundle: the same keys and types, the same values where we sent the same input.
  expect(shapeOf(body), label).toEqual(shapeOf(recorded));
  const comparable = (b: Record<string, unknown> | null): unknown => {
    const attributes = { ...(b?.attributes as Record<string, unknown> | undefined) };
    delete attributes.created;
    delete attributes.updated;
    return { value: b?.value, contentType: b?.contentType, tags: b?.tags, attributes, idPath: typeof b?.id === "string" ? new URL(b.id).pathname.split("/").slice(0, 3).join("/") : undefined };
  };
  expect(comparable(body), label).toEqual(comparable(recorded));
  expect(body?.id, label).toMatch(new RegExp(`^${vaultUri}/secrets/[^/]+/[0-9a-f]{32}$`));
}

function recordings(): string[] {
  return haveRecordings ? readdirSync(RECORDINGS).filter((f) => f.endsWith(".json")).sort() : [];
}

describe.runIf(haveRecordings)("fidelity with the real Key Vault recordings", () => {
  it.each(recordings())("%s", async (file) => {
    const entries = (JSON.parse(readFileSync(new URL(file, RECORDINGS), "utf8")) as { Entries: RecordedEntry[] }).Entries;
    const name = `rec-${file.replace(/^recording_|\.json$/g, "").replace(/[^a-z0-9]+/gi, "-").slice(0, 18).replace(/-$/, "")}`;
    const { vaultUri } = await test.emulator.createVault({ name, tenantId: identity.tenantId });
    test.emulator.assignRole(name, { principalObjectId: identity.objectId, role: "Key Vault Secrets Officer" });
    const versions = new Map<string, string>();
    const created = new Set<string>();
    // The list recording ran against a shared vault (others' secrets, empty pages):
    // there the emulator's own page sequence is followed instead of the recorded one.
    const recordedPages = entries.filter((e) => Array.isArray((e.ResponseBody as { value?: unknown } | null)?.value));
    let pendingNextLink: string | null = null;
    const listed = new Set<string>();

    for (const [index, entry] of entries.entries()) {
      const label = `${file} #${index} ${entry.RequestMethod} ${entry.StatusCode}`;
      const authorized = "Authorization" in entry.RequestHeaders;
      let url = toEmulator(entry.RequestUri, vaultUri, versions);
      if (entry.RequestUri.includes("$skiptoken=")) {
        if (pendingNextLink === null) continue; // the emulator's listing ended earlier: fewer foreign items
        url = pendingNextLink;
      }
      const clientRequestId = entry.RequestHeaders["x-ms-client-request-id"];
      const actual = await send(url, entry.RequestMethod, {
        body: authorized ? entry.RequestBody : null,
        ...(authorized ? { bearer: token } : {}),
        ...(clientRequestId === undefined ? {} : { headers: { "x-ms-client-request-id": clientRequestId } }),
      });
      if (clientRequestId !== undefined) expect(actual.headers["x-ms-client-request-id"], label).toBe(clientRequestId);
      expect(actual.status, label).toBe(entry.StatusCode);
      expectHeadersLikeRecorded(entry, actual, label);
      expectBodyLikeRecorded(entry, actual, vaultUri, versions, label);

      const recordedVersion = versionOf(entry.ResponseBody);
      const actualVersion = versionOf(actual.body);
      if (entry.RequestMethod === "PUT" && entry.StatusCode === 200 && recordedVersion !== undefined && actualVersion !== undefined) {
        versions.set(recordedVersion, actualVersion);
        created.add(new URL(entry.RequestUri).pathname.split("/")[2] ?? "");
      }
      const page = actual.body as { value?: unknown; nextLink?: unknown } | null;
      if (Array.isArray(page?.value)) {
        pendingNextLink = typeof page.nextLink === "string" ? page.nextLink : null;
        for (const item of page.value as { id: string }[]) listed.add(new URL(item.id).pathname.split("/")[2] ?? "");
      }
    }
    if (recordedPages.length > 0) {
      // Paging ends with a null nextLink, as every recorded session does.
      expect(pendingNextLink, `${file}: the last page has nextLink null`).toBeNull();
      expect((recordedPages.at(-1)?.ResponseBody as { nextLink?: unknown }).nextLink).toBeNull();
      // Every secret the session created was listed across the pages.
      for (const secret of created) expect([...listed], file).toContain(secret);
    }
  });

  it("lists exactly the recorded session's secrets, one per page, ending with nextLink null", async () => {
    const file = "recording_can_retrieve_all_versions_of_a_secret_by_page.json";
    const entries = (JSON.parse(readFileSync(new URL(file, RECORDINGS), "utf8")) as { Entries: RecordedEntry[] }).Entries;
    const recordedLinks = entries.filter((e) => e.RequestUri.includes("/versions")).map((e) => typeof (e.ResponseBody as { nextLink?: unknown }).nextLink === "string");
    const { vaultUri } = await test.emulator.createVault({ name: "rec-versions-pages", tenantId: identity.tenantId });
    test.emulator.assignRole("rec-versions-pages", { principalObjectId: identity.objectId, role: "Key Vault Secrets Officer" });
    for (const value of ["SECRET_VALUE0", "SECRET_VALUE1", "SECRET_VALUE2"]) test.emulator.setSecret("rec-versions-pages", "paged", value);
    const links: boolean[] = [];
    let url: string | null = `${vaultUri}/secrets/paged/versions?api-version=7.3&maxresults=1`;
    while (url !== null) {
      const page = (await send(url, "GET", { bearer: token })).body as { value: unknown[]; nextLink: string | null };
      expect(page.value).toHaveLength(1);
      links.push(page.nextLink !== null);
      url = page.nextLink;
    }
    expect(links).toEqual(recordedLinks);
  });
});

describe("wire details the SDKs do not show", () => {
  const ENTRA_ERROR_KEYS = ["correlation_id", "error", "error_codes", "error_description", "error_uri", "timestamp", "trace_id"];

  it("discovery names endpoints on the authority's origin and an issuer MSAL accepts", async () => {
    const { authorityHost } = test.emulator;
    const response = await send(`${authorityHost}/${identity.tenantId}/v2.0/.well-known/openid-configuration`, "GET");
    expect(response.status).toBe(200);
    const doc = response.body as Record<string, string>;
    for (const key of ["authorization_endpoint", "token_endpoint", "issuer", "jwks_uri"]) expect(new URL(doc[key] ?? "").origin).toBe(authorityHost);
    expect(doc.token_endpoint).toBe(`${authorityHost}/${identity.tenantId}/oauth2/v2.0/token`);
    const keys = await send(doc.jwks_uri ?? "", "GET");
    expect((keys.body as { keys: { kty: string }[] }).keys[0]?.kty).toBe("RSA");
  });

  it("answers an unknown tenant with 400 invalid_tenant on discovery and on the token endpoint", async () => {
    const tenant = "00000000-1111-4222-8333-444444444444";
    for (const [url, method, form] of [
      [`${test.emulator.authorityHost}/${tenant}/v2.0/.well-known/openid-configuration`, "GET", undefined],
      [`${test.emulator.authorityHost}/${tenant}/oauth2/v2.0/token`, "POST", "grant_type=client_credentials&client_id=x&client_secret=y&scope=https%3A%2F%2Fvault.azure.net%2F.default"],
    ] as const) {
      const response = await send(url, method, form === undefined ? {} : { form });
      expect(response.status).toBe(400);
      expect(Object.keys(response.body as object).sort()).toEqual(ENTRA_ERROR_KEYS);
      expect(response.body).toMatchObject({ error: "invalid_tenant", error_codes: [90002] });
      expect((response.body as { error_description: string }).error_description).toMatch(new RegExp(`^AADSTS90002: Tenant '${tenant}' not found\\. .* Trace ID: [0-9a-f-]{36} Correlation ID: [0-9a-f-]{36} Timestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ$`));
    }
  });

  it("answers a token request like Entra: Bearer, 3599 seconds, no-store", async () => {
    const form = new URLSearchParams({ grant_type: "client_credentials", client_id: identity.appId, client_secret: identity.secret, scope: "https://vault.azure.net/.default" }).toString();
    const response = await send(`${test.emulator.authorityHost}/${identity.tenantId}/oauth2/v2.0/token`, "POST", { form });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body as object)).toEqual(["token_type", "expires_in", "ext_expires_in", "access_token"]);
    expect(response.body).toMatchObject({ token_type: "Bearer", expires_in: 3599, ext_expires_in: 3599 });
    expect(response.headers["cache-control"]).toBe("no-store, no-cache");
    expect(response.headers["content-type"]).toBe("application/json; charset=utf-8");
  });

  it("names readMetadata and the vault in a list denial", async () => {
    const { vaultUri } = await test.emulator.createVault({ name: "wire-denied", tenantId: identity.tenantId, location: "westus3" });
    const response = await send(`${vaultUri}/secrets?api-version=2025-07-01&maxresults=1`, "GET", { bearer: token });
    expect(response.status).toBe(403);
    const error = (response.body as { error: { code: string; message: string; innererror: { code: string } } }).error;
    expect(error.code).toBe("Forbidden");
    expect(error.innererror.code).toBe("ForbiddenByRbac");
    expect(error.message).toContain("\r\nAction: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'\r\n");
    expect(error.message).toMatch(/\r\nResource: '\/subscriptions\/[0-9a-f-]{36}\/resourcegroups\/vaultwire-emulator\/providers\/microsoft\.keyvault\/vaults\/wire-denied'\r\n/);
    expect(error.message.endsWith("\r\nVault: wire-denied;location=westus3\r\n")).toBe(true);
  });

  it("answers 200 with an empty page for the versions of a missing secret, and parses api%2Dversion", async () => {
    const { vaultUri } = await test.emulator.createVault({ name: "wire-versions", tenantId: identity.tenantId });
    test.emulator.assignRole("wire-versions", { principalObjectId: identity.objectId, role: "Key Vault Reader" });
    const response = await send(`${vaultUri}/secrets/nothing/versions?api%2Dversion=2025-07-01`, "GET", { bearer: token });
    expect(response).toMatchObject({ status: 200, body: { value: [], nextLink: null } });
  });
});
