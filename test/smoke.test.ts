import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { startSignet } from './support/harness.ts';
import { signClientAssertion } from '../src/domain/sign-client-assertion.ts';

test('smoke: M2M app with a credential gets a token by private_key_jwt', async (t) => {
  const h = await startSignet();
  t.after(() => h.close());
  const tenant = await h.createTenant();
  const api = await tenant.api('POST', '/resource-servers', { identifier: 'https://api.example.com/', scopes: [{ value: 'read:things' }] });
  assert.equal(api.status, 201, JSON.stringify(api.body));
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const app = await tenant.api('POST', '/clients', {
    name: 'backend',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k1', pem: publicKey.export({ type: 'spki', format: 'pem' }) }] } },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const clientId = app.body.client_id;
  const grant = await tenant.api('POST', '/client-grants', { client_id: clientId, audience: 'https://api.example.com/', scope: ['read:things'] });
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  const assertion = signClientAssertion({ clientId, audience: tenant.issuer, privateKey });
  const r = await h.token(tenant, {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    audience: 'https://api.example.com/',
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.scope, 'read:things');
  const again = await h.token(tenant, {
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    audience: 'https://api.example.com/',
  });
  assert.equal(again.status, 401);
  assert.equal(again.body.error, 'invalid_client');
  assert.match(again.body.error_description, /already used/);
});
