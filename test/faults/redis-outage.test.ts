import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startSignet, type Harness } from '../support/harness.ts';
import { requireOwnServices, ownServicesAvailable, startOwnRedis, type OwnRedis } from '../support/own-services.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';
import { createM2MApp, signedForm } from '../support/fixtures.ts';
import { outageUnderLoad, percentile, waitFor } from '../support/token-load.ts';
import { replayKey } from '../../src/services/client-auth/index.ts';

/**
 * The Redis replay store failing: unreachable (fail closed: 503, nothing issued, recovery by
 * itself) and restarted or flushed (no replay window: the database keeps every record too).
 * Redis is a server of this test's own; the database is a fresh one on the shared PostgreSQL.
 */
let redis: OwnRedis | undefined;
let h: Harness | undefined;
let drop: (() => Promise<void>) | undefined;
before(async () => {
  if (!ownServicesAvailable().redis || !(await postgresAvailable())) return;
  redis = await startOwnRedis();
  const db = await freshPostgresDatabase();
  drop = db.drop;
  h = await startSignet({ databaseUrl: db.url, redisUrl: redis.url });
});
after(async () => {
  await h?.close().catch(() => undefined);
  await redis?.destroy();
  await drop?.();
});

async function ready(t: { skip(msg: string): void }): Promise<boolean> {
  return requireOwnServices(t, { redis: true }) && (await requirePostgres(t));
}

test('Redis stopped during load: fail closed with fast 503s naming the replay store, recovery when it returns', async (t) => {
  if (!(await ready(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const tenantId = (await h!.services.store.tenants.getByName(tenant.tenant))!.id;
  // The requests in flight at the moment of the stop may still have been answered either way.
  const { results, during, readyDuring, readyAfter, firstOk, recoveryMs } = await outageUnderLoad(h!, tenant, app, redis!, 100);
  assert.equal(readyAfter, 200, 'ready again once it is back');
  assert.ok(during.length >= 10, `only ${during.length} requests during the outage`);
  for (const r of during) {
    assert.equal(r.status, 503, `${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'temporarily_unavailable');
    assert.match(r.body.error_description, /^The replay store is unavailable \(.+\); nothing was changed\. Try again shortly\.$/);
    assert.equal(r.headers.get('retry-after'), '1');
  }
  for (const r of results) assert.ok(r.status === 200 || r.status === 503, `${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  const failLatency = during.map((r) => r.doneAt - r.sentAt);
  // Refused without waiting for Redis: the typical 503 is as quick as a token (waiting for the
  // next reconnect attempt would take about half a second each); none waits for a timeout.
  assert.ok(percentile(failLatency, 50) < 200, `the median 503 took ${percentile(failLatency, 50)} ms`);
  assert.ok(percentile(failLatency, 99) < 1500, `503s took up to ${percentile(failLatency, 99)} ms`);
  // /readyz said so meanwhile, naming the part.
  assert.equal(readyDuring.status, 503, readyDuring.body);
  assert.match(readyDuring.body, /replay/);
  // Every token that left was recorded in both places it is checked.
  const direct = new Redis(redis!.url);
  try {
    for (const r of results.filter((x) => x.status === 200 && x.sentAt >= firstOk.sentAt)) {
      const key = replayKey(tenantId, app.clientId, r.jti);
      assert.equal(await direct.exists(`signet:jti:${key}`), 1);
      assert.ok(await h!.services.store.db.get(`SELECT 1 AS x FROM used_jtis WHERE key = ?`, [key]), 'no database record');
    }
  } finally {
    direct.disconnect();
  }
  for (const r of results.filter((x) => x.status === 200)) {
    assert.ok(await h!.services.store.db.get(`SELECT 1 AS x FROM used_jtis WHERE key = ?`, [replayKey(tenantId, app.clientId, r.jti)]), 'token issued without its database record');
  }
  const after = results.filter((r) => r.sentAt >= firstOk.doneAt);
  assert.ok(after.every((r) => r.status === 200));
  t.diagnostic(`Redis outage: ${during.length} requests during it, all 503, p50 ${percentile(failLatency, 50)} ms, p99 ${percentile(failLatency, 99)} ms; first token ${recoveryMs} ms after Redis accepted connections again`);
  console.log(`# recovery: Redis ${recoveryMs} ms after start; 503 p99 ${percentile(failLatency, 99)} ms`);
});

test('Redis restarted without persistence, or flushed: assertions used before are still refused (the database keeps the record)', async (t) => {
  if (!(await ready(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const used = signedForm(tenant, app);
  assert.equal((await h!.token(tenant, used)).status, 200);

  await redis!.stop();
  await redis!.start();
  await waitFor(async () => (await h!.token(tenant, signedForm(tenant, app))).status === 200, 10_000, 100);
  const afterRestart = await h!.token(tenant, used);
  assert.equal(afterRestart.status, 401, JSON.stringify(afterRestart.body));
  assert.match(afterRestart.body.error_description, /already used/);

  const second = signedForm(tenant, app);
  assert.equal((await h!.token(tenant, second)).status, 200);
  const direct = new Redis(redis!.url);
  try {
    assert.equal(await direct.flushall(), 'OK');
  } finally {
    direct.disconnect();
  }
  const afterFlush = await h!.token(tenant, second);
  assert.equal(afterFlush.status, 401, JSON.stringify(afterFlush.body));
  assert.match(afterFlush.body.error_description, /already used/);
  // A fresh assertion still works: the refusal is the replay, not the flush.
  assert.equal((await h!.token(tenant, signedForm(tenant, app))).status, 200);
});

test('Redis and the database agree on the one winner: of 50 concurrent claims of one jti, exactly one is claimed', async (t) => {
  if (!(await ready(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  // Straight to the store, all at once: Redis answers in order, PostgreSQL's pool in parallel.
  for (let round = 0; round < 5; round++) {
    const key = `race-${round}-${Date.now()}`;
    const now = Date.now();
    const claims = await Promise.all(Array.from({ length: 50 }, () => h!.services.store.replay.claim(key, now + 60_000, now, app.clientId)));
    assert.equal(claims.filter((c) => c.claimed).length, 1, `round ${round}`);
  }
});
