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
import { decideAttempts, SIGN_IN_POLICIES, signInThrottleKeys } from '../../src/domain/sign-in-throttle.ts';

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

  const events = async (tenant: TestTenant, type: string) => (await tenant.api('GET', `/logs?q=type:${type}`)).body as { type: string; details: Record<string, unknown>; user_id?: string; user_name?: string; client_id: string | null }[];
  /** The platform audit log as the dashboard reads it. */
  const audit = async (s: Session) => {
    const r = await h.fetch(`${origin}/dashboard/api/audit?limit=1000`, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    assert.equal(r.status, 200);
    return (await r.json()) as { type: string; email: string | null; ip: string | null; reason: string | null; via: string; date: string }[];
  };
  /** Every log event of the default tenant, as a read:logs token sees them. */
  const tenantLogText = async () => {
    const pages = await Promise.all(['', 'q=type:s&', 'q=type:fp&', 'q=type:fu&', 'q=type:limit_wc&'].map((q) => h.defaultTenant.api('GET', `/logs?${q}per_page=100`)));
    for (const p of pages) assert.equal(p.status, 200);
    return JSON.stringify(pages.map((p) => p.body));
  };

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
    const s = { cookie: cookie.split(';')[0]!, csrf: body.csrf_token! };
    const signIn = (await audit(s)).find((e) => e.type === 'sign_in' && e.email === 'admin@example.com');
    assert.equal(signIn?.ip, '127.0.0.1');
    assert.equal(signIn?.via, 'dashboard');
  });

  test('a wrong password and an unknown email get the same answer; the platform audit log has the reason, the tenant logs nothing', async () => {
    const wrong = await signInRaw('second@example.com', 'not the password!!');
    const unknown = await signInRaw('nobody@example.com', 'not the password!!');
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    assert.deepEqual(await wrong.json(), await unknown.json());
    assert.equal(wrong.headers.get('set-cookie'), null);
    const entries = await audit(await signIn());
    assert.ok(entries.some((e) => e.type === 'sign_in_failed' && e.email === 'second@example.com' && e.reason === 'wrong_password'));
    assert.ok(entries.some((e) => e.type === 'sign_in_failed' && e.email === 'nobody@example.com' && e.reason === 'unknown_email'));
    // A tenant's read:logs token sees neither admin emails nor which emails are admins.
    const logs = await tenantLogText();
    for (const leak of ['second@example.com', 'nobody@example.com', 'admin@example.com', '"fp"', '"fu"', 'Dashboard sign-in']) assert.ok(!logs.includes(leak), `${leak} in tenant logs`);
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
    // Counted from the 5th attempt, which began a password check ago.
    assert.ok(Number(limited.headers.get('retry-after')) > 880 && Number(limited.headers.get('retry-after')) <= 900, limited.headers.get('retry-after')!);
    assert.equal(((await limited.json()) as { errorCode: string }).errorCode, 'too_many_attempts');
    assert.equal(limited.headers.get('set-cookie'), null);
    const entries = await audit(await signIn());
    assert.ok(entries.some((e) => e.type === 'sign_in_failed' && e.email === 'throttled@example.com' && e.reason === 'too_many_attempts'));
    assert.ok(!(await tenantLogText()).includes('throttled@example.com'));
  });

  test('the audit endpoint is for signed-in admins with the CSRF token only, and its limit is checked', async () => {
    const s = await signIn();
    assert.equal((await drained(h.fetch(`${origin}/dashboard/api/audit`))).status, 401);
    assert.equal((await drained(h.fetch(`${origin}/dashboard/api/audit`, { headers: { cookie: s.cookie } }))).status, 403);
    for (const bad of ['0', '1001', 'x']) assert.equal((await drained(h.fetch(`${origin}/dashboard/api/audit?limit=${bad}`, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } }))).status, 400, bad);
    const two = await h.fetch(`${origin}/dashboard/api/audit?limit=2`, { headers: { cookie: s.cookie, 'x-csrf-token': s.csrf } });
    const body = (await two.json()) as { type: string; date: string }[];
    assert.equal(body.length, 2);
    assert.equal(body[0]!.type, 'sign_in', 'newest first');
    assert.ok(body[0]!.date >= body[1]!.date);
    // Not through any tenant's Management API either.
    assert.equal((await h.defaultTenant.api('GET', '/audit')).status, 404);
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
    const apiEvent = (await events(h.defaultTenant, 'sapi')).find((e) => e.details.client_id === created.body.client_id);
    assert.equal(apiEvent?.details.admin, 'admin@example.com');
    // The actor, in Auth0's top-level fields: the admin, not an application.
    assert.equal(apiEvent?.user_name, 'admin@example.com');
    assert.match(apiEvent?.user_id ?? '', /^adm_/);
    assert.equal(apiEvent?.client_id, null);
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
    assert.ok((await audit(await signIn())).some((e) => e.type === 'sign_out' && e.email === 'admin@example.com'));
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

