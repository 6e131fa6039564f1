import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { PUBLIC_HOST } from './harness.ts';

/** Debian's Chromium (`apt-get install -y chromium`); playwright-core never downloads a browser. */
export const CHROMIUM = process.env.SIGNET_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of every browser test land here (gitignored). */
export const SCREENSHOTS = resolve('test-output/screenshots');

/**
 * Browser tests call this first: false (after a loud warning) without Chromium locally, a failure
 * in CI. Pass the test context from a test to skip it; a suite's `before` hook has no `skip`, so
 * there the caller skips each test itself when this answers false.
 */
export function requireChromium(t?: { skip?: (msg: string) => void }): boolean {
  if (existsSync(CHROMIUM)) return true;
  const msg = `Chromium is not installed at ${CHROMIUM}`;
  if (process.env.SIGNET_REQUIRE_SERVICES === '1') throw new Error(`${msg} and SIGNET_REQUIRE_SERVICES=1`);
  console.warn(`\n!!! SKIPPING browser tests: ${msg}. Run \`apt-get install -y chromium\` (CI does). CI sets SIGNET_REQUIRE_SERVICES=1 so this fails there.\n`);
  t?.skip?.(msg);
  return false;
}

/**
 * Headless Chromium that reaches the test server's hosts (`signet.test`, `*.signet.test`) on
 * loopback and trusts its throwaway certificate. Background networking is off: this machine has
 * no internet, and Chromium would otherwise keep trying to reach Google's hosts.
 */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      `--host-resolver-rules=MAP ${PUBLIC_HOST} 127.0.0.1, MAP *.${PUBLIC_HOST} 127.0.0.1`,
    ],
  });
}

export async function newContext(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true, viewport });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  // From the top: a full-page capture of a scrolled page draws the sticky top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path, fullPage: true });
  return path;
}

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeResult {
  passes: unknown[];
  violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
}

/**
 * axe-core's WCAG 2.0/2.1 A and AA rules on the page as it is: fails on anything serious or
 * critical, prints the rest. The page's context must bypass the CSP (axe is injected as a script).
 */
export async function axeAudit(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<unknown> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
  })) as AxeResult;
  assert.ok(result.passes.length >= 10, `${name}: axe ran (${result.passes.length} rules passed)`);
  if (result.violations.length) console.log(`axe, ${name}: minor/moderate: ${result.violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${name}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), []);
}

/**
 * Asserts `locator` matches nothing now and for `ms` after. Call it once the data that would draw
 * the thing has arrived (e.g. after page.waitForResponse): a single count() can run before the
 * render that follows a response, and would then pass whatever the page was about to show.
 */
export async function assertStaysAbsent(locator: Locator, message: string, ms = 300): Promise<void> {
  const until = Date.now() + ms;
  do {
    assert.equal(await locator.count(), 0, message);
    await new Promise((r) => setTimeout(r, 25));
  } while (Date.now() < until);
}
