/**
 * Management API credential refusals, end to end over HTTPS: every way an upload or a
 * credential operation must be refused answers the right status and Auth0 error shape
 * `{statusCode, error, message, errorCode}`, and leaves NOTHING changed — credentials (over
 * GET and in the store), the client row (version, secret), the enabled set. Private keys are
 * additionally proven never to reach the database files or the server log.
 * The happy-path response fields of the same endpoints are pinned at the end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Agent, buildConnector, fetch as undiciFetch, type RequestInit } from 'undici';
import type { FastifyInstance } from 'fastify';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { testCertificate } from '../support/tls.ts';
import { buildApp } from '../../src/http/app.ts';
import {
  API_AUDIENCE,
  ASSERTION_TYPE,
  assertion,
  assertMgmtError,
  assertOAuthError,
  assertUnchanged,
  createApi,
  credentialBody,
  datedCert,
  findSlice,
  grant,
  haystacks,
  newEc,
  newRsa,
  newRsaAsync,
  opensslCertField,
  pemBody,
  pkcs1Public,
  pkjwtApp,
  rawApi,
  readDataFiles,
  rfc7638,
  secretApp,
  selfSignedCert,
  slices,
  snapshot,
  spki,
  totalCredentialRows,
  type KeyPair,
} from '../support/refusal-helpers.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(async () => {
  await h.close();
});

const credsPath = (clientId: string) => `/clients/${clientId}/credentials`;
const FAKE_CRED = 'cred_AAAAAAAAAAAAAAAAAAAAAA';

/** An M2M app with a client secret on a fresh Enterprise tenant: the usual subject of a refused upload. */
async function freshApp(plan = 'enterprise'): Promise<{ tenant: TestTenant; clientId: string }> {
  const tenant = await h.createTenant(plan);
  const { clientId } = await secretApp(tenant);
  return { tenant, clientId };
}

/** POST a credential that must be refused; asserts the error and that nothing changed. */
async function refuseUpload(
  tenant: TestTenant,
  clientId: string,
  body: unknown,
  status: number,
  errorCode: string | readonly string[],
  message?: string | RegExp,
): Promise<{ status: number; body: any }> {
  const before = await snapshot(h, tenant, clientId);
  const r = await tenant.api('POST', credsPath(clientId), body);
  assertMgmtError(r, status, errorCode, message);
  await assertUnchanged(h, tenant, clientId, before);
  return r;
}

