/**
 * Signing-key rotation on PostgreSQL, where several nodes share the database: concurrent
 * rotations serialise on the tenant row and leave one current and one next key; start-up
 * upkeep racing with itself makes one next key; a second node signs with the rotated key
 * within its stamp-check bound. Skips loudly without PostgreSQL; fails in CI.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { requirePostgres, freshPostgresDatabase, postgresAvailable } from '../support/services.ts';
import { buildServices, type Services } from '../../src/services/index.ts';

let h: Harness | undefined;
let other: Services | undefined;
let drop: (() => Promise<void>) | undefined;
before(async () => {
  if (!(await postgresAvailable())) return;
  const db = await freshPostgresDatabase();
  drop = db.drop;
  h = await startSignet({ databaseUrl: db.url });
  // A second node: its own process state (directory, caches) over the same database.
  other = await buildServices(h.config);
});
after(async () => {
  await other?.close();
  await h?.close();
  await drop?.();
});

const statuses = (keys: { current: boolean; next: boolean; previous: boolean; revoked: boolean }[]) =>
  keys.map((k) => (k.current ? 'current' : k.next ? 'next' : k.previous ? 'previous' : 'revoked'));

test('PostgreSQL: five concurrent rotations each rotate once; one current and one next key remain, all published', async (t) => {
  if (!(await requirePostgres(t))) return;
  assert.equal(h!.services.store.db.dialect, 'postgres');
  const tenant = await h!.createTenant();
  const results = await Promise.all(Array.from({ length: 5 }, () => tenant.api('POST', '/keys/signing/rotate')));
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(new Set(results.map((r) => r.body.kid)).size, 5, 'each rotation promoted a different key');
  const keys = (await tenant.api('GET', '/keys/signing')).body;
  assert.deepEqual(statuses(keys), ['current', 'next', 'previous', 'previous', 'previous', 'previous', 'previous']);
  const jwks = (await (await h!.fetch(new URL('.well-known/jwks.json', tenant.issuer))).json()) as { keys: { kid: string }[] };
  assert.deepEqual(jwks.keys.map((k) => k.kid), keys.map((k: { kid: string }) => k.kid));
});

test('PostgreSQL: revoke and the refusals behave as on SQLite', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const [current] = (await tenant.api('GET', '/keys/signing')).body;
  assert.equal((await tenant.api('PUT', `/keys/signing/${current.kid}/revoke`)).status, 400);
  await tenant.api('POST', '/keys/signing/rotate');
  const r = await tenant.api('PUT', `/keys/signing/${current.kid}/revoke`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.kid, current.kid);
});

test('PostgreSQL: start-up upkeep run by two processes at once makes one next key', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const id = (await h!.services.store.tenants.getByName(tenant.tenant))!.id;
  await h!.services.store.db.run(`DELETE FROM signing_keys WHERE tenant_id = ? AND status = 'next'`, [id]);
  await h!.services.store.db.run(`UPDATE signing_keys SET cert_der = NULL WHERE tenant_id = ?`, [id]);
  const runs = await Promise.all([h!.services.store.signingKeys.upkeep(Date.now()), other!.store.signingKeys.upkeep(Date.now())]);
  assert.equal(runs.reduce((n, r) => n + r.nextKeys, 0), 1, JSON.stringify(runs));
  assert.equal(runs.reduce((n, r) => n + r.certificates, 0), 1, JSON.stringify(runs));
  assert.deepEqual((await h!.services.store.signingKeys.list(id)).map((k) => k.status), ['current', 'next']);
});

test('PostgreSQL: another node signs with the rotated key within its stamp-check bound', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const ctx = (await other!.directory.byName(tenant.tenant))!;
  const before = await other!.directory.signingKey(ctx.tenant);
  const rotated = await tenant.api('POST', '/keys/signing/rotate');
  assert.equal(rotated.status, 201);
  const started = Date.now();
  let kid = before.kid;
  while (kid === before.kid && Date.now() - started < 2000) {
    await new Promise((r) => setTimeout(r, 50));
    const now = (await other!.directory.resolve(tenant.domain))!;
    kid = (await other!.directory.signingKey(now.tenant)).kid;
  }
  assert.equal(kid, rotated.body.kid, 'the other node signs with the new key');
  assert.ok(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
});

test('PostgreSQL: two nodes making the same key family at once make it once; concurrent rotations rotate every family once each', async (t) => {
  if (!(await requirePostgres(t))) return;
  const tenant = await h!.createTenant();
  const id = (await h!.services.store.tenants.getByName(tenant.tenant))!.id;
  const made = await Promise.all([
    h!.services.store.signingKeys.ensureFamily(id, 'ES256', Date.now()),
    other!.store.signingKeys.ensureFamily(id, 'ES256', Date.now()),
    h!.services.store.signingKeys.ensureFamily(id, 'ES256', Date.now()),
  ]);
  assert.equal(made.filter(Boolean).length, 1, JSON.stringify(made));
  const byAlg = async (alg: string) => (await h!.services.store.signingKeys.list(id)).filter((k) => k.alg === alg).map((k) => k.status);
  assert.deepEqual(await byAlg('ES256'), ['current', 'next']);
  const results = await Promise.all(Array.from({ length: 3 }, () => tenant.api('POST', '/keys/signing/rotate')));
  for (const r of results) assert.equal(r.status, 201, JSON.stringify(r.body));
  for (const alg of ['RS256', 'ES256']) assert.deepEqual(await byAlg(alg), ['current', 'next', 'previous', 'previous', 'previous'], alg);
  const jwks = (await (await h!.fetch(new URL('.well-known/jwks.json', tenant.issuer))).json()) as { keys: { kid: string; alg: string }[] };
  assert.deepEqual(jwks.keys.map((k) => k.alg), [...Array(5).fill('RS256'), ...Array(5).fill('ES256')]);
  // Upkeep (start-up) finds nothing to do for either family.
  assert.deepEqual(await other!.store.signingKeys.upkeep(Date.now()), { nextKeys: 0, certificates: 0 });
});
