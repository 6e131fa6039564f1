/**
 * Every bad client assertion at POST /oauth/token, end to end over HTTPS. Each refusal must:
 * - answer the right status and OAuth error (401 `invalid_client` for failed authentication,
 *   400 `invalid_request` for a malformed request) with an `error_description` naming the
 *   failed check;
 * - write a `feccft` log event carrying the reason (read back with GET /api/v2/logs);
 * - change nothing: credentials over GET and in the store, the client row, and the jti store.
 * And the jti of a refused assertion is NOT burned — proven by using the same jti in a valid
 * assertion afterwards, which must succeed (then, as a control, its replay must fail). That
 * holds for failures after the signature check too, because the replay record is written last.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, randomUUID, X509Certificate } from 'node:crypto';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import {
  API_AUDIENCE,
  ASSERTION_TYPE,
  assertOAuthError,
  assertUnchanged,
  assertion,
  asn1Time,
  createApi,
  credentialBody,
  datedCert,
  grant,
  jtiUsed,
  logsOfType,
  newRsa,
  pkjwtApp,
  rawToken,
  secretApp,
  snapshot,
  spki,
  type AssertionOptions,
  type PkjwtApp,
} from '../support/refusal-helpers.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(async () => {
  await h.close();
});

interface Fixture {
  tenant: TestTenant;
  app: PkjwtApp;
}

/** A fresh Enterprise tenant with an M2M app on private_key_jwt (one enabled RS256 credential), granted API_AUDIENCE. */
async function setup(): Promise<Fixture> {
  const tenant = await h.createTenant();
  return { tenant, app: await pkjwtApp(tenant) };
}

const tokenForm = (clientAssertion: string, extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_assertion_type: ASSERTION_TYPE,
  client_assertion: clientAssertion,
  audience: API_AUDIENCE,
  ...extra,
});

/** An assertion of the fixture's app, valid unless `o` says otherwise. */
const make = (f: Fixture, o: Partial<AssertionOptions> = {}) => assertion({ clientId: f.app.clientId, aud: f.tenant.issuer, key: f.app.key.privateKey, ...o });

interface Expected {
  status?: number;
  error?: string;
  /** What the error_description must say (the failed check). */
  description: RegExp;
  /** The `reason` recorded in the feccft event (the error's stable code). */
  reason: string;
  /** The jti of the refused assertion, to prove it was not burned. */
  jti?: string;
  /** client_id the log event must carry (default: the fixture's app; null to skip). */
  logClientId?: string | null;
  /** What the error_description must NOT name: the client's configuration (kids, algs, dates, plan, method). */
  hidden?: readonly (string | RegExp)[];
  /** What the feccft event's `detail` must name instead (for the tenant's eyes only). */
  detail?: RegExp;
}

/**
 * Sends one request that must be refused and checks the response, the feccft event and that
 * nothing changed. When `jti` is given, proves it is still unused: the same jti in a valid
 * assertion then succeeds, and (control) its replay fails.
 */
async function expectRefused(f: Fixture, send: () => Promise<{ status: number; body: any; headers: Headers }>, e: Expected) {
  const status = e.status ?? 401;
  const error = e.error ?? 'invalid_client';
  const feccftBefore = (await logsOfType(f.tenant, 'feccft')).length;
  const before = await snapshot(h, f.tenant, f.app.clientId);

  const r = await send();
  assertOAuthError(r, status, error, e.description);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  for (const h of e.hidden ?? []) {
    const named = typeof h === 'string' ? r.body.error_description.includes(h) : h.test(r.body.error_description);
    assert.ok(!named, `the unauthenticated caller is told ${String(h)}: ${r.body.error_description}`);
  }

  const events = await logsOfType(f.tenant, 'feccft');
  assert.equal(events.length, feccftBefore + 1, 'exactly one feccft event for the refusal');
  const ev = events.find((x) => (x.details.client_authentication_error ?? x.details.error_description) === r.body.error_description);
  assert.ok(ev, `a feccft event with the error_description; got ${JSON.stringify(events[0])}`);
  assert.equal(ev.details.reason, e.reason, `feccft reason; event ${JSON.stringify(ev)}`);
  assert.equal(ev.details.error, error);
  if (error === 'invalid_client') {
    assert.equal(ev.description, 'Failed client authentication');
    assert.equal(ev.details.client_authentication_error, r.body.error_description);
  }
  if (e.detail) assert.match(ev.details.detail ?? '', e.detail, `feccft detail; event ${JSON.stringify(ev)}`);
  const logClientId = e.logClientId === undefined ? f.app.clientId : e.logClientId;
  if (logClientId !== null) assert.equal(ev.client_id, logClientId, 'feccft client_id');

  await assertUnchanged(h, f.tenant, f.app.clientId, before);

  if (e.jti !== undefined) await proveJtiUnused(f, e.jti);
  return r;
}

