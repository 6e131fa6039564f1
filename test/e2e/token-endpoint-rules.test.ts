/**
 * The token endpoint's own rules, each pinned from both sides: the request that breaks the rule
 * is refused with its specific error (and issues nothing), and the same request with only that
 * one thing corrected succeeds. A check that is removed, or that refuses everything, fails here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertOAuthError, logsOfType } from '../support/refusal-helpers.ts';
import { createApi, createM2MApp, grantAccess, signedForm } from '../support/fixtures.ts';

let h: Harness;
let tenant: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
});
after(() => h.close());

const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** A Machine-to-Machine app with a client secret (client_secret_post unless another method is set), granted `scopes` on a new API. */
async function secretApp(method?: 'client_secret_post' | 'client_secret_basic', scopes = ['read:things', 'write:things']) {
  const audience = await createApi(tenant, undefined, scopes);
  const r = await tenant.api('POST', '/clients', { name: 'secret app', app_type: 'non_interactive', ...(method && { token_endpoint_auth_method: method }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const clientId: string = r.body.client_id;
  const secret: string = r.body.client_secret;
  assert.equal(r.body.token_endpoint_auth_method, method ?? 'client_secret_post');
  await grantAccess(tenant, clientId, audience, scopes);
  return { clientId, secret, audience };
}

const postForm = (app: { clientId: string; secret: string; audience: string }, extra: Record<string, string> = {}) => ({
  grant_type: 'client_credentials',
  client_id: app.clientId,
  client_secret: app.secret,
  audience: app.audience,
  ...extra,
});

async function lastFailureReason(clientId: string): Promise<string | undefined> {
  const events = (await logsOfType(tenant, 'feccft')).filter((e) => e.client_id === clientId);
  return events[0]?.details?.reason;
}

test('client_secret_post: a wrong secret is refused as invalid_client; the right one gets a token', async () => {
  const app = await secretApp();
  const wrong = await h.token(tenant, postForm(app, { client_secret: `${app.secret.slice(0, -1)}${app.secret.endsWith('A') ? 'B' : 'A'}` }));
  assertOAuthError(wrong, 401, 'invalid_client', /secret is incorrect/);
  assert.equal(wrong.body.access_token, undefined);
  assert.equal(await lastFailureReason(app.clientId), 'invalid_secret');
  const empty = await h.token(tenant, postForm(app, { client_secret: '' }));
  assert.equal(empty.status, 401, JSON.stringify(empty.body));
  const right = await h.token(tenant, postForm(app));
  assert.equal(right.status, 200, JSON.stringify(right.body));
});

test('client_secret_basic: a wrong secret in the Authorization header is refused, with a Basic challenge', async () => {
  const app = await secretApp('client_secret_basic');
  const form = { grant_type: 'client_credentials', audience: app.audience };
  const wrong = await h.token(tenant, form, { authorization: basic(app.clientId, `${app.secret}x`) });
  assertOAuthError(wrong, 401, 'invalid_client', /secret is incorrect/);
  assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic /);
  const right = await h.token(tenant, form, { authorization: basic(app.clientId, app.secret) });
  assert.equal(right.status, 200, JSON.stringify(right.body));
});

test("a client authenticating with a method other than its registered one is refused (method_mismatch), both ways", async () => {
  const post = await secretApp('client_secret_post');
  const viaBasic = await h.token(tenant, { grant_type: 'client_credentials', audience: post.audience }, { authorization: basic(post.clientId, post.secret) });
  // The caller learns which method was refused, not which one the client is registered for.
  assertOAuthError(viaBasic, 401, 'invalid_client', /does not accept client_secret_basic/);
  assert.doesNotMatch(viaBasic.body.error_description, /client_secret_post/);
  assert.equal(await lastFailureReason(post.clientId), 'method_mismatch');

  const viaBasicApp = await secretApp('client_secret_basic');
  const viaPost = await h.token(tenant, postForm(viaBasicApp));
  assertOAuthError(viaPost, 401, 'invalid_client', /does not accept client_secret_post/);
  assert.doesNotMatch(viaPost.body.error_description, /client_secret_basic/);
  assert.equal(await lastFailureReason(viaBasicApp.clientId), 'method_mismatch');
});

test('a Private Key JWT client cannot fall back to its client secret', async () => {
  const app = await createM2MApp(tenant);
  const stored = (await h.services.store.clients.get((await h.services.store.tenants.getByName(tenant.tenant))!.id, app.clientId))!;
  const secret = h.services.box.open(stored.clientSecretEnc, `client_secret:${app.clientId}`);
  const r = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret, audience: app.audience });
  assertOAuthError(r, 401, 'invalid_client', /does not accept client_secret_post/);
  assert.equal(await lastFailureReason(app.clientId), 'secret_not_accepted');
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
});

test('an audience without a client grant is refused (403 access_denied), although the API exists and the client authenticated', async () => {
  const app = await createM2MApp(tenant);
  const other = await createApi(tenant);
  const r = await h.token(tenant, { ...signedForm(tenant, app), audience: other });
  assertOAuthError(r, 403, 'access_denied', /not authorized to access/);
  assert.equal(r.body.access_token, undefined);
  // Granting it is the only change needed.
  await grantAccess(tenant, app.clientId, other, ['read:things']);
  const ok = await h.token(tenant, { ...signedForm(tenant, app), audience: other });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(decodeJwt(ok.body.access_token).aud, other);
});

