/**
 * The hosted login page in a real browser (Debian's Chromium via playwright-core) against a
 * real Signet over HTTPS, with the application's callback on a local HTTP server: signing in
 * through the form, single sign-on into a second application, form_post, logout; wrong and
 * blocked credentials; names, login_hint and typed input that carry markup are shown as text
 * and never run; axe-core finds nothing serious. Screenshots land in test-output/screenshots.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { axeAudit, launchBrowser, newContext, requireChromium, screenshot } from '../support/browser.ts';
import { freePort } from '../support/free-port.ts';
import { makeUser, pkce } from '../support/authorize-helpers.ts';

const XSS = '<img src=x onerror=alert(1)>';

describe('the hosted login page in Chromium', () => {
  let h: Harness;
  let tenant: TestTenant;
  let browser: Browser;
  let available = false;
  let callbackServer: Server;
  let callback: string;
  /** What the application's callback received, newest last. */
  const received: { method: string; url: URL; body: string }[] = [];

  before(async () => {
    available = requireChromium();
    h = await startSignet();
    tenant = await h.createTenant();
    const port = await freePort();
    callback = `http://127.0.0.1:${port}/callback`;
    callbackServer = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const url = new URL(req.url!, `http://127.0.0.1:${port}`);
        if (url.pathname !== '/callback') return void res.writeHead(404).end();
        received.push({ method: req.method!, url, body });
        res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>App</title><h1>Back in the app</h1>');
      });
    });
    await new Promise<void>((r) => callbackServer.listen(port, '127.0.0.1', r));
    if (available) browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await new Promise((r) => callbackServer.close(r));
    await h.close();
  });

  async function app(name = 'Orders web', extra: Record<string, unknown> = {}) {
    const r = await tenant.api('POST', '/clients', {
      name,
      app_type: 'regular_web',
      grant_types: ['authorization_code', 'refresh_token'],
      callbacks: [callback],
      allowed_logout_urls: [`${callback}?signed-out=1`],
      ...extra,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.client_id as string;
  }

  function authorizeUrl(clientId: string, extra: Record<string, string> = {}) {
    return new URL(
      `authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: clientId,
        redirect_uri: callback,
        scope: 'openid profile email',
        state: randomBytes(8).toString('hex'),
        nonce: randomBytes(8).toString('hex'),
        code_challenge: pkce().challenge,
        code_challenge_method: 'S256',
        ...extra,
      })}`,
      tenant.issuer,
    ).href;
  }

  /** Any JavaScript dialog means markup from a name or a field ran. */
  function noDialogs(page: Page) {
    page.on('dialog', (d) => {
      void d.dismiss();
      assert.fail(`a dialog opened: ${d.message()}`);
    });
  }

  test('sign in through the form, then single sign-on into a second application, then logout', async (t) => {
    if (!available) return t.skip('no Chromium');
    const user = await makeUser(h, tenant);
    const first = await app('Orders web');
    const second = await app('Billing web');
    const context = await newContext(browser);
    t.after(() => context.close());
    const page = await context.newPage();
    noDialogs(page);
    await page.goto(authorizeUrl(first));
    await page.getByRole('heading', { name: 'Sign in to Orders web' }).waitFor();
    await screenshot(page, 'sign-in-page');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Back in the app' }).waitFor();
    const back = received.at(-1)!;
    assert.equal(back.url.pathname, '/callback');
    assert.match(back.url.searchParams.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(back.url.searchParams.get('iss'), tenant.issuer);

    const cookies = await context.cookies(tenant.issuer);
    const sso = cookies.find((c) => c.name === '__Host-signet_sso')!;
    assert.ok(sso, 'session cookie set');
    assert.equal(sso.httpOnly, true);
    assert.equal(sso.secure, true);
    assert.equal(sso.sameSite, 'Lax');
    assert.equal(sso.path, '/');
    assert.equal(await page.evaluate(() => document.cookie), '', 'no cookie readable by script');

    // Single sign-on: the second application gets a code without any page.
    const count = received.length;
    await page.goto(authorizeUrl(second));
    await page.getByRole('heading', { name: 'Back in the app' }).waitFor();
    assert.equal(received.length, count + 1);
    assert.ok(received.at(-1)!.url.searchParams.get('code'));

    const events = (await tenant.api('GET', '/logs?q=type:s')).body as any[];
    const s = events.find((e) => e.client_id === first && e.user_id === user.userId);
    assert.ok(s, 'a Success Login event');
    assert.equal(s.user_name, user.email);
    assert.equal(s.client_name, 'Orders web');

    await page.goto(new URL(`v2/logout?${new URLSearchParams({ client_id: first, returnTo: `${callback}?signed-out=1` })}`, tenant.issuer).href);
    await page.getByRole('heading', { name: 'Back in the app' }).waitFor();
    assert.equal(received.at(-1)!.url.searchParams.get('signed-out'), '1');
    assert.equal((await context.cookies(tenant.issuer)).find((c) => c.name === '__Host-signet_sso'), undefined, 'session cookie gone');
    await page.goto(authorizeUrl(first));
    await page.getByRole('heading', { name: 'Sign in to Orders web' }).waitFor();
  });

  test('response_mode=form_post: the browser posts the code to the callback by itself', async (t) => {
    if (!available) return t.skip('no Chromium');
    const user = await makeUser(h, tenant);
    const clientId = await app('Form post app');
    const context = await newContext(browser);
    t.after(() => context.close());
    const page = await context.newPage();
    noDialogs(page);
    await page.goto(authorizeUrl(clientId, { response_mode: 'form_post', state: 'fp-state' }));
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Back in the app' }).waitFor();
    const got = received.at(-1)!;
    assert.equal(got.method, 'POST');
    const form = new URLSearchParams(got.body);
    assert.match(form.get('code') ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.equal(form.get('state'), 'fp-state');
    assert.equal(form.get('iss'), tenant.issuer);
  });

  test('wrong password and unknown email get one generic message; a blocked user is told so', async (t) => {
    if (!available) return t.skip('no Chromium');
    const user = await makeUser(h, tenant);
    const blocked = await makeUser(h, tenant, { blocked: true });
    const clientId = await app('Generic messages');
    const context = await newContext(browser);
    t.after(() => context.close());
    const page = await context.newPage();
    noDialogs(page);
    const attempt = async (email: string, password: string) => {
      await page.goto(authorizeUrl(clientId));
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Continue' }).click();
      return (await page.getByRole('alert').textContent())?.trim();
    };
    assert.equal(await attempt(user.email, 'wrong password 123'), 'Wrong email or password.');
    await screenshot(page, 'sign-in-wrong-password');
    assert.equal(await page.getByLabel('Email').inputValue(), user.email, 'the email is kept');
    assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is not');
    assert.equal(await attempt(`nobody-${randomBytes(3).toString('hex')}@example.com`, 'whatever 123'), 'Wrong email or password.');
    assert.match((await attempt(blocked.email, blocked.password)) ?? '', /blocked/);
    const types = ((await tenant.api('GET', '/logs')).body as any[]).map((e) => e.type);
    for (const type of ['fp', 'fu', 'f']) assert.ok(types.includes(type), `${type} logged`);
  });

  test('markup in names, login_hint and typed input is shown as text and never runs', async (t) => {
    if (!available) return t.skip('no Chromium');
    assert.equal((await tenant.api('PATCH', '/tenants/settings', { friendly_name: 'Acme & "Sons"' })).status, 200);
    const clientId = await app(XSS);
    const context = await newContext(browser);
    t.after(() => context.close());
    const page = await context.newPage();
    noDialogs(page);
    const hint = `"><script>alert(2)</script>${XSS}`;
    await page.goto(authorizeUrl(clientId, { login_hint: hint }));
    await page.getByRole('heading', { name: `Sign in to ${XSS}` }).waitFor();
    assert.equal(await page.locator('.tenant').textContent(), 'Acme & "Sons"');
    assert.equal(await page.getByLabel('Email').inputValue(), hint);
    assert.equal(await page.locator('img').count(), 0, 'no element made from a name');
    await page.getByLabel('Email').fill(`${XSS}"'<script>alert(3)</script>`);
    await page.getByLabel('Password').fill(`${XSS}</script>`);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), `${XSS}"'<script>alert(3)</script>`);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('script').count(), 0, 'the page runs no script at all');
    await screenshot(page, 'sign-in-markup');
  });

  test('the login page passes axe-core WCAG 2 A/AA checks, with and without an error shown', async (t) => {
    if (!available) return t.skip('no Chromium');
    const clientId = await app('Accessible app');
    // axe is injected as a script: only this context bypasses the CSP, to let it in.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true, viewport: { width: 1280, height: 800 } });
    t.after(() => context.close());
    const page = await context.newPage();
    await page.goto(authorizeUrl(clientId));
    await page.getByRole('heading', { name: 'Sign in to Accessible app' }).waitFor();
    await axeAudit(page, 'login page');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal((await page.getByRole('alert').textContent())?.trim(), 'Enter your email and password.');
    await axeAudit(page, 'login page with an error');
    // The keyboard alone: Tab reaches Email, Password and Continue in that order.
    await page.goto(authorizeUrl(clientId));
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'email');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'password');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Continue');
  });

  test('the hosted pages cannot be framed by another site', async (t) => {
    if (!available) return t.skip('no Chromium');
    const context = await newContext(browser);
    t.after(() => context.close());
    const page = await context.newPage();
    // A page of the application's origin frames a hosted page (the signed-out page: it needs no
    // cookie, which a cross-site frame would not get anyway). Every hosted page sends the same headers.
    await page.goto(callback);
    await page.setContent(`<iframe id="f" src="${new URL('v2/logout', tenant.issuer).href}"></iframe>`);
    await page.waitForTimeout(1500);
    const frame = page.frames().find((f) => f !== page.mainFrame());
    const shown = frame ? await frame.getByText('You are signed out').count().catch(() => 0) : 0;
    assert.equal(shown, 0, `the page did not render inside a frame (frame at ${frame?.url()})`);
  });
});
