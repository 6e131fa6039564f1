/**
 * Management API lists and GETs, driven by the clients Auth0 customers run: the `auth0` v7
 * `ManagementClient` (its paginators read `{clients}`, `{resource_servers}` and
 * `{client_grants, next}`) and the v4 one from `auth0/legacy` (`getAll` with `include_totals`,
 * `from`/`take`). Every list holds more items than one page; each item must come back exactly
 * once. The paging runs in SQL, so the iteration part runs on SQLite and on PostgreSQL.
 * Then: totals, fields/include_fields, each filter, and each refusal, named.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagementClient } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { addCredential, keyPairFor } from '../support/fixtures.ts';
import { assertMgmtError, tenantId } from '../support/refusal-helpers.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';

const CLIENTS = 53;
const APIS = 52;
const APP_TYPES = ['non_interactive', 'regular_web', 'spa', 'native'];

interface Fixture {
  h: Harness;
  tenant: TestTenant;
  v7: ManagementClient;
  legacy: LegacyManagementClient;
  /** Every client, API and grant id of the tenant (created here or with the tenant). */
  clientIds: Set<string>;
  apiIds: Set<string>;
  grantIds: Set<string>;
  /** The client the created grants belong to. */
  grantee: string;
}

async function ok(p: Promise<{ status: number; body: any }>, status = 200): Promise<any> {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

/** Runs `fn` over `items` with at most `n` requests in flight (SQLite serialises writes anyway). */
async function inBatches<T>(items: T[], n: number, fn: (item: T, i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += n) await Promise.all(items.slice(i, i + n).map((x, j) => fn(x, i + j)));
}

async function setUp(h: Harness): Promise<Fixture> {
  const tenant = await h.createTenant();
  await inBatches([...Array(CLIENTS).keys()], 8, async (i) => {
    await ok(tenant.api('POST', '/clients', { name: `app-${i}`, app_type: APP_TYPES[i % APP_TYPES.length] }), 201);
  });
  const grantee = (await ok(tenant.api('POST', '/clients', { name: 'grantee', app_type: 'non_interactive' }), 201)).client_id;
  await inBatches([...Array(APIS).keys()], 8, async (i) => {
    const identifier = `https://api-${i}.lists.example/`;
    await ok(tenant.api('POST', '/resource-servers', { identifier, scopes: [{ value: 'read:x' }] }), 201);
    await ok(tenant.api('POST', '/client-grants', { client_id: grantee, audience: identifier, scope: ['read:x'] }), 201);
  });
  // Ground truth straight from the database, not from the API under test.
  const tid = await tenantId(h, tenant);
  const ids = async (sql: string) => new Set((await h.services.store.db.all<{ id: string }>(sql, [tid])).map((r) => r.id));
  const token = () => tenant.managementToken();
  return {
    h,
    tenant,
    v7: new ManagementClient({ domain: tenant.domain, token, fetch: h.fetch }),
    legacy: new LegacyManagementClient({ domain: tenant.domain, token: await token(), fetch: h.fetch }),
    clientIds: await ids(`SELECT client_id AS id FROM clients WHERE tenant_id = ?`),
    apiIds: await ids(`SELECT id FROM resource_servers WHERE tenant_id = ?`),
    grantIds: await ids(`SELECT id FROM client_grants WHERE tenant_id = ?`),
    grantee,
  };
}

/** Every item an async iterable yields. */
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** Each expected id exactly once, and nothing else. */
function exactlyOnce(got: string[], expected: Set<string>, what: string): void {
  assert.equal(new Set(got).size, got.length, `${what}: an item came back twice`);
  assert.deepEqual([...got].sort(), [...expected].sort(), `${what}: items missing or extra`);
}

/** The SDK iterations, on one database. */
function iterationSuite(label: string, start: () => Promise<Harness | undefined>): void {
  describe(`lists page through every item exactly once (${label})`, () => {
    let f: Fixture | undefined;
    before(async () => {
      const h = await start();
      if (h) f = await setUp(h);
    });
    after(() => f?.h.close());
    const fx = (t: { skip(msg: string): void }) => {
      if (!f) t.skip(`${label} not available`);
      return f;
    };

    test('v7 clients.list(): default pages of 50 and pages of 7, with the total', async (t) => {
      const x = fx(t);
      if (!x) return;
      assert.ok(x.clientIds.size > 50);
      exactlyOnce((await collect(await x.v7.clients.list())).map((c) => c.client_id!), x.clientIds, 'clients (50 a page)');
      const paged = await x.v7.clients.list({ per_page: 7 });
      assert.equal(paged.response.total, x.clientIds.size);
      assert.equal(paged.response.limit, 7);
      exactlyOnce((await collect(paged)).map((c) => c.client_id!), x.clientIds, 'clients (7 a page)');
    });

    test('v7 resourceServers.list(): every API, not 0 (it reads {resource_servers})', async (t) => {
      const x = fx(t);
      if (!x) return;
      assert.ok(x.apiIds.size > 50);
      const first = await x.v7.resourceServers.list();
      assert.equal(first.data.length, 50);
      assert.equal(first.response.total, x.apiIds.size);
      exactlyOnce((await collect(first)).map((r) => r.id!), x.apiIds, 'resource servers (50 a page)');
      exactlyOnce((await collect(await x.v7.resourceServers.list({ per_page: 9 }))).map((r) => r.id!), x.apiIds, 'resource servers (9 a page)');
    });

    test('v7 clientGrants.list(): checkpoint pages ({client_grants, next}) until next is absent', async (t) => {
      const x = fx(t);
      if (!x) return;
      assert.ok(x.grantIds.size > 50);
      const first = await x.v7.clientGrants.list();
      assert.equal(first.data.length, 50);
      assert.equal(typeof first.response.next, 'string');
      exactlyOnce((await collect(first)).map((g) => g.id!), x.grantIds, 'client grants (take 50)');
      exactlyOnce((await collect(await x.v7.clientGrants.list({ take: 6 }))).map((g) => g.id!), x.grantIds, 'client grants (take 6)');
      const last = await x.tenant.api('GET', `/client-grants?take=100`);
      assert.equal(last.status, 200);
      assert.deepEqual(Object.keys(last.body), ['client_grants'], 'no next on the last page');
    });

    test('checkpoint paging neither repeats nor skips while grants are created and deleted meanwhile', async (t) => {
      const x = fx(t);
      if (!x) return;
      const extraApi = 'https://churn.lists.example/';
      x.apiIds.add((await ok(x.tenant.api('POST', '/resource-servers', { identifier: extraApi, scopes: [{ value: 'read:x' }] }), 201)).id);
      const seen: string[] = [];
      let next: string | undefined;
      let victim: string | undefined;
      const churn: string[] = [];
      for (let i = 0; ; i++) {
        const page = await ok(x.tenant.api('GET', `/client-grants?take=8${next ? `&from=${encodeURIComponent(next)}` : ''}`));
        seen.push(...page.client_grants.map((g: any) => g.id));
        if (i === 1) {
          // A grant created now sorts after everything already there; one deleted now was not yet read.
          const c = await ok(x.tenant.api('POST', '/clients', { name: 'late', app_type: 'non_interactive' }), 201);
          churn.push(c.client_id);
          const g = await ok(x.tenant.api('POST', '/client-grants', { client_id: c.client_id, audience: extraApi, scope: ['read:x'] }), 201);
          const unread = [...x.grantIds].find((id) => !seen.includes(id))!;
          victim = unread;
          await ok(x.tenant.api('DELETE', `/client-grants/${unread}`), 204);
          x.grantIds.delete(unread);
          x.grantIds.add(g.id);
        }
        next = page.next;
        if (!next) break;
      }
      assert.ok(victim);
      exactlyOnce(seen, x.grantIds, 'client grants under churn');
      for (const c of churn) await ok(x.tenant.api('DELETE', `/clients/${c}`), 204);
    });

    test('rows created in the same millisecond are ordered by id: offset and checkpoint pages stay exact', async (t) => {
      const x = fx(t);
      if (!x) return;
      const tid = await tenantId(x.h, x.tenant);
      await x.h.services.store.db.run(`UPDATE client_grants SET created_at = 1700000000000 WHERE tenant_id = ?`, [tid]);
      await x.h.services.store.db.run(`UPDATE resource_servers SET created_at = 1700000000000 WHERE tenant_id = ?`, [tid]);
      const grants = await x.h.services.store.db.all<{ id: string }>(`SELECT id FROM client_grants WHERE tenant_id = ?`, [tid]);
      exactlyOnce((await collect(await x.v7.clientGrants.list({ take: 5 }))).map((g) => g.id!), new Set(grants.map((g) => g.id)), 'tied grants (take 5)');
      exactlyOnce((await collect(await x.v7.resourceServers.list({ per_page: 5 }))).map((r) => r.id!), x.apiIds, 'tied APIs (5 a page)');
      const byOffset: string[] = [];
      for (let page = 0; ; page++) {
        const b = await ok(x.tenant.api('GET', `/client-grants?per_page=11&page=${page}&include_totals=true`));
        assert.equal(b.total, grants.length);
        byOffset.push(...b.client_grants.map((g: any) => g.id));
        if (b.client_grants.length < 11) break;
      }
      exactlyOnce(byOffset, new Set(grants.map((g) => g.id)), 'tied grants (offset pages of 11)');
    });

    test('auth0/legacy getAll: clients and APIs with include_totals pages, grants with from/take, credentials', async (t) => {
      const x = fx(t);
      if (!x) return;
      const clients: string[] = [];
      for (let page = 0; ; page++) {
        const data: { total: number; start: number; clients: { client_id?: string }[] } = (await x.legacy.clients.getAll({ include_totals: true, per_page: 10, page })).data;
        assert.equal(data.total, x.clientIds.size, JSON.stringify(data.clients.map((c) => c.client_id).filter((id) => !x.clientIds.has(id!))));
        assert.equal(data.start, page * 10);
        clients.push(...data.clients.map((c) => c.client_id!));
        if (data.clients.length < 10) break;
      }
      exactlyOnce(clients, x.clientIds, 'legacy clients.getAll');
      const apis: string[] = [];
      for (let page = 0; ; page++) {
        const data: { total: number; resource_servers: { id?: string }[] } = (await x.legacy.resourceServers.getAll({ include_totals: true, per_page: 20, page })).data;
        assert.equal(data.total, x.apiIds.size);
        apis.push(...data.resource_servers.map((r) => r.id!));
        if (data.resource_servers.length < 20) break;
      }
      exactlyOnce(apis, x.apiIds, 'legacy resourceServers.getAll');
      const grants: string[] = [];
      let from: string | undefined;
      for (;;) {
        const { data } = (await x.legacy.clientGrants.getAll({ take: 15, ...(from && { from }) })) as unknown as { data: { client_grants: { id: string }[]; next?: string } };
        grants.push(...data.client_grants.map((g) => g.id));
        from = data.next;
        if (!from) break;
      }
      const tid = await tenantId(x.h, x.tenant);
      const truth = await x.h.services.store.db.all<{ id: string }>(`SELECT id FROM client_grants WHERE tenant_id = ?`, [tid]);
      exactlyOnce(grants, new Set(truth.map((g) => g.id)), 'legacy clientGrants.getAll');
      const bare = await x.legacy.resourceServers.getAll();
      assert.ok(Array.isArray(bare.data) && bare.data.length === 50, 'no include_totals: a bare array of the first 50');
    });

    test('credentials: v7 and legacy list every credential of a client', async (t) => {
      const x = fx(t);
      if (!x) return;
      const app = await ok(x.tenant.api('POST', '/clients', { name: 'keys', app_type: 'non_interactive' }), 201);
      const created = [await addCredential(x.tenant, app.client_id, keyPairFor('RS256').publicKeyPem, 'RS256', 'a'), await addCredential(x.tenant, app.client_id, keyPairFor('ES256').publicKeyPem, 'ES256', 'b')];
      const want = new Set(created.map((c) => c.id));
      exactlyOnce((await x.v7.clients.credentials.list(app.client_id)).map((c) => c.id!), want, 'v7 credentials.list');
      exactlyOnce((await x.legacy.clients.getCredentials({ client_id: app.client_id })).data.map((c) => c.id!), want, 'legacy getCredentials');
      await ok(x.tenant.api('DELETE', `/clients/${app.client_id}`), 204);
    });
  });
}

iterationSuite('SQLite', () => startSignet());
let pgDrop: (() => Promise<void>) | undefined;
iterationSuite('PostgreSQL', async () => {
  if (!(await postgresAvailable())) {
    await requirePostgres({ skip: () => undefined });
    return undefined;
  }
  const db = await freshPostgresDatabase();
  pgDrop = db.drop;
  return startSignet({ databaseUrl: db.url });
});
after(() => pgDrop?.());

describe('totals, projection, filters and refusals', () => {
  let h: Harness;
  let tenant: TestTenant;
  let v7: ManagementClient;
  const mine: Record<string, string> = {};
  before(async () => {
    h = await startSignet();
    tenant = await h.createTenant();
    v7 = new ManagementClient({ domain: tenant.domain, token: () => tenant.managementToken(), fetch: h.fetch });
    for (const t of APP_TYPES) mine[t] = (await ok(tenant.api('POST', '/clients', { name: `only-${t}`, app_type: t }), 201)).client_id;
  });
  after(() => h.close());

  const allClients = async () => (await ok(tenant.api('GET', '/clients?per_page=100'))) as any[];

  test('include_totals: {start, limit, total, clients} with total counted over every page', async () => {
    const all = await allClients();
    const b = await ok(tenant.api('GET', '/clients?include_totals=true&per_page=2&page=1'));
    assert.deepEqual(Object.keys(b).sort(), ['clients', 'limit', 'start', 'total']);
    assert.deepEqual([b.start, b.limit, b.total, b.clients.length], [2, 2, all.length, 2]);
    assert.deepEqual(b.clients.map((c: any) => c.client_id), all.slice(2, 4).map((c) => c.client_id));
    const beyond = await ok(tenant.api('GET', '/clients?include_totals=true&per_page=100&page=5'));
    assert.deepEqual([beyond.total, beyond.clients.length], [all.length, 0]);
    const rs = await ok(tenant.api('GET', '/resource-servers?include_totals=true'));
    assert.deepEqual([rs.start, rs.limit, rs.total, rs.resource_servers.length], [0, 50, 1, 1]);
  });

  test('clients: from/take checkpoint paging gives {clients, next}', async () => {
    const all = await allClients();
    const first = await ok(tenant.api('GET', '/clients?take=3'));
    assert.deepEqual(first.clients.map((c: any) => c.client_id), all.slice(0, 3).map((c) => c.client_id));
    const second = await ok(tenant.api('GET', `/clients?take=3&from=${encodeURIComponent(first.next)}`));
    assert.deepEqual(second.clients.map((c: any) => c.client_id), all.slice(3, 6).map((c) => c.client_id));
  });

  test('fields/include_fields on GET /clients, GET /clients/{id} and through the v7 SDK', async () => {
    const only = (await ok(tenant.api('GET', '/clients?fields=client_id,name&include_fields=true'))) as any[];
    assert.ok(only.length >= 4);
    for (const c of only) assert.deepEqual(Object.keys(c).sort(), ['client_id', 'name']);
    const without = (await ok(tenant.api('GET', '/clients?fields=callbacks,jwt_configuration.alg&include_fields=false'))) as any[];
    for (const c of without) {
      assert.ok(!('callbacks' in c) && 'client_id' in c && 'name' in c, JSON.stringify(c));
      assert.ok(!('alg' in (c.jwt_configuration ?? {})), JSON.stringify(c));
    }
    const one = await ok(tenant.api('GET', `/clients/${mine.spa}?fields=name,app_type`));
    assert.deepEqual(one, { name: 'only-spa', app_type: 'spa' });
    const viaSdk = await v7.clients.get(mine.native!, { fields: 'client_id,app_type', include_fields: true });
    assert.deepEqual(viaSdk, { client_id: mine.native, app_type: 'native' });
    const sdkList = await v7.clients.list({ fields: 'client_id', include_fields: true, per_page: 2 });
    for (const c of sdkList.data) assert.deepEqual(Object.keys(c), ['client_id']);
    const rs = await ok(tenant.api('GET', '/resource-servers?include_fields=true'));
    assert.ok(Array.isArray(rs) && rs.length === 1 && 'identifier' in rs[0], 'include_fields alone selects nothing away');
  });

  test('clients filters: app_type (comma list), is_first_party, is_global, client_ids', async () => {
    const all = await allClients();
    const spaNative = (await ok(tenant.api('GET', '/clients?app_type=spa,native&per_page=100'))) as any[];
    assert.deepEqual(spaNative.map((c) => c.client_id).sort(), all.filter((c) => c.app_type === 'spa' || c.app_type === 'native').map((c) => c.client_id).sort());
    assert.ok(spaNative.some((c) => c.client_id === mine.spa) && spaNative.some((c) => c.client_id === mine.native));
    const m2m = await v7.clients.list({ app_type: 'non_interactive', include_totals: true });
    assert.ok(m2m.data.length >= 2 && m2m.data.every((c) => c.app_type === 'non_interactive'));
    assert.equal(m2m.response.total, all.filter((c) => c.app_type === 'non_interactive').length);
    assert.equal((await allClients()).length, ((await ok(tenant.api('GET', '/clients?is_first_party=true&per_page=100'))) as any[]).length);
    assert.deepEqual(await ok(tenant.api('GET', '/clients?is_first_party=false')), []);
    assert.deepEqual(await ok(tenant.api('GET', '/clients?is_global=true')), []);
    assert.equal(((await ok(tenant.api('GET', '/clients?is_global=false&per_page=100'))) as any[]).length, all.length);
    const picked = (await ok(tenant.api('GET', `/clients?client_ids=${mine.spa},${mine.regular_web}`))) as any[];
    assert.deepEqual(picked.map((c) => c.client_id).sort(), [mine.spa, mine.regular_web].sort());
    const totals = await ok(tenant.api('GET', '/clients?app_type=spa&include_totals=true'));
    assert.equal(totals.total, all.filter((c) => c.app_type === 'spa').length, 'total counts the filtered list');
  });

  test('resource-servers identifiers (repeated) and client-grants audience/client_id filters', async () => {
    const a = 'https://filter-a.example/';
    const b = 'https://filter-b.example/';
    const c = 'https://filter-c.example/';
    for (const id of [a, b, c]) await ok(tenant.api('POST', '/resource-servers', { identifier: id, scopes: [{ value: 'read:x' }] }), 201);
    const two = await v7.resourceServers.list({ identifiers: [a, c] });
    assert.deepEqual(two.data.map((r) => r.identifier).sort(), [a, c]);
    assert.deepEqual((await ok(tenant.api('GET', `/resource-servers?identifiers=${encodeURIComponent(b)}`))).map((r: any) => r.identifier), [b]);
    await ok(tenant.api('POST', '/client-grants', { client_id: mine.non_interactive, audience: a, scope: ['read:x'] }), 201);
    await ok(tenant.api('POST', '/client-grants', { client_id: mine.non_interactive, audience: b, scope: ['read:x'] }), 201);
    await ok(tenant.api('POST', '/client-grants', { client_id: mine.regular_web, audience: a, scope: ['read:x'] }), 201);
    const forA = (await ok(tenant.api('GET', `/client-grants?audience=${encodeURIComponent(a)}`))) as any[];
    assert.deepEqual(forA.map((g) => g.client_id).sort(), [mine.non_interactive, mine.regular_web].sort());
    const ofM2m = await v7.clientGrants.list({ client_id: mine.non_interactive });
    assert.deepEqual(ofM2m.data.map((g) => g.audience).sort(), [a, b]);
    const both = (await ok(tenant.api('GET', `/client-grants?audience=${encodeURIComponent(b)}&client_id=${mine.non_interactive}`))) as any[];
    assert.deepEqual(both.map((g) => g.audience), [b]);
    const counted = await ok(tenant.api('GET', `/client-grants?audience=${encodeURIComponent(a)}&include_totals=true&per_page=1`));
    assert.deepEqual([counted.total, counted.client_grants.length], [2, 1]);
  });

  test('a parameter a route does not support is refused by name, on every list and GET', async () => {
    const cid = mine.non_interactive!;
    const cases: [string, string, RegExp?][] = [
      ['/clients?foo=1', 'foo', /Unknown query parameter foo/],
      ['/clients?q=client_grant.allow_any_organization%3Atrue', 'q', /q is not supported/],
      ['/clients?external_client_id=https%3A%2F%2Fx.example%2Fcimd', 'external_client_id', /not supported/],
      ['/clients?search_engine=v3', 'search_engine'],
      [`/clients/${cid}?page=0`, 'page'],
      [`/clients/${cid}?include_totals=true`, 'include_totals'],
      ['/resource-servers?fields=name', 'fields'],
      ['/resource-servers?from=x', 'from'],
      ['/resource-servers?audience=x', 'audience'],
      [`/resource-servers/${encodeURIComponent('https://filter-a.example/')}?fields=name`, 'fields'],
      ['/resource-servers/x?page=1', 'page'],
      ['/client-grants?fields=id', 'fields'],
      ['/client-grants?identifiers=x', 'identifiers'],
      [`/clients/${cid}/credentials?page=0`, 'page', /takes no query parameters/],
      [`/clients/${cid}/credentials?fields=id`, 'fields'],
      [`/clients/${cid}/credentials/cred_x?include_fields=true`, 'include_fields'],
    ];
    for (const [path, field, message] of cases) {
      const r = await tenant.api('GET', path);
      assertMgmtError(r, 400, 'invalid_query_string', message ?? new RegExp(field));
      assert.equal(r.body.field, field, path);
    }
  });

  test('bad paging, filter and cursor values are refused by name', async () => {
    const other = await h.createTenant();
    const otherApp = (await ok(other.api('POST', '/clients', { name: 'x', app_type: 'non_interactive' }), 201)).client_id;
    await ok(other.api('POST', '/resource-servers', { identifier: 'https://other.example/', scopes: [{ value: 'read:x' }] }), 201);
    await ok(other.api('POST', '/client-grants', { client_id: otherApp, audience: 'https://other.example/', scope: ['read:x'] }), 201);
    const foreign = (await ok(other.api('GET', '/client-grants?take=1'))).next;
    const cases: [string, string, RegExp?][] = [
      ['/clients?page=-1', 'page'],
      ['/clients?page=abc', 'page'],
      ['/clients?per_page=101', 'per_page', /1 to 100/],
      ['/clients?per_page=0', 'per_page'],
      ['/clients?per_page=1&per_page=2', 'per_page', /only once/],
      ['/clients?include_totals=1', 'include_totals'],
      ['/clients?take=0', 'take'],
      ['/clients?take=101', 'take', /1 to 100/],
      ['/client-grants?take=-5', 'take'],
      ['/client-grants?from=garbage', 'from'],
      ['/client-grants?from=%00%01', 'from'],
      [`/client-grants?from=${Buffer.from('q!.cgr_x').toString('base64url')}`, 'from'],
      [`/client-grants?from=${Buffer.from('kq2x.cgr x').toString('base64url')}`, 'from'],
      [`/client-grants?from=${'A'.repeat(600)}`, 'from'],
      ['/client-grants?take=5&page=0', 'page', /cannot be combined/],
      ['/clients?app_type=box', 'app_type', /"box" is not/],
      ['/clients?is_first_party=yes', 'is_first_party'],
      ['/clients?fields=name%3Bx', 'fields'],
      ['/clients?include_fields=maybe&fields=name', 'include_fields'],
      [`/resource-servers?${Array.from({ length: 11 }, (_, i) => `identifiers=https%3A%2F%2F${i}`).join('&')}`, 'identifiers', /at most 10/],
      ['/client-grants?audience=a&audience=b', 'audience'],
    ];
    for (const [path, field, message] of cases) {
      const r = await tenant.api('GET', path);
      assertMgmtError(r, 400, 'invalid_query_string', message);
      assert.equal(r.body.field, field, path);
    }
    // A cursor is only a position: one from another tenant reads this tenant's rows after it, nothing of the other's.
    assert.ok(foreign);
    const mineAfter = await ok(tenant.api('GET', `/client-grants?take=100&from=${encodeURIComponent(foreign)}`));
    const otherGrants = new Set(((await ok(other.api('GET', '/client-grants?per_page=100'))) as any[]).map((g) => g.id));
    assert.ok(mineAfter.client_grants.every((g: any) => !otherGrants.has(g.id)));
  });
});