async function createCredential(tenant: TestTenant, clientId: string, body: unknown): Promise<any> {
  const r = await tenant.api('POST', credsPath(clientId), body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

// -------------------------------------------------------------------------------------------
// Private keys: refused in every form, never stored, never logged
// -------------------------------------------------------------------------------------------

/**
 * A second HTTPS listener on the same services with Fastify's logger at `trace`, writing into
 * `lines`: the harness runs Signet without a logger, and "nothing in the server log" must be
 * checked against a server that actually logs. `fetch` reaches it under the tenant's usual
 * Host (the connector only swaps the TCP port).
 */
async function loggedTwin(): Promise<{ app: FastifyInstance; fetch: typeof globalThis.fetch; lines: string[]; close(): Promise<void> }> {
  const lines: string[] = [];
  const tls = testCertificate();
  const app = await buildApp(h.services, { https: tls, logger: { level: 'trace', stream: { write: (s: string) => void lines.push(s) } } as never });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const connector = buildConnector({
    ca: tls.cert,
    lookup: (_host: string, options: unknown, cb: (...a: unknown[]) => void) => {
      if ((options as { all?: boolean }).all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
      else cb(null, '127.0.0.1', 4);
    },
  } as never);
  const agent = new Agent({ connect: (opts, cb) => connector({ ...opts, port: String(port) }, cb) });
  const f = ((input: string | URL, init?: RequestInit) => undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof globalThis.fetch;
  return {
    app,
    fetch: f,
    lines,
    async close() {
      await agent.close();
      await app.close();
    },
  };
}

test('a private key uploaded as pem is refused in every form (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8), and no byte of it is stored or logged', async () => {
  const twin = await loggedTwin();
  const captured: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => (captured.push(String(chunk)), (out as any)(chunk, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => (captured.push(String(chunk)), (err as any)(chunk, ...rest))) as typeof process.stderr.write;
  try {
    const rsaA = newRsa();
    const rsaB = newRsa();
    const rsaC = newRsa();
    const ec = newEc();
    const forms: { name: string; pem: string }[] = [
      { name: 'PKCS#8 BEGIN PRIVATE KEY', pem: rsaA.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string },
      { name: 'PKCS#1 BEGIN RSA PRIVATE KEY', pem: rsaB.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string },
      { name: 'SEC1 BEGIN EC PRIVATE KEY', pem: ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string },
      {
        name: 'encrypted PKCS#8 BEGIN ENCRYPTED PRIVATE KEY',
        pem: rsaC.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'correct horse battery staple' }) as string,
      },
    ];
    // Beyond the four: a private key body under a public label, and the combined .pem that
    // `openssl req -x509 -keyout same.pem -out same.pem` style workflows produce (cert + key).
    const rsaD = newRsa();
    forms.push({
      name: 'PKCS#8 body under BEGIN PUBLIC KEY',
      pem: (rsaD.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string).replace(/PRIVATE KEY/g, 'PUBLIC KEY'),
    });
    const combined = selfSignedCert('/CN=combined');
    forms.push({ name: 'certificate followed by its private key', pem: `${combined.certPem}${combined.keyPem}` });
    const secretBodies = new Map<string, string>(forms.map((f) => [f.name, f.name === 'certificate followed by its private key' ? pemBody(combined.keyPem) : pemBody(f.pem)]));
    assert.match(forms[0]!.pem, /^-----BEGIN PRIVATE KEY-----/);
    assert.match(forms[1]!.pem, /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(forms[2]!.pem, /^-----BEGIN EC PRIVATE KEY-----/);
    assert.match(forms[3]!.pem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);

    const tenant = await h.createTenant();
    const { clientId } = await secretApp(tenant);
    const token = await tenant.managementToken();
    const totalBefore = await totalCredentialRows(h);
    const clientsBefore = (await h.services.store.clients.list((await h.services.store.tenants.getByName(tenant.tenant))!.id)).total;
    const responses: string[] = [];

    for (const form of forms) {
      const before = await snapshot(h, tenant, clientId);
      const secret = slices(secretBodies.get(form.name)!);
      const attempts = [
        // JSON body, as the SDKs send it.
        () => rawApi(twin.fetch, tenant, 'POST', credsPath(clientId), { token, body: credentialBody(form.pem) }),
        // JSON-escaped once more (literal \n), as pasted from a .env file.
        () => rawApi(twin.fetch, tenant, 'POST', credsPath(clientId), { token, body: credentialBody(form.pem.replace(/\n/g, '\\n')) }),
        // As an x509_cert credential.
        () => rawApi(twin.fetch, tenant, 'POST', credsPath(clientId), { token, body: { credential_type: 'x509_cert', name: 'c', pem: form.pem } }),
        // Form-urlencoded body (the OAS declares both content types).
        () =>
          rawApi(twin.fetch, tenant, 'POST', credsPath(clientId), {
            token,
            rawBody: new URLSearchParams({ credential_type: 'public_key', name: 'k', pem: form.pem }).toString(),
            contentType: 'application/x-www-form-urlencoded',
          }),
        // Inline in client creation.
        () =>
          rawApi(twin.fetch, tenant, 'POST', '/clients', {
            token,
            body: { name: 'leaky', app_type: 'non_interactive', client_authentication_methods: { private_key_jwt: { credentials: [credentialBody(form.pem)] } } },
          }),
        // Inline after a valid public key: the whole creation is rolled back.
        () =>
          rawApi(twin.fetch, tenant, 'POST', '/clients', {
            token,
            body: {
              name: 'half',
              app_type: 'non_interactive',
              client_authentication_methods: { private_key_jwt: { credentials: [credentialBody(spki(newRsa())), credentialBody(form.pem)] } },
            },
          }),
      ];
      for (const [i, attempt] of attempts.entries()) {
        const r = await attempt();
        const where = `${form.name}, attempt ${i}`;
        assertMgmtError(r, 400, 'private_key_refused', /private key/i);
        assert.equal(r.body.field, 'pem', `${where}: the refusal names the field, so the dashboard shows it under the PEM box`);
        assert.match(r.body.message, /public key|certificate/i, `${where}: the message says what to upload instead`);
        assert.equal(findSlice(r.body.message, secret), -1, `${where}: the error message quotes the private key`);
        assert.equal(findSlice(r.text, secret), -1, `${where}: the response quotes the private key`);
        responses.push(r.text);
      }
      await assertUnchanged(h, tenant, clientId, before);
    }

    assert.equal(await totalCredentialRows(h), totalBefore, 'no credential row was written anywhere');
    const clientsAfter = (await h.services.store.clients.list((await h.services.store.tenants.getByName(tenant.tenant))!.id)).total;
    assert.equal(clientsAfter, clientsBefore, 'no client was created by the inline attempts');

    // Positive control: an accepted public key (an unrelated key pair) IS found by the same scan,
    // so a clean result below means absent, not unsearchable.
    const control = newRsa();
    const ok = await rawApi(twin.fetch, tenant, 'POST', credsPath(clientId), { token, body: credentialBody(spki(control)) });
    assert.equal(ok.status, 201, ok.text);
    await h.services.store.logs.flush();
    assert.ok(twin.lines.length > 0, 'the logged twin produced log lines');
    // Request lines name the route template, never the URL (a query can carry codes or tokens).
    assert.ok(twin.lines.some((l) => l.includes('"route":"/api/v2/clients/:client_id/credentials"')), 'the server log records the credential requests');
    const files = readDataFiles(h.dataDir);
    assert.ok(files.some((f) => f.name === 'signet.db'), `signet.db under ${h.dataDir}`);
    const controlSlices = slices(pemBody(spki(control)));
    assert.ok(
      files.some((f) => haystacks(f.text).some((hay) => findSlice(hay, controlSlices) !== -1)),
      'control: the stored public key is visible to the database scan',
    );
    for (const form of forms) {
      const secret = slices(secretBodies.get(form.name)!);
      for (const f of files) {
        for (const hay of haystacks(f.text)) assert.equal(findSlice(hay, secret), -1, `${form.name}: a slice of the private key is in ${f.name}`);
      }
      for (const hay of haystacks(twin.lines.join('\n'))) assert.equal(findSlice(hay, secret), -1, `${form.name}: a slice of the private key is in the server log`);
      for (const hay of haystacks(captured.join(''))) assert.equal(findSlice(hay, secret), -1, `${form.name}: a slice of the private key went to stdout/stderr`);
      for (const hay of haystacks(responses.join('\n'))) assert.equal(findSlice(hay, secret), -1, `${form.name}: a slice of the private key is in a response`);
    }
  } finally {
    process.stdout.write = out as typeof process.stdout.write;
    process.stderr.write = err as typeof process.stderr.write;
    await twin.close();
  }
});

// -------------------------------------------------------------------------------------------
// Key and certificate checks
// -------------------------------------------------------------------------------------------

test('RSA 1024 is refused as too small', async () => {
  const { tenant, clientId } = await freshApp();
  await refuseUpload(tenant, clientId, credentialBody(spki(newRsa(1024))), 400, 'key_too_small', /1024.*2048|2048.*1024/);
});

test('RSA larger than 4096 bits is refused as too large', async () => {
  const { tenant, clientId } = await freshApp();
  const big = await newRsaAsync(4160);
  await refuseUpload(tenant, clientId, credentialBody(spki(big)), 400, 'key_too_large', /4160.*4096|4096.*4160/);
});

test('an expired X.509 certificate is refused', async () => {
  const { tenant, clientId } = await freshApp();
  const cert = datedCert('20200101000000Z', '20210101000000Z');
  assert.match(opensslCertField(cert.file, ['-enddate']), /2021/);
  await refuseUpload(tenant, clientId, credentialBody(cert.certPem), 400, 'certificate_expired', /expired.*2021-01-01/);
  await refuseUpload(tenant, clientId, { credential_type: 'x509_cert', name: 'c', pem: cert.certPem }, 400, 'certificate_expired');
  await refuseUpload(tenant, clientId, credentialBody(cert.certPem, { parse_expiry_from_cert: true }), 400, 'certificate_expired');
});

test('expires_at in the past (or not a date-time) is refused', async () => {
  const { tenant, clientId } = await freshApp();
  const pem = spki(newRsa());
  await refuseUpload(tenant, clientId, credentialBody(pem, { expires_at: '2020-01-01T00:00:00Z' }), 400, 'expires_at_in_past', /future/);
  await refuseUpload(tenant, clientId, credentialBody(pem, { expires_at: new Date(Date.now() - 1000).toISOString() }), 400, 'expires_at_in_past');
  await refuseUpload(tenant, clientId, credentialBody(pem, { expires_at: 'tomorrow' }), 400, ['invalid_expires_at', 'invalid_body']);
  await refuseUpload(tenant, clientId, credentialBody(pem, { expires_at: '2099-02-30T00:00:00Z' }), 400, ['invalid_expires_at', 'invalid_body']);
});

test('parse_expiry_from_cert with a bare (SPKI) public key is refused', async () => {
  const { tenant, clientId } = await freshApp();
  await refuseUpload(tenant, clientId, credentialBody(spki(newRsa()), { parse_expiry_from_cert: true }), 400, 'parse_expiry_requires_certificate', /certificate/);
});

test('parse_expiry_from_cert together with expires_at is refused', async () => {
  const { tenant, clientId } = await freshApp();
  const cert = selfSignedCert();
  const expires = new Date(Date.now() + 86_400_000).toISOString();
  await refuseUpload(tenant, clientId, credentialBody(cert.certPem, { parse_expiry_from_cert: true, expires_at: expires }), 400, 'parse_expiry_conflicts_with_expires_at', /mutually exclusive/);
});

test('garbage PEM is refused', async () => {
  const { tenant, clientId } = await freshApp();
  const good = spki(newRsa());
  const lines = good.trim().split('\n');
  const garbage = [
    'hello world',
    '-----BEGIN PUBLIC KEY-----\nnot base64 at all!!\n-----END PUBLIC KEY-----\n',
    lines.slice(0, 4).join('\n'), // truncated: no END line
    [lines[0], ...lines.slice(1, 3), lines[lines.length - 1]].join('\n'), // body cut short
    pemBody(good), // base64 without armor
    good + good, // two blocks
    good.replace(/PUBLIC KEY/g, 'CERTIFICATE'), // wrong label for the body
    '-----BEGIN PUBLIC KEY-----\n\n-----END PUBLIC KEY-----\n',
  ];
  for (const pem of garbage) {
    await refuseUpload(tenant, clientId, credentialBody(pem), 400, 'invalid_pem');
  }
});

test('an oversized pem is refused (400), an oversized body is 413 in the Management API error shape', async () => {
  const { tenant, clientId } = await freshApp();
  await refuseUpload(tenant, clientId, credentialBody('A'.repeat(20_000)), 400, ['invalid_body', 'invalid_pem'], /pem|long/i);
  const before = await snapshot(h, tenant, clientId);
  const r = await tenant.api('POST', credsPath(clientId), credentialBody('A'.repeat(70_000)));
  assert.equal(r.status, 413, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body).sort(), ['error', 'errorCode', 'message', 'statusCode']);
  assert.equal(r.body.statusCode, 413);
  await assertUnchanged(h, tenant, clientId, before);
});

test('an empty pem is refused', async () => {
  const { tenant, clientId } = await freshApp();
  await refuseUpload(tenant, clientId, credentialBody(''), 400, ['invalid_body', 'pem_required'], /pem/);
  await refuseUpload(tenant, clientId, credentialBody('   \n  '), 400, ['pem_required', 'invalid_pem'], /pem/i);
  await refuseUpload(tenant, clientId, { credential_type: 'public_key', name: 'no pem' }, 400, ['pem_required', 'invalid_body'], /pem/);
});

test('an EC key registered for RS256 is refused (key type does not fit alg)', async () => {
  const { tenant, clientId } = await freshApp();
  const ec = spki(newEc());
  await refuseUpload(tenant, clientId, credentialBody(ec), 400, 'alg_key_mismatch', /RS256.*RSA/);
  await refuseUpload(tenant, clientId, credentialBody(ec, { alg: 'PS256' }), 400, 'alg_key_mismatch');
  await refuseUpload(tenant, clientId, credentialBody(spki(newRsa()), { alg: 'ES256' }), 400, 'alg_key_mismatch');
  await refuseUpload(tenant, clientId, credentialBody(spki(newRsa()), { alg: 'HS256' }), 400, ['unsupported_alg', 'invalid_body']);
});

test('the same public key twice on one client: the second upload is refused', async () => {
  const { tenant, clientId } = await freshApp();
  const key = newRsa();
  await createCredential(tenant, clientId, credentialBody(spki(key), { name: 'first' }));
  const message = /credentials contains public keys that already exist in client/;
  await refuseUpload(tenant, clientId, credentialBody(spki(key), { name: 'second' }), 400, 'duplicate_credential', message);
  // The same key in another encoding, under another alg or another kid is still the same key.
  await refuseUpload(tenant, clientId, credentialBody(pkcs1Public(key)), 400, 'duplicate_credential', message);
  await refuseUpload(tenant, clientId, credentialBody(spki(key), { alg: 'PS256', kid: 'another-kid-123' }), 400, 'duplicate_credential', message);
});

test('a fifth credential is refused ("A client can have a maximum of 4 credentials.")', async () => {
  const { tenant, clientId } = await freshApp();
  for (let i = 0; i < 4; i++) await createCredential(tenant, clientId, credentialBody(spki(newRsa()), { name: `k${i}` }));
  await refuseUpload(tenant, clientId, credentialBody(spki(newRsa()), { name: 'k5' }), 400, 'too_many_credentials', 'A client can have a maximum of 4 credentials.');

  // Under concurrency the pool still holds at most 4: six racing uploads, four stored.
  const racer = await freshApp();
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => racer.tenant.api('POST', credsPath(racer.clientId), credentialBody(spki(newRsa()), { name: `r${i}` }))));
  assert.equal(results.filter((r) => r.status === 201).length, 4, `statuses ${results.map((r) => r.status).join(',')}`);
  for (const r of results.filter((x) => x.status !== 201)) assertMgmtError(r, 400, 'too_many_credentials', 'A client can have a maximum of 4 credentials.');
  const tid = (await h.services.store.tenants.getByName(racer.tenant.tenant))!.id;
  assert.equal((await h.services.store.credentials.list(tid, racer.clientId)).length, 4);
  assert.equal((await racer.tenant.api('GET', credsPath(racer.clientId))).body.length, 4);
});

test('deleting a credential still enabled on the client is refused', async () => {
  const tenant = await h.createTenant();
  const app = await pkjwtApp(tenant);
  const before = await snapshot(h, tenant, app.clientId);
  const r = await tenant.api('DELETE', `${credsPath(app.clientId)}/${app.credentialId}`);
  assertMgmtError(r, 400, 'credential_in_use', /Cannot delete credential still associated with a client/);
  await assertUnchanged(h, tenant, app.clientId, before);
});

test('enabling 3 credentials at once is refused (at most 2 per method)', async () => {
  const { tenant, clientId } = await freshApp();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await createCredential(tenant, clientId, credentialBody(spki(newRsa()), { name: `k${i}` }))).id);
  const before = await snapshot(h, tenant, clientId);
  const r = await tenant.api('PATCH', `/clients/${clientId}`, {
    token_endpoint_auth_method: null,
    client_authentication_methods: { private_key_jwt: { credentials: ids.map((id) => ({ id })) } },
  });
  assertMgmtError(r, 400, 'too_many_enabled_credentials', /Array is too long \(3\), maximum 2/);
  await assertUnchanged(h, tenant, clientId, before);

  // The same limit when the credentials are created inline with the client: no client, no credential.
  const tid = (await h.services.store.tenants.getByName(tenant.tenant))!.id;
  const clientsBefore = (await h.services.store.clients.list(tid)).total;
  const rowsBefore = await totalCredentialRows(h);
  const c = await tenant.api('POST', '/clients', {
    name: 'three',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [0, 1, 2].map(() => credentialBody(spki(newRsa()))) } },
  });
  assertMgmtError(c, 400, 'too_many_enabled_credentials', /Array is too long \(3\), maximum 2/);
  assert.equal((await h.services.store.clients.list(tid)).total, clientsBefore);
  assert.equal(await totalCredentialRows(h), rowsBefore);
});

