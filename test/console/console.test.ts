// The web console end to end: Debian's Chromium (headless, playwright-core)
// against a real `vaultwire server` on SQLite in front of the Azure emulator,
// with a fake Kafka Connect runtime for RUNNING / FAILED / PAUSED / DEGRADED.
// Needs `npm run build` first (the console is served from dist/console/).
// Screenshots of each main page at 1280×800 and 390×844 land in
// test-artifacts/console/. The tests share one server and run in order.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, ADMIN_SECRET, seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, VAULT_USER, type AzureFixture, type TestServer } from "../http/harness.js";
import { DESKTOP, horizontalOverflow, launchBrowser, MOBILE, screenshot, seriousAccessibilityViolations, unlabelledControls, type PageElement, type PageGlobals, type TestBrowser } from "./browser.js";
import { FAILED_TRACE, fakeRuntime, type FakeRuntime } from "./runtime-fake.js";

interface Report { configs: { definition: { name: string; group: string }; value: { name: string; recommended_values: string[] } }[]; groups: string[] }

const built = fileURLToPath(new URL("../../dist/console/index.html", import.meta.url));

let azure: AzureFixture;
let server: TestServer;
let fake: FakeRuntime;
let browser: TestBrowser;
let seed: Awaited<ReturnType<typeof seedEnvironment>>;
let page: Page;

beforeAll(async () => {
  if (!existsSync(built)) throw new Error("dist/console/ is missing: run `npm run build` first (npm test does)");
  azure = await startAzureFixture();
  fake = fakeRuntime();
  const target = storeTargets()[0];
  if (!target) throw new Error("no store target");
  server = await startTestServer(target, azure, { runtime: fake.runtime });
  seed = await seedEnvironment(server, azure, "dev");
  for (const name of ["running-orders", "failing-orders", "degraded-orders", "paused-orders"]) {
    const created = await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, name));
    if (created.status !== 201) throw new Error(created.text);
  }
  await server.api("PUT", `${seed.base}/connectors/paused-orders/pause`);
  browser = await launchBrowser();
  page = browser.page;
  page.setDefaultTimeout(15_000);
}, 90_000);

afterAll(async () => {
  await browser.close();
  await server.close();
  await azure.close();
}, 120_000);

const heading = (name: string | RegExp, level = 1) => page.getByRole("heading", { name, level });
const fieldOf = (control: Locator) => page.locator(".field", { has: control });
const describedText = (control: Locator) => control.evaluate((el) => {
  const { document } = globalThis as unknown as PageGlobals;
  return ((el as unknown as PageElement).getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent ?? "").join(" ");
});
const valuesOf = (locator: Locator) => locator.evaluateAll((els) => els.map((el) => (el as unknown as PageElement).value));
const activeId = () => page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.id);
const activeRole = () => page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.getAttribute("role"));
/** Everything this tab keeps in sessionStorage, as one string. */
const sessionStorageText = () => page.evaluate(() => {
  const { sessionStorage } = globalThis as unknown as { sessionStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null } };
  return Array.from({ length: sessionStorage.length }, (_, i) => { const key = sessionStorage.key(i) ?? ""; return `${key}=${sessionStorage.getItem(key) ?? ""}`; }).join("\n");
});
const DRAFT_KEY = "vaultwire.console.add-connector-draft";
const wizardStep = () => new URL(page.url()).searchParams.get("step");

/** Add connector from scratch: the draft an earlier test left in the tab is dropped first. */
async function openNewWizard(): Promise<void> {
  if (page.url().startsWith(server.url)) {
    await page.evaluate((key) => { (globalThis as unknown as { sessionStorage: { removeItem(k: string): void } }).sessionStorage.removeItem(key); }, DRAFT_KEY);
  }
  await page.goto(`${server.url}/connectors/new`);
}

/** Opens a collapsed optional group of the Configuration step. */
async function openGroup(name: string): Promise<void> {
  const details = page.locator("details.group", { has: page.locator("summary", { hasText: name }) });
  if (await details.getAttribute("open") === null) await details.locator("summary").click();
}

async function signIn(landing: string): Promise<void> {
  await page.getByLabel("API key").fill(ADMIN_KEY);
  await page.getByLabel("API secret").fill(ADMIN_SECRET);
  await page.getByRole("button", { name: "Sign in" }).click();
  await heading(landing).waitFor();
}

async function rowOf(table: Locator, text: string): Promise<Locator> {
  const row = table.getByRole("row").filter({ hasText: text });
  await row.first().waitFor();
  return row.first();
}

/** Plugin → Authentication with the secret manager on for `fields`, as the specification describes. */
async function authenticationStep(identifiers: Record<string, string>): Promise<void> {
  await openNewWizard();
  await page.getByRole("radio", { name: /SqlServerCdcSourceV2/ }).check();
  await page.getByRole("button", { name: "Next: Authentication" }).click();
  await heading("Authentication", 2).waitFor();
  await page.getByRole("switch", { name: /^Use secret manager/ }).check();
  await page.getByRole("combobox", { name: /^Secret manager/ }).selectOption("AZURE_KEY_VAULT");
  const group = page.getByRole("group", { name: /^Configurations from Secret manager/ });
  for (const [key, value] of Object.entries(identifiers)) {
    await group.getByRole("checkbox", { name: new RegExp(key.replace(/\./g, "\\.")) }).check();
    await page.locator(`#config-${key.replace(/\./g, "-")}`).fill(value);
  }
  await page.getByRole("combobox", { name: /^Provider Integration/ }).selectOption(seed.integrationId);
}

/** The specification's remaining fields on the Configuration step. */
async function fillConfiguration(name: string, tasks = "1"): Promise<void> {
  const text = (label: RegExp, value: string) => page.getByRole("textbox", { name: label }).fill(value);
  const pick = (label: RegExp, value: string) => page.getByRole("combobox", { name: label }).selectOption(value);
  await text(/^Connector name/, name);
  await openGroup("Kafka Cluster credentials");
  await pick(/^Kafka Cluster Authentication mode/, "SERVICE_ACCOUNT");
  await text(/^Kafka Service Account/, "sa-xxxxxx");
  await text(/^Database hostname/, "203.0.113.0");
  await text(/^Database port/, "1433");
  await text(/^Database names/, "db123");
  // A switch, at its default (off), which the JSON states as shown.
  expect(await page.getByRole("switch", { name: /^Database encrypt/ }).isChecked()).toBe(false);
  await pick(/^Select output record value format/, "JSON");
  await pick(/^Output Kafka record key format/, "JSON");
  await text(/^Topic prefix/, "sqlcdc");
  await openGroup("Connector config");
  await text(/^Tables included/, "table123");
  await text(/^Tasks/, tasks);
}

