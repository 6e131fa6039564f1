/**
 * GET /metrics (Prometheus text, prom-client) after real requests: token outcomes by result,
 * grant and method; latency by route template; replay refusals; the client view cache; store
 * timings and errors; Redis and pool state; Node's process metrics. No tenant or client
 * identifier unless the operator asks for tenant labels; on Signet's own host only, or only on
 * SIGNET_METRICS_PORT when that is set.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { createM2MApp, signedForm } from '../support/fixtures.ts';
import { freePort } from '../support/free-port.ts';
import { freshPostgresDatabase, REDIS_URL, requirePostgres, requireRedis } from '../support/services.ts';
import { closeServer, listenForMetrics, scrapeRegistry } from '../../src/http/metrics-listener.ts';

let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

async function scrape(harness: Harness, host = new URL(harness.defaultTenant.issuer).host): Promise<string> {
  const res = await harness.fetch(`https://${host}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The value of one series (exact label set), or 0 when absent. */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

test('token requests are counted by result, grant type and method; replays, cache and routes too; no identifier appears', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  const before = await scrape(h);
  const ok = 'signet_token_requests_total{result="success",grant_type="client_credentials",auth_method="private_key_jwt"}';
  const replayed = 'signet_token_requests_total{result="invalid_client",grant_type="client_credentials",auth_method="private_key_jwt"}';

  const form = signedForm(tenant, app);
  assert.equal((await h.token(tenant, form)).status, 200);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
  assert.equal((await h.token(tenant, form)).status, 401, 'the first assertion again');
  const wrongSecret = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: 'wrong', audience: app.audience });
  assert.equal(wrongSecret.status, 401);
  const odd = await h.token(tenant, { grant_type: `urn:made-up:${app.clientId}`, client_id: app.clientId, client_secret: 'x' });
  assert.equal(odd.body.error, 'unsupported_grant_type');

  const after = await scrape(h);
  assert.equal(value(after, ok) - value(before, ok), 2);
  assert.equal(value(after, replayed) - value(before, replayed), 1);
  assert.equal(value(after, 'signet_replay_rejections_total') - value(before, 'signet_replay_rejections_total'), 1);
  const badSecret = 'signet_token_requests_total{result="invalid_client",grant_type="client_credentials",auth_method="client_secret_post"}';
  assert.equal(value(after, badSecret) - value(before, badSecret), 1);
  const unsupported = 'signet_token_requests_total{result="unsupported_grant_type",grant_type="unsupported",auth_method="client_secret_post"}';
  assert.equal(value(after, unsupported) - value(before, unsupported), 1, 'an unknown grant_type is not a label value');

  // The first assertion loaded the client's view (a miss); the next ones were served from it.
  assert.ok(value(after, 'signet_client_auth_cache_misses_total') > value(before, 'signet_client_auth_cache_misses_total'));
  assert.ok(value(after, 'signet_client_auth_cache_hits_total') - value(before, 'signet_client_auth_cache_hits_total') >= 2);

  const tokenRoute = 'signet_http_request_duration_seconds_count{method="POST",route="/oauth/token",status_code="200"}';
  assert.equal(value(after, tokenRoute) - value(before, tokenRoute), 2);
  assert.ok(value(after, 'signet_store_operation_duration_seconds_count{store="replay",op="claim"}') >= 3);
  assert.ok(value(after, 'signet_store_operation_duration_seconds_count{store="database",op="get"}') > 0);
  // Node's process metrics.
  for (const name of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_heap_size_used_bytes']) {
    assert.match(after, new RegExp(`^${name} `, 'm'), name);
  }
  assert.match(after, /^# TYPE signet_rate_limited_total counter$/m);

  for (const id of [app.clientId, tenant.tenant, tenant.management.client_id]) assert.ok(!after.includes(id), `${id} appears in the scrape`);
});

test('a credential change invalidates the cached view, and the route label is the template', async () => {
  const tenant = await h.createTenant();
  const app = await createM2MApp(tenant);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
  const before = await scrape(h);
  const renamed = await tenant.api('PATCH', `/clients/${app.clientId}/credentials/${app.credentialId}`, { expires_at: new Date(Date.now() + 86_400_000).toISOString() });
  assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
  const after = await scrape(h);
  assert.equal(value(after, 'signet_client_auth_cache_invalidations_total') - value(before, 'signet_client_auth_cache_invalidations_total'), 1);
  assert.ok(value(after, 'signet_http_request_duration_seconds_count{method="PATCH",route="/api/v2/clients/:client_id/credentials/:credential_id",status_code="200"}') >= 1, after.split('\n').filter((l) => l.includes('PATCH')).join('\n'));
  assert.ok(!after.includes(app.credentialId));
});