test('unknown fields in the body are refused (additionalProperties: false)', async () => {
  const { tenant, clientId } = await freshApp();
  const pem = spki(newRsa());
  await refuseUpload(tenant, clientId, credentialBody(pem, { foo: 'bar' }), 400, 'invalid_body', /additional properties/i);
  await refuseUpload(tenant, clientId, credentialBody(pem, { private_key: 'x' }), 400, 'invalid_body');
  await refuseUpload(tenant, clientId, credentialBody(pem, { subject_dn: 'CN=x', id: 'cred_x' }), 400, 'invalid_body');
  // PATCH accepts only expires_at.
  const cred = await createCredential(tenant, clientId, credentialBody(pem));
  for (const body of [{ name: 'renamed' }, { expires_at: null, alg: 'PS256' }, { kid: 'new-kid-12345' }, {}]) {
    const before = await snapshot(h, tenant, clientId);
    const r = await tenant.api('PATCH', `${credsPath(clientId)}/${cred.id}`, body);
    assertMgmtError(r, 400, ['invalid_body', 'expires_at_required']);
    await assertUnchanged(h, tenant, clientId, before);
  }
});

test('a kid not matching ^[0-9a-zA-Z-_]{10,64}$ is refused', async () => {
  const { tenant, clientId } = await freshApp();
  const pem = spki(newRsa());
  for (const kid of ['short-kid', 'k'.repeat(65), 'has.dots.in.it', 'has spaces inside', 'kid/with/slash', 'ünïcödé-kid-1', '', 'k'.repeat(200)]) {
    await refuseUpload(tenant, clientId, credentialBody(pem, { kid }), 400, ['invalid_kid', 'invalid_body'], /kid/);
  }
  // Boundaries are accepted: 10 and 64 characters of the allowed alphabet.
  const ten = await createCredential(tenant, clientId, credentialBody(pem, { kid: 'aZ09-_aZ09' }));
  assert.equal(ten.kid, 'aZ09-_aZ09');
  const sixtyFour = await createCredential(tenant, clientId, credentialBody(spki(newRsa()), { kid: 'x'.repeat(64) }));
  assert.equal(sixtyFour.kid, 'x'.repeat(64));
  // A custom kid already used by another key of the client is refused too (the kid picks the key).
  await refuseUpload(tenant, clientId, credentialBody(spki(newRsa()), { kid: 'aZ09-_aZ09' }), 400, 'duplicate_kid', /kid/);
});

