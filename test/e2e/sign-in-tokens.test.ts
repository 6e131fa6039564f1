/**
 * The token side of signing users in: the authorization code and refresh token grants, ID
 * tokens, /userinfo and /oauth/revoke. Codes come from the real /authorize and hosted login page
 * (driven over HTTP without JavaScript); each refusal is pinned with the request that succeeds
 * once the one wrong thing is corrected, and with what it must not have changed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertOAuthError, logsOfType } from '../support/refusal-helpers.ts';
import { createApi, keyPairFor } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import {
  authorizeOverHttp,
  codeForm as codeFormAt,
  CookieJar,
  createOfflineApi,
  createSpa,
  createUser,
  createWebApp,
  pkcePair,
  refreshForm as refreshFormAt,
  verifyIdToken,
  type WebApp,
} from '../support/sign-in.ts';

// Assertions are signed at the server's time: some tests move it forward.
const codeForm = (t: TestTenant, a: WebApp, code: string, extra: Record<string, string> = {}) => codeFormAt(t, a, code, extra, h.clock.now());
const refreshForm = (t: TestTenant, a: WebApp, token: string, extra: Record<string, string> = {}) => refreshFormAt(t, a, token, extra, h.clock.now());

let h: Harness;
let tenant: TestTenant;
let app: WebApp;
let api: string;
let user: { userId: string; email: string; password: string };
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
  app = await createWebApp(tenant);
  api = await createOfflineApi(tenant);
  user = await createUser(tenant);
});
after(() => h.close());

/** Signs `user` in for `app` and returns the code and the PKCE verifier that goes with it. */
async function codeFor(opts: { scope?: string; audience?: string | null; nonce?: string; client?: WebApp; jar?: CookieJar; pkce?: boolean } = {}) {
  const { verifier, challenge } = pkcePair();
  const client = opts.client ?? app;
  const r = await authorizeOverHttp(
    h,
    tenant,
    {
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: client.callback,
      scope: opts.scope ?? 'openid profile email offline_access',
      state: 'st-1',
      ...(opts.nonce && { nonce: opts.nonce }),
      ...(opts.audience !== null && { audience: opts.audience ?? api }),
      ...(opts.pkce !== false && { code_challenge: challenge, code_challenge_method: 'S256' }),
    },
    user,
    opts.jar,
  );
  assert.ok(r.code, `no code: ${r.url}`);
  return { code: r.code!, verifier: opts.pkce === false ? undefined : verifier };
}

