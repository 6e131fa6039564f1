import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { startSignet, type Harness } from '../support/harness.ts';
import { datedCertificate } from '../../src/domain/credentials/test-material.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';

let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

test('a certificate credential stops verifying when the certificate expires, even without an explicit expires_at', async () => {
  const tenant = await h.createTenant();
  const notAfter = h.clock.now() + 4000;
  const cert = datedCertificate(stamp(Date.now() - 60_000), stamp(notAfter));
  assert.equal((await tenant.api('POST', '/resource-servers', { identifier: 'https://certs.example/', scopes: [{ value: 'r' }] })).status, 201);
  const app = await tenant.api('POST', '/clients', {
    name: 'cert app',
    app_type: 'regular_web',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'x509_cert', pem: cert.certPem }] } },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const clientId = app.body.client_id;
  const creds = await tenant.api('GET', `/clients/${clientId}/credentials`);
  assert.equal(creds.body[0].expires_at, null, 'no explicit expiry was asked for');
  assert.ok(creds.body[0].subject_dn.includes('dated'));
  assert.equal((await tenant.api('POST', '/client-grants', { client_id: clientId, audience: 'https://certs.example/', scope: ['r'] })).status, 201);
  const form = () => ({
    grant_type: 'client_credentials',
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: signClientAssertion({ clientId, audience: tenant.issuer, privateKey: createPrivateKey(cert.keyPem) }),
    audience: 'https://certs.example/',
  });
  assert.equal((await h.token(tenant, form())).status, 200);
  h.clock.advance(notAfter - h.clock.now() + 1200);
  const late = await h.token(tenant, form());
  assert.equal(late.status, 401);
  assert.equal(late.body.error, 'invalid_client');
  assert.match(late.body.error_description, /expired/);
});