test('a name longer than 128 characters is refused', async () => {
  const { tenant, clientId } = await freshApp();
  const pem = spki(newRsa());
  await refuseUpload(tenant, clientId, credentialBody(pem, { name: 'n'.repeat(129) }), 400, ['invalid_name', 'invalid_body'], /name/);
  await refuseUpload(tenant, clientId, credentialBody(pem, { name: 'é'.repeat(129) }), 400, ['invalid_name', 'invalid_body'], /name/);
  await refuseUpload(tenant, clientId, credentialBody(pem, { name: 42 }), 400, ['invalid_name', 'invalid_body'], /name/);
  const ok = await createCredential(tenant, clientId, credentialBody(pem, { name: 'n'.repeat(128) }));
  assert.equal(ok.name, 'n'.repeat(128));
});

// -------------------------------------------------------------------------------------------
// Who may have credentials
// -------------------------------------------------------------------------------------------

/** All five credential operations on `clientId`; each must answer `status`/`errorCode` and change nothing. */
async function refuseAllOperations(tenant: TestTenant, clientId: string, status: number, errorCode: string, message: string | RegExp, credId = FAKE_CRED) {
  const ops: [string, string, unknown][] = [
    ['GET', credsPath(clientId), undefined],
    ['POST', credsPath(clientId), credentialBody(spki(newRsa()))],
    ['GET', `${credsPath(clientId)}/${credId}`, undefined],
    ['PATCH', `${credsPath(clientId)}/${credId}`, { expires_at: new Date(Date.now() + 86_400_000).toISOString() }],
    ['DELETE', `${credsPath(clientId)}/${credId}`, undefined],
  ];
  for (const [method, path, body] of ops) {
    const r = await tenant.api(method, path, body);
    assertMgmtError(r, status, errorCode, message);
  }
}