describe('authorization_code', () => {
  test('private_key_jwt exchange returns an ID token (verified against the JWKS), an access token for the API and /userinfo, and a refresh token', async () => {
    const { code, verifier } = await codeFor({ nonce: 'n-0S6_WzA2Mj' });
    const r = await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.token_type, 'Bearer');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    const id = await verifyIdToken(h, tenant, r.body.id_token, app.clientId);
    assert.equal(id.sub, user.userId);
    assert.equal(id.nonce, 'n-0S6_WzA2Mj');
    assert.equal(id.email, user.email);
    assert.equal(id.email_verified, true);
    assert.equal(id.name, 'Test User');
    assert.equal(typeof id.auth_time, 'number');
    assert.equal(typeof id.sid, 'string');
    assert.ok(tenant.issuer.endsWith('/'));
    const at = decodeJwt(r.body.access_token);
    assert.deepEqual(at.aud, [api, `${tenant.issuer}userinfo`]);
    assert.equal(at.sub, user.userId);
    assert.equal(at.azp, app.clientId);
    assert.equal(at.gty, undefined);
    assert.equal(typeof r.body.refresh_token, 'string');
    const ok = await logsOfType(tenant, 'seacft');
    assert.ok(ok.some((e) => e.user_id === user.userId && e.details.auth_method === 'private_key_jwt'));
  });

  test('a code works once: the replay fails and revokes the refresh token the first exchange issued', async () => {
    const { code, verifier } = await codeFor();
    const first = await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }));
    assert.equal(first.status, 200);
    const again = await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }));
    assertOAuthError(again, 400, 'invalid_grant', /already used/);
    assert.equal(again.body.access_token, undefined);
    const refresh = await h.token(tenant, refreshForm(tenant, app, first.body.refresh_token));
    assertOAuthError(refresh, 400, 'invalid_grant', /it has been revoked/);
  });

  test('a code replayed after it expired still revokes what its first use issued', async () => {
    const { code, verifier } = await codeFor();
    const first = await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }));
    assert.equal(first.status, 200);
    h.clock.advance(61_000);
    assertOAuthError(await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! })), 400, 'invalid_grant', /already used/);
    assertOAuthError(await h.token(tenant, refreshForm(tenant, app, first.body.refresh_token)), 400, 'invalid_grant', /it has been revoked/);
  });

  test("another client cannot use the code, and trying does not use it up for its own client", async () => {
    const other = await createWebApp(tenant, { callback: app.callback });
    const { code, verifier } = await codeFor();
    const stolen = await h.token(tenant, codeForm(tenant, other, code, { code_verifier: verifier! }));
    assertOAuthError(stolen, 400, 'invalid_grant', /Invalid authorization code/);
    assert.equal((await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }))).status, 200);
  });

  test('a failed client authentication does not use up the code', async () => {
    const { code, verifier } = await codeFor();
    const wrongKey = keyPairFor('RS256');
    const bad = await h.token(tenant, {
      ...codeForm(tenant, app, code, { code_verifier: verifier! }),
      client_assertion: signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: wrongKey.privateKey, now: h.clock.now() }),
    });
    assertOAuthError(bad, 401, 'invalid_client');
    const noAuth = await h.token(tenant, { grant_type: 'authorization_code', code, redirect_uri: app.callback, client_id: app.clientId, code_verifier: verifier! });
    assertOAuthError(noAuth, 401, 'invalid_client');
    assert.equal((await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }))).status, 200);
    const failures = await logsOfType(tenant, 'feacft');
    assert.ok(failures.length >= 2);
  });

  test('PKCE: a missing or wrong verifier is refused without using the code; a verifier for a code without challenge is refused (downgrade)', async () => {
    const { code, verifier } = await codeFor();
    assertOAuthError(await h.token(tenant, codeForm(tenant, app, code)), 400, 'invalid_grant', /code_verifier is required/);
    assertOAuthError(await h.token(tenant, codeForm(tenant, app, code, { code_verifier: pkcePair().verifier })), 400, 'invalid_grant', /does not match/);
    assertOAuthError(await h.token(tenant, codeForm(tenant, app, code, { code_verifier: 'short' })), 400, 'invalid_grant', /43 to 128/);
    assert.equal((await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }))).status, 200);

    const plain = await codeFor({ pkce: false });
    assertOAuthError(await h.token(tenant, codeForm(tenant, app, plain.code, { code_verifier: pkcePair().verifier })), 400, 'invalid_grant', /no code_challenge/);
    assert.equal((await h.token(tenant, codeForm(tenant, app, plain.code))).status, 200);
  });

  test('redirect_uri must be the one the authorization request used', async () => {
    const { code, verifier } = await codeFor();
    assertOAuthError(await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier!, redirect_uri: `${app.callback}x` })), 400, 'invalid_grant', /redirect_uri differs/);
    const missing = codeForm(tenant, app, code, { code_verifier: verifier! });
    delete missing.redirect_uri;
    assertOAuthError(await h.token(tenant, missing), 400, 'invalid_grant', /redirect_uri is required/);
    assert.equal((await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }))).status, 200);
  });

  test('a code expires after 60 s', async () => {
    const { code, verifier } = await codeFor();
    h.clock.advance(61_000);
    assertOAuthError(await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! })), 400, 'invalid_grant', /expired/);
  });

  test('a public SPA exchanges its code with PKCE and no client authentication; without the verifier it is refused', async () => {
    const spa = await createSpa(tenant);
    const { verifier, challenge } = pkcePair();
    const r = await authorizeOverHttp(
      h,
      tenant,
      { response_type: 'code', client_id: spa.clientId, redirect_uri: spa.callback, scope: 'openid', state: 's', code_challenge: challenge, code_challenge_method: 'S256' },
      user,
    );
    const form = { grant_type: 'authorization_code', code: r.code!, redirect_uri: spa.callback, client_id: spa.clientId };
    assertOAuthError(await h.token(tenant, form), 400, 'invalid_grant', /code_verifier is required/);
    const ok = await h.token(tenant, { ...form, code_verifier: verifier });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(decodeJwt(ok.body.access_token).aud, `${tenant.issuer}userinfo`);
    await verifyIdToken(h, tenant, ok.body.id_token, spa.clientId);
  });

  test('a confidential web app cannot skip client authentication by sending only client_id', async () => {
    const { code, verifier } = await codeFor();
    const r = await h.token(tenant, { grant_type: 'authorization_code', code, redirect_uri: app.callback, client_id: app.clientId, code_verifier: verifier! });
    assertOAuthError(r, 401, 'invalid_client', /Client authentication is required/);
  });
});

