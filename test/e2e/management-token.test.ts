/**
 * Management API tokens: their lifetime is the Management API's token_lifetime, which may be
 * changed (as on Auth0; its name and scopes may not), and a token stops working as soon as the
 * application it was issued to, or that application's grant for the Management API, is deleted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertMgmtError } from '../support/refusal-helpers.ts';

let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

async function systemApi(tenant: TestTenant): Promise<{ id: string; name: string; scopes: unknown[]; token_lifetime: number }> {
  const list = await tenant.api('GET', '/resource-servers');
  return list.body.find((rs: { is_system: boolean }) => rs.is_system);
}

/** A new Machine-to-Machine application granted `scope` on the Management API, and a token for it. */
async function managementApp(tenant: TestTenant, scope = ['read:clients']) {
  const app = await tenant.api('POST', '/clients', { name: 'automation', app_type: 'non_interactive', token_endpoint_auth_method: 'client_secret_post' });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const grant = await tenant.api('POST', '/client-grants', { client_id: app.body.client_id, audience: tenant.management.audience, scope });
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  const token = async () => {
    const r = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.body.client_id, client_secret: app.body.client_secret, audience: tenant.management.audience });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as { access_token: string; expires_in: number };
  };
  return { clientId: app.body.client_id as string, grantId: grant.body.id as string, token };
}

test("the Management API's token_lifetime can be shortened; its name and scopes stay the system's", async () => {
  const tenant = await h.createTenant();
  const sys = await systemApi(tenant);
  assert.equal(sys.token_lifetime, 86400);
  const set = await tenant.api('PATCH', `/resource-servers/${sys.id}`, { token_lifetime: 600 });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  assert.equal(set.body.token_lifetime, 600);
  assert.equal(set.body.is_system, true);

  const app = await managementApp(tenant);
  const t = await app.token();
  assert.equal(t.expires_in, 600);
  const claims = decodeJwt(t.access_token);
  assert.equal(claims.exp! - claims.iat!, 600);

  assertMgmtError(await tenant.api('PATCH', `/resource-servers/${sys.id}`, { name: 'Mine now' }), 403, 'system_resource_server');
  assertMgmtError(await tenant.api('PATCH', `/resource-servers/${sys.id}`, { token_lifetime: 900, scopes: [{ value: 'everything' }] }), 403, 'system_resource_server');
  assertMgmtError(await tenant.api('PATCH', `/resource-servers/${sys.id}`, { token_lifetime: 59 }), 400, 'invalid_body');
  const after = await tenant.api('GET', `/resource-servers/${sys.id}`);
  assert.equal(after.body.token_lifetime, 600, 'refused changes changed nothing');
  assert.equal(after.body.name, sys.name);
  assert.deepEqual(after.body.scopes, sys.scopes);
});

test('a Management API token is refused once its grant is deleted, even after a new grant, and once its application is deleted', async () => {
  const tenant = await h.createTenant();
  const app = await managementApp(tenant);
  const { access_token: old } = await app.token();
  assert.equal((await tenant.api('GET', '/clients', undefined, old)).status, 200);

  assert.equal((await tenant.api('DELETE', `/client-grants/${app.grantId}`)).status, 204);
  const revoked = await tenant.api('GET', '/clients', undefined, old);
  assertMgmtError(revoked, 401, 'invalid_token', /grant for the Management API, has been deleted/);

  // A new grant does not bring back tokens issued under the deleted one (the token's iat is in
  // an earlier second than the new grant).
  await new Promise((r) => setTimeout(r, 1100));
  const again = await tenant.api('POST', '/client-grants', { client_id: app.clientId, audience: tenant.management.audience, scope: ['read:clients'] });
  assert.equal(again.status, 201);
  assertMgmtError(await tenant.api('GET', '/clients', undefined, old), 401, 'invalid_token');
  const { access_token: fresh } = await app.token();
  assert.equal((await tenant.api('GET', '/clients', undefined, fresh)).status, 200, 'a token under the new grant works');

  assert.equal((await tenant.api('DELETE', `/clients/${app.clientId}`)).status, 204);
  assertMgmtError(await tenant.api('GET', '/clients', undefined, fresh), 401, 'invalid_token', /application it was issued to/);
  assert.equal((await tenant.api('GET', '/clients')).status, 200, "other applications' tokens are unaffected");
});
