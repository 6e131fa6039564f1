/**
 * /api/v2/users and /api/v2/users-by-email, driven by the `auth0` v7 `ManagementClient` on
 * SQLite and PostgreSQL: create, get, list (search, paging, totals, sort, projection), update
 * (metadata merge, block, password), users-by-email and delete. Then every refusal, each
 * checked to change nothing, and the password looked for (and not found) in every log event
 * and in the database files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ManagementClient } from 'auth0';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertMgmtError, grant, rawApi, readDataFiles, secretApp, tenantId } from '../support/refusal-helpers.ts';
import { freshPostgresDatabase, postgresAvailable, requirePostgres } from '../support/services.ts';
import { UserSignInError } from '../../src/domain/errors.ts';

const CONNECTION = 'Username-Password-Authentication';
const PASSWORD = 'amber-lantern-5521';

async function ok(p: Promise<{ status: number; body: any }>, status = 200): Promise<any> {
  const r = await p;
  assert.equal(r.status, status, JSON.stringify(r.body));
  return r.body;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

/** What the SDK throws for an error answer: its status and Auth0 error body. */
async function sdkError(p: Promise<unknown>): Promise<{ statusCode: number; body: any }> {
  const err: any = await p.then(
    () => assert.fail('expected an error answer'),
    (e) => e,
  );
  assert.equal(typeof err.statusCode, 'number', String(err));
  return { statusCode: err.statusCode, body: err.body };
}

