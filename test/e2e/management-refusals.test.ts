/**
 * Management API refusals that no other spec names: APIs, client grants, client authentication
 * settings, logs and paging. Each refusal is asserted with its errorCode, and where a refusal
 * guards state, the state is shown unchanged and the corrected request shown to succeed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertMgmtError, assertOAuthError, newRsa, spki } from '../support/refusal-helpers.ts';

let h: Harness;
let tenant: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
});
after(() => h.close());

let n = 0;
const identifier = () => `https://refusals-${++n}.example/`;

async function api(scopes: string[] = ['read:things']) {
  const id = identifier();
  const r = await tenant.api('POST', '/resource-servers', { identifier: id, scopes: scopes.map((value) => ({ value })) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id as string, identifier: id };
}

async function m2m(extra: Record<string, unknown> = {}) {
  const r = await tenant.api('POST', '/clients', { name: 'm2m', app_type: 'non_interactive', ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body as { client_id: string; client_secret: string };
}

const systemApi = async () => {
  const list = await tenant.api('GET', '/resource-servers');
  const items = Array.isArray(list.body) ? list.body : list.body.resource_servers;
  return items.find((rs: { is_system?: boolean }) => rs.is_system) as { id: string; identifier: string };
};

test('APIs: a duplicate identifier is a 409, an unknown id a 404, duplicate scope values a 400', async () => {
  const a = await api();
  assertMgmtError(await tenant.api('POST', '/resource-servers', { identifier: a.identifier }), 409, 'resource_server_exists');
  assertMgmtError(await tenant.api('GET', '/resource-servers/rs_doesnotexist'), 404, 'resource_server_not_found');
  assertMgmtError(await tenant.api('PATCH', '/resource-servers/rs_doesnotexist', { name: 'x' }), 404, 'resource_server_not_found');
  assertMgmtError(await tenant.api('DELETE', '/resource-servers/rs_doesnotexist'), 404, 'resource_server_not_found');
  const dup = await tenant.api('POST', '/resource-servers', { identifier: identifier(), scopes: [{ value: 'read' }, { value: 'read' }] });
  assertMgmtError(dup, 400, 'duplicate_scope');
  assertMgmtError(await tenant.api('PATCH', `/resource-servers/${a.id}`, { scopes: [{ value: 'a' }, { value: 'a' }] }), 400, 'duplicate_scope');
  assert.deepEqual((await tenant.api('GET', `/resource-servers/${a.id}`)).body.scopes.map((s: { value: string }) => s.value), ['read:things']);
});

test("APIs: the tenant's Management API can be neither deleted nor have its scopes changed", async () => {
  const sys = await systemApi();
  assert.ok(sys, 'the tenant has a system API');
  assertMgmtError(await tenant.api('DELETE', `/resource-servers/${sys.id}`), 403, 'system_resource_server');
  assertMgmtError(await tenant.api('PATCH', `/resource-servers/${sys.id}`, { scopes: [{ value: 'everything' }] }), 403, 'system_resource_server');
  // Still there, still usable.
  assert.equal((await tenant.api('GET', `/resource-servers/${sys.id}`)).status, 200);
});

test('client grants: unknown audience 404, duplicate 409, unknown grant id 404 on PATCH and DELETE', async () => {
  const a = await api();
  const app = await m2m();
  assertMgmtError(await tenant.api('POST', '/client-grants', { client_id: app.client_id, audience: 'https://nothing-here.example/', scope: [] }), 404, 'resource_server_not_found');
  assertMgmtError(await tenant.api('POST', '/client-grants', { client_id: 'no-such-client', audience: a.identifier, scope: [] }), 404, 'client_not_found');
  const first = await tenant.api('POST', '/client-grants', { client_id: app.client_id, audience: a.identifier, scope: ['read:things'] });
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assertMgmtError(await tenant.api('POST', '/client-grants', { client_id: app.client_id, audience: a.identifier, scope: [] }), 409, 'client_grant_exists');
  assertMgmtError(await tenant.api('PATCH', '/client-grants/cgr_doesnotexist', { scope: [] }), 404, 'client_grant_not_found');
  assertMgmtError(await tenant.api('DELETE', '/client-grants/cgr_doesnotexist'), 404, 'client_grant_not_found');
  // The real grant is untouched by the refused calls and still issues tokens with its scope.
  const t = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.client_id, client_secret: app.client_secret, audience: a.identifier });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(t.body.scope, 'read:things');
});

test('a grant that names a scope its API does not define is refused', async () => {
  const a = await api(['read:things']);
  const app = await m2m();
  assertMgmtError(await tenant.api('POST', '/client-grants', { client_id: app.client_id, audience: a.identifier, scope: ['write:things'] }), 400, 'invalid_scope', /write:things/);
});

test('clients: token_endpoint_auth_method is checked against the list and the application type', async () => {
  assertMgmtError(await tenant.api('POST', '/clients', { name: 'x', app_type: 'non_interactive', token_endpoint_auth_method: 'private_key_jwt' }), 400, ['invalid_token_endpoint_auth_method', 'invalid_body']);
  assertMgmtError(await tenant.api('POST', '/clients', { name: 'spa', app_type: 'spa', token_endpoint_auth_method: 'client_secret_post' }), 400, 'public_client_secret');
  const app = await m2m();
  assertMgmtError(await tenant.api('PATCH', `/clients/${app.client_id}`, { token_endpoint_auth_method: 'client_secret_jwt' }), 400, ['invalid_token_endpoint_auth_method', 'invalid_body']);
  const spa = await tenant.api('POST', '/clients', { name: 'spa', app_type: 'spa' });
  assert.equal(spa.status, 201, JSON.stringify(spa.body));
  assertMgmtError(await tenant.api('PATCH', `/clients/${spa.body.client_id}`, { token_endpoint_auth_method: 'client_secret_basic' }), 400, 'public_client_secret');
  assert.equal((await tenant.api('GET', `/clients/${spa.body.client_id}`)).body.token_endpoint_auth_method, 'none');
});

test('clients: private_key_jwt and a token_endpoint_auth_method together are refused, on create and on update', async () => {
  const pem = spki(newRsa());
  const both = await tenant.api('POST', '/clients', {
    name: 'both',
    app_type: 'non_interactive',
    token_endpoint_auth_method: 'client_secret_post',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k', pem }] } },
  });
  assertMgmtError(both, 400, 'conflicting_auth_methods');
  const app = await m2m();
  const cred = await tenant.api('POST', `/clients/${app.client_id}/credentials`, { credential_type: 'public_key', name: 'k', pem });
  assert.equal(cred.status, 201, JSON.stringify(cred.body));
  const patch = await tenant.api('PATCH', `/clients/${app.client_id}`, {
    token_endpoint_auth_method: 'client_secret_basic',
    client_authentication_methods: { private_key_jwt: { credentials: [{ id: cred.body.id }] } },
  });
  assertMgmtError(patch, 400, 'conflicting_auth_methods');
  const empty = await tenant.api('PATCH', `/clients/${app.client_id}`, { client_authentication_methods: {} });
  assertMgmtError(empty, 400, ['invalid_client_authentication_methods', 'invalid_body']);
  // Unchanged: still a client-secret app whose secret works.
  const got = await tenant.api('GET', `/clients/${app.client_id}`);
  assert.equal(got.body.token_endpoint_auth_method, 'client_secret_post');
  assert.equal(got.body.client_authentication_methods ?? null, null);
});

test('clients: jwt_configuration.alg other than RS256 is refused', async () => {
  const r = await tenant.api('POST', '/clients', { name: 'hs', app_type: 'non_interactive', jwt_configuration: { alg: 'HS256' } });
  assertMgmtError(r, 400, ['invalid_jwt_alg', 'invalid_body']);
});

test('logs: an unsupported q is refused rather than ignored; an unknown log id is a 404; paging is bounded', async () => {
  assertMgmtError(await tenant.api('GET', `/logs?q=${encodeURIComponent('connection:"bob"')}`), 400, 'invalid_query_string', /"connection" is not searchable/);
  assertMgmtError(await tenant.api('GET', '/logs/90020260101000000000000000000000000000000000000000000000'), 404, 'log_not_found');
  assertMgmtError(await tenant.api('GET', '/clients?per_page=101'), 400, 'invalid_query_string', /per_page/);
  assertMgmtError(await tenant.api('GET', '/clients?per_page=0'), 400, 'invalid_query_string', /per_page/);
  const ok = await tenant.api('GET', '/clients?per_page=100&page=0');
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test('the token endpoint: no client authentication at all is invalid_client, named', async () => {
  const a = await api();
  const r = await h.token(tenant, { grant_type: 'client_credentials', audience: a.identifier });
  assertOAuthError(r, 401, 'invalid_client', /Client authentication is required/);
  const withId = await h.token(tenant, { grant_type: 'client_credentials', client_id: 'some-client', audience: a.identifier });
  assertOAuthError(withId, 401, 'invalid_client', /Client authentication is required/);
});

test('clients: a token_endpoint_auth_method alone cannot switch a Private Key JWT client back to a secret', async () => {
  const pem = spki(newRsa());
  const r = await tenant.api('POST', '/clients', {
    name: 'pkjwt',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k', pem }] } },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.client_id as string;
  const before = (await tenant.api('GET', `/clients/${id}`)).body;
  const patch = await tenant.api('PATCH', `/clients/${id}`, { token_endpoint_auth_method: 'client_secret_post' });
  assertMgmtError(patch, 400, 'private_key_jwt_active', /client_authentication_methods": null/);
  assert.deepEqual((await tenant.api('GET', `/clients/${id}`)).body, before);
  // The documented way works: both fields together.
  const sw = await tenant.api('PATCH', `/clients/${id}`, { client_authentication_methods: null, token_endpoint_auth_method: 'client_secret_post' });
  assert.equal(sw.status, 200, JSON.stringify(sw.body));
  assert.equal(sw.body.token_endpoint_auth_method, 'client_secret_post');
});

test('APIs: a scope value outside RFC 6749 scope-token characters is refused, on create and on update', async () => {
  assertMgmtError(await tenant.api('POST', '/resource-servers', { identifier: identifier(), scopes: [{ value: 'read things' }] }), 400, 'invalid_scope', /scope-token/);
  const a = await api();
  assertMgmtError(await tenant.api('PATCH', `/resource-servers/${a.id}`, { scopes: [{ value: 'say"hi' }] }), 400, 'invalid_scope', /scope-token/);
  assert.deepEqual((await tenant.api('GET', `/resource-servers/${a.id}`)).body.scopes.map((s: { value: string }) => s.value), ['read:things']);
});

test('clients: a blank name is refused on create and on update; deleting an unknown client is a 404', async () => {
  assertMgmtError(await tenant.api('POST', '/clients', { name: '   ', app_type: 'non_interactive' }), 400, 'invalid_name');
  const app = await m2m();
  assertMgmtError(await tenant.api('PATCH', `/clients/${app.client_id}`, { name: ' \t ' }), 400, 'invalid_name');
  assert.equal((await tenant.api('GET', `/clients/${app.client_id}`)).body.name, 'm2m');
  assertMgmtError(await tenant.api('DELETE', '/clients/no-such-client'), 404, 'client_not_found');
});
