/**
 * The `auth0` SDK's AuthenticationClient (node-auth0 v4 API, `auth0/legacy`), unchanged, with
 * `clientAssertionSigningKey`: exchanges a signed-in user's code (with PKCE), refreshes, and
 * revokes — and validates the ID token itself (issuer `https://{domain}/`, RS256 against the
 * JWKS it fetches, nonce), so a wrong issuer or signature from Signet would fail here.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent } from 'node:https';
import { AuthenticationClient } from 'auth0/legacy';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { testCertificate } from '../support/tls.ts';
import { authorizeOverHttp, createOfflineApi, createUser, createWebApp, pkcePair } from '../support/sign-in.ts';

let h: Harness;
let tenant: TestTenant;
before(async () => {
  h = await startSignet();
  tenant = await h.createTenant();
});
after(() => h.close());

test('authorizationCodeGrantWithPKCE, refreshTokenGrant and revokeRefreshToken with clientAssertionSigningKey', async () => {
  const app = await createWebApp(tenant, { alg: 'RS256' });
  const api = await createOfflineApi(tenant);
  const user = await createUser(tenant);
  // The SDK fetches the JWKS itself (jose over node:https): give it the test CA and loopback.
  const agent = new Agent({
    ca: testCertificate().cert,
    lookup: (_host, options, cb) => {
      if ((options as { all?: boolean }).all) (cb as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
      else (cb as (e: null, a: string, f: number) => void)(null, '127.0.0.1', 4);
    },
  });
  const auth = new AuthenticationClient({
    domain: tenant.domain,
    clientId: app.clientId,
    clientAssertionSigningKey: app.privateKeyPem,
    fetch: h.fetch,
    agent,
  } as unknown as ConstructorParameters<typeof AuthenticationClient>[0]);

  const { verifier, challenge } = pkcePair();
  const nonce = 'sdk-nonce-1';
  const r = await authorizeOverHttp(
    h,
    tenant,
    { response_type: 'code', client_id: app.clientId, redirect_uri: app.callback, scope: 'openid profile email offline_access', audience: api, state: 's', nonce, code_challenge: challenge, code_challenge_method: 'S256' },
    user,
  );
  const { data: tokens } = await auth.oauth.authorizationCodeGrantWithPKCE({ code: r.code!, code_verifier: verifier, redirect_uri: app.callback }, { idTokenValidateOptions: { nonce } });
  assert.equal(typeof tokens.id_token, 'string');
  assert.equal(typeof tokens.refresh_token, 'string');

  const { data: refreshed } = await auth.oauth.refreshTokenGrant({ refresh_token: tokens.refresh_token! });
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
  await auth.oauth.revokeRefreshToken({ token: refreshed.refresh_token! });
  await assert.rejects(auth.oauth.refreshTokenGrant({ refresh_token: refreshed.refresh_token! }), /invalid_grant|revoked/);

  // A nonce the ID token does not carry is caught by the SDK's own validation.
  const again = await authorizeOverHttp(
    h,
    tenant,
    { response_type: 'code', client_id: app.clientId, redirect_uri: app.callback, scope: 'openid', state: 's', nonce: 'other', code_challenge: challenge, code_challenge_method: 'S256' },
    user,
  );
  await assert.rejects(
    auth.oauth.authorizationCodeGrantWithPKCE({ code: again.code!, code_verifier: verifier, redirect_uri: app.callback }, { idTokenValidateOptions: { nonce } }),
    /nonce/i,
  );
});