/** The jti is free: a valid assertion with it succeeds; its replay is then refused (control). */
async function proveJtiUnused(f: Fixture, jti: string) {
  assert.equal(await jtiUsed(h, f.tenant, f.app.clientId, jti), false, 'jti recorded as used after a refusal');
  const valid = make(f, { jti });
  const ok = await h.token(f.tenant, tokenForm(valid.token));
  assert.equal(ok.status, 200, `the same jti in a valid assertion must still work: ${JSON.stringify(ok.body)}`);
  assert.ok(ok.body.access_token);
  const replay = await h.token(f.tenant, tokenForm(valid.token));
  assertOAuthError(replay, 401, 'invalid_client', /already used/);
}

const post = (f: Fixture, form: Record<string, string>, headers?: Record<string, string>) => () => h.token(f.tenant, form, headers);

// -------------------------------------------------------------------------------------------
// The request: parameters, methods, sizes
// -------------------------------------------------------------------------------------------

test('wrong client_assertion_type is 400 invalid_request', async () => {
  const f = await setup();
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token, { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' })), {
    status: 400,
    error: 'invalid_request',
    description: /client_assertion_type/,
    reason: 'invalid_request',
    jti: a.jti,
    logClientId: null,
  });
  // Missing type with an assertion: same.
  const b = make(f);
  const { client_assertion_type: _t, ...noType } = tokenForm(b.token);
  await expectRefused(f, post(f, noType), { status: 400, error: 'invalid_request', description: /client_assertion_type/, reason: 'invalid_request', jti: b.jti, logClientId: null });
});

test('client_secret together with client_assertion is 400 invalid_request', async () => {
  const f = await setup();
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token, { client_id: f.app.clientId, client_secret: 'whatever-secret' })), {
    status: 400,
    error: 'invalid_request',
    description: /exactly one/,
    reason: 'invalid_request',
    jti: a.jti,
  });
});

test('an Authorization: Basic header plus an assertion is 400 invalid_request', async () => {
  const f = await setup();
  const a = make(f);
  const basic = `Basic ${Buffer.from(`${f.app.clientId}:some-secret`).toString('base64')}`;
  await expectRefused(f, post(f, tokenForm(a.token), { authorization: basic }), {
    status: 400,
    error: 'invalid_request',
    description: /exactly one/,
    reason: 'invalid_request',
    jti: a.jti,
    logClientId: null,
  });
});

test('an assertion larger than 2048 bytes is refused', async () => {
  const f = await setup();
  const a = make(f, { claims: { pad: 'x'.repeat(1500) } });
  assert.ok(a.token.length > 2048 && a.token.length < 4096, `size ${a.token.length}`);
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /2048 bytes/, reason: 'assertion_too_large', jti: a.jti, logClientId: null });
});

test('an assertion larger than 4096 bytes gets the same specific 401 (not a generic schema error)', async () => {
  const f = await setup();
  const a = make(f, { claims: { pad: 'x'.repeat(4000) } });
  assert.ok(a.token.length > 4096, `size ${a.token.length}`);
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /2048 bytes/, reason: 'assertion_too_large', jti: a.jti, logClientId: null });
});

