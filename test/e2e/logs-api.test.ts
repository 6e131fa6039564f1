/**
 * GET /api/v2/logs and /logs/{id} as Auth0 serves them, on SQLite and on PostgreSQL: search
 * with the log query syntax (`q`), sorting, offset paging with totals, field selection,
 * checkpoint paging (`from`/`take`) through the auth0 SDK, the fields events carry, and a
 * named 400 for everything Signet does not do.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ManagementClient } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';
import { assertMgmtError } from '../support/refusal-helpers.ts';

const UA = 'logs-api-test/1.0';

for (const db of ['sqlite', 'postgres'] as const) {
  describe(`the Logs API on ${db}`, () => {
    let h: Harness | undefined;
    let drop: (() => Promise<void>) | undefined;
    let tenant: TestTenant;
    let skip = false;
    const q = async (query: string, extra = '') => {
      const r = await tenant.api('GET', `/logs?q=${encodeURIComponent(query)}${extra}`);
      assert.equal(r.status, 200, `${query}: ${JSON.stringify(r.body)}`);
      return r.body as any[];
    };

    before(async () => {
      if (db === 'postgres') {
        if (!(await postgresAvailable())) {
          skip = true;
          return;
        }
        const pg = await freshPostgresDatabase();
        drop = pg.drop;
        h = await startSignet({ databaseUrl: pg.url });
      } else h = await startSignet();
      tenant = await h.createTenant();
      const m = tenant.management;
      const form = { grant_type: 'client_credentials', client_id: m.client_id, client_secret: m.client_secret, audience: m.audience };
      // Events of every kind: successes, a known client failing, an unknown one, management calls.
      for (let i = 0; i < 3; i++) assert.equal((await h.token(tenant, form, { 'user-agent': UA })).status, 200);
      assert.equal((await h.token(tenant, { ...form, client_secret: 'wrong' }, { 'user-agent': UA })).status, 401);
      assert.equal((await h.token(tenant, { ...form, client_id: 'no-such-client', scope: 'read:logs' }, { 'user-agent': UA })).status, 401);
      assert.equal((await tenant.api('POST', '/resource-servers', { name: 'Logs API test', identifier: 'https://logs-api.example/' })).status, 201);
    });
    after(async () => {
      await h?.close();
      await drop?.();
    });

    test('events carry Auth0\'s top-level fields: audience, scope, hostname, client_name, the actor of sapi', async (t) => {
      if (skip && !(await requirePostgres(t))) return;
      const host = new URL(tenant.issuer).hostname;
      const [ok] = await q(`type:seccft AND user_agent:"${UA}"`, '&per_page=1');
      assert.equal(ok.client_id, tenant.management.client_id);
      assert.ok(ok.client_name, 'a success names its client');
      assert.equal(ok.audience, tenant.management.audience);
      assert.match(ok.scope, /read:logs/);
      assert.equal(ok.hostname, host);
      assert.equal(ok.user_agent, UA);
      assert.match(ok.log_id, /^900\d{53}$/);
      assert.equal(ok._id, ok.log_id);

      const failures = await q('type:feccft');
      const known = failures.find((e) => e.client_id === tenant.management.client_id);
      const unknown = failures.find((e) => e.client_id === 'no-such-client');
      assert.equal(known.client_name, ok.client_name, 'a failure of a client that exists names it');
      assert.equal(unknown.client_name, null, 'a client that does not exist has no name');
      assert.equal(unknown.audience, tenant.management.audience);
      assert.equal(unknown.scope, 'read:logs', 'the scope asked for');
      assert.equal(unknown.hostname, host);

      const [sapi] = await q('type:sapi');
      assert.equal(sapi.user_id, `${tenant.management.client_id}@clients`, 'the actor is the calling application, as its token\'s subject');
      assert.equal(sapi.user_name, ok.client_name);
      assert.equal(sapi.client_id, tenant.management.client_id);
      assert.equal(sapi.hostname, host);

      const one = await tenant.api('GET', `/logs/${ok.log_id}`);
      assert.deepEqual(one.body, ok);
    });

    test('q: fields, quotes, wildcards, bare terms, AND/OR/NOT, parentheses, date ranges', async (t) => {
      if (skip && !(await requirePostgres(t))) return;
      const all = await q('', '&per_page=100');
      const same = async (query: string, pick: (e: any) => boolean, why?: string) => {
        const expected = all.filter(pick).map((e) => e.log_id);
        assert.ok(expected.length > 0 || why === 'none', `${query}: the fixture has matching events`);
        assert.deepEqual((await q(query, '&per_page=100')).map((e) => e.log_id), expected, why ?? query);
      };
      await same('type:seccft', (e) => e.type === 'seccft');
      await same('type:"feccft"', (e) => e.type === 'feccft');
      await same('type:s*', (e) => e.type.startsWith('s'));
      await same('type:S*', () => false, 'none');
      await same('type:*cft', (e) => e.type.endsWith('cft'));
      await same('description:*Credentials*', (e) => e.description.includes('Credentials'));
      // A wildcard's neighbours are literal: % and _ (LIKE) and [ (GLOB) match only themselves.
      await same('description:*%_\\[*', () => false, 'none');
      await same('client_id:no-such-client', (e) => e.client_id === 'no-such-client');
      await same('feccft', (e) => e.type === 'feccft');
      await same('"Failed client authentication"', (e) => e.description === 'Failed client authentication');
      await same('type:feccft AND NOT client_id:no-such-client', (e) => e.type === 'feccft' && e.client_id !== 'no-such-client');
      await same('type:sapi OR (type:feccft AND client_id:no-such-client)', (e) => e.type === 'sapi' || (e.type === 'feccft' && e.client_id === 'no-such-client'));
      await same('NOT user_id:x', () => true);
      await same('NOT client_name:*Application', (e) => !e.client_name?.endsWith('Application'));
      await same('user_agent:"logs-api-test/1.0" AND type:feccft', (e) => e.user_agent === UA && e.type === 'feccft');
      await same('hostname:*.signet.test', (e) => e.hostname?.endsWith('.signet.test'));

      const first = all.at(-1);
      const iso = first.date;
      assert.deepEqual((await q(`date:[${iso} TO ${iso}]`)).map((e) => e.log_id), all.filter((e) => e.date === iso).map((e) => e.log_id));
      assert.deepEqual((await q(`date:{${iso} TO *]`)).map((e) => e.log_id), all.filter((e) => e.date > iso).map((e) => e.log_id));
      assert.equal((await q(`date:[* TO ${iso}}`)).length, 0);
      assert.equal((await q('date:[2000-01 TO 2000-02}')).length, 0);
      assert.equal((await q(`date:[${iso.slice(0, 10)} TO *]`)).length, all.length, 'a day is read as its first millisecond');
      assert.equal((await q(`date:${iso}`)).length, all.filter((e) => e.date === iso).length);
    });

    test('sort, offset paging with totals, fields', async (t) => {
      if (skip && !(await requirePostgres(t))) return;
      const all = await q('', '&per_page=100');
      assert.ok(all.length >= 6);
      const dates = all.map((e) => e.date);
      assert.deepEqual(dates, [...dates].sort().reverse(), 'newest first by default');
      const asc = await q('', '&sort=date:1&per_page=100');
      assert.deepEqual(asc.map((e) => e.log_id), [...all].reverse().map((e) => e.log_id), 'date:1 is the exact reverse (ties in log order)');
      const byType = await q('', '&sort=type:1&per_page=100');
      assert.deepEqual(byType.map((e) => e.type), all.map((e) => e.type).sort());

      const r = await tenant.api('GET', '/logs?per_page=2&page=1&include_totals=true');
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.body).sort(), ['length', 'limit', 'logs', 'start', 'total']);
      assert.equal(r.body.start, 2);
      assert.equal(r.body.limit, 2);
      assert.equal(r.body.length, 2);
      assert.ok(r.body.total >= all.length);
      assert.deepEqual(r.body.logs.map((e: any) => e.log_id), all.slice(2, 4).map((e) => e.log_id));
      const filtered = await tenant.api('GET', `/logs?q=${encodeURIComponent('type:seccft')}&include_totals=true&per_page=1`);
      assert.equal(filtered.body.total, all.filter((e) => e.type === 'seccft').length);
      assert.equal(filtered.body.logs.length, 1);

      const picked = await q('type:seccft', '&fields=log_id,type,audience&include_fields=true');
      assert.deepEqual(Object.keys(picked[0]).sort(), ['audience', 'log_id', 'type']);
      const dropped = await q('type:seccft', '&fields=details,user_agent&include_fields=false');
      assert.ok(!('details' in dropped[0]) && !('user_agent' in dropped[0]) && 'log_id' in dropped[0]);
    });

    test('checkpoint paging: from is exclusive, log_id order, take ≤ 100, a Link to the next page', async (t) => {
      if (skip && !(await requirePostgres(t))) return;
      const everything = await tenant.api('GET', '/logs?take=100');
      assert.equal(everything.status, 200);
      const ids: string[] = everything.body.map((e: any) => e.log_id);
      assert.deepEqual(ids, [...ids].sort(), 'ascending log_id');
      const res = await h!.fetch(new URL(`api/v2/logs?from=${ids[1]}&take=2`, tenant.issuer), { headers: { authorization: `Bearer ${await tenant.managementToken()}` } });
      const page = (await res.json()) as any[];
      assert.deepEqual(page.map((e) => e.log_id), ids.slice(2, 4));
      assert.equal(res.headers.get('link'), `<${tenant.issuer}api/v2/logs?from=${ids[3]}&take=2>; rel="next"`);
      const end = await h!.fetch(new URL(`api/v2/logs?from=${ids.at(-1)}&take=5`, tenant.issuer), { headers: { authorization: `Bearer ${await tenant.managementToken()}` } });
      assert.deepEqual(await end.json(), []);
      assert.equal(end.headers.get('link'), `<${tenant.issuer}api/v2/logs?from=${ids.at(-1)}&take=5>; rel="next"`, 'at the end, next is the same place');
    });

    test('the auth0 SDK: v4 logs.getAll({from, take}) reads every event once; v7 logs.list pages with totals', async (t) => {
      if (skip && !(await requirePostgres(t))) return;
      const token = await tenant.managementToken();
      const domain = new URL(tenant.issuer).host;
      const legacy = new LegacyManagementClient({ domain, token, fetch: h!.fetch });
      const seen: string[] = [];
      let from: string | undefined;
      for (;;) {
        const { data } = await legacy.logs.getAll({ ...(from && { from }), take: 2 });
        const page = data as unknown as { log_id: string }[];
        if (!page.length) break;
        seen.push(...page.map((e) => e.log_id));
        from = page.at(-1)!.log_id;
      }
      const all = (await tenant.api('GET', '/logs?take=100')).body.map((e: any) => e.log_id);
      assert.deepEqual(seen, all);
      assert.equal(new Set(seen).size, seen.length);

      const v7 = new ManagementClient({ domain, token, fetch: h!.fetch });
      const listed: string[] = [];
      for await (const e of await v7.logs.list({ per_page: 2 })) listed.push(e.log_id!);
      assert.deepEqual([...listed].sort(), [...all].sort(), 'every event, newest first, page by page');
      const typed = await v7.logs.list({ per_page: 5 }, { queryParams: { q: 'type:seccft' } });
      assert.ok(typed.data.length >= 3);
      assert.deepEqual(new Set(typed.data.map((e) => e.type)), new Set(['seccft']));
    });

    test('refusals name what is not supported, and change nothing', async (t) => {
      if (skip && !(await requirePostgres(t))) return;
      const before = (await tenant.api('GET', '/logs?take=100')).body.length;
      const refused = async (query: string, name: string, message: RegExp) => {
        const r = await tenant.api('GET', `/logs${query}`);
        assertMgmtError(r, 400, 'invalid_query_string', message);
        assert.match(r.body.message, new RegExp(name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      };
      await refused('?type=seccft', 'type', /Unknown query parameter type\. This route accepts: .*q.*from/);
      await refused('?search=seccft', 'search', /search is not supported: search is the retired v2 log search; use q/);
      await refused('?q=type:a&q=type:b', 'q', /q may be given only once/);
      await refused('?from=x&q=type:seccft', 'q', /q cannot be combined with from\/take/);
      await refused('?take=10&page=0', 'page', /page cannot be combined with take/);
      await refused('?from=x&include_totals=true', 'include_totals', /include_totals cannot be combined with from\/take/);
      await refused('?take=101', 'take', /take must be an integer from 1 to 100/);
      await refused('?take=0', 'take', /take must be an integer from 1 to 100/);
      await refused('?from=nope', 'from', /from must be the log_id of an event of this tenant/);
      await refused(`?from=900${'9'.repeat(9).padStart(53, '0')}`, 'from', /from must be the log_id/);
      await refused('?per_page=101', 'per_page', /per_page must be an integer from 1 to 100/);
      await refused('?page=-1', 'page', /page must be an integer/);
      await refused('?page=10&per_page=100', 'page', /Only the first 1000 results/);
      await refused('?include_totals=yes', 'include_totals', /include_totals must be true or false/);
      await refused('?sort=date', 'sort', /sort must be a field and a direction/);
      await refused('?sort=details:1', 'sort', /"details" is not a sortable field/);
      await refused('?fields=log_id,secret', 'fields', /fields: "secret" is not a log event field/);
      await refused(`?q=${encodeURIComponent('connection:x')}`, 'q', /q: the field "connection" is not searchable/);
      await refused(`?q=${encodeURIComponent('type:s?cc')}`, 'q', /q: the "\?" wildcard is not supported/);
      await refused(`?q=${encodeURIComponent('type:a type:b')}`, 'q', /q: terms must be joined by AND or OR/);
      await refused(`?q=${encodeURIComponent('user_name:*ab')}`, 'q', /at least 3 literal characters/);
      await refused(`?q=${encodeURIComponent('type:a\u0000b')}`, 'q', /q must not contain a NUL character/);
      await refused('?from=900%00', 'from', /from must not contain a NUL character/);
      assertMgmtError(await tenant.api('GET', '/logs/900%00'), 404, 'log_not_found');
      const one = await tenant.api('GET', '/logs?take=1');
      assertMgmtError(await tenant.api('GET', `/logs/${one.body[0].log_id}?fields=type`), 400, 'invalid_query_string', /Unknown query parameter fields\. This route takes no query parameters/);
      assertMgmtError(await tenant.api('GET', `/logs/900${'0'.repeat(53)}`), 404, 'log_not_found');
      // Refused reads leave no trace in the log (reads are not audited) and the log is unchanged.
      assert.equal((await tenant.api('GET', '/logs?take=100')).body.length, before);
    });

    test('tenants are isolated: another tenant\'s log ids and events are not reachable', async (t) => {
      if (skip && !(await requirePostgres(t))) return;
      const other = await h!.createTenant();
      const theirs = (await other.api('GET', '/logs?take=100')).body;
      assert.ok(theirs.length > 0);
      const mine = (await tenant.api('GET', '/logs?take=100')).body.map((e: any) => e.log_id);
      for (const e of theirs) {
        assert.equal((await tenant.api('GET', `/logs/${e.log_id}`)).status, mine.includes(e.log_id) ? 200 : 404);
        if (mine.includes(e.log_id)) assert.notEqual((await tenant.api('GET', `/logs/${e.log_id}`)).body.client_id, e.client_id);
      }
      assert.equal((await tenant.api('GET', `/logs?q=${encodeURIComponent(`client_id:${other.management.client_id}`)}`)).body.length, 0);
    });
  });
}
