import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertionForm, createApi, createM2MApp, type M2MApp } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { DEFAULT_TENANT_SETTINGS } from '../../src/domain/tenant-settings.ts';

/**
 * Rate limits as a client sees them (Auth0's behaviour): 429 too_many_requests with
 * Retry-After and X-RateLimit-Limit/Remaining/Reset (Reset in epoch seconds), the headers on
 * successful responses too, failed client authentications weighing 10, refusals before any
 * verification, and one limit_* log event per key per window. Limits here are set low through
 * the tenant settings; the defaults are what a deployment gets.
 */

let h: Harness;
before(async () => {
  // One trusted proxy: X-Forwarded-For names the client address, so tests can speak from several.
  h = await startSignet({ trustProxy: '1' });
});
after(async () => {
  await h?.close();
});

const WINDOW = 3600;

/** A fresh tenant with these limits, its clock moved to the start of a window (so no window ends mid-test). */
async function limitedTenant(limits: Record<string, number>): Promise<TestTenant> {
  const tenant = await h.createTenant();
  const r = await tenant.api('PATCH', '/tenants/settings', { rate_limit_window: WINDOW, ...limits });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  toNextWindow();
  return tenant;
}

function toNextWindow(): void {
  const now = h.clock.now();
  h.clock.advance(WINDOW * 1000 - (now % (WINDOW * 1000)) + 10);
}

async function secretApp(tenant: TestTenant) {
  const audience = await createApi(tenant);
  const r = await tenant.api('POST', '/clients', { name: 'secret app', app_type: 'non_interactive' });
  assert.equal(r.status, 201);
  const g = await tenant.api('POST', '/client-grants', { client_id: r.body.client_id, audience, scope: ['read:things'] });
  assert.equal(g.status, 201);
  const form = (secret: string = r.body.client_secret) => ({ grant_type: 'client_credentials', client_id: r.body.client_id as string, client_secret: secret, audience });
  return { clientId: r.body.client_id as string, form };
}

/** A token request with a fresh assertion made at the server's time (which tests move forward). */
const signedForm = (tenant: TestTenant, app: M2MApp) =>
  assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: app.alg, now: h.clock.now() }), app.audience);

const windowEndSeconds = () => Math.ceil((Math.floor(h.clock.now() / (WINDOW * 1000)) + 1) * WINDOW);

async function logsOfType(tenant: TestTenant, type: string, token?: string): Promise<any[]> {
  const r = await tenant.api('GET', `/logs?q=${encodeURIComponent(`type:"${type}"`)}&per_page=100`, undefined, token);
  assert.equal(r.status, 200);
  return r.body;
}

test('the defaults a tenant gets, and their bounds', async () => {
  const tenant = await h.createTenant();
  const s = await tenant.api('GET', '/tenants/settings');
  assert.equal(s.body.token_rate_limit_per_client, DEFAULT_TENANT_SETTINGS.token_rate_limit_per_client);
  assert.equal(s.body.token_rate_limit_per_address, 1200);
  assert.equal(s.body.management_rate_limit_per_token, 600);
  assert.equal(s.body.rate_limit_window, 60);
  for (const [field, value] of [['token_rate_limit_per_client', 0], ['token_rate_limit_per_address', 1_000_001], ['management_rate_limit_per_token', -5], ['rate_limit_window', 3601]] as const) {
    const r = await tenant.api('PATCH', '/tenants/settings', { [field]: value });
    assert.equal(r.status, 400, field);
    assert.equal(r.body.field, field);
    assert.match(r.body.message, new RegExp(`^${field} must be an integer between`));
  }
  assert.equal((await tenant.api('GET', '/tenants/settings')).body.token_rate_limit_per_client, 600, 'nothing half-written');
});

