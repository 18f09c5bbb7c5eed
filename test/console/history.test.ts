// The console's audit views in Debian's Chromium against a real server on
// SQLite and the Azure emulator: the connector page's History timeline
// (versions its workers got, a rotation with from → to and how it was
// noticed, the restart it caused), the integration page's last access per
// secret and the Key Vault requests-per-minute chart. Needs `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_KEY, ADMIN_SECRET, seedEnvironment, specConnector, startAzureFixture, startTestServer, storeTargets, VAULT_CANARY, type AzureFixture, type TestServer } from "../http/harness.js";
import { horizontalOverflow, launchBrowser, MOBILE, screenshot, type TestBrowser } from "./browser.js";
import { fakeRuntime } from "./runtime-fake.js";

const built = fileURLToPath(new URL("../../dist/console/index.html", import.meta.url));

let azure: AzureFixture;
let server: TestServer;
let browser: TestBrowser;
let page: Page;
let seed: Awaited<ReturnType<typeof seedEnvironment>>;
let connectorId: string;

beforeAll(async () => {
  if (!existsSync(built)) throw new Error("dist/console/ is missing: run `npm run build` first (npm test does)");
  azure = await startAzureFixture();
  const target = storeTargets()[0];
  if (!target) throw new Error("no store target");
  server = await startTestServer(target, azure, { runtime: fakeRuntime().runtime });
  seed = await seedEnvironment(server, azure, "dev");
  expect((await server.api("POST", `${seed.base}/connectors`, specConnector(azure.vaultUri, seed.integrationId, "running-orders"))).status).toBe(201);
  connectorId = (await server.api<Record<string, { id: { id: string } }>>("GET", `${seed.base}/connectors?expand=id`)).body["running-orders"]?.id.id ?? "";
  const token = (await server.api<{ spec: { secret: string } }>("POST", `/cmk/v2/clusters/${seed.clusterId}/worker-credentials`, { spec: { description: "pool" } })).body.spec.secret;
  const fetchSecrets = async () => {
    const response = await fetch(`${server.url}/internal/v1/clusters/${seed.clusterId}/connectors/${connectorId}/secrets?keys=database.password`, { headers: { authorization: `Bearer ${token}`, "x-vaultwire-worker": "connect-1.internal" } });
    expect(response.status).toBe(200);
  };
  await fetchSecrets();
  await server.running.auditTrail.flush();
  // A rotation pushed by the secret manager, and the restart it caused, as the reconciler records them.
  const connector = { environmentId: seed.environmentId, clusterId: seed.clusterId, connectorId, connectorName: "running-orders", integrationId: seed.integrationId, keys: ["database.password"], secrets: {}, reason: null, workerCredentialId: null, workerName: null, remoteAddress: null, userAgent: null };
  const now = Date.now();
  await server.running.store.audit.append([
    { ...connector, type: "rotation.detected", at: new Date(now + 1000).toISOString(), outcome: "restart-requested", versions: { "database.password": "22222222222222222222" }, previousVersions: { "database.password": "11111111111111111111" }, detectedBy: "event", restartCause: null },
    { ...connector, type: "connector.restarted", at: new Date(now + 2000).toISOString(), keys: [], outcome: "restarted", versions: {}, previousVersions: {}, detectedBy: null, restartCause: "rotation" },
  ]);
  await server.running.auditTrail.flush();
  browser = await launchBrowser();
  page = browser.page;
  page.setDefaultTimeout(15_000);
  await page.goto(`${server.url}/`);
  await page.getByLabel("API key").fill(ADMIN_KEY);
  await page.getByLabel("API secret").fill(ADMIN_SECRET);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { level: 1 }).first().waitFor();
}, 90_000);

afterAll(async () => {
  await browser.close();
  await server.close();
  await azure.close();
}, 60_000);

describe("audit views", () => {
  it("shows a connector's history: versions its workers got, the rotation from → to and how it was noticed, the restart", async () => {
    await page.goto(`${server.url}/connectors/running-orders?environment=${seed.environmentId}&cluster=${seed.clusterId}`);
    const timeline = page.getByRole("list", { name: "Connector history" });
    await timeline.waitFor();
    const items = await timeline.getByRole("listitem").allTextContents();
    expect(items).toHaveLength(3);
    expect(items[0]).toContain("Restart");
    expect(items[0]).toContain("Restarted with its tasks, after a secret rotation");
    expect(items[1]).toContain("Rotation");
    expect(items[1]).toContain("database.password 111111111111… → 222222222222…, noticed by an event from the secret manager");
    expect(items[2]).toContain("Versions");
    expect(items[2]).toContain("Workers got database.password");
    expect(items[2]).toContain("connect-1.internal");
    expect(await page.content()).not.toContain(VAULT_CANARY);
    await screenshot(page, "connector-history-desktop");
  });

  it("shows the last access per secret and the Key Vault requests per minute on the integration page", async () => {
    await page.goto(`${server.url}/integrations/${seed.integrationId}`);
    const accesses = page.getByRole("table", { name: "Last access per secret" });
    await accesses.waitFor();
    const row = await accesses.getByRole("row").nth(1).textContent();
    expect(row).toContain(`${azure.vaultUri}/secrets/sqlserver-db-secret`);
    expect(row).toContain("running-orders");
    expect(row).toContain("connect-1.internal");
    const chart = page.getByRole("img", { name: new RegExp(`^${azure.vaultUri.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: [1-9][0-9]* requests in the last hour, 0 throttled`) });
    await chart.waitFor();
    expect(await chart.locator("rect").count()).toBeGreaterThan(0);
    await page.setViewportSize(MOBILE);
    expect((await horizontalOverflow(page)).overflow).toBe(0);
    await screenshot(page, "integration-audit-mobile");
  });
});
