/**
 * Auth0's own Express middleware, express-openid-connect 3, unchanged, signs a user in against
 * Signet by being pointed at the tenant's issuer: its backend authenticates at the token
 * endpoint with `clientAuthMethod: 'private_key_jwt'` and `clientAssertionSigningKey`. Chromium
 * drives the whole journey: the app's /login, Signet's hosted page, the callback, a page reading
 * `req.oidc.user`, and /logout through Signet's end_session_endpoint.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import express from 'express';
import { auth } from 'express-openid-connect';
import { getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import type { Browser } from 'playwright-core';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { launchBrowser, newContext, requireChromium, screenshot } from '../support/browser.ts';
import { createUser, createWebApp } from '../support/sign-in.ts';
import { logsOfType } from '../support/refusal-helpers.ts';

let h: Harness;
let browser: Browser | undefined;
let tenant: TestTenant;
let previousDispatcher: Dispatcher;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
  // The middleware fetches discovery, JWKS and tokens with the global fetch: route it to the test server.
  previousDispatcher = getGlobalDispatcher();
  setGlobalDispatcher(h.dispatcher);
  if (requireChromium()) browser = await launchBrowser();
});
after(async () => {
  setGlobalDispatcher(previousDispatcher);
  await browser?.close();
  await h.close();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

test('express-openid-connect with private_key_jwt: sign in through the hosted page, read req.oidc.user, log out', async (t) => {
  if (!browser) return t.skip('no Chromium');
  const server = createServer();
  const port = await listen(server);
  const baseURL = `http://127.0.0.1:${port}`;
  const app = await createWebApp(tenant, { alg: 'RS256', callback: `${baseURL}/callback`, extra: { allowed_logout_urls: [baseURL, `${baseURL}/`] } });
  const user = await createUser(tenant);

  const web = express();
  web.use(
    auth({
      issuerBaseURL: tenant.issuer,
      baseURL,
      clientID: app.clientId,
      secret: 'a-long-random-cookie-secret-for-this-test-only-0123456789',
      authRequired: false,
      idpLogout: true,
      clientAuthMethod: 'private_key_jwt',
      clientAssertionSigningKey: app.privateKeyPem,
      clientAssertionSigningAlg: 'RS256',
      authorizationParams: { response_type: 'code', scope: 'openid profile email' },
    }),
  );
  web.get('/', (req, res) => {
    res.type('html').send(req.oidc.isAuthenticated() ? `<p id="who">${JSON.stringify(req.oidc.user)}</p>` : '<p id="who">anonymous</p>');
  });
  server.on('request', web);

  const ctx = await newContext(browser);
  try {
    const page = await ctx.newPage();
    await page.goto(`${baseURL}/login`);
    assert.equal(new URL(page.url()).origin, new URL(tenant.issuer).origin, 'the app sent the browser to Signet');
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill(user.password);
    await screenshot(page, 'express-openid-connect-login');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${baseURL}/`);
    const shown = JSON.parse(await page.locator('#who').innerText());
    assert.equal(shown.sub, user.userId);
    assert.equal(shown.email, user.email);
    assert.equal(shown.name, 'Test User');

    const exchanges = await logsOfType(tenant, 'seacft');
    assert.ok(exchanges.some((e) => e.client_id === app.clientId && e.details.auth_method === 'private_key_jwt'), 'the code was exchanged with private_key_jwt');

    await page.goto(`${baseURL}/logout`);
    await page.waitForURL((u) => u.origin === baseURL);
    assert.equal(await page.locator('#who').innerText(), 'anonymous');
    assert.ok((await logsOfType(tenant, 'slo')).length >= 1);
    // Signet's session ended too: signing in again shows the login page.
    await page.goto(`${baseURL}/login`);
    await page.getByLabel('Password').waitFor();
  } finally {
    await ctx.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
