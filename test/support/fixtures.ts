/**
 * Small building blocks for end-to-end tests: key pairs that fit a credential alg, an M2M
 * application with a Private Key JWT credential and a client grant, the token request form,
 * and verification of an issued access token against the tenant's published JWKS.
 * Everything goes through the HTTP APIs (Management API and /oauth/token), never the store.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, randomUUID, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, customFetch, decodeProtectedHeader, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { Harness, TestTenant } from './harness.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';

import { CLIENT_ASSERTION_TYPE as JWT_BEARER } from '../../src/domain/client-assertion/index.ts';
export { JWT_BEARER };

export type CredentialAlg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'EdDSA';

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PKCS#8 PEM of the private key (what SDKs take as `clientAssertionSigningKey`). */
  privateKeyPem: string;
  /** SPKI PEM of the public key (what is uploaded as a credential). */
  publicKeyPem: string;
}

/** A fresh key pair of the type and size `alg` signs with (RSA 2048, P-256, P-384, Ed25519). */
export function keyPairFor(alg: CredentialAlg = 'RS256'): TestKeyPair {
  const pair =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : alg === 'ES384' ? generateKeyPairSync('ec', { namedCurve: 'P-384' })
    : alg === 'EdDSA' ? generateKeyPairSync('ed25519')
    : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    privateKeyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** POST /api/v2/resource-servers; returns the identifier. */
export async function createApi(tenant: TestTenant, identifier = `https://api-${randomBytes(4).toString('hex')}.example.com/`, scopes = ['read:things', 'write:things']): Promise<string> {
  const r = await tenant.api('POST', '/resource-servers', { identifier, scopes: scopes.map((value) => ({ value })) });
  assert.equal(r.status, 201, `create API: ${JSON.stringify(r.body)}`);
  return identifier;
}

/** POST /api/v2/client-grants. */
export async function grantAccess(tenant: TestTenant, clientId: string, audience: string, scope: string[]): Promise<void> {
  const r = await tenant.api('POST', '/client-grants', { client_id: clientId, audience, scope });
  assert.equal(r.status, 201, `create client grant: ${JSON.stringify(r.body)}`);
}

/** POST /api/v2/clients/{id}/credentials with a public key; returns the created credential (id, kid, alg, ...). */
export async function addCredential(tenant: TestTenant, clientId: string, publicKeyPem: string, alg: CredentialAlg = 'RS256', name = `key-${alg}`): Promise<{ id: string; kid: string; alg: string }> {
  const r = await tenant.api('POST', `/clients/${clientId}/credentials`, { credential_type: 'public_key', name, pem: publicKeyPem, alg });
  assert.equal(r.status, 201, `create credential: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** PATCH /api/v2/clients/{id}: the credentials enabled for private_key_jwt. */
export async function enableCredentials(tenant: TestTenant, clientId: string, credentialIds: string[]): Promise<{ status: number; body: any }> {
  return tenant.api('PATCH', `/clients/${clientId}`, { client_authentication_methods: { private_key_jwt: { credentials: credentialIds.map((id) => ({ id })) } } });
}

export interface M2MApp extends TestKeyPair {
  clientId: string;
  credentialId: string;
  /** The credential's kid (the RFC 7638 thumbprint unless a custom kid was set). */
  kid: string;
  alg: CredentialAlg;
  /** The API identifier the app has a client grant for. */
  audience: string;
  /** The scopes granted, space-separated as they appear in a token. */
  scope: string;
}

/**
 * Creates a Machine-to-Machine application that authenticates with Private Key JWT using one
 * freshly generated credential of `alg`, and grants it `scopes` on `audience` (a new API
 * unless one is given).
 */
export async function createM2MApp(
  tenant: TestTenant,
  opts: { alg?: CredentialAlg; audience?: string; scopes?: string[]; name?: string; keys?: TestKeyPair } = {},
): Promise<M2MApp> {
  const alg = opts.alg ?? 'RS256';
  const scopes = opts.scopes ?? ['read:things'];
  const audience = opts.audience ?? (await createApi(tenant, undefined, scopes));
  const keys = opts.keys ?? keyPairFor(alg);
  const app = await tenant.api('POST', '/clients', {
    name: opts.name ?? `m2m-${alg}`,
    app_type: 'non_interactive',
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: `key-${alg}`, pem: keys.publicKeyPem, alg }] } },
  });
  assert.equal(app.status, 201, `create client: ${JSON.stringify(app.body)}`);
  const clientId: string = app.body.client_id;
  const credentialId: string = app.body.client_authentication_methods.private_key_jwt.credentials[0].id;
  const cred = await tenant.api('GET', `/clients/${clientId}/credentials/${credentialId}`);
  assert.equal(cred.status, 200, JSON.stringify(cred.body));
  await grantAccess(tenant, clientId, audience, scopes);
  return { ...keys, clientId, credentialId, kid: cred.body.kid, alg, audience, scope: scopes.join(' ') };
}

/** The /oauth/token form for client_credentials with private_key_jwt. */
export function assertionForm(clientAssertion: string, audience: string, extra: Record<string, string> = {}): Record<string, string> {
  return { grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: clientAssertion, audience, ...extra };
}

/**
 * Verifies an access token as a resource server would: signature against the tenant's JWKS
 * (fetched over HTTPS with jose's remote key set), then every claim Signet promises (Auth0's
 * client-credentials token shape). Returns the payload.
 */
export async function expectValidAccessToken(
  h: Harness,
  tenant: TestTenant,
  token: string,
  expected: { clientId: string; audience: string; scope?: string },
): Promise<JWTPayload> {
  const jwks = createRemoteJWKSet(new URL('.well-known/jwks.json', tenant.issuer), {
    [customFetch]: (url, options) => h.fetch(url, options as RequestInit),
  });
  const before = Math.floor(Date.now() / 1000);
  const { payload, protectedHeader } = await jwtVerify(token, jwks, {
    issuer: tenant.issuer,
    audience: expected.audience,
    algorithms: ['RS256'],
  });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(typeof protectedHeader.kid, 'string');
  // The kid names a key published in the JWKS (jwtVerify found it; check the published set explicitly too).
  const published = await (await h.fetch(new URL('.well-known/jwks.json', tenant.issuer))).json() as { keys: { kid: string; alg?: string; kty: string }[] };
  const key = published.keys.find((k) => k.kid === protectedHeader.kid);
  assert.ok(key, `token kid ${protectedHeader.kid} is not in the tenant JWKS`);
  assert.equal(key.kty, 'RSA');
  assert.equal(decodeProtectedHeader(token).kid, protectedHeader.kid);

  assert.equal(payload.iss, tenant.issuer);
  assert.equal(payload.sub, `${expected.clientId}@clients`);
  assert.equal(payload.aud, expected.audience);
  assert.equal(payload.azp, expected.clientId);
  if (expected.scope !== undefined) assert.equal(payload.scope, expected.scope);
  assert.equal(typeof payload.iat, 'number');
  assert.ok(Math.abs(payload.iat! - before) <= 60, `iat ${payload.iat} is not close to now (${before})`);
  assert.equal(typeof payload.exp, 'number');
  assert.ok(payload.exp! > payload.iat!, 'exp must be after iat');
  assert.equal(typeof payload.jti, 'string');
  assert.ok(payload.jti!.length >= 16, 'jti must be unguessable');
  return payload;
}

/** A token request for `app`, with a fresh assertion signed by its private key (aud = tenant issuer). */
export function signedForm(tenant: TestTenant, app: M2MApp): Record<string, string> {
  return assertionForm(signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: app.alg }), app.audience);
}

/**
 * A client assertion signed with `jose` (an independent JOSE implementation) for `app`:
 * iss = sub = client_id, aud = the tenant issuer, 60 s lifetime, fresh jti. `header`, `aud`
 * and `key` override the defaults (alg and kid of the app's credential, its private key).
 */
export async function joseAssertion(
  tenant: TestTenant,
  app: M2MApp,
  opts: { header?: Record<string, unknown>; aud?: string | string[]; key?: KeyObject } = {},
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: app.alg, kid: app.kid, ...opts.header } as { alg: string })
    .setIssuer(app.clientId)
    .setSubject(app.clientId)
    .setAudience(opts.aud ?? tenant.issuer)
    .setIssuedAt()
    .setExpirationTime('60s')
    .setJti(randomUUID())
    .sign(opts.key ?? app.privateKey);
}