test('credential operations on a Single Page and on a Native app are 403: a public client cannot keep a private key secret', async () => {
  const tenant = await h.createTenant();
  const why = /public client cannot keep a private key secret/;
  for (const appType of ['spa', 'native']) {
    const { clientId } = await secretApp(tenant, appType);
    const before = await snapshot(h, tenant, clientId);
    await refuseAllOperations(tenant, clientId, 403, 'public_client', why);
    // Enabling private_key_jwt on it is refused the same way.
    const p = await tenant.api('PATCH', `/clients/${clientId}`, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [] } } });
    assertMgmtError(p, 403, 'public_client', why);
    await assertUnchanged(h, tenant, clientId, before);

    // And creating one with inline credentials creates nothing.
    const tid = (await h.services.store.tenants.getByName(tenant.tenant))!.id;
    const clientsBefore = (await h.services.store.clients.list(tid)).total;
    const rowsBefore = await totalCredentialRows(h);
    const c = await tenant.api('POST', '/clients', {
      name: `public ${appType}`,
      app_type: appType,
      client_authentication_methods: { private_key_jwt: { credentials: [credentialBody(spki(newRsa()))] } },
    });
    assertMgmtError(c, 403, 'public_client', why);
    assert.equal((await h.services.store.clients.list(tid)).total, clientsBefore);
    assert.equal(await totalCredentialRows(h), rowsBefore);
  }

  // A confidential app using private_key_jwt cannot be turned into a public one.
  const app = await pkjwtApp(tenant);
  const before = await snapshot(h, tenant, app.clientId);
  const r = await tenant.api('PATCH', `/clients/${app.clientId}`, { app_type: 'spa' });
  assertMgmtError(r, 403, 'public_client', why);
  await assertUnchanged(h, tenant, app.clientId, before);
});

test('credential operations on a professional-plan tenant are 403 naming the Enterprise plan', async () => {
  const { tenant, clientId } = await freshApp('professional');
  const before = await snapshot(h, tenant, clientId);
  await refuseAllOperations(tenant, clientId, 403, 'plan_required', /Enterprise plan/);
  const p = await tenant.api('PATCH', `/clients/${clientId}`, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [] } } });
  assertMgmtError(p, 403, 'plan_required', /Enterprise plan/);
  await assertUnchanged(h, tenant, clientId, before);
  const c = await tenant.api('POST', '/clients', {
    name: 'pro',
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [credentialBody(spki(newRsa()))] } },
  });
  assertMgmtError(c, 403, 'plan_required', /Enterprise plan/);
});

test('a client of another tenant is 404 "Client not found." for every credential operation', async () => {
  const owner = await h.createTenant();
  const app = await pkjwtApp(owner);
  const intruder = await h.createTenant();
  const before = await snapshot(h, owner, app.clientId);
  await refuseAllOperations(intruder, app.clientId, 404, 'client_not_found', 'Client not found.', app.credentialId);
  const p = await intruder.api('PATCH', `/clients/${app.clientId}`, { client_authentication_methods: null, token_endpoint_auth_method: 'client_secret_post' });
  assertMgmtError(p, 404, 'client_not_found', 'Client not found.');
  const g = await intruder.api('GET', `/clients/${app.clientId}`);
  assertMgmtError(g, 404, 'client_not_found', 'Client not found.');
  await assertUnchanged(h, owner, app.clientId, before);
});

test("another client's credential (same tenant) is 404 \"Credential does not exist\", and cannot be enabled", async () => {
  const tenant = await h.createTenant();
  const owner = await pkjwtApp(tenant);
  const spare = await createCredential(tenant, owner.clientId, credentialBody(spki(newRsa()), { name: 'spare' }));
  const { clientId } = await secretApp(tenant);
  const mine = await createCredential(tenant, clientId, credentialBody(spki(newRsa())));
  const ownerBefore = await snapshot(h, tenant, owner.clientId);
  const before = await snapshot(h, tenant, clientId);
  for (const id of [owner.credentialId, spare.id]) {
    assertMgmtError(await tenant.api('GET', `${credsPath(clientId)}/${id}`), 404, 'credential_not_found', 'Credential does not exist');
    assertMgmtError(await tenant.api('PATCH', `${credsPath(clientId)}/${id}`, { expires_at: null }), 404, 'credential_not_found', 'Credential does not exist');
    assertMgmtError(await tenant.api('DELETE', `${credsPath(clientId)}/${id}`), 404, 'credential_not_found', 'Credential does not exist');
  }
  for (const ids of [[spare.id], [FAKE_CRED], [mine.id, mine.id], [mine.id, spare.id]]) {
    const r = await tenant.api('PATCH', `/clients/${clientId}`, {
      token_endpoint_auth_method: null,
      client_authentication_methods: { private_key_jwt: { credentials: ids.map((id) => ({ id })) } },
    });
    assertMgmtError(r, 400, ['credential_not_found', 'duplicate_credential_id']);
  }
  await assertUnchanged(h, tenant, clientId, before);
  await assertUnchanged(h, tenant, owner.clientId, ownerBefore);
});

