/**
 * GET /authorize, the login page's guards and logout, over HTTPS against the real server: each
 * refusal pinned (no redirect where the destination is not trusted; RFC 6749 §4.1.2.1 errors
 * with state and iss where it is), single sign-on within a tenant and never across tenants,
 * prompt and max_age, form_post, the pages' security headers, escaping of everything shown,
 * and logout that never redirects to a URL outside the allow-lists.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign } from 'node:crypto';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { authorizePath, browse, codeRequest, CookieJar, hiddenField, webApp } from '../support/authorize-helpers.ts';
import { createApi } from '../support/fixtures.ts';
import { logsOfType } from '../support/refusal-helpers.ts';
import { authorizationCodeHash } from '../../src/domain/opaque-token.ts';

let h: Harness;
let tenant: TestTenant;
let other: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
  other = await h.createTenant();
});
after(() => h.close());

const SESSION_COOKIE = '__Host-signet_sso';

/** A signed-in browser on `t` (the login session made directly; the password page has its own tests). */
async function signedIn(t: TestTenant, userId = 'auth0|alice', jar = new CookieJar()) {
  const ctx = (await h.services.directory.byName(t.tenant))!;
  const s = await h.services.authorization.startSession(ctx, userId, undefined, h.clock.now());
  jar.set(SESSION_COOKIE, s.token);
  return { jar, session: s.session };
}

const sessionAlive = async (sid: string) => (await h.services.store.db.get(`SELECT 1 AS one FROM login_sessions WHERE sid = ?`, [sid])) !== undefined;

function assertPageRefusal(r: { status: number; location: string | null; headers: Headers; text: string }, message: RegExp) {
  assert.equal(r.status, 400, r.text);
  assert.equal(r.location, null, 'never redirected');
  assert.match(r.headers.get('content-type') ?? '', /^text\/html/);
  assert.match(r.text, message);
}

function redirectParams(r: { status: number; location: string | null; text: string }, base: string) {
  assert.equal(r.status, 302, r.text);
  assert.ok(r.location?.startsWith(`${base}?`) || r.location?.startsWith(`${base}&`), `redirected to ${r.location}`);
  return new URL(r.location!).searchParams;
}