test('a client_assertion that is not a JWT is refused', async () => {
  const f = await setup();
  for (const junk of ['not-a-jwt', 'a.b', 'a.b.c.d.e', '....', 'eyJ.eyJ.sig', 'eyJhbGciOiJSUzI1NiJ9.eyJ+aXNzIjoi/.c2ln', 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0=.c2ln']) {
    await expectRefused(f, post(f, tokenForm(junk)), { description: /JWT|JWS|base64url|JSON|compact/i, reason: 'malformed_assertion', logClientId: null });
  }
});

test('duplicate form parameter (client_assertion twice) is 400 invalid_request', async () => {
  const f = await setup();
  const a = make(f);
  const other = make(f);
  const body = `${new URLSearchParams(tokenForm(a.token)).toString()}&client_assertion=${other.token}`;
  const before = await snapshot(h, f.tenant, f.app.clientId);
  const r = await rawToken(h, f.tenant, body, 'application/x-www-form-urlencoded');
  assertOAuthError(r, 400, 'invalid_request', /client_assertion.*more than once/);
  const logged = (await logsOfType(f.tenant, 'feccft')).filter((e) => /more than once/.test(e.details.error_description ?? ''));
  assert.equal(logged.length, 1, 'a request refused before the handler still writes its failure event');
  await assertUnchanged(h, f.tenant, f.app.clientId, before);
  await proveJtiUnused(f, a.jti!);
  assert.equal(await jtiUsed(h, f.tenant, f.app.clientId, other.jti!), false);
});

test('a repeated parameter is refused in a JSON body exactly as in a form body', async () => {
  const f = await setup();
  const a = make(f);
  const other = make(f);
  const form = tokenForm(a.token);
  const json = JSON.stringify(form);
  const repeat = (name: string, value: string) => `${json.slice(0, -1)},${JSON.stringify(name)}:${JSON.stringify(value)}}`;
  const bodies: Array<[string, string, string, RegExp]> = [
    ['application/x-www-form-urlencoded', `${new URLSearchParams(form).toString()}&client_assertion=${other.token}`, 'client_assertion', /.client_assertion. appears more than once/],
    ['application/json', repeat('client_assertion', other.token), 'client_assertion', /.client_assertion. appears more than once/],
    // The same name spelled with an escape is the same parameter.
    ['application/json', `${json.slice(0, -1)},"client\\u005fassertion":${JSON.stringify(other.token)}}`, 'client_assertion', /.client_assertion. appears more than once/],
    ['application/json', repeat('audience', 'https://elsewhere.example/'), 'audience', /.audience. appears more than once/],
    ['application/x-www-form-urlencoded', `${new URLSearchParams(form).toString()}&audience=x`, 'audience', /.audience. appears more than once/],
  ];
  const descriptions = new Set<string>();
  for (const [type, body, name, description] of bodies) {
    const before = await snapshot(h, f.tenant, f.app.clientId);
    const r = await rawToken(h, f.tenant, body, type);
    assertOAuthError(r, 400, 'invalid_request', description);
    const logged = (await logsOfType(f.tenant, 'feccft'))[0];
    assert.match(logged.details.error_description, description, `${type}: the refusal is logged`);
    await assertUnchanged(h, f.tenant, f.app.clientId, before);
    descriptions.add(`${name}: ${r.body.error_description}`);
  }
  assert.equal(descriptions.size, 2, 'the same error for both content types');
  await proveJtiUnused(f, a.jti!);
  assert.equal(await jtiUsed(h, f.tenant, f.app.clientId, other.jti!), false);
  // Names repeated inside a nested value are not repeated parameters: an unknown parameter is
  // ignored (RFC 6749 §3.2), whatever it holds.
  const nested = await rawToken(h, f.tenant, `${JSON.stringify(tokenForm(make(f).token)).slice(0, -1)},"extra":{"a":1,"a":[{"a":2}]}}`, 'application/json');
  assert.equal(nested.status, 200, nested.text);
});

test('a JSON body is accepted as well as a form body', async () => {
  const f = await setup();
  const a = make(f);
  const r = await rawToken(h, f.tenant, JSON.stringify(tokenForm(a.token)), 'application/json');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.token_type, 'Bearer');
  assert.ok(r.body.access_token);
  const replay = await rawToken(h, f.tenant, JSON.stringify(tokenForm(a.token)), 'application/json');
  assertOAuthError(replay, 401, 'invalid_client', /already used/);
});

test('an oversized body is 413 with an OAuth error body', async () => {
  const f = await setup();
  const a = make(f);
  const before = await snapshot(h, f.tenant, f.app.clientId);
  const form = `${new URLSearchParams(tokenForm(a.token)).toString()}&scope=${'x'.repeat(20 * 1024)}`;
  const r = await rawToken(h, f.tenant, form, 'application/x-www-form-urlencoded');
  assert.equal(r.status, 413, r.text);
  assert.equal(r.body.error, 'invalid_request');
  assert.equal(typeof r.body.error_description, 'string');
  const json = await rawToken(h, f.tenant, JSON.stringify({ ...tokenForm(a.token), scope: 'x'.repeat(20 * 1024) }), 'application/json');
  assert.equal(json.status, 413, json.text);
  assert.equal(json.body.error, 'invalid_request');
  const logged = (await logsOfType(f.tenant, 'feccft')).filter((e) => /too large/.test(e.details.error_description ?? ''));
  assert.equal(logged.length, 2, 'both oversized requests are logged');
  await assertUnchanged(h, f.tenant, f.app.clientId, before);
  await proveJtiUnused(f, a.jti!);
});

// -------------------------------------------------------------------------------------------
// Header: alg, kid, key
// -------------------------------------------------------------------------------------------

test('alg none is refused', async () => {
  const f = await setup();
  for (const alg of ['none', 'None', 'NONE']) {
    const a = make(f, { alg });
    assert.ok(a.token.endsWith('.'));
    await expectRefused(f, post(f, tokenForm(a.token)), { description: /unsigned|must be signed/, reason: 'alg_none', jti: a.jti, logClientId: null });
  }
  // alg none with a bogus signature appended is still alg none.
  const b = make(f, { alg: 'none' });
  await expectRefused(f, post(f, tokenForm(`${b.token}c2ln`)), { description: /unsigned|must be signed/, reason: 'alg_none', jti: b.jti, logClientId: null });
});

