/**
 * GET /healthz and GET /readyz over real HTTP: on every host (before tenant resolution), each
 * readiness check bounded in time, and a 503 that names the failing part — the database
 * (PostgreSQL dropped under the running server, its pool exhausted by slow queries), the Redis
 * replay store (a port nothing listens on) or the schema (behind the code).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { freePort } from '../support/free-port.ts';
import { freshPostgresDatabase, REDIS_URL, requirePostgres, requireRedis } from '../support/services.ts';
import { LATEST_VERSION } from '../../src/store/sql/migrations.ts';
import { READINESS_TIMEOUT_MS } from '../../src/services/readiness.ts';

let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

async function get(harness: Harness, host: string, path: string) {
  const res = await harness.fetch(`https://${host}:${harness.port}/${path}`);
  return { status: res.status, body: await res.json() as any, headers: res.headers };
}

test('/healthz and /readyz answer on Signet\'s host, a tenant\'s domain and a host no tenant has', async () => {
  const tenant = await h.createTenant();
  for (const host of [new URL(h.defaultTenant.issuer).hostname, new URL(tenant.issuer).hostname, 'unknown.signet.test']) {
    const health = await get(h, host, 'healthz');
    assert.equal(health.status, 200, host);
    assert.deepEqual(health.body, { status: 'ok' });
    const ready = await get(h, host, 'readyz');
    assert.equal(ready.status, 200, `${host}: ${JSON.stringify(ready.body)}`);
    assert.deepEqual(ready.body, { status: 'ok', checks: { database: 'ok', replay_store: 'ok', migrations: 'ok' } });
    assert.equal(ready.headers.get('cache-control'), 'no-store');
  }
  // The tenant lookup is skipped for probes only: other routes on an unknown host stay 404.
  assert.equal((await get(h, 'unknown.signet.test', '.well-known/jwks.json')).status, 404);
});

test('a schema behind the code turns /readyz 503 naming the migrations', async () => {
  const db = h.services.store.db;
  const row = await db.get<{ applied_at: number }>(`SELECT applied_at FROM schema_migrations WHERE version = ?`, [LATEST_VERSION]);
  await db.run(`DELETE FROM schema_migrations WHERE version = ?`, [LATEST_VERSION]);
  try {
    const ready = await get(h, new URL(h.defaultTenant.issuer).hostname, 'readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.status, 'unavailable');
    assert.equal(ready.body.checks.database, 'ok');
    assert.equal(ready.body.checks.migrations, `behind: the database is at schema ${LATEST_VERSION - 1}, this code needs ${LATEST_VERSION} (run the migrations)`);
  } finally {
    await db.run(`INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, [LATEST_VERSION, row!.applied_at]);
  }
  assert.equal((await get(h, new URL(h.defaultTenant.issuer).hostname, 'readyz')).status, 200);
});

test('a database held up answers "timeout" within the bound instead of hanging the probe (SQLite: a transaction holding the connection)', async () => {
  let release!: () => void;
  const held = h.services.store.db.transaction(() => new Promise<void>((r) => (release = r)));
  try {
    const started = Date.now();
    const ready = await get(h, new URL(h.defaultTenant.issuer).hostname, 'readyz');
    const took = Date.now() - started;
    assert.equal(ready.status, 503, JSON.stringify(ready.body));
    assert.equal(ready.body.checks.database, 'timeout');
    assert.ok(took >= READINESS_TIMEOUT_MS - 50 && took < READINESS_TIMEOUT_MS + 1500, `answered in ${took} ms`);
  } finally {
    release();
    await held;
  }
  assert.equal((await get(h, new URL(h.defaultTenant.issuer).hostname, 'readyz')).status, 200);
});

test('PostgreSQL and Redis up: ready; PostgreSQL pool exhausted by slow queries: "timeout"; database dropped: 503 naming the database', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
  const pgdb = await freshPostgresDatabase();
  const p = await startSignet({ databaseUrl: pgdb.url, redisUrl: REDIS_URL });
  try {
    const host = new URL(p.defaultTenant.issuer).hostname;
    const ready = await get(p, host, 'readyz');
    assert.deepEqual(ready.body, { status: 'ok', checks: { database: 'ok', replay_store: 'ok', migrations: 'ok' } });

    // Every pooled connection (10 by default) busy for 5 s: the ping waits for one and gives up at the bound.
    const slow = Array.from({ length: 10 }, () => p.services.store.db.all(`SELECT pg_sleep(5)`));
    const started = Date.now();
    const busy = await get(p, host, 'readyz');
    const took = Date.now() - started;
    assert.equal(busy.status, 503, JSON.stringify(busy.body));
    assert.equal(busy.body.checks.database, 'timeout');
    assert.equal(busy.body.checks.replay_store, 'ok', 'Redis is still fine');
    assert.ok(took < READINESS_TIMEOUT_MS + 1500, `answered in ${took} ms`);
    // A flood of probes against the stuck database shares one run: the pool's queue grows by one
    // ping and one schema read (on top of the two the probe above left there), not by two per probe.
    const waitingBefore = p.services.store.db.poolState!().waiting;
    const flood = await Promise.all(Array.from({ length: 30 }, () => get(p, host, 'readyz')));
    assert.ok(flood.every((r) => r.status === 503 && r.body.checks.database === 'timeout'));
    const waiting = p.services.store.db.poolState!().waiting;
    assert.ok(waiting <= waitingBefore + 2, `queries waiting for a connection: ${waitingBefore} before the flood, ${waiting} after`);
    await Promise.all(slow);
    assert.equal((await get(p, host, 'readyz')).status, 200);

    await pgdb.drop();
    const down = await get(p, host, 'readyz');
    assert.equal(down.status, 503);
    assert.equal(down.body.status, 'unavailable');
    assert.match(down.body.checks.database, /^unreachable: /);
    assert.ok(down.body.checks.database.length <= 'unreachable: '.length + 120);
    assert.match(down.body.checks.migrations, /^unknown: /);
    assert.equal(down.body.checks.replay_store, 'ok');
    assert.ok(!/\d+\.\d+\.\d+\.\d+/.test(JSON.stringify(down.body)), 'no network address in a public answer');
  } finally {
    await p.close().catch(() => undefined);
    await pgdb.drop();
  }
});

test('the Redis replay store unreachable: /readyz 503 naming the replay store, within the bound', async (t) => {
  const deadPort = await freePort();
  const r = await startSignet({ redisUrl: `redis://127.0.0.1:${deadPort}/0` });
  try {
    const started = Date.now();
    const ready = await get(r, new URL(r.defaultTenant.issuer).hostname, 'readyz');
    const took = Date.now() - started;
    assert.equal(ready.status, 503, JSON.stringify(ready.body));
    assert.equal(ready.body.checks.database, 'ok');
    assert.equal(ready.body.checks.migrations, 'ok');
    assert.match(ready.body.checks.replay_store, /^(timeout|unreachable: .+)$/);
    assert.ok(took < READINESS_TIMEOUT_MS + 1500, `answered in ${took} ms`);
    assert.ok(!JSON.stringify(ready.body).includes(`127.0.0.1:${deadPort}`), 'no network address in a public answer');
    t.diagnostic(`replay_store: ${ready.body.checks.replay_store} (${took} ms)`);
  } finally {
    await r.close();
  }
});

test('a failure reason in a probe answer is short, one line, and names no network address', async () => {
  const { shortReason } = await import('../../src/services/readiness.ts');
  assert.equal(shortReason(Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:6379'), { code: 'ECONNREFUSED' })), 'connection refused');
  assert.equal(shortReason(new Error('no route to 10.1.2.3:5432 via [fe80::1]:5432\nstack-like second line')), 'no route to <address> via <address>');
  assert.equal(shortReason(Object.assign(new Error('database "signet" does not exist'), { code: '3D000' })), '3D000: database "signet" does not exist');
  assert.ok(shortReason(new Error('x'.repeat(10_000))).length <= 120);
});
