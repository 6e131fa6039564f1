/**
 * Every token request leaves a log event an operator can read with GET /api/v2/logs, as on
 * Auth0: `seccft` on success, `feccft` on failure with the reason. Key material and assertions
 * are never logged, not even when the request was malformed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertionForm, createM2MApp, expectValidAccessToken, keyPairFor } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

async function logs(tenant: TestTenant, q: string): Promise<any[]> {
  const r = await tenant.api('GET', `/logs?q=${encodeURIComponent(q)}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/** The base64 body of a PEM, in 40-character slices: none may appear anywhere in the logs. */
function pemSlices(pem: string): string[] {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const out: string[] = [];
  for (let i = 0; i + 40 <= b64.length; i += 40) out.push(b64.slice(i, i + 40));
  return out;
}

test('seccft and feccft events name the client and the reason, and never carry PEM or assertion text', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant, { alg: 'RS256' });

  // A success.
  const good = signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, kid: app.kid });
  const ok = await h.token(tenant, assertionForm(good, app.audience));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  await expectValidAccessToken(h, tenant, ok.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });

  // Failures: a key the app does not have, the same good assertion replayed, and an unsigned one.
  const stranger = keyPairFor('RS256');
  const forged = signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: stranger.privateKey, kid: app.kid });
  const bad = await h.token(tenant, assertionForm(forged, app.audience));
  assert.equal(bad.status, 401);
  const replay = await h.token(tenant, assertionForm(good, app.audience));
  assert.equal(replay.status, 401);
  const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: app.clientId, sub: app.clientId, marker: 'UNSIGNED-MARKER-1234' })).toString('base64url')}.`;
  // (client_id sent in the form, as openid-client does: the header is refused before 'iss' is read.)
  const none = await h.token(tenant, assertionForm(unsigned, app.audience, { client_id: app.clientId }));
  assert.equal(none.status, 401, JSON.stringify(none.body));

  const successes = await logs(tenant, `type:"seccft" AND client_id:"${app.clientId}"`);
  assert.equal(successes.length, 1, JSON.stringify(successes));
  const s = successes[0];
  assert.equal(s.type, 'seccft');
  assert.equal(s.client_id, app.clientId);
  assert.equal(s.details.auth_method, 'private_key_jwt');
  assert.equal(s.details.audience, app.audience);
  assert.equal(s.details.credential_id, app.credentialId);
  assert.equal(s.details.kid, app.kid);
  assert.equal(typeof s.log_id, 'string');
  assert.ok(!Number.isNaN(Date.parse(s.date)));

  const failures = await logs(tenant, 'type:"feccft"');
  const mine = failures.filter((e) => e.client_id === app.clientId);
  assert.equal(mine.length, 3, JSON.stringify(failures));
  for (const f of mine) {
    assert.equal(f.type, 'feccft');
    assert.equal(f.details.error, 'invalid_client');
    assert.equal(typeof f.details.client_authentication_error, 'string');
    assert.ok(f.details.client_authentication_error.length > 0);
    assert.equal(f.details.auth_method, 'private_key_jwt');
  }
  // Newest first: unsigned, replay, forged.
  assert.deepEqual(mine.map((f) => f.details.reason), ['alg_none', 'jti_replayed', 'invalid_signature']);
  assert.equal(mine[2].details.client_authentication_error, bad.body.error_description);
  assert.equal(mine[1].details.client_authentication_error, replay.body.error_description);

  // Nothing secret or replayable anywhere in the tenant's logs (token events and the Management API audit trail).
  const everything = JSON.stringify(await logs(tenant, ''));
  assert.doesNotMatch(everything, /-----BEGIN/);
  assert.doesNotMatch(everything, /PRIVATE KEY/);
  for (const jwt of [good, forged, unsigned]) {
    for (const part of jwt.split('.').filter((p) => p.length >= 16)) assert.ok(!everything.includes(part), 'an assertion (or part of one) was logged');
  }
  assert.ok(!everything.includes('UNSIGNED-MARKER-1234'), 'decoded assertion content was logged');
  assert.ok(!everything.includes(ok.body.access_token.split('.')[2]), 'an access token was logged');
  for (const slice of [...pemSlices(app.publicKeyPem), ...pemSlices(app.privateKeyPem), ...pemSlices(stranger.privateKeyPem)]) {
    assert.ok(!everything.includes(slice), 'key material was logged');
  }
});

test('a failure for an unknown client is logged with the client_id it claimed', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant, { alg: 'RS256' });
  const ghost = 'ghostClientIdThatDoesNotExist';
  const r = await h.token(tenant, assertionForm(signClientAssertion({ clientId: ghost, audience: tenant.issuer, privateKey: app.privateKey }), app.audience));
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'invalid_client');
  const events = await logs(tenant, `type:"feccft" AND client_id:"${ghost}"`);
  assert.equal(events.length, 1, JSON.stringify(events));
  assert.equal(events[0].details.reason, 'unknown_client');
  assert.equal(typeof events[0].details.client_authentication_error, 'string');
});