/**
 * Sign-in under attack, behind one trusted proxy (SIGNET_TRUST_PROXY=1): the client address is
 * the last X-Forwarded-For entry, the one the proxy appended. Guesses are counted before their
 * password is checked, bounded in flight, and hashed off the thread pool that signs tokens.
 */
describe('dashboard sign-in under attack', () => {
  let h: Harness;
  let origin: string;
  let n = 0;
  /** A fresh account, so each test starts with untouched counters. */
  const account = async () => {
    const email = `target${++n}@example.com`;
    await h.services.admins.create(email, PASSWORD);
    return email;
  };
  const attempt = (email: string, password: string, forwardedFor: string) =>
    drained(
      h.fetch(`${origin}/dashboard/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin, 'x-forwarded-for': forwardedFor },
        body: JSON.stringify({ email, password }),
      }),
    );
  /** Password checks finished so far: counted by the hasher itself, not inferred from timing. */
  const checked = () => h.services.admins.hasher.stats().derived;

  before(async () => {
    h = await startSignet({ trustProxy: '1' });
    origin = `https://signet.test:${h.port}`;
  });
  after(() => h.close());

  test('60 concurrent wrong passwords: at most the limit of 5 are checked, every other one is refused with 429', async () => {
    const email = await account();
    const before = checked();
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => attempt(email, `wrong guess number ${i}`, '203.0.113.10')));
    const statuses = answers.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 401 || s === 429), statuses.join());
    const verified = checked() - before;
    assert.ok(verified <= 5, `${verified} passwords checked`);
    assert.equal(statuses.filter((s) => s === 401).length, verified);
    for (const r of answers.filter((r) => r.status === 429)) assert.match(r.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
  });

  test('while a password is being checked, a second sign-in from that address, or one past 4 in flight, is refused at once with 429', async () => {
    const email = await account();
    const before = checked();
    const inFlight = () => h.services.admins.hasher.stats().running + h.services.admins.hasher.stats().queued;
    const waitForInFlight = async (n: number) => {
      for (let i = 0; i < 500 && inFlight() < n; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(inFlight(), n);
    };
    const first = attempt(email, 'first guess of two', '203.0.113.40');
    await waitForInFlight(1);
    const second = await attempt(email, 'second guess of two', '203.0.113.40');
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '2');
    assert.equal((await first).status, 401);

    const four = Array.from({ length: 4 }, (_, i) => attempt(email, `one of four ${i}`, `203.0.113.${50 + i}`));
    await waitForInFlight(4);
    assert.equal((await attempt(email, 'the fifth', '203.0.113.60')).status, 429);
    assert.deepEqual((await Promise.all(four)).map((r) => r.status), [401, 401, 401, 401]);
    assert.equal(checked() - before, 5, 'the refused ones were never checked');
  });

  test('a burst with the right password among 30 wrong ones does not sign in once the limit is hit', async () => {
    const email = await account();
    const before = checked();
    // Bursts of 30 concurrent guesses until the throttle has counted 5 of them.
    for (let wave = 0; wave < 10 && checked() - before < 5; wave++) {
      await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(email, `wave ${wave} guess ${i}`, '203.0.113.11')));
    }
    assert.equal(checked() - before, 5);
    const burst = [...Array.from({ length: 30 }, (_, i) => `last burst guess ${i}`), PASSWORD, 'one more wrong guess'];
    const answers = await Promise.all(burst.map((p) => attempt(email, p, '203.0.113.11')));
    assert.deepEqual([...new Set(answers.map((r) => r.status))], [429]);
    assert.equal(checked() - before, 5, 'no password in the burst was even checked');
    // Another address still signs in: the lock is the attacker's, not the account's.
    const elsewhere = await h.fetch(`${origin}/dashboard/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin, 'x-forwarded-for': '198.51.100.20' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    assert.equal(elsewhere.status, 200, await elsewhere.text());
  });

  test('while sign-ins are hashing, /oauth/token answers promptly (hashing is off the pool that signs tokens)', async (t) => {
    const email = await account();
    const tokenForm = {
      grant_type: 'client_credentials',
      client_id: h.defaultTenant.management.client_id,
      client_secret: h.defaultTenant.management.client_secret,
      audience: h.defaultTenant.management.audience,
    };
    assert.equal((await h.token(h.defaultTenant, tokenForm)).status, 200); // connection and caches warm
    // How long one password check takes here, alone.
    let t0 = performance.now();
    assert.equal((await attempt(email, 'a lone wrong guess', '192.0.2.1')).status, 401);
    const oneCheck = performance.now() - t0;

    // As many sign-ins as may be in flight at once, from different addresses, then a token request.
    const signIns = Promise.all(Array.from({ length: 4 }, (_, i) => attempt(email, `busy guess ${i}`, `192.0.2.${10 + i}`)));
    await new Promise((r) => setTimeout(r, 50));
    t0 = performance.now();
    const before = checked();
    const token = await h.token(h.defaultTenant, tokenForm);
    const tokenMs = performance.now() - t0;
    const finishedMeanwhile = checked() - before;
    await signIns;
    t.diagnostic(`token request: ${tokenMs.toFixed(0)} ms while 4 sign-ins were in flight; one password check alone: ${oneCheck.toFixed(0)} ms`);
    assert.equal(token.status, 200);
    // With hashing on libuv's pool, the RSA signature waited for a whole check (or more) to end.
    assert.ok(tokenMs < oneCheck / 2, `token took ${tokenMs.toFixed(0)} ms; one password check takes ${oneCheck.toFixed(0)} ms`);
    assert.ok(finishedMeanwhile < 4, 'the token did not wait for the checks to finish');
  });

  test('an attempt is counted atomically before its password is checked: 60 concurrent reservations get exactly the limit', async () => {
    const now = Date.now();
    const policies = signInThrottleKeys('race@example.com', '203.0.113.99');
    const results = await Promise.all(Array.from({ length: 60 }, () => h.services.store.admins.reserveAttempt([...policies.keys()], (states) => decideAttempts(policies, states, now))));
    assert.equal(results.filter((r) => r.ok).length, SIGN_IN_POLICIES.accountAddress.limit);
  });

  test('with one trusted proxy, addresses a client writes into X-Forwarded-For are ignored: each guess does not get a new address', async () => {
    const email = await account();
    for (let i = 0; i < 5; i++) assert.equal((await attempt(email, `spoofed guess ${i}`, `10.${i}.0.1, 203.0.113.30`)).status, 401);
    const sixth = await attempt(email, PASSWORD, '10.99.0.1, 203.0.113.30');
    assert.equal(sixth.status, 429);
    const entries = await h.services.store.platformAudit.list(100);
    assert.ok(entries.filter((e) => e.email === email && e.type === 'sign_in_failed').every((e) => e.ip === '203.0.113.30'));
  });

  test('IPv6 clients are throttled by their /64, and an IPv4-mapped IPv6 address as its IPv4 address', async () => {
    const email = await account();
    for (let i = 1; i <= 5; i++) assert.equal((await attempt(email, `v6 guess ${i}`, `2001:db8:7:1::${i}`)).status, 401);
    assert.equal((await attempt(email, PASSWORD, '2001:db8:7:1:ffff:ffff:ffff:ffff')).status, 429, 'same /64');
    assert.equal((await attempt(email, PASSWORD, '2001:db8:7:2::1')).status, 200, 'another /64');

    const other = await account();
    for (let i = 1; i <= 5; i++) assert.equal((await attempt(other, `mapped guess ${i}`, '::ffff:198.51.100.77')).status, 401);
    assert.equal((await attempt(other, PASSWORD, '198.51.100.77')).status, 429);
  });

  test('failures from many addresses slow the account down exponentially, never lock the real admin out, and a success resets it', async () => {
    const email = await account();
    const admins = h.services.admins;
    let now = Date.now();
    const waits: number[] = [];
    // 20 guesses from 20 addresses, each as soon as the account allows it.
    for (let i = 0; i < 20; i++) {
      const client = { ip: `100.64.${i}.1` };
      for (;;) {
        try {
          await admins.signIn(email, `distributed guess ${i}`, client, now);
          assert.fail('a wrong password signed in');
        } catch (err) {
          if ((err as { code?: string }).code === 'invalid_credentials') break;
          assert.equal((err as { code?: string }).code, 'too_many_attempts');
          const wait = (err as { retryAfterSeconds: number }).retryAfterSeconds;
          waits.push(wait);
          now += wait * 1000;
        }
      }
    }
    // The first ten are free; then each wait doubles (1 s, 2 s, 4 s …) up to five minutes.
    assert.deepEqual(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]);
    // The real admin, from their own address, waits at most the cap: no hard lock.
    await assert.rejects(admins.signIn(email, PASSWORD, { ip: '192.0.2.200' }, now), { code: 'too_many_attempts' });
    const signedIn = await admins.signIn(email, PASSWORD, { ip: '192.0.2.200' }, now + 300_000);
    assert.equal(signedIn.admin.email, email);
    // A success resets the backoff: the next mistakes are answered at once again.
    now += 300_000;
    for (let i = 0; i < 3; i++) await assert.rejects(admins.signIn(email, `typo ${i}`, { ip: `192.0.2.${210 + i}` }, now), { code: 'invalid_credentials' });
    // And so does time: an hour with no attempt forgets earlier failures.
    const idle = await account();
    for (let i = 0; i < 10; i++) await assert.rejects(admins.signIn(idle, `early guess ${i}`, { ip: `100.65.${i}.1` }, now), { code: 'invalid_credentials' });
    await assert.rejects(admins.signIn(idle, 'one too many', { ip: '100.65.99.1' }, now), { code: 'too_many_attempts' });
    await assert.rejects(admins.signIn(idle, 'an hour later', { ip: '100.65.99.1' }, now + 3600_000), { code: 'invalid_credentials' });
  });
});
