/**
 * An API's signing_alg decides how its access tokens are signed, as relying parties check them:
 * jose's remote JWKS restricted to the one algorithm (as express-oauth2-jwt-bearer is
 * configured), clients authenticating with real Private Key JWT assertions (signed by jose).
 * Each asymmetric algorithm has its own key family in the tenant's JWKS, made when an API first
 * asks for it, rotated with the others and revocable by kid; HS256 signs with the API's secret.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, type JWK } from 'jose';
import { ManagementClient } from 'auth0';
import { startSignet, type Harness, type TestTenant } from '../support/harness.ts';
import { assertionForm, createApi, createM2MApp, joseAssertion, type M2MApp } from '../support/fixtures.ts';
import { assertMgmtError } from '../support/refusal-helpers.ts';
import { SigningKeyStore } from '../../src/store/signing-keys.ts';
import type { AsymmetricTokenAlg } from '../../src/domain/jwt-sign.ts';
import { authorizeOverHttp, codeForm, createUser, createWebApp, pkcePair } from '../support/sign-in.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

const ASYMMETRIC = ['RS256', 'RS512', 'PS256', 'ES256', 'EdDSA'] as const;
const KTY: Record<string, string> = { RS256: 'RSA', RS512: 'RSA', PS256: 'RSA', ES256: 'EC', EdDSA: 'OKP' };

type PublishedKey = JWK & { kid: string; alg: string; use: string; x5c: string[]; x5t: string };

async function jwks(tenant: TestTenant): Promise<PublishedKey[]> {
  const r = await h.fetch(new URL('.well-known/jwks.json', tenant.issuer));
  assert.equal(r.status, 200);
  return ((await r.json()) as { keys: PublishedKey[] }).keys;
}

/** A relying party's key set, refetched whenever a kid is unknown (no cooldown), as a fresh process would. */
const remoteJwks = (tenant: TestTenant) =>
  createRemoteJWKSet(new URL('.well-known/jwks.json', tenant.issuer), { [customFetch]: (url, init) => h.fetch(url, init as RequestInit), cooldownDuration: 0 });

const listKeys = async (tenant: TestTenant) => {
  const r = await tenant.api('GET', '/keys/signing');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body as { kid: string; alg: string; current: boolean; next: boolean; previous: boolean; revoked: boolean }[];
};
const statusOf = (k: { current: boolean; next: boolean; previous: boolean }) => (k.current ? 'current' : k.next ? 'next' : k.previous ? 'previous' : 'revoked');

