/**
 * Private Key JWT end to end with the libraries developers actually sign assertions with:
 * `jsonwebtoken`, `jose` and `openid-client`. Each test uses its own tenant; every issued
 * access token is verified against the tenant's published JWKS like a resource server would.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { decodeJwt, decodeProtectedHeader, importPKCS8 } from 'jose';
import * as oidc from 'openid-client';
import { startSignet, type Harness } from '../support/harness.ts';
import {
  addCredential,
  assertionForm,
  createM2MApp,
  enableCredentials,
  expectValidAccessToken,
  joseAssertion,
  keyPairFor,
  type M2MApp,
} from '../support/fixtures.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

/** An assertion as the jsonwebtoken README shows it: iss = sub = client_id, aud = issuer, short expiry, fresh jti. */
function signWithJsonwebtoken(app: M2MApp, issuer: string, opts: { keyid?: string; privateKey?: M2MApp['privateKey'] } = {}): string {
  return jwt.sign({}, opts.privateKey ?? app.privateKey, {
    algorithm: 'RS256',
    issuer: app.clientId,
    subject: app.clientId,
    audience: issuer,
    expiresIn: 60,
    jwtid: randomUUID(),
    ...(opts.keyid !== undefined && { keyid: opts.keyid }),
  });
}

describe('jsonwebtoken sign()', () => {
  test('an RS256 assertion with keyid = the credential kid gets a token', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'RS256' });
    const assertion = signWithJsonwebtoken(app, tenant.issuer, { keyid: app.kid });
    assert.equal(decodeProtectedHeader(assertion).kid, app.kid);

    const r = await h.token(tenant, assertionForm(assertion, app.audience));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.token_type, 'Bearer');
    assert.equal(r.body.scope, app.scope);
    assert.equal(typeof r.body.expires_in, 'number');
    assert.equal(r.headers.get('cache-control'), 'no-store');
    await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
  });

  test('an RS256 assertion without kid gets a token (the enabled credentials are tried)', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'RS256' });
    const assertion = signWithJsonwebtoken(app, tenant.issuer);
    assert.equal(decodeProtectedHeader(assertion).kid, undefined);

    const r = await h.token(tenant, assertionForm(assertion, app.audience));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
  });

  test('without kid, the second of two enabled credentials is found too', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'RS256' });
    const second = keyPairFor('RS256');
    const c2 = await addCredential(tenant, app.clientId, second.publicKeyPem, 'RS256', 'second');
    const enabled = await enableCredentials(tenant, app.clientId, [app.credentialId, c2.id]);
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));

    const r = await h.token(tenant, assertionForm(signWithJsonwebtoken(app, tenant.issuer, { privateKey: second.privateKey }), app.audience));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
  });

  test('an assertion signed by a key the application does not have is refused', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'RS256' });
    const stranger = keyPairFor('RS256');
    const r = await h.token(tenant, assertionForm(signWithJsonwebtoken(app, tenant.issuer, { keyid: app.kid, privateKey: stranger.privateKey }), app.audience));
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid_client');
    assert.match(r.body.error_description, /signature/);
  });
});

describe('jose SignJWT', () => {
  for (const alg of ['PS256', 'ES256'] as const) {
    test(`a ${alg} credential (${alg === 'ES256' ? 'EC P-256 key' : 'RSA key, registered with alg PS256'}) gets a token`, async () => {
      const tenant = await h.createTenant();
      const app = await createM2MApp(tenant, { alg });
      const assertion = await joseAssertion(tenant, app, { header: { alg, kid: app.kid, typ: 'JWT' } });

      const r = await h.token(tenant, assertionForm(assertion, app.audience));
      assert.equal(r.status, 200, JSON.stringify(r.body));
      await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
    });
  }

  test('the rfc7523bis typ "client-authentication+jwt" and a one-element aud array are accepted', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'ES256' });
    const assertion = await joseAssertion(tenant, app, { header: { alg: 'ES256', kid: app.kid, typ: 'client-authentication+jwt' }, aud: [tenant.issuer] });
    const r = await h.token(tenant, assertionForm(assertion, app.audience));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
  });

  test('an ES256 assertion against a credential registered for PS256 is refused as an alg mismatch', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'PS256' });
    const ec = keyPairFor('ES256');
    const assertion = await joseAssertion(tenant, app, { header: { alg: 'ES256', kid: app.kid }, key: ec.privateKey });
    const r = await h.token(tenant, assertionForm(assertion, app.audience));
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body.error, 'invalid_client');
    assert.match(r.body.error_description, /alg/);
  });
});

describe('openid-client v6 (private_key_jwt)', () => {
  test('discovery + clientCredentialsGrant gets a token, and the assertion it sends has aud = the issuer', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'RS256' });
    const sent: { url: string; form: URLSearchParams }[] = [];
    const viaHarness: oidc.CustomFetch = (url, options) => {
      if (options.body instanceof URLSearchParams) sent.push({ url, form: new URLSearchParams(options.body) });
      else if (typeof options.body === 'string') sent.push({ url, form: new URLSearchParams(options.body) });
      return h.fetch(url, options as RequestInit);
    };
    const key = await importPKCS8(app.privateKeyPem, 'RS256');

    const config = await oidc.discovery(new URL(tenant.issuer), app.clientId, {}, oidc.PrivateKeyJwt({ key, kid: app.kid }), {
      [oidc.customFetch]: viaHarness,
    });
    assert.equal(config.serverMetadata().issuer, tenant.issuer);
    assert.equal(config.serverMetadata().token_endpoint, `${tenant.issuer}oauth/token`);

    const tokens = await oidc.clientCredentialsGrant(config, { audience: app.audience });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.scope, app.scope);
    await expectValidAccessToken(h, tenant, tokens.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });

    // What openid-client actually put on the wire (so a change in its audience choice shows up here).
    const tokenRequest = sent.find((s) => s.url === `${tenant.issuer}oauth/token`);
    assert.ok(tokenRequest, 'openid-client did not call the token endpoint through the custom fetch');
    assert.equal(tokenRequest.form.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal(tokenRequest.form.get('client_id'), app.clientId);
    const claims = decodeJwt(tokenRequest.form.get('client_assertion')!);
    assert.equal(claims.aud, tenant.issuer, `openid-client sent aud ${JSON.stringify(claims.aud)}`);
    assert.equal(claims.iss, app.clientId);
    assert.equal(claims.sub, app.clientId);
    assert.equal(decodeProtectedHeader(tokenRequest.form.get('client_assertion')!).kid, app.kid);
  });

  test('a PS256 CryptoKey works through openid-client too', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'PS256' });
    const key = await importPKCS8(app.privateKeyPem, 'PS256');
    const config = await oidc.discovery(new URL(tenant.issuer), app.clientId, {}, oidc.PrivateKeyJwt(key), {
      [oidc.customFetch]: (url, options) => h.fetch(url, options as RequestInit),
    });
    const tokens = await oidc.clientCredentialsGrant(config, { audience: app.audience });
    await expectValidAccessToken(h, tenant, tokens.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
  });
});
