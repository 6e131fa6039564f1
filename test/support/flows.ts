import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import assert from 'node:assert/strict';
import type { Harness, TestTenant } from './harness.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';

export interface M2MApp {
  clientId: string;
  privateKey: KeyObject;
  publicPem: string;
  credentialId: string;
  audience: string;
}

/** An API, an M2M app with one enabled RS256 credential, and a grant: the product's main flow, through the Management API. */
export async function createM2MApp(tenant: TestTenant, audience = 'https://api.example.com/'): Promise<M2MApp> {
  const existing = await tenant.api('GET', `/resource-servers/${encodeURIComponent(audience)}`);
  if (existing.status === 404) {
    const api = await tenant.api('POST', '/resource-servers', { identifier: audience, scopes: [{ value: 'read:things' }, { value: 'write:things' }] });
    assert.equal(api.status, 201, JSON.stringify(api.body));
  }
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const app = await tenant.api('POST', '/clients', {
    name: 'backend',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'k1', pem: publicPem }] } },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const grant = await tenant.api('POST', '/client-grants', { client_id: app.body.client_id, audience, scope: ['read:things'] });
  assert.equal(grant.status, 201, JSON.stringify(grant.body));
  return { clientId: app.body.client_id, privateKey, publicPem, credentialId: app.body.client_authentication_methods.private_key_jwt.credentials[0].id, audience };
}

export function assertionForm(tenant: TestTenant, app: M2MApp, assertion = signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey })) {
  return { grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion, audience: app.audience };
}

export async function tokenByKey(h: Harness, tenant: TestTenant, app: M2MApp) {
  return h.token(tenant, assertionForm(tenant, app));
}
