import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { assertionForm, createM2MApp, signedForm } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';

/**
 * Tenant changes made elsewhere (the CLI, another worker or node) apply to the very next token
 * request: the plan and the assertion policy travel with the cached client view and its stamp.
 */
let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

async function tenantId(name: string) {
  return (await h.services.store.tenants.getByName(name))!.id;
}

test('a plan downgrade written by another process refuses the next private_key_jwt request', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
  await h.services.store.tenants.update(await tenantId(tenant.tenant), { plan: 'professional' });
  const r = await h.token(tenant, signedForm(tenant, app));
  assert.equal(r.status, 401, JSON.stringify(r.body));
  assert.match(r.body.error_description, /Enterprise plan/);
});

test('a shorter maximum assertion lifetime written by another process applies to the next request', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  const id = await tenantId(tenant.tenant);
  const long = () => assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, lifetimeSeconds: 120 }), app.audience);
  assert.equal((await h.token(tenant, long())).status, 200);
  const t = (await h.services.store.tenants.get(id))!;
  await h.services.store.tenants.update(id, { settings: { ...t.settings, max_assertion_lifetime: 60 } });
  const r = await h.token(tenant, long());
  assert.equal(r.status, 401, JSON.stringify(r.body));
  assert.match(r.body.error_description, /exp/);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200, 'a 60 s assertion still works');
});
