/**
 * Key rotation with overlap, as Applications › Credentials does it on Auth0: upload the new
 * public key, enable both, move the backend to the new private key, disable the old one (refused
 * at once), delete it. At most two credentials are enabled at a time.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyObject } from 'node:crypto';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { addCredential, assertionForm, createM2MApp, enableCredentials, expectValidAccessToken, keyPairFor, type M2MApp } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

async function tokenWith(tenant: TestTenant, app: M2MApp, privateKey: KeyObject, kid?: string) {
  return h.token(tenant, assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey, kid }), app.audience));
}

async function expectToken(tenant: TestTenant, app: M2MApp, privateKey: KeyObject, kid?: string) {
  const r = await tokenWith(tenant, app, privateKey, kid);
  assert.equal(r.status, 200, `expected a token (kid ${kid ?? 'none'}): ${JSON.stringify(r.body)}`);
  await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
}

async function expectRefused(tenant: TestTenant, app: M2MApp, privateKey: KeyObject, kid?: string) {
  const r = await tokenWith(tenant, app, privateKey, kid);
  assert.equal(r.status, 401, `expected invalid_client (kid ${kid ?? 'none'}): ${JSON.stringify(r.body)}`);
  assert.equal(r.body.error, 'invalid_client');
  return r.body.error_description as string;
}

test('rotation: both keys work while both are enabled; disabling the old one refuses it at once; then it can be deleted; three enabled is refused', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant, { alg: 'RS256' });
  const c1 = { id: app.credentialId, kid: app.kid, privateKey: app.privateKey };
  await expectToken(tenant, app, c1.privateKey, c1.kid);

  // 1. Upload the new public key: stored, but not yet enabled, so it cannot sign in yet.
  const k2 = keyPairFor('RS256');
  const created = await addCredential(tenant, app.clientId, k2.publicKeyPem, 'RS256', 'next');
  const c2 = { id: created.id, kid: created.kid, privateKey: k2.privateKey };
  assert.notEqual(c2.kid, c1.kid);
  await expectRefused(tenant, app, c2.privateKey, c2.kid);

  // 2. Enable both: overlap, every backend instance keeps working whichever key it has.
  const both = await enableCredentials(tenant, app.clientId, [c1.id, c2.id]);
  assert.equal(both.status, 200, JSON.stringify(both.body));
  assert.deepEqual(both.body.client_authentication_methods.private_key_jwt.credentials, [{ id: c1.id }, { id: c2.id }]);
  await expectToken(tenant, app, c1.privateKey, c1.kid);
  await expectToken(tenant, app, c2.privateKey, c2.kid);
  await expectToken(tenant, app, c1.privateKey);
  await expectToken(tenant, app, c2.privateKey);

  // 3. Only the new one: the old key is refused on the very next request, with or without its kid.
  const onlyNew = await enableCredentials(tenant, app.clientId, [c2.id]);
  assert.equal(onlyNew.status, 200, JSON.stringify(onlyNew.body));
  assert.deepEqual(onlyNew.body.client_authentication_methods.private_key_jwt.credentials, [{ id: c2.id }]);
  assert.match(await expectRefused(tenant, app, c1.privateKey, c1.kid), /kid/);
  assert.match(await expectRefused(tenant, app, c1.privateKey), /signature/);
  await expectToken(tenant, app, c2.privateKey, c2.kid);

  // An enabled credential cannot be deleted (it would lock the application out).
  const inUse = await tenant.api('DELETE', `/clients/${app.clientId}/credentials/${c2.id}`);
  assert.equal(inUse.status, 400, JSON.stringify(inUse.body));

  // 4. Delete the old one: 204, and it is gone from the list.
  const del = await tenant.api('DELETE', `/clients/${app.clientId}/credentials/${c1.id}`);
  assert.equal(del.status, 204, JSON.stringify(del.body));
  assert.equal(del.body, undefined);
  const list = await tenant.api('GET', `/clients/${app.clientId}/credentials`);
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.map((c: { id: string }) => c.id), [c2.id]);
  await expectRefused(tenant, app, c1.privateKey, c1.kid);
  await expectToken(tenant, app, c2.privateKey, c2.kid);

  // 5. Three enabled at once is refused (Auth0's limit is two), and nothing changes.
  const c3 = await addCredential(tenant, app.clientId, keyPairFor('RS256').publicKeyPem, 'RS256', 'third');
  const c4 = await addCredential(tenant, app.clientId, keyPairFor('RS256').publicKeyPem, 'RS256', 'fourth');
  const three = await enableCredentials(tenant, app.clientId, [c2.id, c3.id, c4.id]);
  assert.equal(three.status, 400, JSON.stringify(three.body));
  assert.equal(three.body.statusCode, 400);
  assert.equal(three.body.errorCode, 'too_many_enabled_credentials');
  assert.match(three.body.message, /maximum 2/);
  const after3 = await tenant.api('GET', `/clients/${app.clientId}`);
  assert.deepEqual(after3.body.client_authentication_methods.private_key_jwt.credentials, [{ id: c2.id }]);
  await expectToken(tenant, app, c2.privateKey, c2.kid);
});

test('a disabled credential stays listed and can be enabled again', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant, { alg: 'ES256' });
  const k2 = keyPairFor('ES256');
  const c2 = await addCredential(tenant, app.clientId, k2.publicKeyPem, 'ES256', 'next');
  assert.equal((await enableCredentials(tenant, app.clientId, [c2.id])).status, 200);

  const r = await h.token(tenant, assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: 'ES256', kid: app.kid }), app.audience));
  assert.equal(r.status, 401, JSON.stringify(r.body));
  const list = await tenant.api('GET', `/clients/${app.clientId}/credentials`);
  assert.deepEqual(list.body.map((c: { id: string }) => c.id).sort(), [app.credentialId, c2.id].sort());

  assert.equal((await enableCredentials(tenant, app.clientId, [app.credentialId])).status, 200);
  const back = await h.token(tenant, assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: 'ES256', kid: app.kid }), app.audience));
  assert.equal(back.status, 200, JSON.stringify(back.body));
  await expectValidAccessToken(h, tenant, back.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
});
