/**
 * Which applications rely on the legacy audience policy: every success that needed it is logged
 * (`legacy_audience`) and stamps the application's last legacy use, written at most once a
 * minute per application; GET /api/v2/tenants/settings/legacy-audience-clients lists those of
 * the last 30 days (the dashboard's warning). Runs on SQLite and on PostgreSQL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';
import { assertionForm, createM2MApp, signedForm, type M2MApp } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';

const DAY = 86_400_000;

for (const dialect of ['sqlite', 'postgres'] as const) {
  describe(`legacy audience usage on ${dialect}`, () => {
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

    /** A token request whose assertion names the token endpoint URL as `aud` (what authlib sends by default). */
    const tokenEndpointAud = (tenant: TestTenant, app: M2MApp) =>
      assertionForm(signClientAssertion({ clientId: app.clientId, audience: `${tenant.issuer}oauth/token`, privateKey: app.privateKey }), app.audience);
    const listed = async (tenant: TestTenant) => {
      await h!.services.legacyAudience.flush();
      // A Management API token minted now, on the server's (possibly moved) clock.
      const m = tenant.management;
      const token = await h!.token(tenant, { grant_type: 'client_credentials', client_id: m.client_id, client_secret: m.client_secret!, audience: m.audience });
      const r = await tenant.api('GET', '/tenants/settings/legacy-audience-clients', undefined, token.body.access_token);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body as { audience_policy: string; since: string; clients: { client_id: string; name: string; last_legacy_audience_at: string }[] };
    };

    test('a legacy success lists its application (and only it, and only in its tenant) with the time; strict successes do not', async (t) => {
      if (!(await ready(t))) return;
      const tenant = await h!.createTenant();
      const other = await h!.createTenant();
      const legacyApp = await createM2MApp(tenant, { name: 'authlib worker' });
      const strictApp = await createM2MApp(tenant, { name: 'modern worker', audience: legacyApp.audience });
      assert.deepEqual((await listed(tenant)).clients, []);
      assert.equal((await listed(tenant)).audience_policy, 'strict');

      // Under strict, the legacy-style assertion is refused and nothing is recorded.
      assert.equal((await h!.token(tenant, tokenEndpointAud(tenant, legacyApp))).status, 401);
      assert.deepEqual((await listed(tenant)).clients, []);

      assert.equal((await tenant.api('PATCH', '/tenants/settings', { audience_policy: 'legacy' })).status, 200);
      const before = h!.clock.now();
      assert.equal((await h!.token(tenant, tokenEndpointAud(tenant, legacyApp))).status, 200);
      assert.equal((await h!.token(tenant, signedForm(tenant, strictApp))).status, 200);
      const body = await listed(tenant);
      assert.equal(body.audience_policy, 'legacy');
      assert.deepEqual(body.clients.map((c) => [c.client_id, c.name]), [[legacyApp.clientId, 'authlib worker']]);
      const at = Date.parse(body.clients[0]!.last_legacy_audience_at);
      assert.ok(at >= before - 1000 && at <= h!.clock.now(), `last use ${body.clients[0]!.last_legacy_audience_at}`);
      assert.ok(Math.abs(Date.parse(body.since) - (h!.clock.now() - 30 * DAY)) < 60_000, `since ${body.since} is 30 days back`);
      assert.deepEqual((await listed(other)).clients, [], 'another tenant sees nothing of it');
      // It takes no parameters: one is refused by name, not ignored.
      const paged = await tenant.api('GET', '/tenants/settings/legacy-audience-clients?per_page=5');
      assert.equal(paged.status, 400, JSON.stringify(paged.body));
      assert.match(paged.body.message, /per_page/);
    });

    test('the last use is written at most once a minute per application, follows the latest use, leaves after 30 days and with the application', async (t) => {
      if (!(await ready(t))) return;
      const tenant = await h!.createTenant();
      assert.equal((await tenant.api('PATCH', '/tenants/settings', { audience_policy: 'legacy' })).status, 200);
      const app = await createM2MApp(tenant);
      const store = h!.services.store.legacyAudience;
      const real = store.markUsed.bind(store);
      let writes = 0;
      store.markUsed = (id, at) => (writes++, real(id, at));
      t.after(() => void (store.markUsed = real));

      for (let i = 0; i < 5; i++) assert.equal((await h!.token(tenant, tokenEndpointAud(tenant, app))).status, 200);
      const first = (await listed(tenant)).clients[0]!.last_legacy_audience_at;
      assert.equal(writes, 1, 'five legacy successes within a minute: one write');
      for (let i = 0; i < 3; i++) assert.equal((await h!.token(tenant, tokenEndpointAud(tenant, app))).status, 200);
      assert.equal((await listed(tenant)).clients[0]!.last_legacy_audience_at, first);
      assert.equal(writes, 1);

      // A minute later (assertions are signed with the server's moved clock) the next use is written.
      h!.clock.advance(61_000);
      const later = assertionForm(
        signClientAssertion({ clientId: app.clientId, audience: `${tenant.issuer}oauth/token`, privateKey: app.privateKey, now: h!.clock.now() }),
        app.audience,
      );
      assert.equal((await h!.token(tenant, later)).status, 200);
      const second = (await listed(tenant)).clients[0]!.last_legacy_audience_at;
      assert.equal(writes, 2);
      assert.ok(Date.parse(second) >= Date.parse(first) + 60_000, `${second} follows ${first}`);
      // An older time arriving late (another process) does not move it back.
      await real(app.clientId, Date.parse(first));
      assert.equal((await listed(tenant)).clients[0]!.last_legacy_audience_at, second);

      h!.clock.advance(30 * DAY + 1000);
      assert.deepEqual((await listed(tenant)).clients, [], '30 days without a legacy use: no longer relied on');
      await real(app.clientId, h!.clock.now());
      assert.equal((await listed(tenant)).clients.length, 1);
      await h!.services.store.clients.delete((await h!.services.store.tenants.getByName(tenant.tenant))!.id, app.clientId);
      assert.deepEqual((await listed(tenant)).clients, [], 'a deleted application is not listed');
      const rows = await h!.services.store.db.all(`SELECT client_id FROM client_legacy_audience WHERE client_id = ?`, [app.clientId]);
      assert.deepEqual(rows, [], 'its row went with it');
    });
  });
}