test("a client whose grant_types lack client_credentials is refused (unauthorized_client); adding it back allows the request", async () => {
  const app = await createM2MApp(tenant);
  const patch = await tenant.api('PATCH', `/clients/${app.clientId}`, { grant_types: ['authorization_code'] });
  assert.equal(patch.status, 200, JSON.stringify(patch.body));
  const r = await h.token(tenant, signedForm(tenant, app));
  assertOAuthError(r, 400, 'unauthorized_client', /client_credentials grant/);
  assert.equal(r.body.access_token, undefined);
  assert.equal((await tenant.api('PATCH', `/clients/${app.clientId}`, { grant_types: ['client_credentials'] })).status, 200);
  assert.equal((await h.token(tenant, signedForm(tenant, app))).status, 200);
});

test('grant_types may hold only grants Signet implements: implicit or password is refused by name and changes nothing; new apps default to honoured grants', async () => {
  const app = await createM2MApp(tenant);
  for (const bad of [['implicit'], ['client_credentials', 'password'], ['client_credentials', 'client_credentials']]) {
    const r = await tenant.api('PATCH', `/clients/${app.clientId}`, { grant_types: bad });
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.body.message, bad.includes('implicit') ? /"implicit" is not supported/ : bad.includes('password') ? /"password" is not supported/ : /more than once/);
  }
  assert.deepEqual((await tenant.api('GET', `/clients/${app.clientId}`)).body.grant_types, ['client_credentials']);
  const created = await tenant.api('POST', '/clients', { name: 'web', app_type: 'regular_web', grant_types: ['authorization_code', 'implicit'] });
  assert.equal(created.status, 400);
  const web = await tenant.api('POST', '/clients', { name: 'web', app_type: 'regular_web' });
  assert.deepEqual(web.body.grant_types, ['authorization_code', 'refresh_token', 'client_credentials']);
  const spa = await tenant.api('POST', '/clients', { name: 'spa', app_type: 'spa' });
  assert.deepEqual(spa.body.grant_types, ['authorization_code', 'refresh_token']);
});

test('the requested scope is what the token carries: a subset narrows it, an ungranted scope is refused, none means all granted', async () => {
  const app = await secretApp(undefined, ['read:things', 'write:things', 'delete:things']);
  // Grant only two of the API's three scopes.
  const grants = await tenant.api('GET', `/client-grants?client_id=${app.clientId}`);
  const grantId = (Array.isArray(grants.body) ? grants.body : grants.body.client_grants)[0].id;
  assert.equal((await tenant.api('PATCH', `/client-grants/${grantId}`, { scope: ['read:things', 'write:things'] })).status, 200);

  const narrow = await h.token(tenant, postForm(app, { scope: 'read:things' }));
  assert.equal(narrow.status, 200, JSON.stringify(narrow.body));
  assert.equal(narrow.body.scope, 'read:things');
  assert.equal(decodeJwt(narrow.body.access_token).scope, 'read:things');

  const all = await h.token(tenant, postForm(app));
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.deepEqual(String(decodeJwt(all.body.access_token).scope).split(' ').sort(), ['read:things', 'write:things']);

  const ungranted = await h.token(tenant, postForm(app, { scope: 'read:things delete:things' }));
  assertOAuthError(ungranted, 400, 'invalid_scope', /delete:things/);
  assert.equal(ungranted.body.access_token, undefined);
  const unknown = await h.token(tenant, postForm(app, { scope: 'admin:everything' }));
  assertOAuthError(unknown, 400, 'invalid_scope', /admin:everything/);
});

test('only the registry\'s grants are accepted (exact names); others are unsupported_grant_type and issue nothing', async () => {
  const app = await secretApp();
  for (const grantType of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'client_credentials ', 'CLIENT_CREDENTIALS', 'authorization-code']) {
    const r = await h.token(tenant, postForm(app, { grant_type: grantType, username: 'u', password: 'p', code: 'c', refresh_token: 'r' }));
    assertOAuthError(r, 400, 'unsupported_grant_type', /use authorization_code, refresh_token, client_credentials/);
    assert.equal(r.body.access_token, undefined, grantType);
  }
  const missing = await h.token(tenant, { client_id: app.clientId, client_secret: app.secret, audience: app.audience });
  assertOAuthError(missing, 400, 'invalid_request', /grant_type is required/);
  assert.equal((await h.token(tenant, postForm(app))).status, 200);
});

test('a public application (SPA) has no secret to authenticate with', async () => {
  const r = await tenant.api('POST', '/clients', { name: 'spa', app_type: 'spa' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const audience = await createApi(tenant);
  const t = await h.token(tenant, { grant_type: 'client_credentials', client_id: r.body.client_id, client_secret: r.body.client_secret ?? 'anything', audience });
  assertOAuthError(t, 401, 'invalid_client', /does not accept client_secret_post/);
  assert.equal(await lastFailureReason(r.body.client_id), 'public_client');
});

test('an unknown client_id is invalid_client, never a token, whatever the method', async () => {
  const audience = await createApi(tenant);
  const r = await h.token(tenant, { grant_type: 'client_credentials', client_id: 'no-such-client', client_secret: 's', audience });
  assertOAuthError(r, 401, 'invalid_client', /Unknown client/);
});