describe('refresh_token', () => {
  async function tokens(scope?: string) {
    const { code, verifier } = await codeFor({ scope });
    const r = await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as { access_token: string; id_token: string; refresh_token: string };
  }

  test('rotation: each exchange returns a new refresh token; reusing a rotated one revokes the family and writes ferrt', async () => {
    const t0 = await tokens();
    const r1 = await h.token(tenant, refreshForm(tenant, app, t0.refresh_token));
    assert.equal(r1.status, 200, JSON.stringify(r1.body));
    assert.notEqual(r1.body.refresh_token, t0.refresh_token);
    await verifyIdToken(h, tenant, r1.body.id_token, app.clientId);
    const reused = await h.token(tenant, refreshForm(tenant, app, t0.refresh_token));
    assertOAuthError(reused, 400, 'invalid_grant', /already used/);
    // The whole family is gone: the token rotated into is refused too.
    assertOAuthError(await h.token(tenant, refreshForm(tenant, app, r1.body.refresh_token)), 400, 'invalid_grant', /it has been revoked/);
    const ferrt = await logsOfType(tenant, 'ferrt');
    assert.ok(ferrt.some((e) => e.details.reason === 'refresh_token_reused'));
    assert.ok((await logsOfType(tenant, 'sertft')).length >= 1);
  });

  test('leeway: the token just rotated may be exchanged again within the leeway, replacing what it was rotated into', async () => {
    const leewayApp = await createWebApp(tenant, { extra: { refresh_token: { rotation_type: 'rotating', expiration_type: 'expiring', leeway: 30 } } });
    const { code, verifier } = await codeFor({ client: leewayApp });
    const t0 = (await h.token(tenant, codeForm(tenant, leewayApp, code, { code_verifier: verifier! }))).body;
    const r1 = await h.token(tenant, refreshForm(tenant, leewayApp, t0.refresh_token));
    assert.equal(r1.status, 200);
    const retry = await h.token(tenant, refreshForm(tenant, leewayApp, t0.refresh_token));
    assert.equal(retry.status, 200, JSON.stringify(retry.body));
    assertOAuthError(await h.token(tenant, refreshForm(tenant, leewayApp, r1.body.refresh_token)), 400, 'invalid_grant', /it has been revoked/);
    h.clock.advance(31_000);
    assertOAuthError(await h.token(tenant, refreshForm(tenant, leewayApp, t0.refresh_token)), 400, 'invalid_grant', /already used/);
  });

  test('scope may be narrowed, never broadened', async () => {
    const t0 = await tokens();
    const wider = await h.token(tenant, refreshForm(tenant, app, t0.refresh_token, { scope: 'openid profile email offline_access read:everything' }));
    assertOAuthError(wider, 400, 'invalid_scope', /read:everything/);
    const narrow = await h.token(tenant, refreshForm(tenant, app, t0.refresh_token, { scope: 'openid offline_access' }));
    assert.equal(narrow.status, 200, JSON.stringify(narrow.body));
    assert.equal(narrow.body.scope, 'openid offline_access');
    assert.equal(decodeJwt(narrow.body.id_token).email, undefined);
  });

  test('no refresh token without offline_access, or for an API that does not allow offline access', async () => {
    const noOffline = await tokens('openid profile');
    assert.equal((noOffline as { refresh_token?: string }).refresh_token, undefined);
    const plainApi = await createApi(tenant);
    const { code, verifier } = await codeFor({ audience: plainApi });
    const r = await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }));
    assert.equal(r.status, 200);
    assert.equal(r.body.refresh_token, undefined);
  });

  test('another client cannot use the refresh token; a blocked user cannot refresh', async () => {
    const t0 = await tokens();
    const other = await createWebApp(tenant);
    assertOAuthError(await h.token(tenant, refreshForm(tenant, other, t0.refresh_token)), 400, 'invalid_grant');
    const blocked = await tenant.api('PATCH', `/users/${encodeURIComponent(user.userId)}`, { blocked: true });
    assert.equal(blocked.status, 200);
    try {
      assertOAuthError(await h.token(tenant, refreshForm(tenant, app, t0.refresh_token)), 400, 'invalid_grant', /blocked/);
    } finally {
      await tenant.api('PATCH', `/users/${encodeURIComponent(user.userId)}`, { blocked: false });
    }
    assert.equal((await h.token(tenant, refreshForm(tenant, app, t0.refresh_token))).status, 200);
  });
});

