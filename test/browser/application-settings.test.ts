/**
 * A Regular Web Application's Settings tab in Chromium: Allowed Callback URLs, Allowed Logout
 * URLs and Grant Types edited, a URL the server would refuse explained next to its field before
 * anything is sent, saved through the Management API, still there after a reload; what other
 * application types are offered; the express-openid-connect example on the Try it panel of a
 * Regular Web Application only. axe-core checks each state. Screenshots under test-output/screenshots.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { startSignet, type Harness } from '../support/harness.ts';
import { axeAudit, launchBrowser, requireChromium, screenshot } from '../support/browser.ts';
import { keyPairFor } from '../support/fixtures.ts';

const EMAIL = 'web-apps@example.com';
const PASSWORD = 'web apps test passphrase';

describe('Regular Web Application settings in Chromium', { concurrency: false }, () => {
  let h: Harness;
  let browser: Browser;
  let origin: string;
  let available = true;

  before(async () => {
    available = requireChromium();
    if (!available) return;
    h = await startSignet();
    origin = `https://signet.test:${h.port}`;
    await h.services.admins.create(EMAIL, PASSWORD);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await h?.close();
  });

  /** A signed-in page; axe is injected as a script, so only this context bypasses the CSP. */
  async function signedIn(t: { after(fn: () => Promise<void>): void }): Promise<Page> {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, viewport: { width: 1280, height: 900 } });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(`${origin}/dashboard/`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Applications' }).waitFor();
    return page;
  }

  async function createApp(body: Record<string, unknown>): Promise<string> {
    const res = await h.defaultTenant.api('POST', '/clients', body);
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body.client_id as string;
  }
  const stored = async (clientId: string) =>
    (await h.defaultTenant.api('GET', `/clients/${clientId}`)).body as { callbacks: string[]; allowed_logout_urls?: string[]; grant_types: string[] };
  const open = async (page: Page, clientId: string, name: string, tab = 'settings') => {
    await page.goto(`${origin}/dashboard/t/default/applications/${clientId}/${tab}`);
    await page.getByRole('heading', { name, exact: true }).waitFor();
  };

  test('callbacks, logout URLs and grant types: a refused URL is explained by its field, saved values survive a reload', async (t) => {
    if (!available) return t.skip('no Chromium');
    const clientId = await createApp({ name: 'Shop web', app_type: 'regular_web' });
    assert.deepEqual((await stored(clientId)).grant_types, ['authorization_code', 'refresh_token', 'client_credentials']);
    const page = await signedIn(t);
    await open(page, clientId, 'Shop web');

    const uris = page.getByRole('region', { name: 'Application URIs' });
    const grants = page.getByRole('region', { name: 'Grant Types' });
    const callbacks = uris.getByLabel('Allowed Callback URLs');
    const logout = uris.getByLabel('Allowed Logout URLs');
    assert.equal(await callbacks.inputValue(), '');
    assert.equal(await logout.inputValue(), '');
    for (const name of ['Authorization Code', 'Refresh Token', 'Client Credentials']) assert.equal(await grants.getByLabel(name).isChecked(), true, name);
    await axeAudit(page, 'regular web application settings');

    // Comma-separated and one per line both work; plain http off localhost is refused, saying why.
    await callbacks.fill('https://shop.example/callback, http://localhost:3000/callback');
    await logout.fill('http://shop.example/');
    await uris.getByText('Unsaved changes.').waitFor();
    await uris.getByRole('button', { name: 'Save Changes' }).click();
    const refusal = uris.getByRole('alert').filter({ hasText: '“http://shop.example/” must use https. Plain http is allowed only for localhost and 127.0.0.1.' });
    await refusal.waitFor();
    // Next to the field it is about, tied to it for assistive technology.
    assert.equal(await logout.getAttribute('aria-invalid'), 'true');
    assert.match((await logout.getAttribute('aria-describedby')) ?? '', new RegExp(`${await refusal.getAttribute('id')}`));
    assert.equal(await callbacks.getAttribute('aria-invalid'), null);
    await screenshot(page, 'application-uris-refused');
    await axeAudit(page, 'application URIs with a refused URL');
    assert.deepEqual((await stored(clientId)).callbacks, [], 'nothing was sent');

    // A fragment and a wildcard are refused too.
    await logout.fill('https://shop.example/#bye');
    await uris.getByRole('button', { name: 'Save Changes' }).click();
    await uris.getByRole('alert').filter({ hasText: 'contains a fragment (#)' }).waitFor();
    await callbacks.fill('https://*.shop.example/callback');
    await uris.getByRole('button', { name: 'Save Changes' }).click();
    await uris.getByRole('alert').filter({ hasText: 'contains a wildcard (*)' }).waitFor();

    await callbacks.fill('https://shop.example/callback, http://localhost:3000/callback');
    await logout.fill('https://shop.example/\nhttp://localhost:3000');
    await uris.getByRole('button', { name: 'Save Changes' }).click();
    await uris.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    assert.equal(await uris.getByRole('alert').count(), 0);
    assert.equal(await callbacks.inputValue(), 'https://shop.example/callback\nhttp://localhost:3000/callback', 'shown one per line as stored');
    let now = await stored(clientId);
    assert.deepEqual(now.callbacks, ['https://shop.example/callback', 'http://localhost:3000/callback']);
    assert.deepEqual(now.allowed_logout_urls, ['https://shop.example/', 'http://localhost:3000']);

    // Grant types: Refresh Token and Client Credentials off.
    await grants.getByLabel('Refresh Token').uncheck();
    await grants.getByLabel('Client Credentials').uncheck();
    await grants.getByText('Unsaved changes.').waitFor();
    await grants.getByRole('button', { name: 'Save Changes' }).click();
    await grants.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    assert.deepEqual((await stored(clientId)).grant_types, ['authorization_code']);

    await page.reload();
    await page.getByRole('heading', { name: 'Shop web', exact: true }).waitFor();
    await callbacks.waitFor();
    assert.equal(await callbacks.inputValue(), 'https://shop.example/callback\nhttp://localhost:3000/callback');
    assert.equal(await logout.inputValue(), 'https://shop.example/\nhttp://localhost:3000');
    assert.equal(await grants.getByLabel('Authorization Code').isChecked(), true);
    assert.equal(await grants.getByLabel('Refresh Token').isChecked(), false);
    assert.equal(await grants.getByLabel('Client Credentials').isChecked(), false);
    assert.equal(await uris.getByText('Unsaved changes.').count(), 0);
    await screenshot(page, 'application-uris-saved');

    // Emptied lists are saved as empty lists.
    await callbacks.fill('');
    await uris.getByRole('button', { name: 'Save Changes' }).click();
    await uris.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    now = await stored(clientId);
    assert.deepEqual(now.callbacks, []);
    assert.deepEqual(now.allowed_logout_urls, ['https://shop.example/', 'http://localhost:3000']);

    // A refusal only the server can make (the application is gone) is shown on the card.
    assert.equal((await h.defaultTenant.api('DELETE', `/clients/${clientId}`)).status, 204);
    await callbacks.fill('https://shop.example/callback');
    await uris.getByRole('button', { name: 'Save Changes' }).click();
    await uris.getByRole('alert').filter({ hasText: /not found/i }).waitFor();
  });

  test('other types: a SPA is not offered Client Credentials; a Machine to Machine application has no URIs', async (t) => {
    if (!available) return t.skip('no Chromium');
    const spa = await createApp({ name: 'Shop SPA', app_type: 'spa' });
    const m2m = await createApp({ name: 'Shop worker', app_type: 'non_interactive' });
    const page = await signedIn(t);

    await open(page, spa, 'Shop SPA');
    const grants = page.getByRole('region', { name: 'Grant Types' });
    await grants.getByLabel('Authorization Code').waitFor();
    assert.equal(await grants.getByLabel('Client Credentials').count(), 0);
    await page.getByRole('region', { name: 'Application URIs' }).getByLabel('Allowed Callback URLs').fill('http://localhost:5173/');
    await page.getByRole('region', { name: 'Application URIs' }).getByRole('button', { name: 'Save Changes' }).click();
    await page.getByRole('region', { name: 'Application URIs' }).getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    assert.deepEqual((await stored(spa)).callbacks, ['http://localhost:5173/']);

    await open(page, m2m, 'Shop worker');
    await page.getByRole('region', { name: 'Grant Types' }).getByLabel('Client Credentials').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Application URIs' }).count(), 0);
  });

  test('Try it: a Regular Web Application gets the express-openid-connect example beside the token examples; Machine to Machine does not', async (t) => {
    if (!available) return t.skip('no Chromium');
    const keys = keyPairFor('ES256');
    const credentials = [{ credential_type: 'public_key', name: 'web key', pem: keys.publicKeyPem, alg: 'ES256' }];
    const web = await createApp({ name: 'Shop portal', app_type: 'regular_web', client_authentication_methods: { private_key_jwt: { credentials } } });
    const m2m = await createApp({ name: 'Shop batch', app_type: 'non_interactive', client_authentication_methods: { private_key_jwt: { credentials } } });
    const page = await signedIn(t);

    await open(page, web, 'Shop portal', 'credentials');
    // The snippets take the algorithm from the credentials, which arrive by their own request:
    // their row is drawn in the same render, so once it is there the snippets name ES256.
    await page.getByRole('heading', { name: 'web key' }).waitFor();
    const tryIt = page.getByRole('region', { name: 'Try it' });
    for (const name of ['jsonwebtoken', 'jose', 'curl', 'signet token']) await tryIt.getByRole('tab', { name, exact: true }).waitFor();
    await tryIt.getByRole('tab', { name: 'express-openid-connect' }).click();
    const code = await tryIt.locator('pre').innerText();
    for (const part of [
      `issuerBaseURL: '${h.defaultTenant.issuer}'`,
      "baseURL: 'http://localhost:3001'",
      `clientID: '${web}'`,
      "clientAuthMethod: 'private_key_jwt'",
      "clientAssertionSigningKey: readFileSync('private.pem')",
      "clientAssertionSigningAlg: 'ES256'",
      "response_type: 'code'",
      'req.oidc.user',
    ]) {
      assert.ok(code.includes(part), `${part} in:\n${code}`);
    }
    // The session secret is generated in the browser: long, random, never a placeholder.
    const secret = /secret: '([^']*)'/.exec(code)?.[1] ?? '';
    assert.match(secret, /^[A-Za-z0-9_-]{43}$/);
    await tryIt.getByText(/add http:\/\/localhost:3001\/callback to Allowed Callback URLs and http:\/\/localhost:3001 to Allowed Logout URLs/).waitFor();
    await screenshot(page, 'try-it-express-openid-connect');
    await axeAudit(page, 'try it with the express-openid-connect example');

    await open(page, m2m, 'Shop batch', 'credentials');
    await page.getByRole('region', { name: 'Try it' }).getByRole('tab', { name: 'jsonwebtoken' }).waitFor();
    assert.equal(await page.getByRole('region', { name: 'Try it' }).getByRole('tab', { name: 'express-openid-connect' }).count(), 0);
  });
});
