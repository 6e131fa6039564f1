/**
 * The rules behind Auth0's object fields that a field-by-field round trip cannot show: limits
 * (client_metadata, signing secrets, lifetimes), refusals that depend on another field or on the
 * object (jwt_configuration.alg, the Management API, immutable fields), unknown fields named,
 * the HS256 signing secret sealed at rest, client grants read by id and patched without scope,
 * and the tenant's default_audience used by the token endpoint.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { createApi, createM2MApp, signedForm } from '../support/fixtures.ts';
import { assertMgmtError } from '../support/refusal-helpers.ts';

let h: Harness;
let tenant: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
});
after(() => h.close());

const newClient = async (body: Record<string, unknown> = {}) => tenant.api('POST', '/clients', { name: 'Fields', ...body });

describe('client_metadata (Auth0: 10 string properties, names and values of at most 255 characters)', () => {
  test('the largest metadata Auth0 allows is stored and returned as sent', async () => {
    const meta = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`${i}${'k'.repeat(254)}`, 'v'.repeat(255)]));
    meta['a-b:c, d+e=f_g*h?"i/j\\k(l)m<n>o@p\tq r'] = 'special characters in the name';
    delete meta[Object.keys(meta)[0]!];
    const r = await newClient({ client_metadata: meta });
    assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
    assert.deepEqual((await tenant.api('GET', `/clients/${r.body.client_id}`)).body.client_metadata, meta);
  });

  test('an eleventh property, a long name or value, a non-string value or a name with other characters is refused by name', async () => {
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`key${i}`, 'v']));
    const cases: [Record<string, unknown>, RegExp][] = [
      [eleven, /11 properties; at most 10/],
      [{ ['k'.repeat(256)]: 'v' }, /property names are 1 to 255 characters/],
      [{ k: 'v'.repeat(256) }, /at most 255 characters/],
      [{ k: 42 }, /must be a string/],
      [{ 'hash#tag': 'v' }, /property names/],
      [{ '': 'v' }, /property names/],
    ];
    for (const [meta, message] of cases) {
      const r = await newClient({ client_metadata: meta });
      assertMgmtError(r, 400, 'invalid_field', message);
      assert.equal(r.body.field, 'client_metadata');
    }
    const c = await newClient({ client_metadata: { team: 'a' } });
    assertMgmtError(await tenant.api('PATCH', `/clients/${c.body.client_id}`, { client_metadata: eleven }), 400, 'invalid_field', /at most 10/);
    assert.deepEqual((await tenant.api('GET', `/clients/${c.body.client_id}`)).body.client_metadata, { team: 'a' });
  });
});

describe('clients', () => {
  test('jwt_configuration.alg other than RS256 is refused by name; its other properties are kept, and checked', async () => {
    assertMgmtError(await newClient({ jwt_configuration: { alg: 'HS256' } }), 400, 'invalid_jwt_alg', /jwt_configuration\.alg is not supported/);
    assertMgmtError(await newClient({ jwt_configuration: { alg: 'RS256', colour: 'blue' } }), 400, 'invalid_field', /jwt_configuration\.colour is not a known property/);
    assertMgmtError(await newClient({ jwt_configuration: { lifetime_in_seconds: -1 } }), 400, 'invalid_field', /jwt_configuration\.lifetime_in_seconds/);
    const c = await newClient({ jwt_configuration: { lifetime_in_seconds: 600 } });
    assert.deepEqual(c.body.jwt_configuration, { lifetime_in_seconds: 600, alg: 'RS256' });
    const p = await tenant.api('PATCH', `/clients/${c.body.client_id}`, { description: 'unrelated' });
    assert.deepEqual(p.body.jwt_configuration, { lifetime_in_seconds: 600, alg: 'RS256' });
  });

  test('a stored field is replaced as a whole, and null removes it', async () => {
    const c = await newClient({ mobile: { ios: { team_id: 'T1' } }, logo_uri: 'https://app.example.com/a.png' });
    const id = c.body.client_id;
    const p = await tenant.api('PATCH', `/clients/${id}`, { mobile: { android: { app_package_name: 'com.example' } }, logo_uri: null });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const got = (await tenant.api('GET', `/clients/${id}`)).body;
    assert.deepEqual(got.mobile, { android: { app_package_name: 'com.example' } });
    assert.equal('logo_uri' in got, false);
  });

  test('malformed descriptive values are refused by name and change nothing', async () => {
    const c = await newClient({ web_origins: ['https://a.example.com'] });
    const id = c.body.client_id;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ web_origins: ['javascript:alert(1)'] }, 'web_origins', /web_origins\[0\] must be an http or https URL/],
      [{ initiate_login_uri: 'http://app.example.com/login' }, 'initiate_login_uri', /must be an https URL/],
      [{ organization_usage: 'sometimes' }, 'organization_usage', /must be one of deny, allow, require/],
      [{ refresh_token: { rotation_type: 'rotating' } }, 'refresh_token', /refresh_token\.expiration_type is required/],
      [{ oidc_conformant: 'yes' }, 'oidc_conformant', /must be a boolean/],
      [{ allowed_logout_urls: Array.from({ length: 101 }, (_, i) => `https://a.example.com/${i}`) }, 'allowed_logout_urls', /at most 100 items/],
    ];
    for (const [body, field, message] of cases) {
      const r = await tenant.api('PATCH', `/clients/${id}`, body);
      assertMgmtError(r, 400, 'invalid_field', message);
      assert.equal(r.body.field, field);
    }
    assert.deepEqual((await tenant.api('GET', `/clients/${id}`)).body.web_origins, ['https://a.example.com']);
  });

  test('property names that mean something to JavaScript objects are only names', async () => {
    const raw = (json: string) => JSON.parse(json);
    // __proto__ never gets past the JSON parser; other Object.prototype names are plain names.
    assertMgmtError(await newClient(raw('{"jwt_configuration": {"__proto__": {"alg": "HS256"}}}')), 400, 'invalid_json');
    assertMgmtError(await newClient(raw('{"jwt_configuration": {"constructor": {}}}')), 400, 'invalid_field', /jwt_configuration\.constructor is not a known property/);
    assertMgmtError(await newClient(raw('{"mobile": {"hasOwnProperty": {}}}')), 400, 'invalid_field', /mobile\.hasOwnProperty is not a known property/);
    assertMgmtError(await newClient(raw('{"client_metadata": {"toString": {"a": "b"}}}')), 400, 'invalid_field', /must be a string/);
    const ok = await newClient(raw('{"client_metadata": {"constructor": "x", "toString": "y"}}'));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual((await tenant.api('GET', `/clients/${ok.body.client_id}`)).body.client_metadata, { constructor: 'x', toString: 'y' });
  });

  test('a refused field says it is not supported and why, and nothing is created', async () => {
    const before = (await tenant.api('GET', '/clients')).body.length;
    const r = await newClient({ require_proof_of_possession: true });
    assertMgmtError(r, 400, 'unsupported_field', /^require_proof_of_possession is not supported by Signet: .*bearer tokens only/);
    assert.equal(r.body.field, 'require_proof_of_possession');
    assert.equal((await tenant.api('GET', '/clients')).body.length, before);
  });
});

describe('unknown and read-only fields are refused with their name', () => {
  test('on every object', async () => {
    const c = await newClient();
    const api = await createApi(tenant);
    const rs = (await tenant.api('GET', `/resource-servers/${encodeURIComponent(api)}`)).body;
    const g = await tenant.api('POST', '/client-grants', { client_id: c.body.client_id, audience: api, scope: [] });
    assert.equal(g.status, 201, JSON.stringify(g.body));
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['POST', '/clients', { name: 'x', colour: 'blue' }, 'colour'],
      ['PATCH', `/clients/${c.body.client_id}`, { client_id: 'another' }, 'client_id'],
      ['POST', '/resource-servers', { identifier: 'https://new.example.com/', is_system: true }, 'is_system'],
      ['PATCH', `/resource-servers/${rs.id}`, { identifier: 'https://renamed.example.com/' }, 'identifier'],
      ['POST', '/client-grants', { client_id: c.body.client_id, audience: api, is_system: true }, 'is_system'],
      ['PATCH', `/client-grants/${g.body.id}`, { audience: 'https://other.example.com/' }, 'audience'],
      ['PATCH', `/client-grants/${g.body.id}`, { client_id: 'another' }, 'client_id'],
      ['PATCH', '/tenants/settings', { enabled_locales: ['en'], colour: 'blue' }, 'colour'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await tenant.api(method, path, body);
      assertMgmtError(r, 400, 'invalid_body', `Payload validation error: 'Additional properties not allowed: ${field}'.`);
      assert.equal(r.body.field, field);
    }
    assert.equal((await tenant.api('GET', `/tenants/settings`)).body.enabled_locales, undefined);
  });
});

describe('resource servers: signing_alg and signing_secret', () => {
  const sealedSecret = async (id: string) =>
    (await h.services.store.db.get<{ s: string | null }>(`SELECT signing_secret_enc AS s FROM resource_servers WHERE id = ?`, [id]))!.s;

  test('HS256 without a secret gets a generated one, returned as Auth0 does and sealed at rest', async () => {
    const r = await tenant.api('POST', '/resource-servers', { identifier: 'https://hs.example.com/', signing_alg: 'HS256' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.signing_alg, 'HS256');
    assert.equal(typeof r.body.signing_secret, 'string');
    assert.ok(r.body.signing_secret.length >= 16);
    assert.equal((await tenant.api('GET', `/resource-servers/${r.body.id}`)).body.signing_secret, r.body.signing_secret);
    const sealed = await sealedSecret(r.body.id);
    assert.match(sealed!, /^v1\./);
    assert.ok(!sealed!.includes(r.body.signing_secret));
    // An RS256 API has no secret until one is set.
    const rs = await tenant.api('POST', '/resource-servers', { identifier: 'https://rs.example.com/' });
    assert.equal('signing_secret' in rs.body, false);
    assert.equal(await sealedSecret(rs.body.id), null);
  });

  test('signing_alg changes by PATCH; HS256 then gets a secret, kept when the algorithm changes again', async () => {
    const r = await tenant.api('POST', '/resource-servers', { identifier: 'https://switch.example.com/' });
    const id = r.body.id;
    const hs = await tenant.api('PATCH', `/resource-servers/${id}`, { signing_alg: 'HS256' });
    assert.equal(hs.body.signing_alg, 'HS256');
    assert.ok(hs.body.signing_secret.length >= 16);
    const ps = await tenant.api('PATCH', `/resource-servers/${id}`, { signing_alg: 'PS256' });
    assert.equal(ps.body.signing_alg, 'PS256');
    assert.equal(ps.body.signing_secret, hs.body.signing_secret);
    const set = await tenant.api('PATCH', `/resource-servers/${id}`, { signing_secret: 'exactly-16-chars' });
    assert.equal(set.body.signing_secret, 'exactly-16-chars');
  });

  test("an unknown algorithm, a secret shorter than Auth0's 16 characters, or changing the Management API's is refused by name", async () => {
    const before = (await tenant.api('GET', '/resource-servers')).body.length;
    assertMgmtError(await tenant.api('POST', '/resource-servers', { identifier: 'https://es.example.com/', signing_alg: 'ES512' }), 400, 'invalid_signing_alg', /signing_alg must be one of RS256, RS512, PS256, ES256, EdDSA, HS256/);
    assertMgmtError(
      await tenant.api('POST', '/resource-servers', { identifier: 'https://short.example.com/', signing_alg: 'HS256', signing_secret: '15-characters!!' }),
      400,
      'invalid_signing_secret',
      /signing_secret must be 16 to 512 characters/,
    );
    assert.equal((await tenant.api('GET', '/resource-servers')).body.length, before);
    const sys = (await tenant.api('GET', '/resource-servers')).body.find((x: any) => x.is_system);
    assertMgmtError(await tenant.api('PATCH', `/resource-servers/${sys.id}`, { signing_alg: 'HS256' }), 403, 'system_resource_server', /signing_alg cannot be changed/);
    assert.equal(await sealedSecret(sys.id), null);
  });

  test('token_lifetime_for_web is stored, and never longer than token_lifetime', async () => {
    const r = await tenant.api('POST', '/resource-servers', { identifier: 'https://web.example.com/', token_lifetime: 3600, token_lifetime_for_web: 1800 });
    assert.equal(r.body.token_lifetime_for_web, 1800);
    assertMgmtError(await tenant.api('PATCH', `/resource-servers/${r.body.id}`, { token_lifetime_for_web: 7200 }), 400, 'invalid_field', /token_lifetime_for_web \(7200\) cannot be greater than token_lifetime \(3600\)/);
    assertMgmtError(await tenant.api('PATCH', `/resource-servers/${r.body.id}`, { token_lifetime: 900 }), 400, 'invalid_field', /cannot be greater than token_lifetime \(900\)/);
    assert.equal((await tenant.api('GET', `/resource-servers/${r.body.id}`)).body.token_lifetime, 3600);
  });
});

describe('client grants', () => {
  test('GET /client-grants/{id} returns the grant; an unknown id or another tenant’s grant is a 404', async () => {
    const app = await createM2MApp(tenant, { scopes: ['read:things'] });
    const grant = (await tenant.api('GET', `/client-grants?client_id=${app.clientId}`)).body;
    const id = (Array.isArray(grant) ? grant : grant.client_grants)[0].id;
    const r = await tenant.api('GET', `/client-grants/${id}`);
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { id, client_id: app.clientId, audience: app.audience, scope: ['read:things'], is_system: false });
    assert.deepEqual((await tenant.api('GET', `/client-grants/${id}?fields=scope,audience`)).body, { audience: app.audience, scope: ['read:things'] });
    assertMgmtError(await tenant.api('GET', `/client-grants/${id}?per_page=5`), 400, 'invalid_query_string', /per_page/);
    assertMgmtError(await tenant.api('GET', '/client-grants/cgr_doesnotexist'), 404, 'client_grant_not_found');
    const other = await h.createTenant();
    assertMgmtError(await other.api('GET', `/client-grants/${id}`), 404, 'client_grant_not_found');
    assertMgmtError(await other.api('PATCH', `/client-grants/${id}`, { allow_any_organization: true }), 404, 'client_grant_not_found');
  });

  test('PATCH without scope changes only what it names; the grant keeps working', async () => {
    const app = await createM2MApp(tenant, { scopes: ['read:things', 'write:things'] });
    const list = (await tenant.api('GET', `/client-grants?client_id=${app.clientId}`)).body;
    const id = (Array.isArray(list) ? list : list.client_grants)[0].id;
    const p = await tenant.api('PATCH', `/client-grants/${id}`, { allow_any_organization: true });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    assert.deepEqual(p.body.scope, ['read:things', 'write:things']);
    assert.equal(p.body.allow_any_organization, true);
    const s = await tenant.api('PATCH', `/client-grants/${id}`, { scope: ['read:things'] });
    assert.deepEqual(s.body.scope, ['read:things']);
    assert.equal(s.body.allow_any_organization, true);
    const t = await h.token(tenant, signedForm(tenant, app));
    assert.equal(t.status, 200, JSON.stringify(t.body));
    assert.equal(decodeJwt(t.body.access_token).scope, 'read:things');
  });
});

describe('tenant settings', () => {
  test('GET returns the settings sent; friendly_name is the tenant name until one is set', async () => {
    const t = await h.createTenant();
    assert.equal((await t.api('GET', '/tenants/settings')).body.friendly_name, t.tenant);
    const p = await t.api('PATCH', '/tenants/settings', { friendly_name: 'Acme', support_email: 'help@acme.example.com', clock_skew: 20 });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    const got = (await t.api('GET', '/tenants/settings')).body;
    assert.equal(got.friendly_name, 'Acme');
    assert.equal(got.support_email, 'help@acme.example.com');
    assert.equal(got.clock_skew, 20);
    assert.equal(got.audience_policy, 'strict');
  });

  test('a session lifetime in hours and in minutes cannot be sent together; either replaces the other', async () => {
    const t = await h.createTenant();
    assertMgmtError(await t.api('PATCH', '/tenants/settings', { session_lifetime: 10, session_lifetime_in_minutes: 30 }), 400, 'invalid_field', /session_lifetime_in_minutes cannot be specified together with session_lifetime/);
    await t.api('PATCH', '/tenants/settings', { session_lifetime: 10 });
    const m = await t.api('PATCH', '/tenants/settings', { session_lifetime_in_minutes: 30 });
    assert.equal(m.body.session_lifetime_in_minutes, 30);
    assert.equal('session_lifetime' in m.body, false);
    assertMgmtError(await t.api('PATCH', '/tenants/settings', { idle_session_lifetime: 2401 }), 400, 'invalid_field', /idle_session_lifetime must be a number/);
    assertMgmtError(await t.api('PATCH', '/tenants/settings', { support_email: 'not an email' }), 400, 'invalid_field', /support_email must be an email address/);
    const refused = await t.api('PATCH', '/tenants/settings', { flags: { enable_client_connections: false }, friendly_name: 'Not applied' });
    assertMgmtError(refused, 400, 'unsupported_field', /^flags is not supported by Signet/);
    assert.equal((await t.api('GET', '/tenants/settings')).body.friendly_name, t.tenant);
  });

  test('default_audience is the audience of a client-credentials request that names none, as on Auth0', async () => {
    const t = await h.createTenant();
    const app = await createM2MApp(t, { scopes: ['read:things'] });
    const { audience: _a, ...withoutAudience } = signedForm(t, app);
    const refused = await h.token(t, withoutAudience);
    assert.equal(refused.status, 400);
    assert.match(refused.body.error_description, /audience is required/);
    await t.api('PATCH', '/tenants/settings', { default_audience: app.audience });
    const { audience: _b, ...again } = signedForm(t, app);
    const r = await h.token(t, again);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(decodeJwt(r.body.access_token).aud, app.audience);
  });
});