test('an unknown client_id, or a missing, unregistered or near-miss redirect_uri, is shown on a page and never redirected', async () => {
  const app = await webApp(tenant);
  const base = codeRequest(app).params;
  assertPageRefusal(await browse(h, tenant, authorizePath({ ...base, client_id: 'nope<b>' })), /no application with the client_id &quot;nope&lt;b&gt;&quot;/);
  const { redirect_uri: _omit, ...noRedirect } = base;
  assertPageRefusal(await browse(h, tenant, authorizePath(noRedirect)), /redirect_uri parameter is missing/);
  for (const uri of ['https://evil.example.com/callback', 'https://app.example.com/callback/', 'https://app.example.com/callback?x=1', 'https://APP.example.com/callback', 'http://localhost:3001/callback']) {
    assertPageRefusal(await browse(h, tenant, authorizePath({ ...base, redirect_uri: uri })), /is not one of the Allowed Callback URLs/);
  }
  const xss = await browse(h, tenant, authorizePath({ ...base, redirect_uri: 'https://x/"><script>alert(1)</script>' }));
  assertPageRefusal(xss, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(xss.text, /<script>alert/);
  // A client of another tenant is unknown here.
  const foreign = await webApp(other);
  assertPageRefusal(await browse(h, tenant, authorizePath(codeRequest(foreign).params)), /no application with the client_id/);
  // The registered loopback callback is accepted as registered.
  const ok = await browse(h, tenant, authorizePath({ ...base, redirect_uri: 'http://localhost:3000/callback' }));
  assert.equal(ok.status, 302);
  assert.match(ok.location!, /^\/u\/login\?state=/);
});

test('errors after the redirect_uri is trusted go back to it with error, error_description, state (exactly) and iss', async () => {
  const app = await webApp(tenant);
  const odd = `s p&a=c/e?%"<'>#é😀`;
  const cases: [Record<string, string>, string, RegExp][] = [
    [{ response_type: 'token' }, 'unsupported_response_type', /code flow only/],
    [{ response_type: '' }, 'invalid_request', /response_type parameter is missing/],
    [{ code_challenge_method: 'plain' }, 'invalid_request', /plain is not accepted/],
    [{ code_challenge_method: '' }, 'invalid_request', /plain is not accepted/],
    [{ code_challenge_method: 'S512' }, 'invalid_request', /not supported; use S256/],
    [{ code_challenge: 'short' }, 'invalid_request', /43 characters/],
    [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported', /JAR/],
    [{ prompt: 'none login' }, 'invalid_request', /cannot be combined/],
    [{ prompt: 'bogus' }, 'invalid_request', /prompt 'bogus' is not supported/],
    [{ max_age: '-1' }, 'invalid_request', /max_age must be/],
    [{ response_mode: 'fragment' }, 'invalid_request', /response_mode 'fragment'/],
    [{ audience: 'https://no-such-api.example.com/' }, 'invalid_request', /not the identifier of an API/],
    [{ audience: `${tenant.base}api/v2/` }, 'invalid_request', /Management API/],
  ];
  for (const [extra, error, description] of cases) {
    const { params } = codeRequest(app, { state: odd, ...extra });
    if (extra.response_type === '') delete params.response_type;
    if (extra.code_challenge_method === '') delete params.code_challenge_method;
    const q = redirectParams(await browse(h, tenant, authorizePath(params)), app.callback);
    assert.equal(q.get('error'), error, JSON.stringify(extra));
    assert.match(q.get('error_description') ?? '', description);
    assert.equal(q.get('state'), odd, 'state echoed exactly');
    assert.equal(q.get('iss'), tenant.base, 'RFC 9207 iss');
    assert.equal(q.get('code'), null);
  }
  const noGrant = await webApp(tenant, { grant_types: ['client_credentials'] });
  const q = redirectParams(await browse(h, tenant, authorizePath(codeRequest(noGrant).params)), noGrant.callback);
  assert.equal(q.get('error'), 'unauthorized_client');
});

test('PKCE: a public client must send an S256 challenge; a confidential one may omit it', async () => {
  const spa = await webApp(tenant, { app_type: 'spa', token_endpoint_auth_method: 'none' });
  const { params } = codeRequest(spa);
  const { code_challenge: _c, code_challenge_method: _m, ...noChallenge } = params;
  const q = redirectParams(await browse(h, tenant, authorizePath(noChallenge)), spa.callback);
  assert.equal(q.get('error'), 'invalid_request');
  assert.match(q.get('error_description')!, /code_challenge \(PKCE, S256\) is required/);
  assert.match((await browse(h, tenant, authorizePath(params))).location ?? '', /^\/u\/login\?state=/);
  const web = await webApp(tenant);
  const { code_challenge: _c2, code_challenge_method: _m2, ...webNoChallenge } = codeRequest(web).params;
  assert.match((await browse(h, tenant, authorizePath(webNoChallenge))).location ?? '', /^\/u\/login\?state=/);
});

test('oversized or repeated parameters are refused on a page, before anything else', async () => {
  const app = await webApp(tenant);
  const { params } = codeRequest(app);
  for (const [k, n] of [['state', 2049], ['nonce', 513], ['login_hint', 321], ['scope', 2049], ['connection', 2049]] as const) {
    assertPageRefusal(await browse(h, tenant, authorizePath({ ...params, [k]: 'x'.repeat(n) })), new RegExp(`parameter &quot;${k}&quot; is too long`));
  }
  assertPageRefusal(await browse(h, tenant, `${authorizePath(params)}&state=again`), /parameter &quot;state&quot; appears more than once/);
  const many = Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`p${i}`, 'x']));
  assertPageRefusal(await browse(h, tenant, authorizePath({ ...params, ...many })), /too many parameters/);
});

