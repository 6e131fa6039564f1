/**
 * POST /oauth/par (RFC 9126): a confidential client authenticated as at the token endpoint
 * (client secret or Private Key JWT) pushes its authorization request and gets a one-time
 * request_uri; /authorize takes the pushed parameters (and only those) once, for that client,
 * before it expires. Public clients cannot push; a client can require pushing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { authorizePath, browse, codeRequest, CookieJar, webApp } from '../support/authorize-helpers.ts';
import { keyPairFor } from '../support/fixtures.ts';
import { logsOfType } from '../support/refusal-helpers.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { authorizationCodeHash } from '../../src/domain/opaque-token.ts';

let h: Harness;
let tenant: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
});
after(() => h.close());

async function push(t: TestTenant, form: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await h.fetch(new URL('oauth/par', t.base), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

async function signedIn(jar = new CookieJar()) {
  const ctx = (await h.services.directory.byName(tenant.tenant))!;
  const s = await h.services.authorization.startSession(ctx, 'auth0|par-user', undefined, h.clock.now());
  jar.set('__Host-signet_sso', s.token);
  return { jar, session: s.session };
}

test('a client secret app pushes, and /authorize uses the pushed parameters once', async () => {
  const app = await webApp(tenant);
  const req = codeRequest(app, { nonce: 'pushed-nonce', state: 'pushed state' });
  const r = await push(tenant, { ...req.params, client_secret: app.secret });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.match(r.body.request_uri, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  assert.equal(r.body.expires_in, 60);
  assert.equal(r.headers.get('cache-control'), 'no-store');

  const { jar, session } = await signedIn();
  // Query parameters beside request_uri are ignored: only the pushed ones count.
  const res = await browse(h, tenant, authorizePath({ client_id: app.clientId, request_uri: r.body.request_uri, nonce: 'query-nonce', state: 'query state' }), jar);
  assert.equal(res.status, 302, res.text);
  const q = new URL(res.location!).searchParams;
  assert.equal(q.get('state'), 'pushed state');
  const stored = (await h.services.store.authorizationCodes.find(session.tenantId, authorizationCodeHash(q.get('code')!)))!;
  assert.equal(stored.nonce, 'pushed-nonce');
  assert.equal(stored.codeChallenge, req.params.code_challenge);

  const again = await browse(h, tenant, authorizePath({ client_id: app.clientId, request_uri: r.body.request_uri }), jar);
  assert.equal(again.status, 400);
  assert.equal(again.location, null);
  assert.match(again.text, /unknown, expired, already used/);
});

test('a Private Key JWT app pushes with an assertion whose aud is the issuer', async () => {
  const keys = keyPairFor('RS256');
  const created = await tenant.api('POST', '/clients', {
    name: 'pkjwt web',
    app_type: 'regular_web',
    grant_types: ['authorization_code'],
    callbacks: ['https://app.example.com/callback'],
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k', pem: keys.publicKeyPem, alg: 'RS256' }] } },
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const clientId = created.body.client_id;
  const req = codeRequest({ clientId, callback: 'https://app.example.com/callback' });
  const assertion = signClientAssertion({ clientId, audience: tenant.issuer, privateKey: keys.privateKey });
  const r = await push(tenant, { ...req.params, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const replay = await push(tenant, { ...req.params, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });
  assert.equal(replay.status, 401, 'the assertion is single use here too');
  assert.equal(replay.body.error, 'invalid_client');
});

test('refusals: no authentication, a public client, a bad request, a pushed request_uri, an oversized body', async () => {
  const app = await webApp(tenant);
  const { params } = codeRequest(app);
  const none = await push(tenant, params);
  assert.equal(none.status, 401);
  assert.equal(none.body.error, 'invalid_client');
  const wrong = await push(tenant, { ...params, client_secret: `${app.secret}x` });
  assert.equal(wrong.status, 401);

  const spa = await webApp(tenant, { app_type: 'spa', token_endpoint_auth_method: 'none' });
  const pub = await push(tenant, codeRequest(spa).params);
  assert.equal(pub.status, 401, JSON.stringify(pub.body));
  assert.equal(pub.body.error, 'invalid_client');

  const bad = await push(tenant, { ...params, redirect_uri: 'https://evil.example.com/', client_secret: app.secret });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error, 'invalid_request');
  assert.match(bad.body.error_description, /not one of the Allowed Callback URLs/);
  const plain = await push(tenant, { ...params, code_challenge_method: 'plain', client_secret: app.secret });
  assert.equal(plain.status, 400);
  const nested = await push(tenant, { ...params, request_uri: 'urn:ietf:params:oauth:request_uri:x', client_secret: app.secret });
  assert.equal(nested.status, 400);
  assert.match(nested.body.error_description, /request_uri cannot be pushed/);
  const big = await push(tenant, { ...params, client_secret: app.secret, filler: 'x'.repeat(2000), f2: 'x'.repeat(2000), f3: 'x'.repeat(2000), f4: 'x'.repeat(2000), f5: 'x'.repeat(2000), f6: 'x'.repeat(1000) });
  assert.equal(big.status, 413, JSON.stringify(big.body));
  assert.ok((await logsOfType(tenant, 'f')).some((e: any) => e.description === 'Failed pushed authorization request' && e.client_id === app.clientId));
});

test("a request_uri works only for its client, on its tenant, before it expires", async () => {
  const app = await webApp(tenant);
  const other = await webApp(tenant);
  const pushed = async () => (await push(tenant, { ...codeRequest(app).params, client_secret: app.secret })).body.request_uri as string;
  const uri = await pushed();
  const foreign = await browse(h, tenant, authorizePath({ client_id: other.clientId, request_uri: uri }));
  assert.equal(foreign.status, 400);
  assert.equal((await browse(h, tenant, authorizePath({ client_id: app.clientId, request_uri: uri }))).status, 302, 'still usable by its own client');
  const otherTenant = await h.createTenant();
  const uri2 = await pushed();
  assert.equal((await browse(h, otherTenant, authorizePath({ client_id: app.clientId, request_uri: uri2 }))).status, 400);
  const uri3 = await pushed();
  h.clock.advance(61_000);
  const expired = await browse(h, tenant, authorizePath({ client_id: app.clientId, request_uri: uri3 }));
  assert.equal(expired.status, 400);
  assert.match(expired.text, /expired/);
  assert.equal((await browse(h, tenant, authorizePath({ client_id: app.clientId, request_uri: 'urn:other:x' }))).status, 400);
});

test('require_pushed_authorization_requests: /authorize refuses a request that was not pushed', async () => {
  const app = await webApp(tenant, { require_pushed_authorization_requests: true, par_request_expiry: 30 });
  const direct = await browse(h, tenant, authorizePath(codeRequest(app).params));
  assert.equal(direct.status, 302);
  const q = new URL(direct.location!).searchParams;
  assert.equal(q.get('error'), 'invalid_request');
  assert.match(q.get('error_description')!, /requires pushed authorization requests/);
  const r = await push(tenant, { ...codeRequest(app).params, client_secret: app.secret });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.expires_in, 30, 'par_request_expiry');
  const via = await browse(h, tenant, authorizePath({ client_id: app.clientId, request_uri: r.body.request_uri }));
  assert.match(via.location ?? '', /^\/u\/login\?state=/);
});
