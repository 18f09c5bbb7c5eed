// Debian's Chromium (apt-get install chromium; never a downloaded browser),
// driven by playwright-core, headless, with a fresh profile. Every response
// body the browser receives is kept so the suite can scan it for canaries.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";
export const DESKTOP = { width: 1280, height: 800 } as const;
export const MOBILE = { width: 390, height: 844 } as const;
export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/console/", import.meta.url));

export interface TestBrowser {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Every response body the browser received so far (text; binary as latin1). */
  responses(): string;
  /** Page HTML snapshots taken with `snapshot()`. */
  pages(): string;
  snapshot(): Promise<void>;
  /** Console errors and uncaught page errors. */
  errors(): readonly string[];
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  const profile = await mkdtemp(join(tmpdir(), "vaultwire-console-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: DESKTOP,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
  const bodies: string[] = [];
  const html: string[] = [];
  const errors: string[] = [];
  const pending: Promise<void>[] = [];
  context.on("response", (response) => {
    pending.push(response.body().then((body) => { bodies.push(`${response.url()}\n${body.toString("latin1")}`); }, () => undefined));
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.on("console", (message) => { if (message.type() === "error") errors.push(message.text()); });
  page.on("pageerror", (error) => { errors.push(error.message); });
  return {
    context,
    page,
    responses: () => bodies.join("\n"),
    pages: () => html.join("\n"),
    async snapshot() { html.push(await page.content()); },
    errors: () => errors,
    async close() {
      // Bodies of responses still streaming when a page navigated away may never settle.
      await Promise.race([Promise.allSettled(pending), new Promise((resolve) => setTimeout(resolve, 2_000))]);
      // A Chromium slow to exit on a loaded machine must not fail the suite: the profile is removed either way.
      await Promise.race([context.close(), new Promise((resolve) => setTimeout(resolve, 20_000))]);
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** The few browser globals the page-side callbacks use (the tests' tsconfig has no DOM library). */
export interface PageElement {
  readonly id: string;
  readonly tagName: string;
  readonly className: string;
  readonly textContent: string | null;
  readonly outerHTML: string;
  readonly value: string;
  readonly labels: ArrayLike<PageElement> | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { right: number };
}
export interface PageGlobals {
  readonly innerWidth: number;
  readonly document: {
    readonly documentElement: { scrollWidth: number };
    readonly body: { scrollWidth: number };
    readonly activeElement: PageElement | null;
    getElementById(id: string): PageElement | null;
    querySelectorAll(selectors: string): Iterable<PageElement>;
  };
  readonly sessionStorage: { readonly length: number; key(index: number): string | null };
  readonly localStorage: { readonly length: number };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(ARTIFACTS, `${name}.png`);
  await mkdir(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** How far the page is wider than the viewport (0 when nothing overflows horizontally). */
export async function horizontalOverflow(page: Page): Promise<{ overflow: number; culprits: string[] }> {
  return page.evaluate(() => {
    const { document, innerWidth: width } = globalThis as unknown as PageGlobals;
    const overflow = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth) - width;
    const culprits = overflow <= 0 ? [] : [...document.querySelectorAll("body *")]
      .filter((el) => el.getBoundingClientRect().right > width + 1)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    return { overflow, culprits };
  });
}

/** Form controls without an accessible name (label, aria-label or aria-labelledby). */
export async function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const { document } = globalThis as unknown as PageGlobals;
    const text = (el: PageElement | null) => (el?.textContent ?? "").trim();
    return [...document.querySelectorAll("input:not([type=hidden]), select, textarea")].filter((control) => {
      const byLabel = Array.from(control.labels ?? []).some((label) => text(label) !== "");
      const byAria = (control.getAttribute("aria-label") ?? "").trim() !== "";
      const byRef = (control.getAttribute("aria-labelledby") ?? "").split(/\s+/).some((id) => id !== "" && text(document.getElementById(id)) !== "");
      return !(byLabel || byAria || byRef);
    }).map((el) => el.outerHTML.slice(0, 160));
  });
}

const AXE_SOURCE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const AXE_PATH = "/__test-only__/axe.min.js";

export interface AxeFinding {
  readonly id: string;
  readonly impact: string;
  readonly help: string;
  readonly targets: readonly string[];
}

/**
 * Runs axe-core (from npm, injected as a script) on the page as it is now and
 * returns the serious and critical violations, each with the elements it names.
 */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeFinding[]> {
  // The console's CSP allows only same-origin scripts (no inline ones): the script is served, by the
  // test itself, from a path of the page's own origin, so the policy stays enforced while axe runs.
  await page.route(`**${AXE_PATH}`, (route) => route.fulfill({ path: AXE_SOURCE, contentType: "text/javascript; charset=utf-8" }));
  await page.addScriptTag({ url: new URL(AXE_PATH, page.url()).href });
  return page.evaluate(async () => {
    interface AxeResult { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }
    const axe = (globalThis as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<AxeResult> } }).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact ?? "", help: v.help, targets: v.nodes.slice(0, 5).map((n) => n.target.map(String).join(" ")) }));
  });
}