test('HS256 signed with the public PEM as the HMAC secret is refused', async () => {
  const f = await setup();
  const pem = spki(f.app.key);
  for (const secret of [pem, pem.trim(), Buffer.from(f.app.key.publicKey.export({ type: 'spki', format: 'der' }))]) {
    const a = make(f, { alg: 'HS256', key: secret as never });
    await expectRefused(f, post(f, tokenForm(a.token)), { description: /symmetric|HMAC/, reason: 'alg_symmetric', jti: a.jti, logClientId: null });
  }
  const kidded = make(f, { alg: 'HS256', key: pem as never, kid: f.app.kid });
  await expectRefused(f, post(f, tokenForm(kidded.token)), { description: /symmetric|HMAC/, reason: 'alg_symmetric', jti: kidded.jti, logClientId: null });
});

test("an alg different from the credential's alg is refused", async () => {
  const f = await setup();
  for (const alg of ['PS256', 'RS384', 'RS512']) {
    const a = make(f, { alg });
    // Which check failed, but not which algs the credentials are registered with (the log says).
    const mismatch = { description: new RegExp(`'alg' '${alg}' does not match the algorithm`), reason: 'alg_mismatch', hidden: ['RS256'], detail: new RegExp(`"${alg}".*: RS256$`) };
    await expectRefused(f, post(f, tokenForm(a.token)), { ...mismatch, jti: a.jti });
    const k = make(f, { alg, kid: f.app.kid });
    await expectRefused(f, post(f, tokenForm(k.token)), { ...mismatch, hidden: ['RS256', f.app.kid], jti: k.jti });
  }
});

test('an unknown kid is refused', async () => {
  const f = await setup();
  const a = make(f, { kid: 'no-such-kid-0001' });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /kid.*no-such-kid-0001.*does not match/, reason: 'unknown_kid', jti: a.jti });
});

test('a valid signature by another key is refused', async () => {
  const f = await setup();
  const other = newRsa();
  const a = make(f, { key: other.privateKey });
  // Without a kid, the caller must not learn the kid (or alg) of the credential that was tried.
  const bad = { description: /signature does not verify/, reason: 'invalid_signature', hidden: [f.app.kid, 'RS256'], detail: new RegExp(`"${f.app.kid}"`) };
  await expectRefused(f, post(f, tokenForm(a.token)), { ...bad, jti: a.jti });
  const k = make(f, { key: other.privateKey, kid: f.app.kid });
  await expectRefused(f, post(f, tokenForm(k.token)), { ...bad, hidden: ['RS256'], jti: k.jti });
  // A signature over other bytes (payload swapped after signing).
  const good = make(f);
  const forged = make(f, { claims: { sub: f.app.clientId, extra: 'x' } });
  const [hdr, , sig] = good.token.split('.');
  const spliced = `${hdr}.${forged.token.split('.')[1]}.${sig}`;
  await expectRefused(f, post(f, tokenForm(spliced)), { description: /signature does not verify/, reason: 'invalid_signature', jti: forged.jti });
  await proveJtiUnused(f, good.jti!);
});

// -------------------------------------------------------------------------------------------
// Who the assertion says it is
// -------------------------------------------------------------------------------------------

test('iss different from sub is refused', async () => {
  const f = await setup();
  const a = make(f, { claims: { sub: 'SomeoneElse000000000000000000000' } });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /'iss' and 'sub'/, reason: 'iss_sub_mismatch', jti: a.jti, logClientId: null });
  const b = make(f, { claims: { iss: 'SomeoneElse000000000000000000000' } });
  await expectRefused(f, post(f, tokenForm(b.token)), { description: /'iss' and 'sub'/, reason: 'iss_sub_mismatch', jti: b.jti, logClientId: null });
});

test('a client_id parameter different from sub is refused', async () => {
  const f = await setup();
  const other = await secretApp(f.tenant);
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token, { client_id: other.clientId })), { description: /client_id/, reason: 'client_id_mismatch', jti: a.jti });
  // Matching client_id is fine.
  const ok = make(f);
  const r = await h.token(f.tenant, tokenForm(ok.token, { client_id: f.app.clientId }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

test('an unknown client is refused', async () => {
  const f = await setup();
  const ghost = 'GhostClient00000000000000000000x';
  const a = make(f, { clientId: ghost, jti: randomUUID() });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /Unknown client/, reason: 'unknown_client', jti: a.jti, logClientId: ghost });
});

// -------------------------------------------------------------------------------------------
// aud
// -------------------------------------------------------------------------------------------

