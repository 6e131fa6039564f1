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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { axeAudit, launchBrowser, newContext, requireChromium, screenshot } from '../support/browser.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';
import { freePort } from '../support/free-port.ts';
import { addCredential, enableCredentials, keyPairFor } from '../support/fixtures.ts';
import { waitFor } from '../support/token-load.ts';

/** An element's top in page coordinates (the page may scroll to show an error; that is not a jump). */
const pageY = (locator: import('playwright-core').Locator) => locator.evaluate((el) => el.getBoundingClientRect().top + window.scrollY);

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

  before(async () => {
    available = requireChromium();
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
  async function signedIn(viewport?: { width: number; height: number }, region?: { locale: string; timezoneId: string }): Promise<{ context: BrowserContext; page: Page; dialogs: string[] }> {
    const context = region ? await browser.newContext({ ignoreHTTPSErrors: true, viewport: viewport ?? { width: 1280, height: 800 }, ...region }) : await newContext(browser, viewport);
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

    // Turn Private Key JWT on: the confirmation says the secret stops working and offers the one credential.
    await page.getByLabel('Private Key JWT', { exact: true }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const switchDialog = page.getByRole('dialog');
    await switchDialog.getByText('The client secret stops working at once').waitFor();
    assert.equal(await switchDialog.getByRole('checkbox', { name: /backend key 1/ }).isChecked(), true, 'the only credential is preselected');
    await switchDialog.getByRole('button', { name: 'Switch to Private Key JWT' }).click();
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

    // Deleting the credential that is in use is not offered, and the row says why.
    assert.equal(await page.getByRole('button', { name: 'Delete backend key 1' }).isDisabled(), true);
    await page.getByText('Enabled credentials cannot be deleted: disable it first').waitFor();
    assert.equal((await h.defaultTenant.api('GET', `/clients/${clientId}/credentials`)).body.length, 1);

    // Logs show the success for this application.
    await page.getByRole('link', { name: 'Logs', exact: true }).click();
    await page.getByLabel('Event type').selectOption('seccft');
    await page.getByLabel('Application').selectOption({ label: 'Orders backend' });
    // The list keeps the previous rows while it reloads, so it is read until it has settled on
    // rows that all match the filters (a filter the list ignored never gets there).
    const listSettles = async (atLeast: number, match: (row: string) => boolean) => {
      let shown: string[] = [];
      await waitFor(async () => {
        shown = await page.locator('tbody:not([aria-busy]) > tr').allInnerTexts();
        return shown.length >= atLeast && shown.every(match);
      }, 10_000).catch(() => assert.fail(`the filtered list shows:\n${shown.join('\n')}`));
    };
    await listSettles(2, (r) => r.includes('Orders backend') && r.includes('seccft'));
    await screenshot(page, '04-logs');

    // A failed exchange is diagnosed from the same page: the row says why, in the endpoint's words.
    const wrongAud = jwt.sign({ jti: randomUUID() }, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, {
      algorithm: 'RS256', issuer: clientId, subject: clientId, audience: `${h.defaultTenant.issuer}oauth/token`, expiresIn: 60,
    });
    const failed = await h.token(h.defaultTenant, { grant_type: 'client_credentials', audience: 'https://orders.example/', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: wrongAud });
    assert.equal(failed.status, 401);
    await page.getByLabel('Event type').selectOption('feccft');
    await listSettles(1, (r) => r.includes('Orders backend') && r.includes('feccft'));
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
    // The application filter is filled by its own request: the name must be in the page before its harmlessness means anything.
    await page.getByRole('main').locator('option', { hasText: XSS }).waitFor({ state: 'attached' });
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
    const audit = (name: string) => axeAudit(page, name);
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

  /**
   * An application made through the Management API with `n` RSA credentials (named k1…kn, k1
   * oldest), the first `enabled` of them enabled for Private Key JWT (none: it keeps its client
   * secret), opened on its Credentials tab.
   */
  async function appWithCredentials(page: Page, opts: { n: number; enabled?: number; appType?: string; name?: string }): Promise<{ clientId: string; ids: string[] }> {
    const made = await h.defaultTenant.api('POST', '/clients', { name: opts.name ?? `guarded ${randomUUID().slice(0, 8)}`, app_type: opts.appType ?? 'non_interactive' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const clientId: string = made.body.client_id;
    const ids: string[] = [];
    for (let i = 1; i <= opts.n; i++) ids.push((await addCredential(h.defaultTenant, clientId, keyPairFor('RS256').publicKeyPem, 'RS256', `k${i}`)).id);
    if (opts.enabled) assert.equal((await enableCredentials(h.defaultTenant, clientId, ids.slice(0, opts.enabled))).status, 200);
    await page.goto(`${origin}/dashboard/t/default/applications/${clientId}/credentials`);
    await page.getByRole('heading', { name: 'Available Credentials' }).waitFor();
    await page.getByRole('button', { name: `Delete k${opts.n}` }).or(page.getByText('No credentials yet.')).first().waitFor();
    return { clientId, ids };
  }
  const clientOf = async (clientId: string) => (await h.defaultTenant.api('GET', `/clients/${clientId}`)).body as { token_endpoint_auth_method: string | null; client_authentication_methods?: { private_key_jwt: { credentials: { id: string }[] } } };
  const enabledOf = async (clientId: string) => (await clientOf(clientId)).client_authentication_methods?.private_key_jwt.credentials.map((c) => c.id) ?? [];

  test('disabling the last enabled credential asks first and says the application will get no tokens', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const { clientId, ids } = await appWithCredentials(page, { n: 1, enabled: 1, name: 'Last key app' });
    await page.getByRole('button', { name: 'Disable k1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Disable the last enabled credential?' }).waitFor();
    assert.match(await dialog.innerText(), /Last key app\s+cannot get tokens until you enable another credential/);
    await screenshot(page, '11-disable-last-credential');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(await enabledOf(clientId), ids, 'Cancel changes nothing');
    await page.getByRole('button', { name: 'Disable k1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable and stop tokens' }).click();
    await page.getByText('Private Key JWT is active but no credential is enabled').waitFor();
    assert.deepEqual(await enabledOf(clientId), []);
  });

  test('"Enable" on an application with a client secret asks first: it switches to Private Key JWT and the secret stops working', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const { clientId, ids } = await appWithCredentials(page, { n: 1 });
    assert.equal((await clientOf(clientId)).token_endpoint_auth_method, 'client_secret_post');
    await page.getByRole('button', { name: 'Enable k1' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('heading', { name: 'Switch to Private Key JWT?' }).waitFor();
    assert.match(await dialog.innerText(), /The client secret stops working at once/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await clientOf(clientId)).token_endpoint_auth_method, 'client_secret_post', 'Cancel keeps the secret');
    assert.deepEqual(await enabledOf(clientId), []);
    await page.getByRole('button', { name: 'Enable k1' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Enable and switch' }).click();
    await page.getByText('Enabled', { exact: true }).first().waitFor();
    assert.deepEqual(await enabledOf(clientId), ids);
  });

  test('saving Private Key JWT names the consequence and lets the user pick the credentials to enable, at most two', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const { clientId, ids } = await appWithCredentials(page, { n: 3 });
    await page.getByLabel('Private Key JWT', { exact: true }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('The client secret stops working at once').waitFor();
    const box = (name: string) => dialog.getByRole('checkbox', { name: new RegExp(`^${name} `) });
    const confirm = dialog.getByRole('button', { name: 'Switch to Private Key JWT' });
    for (const k of ['k1', 'k2', 'k3']) assert.equal(await box(k).isChecked(), false, `${k} is not picked for the user`);
    assert.equal(await confirm.isDisabled(), true, 'nothing picked, nothing to switch to');
    // The oldest and the newest: not what "the newest two" would have been.
    await box('k1').check();
    await box('k3').check();
    assert.equal(await box('k2').isDisabled(), true, 'a third cannot be picked');
    await screenshot(page, '12-pick-credentials');
    await confirm.click();
    await page.getByText('Saved. Private Key JWT is now the authentication method.').waitFor();
    assert.deepEqual((await enabledOf(clientId)).sort(), [ids[0]!, ids[2]!].sort());
    assert.equal((await clientOf(clientId)).token_endpoint_auth_method, null);
  });

  test('None is not offered to a Machine to Machine application, and on a web application its consequence is named first', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const m2m = await appWithCredentials(page, { n: 0 });
    const none = page.getByLabel('None', { exact: true });
    assert.equal(await none.isDisabled(), true);
    await page.getByText('Not for Machine to Machine applications').waitFor();
    assert.equal((await clientOf(m2m.clientId)).token_endpoint_auth_method, 'client_secret_post');
    const web = await appWithCredentials(page, { n: 0, appType: 'regular_web' });
    await page.getByLabel('None', { exact: true }).check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const dialog = page.getByRole('dialog');
    assert.match(await dialog.innerText(), /client secret stops working at once[\s\S]*becomes public/);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await clientOf(web.clientId)).token_endpoint_auth_method, 'client_secret_post', 'Cancel changes nothing');
  });

  test('a third Enable and deleting an enabled credential are not offered, with the reason; a refusal from a stale page reads as a sentence and clears on the next action', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const { clientId, ids } = await appWithCredentials(page, { n: 3, enabled: 2 });
    assert.equal(await page.getByRole('button', { name: 'Enable k3' }).isDisabled(), true);
    await page.getByText('2 credentials are enabled, the most at once. Disable one to enable this one.').waitFor();
    for (const k of ['k1', 'k2']) assert.equal(await page.getByRole('button', { name: `Delete ${k}` }).isDisabled(), true);
    assert.equal(await page.getByRole('button', { name: 'Delete k3' }).isDisabled(), false);
    await screenshot(page, '13-limits-explained');

    // Another admin enables a second credential after this page loaded: the page still offers Enable.
    assert.equal((await enableCredentials(h.defaultTenant, clientId, [ids[0]!])).status, 200);
    await page.reload();
    await page.getByRole('button', { name: 'Enable k3' }).waitFor();
    assert.equal((await enableCredentials(h.defaultTenant, clientId, [ids[0]!, ids[1]!])).status, 200);
    await page.getByRole('button', { name: 'Enable k3' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'Only 2 credentials can be enabled at once. Disable one before enabling another.' });
    await refusal.waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /Array is too long/);
    // Acting again clears it.
    await page.getByRole('button', { name: 'Edit expiry of k3' }).click();
    assert.equal(await refusal.count(), 0, 'the refusal is gone once the user acts again');
    // The page still thinks k2 is disabled, so it offers Delete; the server's refusal is worded for people.
    await page.getByRole('button', { name: 'Delete k2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('alert').filter({ hasText: 'This credential is enabled, so it cannot be deleted. Disable it first, then delete it.' }).waitFor();
    assert.doesNotMatch(await page.locator('main').innerText(), /client_authentication_methods|still associated/);
    assert.deepEqual((await enabledOf(clientId)).sort(), [ids[0]!, ids[1]!].sort(), 'nothing changed');
  });

  test('Add New Credential is disabled at 4 of 4 credentials, with the reason', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const { clientId } = await appWithCredentials(page, { n: 4 });
    const add = page.getByRole('button', { name: 'Add New Credential' });
    assert.equal(await add.isDisabled(), true);
    await page.getByText('This application has 4 of 4 credentials, the most allowed. Delete one to add another.').waitFor();
    await page.getByRole('button', { name: 'Delete k2' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('button', { name: 'Delete k2' }).waitFor({ state: 'detached' });
    assert.equal(await add.isDisabled(), false, 'below the limit the button is back');
    assert.equal((await h.defaultTenant.api('GET', `/clients/${clientId}/credentials`)).body.length, 3);
  });

  test('the algorithm follows the key: an EC P-256 key gets ES256, P-384 ES384, RSA the RS/PS family; the credential is created as shown', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn();
    t.after(() => context.close());
    const { clientId } = await appWithCredentials(page, { n: 0 });
    await page.getByRole('button', { name: 'Add New Credential' }).click();
    const pem = page.getByLabel('Public key or certificate (PEM)');
    const alg = page.getByLabel('Algorithm');
    const options = () => alg.locator('option').allInnerTexts();
    assert.equal(await alg.inputValue(), 'RS256', 'RS256 before any key');
    await pem.fill(keyPairFor('ES384').publicKeyPem);
    assert.deepEqual(await options(), ['ES384']);
    await pem.fill(keyPairFor('RS256').publicKeyPem);
    assert.deepEqual(await options(), ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']);
    await alg.selectOption('PS256');
    await pem.fill(keyPairFor('EdDSA').publicKeyPem);
    assert.deepEqual(await options(), ['EdDSA']);
    // A certificate's key is read too (a self-signed P-384 certificate made by openssl).
    const certDir = mkdtempSync(join(tmpdir(), 'signet-eccert-'));
    t.after(() => rmSync(certDir, { recursive: true, force: true }));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes', '-days', '2', '-subj', '/CN=ec', '-keyout', join(certDir, 'k.pem'), '-out', join(certDir, 'c.pem')], { stdio: 'ignore' });
    await pem.fill(readFileSync(join(certDir, 'c.pem'), 'utf8'));
    assert.deepEqual(await options(), ['ES384']);
    await page.getByText('Detected: X.509 certificate with an EC P-384 key.').waitFor();
    await pem.fill(keyPairFor('ES256').publicKeyPem);
    assert.equal(await alg.inputValue(), 'ES256');
    await page.getByText('Detected: EC P-256 key.').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('ec key');
    await page.getByRole('button', { name: 'Add Credential' }).click();
    await page.getByRole('button', { name: 'Delete ec key' }).waitFor();
    const creds = (await h.defaultTenant.api('GET', `/clients/${clientId}/credentials`)).body as { alg: string }[];
    assert.deepEqual(creds.map((c) => c.alg), ['ES256']);
  });

  test('dates read as people write them ("1 Mar 2027, 14:05" in en-GB), never as ISO strings', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn(undefined, { locale: 'en-GB', timezoneId: 'Europe/London' });
    t.after(() => context.close());
    const made = await h.defaultTenant.api('POST', '/clients', { name: 'Dated app', app_type: 'non_interactive' });
    const clientId: string = made.body.client_id;
    const cred = await h.defaultTenant.api('POST', `/clients/${clientId}/credentials`, { credential_type: 'public_key', name: 'dated', pem: keyPairFor('RS256').publicKeyPem, expires_at: '2027-03-01T14:05:00.000Z' });
    assert.equal(cred.status, 201, JSON.stringify(cred.body));
    await page.goto(`${origin}/dashboard/t/default/applications/${clientId}/credentials`);
    const row = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'dated' }) });
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /Expires\s+1 Mar 2027, 14:05(?![:\d])/, 'minutes, not seconds');
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/);
    await page.goto(`${origin}/dashboard/t/default/logs`);
    // The table (with skeleton rows) renders before the events arrive: wait for a real row.
    await page.locator('main tr.log-row').first().waitFor();
    const logs = await page.locator('main').innerText();
    assert.doesNotMatch(logs, /\d{4}-\d{2}-\d{2}T\d{2}:/, 'no ISO instants in the logs list');
    assert.match(logs, /\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2}(?![:\d])/);
  });

  test('works at phone width: no sideways scrolling on the Credentials tab', async (t) => {
    if (!available) return t.skip('no Chromium');
    const { context, page } = await signedIn({ width: 390, height: 844 });
    t.after(() => context.close());
    const apps = (await h.defaultTenant.api('GET', '/clients')).body as { client_id: string; name: string }[];
    const app = apps.find((a) => a.name === 'Orders backend') ?? apps[0]!;
    await page.goto(`${origin}/dashboard/t/default/applications/${app.client_id}/credentials`);
    await page.getByRole('heading', { name: 'Authentication Methods' }).waitFor();
    // Measured once the credential rows (long Key IDs) and the Try it snippets, which come with them, are drawn.
    await page.locator('.cred-name').first().waitFor();
    await page.getByRole('region', { name: 'Try it' }).locator('pre').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 1, `page is ${overflow}px wider than the phone`);
    await screenshot(page, '10-phone-credentials');
  });
});