test('per client: the X-RateLimit headers count down on every token response, then 429 too_many_requests with Retry-After', async () => {
  const tenant = await limitedTenant({ token_rate_limit_per_client: 3 });
  const app = await secretApp(tenant);
  const reset = String(windowEndSeconds());
  for (const remaining of ['2', '1', '0']) {
    const r = await h.token(tenant, app.form());
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.headers.get('x-ratelimit-limit'), '3');
    assert.equal(r.headers.get('x-ratelimit-remaining'), remaining);
    assert.equal(r.headers.get('x-ratelimit-reset'), reset);
    assert.equal(r.headers.get('retry-after'), null);
  }
  const refused = await h.token(tenant, app.form());
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error, 'too_many_requests');
  assert.match(refused.body.error_description, /^Too many requests from this client: at most 3 per 3600 seconds\. Try again in \d+ seconds\.$/);
  assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
  assert.equal(refused.headers.get('x-ratelimit-reset'), reset);
  const retryAfter = Number(refused.headers.get('retry-after'));
  assert.ok(retryAfter > 3500 && retryAfter <= 3600, `Retry-After ${retryAfter}`);
  assert.equal(refused.headers.get('cache-control'), 'no-store');

  // Another client of the tenant has its own budget; the same client in the next window is served again.
  const other = await secretApp(tenant);
  assert.equal((await h.token(tenant, other.form())).status, 200);
  h.clock.advance(retryAfter * 1000);
  const again = await h.token(tenant, app.form());
  assert.equal(again.status, 200);
  assert.equal(again.headers.get('x-ratelimit-remaining'), '2');
});