test('aud = the token endpoint URL: refused in strict mode, accepted (and logged as legacy) after audience_policy legacy', async () => {
  const f = await setup();
  const tokenEndpoint = `${f.tenant.issuer}oauth/token`;
  const a = make(f, { aud: tokenEndpoint });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /token endpoint URL/, reason: 'aud_invalid' });
  assert.equal(await jtiUsed(h, f.tenant, f.app.clientId, a.jti!), false);

  const s = await f.tenant.api('PATCH', '/tenants/settings', { audience_policy: 'legacy' });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  assert.equal(s.body.audience_policy, 'legacy');
  // The very same assertion (same jti: it was not burned) now succeeds.
  const r = await h.token(f.tenant, tokenForm(a.token));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const ok = (await logsOfType(f.tenant, 'seccft')).find((e) => e.details.jti === a.jti);
  assert.ok(ok, 'a seccft event for the legacy success');
  assert.equal(ok.details.legacy_audience, true);
  assert.equal(ok.client_id, f.app.clientId);
  // A strict-conformant success is not flagged.
  const strict = make(f);
  assert.equal((await h.token(f.tenant, tokenForm(strict.token))).status, 200);
  const plain = (await logsOfType(f.tenant, 'seccft')).find((e) => e.details.jti === strict.jti);
  assert.ok(plain);
  assert.equal(plain.details.legacy_audience, undefined);
  // Replay protection applies in legacy mode too.
  assertOAuthError(await h.token(f.tenant, tokenForm(a.token)), 401, 'invalid_client', /already used/);
});

test('legacy audience policy: an array containing the token endpoint URL is accepted and logged as legacy', async () => {
  // policy.ts / check-assertion-audience.ts / tenant-settings.ts: `legacy` accepts "arrays containing the issuer or the token endpoint URL".
  const f = await setup();
  const s = await f.tenant.api('PATCH', '/tenants/settings', { audience_policy: 'legacy' });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  const withIssuer = make(f, { aud: [f.tenant.issuer, 'https://elsewhere.example/'] });
  const r1 = await h.token(f.tenant, tokenForm(withIssuer.token));
  assert.equal(r1.status, 200, `[issuer, other] under legacy: ${JSON.stringify(r1.body)}`);
  const withEndpoint = make(f, { aud: [`${f.tenant.issuer}oauth/token`, 'https://elsewhere.example/'] });
  const r2 = await h.token(f.tenant, tokenForm(withEndpoint.token));
  assert.equal(r2.status, 200, `[token endpoint, other] under legacy: ${JSON.stringify(r2.body)}`);
  const ev = (await logsOfType(f.tenant, 'seccft')).find((e) => e.details.jti === withEndpoint.jti);
  assert.equal(ev?.details.legacy_audience, true);
});

test('aud as an array of two values is refused (strict)', async () => {
  const f = await setup();
  const a = make(f, { aud: [f.tenant.issuer, 'https://other.example/'] });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /single value|array of 2/, reason: 'aud_invalid', jti: a.jti });
  // A one-element array holding the issuer is fine.
  const one = make(f, { aud: [f.tenant.issuer] });
  assert.equal((await h.token(f.tenant, tokenForm(one.token))).status, 200);
});

test('aud missing the trailing slash is refused', async () => {
  const f = await setup();
  const a = make(f, { aud: f.tenant.issuer.replace(/\/$/, '') });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /trailing slash/, reason: 'aud_invalid', jti: a.jti });
});

test('aud of another tenant is refused', async () => {
  const f = await setup();
  const other = await h.createTenant();
  const a = make(f, { aud: other.issuer });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: new RegExp(`'aud' must be the issuer identifier ["']${f.tenant.issuer.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}["']`), reason: 'aud_invalid', jti: a.jti });
  const missing = make(f, { claims: { aud: undefined } });
  await expectRefused(f, post(f, tokenForm(missing.token)), { description: /'aud' claim is required/, reason: 'aud_missing', jti: missing.jti });
});

// -------------------------------------------------------------------------------------------
// Times
// -------------------------------------------------------------------------------------------

const nowS = () => Math.floor(Date.now() / 1000);

test('exp missing is refused', async () => {
  const f = await setup();
  const a = make(f, { claims: { exp: undefined } });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /'exp' claim is required/, reason: 'exp_missing', jti: a.jti });
});

test('an expired assertion is refused', async () => {
  const f = await setup();
  const a = make(f, { claims: { iat: nowS() - 120, exp: nowS() - 60 } });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /expired|in the past/, reason: 'assertion_expired', jti: a.jti });
});

test('exp - iat over 300 seconds is refused', async () => {
  const f = await setup();
  const iat = nowS();
  const a = make(f, { claims: { iat, exp: iat + 301 } });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /no more than 5 minutes after 'iat'/, reason: 'lifetime_exceeded', jti: a.jti });
  const noIat = make(f, { claims: { iat: undefined, exp: nowS() + 900 } });
  await expectRefused(f, post(f, tokenForm(noIat.token)), { description: /5 minutes/, reason: 'lifetime_exceeded', jti: noIat.jti });
  // Exactly 300 s is accepted.
  const edge = make(f, { claims: { iat, exp: iat + 300 } });
  assert.equal((await h.token(f.tenant, tokenForm(edge.token))).status, 200);
});

