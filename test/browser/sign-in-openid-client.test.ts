/**
 * openid-client 6 (panva's certified relying party library), unmodified, signs a user in against
 * Signet: discovery, an authorization URL with PKCE + state + nonce, the hosted login page in
 * Chromium, authorizationCodeGrant authenticated by private_key_jwt, the ID token's signature
 * checked against the JWKS here (openid-client does not check it), refresh, userinfo, revocation;
 * and a public SPA with PKCE and no client authentication.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { decodeJwt, importPKCS8 } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { launchBrowser, newContext, requireChromium, screenshot } from '../support/browser.ts';
import { createOfflineApi, createSpa, createUser, createWebApp, verifyIdToken } from '../support/sign-in.ts';

let h: Harness;
let browser: Browser | undefined;
let tenant: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
  if (requireChromium()) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h.close();
});

/**
 * Opens `url` in Chromium, signs in on the hosted page, and returns the URL the browser was sent
 * to at `callback` (answered by the test itself: the application does not exist).
 */
async function signInInBrowser(page: Page, url: URL, callback: string, user: { email: string; password: string }, shot: string): Promise<URL> {
  let landed: URL | undefined;
  await page.route(`${new URL(callback).origin}/**`, async (route) => {
    landed = new URL(route.request().url());
    await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>callback</title><p>signed in</p>' });
  });
  await page.goto(url.href);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await screenshot(page, shot);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((u) => u.href.startsWith(callback));
  assert.ok(landed, 'the browser never reached the callback');
  return landed;
}

const viaHarness: oidc.CustomFetch = (url, options) => h.fetch(url, options as RequestInit);

describe('openid-client 6', () => {
  test('Regular Web app: PKCE + state + nonce, login in Chromium, code exchange with PrivateKeyJwt, refresh, userinfo, revoke', async (t) => {
    if (!browser) return t.skip('no Chromium');
    const app = await createWebApp(tenant, { alg: 'RS256', callback: 'https://rp.example.com/callback' });
    const api = await createOfflineApi(tenant);
    const user = await createUser(tenant);
    const key = await importPKCS8(app.privateKeyPem, 'RS256');
    const config = await oidc.discovery(new URL(tenant.issuer), app.clientId, {}, oidc.PrivateKeyJwt(key), { [oidc.customFetch]: viaHarness });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: app.callback,
      scope: 'openid profile email offline_access',
      audience: api,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const ctx = await newContext(browser);
    try {
      const page = await ctx.newPage();
      const landed = await signInInBrowser(page, url, app.callback, user, 'sign-in-openid-client');
      assert.equal(landed.searchParams.get('iss'), tenant.issuer);
      const tokens = await oidc.authorizationCodeGrant(config, landed, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
      const id = await verifyIdToken(h, tenant, tokens.id_token!, app.clientId);
      assert.equal(id.sub, user.userId);
      assert.equal(id.nonce, nonce);
      assert.equal(tokens.claims()!.email, user.email);
      assert.deepEqual(decodeJwt(tokens.access_token).aud, [api, `${tenant.issuer}userinfo`]);

      const info = await oidc.fetchUserInfo(config, tokens.access_token, user.userId);
      assert.equal(info.email, user.email);

      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      assert.ok(refreshed.refresh_token && refreshed.refresh_token !== tokens.refresh_token);
      await verifyIdToken(h, tenant, refreshed.id_token!, app.clientId);

      await oidc.tokenRevocation(config, refreshed.refresh_token!);
      await assert.rejects(oidc.refreshTokenGrant(config, refreshed.refresh_token!), (err: { error?: string }) => err.error === 'invalid_grant');
    } finally {
      await ctx.close();
    }
  });

  test('SPA (public client): PKCE and no client authentication', async (t) => {
    if (!browser) return t.skip('no Chromium');
    const spa = await createSpa(tenant, 'https://spa.example.com/callback');
    const user = await createUser(tenant);
    const config = await oidc.discovery(new URL(tenant.issuer), spa.clientId, { token_endpoint_auth_method: 'none' }, oidc.None(), { [oidc.customFetch]: viaHarness });
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: spa.callback,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    const ctx = await newContext(browser);
    try {
      const landed = await signInInBrowser(await ctx.newPage(), url, spa.callback, user, 'sign-in-openid-client-spa');
      const tokens = await oidc.authorizationCodeGrant(config, landed, { pkceCodeVerifier: verifier, expectedState: state });
      const id = await verifyIdToken(h, tenant, tokens.id_token!, spa.clientId);
      assert.equal(id.email, user.email);
    } finally {
      await ctx.close();
    }
  });
});