// -------------------------------------------------------------------------------------------
// Management API authentication and scopes
// -------------------------------------------------------------------------------------------

test('the Management API without a token is 401', async () => {
  const { tenant, clientId } = await freshApp();
  const before = await snapshot(h, tenant, clientId);
  for (const [method, body] of [['GET', undefined], ['POST', credentialBody(spki(newRsa()))]] as const) {
    const r = await rawApi(h.fetch, tenant, method, credsPath(clientId), { token: null, body });
    assertMgmtError(r, 401, 'missing_token', /token/i);
  }
  const garbage = await rawApi(h.fetch, tenant, 'POST', credsPath(clientId), { token: 'not.a.token', body: credentialBody(spki(newRsa())) });
  assertMgmtError(garbage, 401, 'invalid_token', 'Invalid token.');
  await assertUnchanged(h, tenant, clientId, before);
});

test("a token of another tenant is 401", async () => {
  const { tenant, clientId } = await freshApp();
  const other = await h.createTenant();
  const foreign = await other.managementToken();
  const before = await snapshot(h, tenant, clientId);
  for (const [method, body] of [['GET', undefined], ['POST', credentialBody(spki(newRsa()))]] as const) {
    const r = await rawApi(h.fetch, tenant, method, credsPath(clientId), { token: foreign, body });
    assertMgmtError(r, 401, 'invalid_token', 'Invalid token.');
  }
  await assertUnchanged(h, tenant, clientId, before);
});

test('a token lacking the scope is 403 "Insufficient scope; expected any of: create:client_credentials."', async () => {
  const { tenant, clientId } = await freshApp();
  const cred = await createCredential(tenant, clientId, credentialBody(spki(newRsa())));
  // An M2M app allowed only read:client_credentials on the Management API, using client_secret_post.
  const reader = await secretApp(tenant, 'non_interactive', 'reader');
  await grant(tenant, reader.clientId, tenant.management.audience, ['read:client_credentials']);
  const t = await h.token(tenant, { grant_type: 'client_credentials', client_id: reader.clientId, client_secret: reader.secret!, audience: tenant.management.audience });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(t.body.scope, 'read:client_credentials');
  const token = t.body.access_token as string;

  const before = await snapshot(h, tenant, clientId);
  const post = await rawApi(h.fetch, tenant, 'POST', credsPath(clientId), { token, body: credentialBody(spki(newRsa())) });
  assertMgmtError(post, 403, 'insufficient_scope', 'Insufficient scope; expected any of: create:client_credentials.');
  const patch = await rawApi(h.fetch, tenant, 'PATCH', `${credsPath(clientId)}/${cred.id}`, { token, body: { expires_at: null } });
  assertMgmtError(patch, 403, 'insufficient_scope', 'Insufficient scope; expected any of: update:client_credentials.');
  const del = await rawApi(h.fetch, tenant, 'DELETE', `${credsPath(clientId)}/${cred.id}`, { token });
  assertMgmtError(del, 403, 'insufficient_scope', 'Insufficient scope; expected any of: delete:client_credentials.');
  const enable = await rawApi(h.fetch, tenant, 'PATCH', `/clients/${clientId}`, {
    token,
    body: { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id: cred.id }] } } },
  });
  assertMgmtError(enable, 403, 'insufficient_scope', 'Insufficient scope; expected any of: update:clients.');
  await assertUnchanged(h, tenant, clientId, before);
  // The scope it has works.
  const list = await rawApi(h.fetch, tenant, 'GET', credsPath(clientId), { token });
  assert.equal(list.status, 200);
  assert.equal(list.body.length, 1);
});

// -------------------------------------------------------------------------------------------
// The client secret while private_key_jwt is on
// -------------------------------------------------------------------------------------------

test('rotate-secret is refused while private_key_jwt is on', async () => {
  const tenant = await h.createTenant();
  const app = await pkjwtApp(tenant);
  const before = await snapshot(h, tenant, app.clientId);
  const r = await tenant.api('POST', `/clients/${app.clientId}/rotate-secret`);
  assert.ok(r.status === 400 || r.status === 403, `status ${r.status}`);
  assertMgmtError(r, r.status, 'private_key_jwt_active', /Private Key JWT/);
  assert.equal(r.body.client_secret, undefined);
  await assertUnchanged(h, tenant, app.clientId, before);
});