test('a failed client authentication weighs 10: a guessing run on a client_id is stopped after a few tries, and the client with it', async () => {
  const tenant = await limitedTenant({ token_rate_limit_per_client: 25 });
  const app = await secretApp(tenant);
  for (const remaining of ['15', '5', '0']) {
    const wrong = await h.token(tenant, app.form('not-the-secret'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, 'invalid_client');
    assert.equal(wrong.headers.get('x-ratelimit-remaining'), remaining);
  }
  // 30 units spent by 3 requests: even the right secret waits for the window to end.
  const right = await h.token(tenant, app.form());
  assert.equal(right.status, 429);
  assert.equal(right.body.error, 'too_many_requests');
});

test('a key over its limit is refused before any verification: a bad signature gets 429, not 401, and nothing is consumed', async () => {
  const tenant = await limitedTenant({ token_rate_limit_per_client: 2 });
  const app = await createM2MApp(tenant);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
  const valid = signedForm(tenant, app);
  const [head, body] = valid.client_assertion!.split('.');
  const forged = assertionForm(`${head}.${body}.${Buffer.alloc(256, 7).toString('base64url')}`, app.audience);
  const failuresBefore = (await logsOfType(tenant, 'feccft')).length;
  const refusedForged = await h.token(tenant, forged);
  assert.equal(refusedForged.status, 429, 'the signature was not looked at');
  assert.equal((await h.token(tenant, valid)).status, 429);
  assert.equal((await logsOfType(tenant, 'feccft')).length, failuresBefore, 'a refusal is not a failed exchange');
  // The refused assertion was never claimed: once the limit allows it, it is still good for one token.
  assert.equal((await tenant.api('PATCH', '/tenants/settings', { token_rate_limit_per_client: 10 })).status, 200);
  assert.equal((await h.token(tenant, valid)).status, 200);
});

test('per address (X-Forwarded-For through a trusted proxy): one address is refused, another is served; refusals are logged once per key and window', async () => {
  const tenant = await limitedTenant({ token_rate_limit_per_address: 20 });
  const app = await secretApp(tenant);
  const from = (ip: string, form = app.form()) => h.token(tenant, form, { 'x-forwarded-for': ip });
  // Two failed authentications from one address spend its 20 units.
  assert.equal((await from('203.0.113.7', app.form('wrong'))).status, 401);
  assert.equal((await from('203.0.113.7', app.form('wrong'))).status, 401);
  for (let i = 0; i < 3; i++) {
    const r = await from('203.0.113.7');
    assert.equal(r.status, 429);
    assert.match(r.body.error_description, /^Too many requests from this address: at most 20 per 3600 seconds/);
  }
  assert.equal((await from('198.51.100.4')).status, 200);
  // An IPv6 host is one key per /64: another address in it shares the budget.
  assert.equal((await from('2001:db8:1:2::1', app.form('wrong'))).status, 401);
  assert.equal((await from('2001:db8:1:2::ff', app.form('wrong'))).status, 401);
  assert.equal((await from('2001:db8:1:2:abcd::9')).status, 429);
  assert.equal((await from('2001:db8:1:3::1')).status, 200);

  const events = await logsOfType(tenant, 'limit_mu');
  assert.equal(events.length, 2, 'one event per address per window, however many refusals');
  const v4 = events.find((e) => e.ip === '203.0.113.7');
  assert.ok(v4, JSON.stringify(events));
  assert.equal(v4.client_id, app.clientId);
  assert.equal(v4.details.limit, 20);
  assert.equal(v4.details.limited_by, 'address');
  assert.equal(v4.description, 'Rate limit exceeded: more than 20 requests in 3600 seconds from this address');
  // Next window: the address is served, and a new refusal would be logged anew.
  toNextWindow();
  assert.equal((await from('203.0.113.7')).status, 200);
});

test('per client refusals are logged as limit_wc, naming the client', async () => {
  const tenant = await limitedTenant({ token_rate_limit_per_client: 1 });
  const app = await secretApp(tenant);
  assert.equal((await h.token(tenant, app.form())).status, 200);
  for (let i = 0; i < 4; i++) assert.equal((await h.token(tenant, app.form())).status, 429);
  const events = await logsOfType(tenant, 'limit_wc');
  assert.equal(events.length, 1);
  assert.equal(events[0].client_id, app.clientId);
  assert.equal(events[0].details.limited_by, 'client');
  assert.doesNotMatch(JSON.stringify(events[0]), /client_secret|not-the-secret/);
});

test('Management API: per token, in its own error shape, checked before the token is verified, counted only once it is', async () => {
  const tenant = await limitedTenant({ management_rate_limit_per_token: 3 });
  const token = await tenant.managementToken();
  const [head, payload] = token.split('.');
  const forged = `${head}.${payload}.${Buffer.alloc(256, 1).toString('base64url')}`;
  // The token's jti under a broken signature: refused as invalid, and not counted against the real token.
  assert.equal((await tenant.api('GET', '/clients', undefined, forged)).status, 401);
  for (const remaining of ['2', '1', '0']) {
    const r = await h.fetch(new URL('api/v2/clients?per_page=1', tenant.issuer), { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-ratelimit-limit'), '3');
    assert.equal(r.headers.get('x-ratelimit-remaining'), remaining);
    await r.arrayBuffer();
  }
  const refused = await h.fetch(new URL('api/v2/clients', tenant.issuer), { headers: { authorization: `Bearer ${token}` } });
  assert.equal(refused.status, 429);
  assert.deepEqual(Object.keys(await refused.json()).sort(), ['error', 'errorCode', 'message', 'statusCode']);
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
  assert.equal(refused.headers.get('x-ratelimit-remaining'), '0');
  const body = await (await h.fetch(new URL('api/v2/clients', tenant.issuer), { headers: { authorization: `Bearer ${token}` } })).json();
  assert.equal(body.statusCode, 429);
  assert.equal(body.error, 'Too Many Requests');
  assert.equal(body.errorCode, 'too_many_requests');

  // Now over its limit, the same jti under a broken signature is refused as limited, without being verified.
  assert.equal((await tenant.api('GET', '/clients', undefined, forged)).status, 429);
  // A forged token with a fresh jti is not counted against anything: it is just invalid.
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  const other = `${head}.${Buffer.from(JSON.stringify({ ...claims, jti: 'some-other-jti' })).toString('base64url')}.${Buffer.alloc(256, 1).toString('base64url')}`;
  for (let i = 0; i < 5; i++) assert.equal((await tenant.api('GET', '/clients', undefined, other)).status, 401);

  // Another token of the same application has its own budget.
  const second = await h.token(tenant, { grant_type: 'client_credentials', client_id: tenant.management.client_id, client_secret: tenant.management.client_secret, audience: tenant.management.audience });
  assert.equal(second.status, 200);
  assert.equal((await tenant.api('GET', '/clients', undefined, second.body.access_token)).status, 200);
  const events = await logsOfType(tenant, 'api_limit', second.body.access_token);
  assert.equal(events.length, 1);
  assert.equal(events[0].client_id, tenant.management.client_id);
  assert.doesNotMatch(JSON.stringify(events), new RegExp(token.slice(-20)));
});
