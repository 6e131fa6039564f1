/**
 * Log events record unauthenticated input, so what they store is bounded: every string is
 * truncated with a visible marker, and each tenant's events are purged after its
 * `log_retention_days` and beyond a per-tenant cap. Runs on SQLite and on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';
import { createM2MApp } from '../support/fixtures.ts';
import { LogRetention } from '../../src/services/log-retention.ts';
import { TRUNCATION_MARKER } from '../../src/domain/bound-log-event.ts';

const DAY = 86_400_000;
const KB15 = 15 * 1024;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`log limits on ${dialect}`, () => {
    let h: Harness | undefined;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      if (dialect === 'sqlite') h = await startSignet();
      else if (await postgresAvailable()) {
        const db = await freshPostgresDatabase();
        drop = db.drop;
        h = await startSignet({ databaseUrl: db.url });
      }
    });
    after(async () => {
      await h?.close();
      await drop?.();
    });
    const ready = async (t: { skip(msg: string): void }) => dialect === 'sqlite' || (await requirePostgres(t));

    /** Characters stored in each of a tenant's log rows, measured in the database itself. */
    async function storedRowSizes(tenantId: string): Promise<{ id: string; size: number }[]> {
      await h!.services.store.logs.flush();
      const rows = await h!.services.store.db.all<{ id: string; size: number }>(
        `SELECT id, length(id) + length(tenant_id) + length(type) + length(description) + COALESCE(length(client_id), 0)
              + COALESCE(length(client_name), 0) + COALESCE(length(ip), 0) + COALESCE(length(user_agent), 0) + length(details) AS size
           FROM log_events WHERE tenant_id = ?`,
        [tenantId],
      );
      return rows.map((r) => ({ id: r.id, size: Number(r.size) }));
    }

    const tenantId = async (tenant: TestTenant) => (await h!.services.store.tenants.getByName(tenant.tenant))!.id;

    test('a refused token request with a 15 KB audience, client_id or User-Agent stores bounded strings', async (t) => {
      if (!(await ready(t))) return;
      const tenant = await h!.createTenant();
      const app = await createM2MApp(tenant);
      const huge = (c: string) => c.repeat(KB15);
      const refusals = [
        h!.token(tenant, { grant_type: 'client_credentials', client_id: app.clientId, audience: huge('a') }, { 'user-agent': huge('u') }),
        h!.token(tenant, { grant_type: 'client_credentials', client_id: huge('c'), audience: 'https://x.example/' }),
        // Within the schema's limits: stored as sent.
        h!.token(tenant, { grant_type: 'client_credentials', client_id: huge('é').slice(0, 128), client_secret: 's', audience: 'https://' + 'b'.repeat(1000) }),
        // PostgreSQL refuses NUL in text: looked up, it failed the request (500); stored raw, it
        // would lose every event written in the same batch.
        h!.token(tenant, { grant_type: 'client_credentials', client_id: 'nul\u0000id', client_secret: 's', audience: 'https://x.example/' }),
      ];
      for (const r of await Promise.all(refusals)) assert.ok(r.status >= 400 && r.status < 500, `refused: ${r.status} ${JSON.stringify(r.body)}`);

      const id = await tenantId(tenant);
      const sizes = await storedRowSizes(id);
      assert.ok(sizes.length >= 4, `every refusal is logged (got ${sizes.length})`);
      for (const { size } of sizes) assert.ok(size <= 4096, `a stored log row holds ${size} characters`);

      const events = await h!.services.store.logs.list(id, { perPage: 100 });
      const withLongAudience = events.find((e) => String(e.details.audience ?? '').startsWith('aaaa'))!;
      assert.ok(withLongAudience, 'the 15 KB audience refusal is logged');
      assert.ok((withLongAudience.details.audience as string).length <= 1024, 'never longer than the route schema allows (1024)');
      assert.ok((withLongAudience.details.audience as string).endsWith(TRUNCATION_MARKER));
      assert.ok(withLongAudience.userAgent!.length <= 256 && withLongAudience.userAgent!.endsWith(TRUNCATION_MARKER));
      const withLongClientId = events.find((e) => e.clientId?.startsWith('cccc'))!;
      assert.ok(withLongClientId, 'the 15 KB client_id refusal is logged');
      assert.ok(withLongClientId.clientId!.length <= 128 && withLongClientId.clientId!.endsWith(TRUNCATION_MARKER));
      assert.ok(events.some((e) => e.clientId === 'nul\uFFFDid'), 'a NUL in a logged value is stored (as U+FFFD), not lost with its batch');
    });

    test('events older than a tenant\'s log_retention_days are purged, newer ones and other tenants\' are kept', async (t) => {
      if (!(await ready(t))) return;
      const short = await h!.createTenant();
      const other = await h!.createTenant();
      const bad = await short.api('PATCH', '/tenants/settings', { log_retention_days: 0 });
      assert.equal(bad.status, 400);
      assert.match(bad.body.message, /log_retention_days must be an integer between 1 and 365/);
      assert.equal((await short.api('PATCH', '/tenants/settings', { log_retention_days: 366 })).status, 400);
      const set = await short.api('PATCH', '/tenants/settings', { log_retention_days: 7 });
      assert.equal(set.status, 200, JSON.stringify(set.body));
      assert.equal(set.body.log_retention_days, 7);
      assert.equal((await other.api('GET', '/tenants/settings')).body.log_retention_days, 30, 'the default is 30 days');

      const now = Date.now();
      const ids = { short: await tenantId(short), other: await tenantId(other) };
      for (const [name, id] of Object.entries(ids)) {
        for (const age of [1, 6, 8, 29, 31, 400]) {
          h!.services.store.logs.append({ tenantId: id, type: 'seccft', description: `${name} ${age}d`, date: now - age * DAY });
        }
      }
      await h!.services.store.logs.flush();
      await h!.services.logRetention.purge(now);
      const left = async (id: string) =>
        (await h!.services.store.logs.list(id, { perPage: 100 })).filter((e) => e.type === 'seccft' && /\d+d$/.test(e.description)).map((e) => e.description);
      assert.deepEqual(await left(ids.short), ['short 1d', 'short 6d']);
      assert.deepEqual(await left(ids.other), ['other 1d', 'other 6d', 'other 8d', 'other 29d']);
    });

    test('a tenant keeps at most the newest N events; the cap never deletes another tenant\'s events; the purge yields between batches', async (t) => {
      if (!(await ready(t))) return;
      const busy = await h!.createTenant();
      const quiet = await h!.createTenant();
      const ids = { busy: await tenantId(busy), quiet: await tenantId(quiet) };
      const now = Date.now();
      // Several events share a millisecond, so the cut also has to order by id within one.
      for (let i = 0; i < 300; i++) h!.services.store.logs.append({ tenantId: ids.busy, type: 'seccft', description: `busy ${i}`, date: now - 100_000 + Math.floor(i / 3) });
      for (let i = 0; i < 40; i++) h!.services.store.logs.append({ tenantId: ids.quiet, type: 'seccft', description: `quiet ${i}`, date: now - 200_000 + i });
      await h!.services.store.logs.flush();
      const newestBefore = (await h!.services.store.logs.list(ids.busy, { perPage: 100 })).map((e) => e.id);

      // Other tenants of this database hold fewer than 100 events each.
      const retention = new LogRetention(h!.services.store, { maxEventsPerTenant: 100, batchSize: 20 });
      let ticks = 0;
      let done = false;
      const tick = () => setImmediate(() => { if (!done) { ticks++; tick(); } });
      tick();
      const deleted = await retention.purge(now);
      done = true;
      assert.ok(deleted >= 200, `deleted ${deleted}`);
      assert.ok(ticks >= 9, `other work ran between the 10 delete batches (${ticks} event-loop turns)`);

      const count = async (id: string) => Number((await h!.services.store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM log_events WHERE tenant_id = ?`, [id]))!.n);
      assert.equal(await count(ids.busy), 100);
      assert.deepEqual((await h!.services.store.logs.list(ids.busy, { perPage: 100 })).map((e) => e.id), newestBefore, 'the newest 100 are the ones kept');
      assert.equal(await count(ids.quiet), 40);
      assert.equal(h!.config.logMaxEventsPerTenant, 100_000, 'the server default');
    });
  });
}
