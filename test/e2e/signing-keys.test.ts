/**
 * Tenant signing keys as Auth0 customers drive them: the v7 `ManagementClient.keys.signing`
 * (and the legacy `keys` manager), jose's remote JWKS as a relying party, and plain HTTP for
 * the refusals. A next key is published before it signs; rotation keeps the replaced key
 * published until it is revoked; a revoked key leaves the JWKS and its tokens stop verifying.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPublicKey } from 'node:crypto';
import { createLocalJWKSet, createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { ManagementClient } from 'auth0';
import { ManagementClient as LegacyManagementClient } from 'auth0/legacy';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { createApi, createM2MApp, grantAccess } from '../support/fixtures.ts';
import { assertMgmtError } from '../support/refusal-helpers.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

const sdk = (tenant: TestTenant) =>
  new ManagementClient({ domain: tenant.domain, clientId: tenant.management.client_id, clientSecret: tenant.management.client_secret, fetch: h.fetch });

async function jwks(tenant: TestTenant): Promise<JSONWebKeySet> {
  const r = await h.fetch(new URL('.well-known/jwks.json', tenant.issuer));
  assert.equal(r.status, 200);
  return (await r.json()) as JSONWebKeySet;
}

/** A new API of the tenant that its management client may get tokens for. */
async function grantedApi(tenant: TestTenant): Promise<string> {
  const audience = await createApi(tenant);
  await grantAccess(tenant, tenant.management.client_id, audience, ['read:things']);
  return audience;
}