test('iat 60 s in the future is refused', async () => {
  const f = await setup();
  const a = make(f, { claims: { iat: nowS() + 60, exp: nowS() + 120 } });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /'iat' claim is in the future/, reason: 'iat_in_future', jti: a.jti });
});

test('nbf in the future is refused', async () => {
  const f = await setup();
  const a = make(f, { claims: { nbf: nowS() + 60, exp: nowS() + 120 } });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /'nbf' claim is in the future/, reason: 'nbf_in_future', jti: a.jti });
});

// -------------------------------------------------------------------------------------------
// jti and typ
// -------------------------------------------------------------------------------------------

test('jti missing is refused', async () => {
  const f = await setup();
  const a = make(f, { jti: null });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /'jti' claim is required/, reason: 'jti_missing' });
  const empty = make(f, { jti: '' });
  await expectRefused(f, post(f, tokenForm(empty.token)), { description: /'jti'/, reason: 'jti_missing' });
  const numeric = make(f, { claims: { jti: 12345 } });
  await expectRefused(f, post(f, tokenForm(numeric.token)), { description: /'jti'/, reason: 'jti_missing' });
});

test('jti longer than 64 characters is refused', async () => {
  const f = await setup();
  const long = 'j'.repeat(65);
  const a = make(f, { jti: long });
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /'jti'.*64/, reason: 'jti_too_long' });
  assert.equal(await jtiUsed(h, f.tenant, f.app.clientId, long), false);
  // 64 is the limit, not one less.
  await proveJtiUnused(f, 'j'.repeat(64));
});

test('typ at+jwt is refused', async () => {
  const f = await setup();
  for (const typ of ['at+jwt', 'dpop+jwt', 'application/at+jwt']) {
    const a = make(f, { typ });
    await expectRefused(f, post(f, tokenForm(a.token)), { description: /'typ'/, reason: 'typ_invalid', jti: a.jti });
  }
  for (const typ of ['JWT', 'client-authentication+jwt', null]) {
    const ok = make(f, { typ });
    assert.equal((await h.token(f.tenant, tokenForm(ok.token))).status, 200, `typ ${typ}`);
  }
});

// -------------------------------------------------------------------------------------------
// Single use
// -------------------------------------------------------------------------------------------

test('replaying a successful assertion is refused ("already used")', async () => {
  const f = await setup();
  const a = make(f);
  const first = await h.token(f.tenant, tokenForm(a.token));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(await jtiUsed(h, f.tenant, f.app.clientId, a.jti!), true);
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /already used/, reason: 'jti_replayed' });
  // A fresh jti works.
  assert.equal((await h.token(f.tenant, tokenForm(make(f).token))).status, 200);
});

test('ten racing requests with the same assertion: exactly one succeeds', async () => {
  const f = await setup();
  const a = make(f);
  const before = await snapshot(h, f.tenant, f.app.clientId);
  const results = await Promise.all(Array.from({ length: 10 }, () => h.token(f.tenant, tokenForm(a.token))));
  const ok = results.filter((r) => r.status === 200);
  assert.equal(ok.length, 1, `statuses ${results.map((r) => r.status).join(',')}`);
  for (const r of results.filter((x) => x.status !== 200)) assertOAuthError(r, 401, 'invalid_client', /already used/);
  const events = await logsOfType(f.tenant, 'feccft');
  assert.equal(events.filter((e) => e.details.reason === 'jti_replayed').length, 9);
  const after = await snapshot(h, f.tenant, f.app.clientId);
  assert.equal(after.usedJtis, before.usedJtis + 1, 'one jti recorded');
  // The one success legitimately stamps last_used_at; nothing else may differ.
  const strip = (s: typeof before) => JSON.parse(JSON.stringify({ ...s, usedJtis: 0 }).replace(/"(last_used_at|lastUsedAt)":("[^"]*"|\d+|null)/g, '"$1":null'));
  assert.deepEqual(strip(after), strip(before));
});

// -------------------------------------------------------------------------------------------
// The credential and the client
// -------------------------------------------------------------------------------------------

test('a credential whose expires_at has passed is refused', async () => {
  const f = await setup();
  const at = new Date(h.clock.now() + 2000).toISOString();
  const p = await f.tenant.api('PATCH', `/clients/${f.app.clientId}/credentials/${f.app.credentialId}`, { expires_at: at });
  assert.ok(p.status === 200 || p.status === 201, JSON.stringify(p.body));
  assert.equal(p.body.expires_at, at);
  h.clock.advance(2100);
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token)), {
    description: /every credential of the application has expired/,
    reason: 'credential_expired',
    hidden: [f.app.kid, /\d{4}-\d\d-\d\dT/, 'expired at'],
    detail: new RegExp(`"${f.app.kid}" expired at ${at.slice(0, 19)}`),
  });
  // Lift the expiry: the same jti then works (it was not burned).
  const lift = await f.tenant.api('PATCH', `/clients/${f.app.clientId}/credentials/${f.app.credentialId}`, { expires_at: null });
  assert.ok(lift.status === 200 || lift.status === 201, JSON.stringify(lift.body));
  await proveJtiUnused(f, a.jti!);
});

