import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { requirePostgres, freshPostgresDatabase, postgresAvailable } from '../support/services.ts';
import { assertionForm, createM2MApp, signedForm } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';

/**
 * The product flow on PostgreSQL, the production database: same SQL, same behaviour as the
 * embedded SQLite default. Skips loudly without PostgreSQL; fails in CI (SIGNET_REQUIRE_SERVICES=1).
 */
let h: Harness | undefined;
let drop: (() => Promise<void>) | undefined;
before(async () => {
  if (!(await postgresAvailable())) return;
  const db = await freshPostgresDatabase();
  drop = db.drop;
  h = await startSignet({ databaseUrl: db.url });
});
after(async () => {
  await h?.close();
  await drop?.();
});

test('PostgreSQL: credential upload and a private_key_jwt token', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const r = await h!.token(tenant, signedForm(tenant, app));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(h!.services.store.db.dialect, 'postgres');
});

test('PostgreSQL: of 20 racing requests with one assertion exactly one gets a token', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const form = signedForm(tenant, app);
  const results = await Promise.all(Array.from({ length: 20 }, () => h!.token(tenant, form)));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, ...Array(19).fill(401)]);
  for (const r of results.filter((x) => x.status === 401)) assert.match(r.body.error_description, /already used/);
});

test('PostgreSQL: a credential removed from the client is refused at once', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  assert.equal((await h!.token(tenant, signedForm(tenant, app))).status, 200);
  // Change the row behind the cache's back, as another node would.
  await h!.services.store.db.transaction(async (tx) => {
    await h!.services.store.clients.setEnabledCredentialIds(app.clientId, [], tx);
    await h!.services.store.clients.touch(tenant.tenant === 'default' ? '' : (await h!.services.store.tenants.getByName(tenant.tenant))!.id, app.clientId, tx);
  });
  const r = await h!.token(tenant, signedForm(tenant, app));
  assert.equal(r.status, 401, JSON.stringify(r.body));
  assert.equal(r.body.error, 'invalid_client');
});

test('PostgreSQL: a refused private key leaves no row behind', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const pem = app.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const r = await tenant.api('POST', `/clients/${app.clientId}/credentials`, { credential_type: 'public_key', pem });
  assert.equal(r.status, 400);
  assert.equal(r.body.errorCode, 'private_key_refused');
  const body = pem.split('\n').slice(1, -2).join('');
  const rows = await h!.services.store.db.all<{ pem: string }>(`SELECT pem FROM credentials`);
  for (const row of rows) assert.ok(!row.pem.includes(body.slice(0, 40)));
  assert.equal((await h!.services.store.credentials.list((await h!.services.store.tenants.getByName(tenant.tenant))!.id, app.clientId)).length, 1);
  // The jti of a valid assertion is recorded in used_jtis, and only after success.
  const assertion = signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey });
  assert.equal((await h!.token(tenant, assertionForm(assertion, app.audience))).status, 200);
});
