/**
 * The dashboard's server side over real HTTPS: admin sign-in (throttled, logged), the session
 * cookie's attributes, CSRF on every session call to the Management API, tenant selection, and
 * the assertion checker (which must not spend the jti).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';

const PASSWORD = 'dashboard test passphrase';

/** Reads the body so the keep-alive connection is free again (an unread body holds it, and the harness's close waits for it). */
async function drained(response: Promise<Response>): Promise<Response> {
  const r = await response;
  await r.arrayBuffer();
  return r;
}

interface Session {
  cookie: string;
  csrf: string;
}

describe('dashboard session', () => {
  let h: Harness;
  let origin: string;

  const signInRaw = (email: string, password: string, headers: Record<string, string> = {}, body?: string) =>
    h.fetch(`${origin}/dashboard/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, ...headers },
      body: body ?? JSON.stringify({ email, password }),
    });

  async function signIn(email = 'admin@example.com'): Promise<Session> {
    const res = await signInRaw(email, PASSWORD);
    assert.equal(res.status, 200, await res.clone().text());
    const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
    const body = (await res.json()) as { csrf_token: string };
    return { cookie, csrf: body.csrf_token };
  }

  /** A Management API call as the dashboard makes it. */
  async function api(s: Partial<Session>, method: string, path: string, opts: { tenant?: string; body?: unknown } = {}) {
    const res = await h.fetch(`${origin}/api/v2${path}`, {
      method,
      headers: {
        ...(s.cookie && { cookie: s.cookie }),
        ...(s.csrf && { 'x-csrf-token': s.csrf }),
        ...(opts.tenant !== '' && { 'x-signet-tenant': opts.tenant ?? 'default' }),
        ...(opts.body !== undefined && { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  const events = async (tenant: TestTenant, type: string) => (await tenant.api('GET', `/logs?q=type:${type}`)).body as { type: string; details: Record<string, unknown> }[];

  before(async () => {
    h = await startSignet();
    origin = `https://signet.test:${h.port}`;
    await h.services.admins.create('admin@example.com', PASSWORD);
    await h.services.admins.create('second@example.com', PASSWORD);
  });
  after(() => h.close());

  test('sign-in sets an HttpOnly, Secure, SameSite=Strict __Host- cookie and returns the CSRF token', async () => {
    const res = await signInRaw('Admin@Example.com ', PASSWORD);
    assert.equal(res.status, 200);
    const cookie = res.headers.get('set-cookie')!;
    assert.match(cookie, /^__Host-signet_session=[A-Za-z0-9_-]{43}; /);
    for (const attr of ['Path=/', 'HttpOnly', 'SameSite=Strict', 'Secure']) assert.ok(cookie.split('; ').includes(attr), `${attr} in ${cookie}`);
    assert.doesNotMatch(cookie, /Domain=/i);
    const body = (await res.json()) as Record<string, string>;
    assert.equal(body.email, 'admin@example.com');
    assert.match(body.csrf_token!, /^[A-Za-z0-9_-]{43}$/);
    // The page learns the same CSRF token again after a reload.
    const again = await h.fetch(`${origin}/dashboard/api/session`, { headers: { cookie: cookie.split(';')[0]! } });
    assert.deepEqual(await again.json(), body);
    assert.ok((await events(h.defaultTenant, 's')).some((e) => e.details.email === 'admin@example.com'));
  });

  test('a wrong password and an unknown email get the same answer, and different log events', async () => {
    const wrong = await signInRaw('second@example.com', 'not the password!!');
    const unknown = await signInRaw('nobody@example.com', 'not the password!!');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(await wrong.json(), await unknown.json());
    assert.equal(wrong.headers.get('set-cookie'), null);
    assert.ok((await events(h.defaultTenant, 'fp')).some((e) => e.details.email === 'second@example.com'));
    assert.ok((await events(h.defaultTenant, 'fu')).some((e) => e.details.email === 'nobody@example.com'));
  });

  test('sign-in refuses cross-site origins and non-JSON bodies (login CSRF)', async () => {
    const cross = await signInRaw('admin@example.com', PASSWORD, { origin: 'https://evil.example' });
    assert.equal(cross.status, 403);
    assert.equal(cross.headers.get('set-cookie'), null);
    await cross.text();
    for (const o of ['null', `https://signet.test.evil.example:${h.port}`]) assert.equal((await drained(signInRaw('admin@example.com', PASSWORD, { origin: o }))).status, 403, o);
    const form = await signInRaw('admin@example.com', PASSWORD, { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ email: 'admin@example.com', password: PASSWORD }).toString());
    assert.equal(form.status, 400);
    assert.equal(form.headers.get('set-cookie'), null);
    await form.text();
  });

  test('after 5 failures for an account from one address, even the right password is refused for 15 minutes', async () => {
    await h.services.admins.create('throttled@example.com', PASSWORD);
    for (let i = 0; i < 5; i++) assert.equal((await drained(signInRaw('throttled@example.com', `wrong password ${i}!`))).status, 401);
    const limited = await signInRaw('throttled@example.com', PASSWORD);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '900');
    assert.equal(((await limited.json()) as { errorCode: string }).errorCode, 'too_many_attempts');
    assert.equal(limited.headers.get('set-cookie'), null);
    assert.ok((await events(h.defaultTenant, 'limit_wc')).some((e) => e.details.email === 'throttled@example.com'));
  });

  test('the Management API answers a session only with its CSRF token; without it nothing changes', async () => {
    const s = await signIn();
    const other = await signIn('second@example.com');
    const before = await api(s, 'GET', '/clients');
    assert.equal(before.status, 200);

    for (const csrf of [undefined, 'x'.repeat(43), other.csrf]) {
      const r = await api({ cookie: s.cookie, csrf }, 'POST', '/clients', { body: { name: 'csrf victim', app_type: 'non_interactive' } });
      assert.equal(r.status, 403);
      assert.equal(r.body.errorCode, 'csrf_token_invalid');
    }
    // A cross-site form post: cookie (were SameSite ignored), form body, no header.
    const form = await h.fetch(`${origin}/api/v2/clients`, {
      method: 'POST',
      headers: { cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded', 'x-signet-tenant': 'default', origin: 'https://evil.example' },
      body: 'name=csrf+victim&app_type=non_interactive',
    });
    assert.equal(form.status, 403);
    await form.text();
    const after = await api(s, 'GET', '/clients');
    assert.equal(after.body.length, before.body.length);
    assert.ok(!after.body.some((c: { name: string }) => c.name === 'csrf victim'));

    const created = await api(s, 'POST', '/clients', { body: { name: 'made in the dashboard', app_type: 'non_interactive' } });
    assert.equal(created.status, 201);
    const audit = (await events(h.defaultTenant, 'sapi')).find((e) => e.details.client_id === created.body.client_id);
    assert.equal(audit?.details.admin, 'admin@example.com');
  });

  test('a session names its tenant per request; unknown or missing tenants are refused', async () => {
    const s = await signIn();
    const acme = await h.createTenant('professional');
    const made = await api(s, 'POST', '/clients', { tenant: acme.tenant, body: { name: 'acme app', app_type: 'regular_web' } });
    assert.equal(made.status, 201);
    assert.ok((await acme.api('GET', '/clients')).body.some((c: { client_id: string }) => c.client_id === made.body.client_id));
    assert.equal((await api(s, 'GET', `/clients/${made.body.client_id}`)).status, 404, 'not visible from the default tenant');
    assert.equal((await api(s, 'GET', '/clients', { tenant: 'no-such-tenant' })).status, 404);
    assert.equal((await api(s, 'GET', '/clients', { tenant: '' })).body.errorCode, 'tenant_required');

    const list = await h.fetch(`${origin}/dashboard/api/tenants`, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const tenants = (await list.json()) as { name: string; plan: string; private_key_jwt_allowed: boolean; token_endpoint: string }[];
    const a = tenants.find((t) => t.name === acme.tenant)!;
    assert.equal(a.plan, 'professional');
    assert.equal(a.private_key_jwt_allowed, false);
    assert.equal(a.token_endpoint, `${acme.issuer}oauth/token`);
    assert.equal(tenants.find((t) => t.name === 'default')!.private_key_jwt_allowed, true);
    assert.equal((await drained(h.fetch(`${origin}/dashboard/api/tenants`, { headers: { cookie: s.cookie } }))).status, 403, 'CSRF token required');
  });

  test('sign-out ends the session on the server, not only in the browser', async () => {
    const s = await signIn();
    assert.equal((await drained(h.fetch(`${origin}/dashboard/api/session`, { method: 'DELETE', headers: { cookie: s.cookie } }))).status, 403, 'CSRF token required');
    const out = await drained(h.fetch(`${origin}/dashboard/api/session`, { method: 'DELETE', headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } }));
    assert.equal(out.status, 204);
    assert.match(out.headers.get('set-cookie')!, /Max-Age=0/);
    assert.equal((await api(s, 'GET', '/clients')).status, 401);
    assert.equal((await drained(h.fetch(`${origin}/dashboard/api/session`, { headers: { cookie: s.cookie } }))).status, 401);
  });

  test('the assertion checker reports each check and does not spend the jti', async () => {
    const s = await signIn();
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const app = await api(s, 'POST', '/clients', {
      body: {
        name: 'checked app',
        app_type: 'non_interactive',
        client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k1', pem: publicKey.export({ type: 'spki', format: 'pem' }) }] } },
      },
    });
    assert.equal(app.status, 201, JSON.stringify(app.body));
    const clientId = app.body.client_id as string;
    const api1 = await api(s, 'POST', '/resource-servers', { body: { name: 'Orders', identifier: 'https://orders.example/', scopes: [{ value: 'read:orders' }] } });
    assert.equal(api1.status, 201);
    assert.equal((await api(s, 'POST', '/client-grants', { body: { client_id: clientId, audience: 'https://orders.example/', scope: ['read:orders'] } })).status, 201);

    const sign = (aud: string, lifetime = 60) =>
      new SignJWT({}).setProtectedHeader({ alg: 'RS256' }).setIssuer(clientId).setSubject(clientId).setAudience(aud).setIssuedAt().setExpirationTime(`${lifetime}s`).setJti(randomUUID()).sign(privateKey);

    const good = await sign(h.defaultTenant.issuer);
    const checked = await api(s, 'POST', `/clients/${clientId}/check-assertion`, { body: { client_assertion: good } });
    assert.equal(checked.status, 200);
    assert.equal(checked.body.ok, true, JSON.stringify(checked.body));
    assert.ok(checked.body.checks.length >= 10);
    // Checked twice, still good, then exchanged: the checker never recorded the jti.
    assert.equal((await api(s, 'POST', `/clients/${clientId}/check-assertion`, { body: { client_assertion: good } })).body.ok, true);
    const token = await h.token(h.defaultTenant, { grant_type: 'client_credentials', audience: 'https://orders.example/', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: good });
    assert.equal(token.status, 200, JSON.stringify(token.body));

    const bad = await sign(`${h.defaultTenant.issuer}oauth/token`, 3600);
    const report = await api(s, 'POST', `/clients/${clientId}/check-assertion`, { body: { client_assertion: bad } });
    const byId = Object.fromEntries(report.body.checks.map((c: { id: string; status: string; message: string }) => [c.id, c]));
    assert.equal(report.body.ok, false);
    assert.equal(byId.signature.status, 'pass');
    assert.equal(byId.aud.status, 'fail');
    assert.equal(byId.lifetime.status, 'fail');
    // The endpoint gives the same reason for the first of them.
    const refused = await h.token(h.defaultTenant, { grant_type: 'client_credentials', audience: 'https://orders.example/', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: bad });
    assert.equal(refused.status, 401);
    assert.ok(byId.lifetime.message.toLowerCase().includes(refused.body.error_description.toLowerCase().replace(/\.$/, '')) || byId.aud.message.toLowerCase().includes(refused.body.error_description.toLowerCase().replace(/\.$/, '')), refused.body.error_description);
    assert.equal((await api(s, 'POST', '/clients/nope/check-assertion', { body: { client_assertion: good } })).status, 404);
  });

  test("the dashboard and its session exist only on Signet's public URL, never on a tenant's domain", async () => {
    const s = await signIn();
    const acme = await h.createTenant();
    const host = new URL(acme.issuer).origin;
    const page = await drained(h.fetch(`${host}/dashboard/t/default/applications`));
    assert.equal(page.status, 404);
    assert.equal((await drained(h.fetch(`${host}/dashboard/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: host }, body: JSON.stringify({ email: 'admin@example.com', password: PASSWORD }) }))).status, 404);
    assert.equal((await drained(h.fetch(`${host}/`, { redirect: 'manual' }))).status, 404);
    // A session cookie replayed at a tenant's domain is not a way into its Management API.
    const r = await drained(h.fetch(`${host}/api/v2/clients`, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf, 'x-signet-tenant': acme.tenant } }));
    assert.equal(r.status, 401);
  });

  test('the built dashboard is served under a strict CSP, and the root redirects to it', async () => {
    const page = await h.fetch(`${origin}/dashboard/t/default/applications`);
    assert.equal(page.status, 200, 'the dashboard must be built (npm install runs npm run build)');
    assert.match(page.headers.get('content-type')!, /^text\/html/);
    assert.match(page.headers.get('content-security-policy')!, /script-src 'self';/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    const html = await page.text();
    assert.match(html, /<script type="module" crossorigin src="\/dashboard\/assets\/[^"]+\.js"><\/script>/);
    assert.doesNotMatch(html, /<script>(?!<\/script>)/, 'no inline script');
    const asset = /src="(\/dashboard\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await h.fetch(`${origin}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control')!, /immutable/);
    assert.ok((await js.text()).length > 1000);
    assert.equal((await drained(h.fetch(`${origin}/dashboard/assets/missing.js`))).status, 404);
    assert.equal((await drained(h.fetch(`${origin}/dashboard/api/nothing`))).status, 404);
    const root = await drained(h.fetch(`${origin}/`, { redirect: 'manual' }));
    assert.equal(root.status, 302);
    assert.equal(root.headers.get('location'), '/dashboard/');
  });
});