test("a certificate credential is refused once the certificate's notAfter has passed", async () => {
  // check-expiry-update.ts: "the certificate's own notAfter (stored as certNotAfter) still bounds when the key may be used".
  const tenant = await h.createTenant();
  await createApi(tenant);
  const notAfter = new Date(h.clock.now() + 4000);
  const cert = datedCert(asn1Time(new Date(Date.now() - 3600_000)), asn1Time(notAfter));
  const privateKey = createPrivateKey(cert.keyPem);
  const c = await tenant.api('POST', '/clients', {
    name: 'cert-backed',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [credentialBody(cert.certPem)] } },
  });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const clientId = c.body.client_id as string;
  await grant(tenant, clientId);
  const creds = await tenant.api('GET', `/clients/${clientId}/credentials`);
  // No explicit expiry was set: the API reports when the credential stops, the certificate's notAfter.
  assert.equal(creds.body[0].expires_at, new Date(new X509Certificate(cert.certPem).validTo).toISOString());
  const f: Fixture = { tenant, app: { clientId, key: { privateKey, publicKey: null as never }, credentialId: creds.body[0].id, kid: creds.body[0].kid } };
  // Valid while the certificate is.
  assert.equal((await h.token(tenant, tokenForm(make(f).token))).status, 200);
  h.clock.advance(notAfter.getTime() + 1100 - h.clock.now());
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token)), {
    description: /every credential of the application has expired/,
    reason: 'credential_expired',
    hidden: [f.app.kid, /\d{4}-\d\d-\d\dT/, 'expired at'],
    detail: new RegExp(`"${f.app.kid}" expired at ${notAfter.toISOString().slice(0, 19)}`),
  });
});

test('a disabled credential (created but not enabled) is refused', async () => {
  const f = await setup();
  const spare = newRsa();
  const c = await f.tenant.api('POST', `/clients/${f.app.clientId}/credentials`, credentialBody(spki(spare), { name: 'not enabled' }));
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const byKid = make(f, { key: spare.privateKey, kid: c.body.kid });
  await expectRefused(f, post(f, tokenForm(byKid.token)), { description: /does not match any enabled credential/, reason: 'unknown_kid', jti: byKid.jti });
  const noKid = make(f, { key: spare.privateKey });
  await expectRefused(f, post(f, tokenForm(noKid.token)), {
    description: /signature does not verify/,
    reason: 'invalid_signature',
    jti: noKid.jti,
    hidden: [f.app.kid, 'RS256'],
    detail: new RegExp(`credential "${f.app.kid}" \\(RS256\\)`),
  });
});

test('private_key_jwt not enabled on the client is refused', async () => {
  const tenant = await h.createTenant();
  await createApi(tenant);
  const app = await secretApp(tenant);
  await grant(tenant, app.clientId);
  const key = newRsa();
  const c = await tenant.api('POST', `/clients/${app.clientId}/credentials`, credentialBody(spki(key)));
  assert.equal(c.status, 201, JSON.stringify(c.body));
  const f: Fixture = { tenant, app: { clientId: app.clientId, key, credentialId: c.body.id, kid: c.body.kid } };
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token)), {
    description: /Private Key JWT is not enabled/,
    reason: 'method_not_enabled',
    hidden: [/client_secret|token_endpoint_auth_method/],
    detail: /token_endpoint_auth_method is client_secret_post/,
  });
  // Enable it: the same jti now works.
  const en = await tenant.api('PATCH', `/clients/${app.clientId}`, {
    token_endpoint_auth_method: null,
    client_authentication_methods: { private_key_jwt: { credentials: [{ id: c.body.id }] } },
  });
  assert.equal(en.status, 200, JSON.stringify(en.body));
  await proveJtiUnused(f, a.jti!);
});

test('a public (SPA) client is refused', async () => {
  const tenant = await h.createTenant();
  const spa = await secretApp(tenant, 'spa');
  const key = newRsa();
  const f: Fixture = { tenant, app: { clientId: spa.clientId, key, credentialId: '', kid: '' } };
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /confidential/, reason: 'public_client', hidden: ['spa'], detail: /type is spa/ });
});

