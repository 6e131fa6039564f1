/**
 * A used jti stays used for as long as its assertion could be accepted under any clock_skew
 * the tenant may set: raising the skew after the use must not make the assertion usable again.
 * Time is moved with the server's injectable clock, not slept through.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { assertionForm, createM2MApp } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { MAX_CLOCK_SKEW_SECONDS } from '../../src/domain/tenant-settings.ts';

let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

test('raising clock_skew to its maximum after a use does not reopen the jti', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  const t0 = h.clock.now();
  const signed = () => signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, now: t0, lifetimeSeconds: 30 });
  const used = assertionForm(signed(), app.audience);
  assert.equal((await h.token(tenant, used)).status, 200);

  const raised = await tenant.api('PATCH', '/tenants/settings', { clock_skew: MAX_CLOCK_SKEW_SECONDS });
  assert.equal(raised.status, 200, JSON.stringify(raised.body));
  // Past exp + the 10 s skew in force at the use (where the record used to end), well within
  // exp + the new skew, so the assertion itself is still acceptable.
  h.clock.advance((30 + 10 + 40) * 1000);
  const replay = await h.token(tenant, used);
  assert.equal(replay.status, 401, JSON.stringify(replay.body));
  assert.equal(replay.body.error, 'invalid_client');
  assert.match(replay.body.error_description, /already used/);
  // The same times with a new jti are accepted: the refusal above is the replay, nothing else.
  assert.equal((await h.token(tenant, assertionForm(signed(), app.audience))).status, 200);
});