test('rate-limit refusals are counted by what was limited', async () => {
  const tenant = await h.createTenant();
  assert.equal((await tenant.api('PATCH', '/tenants/settings', { token_rate_limit_per_client: 1, rate_limit_window: 3600 })).status, 200);
  const app = await createM2MApp(tenant);
  const before = value(await scrape(h), 'signet_rate_limited_total{scope="client"}');
  const answers = [];
  for (let i = 0; i < 3; i++) answers.push((await h.token(tenant, signedForm(tenant, app))).status);
  const refused = answers.filter((s) => s === 429).length;
  assert.ok(refused >= 1, `answers: ${answers}`);
  assert.equal(value(await scrape(h), 'signet_rate_limited_total{scope="client"}') - before, refused);
});

test('a failed database call is counted as a store error', async () => {
  const series = 'signet_store_errors_total{store="database",op="all"}';
  const before = value(await scrape(h), series);
  await assert.rejects(h.services.store.db.all(`SELECT * FROM no_such_table`));
  assert.equal(value(await scrape(h), series) - before, 1);
});

test('/metrics is served on Signet\'s own host and hosts no tenant has, never on a tenant\'s domain', async () => {
  const tenant: TestTenant = await h.createTenant();
  const res = await h.fetch(new URL('metrics', tenant.issuer));
  assert.equal(res.status, 404);
  assert.ok(!(await res.text()).includes('signet_'));
  // A scraper reaching the process by an address or an internal name.
  assert.match(await scrape(h, `unknown.signet.test:${h.port}`), /^# TYPE signet_token_requests_total counter$/m);
});

test('SIGNET_METRICS_TENANT_LABELS=1 adds the tenant to token counts', async () => {
  const labelled = await startSignet({ env: { SIGNET_METRICS_TENANT_LABELS: '1' } });
  try {
    const tenant = await labelled.createTenant();
    const app = await createM2MApp(tenant);
    assert.equal((await labelled.token(tenant, signedForm(tenant, app))).status, 200);
    const text = await scrape(labelled);
    assert.equal(value(text, `signet_token_requests_total{result="success",grant_type="client_credentials",auth_method="private_key_jwt",tenant="${tenant.tenant}"}`), 1);
  } finally {
    await labelled.close();
  }
});

test('SIGNET_METRICS_PORT: metrics on their own listener, and not on the main port', async () => {
  const metricsPort = await freePort();
  const m = await startSignet({ env: { SIGNET_METRICS_PORT: String(metricsPort) } });
  const server = await listenForMetrics(scrapeRegistry(m.services.metrics.registry), metricsPort, '127.0.0.1');
  try {
    assert.equal((await m.fetch(new URL('metrics', m.defaultTenant.issuer))).status, 404);
    assert.equal((await m.token(m.defaultTenant, { grant_type: 'client_credentials' })).status, 401);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.equal(value(text, 'signet_token_requests_total{result="invalid_client",grant_type="client_credentials",auth_method="unknown"}'), 1);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/`)).status, 404);
    assert.equal((await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { method: 'POST' })).status, 404);
  } finally {
    await closeServer(server);
    await m.close();
  }
});

test('PostgreSQL pool and Redis connection state', async (t) => {
  if (!(await requirePostgres(t)) || !(await requireRedis(t))) return;
  const pgdb = await freshPostgresDatabase();
  const p = await startSignet({ databaseUrl: pgdb.url, redisUrl: REDIS_URL });
  const deadRedis = await startSignet({ redisUrl: `redis://127.0.0.1:${await freePort()}/0` });
  try {
    await p.services.store.replay.ping();
    const text = await scrape(p);
    assert.equal(value(text, 'signet_redis_connected'), 1);
    assert.ok(value(text, 'signet_pg_pool_clients{state="total"}') >= 1);
    assert.match(text, /^signet_pg_pool_clients\{state="idle"\} \d+$/m);
    assert.equal(value(text, 'signet_pg_pool_clients{state="waiting"}'), 0);
    const dead = await scrape(deadRedis);
    assert.match(dead, /^signet_redis_connected 0$/m);
    assert.ok(!dead.includes('signet_pg_pool_clients'), 'SQLite has no pool');
  } finally {
    await p.close();
    await deadRedis.close();
    await pgdb.drop();
  }
});
