/**
 * The benchmark's limit server is the ceiling Signet is compared with: if it skipped a check,
 * the ceiling would be meaningless. Started as the benchmark starts it (its own process), it
 * must mint a verifiable access token per algorithm and refuse what Signet refuses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { ASSERTION_TYPE, API_IDENTIFIER, API_SCOPE, type Target } from '../../bench/common.ts';
import { startLimit } from '../../bench/limit-target.ts';
import { ACCESS_TOKEN_ALGS } from '../../bench/limit-server.mjs';

const logDir = mkdtempSync(join(tmpdir(), 'signet-limit-test-'));
after(() => rmSync(logDir, { recursive: true, force: true }));

function assertionFor(t: Target, over: Partial<Parameters<typeof signClientAssertion>[0]> = {}): string {
  const { privateKeyPem, ...a } = t.assertion;
  return signClientAssertion({ ...a, privateKey: createPrivateKey(privateKeyPem), ...over });
}

async function post(t: Target, fields: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await fetch(t.origin + t.tokenPath, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
    signal: AbortSignal.timeout(10_000), // a server that never answers fails the test, not the run
  });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

const form = (t: Target, assertion: string, extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_assertion_type: ASSERTION_TYPE,
  client_assertion: assertion,
  ...t.form,
  ...extra,
});

for (const alg of ACCESS_TOKEN_ALGS) {
  test(`limit server mints a ${alg} access token with Signet's client-credentials claims`, async () => {
    const t = await startLimit({ workers: 1, logDir, alg });
    try {
      const r = await post(t, form(t, assertionFor(t)));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const token = r.body.access_token as string;
      const { payload } = await jwtVerify(token, t.verifyKey, { issuer: t.issuer, audience: API_IDENTIFIER, algorithms: [alg] });
      assert.equal(decodeProtectedHeader(token).alg, alg);
      assert.equal(payload.sub, `${t.assertion.clientId}@clients`);
      assert.equal(payload.azp, t.assertion.clientId);
      assert.equal(payload.gty, 'client-credentials');
      assert.equal(payload.scope, API_SCOPE);
      assert.equal(typeof payload.jti, 'string');
      assert.ok(payload.exp! > payload.iat!);
    } finally {
      await t.stop();
    }
  });
}

describe('limit server refusals (RS256)', () => {
  let t: Awaited<ReturnType<typeof startLimit>>;
  before(async () => {
    t = await startLimit({ workers: 1, logDir });
  });
  after(() => t.stop());

  test('a replayed assertion is refused', async () => {
    const a = assertionFor(t);
    assert.equal((await post(t, form(t, a))).status, 200);
    const replay = await post(t, form(t, a));
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_client');
  });

  test('an assertion signed by another key is refused, and does not burn its jti', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const real = assertionFor(t);
    const [h, p] = real.split('.');
    const forged = `${h}.${p}.${sign('sha256', Buffer.from(`${h}.${p}`), other).toString('base64url')}`;
    assert.equal((await post(t, form(t, forged))).status, 401);
    // The same jti with the real signature is still accepted: the forgery recorded nothing.
    assert.equal((await post(t, form(t, real))).status, 200);
  });

  test('a tampered signature is refused', async () => {
    const a = assertionFor(t);
    const flipped = a.slice(0, -4) + (a.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.equal((await post(t, form(t, flipped))).status, 401);
  });

  test('the wrong client_assertion_type is refused', async () => {
    const r = await post(t, form(t, assertionFor(t), { client_assertion_type: 'urn:example:other' }));
    assert.equal(r.status, 401);
  });

  test('an assertion for another audience is refused', async () => {
    assert.equal((await post(t, form(t, assertionFor(t, { audience: 'https://elsewhere.example/' })))).status, 401);
  });

  test('an assertion from another client id is refused', async () => {
    assert.equal((await post(t, form(t, assertionFor(t, { clientId: 'someone-else' })))).status, 401);
  });

  test('an expired assertion is refused, and so is one living longer than 10 minutes', async () => {
    assert.equal((await post(t, form(t, assertionFor(t, { now: Date.now() - 120_000 })))).status, 401);
    assert.equal((await post(t, form(t, assertionFor(t, { lifetimeSeconds: 3600 })))).status, 401);
  });

  test('another API or an ungranted scope is refused', async () => {
    assert.equal((await post(t, form(t, assertionFor(t), { audience: 'https://other-api.example/' }))).status, 403);
    const r = await post(t, form(t, assertionFor(t), { scope: `${API_SCOPE} write:things` }));
    assert.equal(r.status, 403);
    assert.equal(r.body.error, 'invalid_scope');
  });

  /** An RS256 assertion with exactly these claims, signed by the registered client key. */
  function signedClaims(claims: Record<string, unknown>): string {
    const input = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), createPrivateKey(t.assertion.privateKeyPem)).toString('base64url')}`;
  }
  const valid = () => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: t.assertion.clientId, sub: t.assertion.clientId, aud: t.issuer, iat: now, exp: now + 60, jti: randomUUID() };
  };

  test('a correctly signed assertion with a sub other than the client is refused', async () => {
    assert.equal((await post(t, form(t, signedClaims(valid())))).status, 200);
    assert.equal((await post(t, form(t, signedClaims({ ...valid(), sub: 'someone-else' })))).status, 401);
  });

  test('a correctly signed assertion with an iss other than the client is refused', async () => {
    assert.equal((await post(t, form(t, signedClaims({ ...valid(), iss: 'someone-else' })))).status, 401);
  });

  test('an assertion without exp, or with a non-numeric one, is refused', async () => {
    const { exp: _, ...noExp } = valid();
    assert.equal((await post(t, form(t, signedClaims(noExp)))).status, 401);
    assert.equal((await post(t, form(t, signedClaims({ ...valid(), exp: '9999999999' })))).status, 401);
  });

  test('an assertion without a jti, with an empty one or an over-long one, is refused', async () => {
    const { jti: _, ...noJti } = valid();
    assert.equal((await post(t, form(t, signedClaims(noJti)))).status, 401);
    assert.equal((await post(t, form(t, signedClaims({ ...valid(), jti: '' })))).status, 401);
    assert.equal((await post(t, form(t, signedClaims({ ...valid(), jti: 'x'.repeat(257) })))).status, 401);
  });

  test('malformed assertions are refused with 401, and the server keeps answering', async () => {
    const [h, p] = assertionFor(t).split('.');
    const bad = [
      '',
      'abc',
      `${h}.${p}`, // a valid payload, no signature part
      `${assertionFor(t)}.extra`, // a valid assertion with a fourth part
      `${h}.not-json.sig`,
      `${h}.${b64(null)}.sig`,
    ];
    for (const a of bad) {
      const r = await post(t, form(t, a));
      assert.equal(r.status, 401, a);
      assert.equal(r.body.error, 'invalid_client');
    }
    assert.equal((await post(t, form(t, assertionFor(t)))).status, 200);
  });

  test('a body over 16 KiB, another content type and another route are refused', async () => {
    const big = await fetch(t.origin + t.tokenPath, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form(t, assertionFor(t)), pad: 'x'.repeat(20_000) }).toString(),
      signal: AbortSignal.timeout(10_000),
    }).then((r) => r.status, () => 'reset');
    assert.ok(big === 413 || big === 'reset', String(big));
    const json = await fetch(t.origin + t.tokenPath, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form(t, assertionFor(t))) });
    assert.equal(json.status, 400);
    assert.equal(((await json.json()) as { error?: string }).error, 'invalid_request');
    assert.equal((await fetch(t.origin + t.tokenPath)).status, 404);
  });

  test('another grant type is refused', async () => {
    assert.equal((await post(t, form(t, assertionFor(t), { grant_type: 'password' }))).status, 400);
  });
});