/** A token for an API of the tenant, signed with whatever key the tenant signs with now. */
async function apiToken(tenant: TestTenant, audience: string): Promise<string> {
  const r = await h.token(tenant, { grant_type: 'client_credentials', client_id: tenant.management.client_id, client_secret: tenant.management.client_secret, audience });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

const kidOf = (jwt: string) => decodeProtectedHeader(jwt).kid;

/** No private key material anywhere in a response body. */
function assertNoPrivateParts(body: unknown): void {
  const text = JSON.stringify(body);
  assert.doesNotMatch(text, /PRIVATE KEY/);
  for (const k of ['"d"', '"p"', '"q"', '"dp"', '"dq"', '"qi"']) assert.ok(!text.includes(`${k}:`), `${k} in ${text.slice(0, 200)}`);
}

describe('signing keys over the v7 SDK', () => {
  test('a new tenant has a current and a next key, both published (current first); get by kid matches the list', async () => {
    const tenant = await h.createTenant();
    const mc = sdk(tenant);
    const keys = await mc.keys.signing.list();
    assert.equal(keys.length, 2);
    const [current, next] = keys;
    assert.equal(current!.current, true);
    assert.equal(current!.next, false);
    assert.equal(next!.next, true);
    assert.equal(next!.current, false);
    assert.ok(current!.current_since && !Number.isNaN(Date.parse(String(current!.current_since))));
    assert.equal(next!.current_since, undefined);
    assert.deepEqual((await jwks(tenant)).keys.map((k) => k.kid), [current!.kid, next!.kid]);
    assert.deepEqual(await mc.keys.signing.get(next!.kid), next);
    assertNoPrivateParts(keys);
  });

  test('each key carries a self-signed certificate for its own public key, published as x5c/x5t and shown with Auth0 fingerprints', async () => {
    const tenant = await h.createTenant();
    const keys = await sdk(tenant).keys.signing.list();
    const published = (await jwks(tenant)).keys;
    for (const k of keys) {
      const cert = new X509Certificate(k.cert);
      const jwk = published.find((j) => j.kid === k.kid)!;
      assert.deepEqual(cert.publicKey.export({ format: 'jwk' }), { kty: 'RSA', n: jwk.n, e: jwk.e });
      assert.ok(cert.verify(cert.publicKey), 'the certificate is signed by its own key');
      assert.equal(cert.subject, `CN=${tenant.domain.replace(/:\d+$/, '')}`);
      assert.deepEqual(jwk.x5c, [cert.raw.toString('base64')]);
      assert.equal(jwk.x5t, createHash('sha1').update(cert.raw).digest('base64url'));
      assert.equal(k.fingerprint, cert.fingerprint);
      assert.equal(k.thumbprint, cert.fingerprint.replaceAll(':', ''));
      assert.match(k.pkcs7!, /^-----BEGIN PKCS7-----\n[\s\S]+\n-----END PKCS7-----\n$/);
      // The certificate's key is the one tokens verify with.
      assert.deepEqual(createPublicKey({ key: jwk as never, format: 'jwk' }).export({ format: 'jwk' }), cert.publicKey.export({ format: 'jwk' }));
    }
  });

  test('rotation: the next key signs at once, a JWKS fetched before the rotation verifies it, the replaced key stays published until revoked', async () => {
    const tenant = await h.createTenant();
    const mc = sdk(tenant);
    const audience = await grantedApi(tenant);
    const [current, next] = await mc.keys.signing.list();
    const before = await apiToken(tenant, audience);
    assert.equal(kidOf(before), current!.kid);
    const fetchedBefore = createLocalJWKSet(await jwks(tenant));
    // A relying party's remote JWKS (jose's, as express-oauth2-jwt-bearer uses), loaded before the rotation.
    const remote = createRemoteJWKSet(new URL('.well-known/jwks.json', tenant.issuer), { [customFetch]: h.fetch, cooldownDuration: 0 });
    await jwtVerify(before, remote, { issuer: tenant.issuer, audience });

    const rotated = await mc.keys.signing.rotate();
    assert.equal(rotated.kid, next!.kid, 'the key that was next now signs');
    assert.equal(new X509Certificate(rotated.cert).fingerprint, next!.fingerprint);
    assertNoPrivateParts(rotated);

    const after = await apiToken(tenant, audience);
    assert.equal(kidOf(after), next!.kid, 'a token issued right after the rotation is signed with the new key');
    await jwtVerify(after, fetchedBefore, { issuer: tenant.issuer, audience });
    await jwtVerify(after, remote, { issuer: tenant.issuer, audience });
    await jwtVerify(before, createLocalJWKSet(await jwks(tenant)), { issuer: tenant.issuer, audience });

    const keys = await mc.keys.signing.list();
    const byKid = new Map(keys.map((k) => [k.kid, k]));
    assert.equal(byKid.get(next!.kid)!.current, true);
    const previous = byKid.get(current!.kid)!;
    assert.equal(previous.previous, true);
    assert.equal(previous.current, false);
    assert.ok(previous.current_until);
    const newNext = keys.find((k) => k.next)!;
    assert.ok(newNext.kid !== current!.kid && newNext.kid !== next!.kid);
    assert.deepEqual((await jwks(tenant)).keys.map((k) => k.kid), [next!.kid, newNext.kid, current!.kid]);

    const revoked = await mc.keys.signing.revoke(current!.kid);
    assert.equal(revoked.kid, current!.kid);
    assertNoPrivateParts(revoked);
    // The SDK's own Management API token was signed with the key just revoked: a new client fetches a new one.
    const mc2 = sdk(tenant);
    assert.deepEqual((await jwks(tenant)).keys.map((k) => k.kid), [next!.kid, newNext.kid]);
    const shown = await mc2.keys.signing.get(current!.kid);
    assert.equal(shown.revoked, true);
    assert.equal(shown.previous, false);
    assert.ok(shown.revoked_at);
    // A relying party refetching the JWKS no longer finds the revoked key.
    const fresh = createRemoteJWKSet(new URL('.well-known/jwks.json', tenant.issuer), { [customFetch]: h.fetch });
    await assert.rejects(jwtVerify(before, fresh, { issuer: tenant.issuer, audience }), { code: 'ERR_JWKS_NO_MATCHING_KEY' });
    await jwtVerify(after, fresh, { issuer: tenant.issuer, audience });
    // Revoking it again changes nothing and answers the same.
    assert.deepEqual(await mc2.keys.signing.revoke(current!.kid), revoked);
    assert.equal((await mc2.keys.signing.get(current!.kid)).revoked_at, shown.revoked_at);
  });

  test('the process that rotated signs with the new key as soon as the call returns, before any stamp check', async () => {
    const tenant = await h.createTenant();
    const audience = await grantedApi(tenant);
    const [current, next] = (await tenant.api('GET', '/keys/signing')).body;
    assert.equal(kidOf(await apiToken(tenant, audience)), current.kid);
    // Hold the once-a-second stamp check still: only what the rotation itself does may move this process on.
    const tenants = h.services.store.tenants;
    const frozen = await tenants.stamp();
    const stamp = tenants.stamp;
    tenants.stamp = async () => frozen;
    try {
      assert.equal((await tenant.api('POST', '/keys/signing/rotate')).status, 201);
      assert.equal(kidOf(await apiToken(tenant, audience)), next.kid);
    } finally {
      tenants.stamp = stamp;
    }
  });

  test('Management API tokens signed with a revoked key are refused at once', async () => {
    const tenant = await h.createTenant();
    const old = await tenant.managementToken();
    const mc = sdk(tenant);
    const [current] = await mc.keys.signing.list();
    await mc.keys.signing.rotate();
    assert.equal((await tenant.api('GET', '/keys/signing', undefined, old)).status, 200, 'the previous key still verifies');
    await mc.keys.signing.revoke(current!.kid);
    const r = await tenant.api('GET', '/keys/signing', undefined, old);
    assertMgmtError(r, 401, 'invalid_token');
  });

  test('the legacy SDK keys manager (getAll, get, rotate, revoke) works too', async () => {
    const tenant = await h.createTenant();
    const mc = new LegacyManagementClient({ domain: tenant.domain, clientId: tenant.management.client_id, clientSecret: tenant.management.client_secret, fetch: h.fetch });
    const { data: all } = await mc.keys.getAll();
    const current = all.find((k) => k.current)!;
    const { data: one } = await mc.keys.get({ kid: current.kid });
    assert.equal(one.kid, current.kid);
    const { data: rotated, status } = await mc.keys.rotate();
    assert.equal(status, 201);
    assert.equal(rotated.kid, all.find((k) => k.next)!.kid);
    const { data: revoked, status: revokeStatus } = await mc.keys.revoke({ kid: current.kid });
    assert.equal(revokeStatus, 200);
    assert.equal(revoked.kid, current.kid);
  });

  test('rotations and revocations are audit-logged as sapi events naming the keys', async () => {
    const tenant = await h.createTenant();
    const mc = sdk(tenant);
    const [current, next] = await mc.keys.signing.list();
    await mc.keys.signing.rotate();
    await mc.keys.signing.revoke(current!.kid);
    await h.services.store.logs.flush();
    const t = (await h.services.store.tenants.getByName(tenant.tenant))!;
    const events = await h.services.store.logs.list(t.id, { type: 'sapi' });
    const rotation = events.find((e) => e.description === 'Rotate the Application Signing Key')!;
    assert.equal(rotation.details.kid, next!.kid);
    assert.equal(rotation.details.previous_kid, current!.kid);
    assert.equal(rotation.details.path, '/api/v2/keys/signing/rotate');
    const revocation = events.find((e) => e.description === 'Revoke an Application Signing Key')!;
    assert.equal(revocation.details.kid, current!.kid);
  });
});

describe('signing key refusals', () => {
  test('the current key cannot be revoked, nor the next one; nothing changes', async () => {
    const tenant = await h.createTenant();
    const before = await tenant.api('GET', '/keys/signing');
    const current = before.body.find((k: any) => k.current);
    const next = before.body.find((k: any) => k.next);
    assertMgmtError(await tenant.api('PUT', `/keys/signing/${current.kid}/revoke`), 400, 'cannot_revoke_current_key', /current signing key cannot be revoked/);
    assertMgmtError(await tenant.api('PUT', `/keys/signing/${next.kid}/revoke`), 400, 'cannot_revoke_next_key', /next signing key cannot be revoked/);
    assert.deepEqual((await tenant.api('GET', '/keys/signing')).body, before.body);
  });

  test('rotation is refused while 10 replaced keys are still published; revoking one allows it again; the list shows the 10 newest revoked keys', async () => {
    const tenant = await h.createTenant();
    for (let i = 0; i < 10; i++) assert.equal((await tenant.api('POST', '/keys/signing/rotate')).status, 201);
    const before = (await tenant.api('GET', '/keys/signing')).body;
    assert.equal(before.filter((k: any) => k.previous).length, 10);
    const r = await tenant.api('POST', '/keys/signing/rotate');
    assertMgmtError(r, 409, 'too_many_signing_keys', /10 previously used signing keys are still published; revoke one/);
    assert.deepEqual((await tenant.api('GET', '/keys/signing')).body, before, 'nothing changed');
    assert.equal((await jwks(tenant)).keys.length, 12);
    // Management API tokens signed with the current key (the harness's cached one was signed by a key revoked here).
    const freshToken = async (): Promise<string> =>
      (await h.token(tenant, { grant_type: 'client_credentials', client_id: tenant.management.client_id, client_secret: tenant.management.client_secret, audience: tenant.management.audience })).body.access_token;
    let token = await freshToken();
    for (const k of before.filter((x: any) => x.previous)) assert.equal((await tenant.api('PUT', `/keys/signing/${k.kid}/revoke`, undefined, token)).status, 200);
    for (let i = 0; i < 3; i++) {
      token = await freshToken();
      assert.equal((await tenant.api('POST', '/keys/signing/rotate', undefined, token)).status, 201);
      const prev = (await tenant.api('GET', '/keys/signing', undefined, token)).body.find((k: any) => k.previous);
      assert.equal((await tenant.api('PUT', `/keys/signing/${prev.kid}/revoke`, undefined, token)).status, 200);
    }
    token = await freshToken();
    const listed = (await tenant.api('GET', '/keys/signing', undefined, token)).body;
    assert.equal(listed.filter((k: any) => k.revoked).length, 10, 'only the 10 most recently revoked are listed');
    const oldest = before.filter((x: any) => x.previous).at(-1);
    assert.equal((await tenant.api('GET', `/keys/signing/${oldest.kid}`, undefined, token)).body.revoked, true, 'an older revoked key is still found by kid');
  });

  test('an unknown kid is 404 on get and revoke', async () => {
    const tenant = await h.createTenant();
    assertMgmtError(await tenant.api('GET', '/keys/signing/no-such-kid'), 404, 'inexistent_signing_key');
    assertMgmtError(await tenant.api('PUT', '/keys/signing/no-such-kid/revoke'), 404, 'inexistent_signing_key');
  });

  test('a tenant cannot see, revoke or rotate another tenant\'s keys', async () => {
    const a = await h.createTenant();
    const b = await h.createTenant();
    const bKeys = (await b.api('GET', '/keys/signing')).body;
    await b.api('POST', '/keys/signing/rotate');
    const bPrevious = (await b.api('GET', '/keys/signing')).body.find((k: any) => k.previous);
    const bBefore = (await b.api('GET', '/keys/signing')).body;
    for (const k of bKeys) assertMgmtError(await a.api('GET', `/keys/signing/${k.kid}`), 404, 'inexistent_signing_key');
    assertMgmtError(await a.api('PUT', `/keys/signing/${bPrevious.kid}/revoke`), 404, 'inexistent_signing_key');
    // B's token on A's domain is refused outright (another issuer).
    assertMgmtError(await a.api('POST', '/keys/signing/rotate', undefined, await b.managementToken()), 401, 'invalid_token');
    await a.api('POST', '/keys/signing/rotate');
    assert.deepEqual((await b.api('GET', '/keys/signing')).body, bBefore);
    const aKids = new Set((await jwks(a)).keys.map((k) => k.kid));
    for (const k of bBefore) assert.ok(!aKids.has(k.kid));
  });

  test('rotate takes no input: a body field or a query parameter is refused by name, and no rotation happens', async () => {
    const tenant = await h.createTenant();
    const before = (await tenant.api('GET', '/keys/signing')).body;
    const r = await tenant.api('POST', '/keys/signing/rotate', { kid: 'mine' });
    assertMgmtError(r, 400, 'invalid_body', /Field "kid" is not supported/);
    assert.equal(r.body.field, 'kid');
    const q = await tenant.api('POST', '/keys/signing/rotate?alg=RS512');
    assertMgmtError(q, 400, 'invalid_query_string', /Unknown query parameter alg\. This route takes no query parameters/);
    assert.equal(q.body.field, 'alg');
    const g = await tenant.api('GET', '/keys/signing?include_totals=true');
    assertMgmtError(g, 400, 'invalid_query_string', /include_totals/);
    assertMgmtError(await tenant.api('PUT', `/keys/signing/${before[2]?.kid ?? before[0].kid}/revoke`, ['x']), 400, 'invalid_body', /empty JSON object/);
    assert.deepEqual((await tenant.api('GET', '/keys/signing')).body, before);
  });

  test('scopes: reading needs read:signing_keys, rotating create: or update:signing_keys, revoking update:signing_keys', async () => {
    const tenant = await h.createTenant();
    const reader = await createM2MApp(tenant, { audience: tenant.management.audience, scopes: ['read:signing_keys'], name: 'key-reader' });
    const { signClientAssertion } = await import('../../src/domain/sign-client-assertion.ts');
    const { assertionForm } = await import('../support/fixtures.ts');
    const tok = await h.token(tenant, assertionForm(signClientAssertion({ clientId: reader.clientId, audience: tenant.issuer, privateKey: reader.privateKey }), tenant.management.audience));
    assert.equal(tok.status, 200, JSON.stringify(tok.body));
    const token = tok.body.access_token;
    assert.equal((await tenant.api('GET', '/keys/signing', undefined, token)).status, 200);
    assertMgmtError(await tenant.api('POST', '/keys/signing/rotate', undefined, token), 403, 'insufficient_scope', /create:signing_keys,update:signing_keys/);
    const kid = (await tenant.api('GET', '/keys/signing')).body[0].kid;
    assertMgmtError(await tenant.api('PUT', `/keys/signing/${kid}/revoke`, undefined, token), 403, 'insufficient_scope', /update:signing_keys/);
    const other = await createM2MApp(tenant, { audience: tenant.management.audience, scopes: ['read:clients'], name: 'no-key-scopes' });
    const tok2 = await h.token(tenant, assertionForm(signClientAssertion({ clientId: other.clientId, audience: tenant.issuer, privateKey: other.privateKey }), tenant.management.audience));
    assert.equal(tok2.status, 200, JSON.stringify(tok2.body));
    assertMgmtError(await tenant.api('GET', '/keys/signing', undefined, tok2.body.access_token), 403, 'insufficient_scope', /read:signing_keys/);
    assertMgmtError(await tenant.api('GET', `/keys/signing/${kid}`, undefined, tok2.body.access_token), 403, 'insufficient_scope', /read:signing_keys/);
  });
});

describe('keys made before rotation existed', () => {
  test('start-up upkeep gives each tenant a next key and each key a certificate, once, even when run concurrently', async () => {
    const tenant = await h.createTenant();
    const t = (await h.services.store.tenants.getByName(tenant.tenant))!;
    const db = h.services.store.db;
    // The state an earlier version left: one current key, no next key, no certificates.
    await db.run(`DELETE FROM signing_keys WHERE tenant_id = ? AND status = 'next'`, [t.id]);
    await db.run(`UPDATE signing_keys SET cert_der = NULL WHERE tenant_id = ?`, [t.id]);
    const bare = await jwks(tenant);
    assert.equal(bare.keys.length, 1);
    assert.equal(bare.keys[0]!.x5c, undefined);

    const runs = await Promise.all([h.services.store.signingKeys.upkeep(Date.now()), h.services.store.signingKeys.upkeep(Date.now())]);
    assert.equal(runs.reduce((n, r) => n + r.nextKeys, 0), 1, JSON.stringify(runs));
    assert.equal(runs.reduce((n, r) => n + r.certificates, 0), 1, JSON.stringify(runs));
    const after = await jwks(tenant);
    assert.equal(after.keys.length, 2);
    assert.equal(after.keys[0]!.kid, bare.keys[0]!.kid);
    for (const k of after.keys) assert.ok(new X509Certificate(Buffer.from(k.x5c![0]!, 'base64')).verify(createPublicKey({ key: k as never, format: 'jwk' })));
    assert.deepEqual(await h.services.store.signingKeys.upkeep(Date.now()), { nextKeys: 0, certificates: 0 });
  });

  test('a key without a certificate gets one when it is first shown', async () => {
    const tenant = await h.createTenant();
    const t = (await h.services.store.tenants.getByName(tenant.tenant))!;
    await h.services.store.db.run(`UPDATE signing_keys SET cert_der = NULL WHERE tenant_id = ?`, [t.id]);
    const keys = (await tenant.api('GET', '/keys/signing')).body;
    for (const k of keys) assert.ok(new X509Certificate(k.cert).verify(new X509Certificate(k.cert).publicKey));
    assert.deepEqual((await jwks(tenant)).keys.map((k) => k.x5c![0]), keys.map((k: any) => new X509Certificate(k.cert).raw.toString('base64')));
  });

  test('tenants made before the signing-key scopes existed get them on their Management API and full-access grant, not on narrower grants', async () => {
    const tenant = await h.createTenant();
    const narrow = await createM2MApp(tenant, { audience: tenant.management.audience, scopes: ['read:clients'], name: 'narrow' });
    const t = (await h.services.store.tenants.getByName(tenant.tenant))!;
    const store = h.services.store;
    const api = (await store.resourceServers.system(t.id))!;
    const isNew = (s: string) => s.endsWith(':signing_keys');
    await store.db.run(`UPDATE resource_servers SET scopes = ? WHERE id = ?`, [JSON.stringify(api.scopes.filter((s) => !isNew(s.value))), api.id]);
    const full = (await store.clientGrants.list(t.id, { clientId: tenant.management.client_id, audience: api.identifier }))[0]!;
    await store.clientGrants.update(t.id, full.id, { scope: full.scope.filter((s) => !isNew(s)) });
    await store.tenants.touch(t.id);

    const { addNewManagementScopes } = await import('../../src/services/management-scopes-upkeep.ts');
    const done = await addNewManagementScopes(store);
    assert.deepEqual(done, { tenants: 1, grants: 1 });
    assert.deepEqual(await addNewManagementScopes(store), { tenants: 0, grants: 0 });
    const scopes = (await store.resourceServers.system(t.id))!.scopes.map((s) => s.value);
    for (const s of ['read:signing_keys', 'create:signing_keys', 'update:signing_keys']) assert.equal(scopes.filter((x) => x === s).length, 1, s);
    assert.ok((await store.clientGrants.get(t.id, full.id))!.scope.includes('update:signing_keys'));
    assert.deepEqual((await store.clientGrants.list(t.id, { clientId: narrow.clientId }))[0]!.scope, ['read:clients']);
  });
});