describe('/oauth/revoke and /userinfo', () => {
  test('revoking a refresh token (private_key_jwt) ends its family; another client cannot revoke it; an unknown token is 200', async () => {
    const { code, verifier } = await codeFor();
    const t0 = (await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }))).body;
    const other = await createWebApp(tenant);
    const revoke = (who: WebApp, token: string) =>
      h.fetch(new URL('oauth/revoke', tenant.issuer), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...refreshForm(tenant, who, token), token }).toString(),
      });
    const refused = await revoke(other, t0.refresh_token);
    assert.equal(refused.status, 400);
    assert.equal((await h.token(tenant, refreshForm(tenant, app, t0.refresh_token))).status, 200);
    const t1 = (await h.token(tenant, refreshForm(tenant, app, t0.refresh_token))).body;
    void t1;
    const { code: c2, verifier: v2 } = await codeFor();
    const fresh = (await h.token(tenant, codeForm(tenant, app, c2, { code_verifier: v2! }))).body;
    const ok = await revoke(app, fresh.refresh_token);
    assert.equal(ok.status, 200);
    assertOAuthError(await h.token(tenant, refreshForm(tenant, app, fresh.refresh_token)), 400, 'invalid_grant', /it has been revoked/);
    assert.equal((await revoke(app, 'not-a-token-at-all')).status, 200);
    assert.ok((await logsOfType(tenant, 'srrt')).length >= 2);
  });

  test('/userinfo returns the claims the scope releases, and refuses client-credentials tokens', async () => {
    const { code, verifier } = await codeFor({ scope: 'openid email', audience: null });
    const t = (await h.token(tenant, codeForm(tenant, app, code, { code_verifier: verifier! }))).body;
    for (const method of ['GET', 'POST']) {
      const r = await h.fetch(new URL('userinfo', tenant.issuer), { method, headers: { authorization: `Bearer ${t.access_token}` } });
      assert.equal(r.status, 200);
      assert.deepEqual(await r.json(), { sub: user.userId, email: user.email, email_verified: true });
    }
    const m2m = await tenant.managementToken();
    const refused = await h.fetch(new URL('userinfo', tenant.issuer), { headers: { authorization: `Bearer ${m2m}` } });
    assert.equal(refused.status, 401);
    assert.match(refused.headers.get('www-authenticate') ?? '', /invalid_token/);
    assert.equal((await h.fetch(new URL('userinfo', tenant.issuer))).status, 401);
  });
});
