import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { startSignet, type Harness } from '../support/harness.ts';
import { datedCertificate } from '../support/credential-material.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import { CLIENT_ASSERTION_TYPE } from '../../src/domain/client-assertion/index.ts';

let h: Harness;
before(async () => (h = await startSignet()));
after(() => h.close());

const stamp = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';

test('a certificate credential stops verifying when the certificate expires, even without an explicit expires_at', async () => {
  const tenant = await h.createTenant();
  const notAfter = h.clock.now() + 30_000;
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
  assert.equal(creds.body[0].expires_at, new Date(new X509Certificate(cert.certPem).validTo).toISOString(), 'no explicit expiry was asked for: the certificate\'s notAfter is reported');
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

test('clearing expires_at does not let a certificate credential outlive its notAfter: the API reports notAfter and refuses to enable it once past', async () => {
  const tenant = await h.createTenant();
  const cert = datedCertificate(stamp(h.clock.now() - 60_000), stamp(h.clock.now() + 60_000));
  const notAfter = new Date(new X509Certificate(cert.certPem).validTo).toISOString();
  assert.equal((await tenant.api('POST', '/resource-servers', { identifier: 'https://certs.example/', scopes: [{ value: 'r' }] })).status, 201);
  const app = await tenant.api('POST', '/clients', {
    name: 'cert app',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'x509_cert', pem: cert.certPem, parse_expiry_from_cert: true }] } },
  });
  assert.equal(app.status, 201, JSON.stringify(app.body));
  const clientId = app.body.client_id;
  const credId = app.body.client_authentication_methods.private_key_jwt.credentials[0].id;
  const credPath = `/clients/${clientId}/credentials/${credId}`;
  assert.equal((await tenant.api('GET', credPath)).body.expires_at, notAfter);
  assert.equal((await tenant.api('POST', '/client-grants', { client_id: clientId, audience: 'https://certs.example/', scope: ['r'] })).status, 201);
  const form = () => ({
    grant_type: 'client_credentials',
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: signClientAssertion({ clientId, audience: tenant.issuer, privateKey: createPrivateKey(cert.keyPem), now: h.clock.now() }),
    audience: 'https://certs.example/',
  });
  assert.equal((await h.token(tenant, form())).status, 200);

  // Two minutes later the certificate has expired.
  h.clock.advance(120_000);
  assert.equal((await h.token(tenant, form())).status, 401);
  const off = await tenant.api('PATCH', `/clients/${clientId}`, { client_authentication_methods: { private_key_jwt: { credentials: [] } } });
  assert.equal(off.status, 200, JSON.stringify(off.body));

  const cleared = await tenant.api('PATCH', credPath, { expires_at: null });
  assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
  assert.equal(cleared.body.expires_at, notAfter, 'the effective expiry is still the certificate\'s notAfter');
  assert.equal((await tenant.api('GET', `/clients/${clientId}/credentials`)).body[0].expires_at, notAfter);
  const later = await tenant.api('PATCH', credPath, { expires_at: new Date(h.clock.now() + 30 * 86_400_000).toISOString() });
  assert.equal(later.status, 400);
  assert.equal(later.body.errorCode, 'expires_after_certificate');

  const on = await tenant.api('PATCH', `/clients/${clientId}`, { client_authentication_methods: { private_key_jwt: { credentials: [{ id: credId }] } } });
  assert.equal(on.status, 400, JSON.stringify(on.body));
  assert.equal(on.body.errorCode, 'credential_expired');
  assert.match(on.body.message, new RegExp(`its certificate expired on ${notAfter.replace(/[.]/g, '\\.')}`));
  assert.equal((await h.token(tenant, form())).status, 401, 'still refused at the token endpoint');
});
