/**
 * Deleting an API (resource server) deletes its client grants with it: an API created again
 * with the same identifier starts with no grants, and the applications that had one are
 * refused until they are granted again.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { createApi, createM2MApp, grantAccess, signedForm } from '../support/fixtures.ts';

let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

test('an API deleted and created again with the same identifier does not revive its client grants', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  const other = await createM2MApp(tenant);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);

  const api = (await tenant.api('GET', '/resource-servers')).body.find((rs: { identifier: string }) => rs.identifier === app.audience);
  assert.equal((await tenant.api('DELETE', `/resource-servers/${api.id}`)).status, 204);
  const grants = await tenant.api('GET', '/client-grants');
  assert.equal(grants.status, 200);
  assert.deepEqual(grants.body.filter((g: { audience: string }) => g.audience === app.audience), [], 'the grants went with the API');
  assert.ok(grants.body.some((g: { audience: string }) => g.audience === other.audience), 'grants for other APIs stay');

  await createApi(tenant, app.audience, ['read:things']);
  const denied = await h.token(tenant, signedForm(tenant, app));
  assert.equal(denied.status, 403, JSON.stringify(denied.body));
  assert.equal(denied.body.error, 'access_denied');
  assert.equal((await tenant.api('GET', `/client-grants?audience=${encodeURIComponent(app.audience)}`)).body.length, 0);
  assert.equal((await h.token(tenant, signedForm(tenant, other))).status, 200, 'the other API is untouched');

  await grantAccess(tenant, app.clientId, app.audience, ['read:things']);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200, 'a new grant works as usual');
});
