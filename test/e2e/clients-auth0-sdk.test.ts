/**
 * The official `auth0` npm SDK (v7) works against Signet unchanged, given only a `domain`:
 * - `AuthenticationClient` (v4 API, shipped as `auth0/legacy` since v7 dropped it from the main
 *   entry) exchanges a `clientAssertionSigningKey`-signed assertion for a token;
 * - `ManagementClient` (v7 main entry, and the v4 one from `auth0/legacy`) authenticates to the
 *   Management API by Private Key JWT and manages another application's credentials.
 * The SDKs call https://{domain}/...; their `fetch` option routes that through the test dispatcher.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { ManagementClient } from 'auth0';
import { AuthenticationClient, ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertionForm, createApi, createM2MApp, enableCredentials, expectValidAccessToken, grantAccess, keyPairFor, type M2MApp } from '../support/fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

/** A fetch that records what the SDK sent to /oauth/token, then forwards to the test server. */
function recordingFetch(sent: URLSearchParams[]): typeof globalThis.fetch {
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.endsWith('/oauth/token') && init?.body !== undefined) sent.push(new URLSearchParams(String(init.body)));
    return h.fetch(input as string, init);
  }) as typeof globalThis.fetch;
}

/**
 * An M2M app ("admin bot") that authenticates by Private Key JWT and is authorized for the
 * Management API with exactly the credential scopes.
 */
async function managementBot(tenant: TestTenant): Promise<M2MApp> {
  const bot = await createM2MApp(tenant, { alg: 'RS256', name: 'admin-bot', audience: tenant.management.audience, scopes: ['create:client_credentials', 'read:client_credentials'] });
  return bot;
}

/** The target application whose credentials the bot manages. */
async function targetApp(tenant: TestTenant): Promise<string> {
  const r = await tenant.api('POST', '/clients', { name: 'billing-service', app_type: 'non_interactive' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.client_id;
}

describe('auth0 SDK AuthenticationClient (auth0/legacy)', () => {
  test('oauth.clientCredentialsGrant with clientAssertionSigningKey returns a token', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'RS256' });
    const sent: URLSearchParams[] = [];
    const auth = new AuthenticationClient({
      domain: tenant.domain,
      clientId: app.clientId,
      clientAssertionSigningKey: app.privateKeyPem,
      fetch: recordingFetch(sent),
    });

    const { data, status } = await auth.oauth.clientCredentialsGrant({ audience: app.audience });
    assert.equal(status, 200);
    assert.equal(data.token_type, 'Bearer');
    assert.equal((data as typeof data & { scope?: string }).scope, app.scope);
    await expectValidAccessToken(h, tenant, data.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });

    // The SDK's assertion: aud = https://{domain}/ = the issuer, no kid (so Signet tries the enabled credentials).
    assert.equal(sent.length, 1);
    const claims = decodeJwt(sent[0]!.get('client_assertion')!);
    assert.equal(claims.aud, tenant.issuer);
    assert.equal(claims.iss, app.clientId);
  });

  test('a PS256 key with clientAssertionSigningAlg PS256 works too', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'PS256' });
    const auth = new AuthenticationClient({
      domain: tenant.domain,
      clientId: app.clientId,
      clientAssertionSigningKey: app.privateKeyPem,
      clientAssertionSigningAlg: 'PS256',
      fetch: h.fetch,
    });
    const { data } = await auth.oauth.clientCredentialsGrant({ audience: app.audience });
    await expectValidAccessToken(h, tenant, data.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
  });

  test('a refusal surfaces as the SDK error with invalid_client', async () => {
    const tenant = await h.createTenant();
    const app = await createM2MApp(tenant, { alg: 'RS256' });
    const auth = new AuthenticationClient({
      domain: tenant.domain,
      clientId: app.clientId,
      clientAssertionSigningKey: keyPairFor('RS256').privateKeyPem,
      fetch: h.fetch,
    });
    await assert.rejects(auth.oauth.clientCredentialsGrant({ audience: app.audience }), (err: any) => {
      assert.equal(err.statusCode, 401);
      assert.equal(err.error, 'invalid_client');
      assert.match(err.error_description, /signature/);
      return true;
    });
  });
});

