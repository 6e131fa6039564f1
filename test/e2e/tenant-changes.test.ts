import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { startSignet, type Harness } from '../support/harness.ts';
import { addCredential, assertionForm, createM2MApp, enableCredentials, JWT_BEARER, keyPairFor, signedForm } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { ClientAuthCache, CLIENT_VIEW_TTL_MS, REVALIDATE_INTERVAL_MS } from '../../src/services/client-auth-cache.ts';
import { ClientAuthenticator } from '../../src/services/client-auth/index.ts';
import { ClientAuthError } from '../../src/domain/errors.ts';
import type { Store } from '../../src/store/index.ts';

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

/** `signet …` against the running harness's database, as an operator would run it beside the server. */
function cli(args: string[]): string {
  return execFileSync(process.execPath, [resolve('bin/signet.js'), ...args], {
    env: { ...process.env, SIGNET_DATA_DIR: h.dataDir, SIGNET_MASTER_KEY: h.config.masterKey.toString('hex'), SIGNET_PUBLIC_URL: h.config.publicUrl.origin },
    encoding: 'utf8',
  });
}

test('a plan raised again with `signet tenants update` while the server runs allows the next private_key_jwt request', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
  cli(['tenants', 'update', tenant.tenant, '--plan', 'free']);
  const refused = await h.token(tenant, signedForm(tenant, app));
  assert.equal(refused.status, 401, JSON.stringify(refused.body));
  assert.match(refused.body.error_description, /Enterprise plan/);
  cli(['tenants', 'update', tenant.tenant, '--plan', 'enterprise']);
  // The cached view (plan free) refuses before any stamp is compared: the refusal itself must look again.
  const r = await h.token(tenant, signedForm(tenant, app));
  assert.equal(r.status, 200, JSON.stringify(r.body));
});

test('a cached view that refuses asks for the live stamp at most once a second per client, and its lifetime is bounded', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  // The real store and authenticator, with the stamp reads and client loads counted and a clock the test moves.
  const real = h.services.store;
  let stampReads = 0;
  let loads = 0;
  const clients = Object.create(real.clients) as Store['clients'];
  clients.stamp = (id) => (stampReads++, real.clients.stamp(id));
  clients.get = (t, id, q) => (loads++, real.clients.get(t, id, q));
  const store: Store = { ...real, clients };
  let now = Date.now();
  const cache = new ClientAuthCache(store, h.services.box, () => now);
  const auth = new ClientAuthenticator(store, cache);
  const ctx = (await h.services.directory.byName(tenant.tenant))!;
  const attempt = (privateKey = app.privateKey) =>
    auth.authenticate(ctx, { clientAssertionType: JWT_BEARER, clientAssertion: signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey }) }, Date.now());

  await attempt();
  assert.equal(loads, 1);
  const stranger = keyPairFor();
  for (let i = 0; i < 50; i++) await assert.rejects(attempt(stranger.privateKey), ClientAuthError);
  await Promise.all(Array.from({ length: 20 }, () => assert.rejects(attempt(stranger.privateKey), ClientAuthError)));
  assert.equal(stampReads, 1, '70 refusals within one interval read the live stamp once');
  assert.equal(loads, 1, 'an unchanged stamp reloads nothing');

  // A key enabled elsewhere: refused until the interval has passed, then the next refusal looks again and the request succeeds.
  const next = keyPairFor();
  const cred = await addCredential(tenant, app.clientId, next.publicKeyPem);
  assert.equal((await enableCredentials(tenant, app.clientId, [app.credentialId, cred.id])).status, 200);
  await assert.rejects(attempt(next.privateKey), ClientAuthError);
  assert.equal(stampReads, 1);
  now += REVALIDATE_INTERVAL_MS;
  await Promise.all(Array.from({ length: 10 }, () => attempt(next.privateKey)));
  assert.equal(stampReads, 2, 'ten concurrent refusals share one read of the live stamp, and all succeed on the newer view');
  assert.equal(loads, 2, 'a changed stamp reloads the view once');

  // Successful requests never wait for a refusal: the view expires on its own.
  now += CLIENT_VIEW_TTL_MS - 1;
  await attempt();
  assert.equal(loads, 2);
  now += 1;
  await attempt();
  assert.equal(loads, 3, 'a view older than its lifetime is loaded again');
});

test('`signet tenants update --audience-policy legacy|strict` while the server runs applies to the next assertion; a bad value or no option changes nothing', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  const tokenEndpointAud = () => assertionForm(signClientAssertion({ clientId: app.clientId, audience: `${tenant.issuer}oauth/token`, privateKey: app.privateKey }), app.audience);
  const refused = await h.token(tenant, tokenEndpointAud());
  assert.equal(refused.status, 401, JSON.stringify(refused.body));
  assert.match(refused.body.error_description, /token endpoint URL is no longer accepted/);

  const out = cli(['tenants', 'update', tenant.tenant, '--audience-policy', 'legacy']);
  assert.match(out, /audience_policy: legacy \(the token endpoint URL/);
  // The refusal above cached the strict view; a refusal looks at the live stamp again after this interval.
  await new Promise((r) => setTimeout(r, REVALIDATE_INTERVAL_MS));
  const ok = await h.token(tenant, tokenEndpointAud());
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal((await tenant.api('GET', '/tenants/settings')).body.audience_policy, 'legacy');

  const settingsBefore = (await h.services.store.tenants.getByName(tenant.tenant))!;
  assert.throws(() => cli(['tenants', 'update', tenant.tenant, '--audience-policy', 'loose']), /--audience-policy must be strict or legacy \(got "loose"\)/);
  assert.throws(() => cli(['tenants', 'update', tenant.tenant]), /needs --plan PLAN or --audience-policy strict\|legacy/);
  const settingsAfter = (await h.services.store.tenants.getByName(tenant.tenant))!;
  assert.deepEqual(settingsAfter, settingsBefore, 'a refused update changes nothing (not even the version)');

  cli(['tenants', 'update', tenant.tenant, '--audience-policy', 'strict']);
  const again = await h.token(tenant, tokenEndpointAud());
  assert.equal(again.status, 401, JSON.stringify(again.body));
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200, 'an issuer audience still works');
});

test('client views: bounded, least recently used out first', async () => {
  const tenant = await h.createTenant();
  const [a, b, c] = [await createM2MApp(tenant), await createM2MApp(tenant), await createM2MApp(tenant)];
  const real = h.services.store;
  let loads = 0;
  const clients = Object.create(real.clients) as Store['clients'];
  clients.get = (t, id, q) => (loads++, real.clients.get(t, id, q));
  const cache = new ClientAuthCache({ ...real, clients }, h.services.box, Date.now, undefined, 2);
  const tenantId = (await h.services.directory.byName(tenant.tenant))!.tenant.id;
  await cache.get(tenantId, a.clientId);
  await cache.get(tenantId, b.clientId);
  await cache.get(tenantId, a.clientId); // a is now the most recently used
  assert.equal(loads, 2);
  await cache.get(tenantId, c.clientId); // full: b, the least recently used, leaves
  assert.equal(cache.size, 2);
  await cache.get(tenantId, a.clientId);
  assert.equal(loads, 3, 'a stayed cached');
  await cache.get(tenantId, b.clientId);
  assert.equal(loads, 4, 'b was the one dropped');
  assert.equal(cache.size, 2);
});
