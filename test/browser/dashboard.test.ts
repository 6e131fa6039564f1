/**
 * The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
 * Signet over HTTPS: the five-minute path of a new user (sign in, API, M2M app, public key,
 * Private Key JWT, token, Logs), the refusals and explanations, and the browser-side security
 * properties (no script execution from names, no script access to the session, no cross-site
 * writes). Every test saves a screenshot under test-output/screenshots.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { launchBrowser, newContext, requireChromium, screenshot } from '../support/browser.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';
import { freePort } from '../support/free-port.ts';
import { createRequire } from 'node:module';

/** An element's top in page coordinates (the page may scroll to show an error; that is not a jump). */
const pageY = (locator: import('playwright-core').Locator) => locator.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

const EMAIL = 'admin@example.com';

/** Form fields hold values, not text: poll the value (a file read by FileReader lands a moment later). */
async function waitForValue(locator: import('playwright-core').Locator, pattern: RegExp, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await locator.inputValue();
    if (pattern.test(value)) return;
    if (Date.now() > end) throw new Error(`field value never matched ${pattern}: ${JSON.stringify(value.slice(0, 80))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const PASSWORD = 'browser test passphrase';
const XSS = '<img src=x onerror=alert(1)>';

describe('dashboard in Chromium', { concurrency: false }, () => {
  let h: Harness;
  let browser: Browser;
  let origin: string;
  let pro: TestTenant;
  let work: string;
  let available = true;

  before(async (t) => {
    available = requireChromium(t as unknown as { skip(msg: string): void });
    if (!available) return;
    h = await startSignet();
    origin = `https://signet.test:${h.port}`;
    await h.services.admins.create(EMAIL, PASSWORD);
    pro = await h.createTenant('professional', 'prosper');
    browser = await launchBrowser();
    work = mkdtempSync(join(tmpdir(), 'signet-browser-'));
  });
  after(async () => {
    await browser?.close();
    await h?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** A fresh browser context, signed in through the form, on the Applications page. */
  async function signedIn(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; dialogs: string[] }> {
    const context = await newContext(browser, viewport);
    const page = await context.newPage();
    const dialogs: string[] = [];
    // Any alert() at all would mean script injected through a name ran.
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${origin}/dashboard/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    return { context, page, dialogs };
  }

  async function createApp(page: Page, name: string, type: string, api?: string): Promise<string> {
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('button', { name: 'Create Application' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel(type, { exact: true }).check();
    if (api) await dialog.getByLabel('Authorize for API').selectOption({ label: api });
    await dialog.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/applications\/[A-Za-z0-9]{32}\//);
    return /\/applications\/([A-Za-z0-9]{32})\//.exec(page.url())![1]!;
  }

  test('sign in with the keyboard alone; the session cookie is HttpOnly, Secure, SameSite=Strict and invisible to script', async (t) => {
    if (!available) return t.skip('no Chromium');
    const context = await newContext(browser);
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`${origin}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in to Signet' }).waitFor();
    await screenshot(page, '01-sign-in');
    // Wrong password first: the error appears and the form stays usable.
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not the password!!');
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'Wrong email or password' }).waitFor();
    await page.getByLabel('Password').fill('');
    await page.getByLabel('Password').focus();
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Applications' }).waitFor();

    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === '__Host-signet_session');
    assert.ok(session, `session cookie set: ${cookies.map((c) => c.name)}`);
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Strict');
    assert.equal(await page.evaluate(() => document.cookie), '');
  });

  test('the five-minute path: API, M2M app, upload a public key, enable Private Key JWT, get a token, see it in Logs', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page, dialogs } = await signedIn();
    t.after(() => context.close());

    // An API for the token.
    await page.getByRole('link', { name: 'APIs', exact: true }).click();
    await page.getByRole('button', { name: 'Create API' }).click();
    const apiDialog = page.getByRole('dialog');
    await apiDialog.getByLabel('Name').fill('Orders API');
    await apiDialog.getByLabel('Identifier').fill('https://orders.example/');
    await apiDialog.getByLabel('Scopes').fill('read:orders write:orders');
    await apiDialog.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('heading', { name: 'Orders API' }).waitFor();

    // A Machine to Machine application authorized for it.
    const clientId = await createApp(page, 'Orders backend', 'Machine to Machine', 'Orders API');
    await page.getByRole('tab', { name: 'Credentials' }).click();
    await page.getByRole('heading', { name: 'Available Credentials' }).waitFor();

    // The key pair is made here, in the "backend"; only the public half goes to the browser.
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const publicPem = join(work, 'public.pem');
    writeFileSync(publicPem, publicKey.export({ type: 'spki', format: 'pem' }) as string);
    await page.getByRole('button', { name: 'Add New Credential' }).click();
    await page.getByLabel('Name', { exact: true }).fill('backend key 1');
    await page.getByLabel('Upload a PEM file').setInputFiles(publicPem);
    await waitForValue(page.getByLabel('Public key or certificate (PEM)'), /BEGIN PUBLIC KEY/);
    assert.equal(await page.getByLabel('Algorithm').inputValue(), 'RS256', 'RS256 is preselected');
    await page.getByRole('button', { name: 'Add Credential' }).click();
    await page.getByRole('cell', { name: 'backend key 1' }).or(page.getByText('backend key 1', { exact: true })).first().waitFor();

    // Turn Private Key JWT on.
    await page.getByLabel('Private Key JWT', { exact: true }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('Enabled', { exact: true }).first().waitFor();
    const client = await h.defaultTenant.api('GET', `/clients/${clientId}`);
    assert.equal(client.body.client_authentication_methods.private_key_jwt.credentials.length, 1);
    await screenshot(page, '02-credentials-tab');

    // The backend signs an assertion with its private key and gets a token.
    const assertionFor = () =>
      jwt.sign({ jti: randomUUID() }, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
        algorithm: 'RS256',
        issuer: clientId,
        subject: clientId,
        audience: h.defaultTenant.issuer,
        expiresIn: 60,
      });
    const token = await h.token(h.defaultTenant, {
      grant_type: 'client_credentials',
      audience: 'https://orders.example/',
      client_assertion_type: CLIENT_ASSERTION_TYPE,
      client_assertion: assertionFor(),
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    assert.equal(token.body.scope, 'read:orders write:orders');

    // The snippet on the page carries the real values.
    const tryIt = page.getByRole('region', { name: 'Try it' }).or(page.locator('section', { has: page.getByRole('heading', { name: 'Try it' }) })).first();
    await tryIt.scrollIntoViewIfNeeded();
    const snippet = await tryIt.locator('pre').first().innerText();
    assert.ok(snippet.includes(clientId), 'client ID in the snippet');
    assert.ok(snippet.includes(h.defaultTenant.issuer), 'assertion audience in the snippet');

    // The assertion checker: the pasted text is checked exactly as the token endpoint would read
    // it (whitespace around it is refused there, so here too, saying why)...
    const checked = assertionFor();
    await page.getByLabel('Client assertion').fill(` ${checked}\n`);
    await page.getByRole('button', { name: 'Check assertion' }).click();
    await page.getByText('1 check failed').waitFor();
    await page.getByText(/contains whitespace/).waitFor();
    // ...and as issued, all checks pass, and the assertion still works afterwards.
    await page.getByLabel('Client assertion').fill(checked);
    await page.getByRole('button', { name: 'Check assertion' }).click();
    await page.getByText('All checks passed').waitFor();
    await screenshot(page, '03-assertion-checker');
    const after = await h.token(h.defaultTenant, { grant_type: 'client_credentials', audience: 'https://orders.example/', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: checked });
    assert.equal(after.status, 200, 'checking did not spend the jti');

    // Deleting the credential that is in use is refused, with the reason next to it.
    await page.getByRole('button', { name: 'Delete backend key 1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alert').filter({ hasText: 'Cannot delete credential still associated with a client' }).waitFor();
    assert.equal((await h.defaultTenant.api('GET', `/clients/${clientId}/credentials`)).body.length, 1);

    // Logs show the success for this application.
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await page.getByLabel('Event type').selectOption('seccft');
    await page.getByLabel('Application').selectOption({ label: 'Orders backend' });
    await page.getByRole('row').filter({ hasText: 'Orders backend' }).first().waitFor();
    const rows = page.getByRole('row').filter({ hasText: 'seccft' });
    assert.ok((await rows.count()) >= 2);
    await screenshot(page, '04-logs');

    // A failed exchange is diagnosed from the same page: the row says why, in the endpoint's words.
    const wrongAud = jwt.sign({ jti: randomUUID() }, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
      algorithm: 'RS256', issuer: clientId, subject: clientId, audience: `${h.defaultTenant.issuer}oauth/token`, expiresIn: 60,
    });
    const failed = await h.token(h.defaultTenant, { grant_type: 'client_credentials', audience: 'https://orders.example/', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: wrongAud });
    assert.equal(failed.status, 401);
    await page.getByLabel('Event type').selectOption('feccft');
    const failureRow = page.getByRole('row').filter({ hasText: failed.body.error_description });
    await failureRow.first().waitFor();
    assert.match(await failureRow.first().innerText(), /Orders backend/);
    await screenshot(page, '04b-logs-failure');
    assert.deepEqual(dialogs, []);
  });

  test('a private key pasted as a credential is refused next to the field, cleared, and nothing is stored', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const clientId = await createApp(page, 'Refusal demo', 'Machine to Machine');
    await page.getByRole('tab', { name: 'Credentials' }).click();
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    await page.getByRole('button', { name: 'Add New Credential' }).click();
    await page.getByLabel('Name', { exact: true }).fill('oops');
    await page.getByLabel('Public key or certificate (PEM)').fill(pem);
    const algBefore = await pageY(page.getByLabel('Algorithm'));
    await page.getByRole('button', { name: 'Add Credential' }).click();
    const alert = page.getByRole('alert').filter({ hasText: /private key/i });
    await alert.waitFor();
    // The message takes space kept for it: the fields below do not jump.
    assert.equal(await pageY(page.getByLabel('Algorithm')), algBefore);
    await screenshot(page, '05-private-key-refused');
    assert.equal(await page.getByLabel('Public key or certificate (PEM)').inputValue(), '', 'the private key is not kept on the page');
    assert.ok(!(await page.content()).includes(pem.split('\n')[1]!), 'nor anywhere in the DOM');
    // A refusal only the server can make (key size) is shown by the field the same way.
    const weak = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }) as string;
    await page.getByLabel('Public key or certificate (PEM)').fill(weak);
    await page.getByRole('button', { name: 'Add Credential' }).click();
    await page.getByRole('alert').filter({ hasText: 'The RSA key is too small: 1024 bits' }).waitFor();
    assert.equal(await pageY(page.getByLabel('Algorithm')), algBefore);
    assert.deepEqual((await h.defaultTenant.api('GET', `/clients/${clientId}/credentials`)).body, []);
  });

  test('a Single Page Application says why it has no credentials, and offers an M2M app', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    await createApp(page, 'Storefront SPA', 'Single Page Application');
    await page.getByRole('tab', { name: 'Credentials' }).click();
    await page.getByRole('heading', { name: 'Private Key JWT is not available for this application' }).waitFor();
    const text = await page.locator('main').innerText();
    assert.match(text, /cannot keep a private key secret/i);
    assert.match(text, /Machine to Machine/);
    assert.equal(await page.getByRole('button', { name: 'Add New Credential' }).count(), 0);
    await screenshot(page, '06-spa-explanation');
    await page.getByRole('button', { name: 'Create a Machine to Machine application' }).click();
    assert.equal(await page.getByRole('dialog').getByLabel('Machine to Machine', { exact: true }).isChecked(), true);
  });

  test('on a Professional tenant the Credentials tab names the plan needed', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    await page.getByLabel('Tenant').selectOption({ label: `${pro.tenant} — Professional` });
    await page.waitForURL(new RegExp(`/t/${pro.tenant}/`));
    await createApp(page, 'Pro backend', 'Regular Web Application');
    await page.getByRole('tab', { name: 'Credentials' }).click();
    await page.getByRole('heading', { name: 'Private Key JWT requires the Enterprise plan' }).waitFor();
    assert.match(await page.locator('main').innerText(), /This tenant is on the Professional plan/);
    await screenshot(page, '07-plan-required');
    // Created on the tenant the switcher named, not on the default one.
    assert.ok((await pro.api('GET', '/clients')).body.some((c: { name: string }) => c.name === 'Pro backend'));
    assert.ok(!(await h.defaultTenant.api('GET', '/clients')).body.some((c: { name: string }) => c.name === 'Pro backend'));
  });

  test(`names like ${XSS} render as text and never run`, async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page, dialogs } = await signedIn();
    t.after(() => context.close());
    const clientId = await createApp(page, XSS, 'Machine to Machine');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const made = await h.defaultTenant.api('POST', `/clients/${clientId}/credentials`, { credential_type: 'public_key', name: XSS, pem: publicKey.export({ type: 'spki', format: 'pem' }) });
    assert.equal(made.status, 201);
    await page.getByRole('tab', { name: 'Credentials' }).click();
    await page.getByRole('heading', { name: 'Available Credentials' }).waitFor();
    await page.getByText(XSS, { exact: true }).first().waitFor();
    assert.equal(await page.getByRole('heading', { level: 1 }).innerText(), XSS);
    await page.getByRole('link', { name: 'Applications', exact: true }).click();
    await page.getByRole('link', { name: XSS }).waitFor();
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(dialogs, []);
    await screenshot(page, '08-xss-as-text');
  });

  test('a cross-site form POST to the Management API is refused and changes nothing', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const before = (await h.defaultTenant.api('GET', '/clients')).body.length;
    // Another site, on another origin, with a form aimed at Signet.
    const port = await freePort();
    const evil: Server = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html');
      res.end(`<form id="f" method="POST" action="${origin}/api/v2/clients"><input name="name" value="planted"><input name="app_type" value="non_interactive"></form><script>document.getElementById('f').submit()</script>`);
    });
    await new Promise<void>((r) => evil.listen(port, '127.0.0.1', r));
    t.after(() => new Promise<void>((r) => evil.close(() => r())));
    const evilPage = await context.newPage();
    const response = evilPage.waitForResponse((r) => r.url().startsWith(`${origin}/api/v2/clients`));
    await evilPage.goto(`http://127.0.0.1:${port}/`);
    const status = (await response).status();
    assert.ok(status === 401 || status === 403, `refused, got ${status}`);
    await screenshot(evilPage, '09-cross-site-post-refused');
    // Even from the dashboard's own origin, with the cookie, a POST without the CSRF header is refused.
    const direct = await page.evaluate(async () => {
      const r = await fetch('/api/v2/clients', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-signet-tenant': 'default' },
        body: JSON.stringify({ name: 'planted', app_type: 'non_interactive' }),
      });
      return r.status;
    });
    assert.equal(direct, 403);
    const clients = (await h.defaultTenant.api('GET', '/clients')).body as { name: string }[];
    assert.equal(clients.length, before);
    assert.ok(!clients.some((c) => c.name === 'planted'));
  });

  test('every page passes axe-core WCAG 2 A/AA checks (labels, names, contrast, landmarks) with nothing serious', async (t) => {
    if (!available) return t.skip('no Chromium');
    // axe is injected as a script: only this context bypasses the CSP, to let it in.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, viewport: { width: 1280, height: 800 } });
    t.after(() => context.close());
    const page = await context.newPage();
    const audit = async (name: string) => {
      await page.addScriptTag({ path: AXE });
      const result = (await page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ passes: unknown[]; violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
        return axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
      })) as { passes: unknown[]; violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[] };
      assert.ok(result.passes.length >= 10, `${name}: axe ran (${result.passes.length} rules passed)`);
      if (result.violations.length) console.log(`axe, ${name}: minor/moderate: ${result.violations.map((v) => `${v.id} (${v.impact})`).join(', ')}`);
      const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
      assert.deepEqual(serious.map((v) => `${name}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`), []);
    };
    await page.goto(`${origin}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in to Signet' }).waitFor();
    await audit('sign-in');
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    await page.getByRole('table').first().waitFor();
    await audit('applications');
    const apps = (await h.defaultTenant.api('GET', '/clients')).body as { client_id: string; name: string }[];
    const app = apps.find((a) => a.name === 'Orders backend') ?? apps[0]!;
    await page.goto(`${origin}/dashboard/t/default/applications/${app.client_id}/credentials`);
    await page.getByRole('heading', { name: 'Available Credentials' }).waitFor();
    await page.getByRole('button', { name: 'Add New Credential' }).click();
    await audit('credentials');
    await page.goto(`${origin}/dashboard/t/default/apis`);
    await page.getByRole('heading', { name: 'APIs' }).waitFor();
    await audit('apis');
    await page.goto(`${origin}/dashboard/t/default/logs`);
    await page.getByRole('heading', { name: 'Logs' }).waitFor();
    await page.getByRole('table').first().waitFor();
    await audit('logs');
    // The platform audit log, from the navigation: this sign-in is there, with its address.
    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await page.getByRole('row').filter({ hasText: EMAIL }).filter({ hasText: 'Signed in' }).filter({ hasText: '127.0.0.1' }).first().waitFor();
    await audit('audit');
  });

  test('works at phone width: no sideways scrolling on the Credentials tab', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn({ width: 390, height: 844 });
    t.after(() => context.close());
    const apps = (await h.defaultTenant.api('GET', '/clients')).body as { client_id: string; name: string }[];
    const app = apps.find((a) => a.name === 'Orders backend') ?? apps[0]!;
    await page.goto(`${origin}/dashboard/t/default/applications/${app.client_id}/credentials`);
    await page.getByRole('heading', { name: 'Authentication Methods' }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
    await screenshot(page, '10-phone-credentials');
  });
});
