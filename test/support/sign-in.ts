import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Harness, TestTenant } from './harness.ts';
import { createApi, JWT_BEARER, keyPairFor, type TestKeyPair } from './fixtures.ts';
import { signClientAssertion } from '../../src/domain/sign-client-assertion.ts';
import type { CredentialAlg } from '../../src/domain/credentials/index.ts';

export const CALLBACK = 'https://app.example.com/callback';

export interface WebApp extends TestKeyPair {
  clientId: string;
  alg: CredentialAlg;
  callback: string;
}

/** A Regular Web application that authenticates by Private Key JWT, with one callback URL. */
export async function createWebApp(tenant: TestTenant, opts: { alg?: CredentialAlg; callback?: string; extra?: Record<string, unknown> } = {}): Promise<WebApp> {
  const alg = opts.alg ?? 'RS256';
  const keys = keyPairFor(alg);
  const callback = opts.callback ?? CALLBACK;
  const r = await tenant.api('POST', '/clients', {
    name: 'web app',
    app_type: 'regular_web',
    callbacks: [callback],
    client_authentication_methods: { private_key_jwt: { credentials: [{ credential_type: 'public_key', name: 'web key', pem: keys.publicKeyPem, alg }] } },
    ...opts.extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { ...keys, clientId: r.body.client_id, alg, callback };
}

/** A public single-page application (no client authentication; PKCE required). */
export async function createSpa(tenant: TestTenant, callback = 'https://spa.example.com/callback'): Promise<{ clientId: string; callback: string }> {
  const r = await tenant.api('POST', '/clients', { name: 'spa', app_type: 'spa', callbacks: [callback] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { clientId: r.body.client_id, callback };
}

/** An API that allows refresh tokens (allow_offline_access), with its identifier. */
export async function createOfflineApi(tenant: TestTenant, scopes = ['read:things']): Promise<string> {
  const identifier = await createApi(tenant, undefined, scopes);
  const found = await tenant.api('GET', `/resource-servers/${encodeURIComponent(identifier)}`);
  const id = found.status === 200 ? found.body.id : (await tenant.api('GET', '/resource-servers')).body.find((rs: { identifier: string }) => rs.identifier === identifier).id;
  const r = await tenant.api('PATCH', `/resource-servers/${id}`, { allow_offline_access: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return identifier;
}

export async function createUser(tenant: TestTenant, email = `u${randomBytes(4).toString('hex')}@example.com`, password = 'correct horse battery staple 9'): Promise<{ userId: string; email: string; password: string }> {
  const r = await tenant.api('POST', '/users', { connection: 'Username-Password-Authentication', email, password, name: 'Test User', email_verified: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { userId: r.body.user_id, email, password };
}

export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Cookies by name, as a browser keeps them for one host. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

const attr = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1]?.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

export interface AuthorizeResult {
  /** The final redirect to the application, parsed. */
  url: URL;
  code: string | null;
  params: URLSearchParams;
}

/**
 * A user agent without JavaScript: GET /authorize, sign in on the hosted page if it is shown
 * (CSRF token and state from the form), follow redirects until one leaves for the application.
 */
export async function authorizeOverHttp(
  h: Harness,
  tenant: TestTenant,
  query: Record<string, string>,
  user?: { email: string; password: string },
  jar = new CookieJar(),
): Promise<AuthorizeResult> {
  let url = new URL(`authorize?${new URLSearchParams(query)}`, tenant.issuer);
  let init: RequestInit = {};
  for (let hop = 0; hop < 10; hop++) {
    const res = await h.fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      const next = new URL(location, url);
      if (next.origin !== new URL(tenant.issuer).origin) return { url: next, code: next.searchParams.get('code'), params: next.searchParams };
      url = next;
      init = {};
      continue;
    }
    const html = await res.text();
    if (res.status === 200 && html.includes('name="password"')) {
      assert.ok(user, 'the login page was shown but no user was given');
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ state: attr(html, 'state') ?? '', csrf: attr(html, 'csrf') ?? '', email: user.email, password: user.password }).toString(),
      };
      url = new URL('u/login', tenant.issuer);
      user = undefined;
      continue;
    }
    throw new Error(`authorize flow stopped at ${url.pathname}: ${res.status} ${html.slice(0, 300)}`);
  }
  throw new Error('too many redirects');
}

/**
 * A user agent without JavaScript, across origins: follows every redirect from `start`, signs in
 * on Signet's hosted page when it is shown, and returns the last page (body and URL). `fetchFn`
 * reaches every origin involved.
 */
export async function browse(
  fetchFn: typeof globalThis.fetch,
  start: string,
  user: { email: string; password: string } | undefined,
  jar = new CookieJar(),
): Promise<{ url: URL; status: number; body: string }> {
  let url = new URL(start);
  let init: RequestInit = {};
  for (let hop = 0; hop < 15; hop++) {
    const res = await fetchFn(url, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: jar.header() } });
    jar.take(res);
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location) {
      url = new URL(location, url);
      init = {};
      continue;
    }
    const body = await res.text();
    if (res.status === 200 && body.includes('name="password"') && user) {
      init = {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ state: attr(body, 'state') ?? '', csrf: attr(body, 'csrf') ?? '', email: user.email, password: user.password }).toString(),
      };
      url = new URL('/u/login', url);
      user = undefined;
      continue;
    }
    return { url, status: res.status, body };
  }
  throw new Error('too many redirects');
}

/**
 * The token request exchanging `code`, authenticated by `app`'s private key (aud = issuer),
 * signed at `now` (pass the harness clock when a test has moved it).
 */
export function codeForm(tenant: TestTenant, app: WebApp, code: string, extra: Record<string, string> = {}, now = Date.now()): Record<string, string> {
  return {
    grant_type: 'authorization_code',
    code,
    redirect_uri: app.callback,
    client_id: app.clientId,
    client_assertion_type: JWT_BEARER,
    client_assertion: signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: app.alg, now }),
    ...extra,
  };
}

/** A refresh request authenticated by `app`'s private key, signed at `now`. */
export function refreshForm(tenant: TestTenant, app: WebApp, refreshToken: string, extra: Record<string, string> = {}, now = Date.now()): Record<string, string> {
  return {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_assertion_type: JWT_BEARER,
    client_assertion: signClientAssertion({ clientId: app.clientId, audience: tenant.issuer, privateKey: app.privateKey, alg: app.alg, now }),
    ...extra,
  };
}

/** Verifies an ID token's signature against the tenant's published JWKS and its core claims. */
export async function verifyIdToken(h: Harness, tenant: TestTenant, idToken: string, clientId: string): Promise<JWTPayload> {
  const jwks = (await (await h.fetch(new URL('.well-known/jwks.json', tenant.issuer))).json()) as Parameters<typeof createLocalJWKSet>[0];
  const { payload, protectedHeader } = await jwtVerify(idToken, createLocalJWKSet(jwks), { issuer: tenant.issuer, audience: clientId, algorithms: ['RS256'] });
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.azp, clientId);
  return payload;
}
