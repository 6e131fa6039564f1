import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { Redis } from 'ioredis';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { REDIS_URL, freshPostgresDatabase, postgresAvailable, redisAvailable, requirePostgres, requireRedis } from '../support/services.ts';
import { assertionForm, createM2MApp, type M2MApp } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { keyOf } from '../../src/services/rate-limiter.ts';
import { windowAt } from '../../src/domain/rate-limit.ts';

/**
 * Two nodes (two Signet processes' worth of services on one PostgreSQL database and one
 * Redis): a client's rate limit holds across them, and a success with a client assertion
 * learns every node's count in the replay claim's own round trip.
 */
let a: Harness | undefined;
let b: Harness | undefined;
let db: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
before(async () => {
  if (!(await redisAvailable()) || !(await postgresAvailable())) return;
  db = await freshPostgresDatabase();
  a = await startSignet({ databaseUrl: db.url, redisUrl: REDIS_URL });
  b = await startSignet({ databaseUrl: db.url, redisUrl: REDIS_URL, sameDeploymentAs: a });
});
after(async () => {
  await a?.close();
  await b?.close();
  await db?.drop();
});

const WINDOW = 3600;

/** POST /oauth/token to `node`, addressed to the tenant's domain (which names node a's port: the Host decides the tenant, not the port). */
async function tokenAt(node: Harness, tenant: TestTenant, form: Record<string, string>) {
  const url = new URL('oauth/token', tenant.issuer);
  url.port = String(node.port);
  const res = await request(url, {
    method: 'POST',
    dispatcher: node.dispatcher,
    headers: { host: new URL(tenant.issuer).host, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.statusCode, headers: res.headers, body: (await res.body.json()) as Record<string, string> };
}

test('two nodes sharing Redis: the per-client limit holds across them, and each success learns the total from its replay claim', async (t) => {
  if (!(await requireRedis(t)) || !(await requirePostgres(t))) return;
  const tenant = await a!.createTenant();
  assert.equal((await tenant.api('PATCH', '/tenants/settings', { rate_limit_window: WINDOW, token_rate_limit_per_client: 4 })).status, 200);
  const app: M2MApp = await createM2MApp(tenant);
  // Both nodes at the start of the same window (their clocks are moved alike).
  const skip = WINDOW * 1000 - (Date.now() % (WINDOW * 1000)) + 10;
  a!.clock.advance(skip);
  b!.clock.advance(skip);
  const form = (node: Harness) => assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: app.alg, now: node.clock.now() }), app.audience);

  const answers: { node: string; status: number; remaining: unknown }[] = [];
  for (let i = 0; i < 10; i++) {
    const node = i % 2 ? b! : a!;
    const r = await tokenAt(node, tenant, form(node));
    answers.push({ node: i % 2 ? 'b' : 'a', status: r.status, remaining: r.headers['x-ratelimit-remaining'] });
  }
  // Each node's own count alone would admit 4 (8 in all). The first four alternate nodes, and
  // each header already counts the other node's requests: the total came back with the claim.
  assert.deepEqual(answers.slice(0, 4), [
    { node: 'a', status: 200, remaining: '3' },
    { node: 'b', status: 200, remaining: '2' },
    { node: 'a', status: 200, remaining: '1' },
    { node: 'b', status: 200, remaining: '0' },
  ]);
  // Admission is decided locally (no round trip before the work): node a last saw 3, so it
  // admits one more and learns the total (5) from that request's claim. From then on both
  // refuse: the limit overshoots by at most one request per node, never by a node's whole budget.
  assert.deepEqual(answers[4], { node: 'a', status: 200, remaining: '0' });
  assert.ok(answers.slice(5).every((x) => x.status === 429), JSON.stringify(answers));

  // The count lives in Redis under the key's digest (never the client_id), expiring with its window.
  const now = a!.clock.now();
  const tenantId = (await a!.services.store.tenants.getByName(tenant.tenant))!.id;
  const key = `signet:rl:${keyOf({ kind: 'client', tenantId, id: app.clientId, rule: { limit: 4, windowMs: WINDOW * 1000 } })}:${windowAt(now, WINDOW * 1000).index}`;
  const direct = new Redis(REDIS_URL);
  try {
    assert.equal(await direct.get(key), '5', 'refusals are not counted');
    assert.ok((await direct.pttl(key)) > 0);
    assert.equal((await direct.keys(`signet:rl:*${app.clientId}*`)).length, 0);
  } finally {
    direct.disconnect();
  }
});

test('two nodes sharing Redis: failed authentications counted on one node stop the client on the other', async (t) => {
  if (!(await requireRedis(t)) || !(await requirePostgres(t))) return;
  const tenant = await a!.createTenant();
  assert.equal((await tenant.api('PATCH', '/tenants/settings', { rate_limit_window: WINDOW, token_rate_limit_per_client: 30 })).status, 200);
  const app = await createM2MApp(tenant);
  const skip = WINDOW * 1000 - (Date.now() % (WINDOW * 1000)) + 10;
  a!.clock.advance(skip);
  b!.clock.advance(skip);
  const signed = (node: Harness) => assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: app.alg, now: node.clock.now() }), app.audience);
  const forged = (node: Harness) => {
    const [h, p] = signed(node).client_assertion!.split('.');
    return assertionForm(`${h}.${p}.${Buffer.alloc(256, 3).toString('base64url')}`, app.audience);
  };
  // Three failures on node a: 30 units in Redis (standalone increments, not waited for by the response).
  for (let i = 0; i < 3; i++) assert.equal((await tokenAt(a!, tenant, forged(a!))).status, 401);
  // Node b has seen nothing of this client yet; its first success learns the total and is the last admitted.
  let seen = false;
  for (let i = 0; i < 20 && !seen; i++) {
    const r = await tokenAt(b!, tenant, signed(b!));
    if (r.status === 429) seen = true;
    else assert.equal(r.status, 200);
    assert.ok(i < 2, 'node b stops the client within one request of learning the shared count');
  }
  assert.ok(seen);
});