test('the client secret is hidden from GET /clients/{id} while private_key_jwt is on, and not accepted at /oauth/token', async () => {
  const tenant = await h.createTenant();
  await createApi(tenant);
  const app = await secretApp(tenant);
  await grant(tenant, app.clientId);
  const secret = app.secret!;
  assert.ok(secret, 'a confidential app is created with a secret');
  const shown = await tenant.api('GET', `/clients/${app.clientId}`);
  assert.equal(shown.body.client_secret, secret, 'visible (read:client_keys) while a secret method is active');
  const ok = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret, audience: API_AUDIENCE });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));

  const key = newRsa();
  const cred = await createCredential(tenant, app.clientId, credentialBody(spki(key)));
  const patched = await tenant.api('PATCH', `/clients/${app.clientId}`, {
    token_endpoint_auth_method: null,
    client_authentication_methods: { private_key_jwt: { credentials: [{ id: cred.id }] } },
  });
  assert.equal(patched.status, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.client_secret, undefined, 'PATCH response hides the secret');
  assert.equal(patched.body.token_endpoint_auth_method, null);
  assert.deepEqual(patched.body.client_authentication_methods, { private_key_jwt: { credentials: [{ id: cred.id }] } });

  const got = await tenant.api('GET', `/clients/${app.clientId}`);
  assert.equal(got.status, 200);
  assert.equal('client_secret' in got.body, false, 'GET /clients/{id} hides the secret');
  assert.ok(!JSON.stringify(got.body).includes(secret));
  const list = await tenant.api('GET', '/clients');
  assert.ok(!JSON.stringify(list.body).includes(secret), 'GET /clients hides the secret');

  const before = await snapshot(h, tenant, app.clientId);
  // Refused, without telling the (unauthenticated) caller which method the client uses instead.
  const post = await h.token(tenant, { grant_type: 'client_credentials', client_id: app.clientId, client_secret: secret, audience: API_AUDIENCE });
  assertOAuthError(post, 401, 'invalid_client', /does not accept client_secret_post/);
  assert.doesNotMatch(post.body.error_description, /Private Key JWT|private_key_jwt|client_assertion/i);
  const basic = await h.token(
    tenant,
    { grant_type: 'client_credentials', audience: API_AUDIENCE },
    { authorization: `Basic ${Buffer.from(`${app.clientId}:${secret}`).toString('base64')}` },
  );
  assertOAuthError(basic, 401, 'invalid_client', /does not accept client_secret_basic/);
  assert.doesNotMatch(basic.body.error_description, /Private Key JWT|private_key_jwt|client_assertion/i);
  await assertUnchanged(h, tenant, app.clientId, before);
});

// -------------------------------------------------------------------------------------------
// Happy paths of the same endpoints
// -------------------------------------------------------------------------------------------

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

