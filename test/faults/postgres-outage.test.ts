import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { requireOwnServices, ownServicesAvailable, startOwnPostgres, type OwnPostgres } from '../support/own-services.ts';
import { createM2MApp } from '../support/fixtures.ts';
import { outageUnderLoad, percentile, tokenLoad, waitFor } from '../support/token-load.ts';
import { replayKey } from '../../src/services/client-auth/index.ts';

/**
 * PostgreSQL stopped under load, then started again: requests fail fast with a 503 that names
 * the database, no token leaves without its replay record, and service resumes by itself.
 * The server is a PostgreSQL of this test's own (see own-services.ts), so stopping it leaves
 * the shared one to the tests running beside this one.
 */
let pg: OwnPostgres | undefined;
let h: Harness | undefined;
before(async () => {
  if (!ownServicesAvailable().postgres) return;
  pg = await startOwnPostgres();
  h = await startSignet({ databaseUrl: pg.url });
});
after(async () => {
  await h?.close().catch(() => undefined);
  await pg?.destroy();
});

test('PostgreSQL stopped during load: fast 503s naming the database, no token without its replay record, recovery without a restart', async (t) => {
  if (!requireOwnServices(t, { postgres: true })) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const tenantId = (await h!.services.store.tenants.getByName(tenant.tenant))!.id;
  const { results, during, readyDuring, readyAfter, firstOk, recoveryMs, stopMs, startMs } = await outageUnderLoad(h!, tenant, app, pg!);
  assert.equal(readyAfter, 200, 'ready again once it is back');
  assert.ok(during.length >= 10, `only ${during.length} requests were made during the outage`);
  for (const r of during) {
    assert.equal(r.status, 503, `during the outage: ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error, 'temporarily_unavailable');
    assert.match(r.body.error_description, /^The database is unavailable \(.+\); nothing was changed\. Try again shortly\.$/);
    assert.equal(r.headers.get('retry-after'), '1');
  }
  // Nothing but 200 and 503 at any time: no 500, no stack trace, no refusal of a good assertion.
  for (const r of results) assert.ok(r.status === 200 || r.status === 503, `${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  for (const r of results.filter((x) => x.status === 503)) assert.doesNotMatch(JSON.stringify(r.body), /\bat .+\(|node_modules|ECONN|postgres:\/\//);
  const failLatency = during.map((r) => r.doneAt - r.sentAt);
  assert.ok(percentile(failLatency, 99) < 3500, `503s took up to ${percentile(failLatency, 99)} ms`);

  // /readyz said so meanwhile, naming the part.
  assert.equal(readyDuring.status, 503, readyDuring.body);
  assert.match(readyDuring.body, /database/);

  // Every token that left has its replay record.
  const issued = results.filter((r) => r.status === 200);
  for (const r of issued) {
    assert.equal(await h!.services.store.replay.isUsed(replayKey(tenantId, app.clientId, r.jti), Date.now()), true, `token issued without a replay record (jti ${r.jti})`);
  }
  // After recovery, every request succeeds again.
  const after = results.filter((r) => r.sentAt >= firstOk.doneAt);
  assert.ok(after.every((r) => r.status === 200), JSON.stringify(after.filter((r) => r.status !== 200).slice(0, 3)));

  t.diagnostic(
    `PostgreSQL outage: stop took ${stopMs} ms; ${during.length} requests during the outage, all 503, ` +
      `p50 ${percentile(failLatency, 50)} ms, p99 ${percentile(failLatency, 99)} ms; start took ${startMs} ms; ` +
      `first token ${recoveryMs} ms after PostgreSQL accepted connections again; ${issued.length} tokens in all`,
  );
  console.log(`# recovery: PostgreSQL ${recoveryMs} ms after start; 503 p99 ${percentile(failLatency, 99)} ms`);
});

test('PostgreSQL stopped: log events written meanwhile are kept and written once it is back', async (t) => {
  if (!requireOwnServices(t, { postgres: true })) return;
  const tenant = await h!.createTenant();
  const app = await createM2MApp(tenant);
  const tenantId = (await h!.services.store.tenants.getByName(tenant.tenant))!.id;
  const load = tokenLoad(h!, tenant, app, 2);
  await waitFor(() => load.results.filter((r) => r.status === 200).length >= 5, 20_000);
  await pg!.stop();
  await new Promise((r) => setTimeout(r, 1000));
  await pg!.start();
  const restarted = Date.now();
  await waitFor(() => load.since(restarted).filter((r) => r.status === 200).length >= 5, 30_000);
  const results = await load.stop();
  // Every request made, success or 503, has its event (written from memory after the outage).
  await waitFor(async () => {
    await h!.services.store.logs.flush();
    return h!.services.store.logs.pending === 0;
  }, 10_000);
  const rows = await h!.services.store.db.all<{ type: string; n: number }>(
    `SELECT type, COUNT(*) AS n FROM log_events WHERE tenant_id = ? AND (client_id = ? OR client_id IS NULL) GROUP BY type`,
    [tenantId, app.clientId],
  );
  const count = (type: string) => Number(rows.find((r) => r.type === type)?.n ?? 0);
  const ok = results.filter((r) => r.status === 200).length;
  const unavailable = results.filter((r) => r.status === 503).length;
  assert.equal(ok + unavailable, results.length);
  assert.ok(unavailable > 0, 'no request was made during the outage');
  assert.equal(count('seccft'), ok);
  // A request refused while its tenant was being looked up has no tenant log to go to; every
  // other refusal has its event (the assertion carries no client_id field, so it is null).
  assert.ok(count('feccft') <= unavailable && count('feccft') >= unavailable - 4, `${count('feccft')} failure events for ${unavailable} refusals`);
});