/** POST /resource-servers with a signing_alg; returns the created API. */
async function apiWith(tenant: TestTenant, signing_alg: string, extra: Record<string, unknown> = {}): Promise<{ id: string; identifier: string; signing_secret?: string }> {
  const identifier = `https://${signing_alg.toLowerCase()}-${Math.random().toString(36).slice(2, 8)}.example.com/`;
  const r = await tenant.api('POST', '/resource-servers', { identifier, scopes: [{ value: 'read:things' }], signing_alg, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.signing_alg, signing_alg);
  return r.body;
}

/** A client_credentials token for `app`, authenticated by a Private Key JWT assertion that jose signed. */
async function token(tenant: TestTenant, app: M2MApp, audience = app.audience): Promise<string> {
  const r = await h.token(tenant, assertionForm(await joseAssertion(tenant, app), audience));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.access_token;
}

/** Verifies as an API configured for `alg` alone does, and checks the kid names that family's current key. */
async function verifyAs(tenant: TestTenant, jwt: string, alg: string, audience: string) {
  const { payload, protectedHeader } = await jwtVerify(jwt, remoteJwks(tenant), { algorithms: [alg], issuer: tenant.issuer, audience });
  assert.equal(protectedHeader.alg, alg);
  const published = (await jwks(tenant)).find((k) => k.kid === protectedHeader.kid);
  assert.ok(published, `kid ${protectedHeader.kid} is published`);
  assert.equal(published.alg, alg);
  assert.equal(published.kty, KTY[alg]);
  const listed = (await listKeys(tenant)).find((k) => k.kid === protectedHeader.kid)!;
  assert.equal(listed.alg, alg);
  assert.equal(listed.current, true, 'signed by the current key of its family');
  return payload;
}

describe('each signing_alg signs the API tokens', () => {
  let tenant: TestTenant;
  before(async () => {
    tenant = await h.createTenant();
  });

  for (const alg of ASYMMETRIC) {
    test(`${alg}: the token verifies against the JWKS with ${alg} only, and no other algorithm is accepted for it`, async () => {
      const api = await apiWith(tenant, alg);
      const app = await createM2MApp(tenant, { audience: api.identifier, alg: 'ES256' });
      const jwt = await token(tenant, app);
      const payload = await verifyAs(tenant, jwt, alg, api.identifier);
      assert.equal(payload.sub, `${app.clientId}@clients`);
      assert.equal(payload.gty, 'client-credentials');
      const other = alg === 'RS256' ? 'ES256' : 'RS256';
      await assert.rejects(jwtVerify(jwt, remoteJwks(tenant), { algorithms: [other] }), /"alg" \(Algorithm\) Header Parameter value not allowed/);
    });
  }

  test('HS256: signed with the API signing_secret the Management API returns, with no kid; nothing of it is published', async () => {
    const keysBefore = await jwks(tenant);
    const api = await apiWith(tenant, 'HS256');
    assert.ok(api.signing_secret && api.signing_secret.length >= 16);
    const app = await createM2MApp(tenant, { audience: api.identifier });
    const jwt = await token(tenant, app);
    const header = decodeProtectedHeader(jwt);
    assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(jwt, new TextEncoder().encode(api.signing_secret), { algorithms: ['HS256'], issuer: tenant.issuer, audience: api.identifier });
    assert.equal(payload.azp, app.clientId);
    await assert.rejects(jwtVerify(jwt, new TextEncoder().encode(`${api.signing_secret}x`), { algorithms: ['HS256'] }), /signature verification failed/);
    // A secret the caller chose signs too.
    const chosen = await apiWith(tenant, 'HS256', { signing_secret: 'a-secret-of-my-own-choosing' });
    assert.equal(chosen.signing_secret, 'a-secret-of-my-own-choosing');
    const app2 = await createM2MApp(tenant, { audience: chosen.identifier });
    await jwtVerify(await token(tenant, app2), new TextEncoder().encode('a-secret-of-my-own-choosing'), { algorithms: ['HS256'], audience: chosen.identifier });
    const keysAfter = await jwks(tenant);
    assert.deepEqual(keysAfter, keysBefore, 'HS256 APIs add nothing to the JWKS');
    assert.ok(!JSON.stringify(keysAfter).includes(api.signing_secret!));
    assert.ok(keysAfter.every((k) => k.kty !== 'oct'));
  });

  test('ID tokens and Management API tokens stay RS256 whatever the APIs use', async () => {
    const mgmt = decodeProtectedHeader(await tenant.managementToken());
    assert.equal(mgmt.alg, 'RS256');
    assert.equal((await listKeys(tenant)).find((k) => k.kid === mgmt.kid)!.alg, 'RS256');
  });
});

test('created through the auth0 SDK (ManagementClient): an ES256 API gets ES256 tokens', async () => {
  const tenant = await h.createTenant();
  const mc = new ManagementClient({ domain: tenant.domain, clientId: tenant.management.client_id, clientSecret: tenant.management.client_secret, fetch: h.fetch });
  const identifier = 'https://sdk-es256.example.com/';
  const created = await mc.resourceServers.create({ name: 'SDK ES256', identifier, signing_alg: 'ES256' as never, scopes: [{ value: 'read:things' }] });
  assert.equal(created.signing_alg, 'ES256');
  const app = await createM2MApp(tenant, { audience: identifier });
  await verifyAs(tenant, await token(tenant, app), 'ES256', identifier);
  // And moved to EdDSA through the SDK's update.
  const updated = await mc.resourceServers.update(created.id!, { signing_alg: 'EdDSA' as never });
  assert.equal(updated.signing_alg, 'EdDSA');
  await verifyAs(tenant, await token(tenant, app), 'EdDSA', identifier);
  const listed = await mc.keys.signing.list();
  assert.deepEqual([...new Set(listed.map((k) => (k as { alg?: string }).alg))], ['RS256', 'ES256', 'EdDSA']);
});

test('PATCH signing_alg RS256 → ES256: the next token is ES256', async () => {
  const tenant = await h.createTenant();
  const audience = await createApi(tenant);
  const app = await createM2MApp(tenant, { audience });
  await verifyAs(tenant, await token(tenant, app), 'RS256', audience);
  const id = (await tenant.api('GET', '/resource-servers')).body.find((r: { identifier: string }) => r.identifier === audience).id;
  const r = await tenant.api('PATCH', `/resource-servers/${id}`, { signing_alg: 'ES256' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  await verifyAs(tenant, await token(tenant, app), 'ES256', audience);
  // And back.
  await tenant.api('PATCH', `/resource-servers/${id}`, { signing_alg: 'RS256' });
  await verifyAs(tenant, await token(tenant, app), 'RS256', audience);
});

describe('key families in the JWKS', () => {
  test('a new tenant publishes only its RS256 keys; an ES256 API adds the EC family (current and next), each with a certificate for its key', async () => {
    const tenant = await h.createTenant();
    const fresh = await jwks(tenant);
    assert.equal(fresh.length, 2);
    assert.ok(fresh.every((k) => k.kty === 'RSA' && k.alg === 'RS256' && k.use === 'sig'));
    await apiWith(tenant, 'ES256');
    const keys = await jwks(tenant);
    assert.deepEqual(keys.slice(0, 2), fresh, 'the RS256 keys come first, unchanged (current first)');
    const ec = keys.slice(2);
    assert.equal(ec.length, 2);
    const listed = new Map((await listKeys(tenant)).map((k) => [k.kid, k]));
    assert.deepEqual(ec.map((k) => statusOf(listed.get(k.kid)!)), ['current', 'next']);
    for (const k of ec) {
      assert.equal(k.kty, 'EC');
      assert.equal(k.crv, 'P-256');
      assert.equal(k.alg, 'ES256');
      assert.equal(k.use, 'sig');
      assert.equal(k.d, undefined);
      const cert = new X509Certificate(Buffer.from(k.x5c[0]!, 'base64'));
      assert.ok(cert.verify(cert.publicKey));
      assert.deepEqual(cert.publicKey.export({ format: 'jwk' }), { kty: 'EC', crv: 'P-256', x: k.x, y: k.y });
    }
    // A second ES256 API reuses the family.
    await apiWith(tenant, 'ES256');
    assert.equal((await jwks(tenant)).length, 4);
  });

  test('a family missing when a token is minted (an API stored before it existed) is made once, even under concurrent requests', async () => {
    const tenant = await h.createTenant();
    const api = await apiWith(tenant, 'RS256');
    const app = await createM2MApp(tenant, { audience: api.identifier, alg: 'EdDSA' });
    const tenantId = (await h.services.store.tenants.getByName(tenant.tenant))!.id;
    // As a row written by an earlier version: the algorithm without its keys.
    await h.services.store.db.run(`UPDATE resource_servers SET signing_alg = 'EdDSA' WHERE id = ?`, [api.id]);
    await h.services.store.tenants.touch(tenantId);
    h.services.cache.invalidateAll();
    await h.services.directory.reload();
    const tokens = await Promise.all([1, 2, 3, 4].map(() => token(tenant, app)));
    for (const t of tokens) await verifyAs(tenant, t, 'EdDSA', api.identifier);
    assert.equal(new Set(tokens.map((t) => decodeProtectedHeader(t).kid)).size, 1);
    const okp = (await listKeys(tenant)).filter((k) => k.alg === 'EdDSA');
    assert.deepEqual(okp.map(statusOf), ['current', 'next']);
    // Two stores racing to make a family: only one makes it.
    const made = await Promise.all([1, 2, 3].map(() => h.services.store.signingKeys.ensureFamily(tenantId, 'RS512', Date.now())));
    assert.deepEqual(made.filter(Boolean).length, 1);
    assert.deepEqual((await listKeys(tenant)).filter((k) => k.alg === 'RS512').map(statusOf), ['current', 'next']);
  });

  test('rotation rotates every family: old current keys stay published and keep verifying, new tokens use the new kids; an EC previous key can be revoked', async () => {
    const tenant = await h.createTenant();
    const es = await apiWith(tenant, 'ES256');
    const ed = await apiWith(tenant, 'EdDSA');
    const esApp = await createM2MApp(tenant, { audience: es.identifier });
    const edApp = await createM2MApp(tenant, { audience: ed.identifier });
    const before = await listKeys(tenant);
    const fam = (keys: typeof before, alg: string, status: string) => keys.filter((k) => k.alg === alg && statusOf(k) === status).map((k) => k.kid);
    const esBefore = await token(tenant, esApp);
    const edBefore = await token(tenant, edApp);

    const rotated = await tenant.api('POST', '/keys/signing/rotate');
    assert.equal(rotated.status, 201, JSON.stringify(rotated.body));
    // Auth0's answer: the RS256 key that now signs.
    assert.equal(rotated.body.kid, fam(before, 'RS256', 'next')[0]);
    assert.deepEqual(Object.keys(rotated.body).sort(), ['cert', 'kid']);

    const afterKeys = await listKeys(tenant);
    for (const alg of ['RS256', 'ES256', 'EdDSA']) {
      assert.deepEqual(fam(afterKeys, alg, 'previous'), fam(before, alg, 'current'), `${alg}: the old current key is previous`);
      assert.deepEqual(fam(afterKeys, alg, 'current'), fam(before, alg, 'next'), `${alg}: the old next key is current`);
      assert.equal(fam(afterKeys, alg, 'next').length, 1);
      assert.ok(!fam(before, alg, 'next').includes(fam(afterKeys, alg, 'next')[0]!), `${alg}: a new next key`);
    }
    const published = (await jwks(tenant)).map((k) => k.kid);
    assert.equal(published.length, 9);
    assert.equal(published[0], rotated.body.kid, 'the RS256 current key leads the JWKS');
    // Tokens signed before the rotation still verify; new ones carry the new kid.
    await jwtVerify(esBefore, remoteJwks(tenant), { algorithms: ['ES256'], audience: es.identifier });
    await jwtVerify(edBefore, remoteJwks(tenant), { algorithms: ['EdDSA'], audience: ed.identifier });
    const esAfter = await token(tenant, esApp);
    assert.equal(decodeProtectedHeader(esAfter).kid, fam(before, 'ES256', 'next')[0]);
    await verifyAs(tenant, esAfter, 'ES256', es.identifier);
    assert.equal(decodeProtectedHeader(await token(tenant, edApp)).kid, fam(before, 'EdDSA', 'next')[0]);

    // Revoking the EC key that was current: it leaves the JWKS and its tokens stop verifying.
    const oldEc = fam(before, 'ES256', 'current')[0]!;
    const revoked = await tenant.api('PUT', `/keys/signing/${oldEc}/revoke`);
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.ok(!(await jwks(tenant)).some((k) => k.kid === oldEc));
    await assert.rejects(jwtVerify(esBefore, remoteJwks(tenant), { algorithms: ['ES256'] }), /no applicable key found in the JSON Web Key Set/);
    assert.equal((await listKeys(tenant)).find((k) => k.kid === oldEc)!.revoked, true);
    // The current EC key cannot be revoked, like the RS256 one.
    assertMgmtError(await tenant.api('PUT', `/keys/signing/${fam(before, 'ES256', 'next')[0]}/revoke`), 400, 'cannot_revoke_current_key', /Rotate the signing key first/);
  });

  test('the key limit holds per family: rotation is refused, changing nothing, when one family has 10 previous keys', async () => {
    const tenant = await h.createTenant();
    for (let i = 0; i < 5; i++) assert.equal((await tenant.api('POST', '/keys/signing/rotate')).status, 201);
    // The ES256 family, made now, has 5 previous keys when RS256 has 10: 15 in all, 10 at most in each.
    await apiWith(tenant, 'ES256');
    for (let i = 0; i < 5; i++) assert.equal((await tenant.api('POST', '/keys/signing/rotate')).status, 201);
    const before = await listKeys(tenant);
    assert.equal(before.filter((k) => k.alg === 'RS256' && k.previous).length, 10);
    assert.equal(before.filter((k) => k.alg === 'ES256' && k.previous).length, 5);
    assertMgmtError(await tenant.api('POST', '/keys/signing/rotate'), 409, 'too_many_signing_keys', /10 previously used signing keys are still published; revoke one/);
    assert.deepEqual(await listKeys(tenant), before);
  });

  test("tenant isolation: tenant B never publishes, lists, shows or revokes tenant A's EC keys", async () => {
    const a = await h.createTenant();
    const b = await h.createTenant();
    await apiWith(a, 'ES256');
    const rotated = await a.api('POST', '/keys/signing/rotate');
    assert.equal(rotated.status, 201);
    const aEc = (await listKeys(a)).filter((k) => k.alg === 'ES256');
    assert.equal(aEc.length, 3);
    const bKeys = await jwks(b);
    assert.ok(bKeys.every((k) => k.kty === 'RSA'));
    assert.ok(!bKeys.some((k) => aEc.some((e) => e.kid === k.kid)));
    assert.ok(!(await listKeys(b)).some((k) => k.alg !== 'RS256'));
    const prev = aEc.find((k) => k.previous)!;
    assertMgmtError(await b.api('GET', `/keys/signing/${prev.kid}`), 404, 'inexistent_signing_key', /Signing key not found/);
    assertMgmtError(await b.api('PUT', `/keys/signing/${prev.kid}/revoke`), 404, 'inexistent_signing_key', /Signing key not found/);
    assert.equal((await listKeys(a)).find((k) => k.kid === prev.kid)!.previous, true, 'still published by A');
    // B's rotation touches only B's keys.
    const aBefore = await listKeys(a);
    assert.equal((await b.api('POST', '/keys/signing/rotate')).status, 201);
    assert.deepEqual(await listKeys(a), aBefore);
  });
});

test('a rotation that finds a new key family made by another process on each of its three tries gives up with 409 signing_key_changed and changes nothing', async () => {
  const tenant = await h.createTenant();
  const tenantId = (await h.services.store.tenants.getByName(tenant.tenant))!.id;
  // Another process on the same database, making a family while each try generates its fresh keys.
  const other = new SigningKeyStore(h.services.store.db, h.services.box);
  const arriving: AsymmetricTokenAlg[] = ['ES256', 'EdDSA', 'PS256'];
  const store = h.services.store.signingKeys as unknown as { material(...args: unknown[]): Promise<unknown> };
  const material = store.material;
  store.material = async function (this: unknown, ...args: unknown[]) {
    const alg = arriving.shift();
    if (alg) await other.ensureFamily(tenantId, alg, Date.now());
    return material.apply(this, args);
  };
  let during: Awaited<ReturnType<typeof listKeys>>;
  try {
    const r = await tenant.api('POST', '/keys/signing/rotate');
    assertMgmtError(r, 409, 'signing_key_changed', /changed while they were being rotated/);
    assert.deepEqual(arriving, [], 'three tries');
    during = await listKeys(tenant);
  } finally {
    delete (store as { material?: unknown }).material; // the prototype's again
  }
  // Nothing rotated: every family still has its one current and one next key.
  for (const alg of ['RS256', 'ES256', 'EdDSA', 'PS256']) assert.deepEqual(during.filter((k) => k.alg === alg).map(statusOf), ['current', 'next'], alg);
  // With no family arriving, the next rotation rotates all four.
  assert.equal((await tenant.api('POST', '/keys/signing/rotate')).status, 201);
  for (const alg of ['RS256', 'ES256', 'EdDSA', 'PS256']) assert.deepEqual((await listKeys(tenant)).filter((k) => k.alg === alg).map(statusOf).sort(), ['current', 'next', 'previous'], alg);
});

/** A user signs in to a new web application with `openid email` for `audience` (code flow with PKCE); the code exchange's answer. */
async function signInFor(tenant: TestTenant, audience: string) {
  const app = await createWebApp(tenant);
  const user = await createUser(tenant);
  const { verifier, challenge } = pkcePair();
  const r = await authorizeOverHttp(
    h,
    tenant,
    { response_type: 'code', client_id: app.clientId, redirect_uri: app.callback, scope: 'openid email', state: 's', audience, code_challenge: challenge, code_challenge_method: 'S256' },
    user,
  );
  const t = await h.token(tenant, codeForm(tenant, app, r.code!, { code_verifier: verifier }));
  assert.equal(t.status, 200, JSON.stringify(t.body));
  return { app, user, t };
}

test('a user token for an ES256 API is accepted at /userinfo (the kid names an ES256 key), and its ID token is RS256', async () => {
  const tenant = await h.createTenant();
  const api = await apiWith(tenant, 'ES256');
  const { app, user, t } = await signInFor(tenant, api.identifier);
  const at = await verifyAs(tenant, t.body.access_token, 'ES256', api.identifier);
  assert.deepEqual(at.aud, [api.identifier, `${tenant.issuer}userinfo`]);
  assert.equal(decodeProtectedHeader(t.body.id_token).alg, 'RS256');
  await jwtVerify(t.body.id_token, remoteJwks(tenant), { algorithms: ['RS256'], audience: app.clientId, issuer: tenant.issuer });
  const info = await h.fetch(new URL('userinfo', tenant.issuer), { headers: { authorization: `Bearer ${t.body.access_token}` } });
  assert.equal(info.status, 200);
  assert.equal(((await info.json()) as { sub: string }).sub, user.userId);
  // The same token relabelled RS256 (the kid still names the EC key) is refused.
  const [, body, sig] = (t.body.access_token as string).split('.');
  const header = Buffer.from(JSON.stringify({ ...decodeProtectedHeader(t.body.access_token), alg: 'RS256' })).toString('base64url');
  const forged = await h.fetch(new URL('userinfo', tenant.issuer), { headers: { authorization: `Bearer ${header}.${body}.${sig}` } });
  assert.equal(forged.status, 401);
});

test('a user token for an HS256 API names that API alone (no /userinfo audience, as Auth0 does), so /userinfo refuses it; the ID token is RS256', async () => {
  const tenant = await h.createTenant();
  const api = await apiWith(tenant, 'HS256');
  const { app, user, t } = await signInFor(tenant, api.identifier);
  const { payload } = await jwtVerify(t.body.access_token, new TextEncoder().encode(api.signing_secret), { algorithms: ['HS256'], issuer: tenant.issuer, audience: api.identifier });
  assert.equal(payload.aud, api.identifier);
  assert.equal(payload.sub, user.userId);
  await jwtVerify(t.body.id_token, remoteJwks(tenant), { algorithms: ['RS256'], audience: app.clientId, issuer: tenant.issuer });
  const info = await h.fetch(new URL('userinfo', tenant.issuer), { headers: { authorization: `Bearer ${t.body.access_token}` } });
  assert.equal(info.status, 401);
});

describe('refusals', () => {
  test("an unsupported signing_alg ('none', 'HS512', 'ES512') is refused by name on create and update and changes nothing", async () => {
    const tenant = await h.createTenant();
    const api = await apiWith(tenant, 'RS256');
    const apisBefore = (await tenant.api('GET', '/resource-servers')).body;
    const keysBefore = await listKeys(tenant);
    for (const alg of ['none', 'HS512', 'ES512']) {
      assertMgmtError(
        await tenant.api('POST', '/resource-servers', { identifier: `https://${alg.toLowerCase()}.example.com/`, signing_alg: alg }),
        400,
        'invalid_signing_alg',
        /signing_alg must be one of RS256, RS512, PS256, ES256, EdDSA, HS256/,
      );
      assertMgmtError(await tenant.api('PATCH', `/resource-servers/${api.id}`, { signing_alg: alg }), 400, 'invalid_signing_alg', /signing_alg must be one of/);
    }
    // A valid algorithm with an invalid secret makes no key family either.
    assertMgmtError(await tenant.api('PATCH', `/resource-servers/${api.id}`, { signing_alg: 'ES256', signing_secret: 'short' }), 400, 'invalid_signing_secret', /16 to 512/);
    assertMgmtError(await tenant.api('POST', '/resource-servers', { identifier: 'https://x.example.com/', signing_alg: 'EdDSA', token_encryption: { format: 'compact-nested-jwe' } }), 400, 'unsupported_field');
    assert.deepEqual((await tenant.api('GET', '/resource-servers')).body, apisBefore);
    assert.deepEqual(await listKeys(tenant), keysBefore);
  });

  test("the Management API's signing_alg cannot be changed: its tokens stay RS256, and no key family is made", async () => {
    const tenant = await h.createTenant();
    const sys = (await tenant.api('GET', '/resource-servers')).body.find((x: { is_system: boolean }) => x.is_system);
    const keysBefore = await listKeys(tenant);
    assertMgmtError(await tenant.api('PATCH', `/resource-servers/${sys.id}`, { signing_alg: 'ES256' }), 403, 'system_resource_server', /signing_alg cannot be changed/);
    assert.equal((await tenant.api('GET', `/resource-servers/${sys.id}`)).body.signing_alg, 'RS256');
    assert.deepEqual(await listKeys(tenant), keysBefore);
  });
});
