/**
 * The public metadata documents: OpenID Connect discovery, RFC 8414 authorization server
 * metadata (read by oauth4webapi the way OAuth-only clients do) and the JWKS. Browsers may read
 * them from any origin (CORS, preflight answered); nothing else on a tenant domain is opened up.
 * Each has a strong ETag; a matching If-None-Match gets 304, and a rotation changes the JWKS's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'oauth4webapi';
import { startSignet, type Harness } from '../support/harness.ts';
import { matchesIfNoneMatch } from '../../src/http/authentication-api/discovery.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

const DOCS = ['.well-known/openid-configuration', '.well-known/oauth-authorization-server', '.well-known/jwks.json'];

describe('RFC 8414 metadata', () => {
  test('oauth4webapi discovers the tenant with algorithm oauth2 and finds the same truthful content as the OIDC document', async () => {
    const tenant = await h.createTenant();
    const issuer = new URL(tenant.issuer);
    const res = await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', [oauth.customFetch]: h.fetch });
    const as = await oauth.processDiscoveryResponse(issuer, res);
    const oidc = (await (await h.fetch(new URL('.well-known/openid-configuration', tenant.issuer))).json()) as Record<string, unknown>;
    assert.equal(as.issuer, tenant.issuer);
    for (const [k, v] of Object.entries(as)) assert.deepEqual(oidc[k], v, `${k} differs between the two documents`);
    assert.deepEqual(as.grant_types_supported, ['authorization_code', 'refresh_token', 'client_credentials']);
    assert.deepEqual(as.response_types_supported, ['code']);
    assert.deepEqual(as.code_challenge_methods_supported, ['S256']);
    assert.equal(as.authorization_response_iss_parameter_supported, true);
    assert.equal(as.authorization_endpoint, `${tenant.issuer}authorize`);
    // OpenID-only fields stay in the OpenID document.
    for (const k of ['subject_types_supported', 'id_token_signing_alg_values_supported', 'claims_parameter_supported']) assert.equal(k in as, false, k);
  });
});

describe('every endpoint the metadata names exists on the tenant', () => {
  test('no advertised URL answers 404, and each is on the issuer', async () => {
    const tenant = await h.createTenant();
    const doc = (await (await h.fetch(new URL('.well-known/openid-configuration', tenant.issuer))).json()) as Record<string, unknown>;
    const endpoints = Object.entries(doc).filter(([k, v]) => (k.endsWith('_endpoint') || k === 'jwks_uri') && typeof v === 'string') as [string, string][];
    assert.deepEqual(endpoints.map(([k]) => k).sort(), [
      'authorization_endpoint', 'end_session_endpoint', 'jwks_uri', 'pushed_authorization_request_endpoint', 'revocation_endpoint', 'token_endpoint', 'userinfo_endpoint',
    ]);
    for (const [name, url] of endpoints) {
      assert.ok(url.startsWith(tenant.issuer), `${name} ${url}`);
      const method = /token|revocation|pushed/.test(name) ? 'POST' : 'GET';
      const r = await h.fetch(url, { method, redirect: 'manual', ...(method === 'POST' && { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' }) });
      assert.notEqual(r.status, 404, `${name} ${method} ${url} answered 404`);
    }
  });
});

describe('CORS on the public documents, and only there', () => {
  test('each document allows any origin and exposes its ETag; a preflight is answered', async () => {
    const tenant = await h.createTenant();
    for (const path of DOCS) {
      const url = new URL(path, tenant.issuer);
      const r = await h.fetch(url, { headers: { origin: 'https://app.example.org' } });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get('access-control-allow-origin'), '*', path);
      assert.match(r.headers.get('access-control-expose-headers') ?? '', /etag/i);
      const pre = await h.fetch(url, { method: 'OPTIONS', headers: { origin: 'https://app.example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'if-none-match' } });
      assert.equal(pre.status, 204, path);
      assert.equal(pre.headers.get('access-control-allow-origin'), '*');
      assert.match(pre.headers.get('access-control-allow-methods') ?? '', /GET/);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /if-none-match/i);
    }
  });

  test('the token endpoint and the Management API send no CORS headers and answer no preflight', async () => {
    const tenant = await h.createTenant();
    for (const path of ['oauth/token', 'api/v2/keys/signing']) {
      const pre = await h.fetch(new URL(path, tenant.issuer), { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      assert.equal(pre.headers.get('access-control-allow-origin'), null, path);
      assert.ok(pre.status >= 400, `${path}: ${pre.status}`);
    }
    const r = await h.token(tenant, { grant_type: 'client_credentials' }, { origin: 'https://evil.example' });
    assert.equal(r.headers.get('access-control-allow-origin'), null);
  });
});

describe('ETag and 304', () => {
  test('a matching If-None-Match gets 304 without a body; a stale one gets the document', async () => {
    const tenant = await h.createTenant();
    for (const path of DOCS) {
      const url = new URL(path, tenant.issuer);
      const first = await h.fetch(url);
      const etag = first.headers.get('etag')!;
      assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/, `${path}: a strong ETag`);
      const again = await h.fetch(url);
      assert.equal(again.headers.get('etag'), etag, 'stable while nothing changes');
      const cached = await h.fetch(url, { headers: { 'if-none-match': `"other", ${etag}` } });
      assert.equal(cached.status, 304, path);
      assert.equal(await cached.text(), '');
      assert.equal(cached.headers.get('etag'), etag);
      assert.equal(cached.headers.get('access-control-allow-origin'), '*');
      const stale = await h.fetch(url, { headers: { 'if-none-match': '"not-it"' } });
      assert.equal(stale.status, 200);
    }
  });

  test('a rotation changes the JWKS ETag, so a revalidating cache sees the new keys', async () => {
    const tenant = await h.createTenant();
    const url = new URL('.well-known/jwks.json', tenant.issuer);
    const etag = (await h.fetch(url)).headers.get('etag')!;
    assert.equal((await tenant.api('POST', '/keys/signing/rotate')).status, 201);
    const after = await h.fetch(url, { headers: { 'if-none-match': etag } });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get('etag'), etag);
    assert.equal(((await after.json()) as { keys: unknown[] }).keys.length, 3);
  });

  test('If-None-Match parsing: *, weak tags, lists; over-long headers never match', () => {
    assert.equal(matchesIfNoneMatch('*', '"a"'), true);
    assert.equal(matchesIfNoneMatch('W/"a"', '"a"'), true);
    assert.equal(matchesIfNoneMatch(' "b" ,"a"', '"a"'), true);
    assert.equal(matchesIfNoneMatch('"b"', '"a"'), false);
    assert.equal(matchesIfNoneMatch(undefined, '"a"'), false);
    assert.equal(matchesIfNoneMatch(`${'"x",'.repeat(2000)}"a"`, '"a"'), false);
  });
});