test('prompt=none: without a session login_required goes back to the client; with one, a code comes back without any page', async () => {
  const app = await webApp(tenant);
  const { params } = codeRequest(app, { prompt: 'none', state: 'st-1' });
  const q = redirectParams(await browse(h, tenant, authorizePath(params)), app.callback);
  assert.equal(q.get('error'), 'login_required');
  assert.equal(q.get('state'), 'st-1');
  assert.ok((await logsOfType(tenant, 'fsa')).some((e: any) => e.client_id === app.clientId));

  const { jar, session } = await signedIn(tenant);
  const nonce = `n-"<>'&é ${'x'.repeat(100)}`;
  const req = codeRequest(app, { prompt: 'none', nonce, scope: 'openid profile email offline_access unknown:scope' });
  const ok = redirectParams(await browse(h, tenant, authorizePath(req.params), jar), app.callback);
  const code = ok.get('code')!;
  assert.match(code, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(ok.get('state'), req.params.state);
  assert.equal(ok.get('iss'), tenant.base);
  const stored = (await h.services.store.authorizationCodes.find(session.tenantId, authorizationCodeHash(code)))!;
  assert.equal(stored.nonce, nonce, 'nonce stored exactly');
  assert.equal(stored.codeChallenge, req.params.code_challenge);
  assert.equal(stored.scope, 'openid profile email offline_access', 'unknown scopes dropped; offline_access kept (refresh_token grant)');
  assert.equal(stored.sid, session.sid);
  assert.equal(stored.userId, 'auth0|alice');
  assert.equal(stored.authTime, session.authTime);
  assert.equal(stored.redirectUri, app.callback);
  assert.equal(stored.audience, null);
  assert.ok(stored.expiresAt - h.clock.now() <= 60_000 && stored.expiresAt > h.clock.now());
  assert.equal(await h.services.store.authorizationCodes.find(session.tenantId, code), null, 'only the digest is stored');
  assert.ok((await logsOfType(tenant, 'ssa')).some((e: any) => e.client_id === app.clientId && e.user_id === 'auth0|alice'));
});

test("single sign-on across a tenant's applications, never across tenants", async () => {
  const a = await webApp(tenant, { name: 'App A' });
  const b = await webApp(tenant, { name: 'App B' });
  const { jar } = await signedIn(tenant);
  for (const app of [a, b]) {
    const q = redirectParams(await browse(h, tenant, authorizePath(codeRequest(app).params), jar), app.callback);
    assert.ok(q.get('code'), 'code without a page');
  }
  // The same cookie presented to another tenant's domain finds no session there.
  const c = await webApp(other);
  const r = await browse(h, other, authorizePath(codeRequest(c, { prompt: 'none' }).params), jar.clone());
  assert.equal(redirectParams(r, c.callback).get('error'), 'login_required');
  const page = await browse(h, other, authorizePath(codeRequest(c).params), jar.clone());
  assert.match(page.location ?? '', /^\/u\/login\?state=/);
});

test('prompt=login and max_age send a signed-in user back to the page; an API audience and its scopes are kept', async () => {
  const audience = await createApi(tenant, undefined, ['read:things', 'write:things']);
  const app = await webApp(tenant);
  const { jar, session } = await signedIn(tenant);
  assert.match((await browse(h, tenant, authorizePath(codeRequest(app, { prompt: 'login' }).params), jar)).location ?? '', /^\/u\/login/);
  h.clock.advance(120_000);
  assert.match((await browse(h, tenant, authorizePath(codeRequest(app, { max_age: '60' }).params), jar)).location ?? '', /^\/u\/login/);
  const none = redirectParams(await browse(h, tenant, authorizePath(codeRequest(app, { max_age: '60', prompt: 'none' }).params), jar), app.callback);
  assert.equal(none.get('error'), 'login_required');
  const req = codeRequest(app, { max_age: '600', audience, scope: 'openid read:things other:thing' });
  const q = redirectParams(await browse(h, tenant, authorizePath(req.params), jar), app.callback);
  const stored = (await h.services.store.authorizationCodes.find(session.tenantId, authorizationCodeHash(q.get('code')!)))!;
  assert.equal(stored.audience, audience);
  assert.equal(stored.scope, 'openid read:things');
});

test('response_mode=form_post answers a self-submitting form to the callback, with a CSP that allows only that', async () => {
  const app = await webApp(tenant);
  const { jar } = await signedIn(tenant);
  const state = `"><script>alert(1)</script>`;
  const r = await browse(h, tenant, authorizePath(codeRequest(app, { response_mode: 'form_post', state }).params), jar);
  assert.equal(r.status, 200);
  assert.equal(r.location, null);
  assert.match(r.text, /<form method="post" action="https:\/\/app\.example\.com\/callback">/);
  assert.equal(hiddenField(r.text, 'state'), state, 'state round-trips exactly');
  assert.doesNotMatch(r.text, /<script>alert/);
  assert.match(hiddenField(r.text, 'code') ?? '', /^[A-Za-z0-9_-]{43}$/);
  assert.equal(hiddenField(r.text, 'iss'), tenant.base);
  assert.match(r.text, /<button type="submit">Continue<\/button>/);
  const csp = r.headers.get('content-security-policy')!;
  assert.match(csp, /form-action 'self' https:\/\/app\.example\.com(;|$)/);
  assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
  assert.match(csp, /default-src 'none'/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  // Errors use form_post too.
  const err = await browse(h, tenant, authorizePath(codeRequest(app, { response_mode: 'form_post', response_type: 'token' }).params), jar);
  assert.equal(err.status, 200);
  assert.equal(hiddenField(err.text, 'error'), 'unsupported_response_type');
});

test('the login page: security headers, escaped names and login_hint, and a form that only this browser can post', async () => {
  const ctx = (await h.services.directory.byName(tenant.tenant))!;
  assert.equal((await tenant.api('PATCH', '/tenants/settings', { friendly_name: 'Acme "Corp" & co' })).status, 200);
  const app = await webApp(tenant, { name: '<img src=x onerror=alert(1)>' });
  const hint = '"><script>alert(2)</script>@example.com';
  const start = await browse(h, tenant, authorizePath(codeRequest(app, { login_hint: hint }).params));
  const page = await browse(h, tenant, start.location!, start.jar);
  assert.equal(page.status, 200);
  assert.match(page.text, /Sign in to &lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(page.text, /Acme &quot;Corp&quot; &amp; co/);
  assert.match(page.text, /value="&quot;&gt;&lt;script&gt;alert\(2\)&lt;\/script&gt;@example.com"/);
  assert.doesNotMatch(page.text, /<img src=x|<script>alert/);
  assert.match(page.text, /<label for="email">Email<\/label>/);
  assert.match(page.text, /<label for="password">Password<\/label>/);
  const csp = page.headers.get('content-security-policy')!;
  for (const d of ["default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]) assert.ok(csp.includes(d), `${d} in ${csp}`);
  assert.match(csp, /style-src 'sha256-/);
  assert.doesNotMatch(csp, /script-src/, 'the login page runs no script');
  assert.equal(page.headers.get('x-frame-options'), 'DENY');
  assert.equal(page.headers.get('cache-control'), 'no-store');
  assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
  const txCookie = (start.headers as unknown as { getSetCookie(): string[] }).getSetCookie().find((c) => c.startsWith('__Host-signet_tx='))!;
  assert.match(txCookie, /; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
  assert.doesNotMatch(txCookie, /Domain=/i);

  const state = hiddenField(page.text, 'state')!;
  const csrf = hiddenField(page.text, 'csrf')!;
  const form = { state, csrf, email: 'a@example.com', password: 'pw' };
  // Missing or wrong CSRF token: refused before any password is checked.
  const { csrf: _x, ...noCsrf } = form;
  for (const body of [noCsrf, { ...form, csrf: `${csrf.slice(0, -1)}${csrf.endsWith('A') ? 'B' : 'A'}` }, { ...form, csrf: '' }]) {
    const r = await browse(h, tenant, '/u/login', start.jar, { method: 'POST', form: body });
    assert.equal(r.status, 403, r.text);
    assert.match(r.text, /security token is missing or wrong/);
  }
  // The right token from a browser without the transaction's cookie (another browser, or a forged cross-site post).
  for (const jar of [new CookieJar(), (() => { const j = new CookieJar(); j.set('__Host-signet_tx', 'A'.repeat(43)); return j; })()]) {
    const r = await browse(h, tenant, '/u/login', jar, { method: 'POST', form });
    assert.equal(r.status, 400);
    assert.match(r.text, /started in another browser/);
    assert.equal((await browse(h, tenant, `/u/login?state=${state}`, jar)).status, 400);
  }
  // Oversized or unknown form fields.
  const big = await browse(h, tenant, '/u/login', start.jar, { method: 'POST', form: { ...form, email: `${'a'.repeat(400)}@x.com` } });
  assert.equal(big.status, 400);
  assert.match(big.text, /parameter &quot;email&quot; is too long/);
  assert.equal((await browse(h, tenant, '/u/login', start.jar, { method: 'POST', form: { ...form, extra: '1' } })).status, 400);
  // A transaction id of another tenant is unknown here.
  assert.equal((await browse(h, other, `/u/login?state=${state}`, start.jar)).status, 400);
  void ctx;
});

test('no CORS on /authorize', async () => {
  const app = await webApp(tenant);
  const res = await h.fetch(new URL(authorizePath(codeRequest(app).params), tenant.base), { redirect: 'manual', headers: { origin: 'https://evil.example.com' } });
  assert.equal(res.headers.get('access-control-allow-origin'), null);
  const pre = await h.fetch(new URL('/authorize', tenant.base), { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'GET' } });
  assert.equal(pre.headers.get('access-control-allow-origin'), null);
});

/** An ID token of `t` (signed with its current key) for `clientId`; `exp` in the past unless told. */
async function idToken(t: TestTenant, clientId: string, claims: Record<string, unknown> = {}) {
  const ctx = (await h.services.directory.byName(t.tenant))!;
  const key = await h.services.directory.signingKey(ctx.tenant);
  const now = Math.floor(h.clock.now() / 1000);
  const header = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ iss: ctx.issuer, sub: 'auth0|alice', aud: clientId, iat: now - 7200, exp: now - 3600, ...claims })).toString('base64url');
  return `${header}.${payload}.${sign('sha256', Buffer.from(`${header}.${payload}`), key.privateKey).toString('base64url')}`;
}

test('logout ends the session and returns only to an allowed URL; open-redirect attempts get a signed-out page', async () => {
  const app = await webApp(tenant);
  const hint = await idToken(tenant, app.clientId);
  const evil = ['https://evil.example.com/', 'https://app.example.com/bye/', 'https://app.example.com/bye?x=1', 'https://app.example.com/bye.evil.com', '//evil.example.com', 'https://app.example.com@evil.example.com/bye', 'javascript:alert(1)'];
  for (const url of evil) {
    for (const path of [
      `/oidc/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: url })}`,
      `/oidc/logout?${new URLSearchParams({ client_id: app.clientId, post_logout_redirect_uri: url })}`,
      `/v2/logout?${new URLSearchParams({ client_id: app.clientId, returnTo: url })}`,
      `/v2/logout?${new URLSearchParams({ returnTo: url })}`,
    ]) {
      const { jar, session } = await signedIn(tenant);
      const r = await browse(h, tenant, path, jar);
      assert.equal(r.status, 200, `${path}: ${r.text}`);
      assert.equal(r.location, null, `never redirected to ${url}`);
      assert.match(r.text, /You are signed out/);
      assert.match(r.text, /not one of/);
      assert.equal(jar.get(SESSION_COOKIE), undefined, 'cookie cleared');
      assert.equal(await sessionAlive(session.sid), false, 'session ended');
    }
  }
  // Allowed: the application's list, exactly; state echoed.
  const { jar, session } = await signedIn(tenant);
  const ok = await browse(h, tenant, `/oidc/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: 'https://app.example.com/bye', state: 'a b&c' })}`, jar);
  assert.equal(ok.status, 302);
  assert.equal(ok.location, 'https://app.example.com/bye?state=a+b%26c');
  assert.equal(await sessionAlive(session.sid), false, 'session row deleted');
  // The session is over: prompt=none now needs a login.
  const after = redirectParams(await browse(h, tenant, authorizePath(codeRequest(app, { prompt: 'none' }).params), jar), app.callback);
  assert.equal(after.get('error'), 'login_required');
  const slo = (await logsOfType(tenant, 'slo')).find((e: any) => e.details?.sid === session.sid);
  assert.ok(slo, 'slo written');
  assert.equal(slo.user_id, 'auth0|alice');
  assert.equal(slo.client_id, app.clientId);

  // POST works too; /v2/logout with the tenant's list when no client is named.
  assert.equal((await tenant.api('PATCH', '/tenants/settings', { allowed_logout_urls: ['https://tenant.example.com/signed-out'] })).status, 200);
  const v2 = await browse(h, tenant, `/v2/logout?${new URLSearchParams({ returnTo: 'https://tenant.example.com/signed-out' })}`, (await signedIn(tenant)).jar);
  assert.equal(v2.location, 'https://tenant.example.com/signed-out');
  const v2app = await browse(h, tenant, `/v2/logout?${new URLSearchParams({ client_id: app.clientId, returnTo: 'https://tenant.example.com/signed-out' })}`);
  assert.equal(v2app.location, null, "with a client named, only the client's list counts");
  const post = await browse(h, tenant, '/oidc/logout', (await signedIn(tenant)).jar, { method: 'POST', form: { client_id: app.clientId, post_logout_redirect_uri: 'https://app.example.com/bye' } });
  assert.equal(post.location, 'https://app.example.com/bye');
});

test('id_token_hint must be an ID token this tenant issued (expired is fine) whose audience is client_id', async () => {
  const app = await webApp(tenant);
  const otherApp = await webApp(other);
  const q = (p: Record<string, string>) => `/oidc/logout?${new URLSearchParams(p)}`;
  const good = await idToken(tenant, app.clientId);
  const cases: [string, RegExp][] = [
    [q({ id_token_hint: await idToken(other, otherApp.clientId) }), /not an ID token issued by this tenant/],
    [q({ id_token_hint: await idToken(tenant, app.clientId, { iss: other.base }) }), /not an ID token issued by this tenant/],
    [q({ id_token_hint: `${good.slice(0, -4)}AAAA` }), /not an ID token issued by this tenant/],
    [q({ id_token_hint: 'not.a.jwt' }), /not an ID token issued by this tenant/],
    [q({ id_token_hint: good, client_id: otherApp.clientId }), /does not match the audience/],
    [q({ client_id: 'unknown' }), /no application with the client_id/],
    [q({ id_token_hint: 'x'.repeat(8193) }), /too long/],
  ];
  for (const [path, message] of cases) {
    const { jar, session } = await signedIn(tenant);
    const r = await browse(h, tenant, path, jar);
    assertPageRefusal(r, message);
    assert.equal(await sessionAlive(session.sid), true, 'a refused logout request ends nothing');
  }
  const ok = await browse(h, tenant, q({ id_token_hint: good, client_id: app.clientId, post_logout_redirect_uri: 'https://app.example.com/bye' }));
  assert.equal(ok.location, 'https://app.example.com/bye');
});

test('the Management API checks callbacks and allowed_logout_urls: absolute, no fragment, http only on loopback', async () => {
  const bad: [string, unknown, RegExp][] = [
    ['callbacks', ['http://app.example.com/cb'], /https URL \(http only for localhost/],
    ['callbacks', ['https://app.example.com/cb#x'], /fragment/],
    ['callbacks', ['/relative'], /absolute URL/],
    ['callbacks', ['https://*.example.com/cb'], /wildcard/],
    ['callbacks', ['https://u:p@app.example.com/cb'], /user name or password/],
    ['allowed_logout_urls', ['http://app.example.com/bye'], /https URL/],
    ['allowed_logout_urls', ['https://app.example.com/bye#top'], /fragment/],
  ];
  for (const [field, value, message] of bad) {
    const r = await tenant.api('POST', '/clients', { name: 'x', app_type: 'regular_web', [field]: value });
    assert.equal(r.status, 400, `${field} ${JSON.stringify(value)}: ${JSON.stringify(r.body)}`);
    assert.match(r.body.message, message);
    assert.equal(r.body.field, field);
  }
  const app = await webApp(tenant);
  const patch = await tenant.api('PATCH', `/clients/${app.clientId}`, { callbacks: ['http://evil.example.com/'] });
  assert.equal(patch.status, 400);
  assert.deepEqual((await tenant.api('GET', `/clients/${app.clientId}`)).body.callbacks, ['https://app.example.com/callback', 'http://localhost:3000/callback'], 'unchanged');
  const tenantBad = await tenant.api('PATCH', '/tenants/settings', { allowed_logout_urls: ['http://tenant.example.com/'] });
  assert.equal(tenantBad.status, 400);
  for (const ok of [['http://127.0.0.1:8080/cb', 'http://[::1]/cb', 'https://app.example.com/cb?x=1']]) {
    assert.equal((await tenant.api('POST', '/clients', { name: 'ok', app_type: 'regular_web', callbacks: ok })).status, 201);
  }
});