test('POST credentials: 201 with id cred_ + 22 chars, kid = RFC 7638 thumbprint, alg RS256 by default, and no pem', async () => {
  const { tenant, clientId } = await freshApp();
  const key = newRsa();
  const pem = spki(key);
  const rowsBefore = (await h.services.store.credentials.list((await h.services.store.tenants.getByName(tenant.tenant))!.id, clientId)).length;
  const r = await tenant.api('POST', credsPath(clientId), credentialBody(pem, { name: 'primary' }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const c = r.body;
  assert.match(c.id, /^cred_[0-9A-Za-z]{22}$/);
  assert.equal(c.kid, rfc7638(key));
  assert.equal(c.alg, 'RS256');
  assert.equal(c.credential_type, 'public_key');
  assert.equal(c.name, 'primary');
  assert.match(c.created_at, ISO);
  assert.match(c.updated_at, ISO);
  assert.equal(c.expires_at ?? null, null);
  assert.equal('pem' in c, false, 'the response never returns pem');
  assert.equal(findSlice(JSON.stringify(c), slices(pemBody(pem))), -1, 'no key material in the response');
  assert.equal(c.subject_dn, undefined);
  assert.equal(c.thumbprint_sha256, undefined);
  // GET one and GET list agree; it is stored but not enabled.
  const one = await tenant.api('GET', `${credsPath(clientId)}/${c.id}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, c);
  const list = await tenant.api('GET', credsPath(clientId));
  assert.deepEqual(list.body, [c]);
  const tid = (await h.services.store.tenants.getByName(tenant.tenant))!.id;
  assert.equal((await h.services.store.credentials.list(tid, clientId)).length, rowsBefore + 1);
  assert.deepEqual(await h.services.store.clients.enabledCredentialIds(clientId), []);
  // Other algs are kept as given.
  const ps = await createCredential(tenant, clientId, credentialBody(spki(newRsa()), { alg: 'PS256' }));
  assert.equal(ps.alg, 'PS256');
  const rs384 = await createCredential(tenant, clientId, credentialBody(spki(newRsa()), { alg: 'RS384' }));
  assert.equal(rs384.alg, 'RS384');
});

test('POST credentials with a custom kid returns that kid', async () => {
  const { tenant, clientId } = await freshApp();
  const c = await createCredential(tenant, clientId, credentialBody(spki(newRsa()), { kid: 'my-custom_kid-2026' }));
  assert.equal(c.kid, 'my-custom_kid-2026');
});

test('a certificate gives subject_dn and thumbprint_sha256; its expires_at is its notAfter with or without parse_expiry_from_cert', async () => {
  const { tenant, clientId } = await freshApp();
  const cert = selfSignedCert('/C=FR/O=Acme Corp/CN=signet-e2e', 30);
  const x = new X509Certificate(cert.certPem);
  const subject = opensslCertField(cert.file, ['-subject', '-nameopt', 'RFC2253']).replace(/^subject=\s*/, '');
  const notAfter = new Date(Date.parse(opensslCertField(cert.file, ['-enddate']).replace(/^notAfter=/, ''))).toISOString();
  const thumbprint = createHash('sha256').update(x.raw).digest('base64url');

  const c = await createCredential(tenant, clientId, credentialBody(cert.certPem, { parse_expiry_from_cert: true }));
  assert.equal(c.subject_dn, subject);
  assert.equal(c.subject_dn, 'CN=signet-e2e,O=Acme Corp,C=FR');
  assert.equal(c.thumbprint_sha256, thumbprint);
  assert.equal(c.expires_at, notAfter);
  assert.equal(c.kid, rfc7638({ publicKey: x.publicKey } as KeyPair));
  assert.equal('pem' in c, false);

  // Without parse_expiry_from_cert no explicit expiry is stored, but expires_at still reports
  // when the credential stops verifying: its certificate's notAfter, never "no expiry".
  const cert2 = selfSignedCert('/CN=second', 30);
  const c2 = await createCredential(tenant, clientId, { credential_type: 'x509_cert', name: 'x509', pem: cert2.certPem });
  assert.equal(c2.expires_at, new Date(new X509Certificate(cert2.certPem).validTo).toISOString());
  assert.equal(c2.subject_dn, 'CN=second');
  assert.equal(c2.credential_type, 'x509_cert');
});

test('PATCH a credential changes only expires_at', async () => {
  const { tenant, clientId } = await freshApp();
  const t1 = new Date(Date.now() + 7 * 86_400_000).toISOString();
  const t2 = new Date(Date.now() + 30 * 86_400_000).toISOString();
  const c = await createCredential(tenant, clientId, credentialBody(spki(newRsa()), { expires_at: t1, name: 'rotating' }));
  assert.equal(c.expires_at, t1);
  const r = await tenant.api('PATCH', `${credsPath(clientId)}/${c.id}`, { expires_at: t2 });
  assert.ok(r.status === 200 || r.status === 201, `PATCH status ${r.status} ${JSON.stringify(r.body)}`);
  const { expires_at, updated_at, ...rest } = r.body;
  const { expires_at: _e, updated_at: _u, ...was } = c;
  assert.equal(expires_at, t2);
  assert.deepEqual(rest, was, 'every other field is unchanged');
  assert.ok(Date.parse(updated_at) >= Date.parse(c.updated_at));
  assert.deepEqual((await tenant.api('GET', `${credsPath(clientId)}/${c.id}`)).body, r.body);

  // Refused changes leave it as it is.
  for (const [body, code] of [
    [{ expires_at: '2020-01-01T00:00:00Z' }, 'expires_at_in_past'],
    [{ expires_at: 'soon' }, ['invalid_expires_at', 'invalid_body']],
  ] as const) {
    const before = await snapshot(h, tenant, clientId);
    const bad = await tenant.api('PATCH', `${credsPath(clientId)}/${c.id}`, body);
    assertMgmtError(bad, 400, code);
    await assertUnchanged(h, tenant, clientId, before);
  }
  const missing = await tenant.api('PATCH', `${credsPath(clientId)}/${FAKE_CRED}`, { expires_at: t2 });
  assertMgmtError(missing, 404, 'credential_not_found', 'Credential does not exist');

  // null removes the expiry.
  const never = await tenant.api('PATCH', `${credsPath(clientId)}/${c.id}`, { expires_at: null });
  assert.ok(never.status === 200 || never.status === 201);
  assert.equal(never.body.expires_at, null);
});

test('DELETE a credential that is not enabled: 204, then it is gone', async () => {
  const tenant = await h.createTenant();
  const app = await pkjwtApp(tenant);
  const spare = await createCredential(tenant, app.clientId, credentialBody(spki(newRsa()), { name: 'spare' }));
  const tid = (await h.services.store.tenants.getByName(tenant.tenant))!.id;
  assert.equal((await h.services.store.credentials.list(tid, app.clientId)).length, 2);
  const r = await tenant.api('DELETE', `${credsPath(app.clientId)}/${spare.id}`);
  assert.equal(r.status, 204);
  assert.equal(r.body, undefined);
  assertMgmtError(await tenant.api('GET', `${credsPath(app.clientId)}/${spare.id}`), 404, 'credential_not_found', 'Credential does not exist');
  const list = await tenant.api('GET', credsPath(app.clientId));
  assert.deepEqual(list.body.map((c: { id: string }) => c.id), [app.credentialId]);
  assert.equal((await h.services.store.credentials.list(tid, app.clientId)).length, 1);
  const before = await snapshot(h, tenant, app.clientId);
  assertMgmtError(await tenant.api('DELETE', `${credsPath(app.clientId)}/${spare.id}`), 404, 'credential_not_found', 'Credential does not exist');
  await assertUnchanged(h, tenant, app.clientId, before);
});

test('CRLF PEMs, JSON-escaped PEMs and PKCS#1 public keys are accepted', async () => {
  const { tenant, clientId } = await freshApp();
  const tid = (await h.services.store.tenants.getByName(tenant.tenant))!.id;
  const crlf = newRsa();
  const escaped = newRsa();
  const pkcs1 = newRsa();
  const cases: [string, KeyPair, string][] = [
    ['CRLF', crlf, spki(crlf).replace(/\n/g, '\r\n')],
    ['JSON-escaped (literal \\n)', escaped, spki(escaped).replace(/\n/g, '\\n')],
    ['PKCS#1 BEGIN RSA PUBLIC KEY', pkcs1, pkcs1Public(pkcs1)],
  ];
  assert.match(cases[2]![2], /^-----BEGIN RSA PUBLIC KEY-----/);
  for (const [name, key, pem] of cases) {
    const r = await tenant.api('POST', credsPath(clientId), credentialBody(pem, { name }));
    assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.kid, rfc7638(key), `${name}: kid is the key's thumbprint`);
    const stored = (await h.services.store.credentials.get(tid, clientId, r.body.id))!;
    assert.equal(stored.pem, spki(key), `${name}: stored as normalized SPKI`);
  }
  // The key uploaded as PKCS#1 verifies assertions like any other.
  await createApi(tenant);
  await grant(tenant, clientId);
  const list = await tenant.api('GET', credsPath(clientId));
  const pkcs1Cred = list.body.find((c: { kid: string }) => c.kid === rfc7638(pkcs1));
  const en = await tenant.api('PATCH', `/clients/${clientId}`, { token_endpoint_auth_method: null, client_authentication_methods: { private_key_jwt: { credentials: [{ id: pkcs1Cred.id }] } } });
  assert.equal(en.status, 200, JSON.stringify(en.body));
  const a = assertion({ clientId, aud: tenant.issuer, key: pkcs1.privateKey });
  const t = await h.token(tenant, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: a.token, audience: API_AUDIENCE });
  assert.equal(t.status, 200, JSON.stringify(t.body));
});