describe("the web console", () => {
  it("is served at / with content types, caching headers and an SPA fallback; API paths answer as before", async () => {
    const index = await fetch(`${server.url}/`);
    const html = await index.text();
    expect(index.status).toBe(200);
    expect(index.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(index.headers.get("cache-control")).toBe("no-cache");
    expect(index.headers.get("content-security-policy")).toContain("default-src 'self'");
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1] ?? "";
    const style = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1] ?? "";
    const js = await fetch(`${server.url}${script}`, { headers: { "accept-encoding": "gzip" } });
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const css = await fetch(`${server.url}${style}`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const etag = css.headers.get("etag") ?? "";
    expect((await fetch(`${server.url}${style}`, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(`${server.url}/favicon.svg`)).headers.get("content-type")).toBe("image/svg+xml");

    // Console routes are index.html for a browser; other clients and missing files get the API's 404.
    const deep = await fetch(`${server.url}/connectors/SqlServerCdcSource1?environment=env-x`, { headers: { accept: "text/html,application/xhtml+xml" } });
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    expect((await fetch(`${server.url}/connectors/x`, { headers: { accept: "application/json" } })).status).toBe(404);
    expect((await fetch(`${server.url}/assets/missing.js`, { headers: { accept: "text/html" } })).status).toBe(404);
    // Unknown API paths keep their answers: 401 without a key, 404 with one, in the family's error shape.
    expect((await server.api("GET", "/org/v2/nope", undefined, { auth: null, headers: { accept: "text/html" } })).status).toBe(401);
    const missing = await server.api<{ errors: unknown[] }>("GET", "/org/v2/nope", undefined, { headers: { accept: "text/html" } });
    expect(missing.status).toBe(404);
    expect(missing.body.errors).toHaveLength(1);
    expect((await server.api<{ error: { code: number } }>("GET", "/connect/v1/nope")).body.error.code).toBe(404);
    expect((await server.api("GET", "/health", undefined, { auth: null })).status).toBe(200);
  });

  it("signs in by keyboard, refuses a wrong secret, and signs out clearing the key from the tab", async () => {
    await page.goto(`${server.url}/connectors`);
    await heading("Sign in").waitFor();
    // The key field has focus; Tab reaches the secret; Enter submits.
    await page.keyboard.type(ADMIN_KEY);
    await page.keyboard.press("Tab");
    await page.keyboard.type("wrong-secret-0000000000");
    await page.keyboard.press("Enter");
    await page.getByRole("alert").filter({ hasText: "The API key or secret is wrong" }).waitFor();
    // The error takes focus, not the page body.
    expect(await activeRole()).toBe("alert");
    await page.getByLabel("API secret").fill(ADMIN_SECRET);
    await page.getByLabel("API secret").press("Enter");
    await heading("Connectors").waitFor();
    expect(new URL(page.url()).pathname).toBe("/connectors");
    expect(await page.evaluate(() => {
      const { sessionStorage } = globalThis as unknown as PageGlobals;
      return Array.from({ length: sessionStorage.length }, (_, i) => sessionStorage.key(i));
    })).toContain("vaultwire.console.credentials");
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).localStorage.length)).toBe(0);
    expect(await browser.context.cookies()).toEqual([]);

    await page.getByRole("button", { name: "Sign out" }).click();
    await heading("Sign in").waitFor();
    await page.getByText("You are signed out").waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length)).toBe(0);
    await page.reload();
    await heading("Sign in").waitFor();
    await screenshot(page, "sign-in-desktop");
    await browser.snapshot();

    // A deep link opened while signed out stays where it was after signing in.
    await page.goto(`${server.url}/integrations`);
    await signIn("Provider integrations");
    expect(new URL(page.url()).pathname).toBe("/integrations");
  });

  it("adds the specification's connector with the secret manager on, step by step, and lists it", async () => {
    const eligible = (await server.api<Report>("PUT", `${seed.base}/connector-plugins/SqlServerCdcSourceV2/config/validate`, {})).body
      .configs.find((c) => c.value.name === "secret.manager.managed.configs")?.value.recommended_values;
    expect(eligible).toEqual(["database.hostname", "database.port", "database.user", "database.password"]);

    await page.goto(`${server.url}/connectors`);
    await page.getByRole("link", { name: "Add connector" }).first().click();
    await heading("Add connector").waitFor();
    expect(await valuesOf(page.getByRole("radio"))).toEqual(["MySqlCdcSourceV2", "PostgresCdcSourceV2", "SqlServerCdcSourceV2"]);
    // The plugin by keyboard: Space picks the radio, Enter on Next submits.
    await page.getByRole("radio", { name: /SqlServerCdcSourceV2/ }).focus();
    await page.keyboard.press("Space");
    await page.getByRole("button", { name: "Next: Authentication" }).press("Enter");
    await heading("Authentication", 2).waitFor();

    // Authentication: method, Use secret manager, Secret manager, Configurations from Secret manager.
    const method = page.getByRole("combobox", { name: /^Authentication method/ });
    expect(await method.inputValue()).toBe("Password");
    expect(await valuesOf(method.locator("option"))).toEqual(["Microsoft Entra ID application", "Password"]);
    const toggle = page.getByRole("switch", { name: /^Use secret manager/ });
    expect(await toggle.isChecked()).toBe(false);
    expect(await page.getByRole("combobox", { name: /^Secret manager/ }).count()).toBe(0);
    await toggle.focus();
    await page.keyboard.press("Space");
    expect(await toggle.isChecked()).toBe(true);
    const manager = page.getByRole("combobox", { name: /^Secret manager/ });
    expect((await valuesOf(manager.locator("option"))).filter((v) => v !== "")).toEqual(["AZURE_KEY_VAULT", "AWS_SECRETS_MANAGER"]);
    await manager.selectOption("AZURE_KEY_VAULT");
    const group = page.getByRole("group", { name: /^Configurations from Secret manager/ });
    expect(await valuesOf(group.getByRole("checkbox"))).toEqual(eligible);
    await group.getByRole("checkbox", { name: /database\.password/ }).check();
    await group.getByRole("checkbox", { name: /database\.user/ }).check();

    // One identifier input per selected field, with the expected format as its hint and inline format errors.
    const password = page.getByRole("textbox", { name: /^Database password/ });
    const user = page.getByRole("textbox", { name: /^Database username/ });
    expect(await describedText(password)).toContain("<vault-uri>::<secret-name> or <vault-uri>::<secret-name>::<json-key>");
    await password.fill(`${azure.vaultUri}:sqlserver-db-secret`);
    await password.blur();
    await fieldOf(password).locator(".field-errors").filter({ hasText: "separated by \"::\" (two colons)" }).waitFor();
    expect(await password.getAttribute("aria-invalid")).toBe("true");
    await password.fill(`${azure.vaultUri}::sqlserver_db::password`);
    await fieldOf(password).locator(".field-errors").filter({ hasText: "The secret name may contain only letters, digits and \"-\"" }).waitFor();
    await password.fill("https://my-vault.vault.azure.net::db-credentials");
    expect(await fieldOf(password).locator(".field-errors").count()).toBe(0);
    await password.fill(`${azure.vaultUri}::sqlserver-db-secret::password`);
    await user.fill(`${azure.vaultUri}::sqlserver-db-secret::user`);
    await user.blur();
    expect(await password.getAttribute("aria-invalid")).toBe("false");

    const integration = page.getByRole("combobox", { name: /^Provider Integration for the secret manager/ });
    expect(await integration.locator(`option[value="${seed.integrationId}"]`).textContent()).toBe(`dev-akv (${seed.integrationId})`);
    await integration.selectOption(seed.integrationId);
    await page.getByRole("button", { name: "Next: Configuration" }).click();

    // The rest, grouped as the catalog groups it, required fields marked, managed fields not asked again.
    await heading("Configuration", 2).waitFor();
    const legends = await page.locator("form.wizard-step fieldset.group > legend").allTextContents();
    // Groups with a required field are open; the others are collapsed.
    expect(legends).toEqual(["How should we connect to your data?", "How should we connect to your database?", "Output messages", "How should we name your topic(s)?", "Number of tasks for this connector"]);
    expect(await page.locator("form.wizard-step details.group > summary").first().textContent()).toMatch(/^Kafka Cluster credentials \(optional, \d+ settings\)$/);
    expect(await page.locator("form.wizard-step details.group[open]").count()).toBe(0);
    for (const label of ["Connector name", "Database hostname", "Database port", "Database names", "Topic prefix", "Tasks"]) {
      expect(await page.getByRole("textbox", { name: new RegExp(`^${label} \\(required\\)`) }).count(), label).toBe(1);
    }
    expect(await page.getByRole("textbox", { name: /^Database password/ }).count()).toBe(0);
    expect(await page.getByRole("textbox", { name: /^Database username/ }).count()).toBe(0);
    await fillConfiguration("SqlServerCdcSource1");
    await page.getByRole("button", { name: "Next: Review" }).click();

    // Review: exactly the CLI's {"name", "config"}.
    await heading("Review the configuration", 2).waitFor();
    const reviewed = JSON.parse(await page.getByTestId("review-json").textContent() ?? "") as unknown;
    const expected = specConnector(azure.vaultUri, seed.integrationId);
    expect(reviewed).toEqual(expected);
    expect(Object.keys((reviewed as typeof expected).config).slice(0, 9)).toEqual(Object.keys(expected.config).slice(0, 9));
    await page.getByRole("button", { name: "Create connector" }).click();

    await page.waitForURL(`${server.url}/connectors`);
    const created = await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`);
    const id = created.body.SqlServerCdcSource1?.id.id ?? "missing";
    await page.getByRole("status").filter({ hasText: `Created connector SqlServerCdcSource1 ${id}.` }).waitFor();
    const row = await rowOf(page.getByRole("table", { name: "Connectors" }), "SqlServerCdcSource1");
    expect(await row.locator(".badge").textContent()).toBe("PROVISIONING");
    expect((await server.api<Record<string, string>>("GET", `${seed.base}/connectors/SqlServerCdcSource1/config`)).body).toEqual(expected.config);
  });

  it("puts server-side validation errors on their fields: an unreadable secret, a bad value, a taken name", async () => {
    await authenticationStep({ "database.password": `${azure.lockedVaultUri}::sqlserver-db-secret::password` });
    await page.getByRole("button", { name: "Next: Configuration" }).click();
    // The live dry run fails on the vault without the role; the message lands under the identifier.
    const password = page.getByRole("textbox", { name: /^Database password/ });
    const error = fieldOf(password).locator(".field-errors");
    await error.waitFor();
    expect(await error.textContent()).toContain("not allowed to read secret \"sqlserver-db-secret\"");
    expect(await error.textContent()).toContain("Key Vault Secrets User");
    expect(await password.getAttribute("aria-invalid")).toBe("true");
    expect(await activeId()).toBe("config-database-password");
    expect(await page.locator("#error-summary").textContent()).toContain("Database password");
    expect(await heading("Authentication", 2).count()).toBe(1);

    await password.fill(`${azure.vaultUri}::sqlserver-db-secret::password`);
    await page.getByRole("button", { name: "Next: Configuration" }).click();
    await heading("Configuration", 2).waitFor();
    // The user's name comes from the secret manager too? No: here only the password does, so the username is now required.
    expect(await page.getByRole("textbox", { name: /^Database username \(required\)/ }).count()).toBe(1);
    await fillConfiguration("SqlServerCdcSource1", "0");
    await page.getByRole("textbox", { name: /^Database username/ }).fill("cdc_reader");
    await page.getByRole("button", { name: "Next: Review" }).click();
    const tasks = page.getByRole("textbox", { name: /^Tasks/ });
    await fieldOf(tasks).locator(".field-errors").filter({ hasText: "Value must be at least 1" }).waitFor();
    expect(await activeId()).toBe("config-tasks-max");

    // The name is taken: validate passes, create answers 409, and the message lands on the name.
    await tasks.fill("1");
    await page.getByRole("button", { name: "Next: Review" }).click();
    await heading("Review the configuration", 2).waitFor();
    await page.getByRole("button", { name: "Create connector" }).click();
    const name = page.getByRole("textbox", { name: /^Connector name/ });
    await fieldOf(name).locator(".field-errors").filter({ hasText: "Connector SqlServerCdcSource1 already exists" }).waitFor();
    expect((await server.api<string[]>("GET", `${seed.base}/connectors`)).body).not.toContain("SqlServerCdcSource2");
  });

  it("lists integrations with a Resources column whose links open the connector; delete is disabled while in use", async () => {
    await page.goto(`${server.url}/integrations`);
    const table = page.getByRole("table", { name: "Provider integrations" });
    const row = await rowOf(table, "dev-akv");
    expect(await row.locator(".badge").textContent()).toBe("ACTIVE");
    const links = await row.getByRole("link", { name: /^Connector / }).allTextContents();
    expect(links.sort()).toEqual(["Connector SqlServerCdcSource1", "Connector degraded-orders", "Connector failing-orders", "Connector paused-orders", "Connector running-orders"]);
    const remove = row.getByRole("button", { name: /Delete/ });
    expect(await remove.isDisabled()).toBe(true);
    expect(await describedText(remove)).toContain("In use by 5 connectors: delete those connectors");

    const link = row.getByRole("link", { name: "Connector SqlServerCdcSource1" });
    expect(await link.getAttribute("href")).toBe(`/connectors/SqlServerCdcSource1?environment=${seed.environmentId}&cluster=${seed.clusterId}`);
    await link.click();
    await heading("SqlServerCdcSource1").waitFor();
    expect(new URL(page.url()).pathname).toBe("/connectors/SqlServerCdcSource1");
    const config = page.getByRole("table", { name: "Configuration" });
    const passwordRow = config.getByRole("row").filter({ has: page.locator("td:first-child code", { hasText: /^database\.password$/ }) });
    expect(await passwordRow.textContent()).toContain(`${azure.vaultUri}::sqlserver-db-secret::password`);
    expect(await passwordRow.textContent()).toContain("from Azure Key Vault");

    await page.goto(`${server.url}/integrations/${seed.integrationId}`);
    const detailDelete = page.getByRole("button", { name: "Delete integration" });
    expect(await detailDelete.isDisabled()).toBe(true);
    expect(await describedText(detailDelete)).toContain("In use by 5 connectors");
  });

  it("creates an integration: the app id, the admin-consent link and the role, then the tenant id, Validate success and RBAC failure", async () => {
    await page.goto(`${server.url}/integrations`);
    await page.getByRole("textbox", { name: /^Name/ }).fill("akv-console");
    await page.getByRole("button", { name: "Create integration" }).click();
    await heading("akv-console").waitFor();
    const id = new URL(page.url()).pathname.split("/").pop() ?? "";
    expect(id).toMatch(/^cspi-/);
    expect(await page.locator(".title-row .badge").textContent()).toBe("DRAFT");
    expect(await page.getByTestId("app-id").textContent()).toBe(azure.appId);
    expect(await page.getByRole("link", { name: "admin consent page" }).getAttribute("href")).toBe(`https://login.microsoftonline.com/organizations/adminconsent?client_id=${azure.appId}`);
    await page.getByRole("heading", { name: "Grant the role “Key Vault Secrets User” on the vault" }).waitFor();
    const validate = page.getByRole("button", { name: "Validate" });
    expect(await validate.isDisabled()).toBe(true);

    const tenant = page.getByRole("textbox", { name: /^Customer Azure Tenant ID/ });
    await tenant.fill("not-a-tenant");
    await page.getByRole("button", { name: "Save tenant id" }).click();
    await fieldOf(tenant).locator(".field-errors").filter({ hasText: "a GUID" }).waitFor();
    await tenant.fill(azure.customerTenant);
    expect(await page.getByRole("link", { name: "admin consent page" }).getAttribute("href")).toBe(`https://login.microsoftonline.com/${azure.customerTenant}/adminconsent?client_id=${azure.appId}`);
    await page.getByRole("button", { name: "Save tenant id" }).click();
    await page.getByText(`Saved tenant ${azure.customerTenant}`).waitFor();
    expect(await page.locator(".title-row .badge").textContent()).toBe("CREATED");

    // Token only (204), then the vault with the role (200), then the vault without it (422).
    await validate.click();
    await page.getByText(`Successfully validated provider integration "${id}". A token was acquired`).waitFor();
    const vault = page.getByRole("textbox", { name: /^Vault URI/ });
    await vault.fill(azure.vaultUri);
    await validate.click();
    const checks = page.getByRole("table", { name: "Validation checks" });
    await checks.waitFor();
    await page.getByText(`Successfully validated provider integration "${id}".`, { exact: true }).waitFor();
    for (const permission of ["readMetadata", "getSecret"]) expect(await checks.locator(`tr[data-permission="${permission}"] .badge`).textContent()).toBe("granted");

    await vault.fill(azure.lockedVaultUri);
    await validate.click();
    await page.getByText(`Provider integration "${id}" is not ready`).waitFor();
    for (const permission of ["readMetadata", "getSecret"]) {
      const probe = checks.locator(`tr[data-permission="${permission}"]`);
      expect(await probe.locator(".badge").textContent()).toBe("denied");
      expect(await probe.textContent()).toContain("Grant the role “Key Vault Secrets User”");
    }
    await screenshot(page, "integration-detail-rbac-failure-desktop");

    await vault.fill("https://vault.example.com");
    await validate.click();
    await fieldOf(vault).locator(".field-errors").filter({ hasText: "vault host \"vault.example.com\" is not allowed" }).waitFor();

    // Not in use: delete works, after confirmation.
    await page.getByRole("button", { name: "Delete integration" }).click();
    const dialog = page.getByRole("dialog", { name: /Delete provider integration/ });
    await dialog.getByRole("button", { name: "Delete integration" }).click();
    await page.waitForURL(`${server.url}/integrations`);
    await page.getByText(`Deleted provider integration "akv-console" (${id}).`).waitFor();
    expect((await server.api("GET", `/pim/v2/integrations/${id}`)).status).toBe(404);
  });

  it("shows status badges and search in the list, and a failed connector's trace with troubleshooting hints", async () => {
    await page.goto(`${server.url}/connectors`);
    const table = page.getByRole("table", { name: "Connectors" });
    for (const [name, state] of [["running-orders", "RUNNING"], ["failing-orders", "FAILED"], ["degraded-orders", "DEGRADED"], ["paused-orders", "PAUSED"], ["SqlServerCdcSource1", "PROVISIONING"]] as const) {
      expect(await (await rowOf(table, name)).locator(".badge").textContent(), name).toBe(state);
    }
    await page.getByRole("searchbox", { name: "Search connectors" }).fill("fail");
    expect(await table.locator("tbody tr").count()).toBe(1);
    await table.getByRole("link", { name: "failing-orders" }).click();

    await heading("failing-orders").waitFor();
    expect(await page.locator(".title-row .badge").textContent()).toBe("FAILED");
    await page.getByRole("heading", { name: "Why the connector failed" }).waitFor();
    expect(await page.locator("pre.trace").first().textContent()).toBe(FAILED_TRACE);
    const hints = await page.locator("ul.hints li").allTextContents();
    expect(hints[0]).toContain("\"Key Vault Secrets User\" role");
    const task = await rowOf(page.getByRole("table", { name: "Tasks" }), "connect-1.internal:8083");
    expect(await task.locator(".badge").textContent()).toBe("FAILED");
    expect(await task.textContent()).toContain("could not read database.password");
    // Sensitive values: identifiers shown and marked, nothing else from the vault.
    expect(await page.locator(".tag-vault").count()).toBe(2);

    await page.goto(`${server.url}/connectors/degraded-orders`);
    await heading("degraded-orders").waitFor();
    await page.getByRole("table", { name: "Tasks" }).waitFor();
    const states = await page.getByRole("table", { name: "Tasks" }).locator("tbody .badge").allTextContents();
    expect(states).toEqual(["RUNNING", "FAILED"]);
  });

  it("badges a connector whose secret expires soon, in the list and on its page, naming the secret and the date", async () => {
    const created = await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "running-expiring"));
    expect(created.status, created.text).toBe(201);
    const stored = (await server.running.store.connectors.listAll()).find((c) => c.name === "running-expiring");
    if (!stored) throw new Error("no connector");
    const secret = `${azure.vaultUri}::sqlserver-db-secret::password`;
    const message = `database.password (${secret}): the secret expires at 2030-01-13T00:00:00.000Z (in 12 days); store a new version or extend its expiration date in Azure Key Vault before then: once it has expired, vaultwire fails the connector instead of using it`;
    await server.running.store.connectors.updateStatus(stored.id, { ...stored.status, warnings: [{ code: "SECRET_NEAR_EXPIRY", key: "database.password", secret, expiresAt: "2030-01-13T00:00:00.000Z", message }] });

    await page.goto(`${server.url}/connectors`);
    const table = page.getByRole("table", { name: "Connectors" });
    const row = await rowOf(table, "running-expiring");
    expect(await row.locator(".badge-expiry").textContent()).toBe("Secret expires 2030-01-13");
    expect(await row.locator(".badge-expiry").getAttribute("title")).toBe(`database.password (${secret}) expires at 2030-01-13T00:00:00.000Z`);
    // Connectors without warnings have no such badge.
    expect(await (await rowOf(table, "running-orders")).locator(".badge-expiry").count()).toBe(0);

    await table.getByRole("link", { name: "running-expiring" }).click();
    await heading("running-expiring").waitFor();
    expect(await page.locator(".title-row .badge-expiry").textContent()).toBe("Secret expires 2030-01-13");
    await page.getByText("A secret this connector uses expires soon").waitFor();
    expect(await page.locator("ul.warnings li").allTextContents()).toEqual([message]);
    expect(await page.content()).not.toContain(VAULT_CANARY);
    expect((await server.api("DELETE", `${seed.base}/connectors/running-expiring`)).status).toBe(200);
  });

  it("pauses, resumes, restarts and deletes a connector, each after a confirmation", async () => {
    await page.goto(`${server.url}/connectors/running-orders`);
    await heading("running-orders").waitFor();
    const badge = page.locator(".title-row .badge");
    expect(await badge.textContent()).toBe("RUNNING");

    // Escape cancels: nothing is sent.
    await page.getByRole("button", { name: "Pause" }).click();
    const pauseDialog = page.getByRole("dialog", { name: "Pause connector “running-orders”?" });
    await pauseDialog.waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.activeElement?.textContent)).toBe("Cancel");
    await page.keyboard.press("Escape");
    await pauseDialog.waitFor({ state: "hidden" });
    expect(fake.calls).not.toContain("apply running-orders PAUSED");

    const confirm = async (action: string, label: string) => {
      await page.getByRole("button", { name: action, exact: true }).click();
      await page.getByRole("dialog").getByRole("button", { name: label }).click();
    };
    await confirm("Pause", "Pause connector");
    await page.getByText(/^Paused connector "running-orders" \(lcc-/).waitFor();
    expect(await badge.textContent()).toBe("PAUSED");
    expect(fake.calls).toContain("apply running-orders PAUSED");
    await confirm("Resume", "Resume connector");
    await page.getByText(/^Resumed connector "running-orders"/).waitFor();
    expect(await badge.textContent()).toBe("RUNNING");
    await confirm("Restart", "Restart connector");
    await page.getByText(/^Restarted connector "running-orders"/).waitFor();
    expect(fake.calls).toContain("restart running-orders");

    await page.getByRole("button", { name: "Delete", exact: true }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
    expect(fake.calls).not.toContain("remove running-orders");
    await confirm("Delete", "Delete connector");
    await page.waitForURL(`${server.url}/connectors`);
    await page.getByText(/^Deleted connector "running-orders" \(lcc-/).waitFor();
    expect(await page.getByRole("table", { name: "Connectors" }).getByRole("link", { name: "running-orders" }).count()).toBe(0);
    expect(fake.calls).toContain("remove running-orders");
    expect((await server.api("GET", `${seed.base}/connectors/running-orders`)).status).toBe(404);
  });

  it("lists and registers environments and clusters, with server errors on their fields", async () => {
    await page.goto(`${server.url}/environments`);
    await heading("Environments & clusters").waitFor();
    await rowOf(page.getByRole("table", { name: "Environments" }), seed.environmentId);
    await rowOf(page.getByRole("table", { name: /^Kafka clusters/ }), seed.clusterId);

    await page.getByText("Create an environment").click();
    await page.getByRole("textbox", { name: /^Environment name/ }).fill("staging");
    await page.getByRole("button", { name: "Create environment" }).click();
    await page.getByText(/^Created environment "staging" \(env-/).waitFor();
    await page.getByText("No clusters in this environment yet.").waitFor();
    const environmentPicker = page.getByRole("combobox", { name: "Environment", exact: true });
    expect(await environmentPicker.locator("option:checked").textContent()).toMatch(/^staging \(env-/);

    await page.getByText("Register a Kafka cluster").click();
    await page.getByRole("textbox", { name: /^Cluster name/ }).fill("staging-cluster");
    const region = page.getByRole("textbox", { name: /^Region/ });
    await region.fill("West US 3");
    await page.getByRole("textbox", { name: /^Kafka bootstrap servers/ }).fill("kafka-1:9092");
    await page.getByRole("textbox", { name: /^Kafka Connect REST URLs/ }).fill("http://127.0.0.1:8083");
    await page.getByRole("button", { name: "Register cluster" }).click();
    await fieldOf(region).locator(".field-errors").filter({ hasText: "spec.region must be a region name" }).waitFor();
    expect(await activeId()).toBe("cluster-region");
    await region.fill("westus3");
    await page.getByRole("button", { name: "Register cluster" }).click();
    await page.getByText(/^Registered Kafka cluster "staging-cluster" \(lkc-/).waitFor();
    const row = await rowOf(page.getByRole("table", { name: /^Kafka clusters/ }), "staging-cluster");
    expect(await row.textContent()).toContain("kafka-1:9092");
    expect(await row.textContent()).toContain("http://127.0.0.1:8083");
    expect(await page.getByRole("combobox", { name: "Kafka cluster" }).locator("option:checked").textContent()).toMatch(/^staging-cluster \(lkc-/);
    await screenshot(page, "environments-register-desktop");

    // Back to dev for the rest.
    await environmentPicker.selectOption(seed.environmentId);
    await page.getByRole("combobox", { name: "Kafka cluster" }).locator(`option[value="${seed.clusterId}"]`).waitFor({ state: "attached" });
  });

  it("makes each Add connector step a history entry: Back, Forward and reload restore it, from a draft that never keeps a password", async () => {
    const PASSWORD = "Typed-Pa55-canary-7731";
    await openNewWizard();
    await page.getByRole("radio", { name: /SqlServerCdcSourceV2/ }).check();
    await page.getByRole("button", { name: "Next: Authentication" }).click();
    await heading("Authentication", 2).waitFor();
    expect(wizardStep()).toBe("authentication");
    // After Next the new step's heading has focus, not the page body.
    expect(await activeId()).toBe("wizard-step-title");
    await page.getByRole("button", { name: "Next: Configuration" }).click();
    await heading("Configuration", 2).waitFor();
    expect(wizardStep()).toBe("configuration");
    expect(await activeId()).toBe("wizard-step-title");

    // The secret manager is off: the password is typed in plaintext, and only the form holds it.
    await fillConfiguration("history-orders");
    await page.getByRole("textbox", { name: /^Database username/ }).fill("cdc_reader");
    await page.locator("#config-database-password").fill(PASSWORD);
    const stored = await sessionStorageText();
    expect(stored).toContain(DRAFT_KEY);
    expect(stored).toContain("history-orders");
    expect(stored).toContain("cdc_reader");
    expect(stored).not.toContain(PASSWORD);
    await page.getByRole("button", { name: "Next: Review" }).click();
    await heading("Review the configuration", 2).waitFor();
    expect(wizardStep()).toBe("review");
    expect(JSON.parse(await page.getByTestId("review-json").textContent() ?? "{}")).toMatchObject({ config: { "database.password": PASSWORD } });

    // The browser's Back goes to the previous step (not out of the wizard), Forward returns.
    await page.goBack();
    await heading("Configuration", 2).waitFor();
    expect(await page.getByRole("textbox", { name: /^Connector name/ }).inputValue()).toBe("history-orders");
    await page.goBack();
    await heading("Authentication", 2).waitFor();
    await page.goForward();
    await heading("Configuration", 2).waitFor();
    await page.goForward();
    await heading("Review the configuration", 2).waitFor();

    // Reload keeps the step and the form, without the password.
    await page.reload();
    await heading("Review the configuration", 2).waitFor();
    await page.getByText("Draft restored").waitFor();
    const reviewed = JSON.parse(await page.getByTestId("review-json").textContent() ?? "{}") as { name: string; config: Record<string, string> };
    expect(reviewed.name).toBe("history-orders");
    expect(reviewed.config["database.user"]).toBe("cdc_reader");
    expect(reviewed.config["database.password"]).toBeUndefined();
    await screenshot(page, "add-connector-draft-restored-desktop");
    // The in-page Back after a reload stays in the wizard too, and the password must be typed again.
    await page.getByRole("button", { name: "Back" }).click();
    await heading("Configuration", 2).waitFor();
    expect(await page.locator("#config-database-password").inputValue()).toBe("");
    expect(await sessionStorageText()).not.toContain(PASSWORD);

    // A step opened without a draft (another tab, a bookmark) starts at the plugin.
    await page.evaluate((key) => { (globalThis as unknown as { sessionStorage: { removeItem(k: string): void } }).sessionStorage.removeItem(key); }, DRAFT_KEY);
    await page.goto(`${server.url}/connectors/new?step=review`);
    await page.getByRole("button", { name: "Next: Authentication" }).waitFor();
    expect(wizardStep()).toBeNull();
    expect(await heading("Review the configuration", 2).count()).toBe(0);
  });

  it("asks before discarding a draft: Cancel, Discard draft and switching plugin", async () => {
    await openNewWizard();
    await page.getByRole("radio", { name: /SqlServerCdcSourceV2/ }).check();
    await page.getByRole("button", { name: "Next: Authentication" }).click();
    await heading("Authentication", 2).waitFor();
    await page.getByRole("switch", { name: /^Use secret manager/ }).check();
    // Back to the plugin and another one: the filled-in form is not dropped without asking.
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByRole("radio", { name: /PostgresCdcSourceV2/ }).check();
    await page.getByRole("button", { name: "Next: Authentication" }).click();
    const switchDialog = page.getByRole("dialog", { name: "Switch to PostgresCdcSourceV2?" });
    await switchDialog.waitFor();
    await switchDialog.getByRole("button", { name: "Cancel" }).click();
    await switchDialog.waitFor({ state: "hidden" });
    expect(wizardStep()).toBeNull();
    await page.getByRole("radio", { name: /SqlServerCdcSourceV2/ }).check();
    await page.getByRole("button", { name: "Next: Authentication" }).click();
    await heading("Authentication", 2).waitFor();
    expect(await page.getByRole("switch", { name: /^Use secret manager/ }).isChecked()).toBe(true);

    // Cancel asks; declining keeps everything; confirming removes the draft from the tab.
    await page.getByRole("button", { name: "Back" }).click();
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    const discard = page.getByRole("dialog", { name: "Discard this connector draft?" });
    await discard.waitFor();
    await discard.getByRole("button", { name: "Cancel" }).click();
    expect(new URL(page.url()).pathname).toBe("/connectors/new");
    expect(await sessionStorageText()).toContain(DRAFT_KEY);
    await page.getByRole("button", { name: "Cancel", exact: true }).click();
    await discard.getByRole("button", { name: "Discard draft" }).click();
    await page.waitForURL(`${server.url}/connectors`);
    expect(await sessionStorageText()).not.toContain(DRAFT_KEY);
    await page.getByRole("link", { name: "Add connector" }).first().click();
    await heading("Add connector").waitFor();
    expect(await page.getByRole("radio", { checked: true }).count()).toBe(0);
    expect(await page.getByText("Draft restored").count()).toBe(0);
  });

  it("knows what the server knows: allowed vault hosts from the start, each error once, dropdowns, switches, no placeholders, the identity method's integration picker", async () => {
    const emulatorHost = new URL(azure.vaultUri).host;
    await authenticationStep({ "database.password": `${azure.vaultUri}::sqlserver-db-secret::password` });
    // The operator's hosts are listed before anything was sent, and an identifier there is simply fine.
    const hostsHint = await page.locator("#identifier-hosts").textContent() ?? "";
    expect(hostsHint).toContain(emulatorHost);
    expect(hostsHint).toContain("<vault-name>.vault.azure.net");
    expect(hostsHint).not.toContain("any host this server's operator allowed");
    const password = page.getByRole("textbox", { name: /^Database password/ });
    expect(await fieldOf(password).locator(".note").count()).toBe(0);
    expect(await fieldOf(password).locator(".field-errors").count()).toBe(0);
    // A host outside the list: one error, also after the server's own check.
    await password.fill("https://vault.example.com::db-credentials");
    await fieldOf(password).locator(".field-errors li").first().waitFor();
    expect(await fieldOf(password).locator(".field-errors li").allTextContents()).toEqual([expect.stringContaining("ault host \"vault.example.com\" is not allowed") as unknown]);
    await page.getByRole("button", { name: "Next: Configuration" }).click();
    await page.locator("#error-summary").waitFor();
    expect(await fieldOf(password).locator(".field-errors li").count()).toBe(1);
    await password.fill(`${azure.vaultUri}::sqlserver-db-secret::password`);

    // The identity method's provider integration: only for that method, a picker of Azure integrations, its own label.
    await page.getByRole("switch", { name: /^Use secret manager/ }).uncheck();
    const method = page.getByRole("combobox", { name: /^Authentication method/ });
    const identityIntegration = page.getByRole("combobox", { name: /^Provider Integration for Microsoft Entra ID application/ });
    expect(await identityIntegration.count()).toBe(0);
    await method.selectOption("Microsoft Entra ID application");
    await identityIntegration.waitFor();
    expect(await identityIntegration.locator(`option[value="${seed.integrationId}"]`).textContent()).toBe(`dev-akv (${seed.integrationId})`);
    expect(await page.getByRole("textbox", { name: /provider\.integration\.id/ }).count()).toBe(0);
    await method.selectOption("Password");
    expect(await identityIntegration.count()).toBe(0);
    await page.getByRole("switch", { name: /^Use secret manager/ }).check();
    await page.getByRole("button", { name: "Next: Configuration" }).click();
    await heading("Configuration", 2).waitFor();

    // Fixed choices are dropdowns, booleans switches; template placeholders and never-shown fields stay off the page.
    await openGroup("Kafka Cluster credentials");
    const mode = page.getByRole("combobox", { name: /^Kafka Cluster Authentication mode/ });
    expect(await valuesOf(mode.locator("option"))).toEqual(["", "KAFKA_API_KEY", "SERVICE_ACCOUNT"]);
    expect(await page.getByRole("textbox", { name: /^Kafka Cluster Authentication mode/ }).count()).toBe(0);
    expect(await page.getByRole("switch", { name: /^Database encrypt/ }).count()).toBe(1);
    await openGroup("Auto-restart policy");
    expect(await page.getByRole("switch", { name: /^Enable Connector Auto-restart/ }).isChecked()).toBe(true);
    expect(await page.getByRole("combobox", { name: /^Database encrypt/ }).count()).toBe(0);
    expect(await page.getByText("Show schemas in data preview request output").count()).toBe(0);
    const html = await page.content();
    expect(html).not.toContain("${connect.regional.connector}");
    expect(html).not.toContain("{{.logicalClusterId}}");
    expect(html).not.toContain("datapreview.schemas.enable");

    // Short enough to work through, with Next always in reach.
    await page.locator("details.group[open]").evaluateAll((els) => { for (const el of els) (el as unknown as { removeAttribute(name: string): void }).removeAttribute("open"); });
    const height = await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight);
    expect(height).toBeLessThan(3_500);
    await page.evaluate(() => { (globalThis as unknown as { scrollTo(x: number, y: number): void }).scrollTo(0, 0); });
    const next = await page.getByRole("button", { name: "Next: Review" }).boundingBox();
    expect(next).not.toBeNull();
    expect((next?.y ?? 1e9) + (next?.height ?? 0)).toBeLessThanOrEqual(DESKTOP.height);
    await screenshot(page, "add-connector-configuration-collapsed-desktop");
  });

  it("fits 1280×800 and 390×844 without horizontal overflow, labels every input, and saves screenshots", async () => {
    const visits: { name: string; open: () => Promise<void> }[] = [
      { name: "connectors", open: async () => { await page.goto(`${server.url}/connectors`); await page.getByRole("table", { name: "Connectors" }).waitFor(); } },
      { name: "connector-detail-failed", open: async () => { await page.goto(`${server.url}/connectors/failing-orders`); await page.getByRole("heading", { name: "Why the connector failed" }).waitFor(); } },
      { name: "add-connector-plugin", open: async () => { await page.goto(`${server.url}/connectors/new`); await page.getByRole("radio").first().waitFor(); } },
      {
        name: "add-connector-authentication",
        open: async () => {
          await authenticationStep({ "database.password": `${azure.vaultUri}::sqlserver-db-secret::password`, "database.user": `${azure.vaultUri}:sqlserver-db-secret` });
          await page.getByRole("textbox", { name: /^Database username/ }).blur();
          await page.locator(".field-errors").first().waitFor();
        },
      },
      {
        name: "add-connector-configuration",
        open: async () => {
          await page.getByRole("textbox", { name: /^Database username/ }).fill(`${azure.vaultUri}::sqlserver-db-secret::user`);
          await page.getByRole("button", { name: "Next: Configuration" }).click();
          await heading("Configuration", 2).waitFor();
        },
      },
      {
        name: "add-connector-review",
        open: async () => {
          await fillConfiguration("layout-check");
          await page.getByRole("button", { name: "Next: Review" }).click();
          await heading("Review the configuration", 2).waitFor();
        },
      },
      { name: "integrations", open: async () => { await page.goto(`${server.url}/integrations`); await page.getByRole("table", { name: "Provider integrations" }).waitFor(); } },
      {
        name: "integration-detail",
        open: async () => {
          await page.goto(`${server.url}/integrations/${seed.integrationId}`);
          await page.getByRole("textbox", { name: /^Vault URI/ }).fill(azure.lockedVaultUri);
          await page.getByRole("button", { name: "Validate" }).click();
          await page.getByRole("table", { name: "Validation checks" }).waitFor();
        },
      },
      { name: "environments", open: async () => { await page.goto(`${server.url}/environments`); await page.getByRole("table", { name: /^Kafka clusters/ }).waitFor(); await page.getByText("Register a Kafka cluster").click(); } },
    ];
    const problems: string[] = [];
    // The check itself can fail: a button with no name is a critical violation.
    await page.goto(`${server.url}/connectors`);
    await page.getByRole("table", { name: "Connectors" }).waitFor();
    await page.evaluate(() => { (globalThis as unknown as { document: { body: { insertAdjacentHTML(where: string, html: string): void } } }).document.body.insertAdjacentHTML("beforeend", "<button type=\"button\" id=\"axe-probe\"></button>"); });
    expect((await seriousAccessibilityViolations(page)).map((v) => `${v.id} ${v.targets.join(" ")}`)).toContain("button-name #axe-probe");
    for (const [size, viewport] of [["desktop", DESKTOP], ["mobile", MOBILE]] as const) {
      await page.setViewportSize(viewport);
      for (const visit of visits) {
        await visit.open();
        const { overflow, culprits } = await horizontalOverflow(page);
        if (overflow > 0) problems.push(`${visit.name} at ${size}: ${overflow}px wider than the viewport (${culprits.join(", ")})`);
        const unlabelled = await unlabelledControls(page);
        if (unlabelled.length > 0) problems.push(`${visit.name} at ${size}: inputs without a label: ${unlabelled.join(" | ")}`);
        for (const v of await seriousAccessibilityViolations(page)) problems.push(`${visit.name} at ${size}: axe ${v.impact} ${v.id} (${v.help}): ${v.targets.join(", ")}`);
        await screenshot(page, `${visit.name}-${size}`);
        await browser.snapshot();
      }
    }
    // The sign-in page, signed out, at the phone size too.
    await page.getByRole("button", { name: "Sign out" }).click();
    await heading("Sign in").waitFor();
    if ((await horizontalOverflow(page)).overflow > 0) problems.push("sign-in at mobile overflows");
    if ((await unlabelledControls(page)).length > 0) problems.push("sign-in has unlabelled inputs");
    for (const v of await seriousAccessibilityViolations(page)) problems.push(`sign-in at mobile: axe ${v.impact} ${v.id} (${v.help}): ${v.targets.join(", ")}`);
    await screenshot(page, "sign-in-mobile");
    await page.setViewportSize(DESKTOP);
    expect(problems).toEqual([]);
    expect(browser.errors().filter((e) => !/status of (4\d\d)/.test(e))).toEqual([]);
  });

  it("never lets a secret value reach the browser or the log (canary)", () => {
    // The canary was read from the vault (dry runs of every create and validation)…
    expect(azure.emulator.requestCounts("sql-vault").byOperation.get ?? 0).toBeGreaterThan(0);
    // …and the scans see real traffic.
    expect(browser.responses()).toContain(seed.integrationId);
    expect(browser.pages()).toContain("SqlServerCdcSource1");
    for (const secret of [VAULT_CANARY, VAULT_USER]) {
      expect(browser.responses()).not.toContain(secret);
      expect(browser.pages()).not.toContain(secret);
      expect(server.logs()).not.toContain(secret);
    }
  });
});
