/**
 * Discovery tells clients the truth: `/.well-known/openid-configuration` advertises
 * private_key_jwt and its signing algs, and every advertised alg really works end to end
 * (credential registered with that alg, assertion signed by `jose`, token verified against JWKS).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startSignet, type Harness } from '../support/harness.ts';
import { assertionForm, createM2MApp, expectValidAccessToken, joseAssertion, keyPairFor, type CredentialAlg } from '../support/fixtures.ts';

let h: Harness;
before(async () => {
  h = await startSignet();
});
after(() => h.close());

async function getJson(url: URL | string) {
  const res = await h.fetch(url);
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe('/.well-known/openid-configuration', () => {
  test('advertises the issuer, endpoints and private_key_jwt with its signing algs', async () => {
    const tenant = await h.createTenant();
    const r = await getJson(new URL('.well-known/openid-configuration', tenant.issuer));
    assert.equal(r.status, 200);
    const m = r.body;
    assert.equal(m.issuer, tenant.issuer);
    assert.equal(m.token_endpoint, `${tenant.issuer}oauth/token`);
    assert.equal(m.jwks_uri, `${tenant.issuer}.well-known/jwks.json`);
    assert.ok(m.grant_types_supported.includes('client_credentials'));
    assert.ok(m.token_endpoint_auth_methods_supported.includes('private_key_jwt'));
    const algs: string[] = m.token_endpoint_auth_signing_alg_values_supported;
    assert.ok(Array.isArray(algs) && algs.length > 0);
    assert.ok(algs.includes('RS256'), 'RS256 (Auth0 default) must be advertised');
    for (const alg of algs) {
      assert.notEqual(alg.toLowerCase(), 'none');
      assert.ok(!/^HS/i.test(alg), `${alg}: symmetric algs are never private_key_jwt`);
    }

    const jwks = await getJson(m.jwks_uri);
    assert.equal(jwks.status, 200);
    assert.ok(jwks.body.keys.length >= 1);
    for (const k of jwks.body.keys) {
      assert.equal(k.kty, 'RSA');
      assert.equal(typeof k.kid, 'string');
      assert.equal(k.d, undefined, 'the JWKS must never carry private key parts');
      assert.equal(k.p, undefined);
    }
  });

  test('every advertised token_endpoint_auth_signing_alg works end to end', async () => {
    const tenant = await h.createTenant();
    const algs: CredentialAlg[] = (await getJson(new URL('.well-known/openid-configuration', tenant.issuer))).body.token_endpoint_auth_signing_alg_values_supported;
    const results: Record<string, number | string> = {};
    for (const alg of algs) {
      try {
        const app = await createM2MApp(tenant, { alg, name: `m2m-${alg}`, keys: keyPairFor(alg) });
        const assertion = await joseAssertion(tenant, app, { header: { alg, kid: app.kid } });
        const r = await h.token(tenant, assertionForm(assertion, app.audience));
        results[alg] = r.status === 200 ? 200 : `${r.status} ${JSON.stringify(r.body)}`;
        if (r.status === 200) await expectValidAccessToken(h, tenant, r.body.access_token, { clientId: app.clientId, audience: app.audience, scope: app.scope });
      } catch (err) {
        results[alg] = String((err as Error).message);
      }
    }
    assert.deepEqual(results, Object.fromEntries(algs.map((a) => [a, 200])));
  });

  test('a credential with an alg that is not advertised (HS256) is refused at upload', async () => {
    const tenant = await h.createTenant();
    const app = await tenant.api('POST', '/clients', { name: 'svc', app_type: 'non_interactive' });
    const r = await tenant.api('POST', `/clients/${app.body.client_id}/credentials`, { credential_type: 'public_key', pem: keyPairFor('RS256').publicKeyPem, alg: 'HS256' });
    assert.equal(r.status, 400, JSON.stringify(r.body));
  });
});

describe('tenant domains', () => {
  // Regression (fixed in 4ba301c): TenantDirectory.resolve (src/services/tenant-directory.ts)
  // reloaded for an unknown Host at most once per 250 ms (UNKNOWN_HOST_RELOAD_MS) and ran the
  // stamp query at most once per second, so a domain or tenant written to the database by another
  // process (the `signet tenants` CLI, another worker or node) just after any reload answered 404
  // "Unknown tenant domain" for up to ~1 s, although the class promises new hosts are picked up at
  // once. Any request on an unknown Host (a scanner) reopened the window. This reproduces it
  // deterministically: reload, then add a domain through the shared database, then use it.
  test('a domain added to the database by another process is served on its first request', async () => {
    const tenant = await h.createTenant();
    const row = (await h.services.store.tenants.getByName(tenant.tenant))!;
    await new Promise((r) => setTimeout(r, 300));
    // Any request on an unknown host: the directory reloads now.
    const unknown = await h.fetch(`https://scanner.signet.test:${h.port}/.well-known/openid-configuration`);
    await unknown.arrayBuffer();
    assert.equal(unknown.status, 404);

    // Another process (as `signet` CLI would) adds a custom domain for the tenant, through the shared database.
    const host = `login-${tenant.tenant}.signet.test:${h.port}`;
    await h.services.store.tenants.addDomain(row.id, host);

    const res = await h.fetch(`https://${host}/.well-known/openid-configuration`);
    const body = (await res.json()) as any;
    assert.equal(res.status, 200, `a new domain of an existing tenant answered ${res.status} ${JSON.stringify(body)} (see the comment above this test)`);
    assert.equal(body.issuer, `https://${host}/`);
  });
});