function sdkSuite(label: string, start: () => Promise<Harness | undefined>): void {
  describe(`users through the auth0 v7 ManagementClient (${label})`, () => {
    let h: Harness | undefined;
    let tenant: TestTenant;
    let tid: string;
    let mgmt: ManagementClient;
    before(async () => {
      h = await start();
      if (!h) return;
      tenant = await h.createTenant();
      tid = await tenantId(h, tenant);
      mgmt = new ManagementClient({ domain: tenant.domain, token: () => tenant.managementToken(), fetch: h.fetch });
    });
    after(() => h?.close());

    test('create, get, list, update, users-by-email, delete', async (t) => {
      if (!h) return t.skip(`${label} not available`);
      const created = await mgmt.users.create({
        connection: CONNECTION,
        email: 'Grace.Hopper@Navy.example',
        password: PASSWORD,
        user_metadata: { theme: 'dark', lang: 'en' },
        app_metadata: { plan: 'gold' },
      });
      assert.match(created.user_id!, /^auth0\|[0-9a-f]{24}$/);
      assert.equal(created.email, 'Grace.Hopper@Navy.example', 'kept as given');
      assert.equal(created.email_verified, false);
      assert.equal(created.name, 'Grace.Hopper@Navy.example');
      assert.equal(created.nickname, 'Grace.Hopper');
      assert.deepEqual(created.identities, [{ connection: CONNECTION, provider: 'auth0', user_id: created.user_id!.slice(6), isSocial: false }]);
      assert.deepEqual(created.user_metadata, { theme: 'dark', lang: 'en' });
      assert.deepEqual(created.app_metadata, { plan: 'gold' });
      assert.equal(created.logins_count, 0);
      assert.ok(!('blocked' in created) && !('last_login' in created));
      assert.ok(!JSON.stringify(created).includes(PASSWORD) && !JSON.stringify(created).includes('scrypt'));
      assert.ok(Date.parse(created.created_at as string) > 0);

      const got = await mgmt.users.get(created.user_id!);
      assert.deepEqual(got, created);
      const projected = await mgmt.users.get(created.user_id!, { fields: 'email,user_id', include_fields: true });
      assert.deepEqual(projected, { email: created.email, user_id: created.user_id });

      // A custom id part.
      const custom = await mgmt.users.create({ connection: CONNECTION, email: 'ada@paging.example', password: PASSWORD, user_id: 'ada-1815', name: 'Ada', email_verified: true, verify_email: false });
      assert.equal(custom.user_id, 'auth0|ada-1815');
      assert.equal(custom.email_verified, true);
      for (const local of ['bob', 'carol', 'dave', 'erin']) await mgmt.users.create({ connection: CONNECTION, email: `${local}@paging.example`, password: PASSWORD });

      // Search and paging: the SDK's pager reads {users} page after page.
      const q = 'email:*@paging.example';
      const pages = await collect(await mgmt.users.list({ q, search_engine: 'v3', per_page: 2 }));
      assert.deepEqual(pages.map((u) => u.email).sort(), ['ada@paging.example', 'bob@paging.example', 'carol@paging.example', 'dave@paging.example', 'erin@paging.example']);
      const first = (await mgmt.users.list({ q, per_page: 2, page: 0, include_totals: true })).response as any;
      assert.equal(first.total, 5);
      assert.equal(first.users.length, 2);
      const exact = (await mgmt.users.list({ q: 'email:"GRACE.hopper@navy.example"' })).data;
      assert.deepEqual(exact.map((u) => u.user_id), [created.user_id]);
      const prefix = (await mgmt.users.list({ q: 'email:car*' })).data;
      assert.deepEqual(prefix.map((u) => u.email), ['carol@paging.example']);
      const byName = (await mgmt.users.list({ q: 'name:"Ada"' })).data;
      assert.deepEqual(byName.map((u) => u.user_id), ['auth0|ada-1815']);
      const sorted = (await mgmt.users.list({ q, sort: 'email:-1', fields: 'email', include_fields: true })).data;
      assert.deepEqual(sorted, ['erin', 'dave', 'carol', 'bob', 'ada'].map((n) => ({ email: `${n}@paging.example` })));
      const all = (await mgmt.users.list({ include_totals: true })).response as any;
      assert.equal(all.total, 6);

      // Update: metadata merged one level deep, null removes a key; block; name.
      const updated = await mgmt.users.update(created.user_id!, { user_metadata: { lang: null, prefs: { size: 'L' } }, app_metadata: { plan: 'platinum' }, blocked: true, name: 'Grace' } as any);
      assert.deepEqual(updated.user_metadata, { theme: 'dark', prefs: { size: 'L' } });
      assert.deepEqual(updated.app_metadata, { plan: 'platinum' });
      assert.equal(updated.blocked, true);
      assert.equal(updated.name, 'Grace');
      assert.deepEqual((await mgmt.users.list({ q: 'blocked:true' })).data.map((u) => u.user_id), [created.user_id]);
      await assert.rejects(h.services.users.signIn(tid, 'grace.hopper@navy.example', PASSWORD, { ip: '192.0.2.1' }), (e: any) => e instanceof UserSignInError && e.code === 'blocked');
      const unblocked = await mgmt.users.update(created.user_id!, { blocked: false, user_metadata: {} });
      assert.ok(!('blocked' in unblocked));
      assert.deepEqual(unblocked.user_metadata, {}, '{} clears, as on Auth0');

      // Password change (with the connection): the new one signs in, the old one does not.
      const NEW = 'copper-kettle-9031';
      await mgmt.users.update(created.user_id!, { password: NEW, connection: CONNECTION });
      await assert.rejects(h.services.users.signIn(tid, 'grace.hopper@navy.example', PASSWORD, { ip: '192.0.2.1' }), (e: any) => e.code === 'wrong_password');
      const signedIn = await h.services.users.signIn(tid, 'grace.hopper@navy.example', NEW, { ip: '192.0.2.1' });
      assert.equal(signedIn.loginsCount, 1);
      const afterLogin = await mgmt.users.get(created.user_id!);
      assert.equal(afterLogin.logins_count, 1);
      assert.equal(afterLogin.last_ip, '192.0.2.1');
      assert.ok(Date.parse(afterLogin.last_login as string) > 0);

      // Email change, then users-by-email (case-insensitive, an array).
      await mgmt.users.update(created.user_id!, { email: 'grace@navy.example' });
      const byEmail = await mgmt.users.listUsersByEmail({ email: 'Grace@Navy.example' });
      assert.deepEqual(byEmail.map((u) => u.user_id), [created.user_id]);
      assert.deepEqual(await mgmt.users.listUsersByEmail({ email: 'nobody@navy.example' }), []);

      await mgmt.users.delete(created.user_id!);
      const gone = await sdkError(mgmt.users.get(created.user_id!));
      assert.equal(gone.statusCode, 404);
      assert.equal(gone.body.message, 'The user does not exist.');
      assert.equal(gone.body.errorCode, 'inexistent_user');
    });
  });
}

sdkSuite('SQLite', () => startSignet());
let pgDrop: (() => Promise<void>) | undefined;
sdkSuite('PostgreSQL', async () => {
  if (!(await postgresAvailable())) {
    await requirePostgres({ skip: () => undefined });
    return undefined;
  }
  const db = await freshPostgresDatabase();
  pgDrop = db.drop;
  return startSignet({ databaseUrl: db.url });
});
after(() => pgDrop?.());

