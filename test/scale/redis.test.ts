import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startSignet, type Harness } from '../support/harness.ts';
import { REDIS_URL, redisAvailable, requireRedis } from '../support/services.ts';
import { createM2MApp, signedForm } from '../support/fixtures.ts';
import { replayKey } from '../../src/services/client-auth/index.ts';
import { CLAIM_SCRIPT, type RedisReplayStore } from '../../src/store/redis-replay.ts';

/** The jti store on Redis (SIGNET_REDIS_URL): same guarantees as the database store. */
let h: Harness | undefined;
before(async () => {
  if (await redisAvailable()) h = await startSignet({ redisUrl: REDIS_URL });
});
after(async () => h?.close());

test('Redis replay store: a used assertion is refused, and of 20 racing copies exactly one wins', async (t) => {
  if (!(await requireRedis(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const form = signedForm(tenant, app);
  const results = await Promise.all(Array.from({ length: 20 }, () => h!.token(tenant, form)));
  assert.deepEqual(results.map((r) => r.status).sort(), [200, ...Array(19).fill(401)]);
  // The record is in Redis (expiring on its own) and in the database (which outlives a Redis flush).
  const jti = JSON.parse(Buffer.from(form.client_assertion!.split('.')[1]!, 'base64url').toString()).jti;
  const tenantId = (await h!.services.store.tenants.getByName(tenant.tenant))!.id;
  const key = replayKey(tenantId, app.clientId, jti);
  const rows = await h!.services.store.db.all(`SELECT key FROM used_jtis WHERE key = ?`, [key]);
  assert.equal(rows.length, 1);
  const direct = new Redis(REDIS_URL);
  try {
    assert.ok((await direct.pttl(`signet:jti:${key}`)) > 0, 'the Redis record expires by itself');
  } finally {
    direct.disconnect();
  }
  assert.equal(await h!.services.store.replay.isUsed(key, Date.now()), true);
});

test('Redis replay store: an assertion refused for its signature does not burn its jti', async (t) => {
  if (!(await requireRedis(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const form = signedForm(tenant, app);
  const [head, payload] = form.client_assertion!.split('.');
  const forged = `${head}.${payload}.${Buffer.alloc(256, 7).toString('base64url')}`;
  const bad = await h!.token(tenant, { ...form, client_assertion: forged });
  assert.equal(bad.status, 401);
  assert.equal(bad.body.error, 'invalid_client');
  // Same jti, real signature: still unused.
  assert.equal((await h!.token(tenant, form)).status, 200);
  assert.equal((await h!.token(tenant, form)).status, 401);
});

test('Redis replay store: a claim reply of a shape this code does not know fails closed: no token, no record', async (t) => {
  if (!(await requireRedis(t))) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const form = signedForm(tenant, app);
  // The Redis store is also the shared rate counter (the replay store itself is wrapped for metrics).
  const replay = h!.services.store.rateCounter as RedisReplayStore;
  assert.ok(replay?.redis, 'the harness runs the Redis replay store');
  // The script replaced by one that answers as SET would: not the per-key counts this code reads.
  replay.redis.defineCommand('signetClaim', { lua: `return 'OK'` });
  try {
    const r = await h!.token(tenant, form);
    assert.equal(r.status, 500, JSON.stringify(r.body));
    const jti = JSON.parse(Buffer.from(form.client_assertion!.split('.')[1]!, 'base64url').toString()).jti;
    const tenantId = (await h!.services.store.tenants.getByName(tenant.tenant))!.id;
    assert.equal(await h!.services.store.replay.isUsed(replayKey(tenantId, app.clientId, jti), Date.now()), false);
  } finally {
    replay.redis.defineCommand('signetClaim', { lua: CLAIM_SCRIPT });
  }
  // With the script back, the same assertion gets its token.
  assert.equal((await h!.token(tenant, form)).status, 200);
});