describe('auth0 SDK ManagementClient authenticated by Private Key JWT', () => {
  test('v7: creates a credential on another application, lists it, and the new key then gets tokens', async () => {
    const tenant = await h.createTenant();
    const bot = await managementBot(tenant);
    const target = await targetApp(tenant);
    const sent: URLSearchParams[] = [];
    const management = new ManagementClient({
      domain: tenant.domain,
      clientId: bot.clientId,
      clientAssertionSigningKey: bot.privateKeyPem,
      fetch: recordingFetch(sent),
    });

    const newKey = keyPairFor('RS256');
    const created = await management.clients.credentials.create(target, { credential_type: 'public_key', name: 'rotated-2025', pem: newKey.publicKeyPem, alg: 'RS256' });
    assert.equal(typeof created.id, 'string');
    assert.equal(created.name, 'rotated-2025');
    assert.equal(created.alg, 'RS256');
    assert.equal(created.credential_type, 'public_key');
    assert.equal(typeof created.kid, 'string');
    assert.equal(JSON.stringify(created).includes('BEGIN'), false, 'the PEM must never be returned');

    const listed = await management.clients.credentials.list(target);
    assert.deepEqual(listed.map((c) => c.id), [created.id]);
    assert.equal(listed[0]!.kid, created.kid);

    // The SDK fetched one Management API token by private_key_jwt (aud = issuer) and reused it.
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.get('client_assertion_type'), 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    assert.equal(sent[0]!.get('audience'), tenant.management.audience);
    assert.equal(decodeJwt(sent[0]!.get('client_assertion')!).aud, tenant.issuer);

    // The bot holds only the credential scopes: anything else is 403, as on Auth0.
    await assert.rejects(management.clients.list(), (err: any) => {
      assert.equal(err.statusCode, 403);
      return true;
    });

    // Enabling the uploaded credential (admin, update:clients) makes the new key work at once.
    const enabled = await enableCredentials(tenant, target, [created.id!]);
    assert.equal(enabled.status, 200, JSON.stringify(enabled.body));
    const audience = await createApi(tenant);
    await grantAccess(tenant, target, audience, ['read:things']);
    const r = await h.token(tenant, assertionForm(signClientAssertion({ clientId: target, audience: tenant.issuer, privateKey: newKey.privateKey, kid: created.kid }), audience));
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: target, audience, scope: 'read:things' });
  });

  test('the Management API token the SDK gets is a valid tenant token with exactly the granted scopes', async () => {
    const tenant = await h.createTenant();
    const bot = await managementBot(tenant);
    const auth = new AuthenticationClient({ domain: tenant.domain, clientId: bot.clientId, clientAssertionSigningKey: bot.privateKeyPem, fetch: h.fetch });
    const { data } = await auth.oauth.clientCredentialsGrant({ audience: tenant.management.audience });
    const claims = await expectValidAccessToken(h, tenant, data.access_token, { clientId: bot.clientId, audience: tenant.management.audience });
    assert.deepEqual(String(claims.scope).split(' ').sort(), ['create:client_credentials', 'read:client_credentials']);
  });

  test('v4 (auth0/legacy): clients.createCredential then clients.getCredentials', async () => {
    const tenant = await h.createTenant();
    const bot = await managementBot(tenant);
    const target = await targetApp(tenant);
    const management = new LegacyManagementClient({
      domain: tenant.domain,
      clientId: bot.clientId,
      clientAssertionSigningKey: bot.privateKeyPem,
      fetch: h.fetch,
    });

    const newKey = keyPairFor('RS256');
    const { data: created, status } = await management.clients.createCredential(
      { client_id: target },
      { credential_type: 'public_key', name: 'legacy-sdk', pem: newKey.publicKeyPem, alg: 'RS256' },
    );
    assert.equal(status, 201);
    assert.equal(created.name, 'legacy-sdk');

    const { data: listed } = await management.clients.getCredentials({ client_id: target });
    assert.deepEqual(listed.map((c) => c.id), [created.id]);
  });
});