test('a client secret sent by a method the client is not registered for is refused without naming the registered method', async () => {
  const tenant = await h.createTenant();
  await createApi(tenant);
  const app = await secretApp(tenant);
  await grant(tenant, app.clientId);
  const f: Fixture = { tenant, app: { clientId: app.clientId, key: newRsa(), credentialId: '', kid: '' } };
  const basic = { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.secret}`).toString('base64')}` };
  await expectRefused(f, post(f, { grant_type: 'client_credentials', audience: API_AUDIENCE }, basic), {
    description: /does not accept client_secret_basic/,
    reason: 'method_mismatch',
    hidden: ['client_secret_post'],
    detail: /registered for client_secret_post, not client_secret_basic/,
  });
  // Control: the method it is registered for works.
  const ok = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.secret!, audience: API_AUDIENCE });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test('a client on a professional-plan tenant is refused', async () => {
  const tenant = await h.createTenant('professional');
  await createApi(tenant);
  const app = await secretApp(tenant);
  await grant(tenant, app.clientId);
  const key = newRsa();
  const f: Fixture = { tenant, app: { clientId: app.clientId, key, credentialId: '', kid: '' } };
  const a = make(f);
  await expectRefused(f, post(f, tokenForm(a.token)), { description: /Enterprise plan/, reason: 'plan_required', hidden: ['professional'], detail: /on the professional plan/ });
  // Its secret still works there.
  const ok = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: app.secret!, audience: API_AUDIENCE });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

// -------------------------------------------------------------------------------------------
// The assertion checker (POST /api/v2/clients/{id}/check-assertion) and the token endpoint
// -------------------------------------------------------------------------------------------

test('the assertion checker and the token endpoint give the same verdict on padded and odd input', async () => {
  const f = await setup();
  const variants: Record<string, (token: string) => string> = {
    'as issued (control)': (t) => t,
    'a space before, a newline after': (t) => ` ${t}\n`,
    'a trailing newline': (t) => `${t}\n`,
    'a trailing CRLF': (t) => `${t}\r\n`,
    'a leading tab': (t) => `\t${t}`,
    'a byte-order mark': (t) => `\uFEFF${t}`,
    'a space inside': (t) => t.replace('.', ' .'),
    'base64 padding': (t) => `${t}=`,
    'a fourth part': (t) => `${t}.`,
    'quotes around it': (t) => `"${t}"`,
    'a Bearer prefix': (t) => `Bearer ${t}`,
  };
  for (const [name, variant] of Object.entries(variants)) {
    const sent = variant(make(f).token);
    const checked = await f.tenant.api('POST', `/clients/${f.app.clientId}/check-assertion`, { client_assertion: sent });
    assert.equal(checked.status, 200, `${name}: ${JSON.stringify(checked.body)}`);
    const exchanged = await h.token(f.tenant, tokenForm(sent));
    assert.equal(checked.body.ok, exchanged.status === 200, `${name}: checker ${JSON.stringify(checked.body.checks.filter((c: any) => c.status === 'fail'))}, endpoint ${exchanged.status} ${JSON.stringify(exchanged.body)}`);
    if (exchanged.status !== 200) {
      assert.equal(exchanged.body.error, 'invalid_client', name);
      const failed = checked.body.checks.find((c: any) => c.status === 'fail');
      assert.equal(failed.id, 'format', name);
      assert.equal(failed.message.slice(1), `${exchanged.body.error_description.slice(1)}.`, `${name}: the endpoint's own reason`);
      if (/\s/.test(sent)) assert.match(exchanged.body.error_description, /contains whitespace/, `${name}: says what is wrong`);
    }
  }
});

test("the assertion checker (authenticated) names what the token endpoint keeps from the caller", async () => {
  const f = await setup();
  const a = make(f, { alg: 'PS256', kid: f.app.kid });
  const checked = await f.tenant.api('POST', `/clients/${f.app.clientId}/check-assertion`, { client_assertion: a.token });
  const alg = checked.body.checks.find((c: any) => c.id === 'alg');
  assert.equal(alg.status, 'fail');
  assert.match(alg.message, /registered with: RS256\.$/);
  const exchanged = await h.token(f.tenant, tokenForm(a.token));
  assertOAuthError(exchanged, 401, 'invalid_client', /'alg' 'PS256' does not match/);
  assert.doesNotMatch(exchanged.body.error_description, /RS256/);

  // An application on a plan without Private Key JWT: the checker names the plan, the endpoint does not.
  const tenant = await h.createTenant('professional');
  const app = await secretApp(tenant);
  const token = assertion({ clientId: app.clientId, aud: tenant.issuer, key: newRsa().privateKey }).token;
  const report = await tenant.api('POST', `/clients/${app.clientId}/check-assertion`, { client_assertion: token });
  assert.match(report.body.checks.find((c: any) => c.id === 'application').message, /on the professional plan/);
  const refused = await h.token(tenant, tokenForm(token));
  assertOAuthError(refused, 401, 'invalid_client', /Enterprise plan/);
  assert.doesNotMatch(refused.body.error_description, /professional/);
});