describe('refusals change nothing', () => {
  let h: Harness;
  let tenant: TestTenant;
  let other: TestTenant;
  let tid: string;
  let existing: any;
  before(async () => {
    h = await startSignet();
    tenant = await h.createTenant();
    other = await h.createTenant();
    tid = await tenantId(h, tenant);
    existing = await ok(tenant.api('POST', '/users', { connection: CONNECTION, email: 'taken@example.com', password: PASSWORD, user_metadata: { a: 1 } }), 201);
  });
  after(() => h.close());

  /** Every user row of the tenant, as stored (hashes included, so a password change would show). */
  const rows = () => h.services.store.db.all(`SELECT * FROM users WHERE tenant_id = ? ORDER BY user_id`, [tid]);
  async function unchanged(fn: () => Promise<void>): Promise<void> {
    const before = await rows();
    const otherBefore = await h.services.store.db.all(`SELECT * FROM users WHERE tenant_id <> ? ORDER BY user_id`, [tid]);
    await fn();
    assert.deepEqual(await rows(), before);
    assert.deepEqual(await h.services.store.db.all(`SELECT * FROM users WHERE tenant_id <> ? ORDER BY user_id`, [tid]), otherBefore);
  }
  const create = (body: Record<string, unknown>) => tenant.api('POST', '/users', { connection: CONNECTION, email: 'new@example.com', password: PASSWORD, ...body });

  test('weak passwords: too short, too long, too common (on create and on change)', async () => {
    await unchanged(async () => {
      let r = await create({ password: 'Zq9!xk2' });
      assertMgmtError(r, 400, 'invalid_body', 'PasswordStrengthError: Password is too weak: it must be at least 8 characters long.');
      assert.equal(r.body.error, 'Bad Request');
      assert.equal(r.body.field, 'password');
      r = await create({ password: 'x'.repeat(257) });
      assertMgmtError(r, 400, 'invalid_body', /^PasswordStrengthError: Password is too long: it must be at most 256 bytes/);
      r = await create({ password: 'Password1' });
      assertMgmtError(r, 400, 'invalid_body', /^PasswordDictionaryError: Password is too common/);
      r = await tenant.api('PATCH', `/users/${encodeURIComponent(existing.user_id)}`, { connection: CONNECTION, password: 'iloveyou' });
      assertMgmtError(r, 400, 'invalid_body', /^PasswordDictionaryError: Password is too common/);
      r = await tenant.api('PATCH', `/users/${encodeURIComponent(existing.user_id)}`, { password: 'a-fine-new-password' });
      assertMgmtError(r, 400, 'invalid_body', /connection is required to change the password/);
      assert.equal(r.body.field, 'connection');
    });
  });

  test('duplicate email (any case), duplicate custom id: 409 "The user already exists."', async () => {
    await unchanged(async () => {
      let r = await create({ email: '  TAKEN@example.com' });
      assertMgmtError(r, 409, 'auth0_idp_error', 'The user already exists.');
      r = await create({ user_id: existing.user_id.slice(6) });
      assertMgmtError(r, 409, 'auth0_idp_error', 'The user already exists.');
    });
    const second = await ok(create({ email: 'second@example.com' }), 201);
    await unchanged(async () => {
      const r = await tenant.api('PATCH', `/users/${encodeURIComponent(second.user_id)}`, { email: 'Taken@Example.com' });
      assertMgmtError(r, 409, 'auth0_idp_error', 'The user already exists.');
    });
    // Another tenant may have the same email and the same custom id: tenants do not see each other.
    await ok(other.api('POST', '/users', { connection: CONNECTION, email: 'taken@example.com', password: PASSWORD, user_id: existing.user_id.slice(6) }), 201);
  });

  test('connection: missing or unknown, refused by name', async () => {
    await unchanged(async () => {
      let r = await tenant.api('POST', '/users', { email: 'new@example.com', password: PASSWORD });
      assertMgmtError(r, 400, 'invalid_body', /connection/);
      r = await create({ connection: 'google-oauth2' });
      assertMgmtError(r, 400, 'invalid_body', `The connection "google-oauth2" does not exist. Each tenant has one database connection: ${CONNECTION}.`);
      assert.equal(r.body.field, 'connection');
      r = await tenant.api('PATCH', `/users/${encodeURIComponent(existing.user_id)}`, { connection: 'Other-DB', password: 'a-fine-new-password' });
      assertMgmtError(r, 400, 'invalid_body', /The connection "Other-DB" does not exist/);
      r = await tenant.api('GET', '/users?connection=Other-DB');
      assertMgmtError(r, 400, 'invalid_body', /The connection "Other-DB" does not exist/);
    });
  });

  test('unknown fields, bad email, verify_email: true, bad custom id, missing password, NUL', async () => {
    await unchanged(async () => {
      let r = await create({ username: 'grace' });
      assertMgmtError(r, 400, 'invalid_body', "Payload validation error: 'Additional properties not allowed: username'.");
      r = await tenant.api('PATCH', `/users/${encodeURIComponent(existing.user_id)}`, { user_id: 'other' });
      assertMgmtError(r, 400, 'invalid_body', "Payload validation error: 'Additional properties not allowed: user_id'.");
      r = await create({ email: 'not-an-email' });
      assertMgmtError(r, 400, 'invalid_body', /"not-an-email" is not an email address/);
      r = await create({ verify_email: true });
      assertMgmtError(r, 400, 'invalid_body', /verify_email: true is not supported: Signet sends no email/);
      r = await create({ user_id: 'auth0|x' });
      assertMgmtError(r, 400, 'invalid_body', /user_id must be 1 to 64/);
      r = await tenant.api('POST', '/users', { connection: CONNECTION, email: 'new@example.com' });
      assertMgmtError(r, 400, 'invalid_body', /password/);
      r = await create({ name: 'a\u0000b' });
      assertMgmtError(r, 400, 'invalid_body', /name/);
    });
  });

  test('metadata over 16 KB, or with "." or "$" in a field name', async () => {
    await unchanged(async () => {
      let r = await create({ user_metadata: { blob: 'x'.repeat(16 * 1024) } });
      assertMgmtError(r, 400, 'invalid_body', /user_metadata is \d+ bytes as JSON; the limit is 16384 \(16 KB\)/);
      assert.equal(r.body.field, 'user_metadata');
      // Each PATCH is small; the merged result is what is bounded.
      r = await tenant.api('PATCH', `/users/${encodeURIComponent(existing.user_id)}`, { app_metadata: { big: 'y'.repeat(16 * 1024 - 5) } });
      assertMgmtError(r, 400, 'invalid_body', /app_metadata is \d+ bytes as JSON; the limit is 16384/);
      r = await create({ app_metadata: { 'roles.admin': true } });
      assertMgmtError(r, 400, 'invalid_body', /field names may not contain "\." or "\$": "roles.admin" does/);
    });
  });

  test('list queries: unknown search fields, other search engines, unknown parameters, per_page over 100', async () => {
    const cases: [string, string, RegExp][] = [
      ['/users?q=phone_number%3A1', 'q', /searching by "phone_number" is not supported/],
      ['/users?q=email%3Aa%20OR%20email%3Ab', 'q', /OR is not supported/],
      ['/users?search_engine=v2', 'search_engine', /search_engine "v2" is not supported/],
      ['/users?per_page=101', 'per_page', /from 1 to 100/],
      ['/users?sort=name%3A1', 'sort', /sort must be one of: created_at:1, created_at:-1, email:1, email:-1/],
      ['/users?primary_order=true', 'primary_order', /Unknown query parameter primary_order/],
      ['/users?q=email%3A%00', 'q', /NUL/],
      ['/users-by-email', 'email', /email is required/],
      ['/users-by-email?email=a&foo=1', 'foo', /Unknown query parameter foo/],
    ];
    for (const [path, field, message] of cases) {
      const r = await tenant.api('GET', path);
      assertMgmtError(r, 400, 'invalid_query_string', message);
      assert.equal(r.body.field, field, path);
    }
  });

  test('a user of another tenant is a 404 there, for every route', async () => {
    const mine = await ok(create({ email: 'isolated@example.com' }), 201);
    await unchanged(async () => {
      const id = encodeURIComponent(mine.user_id);
      for (const [method, body] of [['GET', undefined], ['PATCH', { name: 'x' }], ['PATCH', { connection: CONNECTION, password: 'a-fine-new-password' }], ['DELETE', undefined]] as const) {
        const r = await other.api(method, `/users/${id}`, body);
        assertMgmtError(r, 404, 'inexistent_user', 'The user does not exist.');
      }
      assert.deepEqual(await ok(other.api('GET', `/users?q=${encodeURIComponent(`user_id:"${mine.user_id}"`)}`)), []);
      assert.deepEqual(await ok(other.api('GET', `/users?q=${encodeURIComponent('email:isolated*')}`)), []);
      assert.deepEqual(await ok(other.api('GET', '/users-by-email?email=isolated%40example.com')), []);
    });
  });

  test('a token without the users scopes is 403, naming the scope', async () => {
    const reader = await secretApp(tenant, 'non_interactive', 'reader');
    await grant(tenant, reader.clientId, tenant.management.audience, ['read:clients']);
    const t = await h.token(tenant, { grant_type: 'client_credentials', client_id: reader.clientId, client_secret: reader.secret!, audience: tenant.management.audience });
    assert.equal(t.status, 200, JSON.stringify(t.body));
    const token = t.body.access_token as string;
    const id = encodeURIComponent(existing.user_id);
    await unchanged(async () => {
      const cases: [string, string, unknown, string][] = [
        ['GET', '/users', undefined, 'read:users'],
        ['GET', `/users/${id}`, undefined, 'read:users'],
        ['GET', '/users-by-email?email=taken%40example.com', undefined, 'read:users'],
        ['POST', '/users', { connection: CONNECTION, email: 'x@example.com', password: PASSWORD }, 'create:users'],
        ['PATCH', `/users/${id}`, { blocked: true }, 'update:users'],
        ['DELETE', `/users/${id}`, undefined, 'delete:users'],
      ];
      for (const [method, path, body, scope] of cases) {
        const r = await rawApi(h.fetch, tenant, method, path, { token, body });
        assertMgmtError(r, 403, 'insufficient_scope', `Insufficient scope; expected any of: ${scope}.`);
      }
    });
  });

  test('tenants made before the users scopes get them at start-up, on their Management API and full-access grant', async () => {
    const older = await h.createTenant();
    const id = await tenantId(h, older);
    const store = h.services.store;
    const isUsers = (s: string) => s.endsWith(':users');
    const api = (await store.resourceServers.system(id))!;
    await store.resourceServers.update(id, api.id, { scopes: api.scopes.filter((s) => !isUsers(s.value)) });
    const full = (await store.clientGrants.list(id, { audience: api.identifier }))[0]!;
    await store.clientGrants.update(id, full.id, { scope: full.scope.filter((s) => !isUsers(s)) });
    await store.tenants.touch(id);
    const { addNewManagementScopes } = await import('../../src/services/management-scopes-upkeep.ts');
    assert.deepEqual(await addNewManagementScopes(store), { tenants: 1, grants: 1 });
    const want = ['read:users', 'create:users', 'update:users', 'delete:users'];
    assert.deepEqual((await store.resourceServers.system(id))!.scopes.map((s) => s.value).filter(isUsers), want);
    assert.deepEqual((await store.clientGrants.get(id, full.id))!.scope.filter(isUsers), want);
  });

  test('passwords appear in no log event and in no database file; operations are logged', async () => {
    const secret = 'violet-harbour-7730';
    const changed = 'saffron-meadow-2284';
    const u = await ok(create({ email: 'logged@example.com', password: secret }), 201);
    await ok(tenant.api('PATCH', `/users/${encodeURIComponent(u.user_id)}`, { connection: CONNECTION, password: changed }));
    // Refused attempts carry the password too.
    await tenant.api('POST', '/users', { connection: CONNECTION, email: 'logged@example.com', password: secret });
    await tenant.api('POST', '/users', { connection: 'nope', email: 'z@example.com', password: secret });
    await h.services.store.logs.flush();
    const events = await h.services.store.db.all<Record<string, unknown>>(`SELECT * FROM log_events WHERE tenant_id = ?`, [tid]);
    const sapi = events.filter((e) => e.type === 'sapi' && typeof e.details === 'string' && (e.details as string).includes(u.user_id));
    assert.deepEqual(sapi.map((e) => e.description).sort(), ['Create a User', 'Update a User']);
    const text = JSON.stringify(events);
    for (const p of [secret, changed]) assert.ok(!text.includes(p), 'a password is in a log event');
    for (const f of readDataFiles(h.dataDir)) for (const p of [secret, changed]) assert.equal(f.text.indexOf(p), -1, `a password is in ${f.name}`);
  });
});
