import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { requirePostgres, freshPostgresDatabase, postgresAvailable } from '../support/services.ts';
import { assertionForm, createM2MApp, signedForm } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { SqlReplayStore } from '../../src/store/replay.ts';

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

test('PostgreSQL: dashboard admins, sessions, sign-in throttling and the platform audit log', async (t) => {
  if (!(await requirePostgres(t))) return;
  const admins = h!.services.admins;
  await admins.create('pg-admin@example.com', 'postgres passphrase');
  const now = Date.now();
  const signed = await admins.signIn('pg-admin@example.com', 'postgres passphrase', { ip: '10.0.0.1' }, now);
  const session = await admins.session(signed.token, now + 1000);
  assert.equal(session?.admin.email, 'pg-admin@example.com');
  assert.equal(session?.csrfToken, signed.csrfToken);
  // Idle past two hours: the session ends and is deleted.
  assert.equal(await admins.session(signed.token, now + 3 * 3600_000), undefined);
  assert.equal(await admins.session(signed.token, now + 1000), undefined);
  for (let i = 0; i < 5; i++) await assert.rejects(admins.signIn('pg-admin@example.com', `wrong ${i} passphrase`, { ip: '10.0.0.2' }, now), { code: 'invalid_credentials' });
  await assert.rejects(admins.signIn('pg-admin@example.com', 'postgres passphrase', { ip: '10.0.0.2' }, now), { code: 'too_many_attempts' });
  // Another address is not blocked by the first one's failures.
  await admins.signIn('pg-admin@example.com', 'postgres passphrase', { ip: '10.0.0.3' }, now);
  const audit = (await h!.services.store.platformAudit.list(100)).filter((e) => e.email === 'pg-admin@example.com').reverse();
  assert.deepEqual(
    audit.map((e) => [e.type, e.reason, e.ip]),
    [
      ['admin_created', null, null],
      ['sign_in', null, '10.0.0.1'],
      ...Array(5).fill(['sign_in_failed', 'wrong_password', '10.0.0.2']),
      ['sign_in_failed', 'too_many_attempts', '10.0.0.2'],
      ['sign_in', null, '10.0.0.3'],
    ],
  );
  // None of it is in the default tenant's logs.
  const tenantEvents = await h!.services.store.logs.list((await h!.services.store.tenants.getByName('default'))!.id, { perPage: 1000 });
  assert.ok(!JSON.stringify(tenantEvents).includes('pg-admin@example.com'));
});

test('PostgreSQL: a sign-in attempt is counted atomically, so 60 concurrent attempts reserve exactly the limit', async (t) => {
  if (!(await requirePostgres(t))) return;
  const { SIGN_IN_POLICIES, decideAttempts, signInThrottleKeys } = await import('../../src/domain/sign-in-throttle.ts');
  const now = Date.now();
  const policies = signInThrottleKeys('race@example.com', '10.9.9.9');
  const results = await Promise.all(Array.from({ length: 60 }, () => h!.services.store.admins.reserveAttempt([...policies.keys()], (states) => decideAttempts(policies, states, now))));
  assert.equal(results.filter((r) => r.ok).length, SIGN_IN_POLICIES.accountAddress.limit);
});

test('PostgreSQL: claims of one event-loop turn are written as one statement; each distinct key is claimed once, repeats refused, stamps read for every client', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const [a, b] = [await createM2MApp(tenant), await createM2MApp(tenant)];
  const replay = new SqlReplayStore(h!.services.store.db);
  const now = Date.now();
  // An expired leftover row is taken over; an unexpired one refuses.
  await h!.services.store.db.run(`INSERT INTO used_jtis (key, expires_at) VALUES (?, ?), (?, ?)`, ['pg-batch-old', now - 1000, 'pg-batch-live', now + 60_000]);
  let statements = 0;
  const db = h!.services.store.db;
  const counted = { ...db, all: (sql: string, params?: readonly (string | number | null | boolean)[]) => (statements++, db.all(sql, params)) } as typeof db;
  const batched = new SqlReplayStore(counted);
  const keys = Array.from({ length: 40 }, (_, i) => `pg-batch-${i}`);
  const claims = [
    ...keys.map((k, i) => batched.claim(k, now + 60_000, now, i % 2 ? a.clientId : b.clientId)),
    ...keys.slice(0, 10).map((k) => batched.claim(k, now + 60_000, now, a.clientId)), // repeats within the batch
    batched.claim('pg-batch-old', now + 60_000, now, a.clientId),
    batched.claim('pg-batch-live', now + 60_000, now, a.clientId),
    batched.claim('pg-batch-unknown-client', now + 60_000, now, 'no-such-client'),
  ];
  const results = await Promise.all(claims);
  assert.equal(statements, 1, 'one statement for the whole turn');
  assert.deepEqual(results.slice(0, 40).map((r) => r.claimed), Array(40).fill(true));
  assert.deepEqual(results.slice(40, 50).map((r) => r.claimed), Array(10).fill(false));
  assert.equal(results[50]!.claimed, true, 'an expired leftover is taken over');
  assert.equal(results[51]!.claimed, false, 'an unexpired record refuses');
  const stampOf = async (clientId: string) => (await replay.stamp(clientId))!;
  assert.equal(results[0]!.stamp, await stampOf(b.clientId));
  assert.equal(results[1]!.stamp, await stampOf(a.clientId));
  assert.equal(results[52]!.stamp, null, 'a client that does not exist has no stamp');
  // A second turn: every key is now recorded.
  const again = await Promise.all(keys.map((k) => replay.claim(k, now + 60_000, now, a.clientId)));
  assert.deepEqual(again.map((r) => r.claimed), Array(40).fill(false));
});
