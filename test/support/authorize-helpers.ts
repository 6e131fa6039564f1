import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Harness, TestTenant } from './harness.ts';

/** A browser's cookies for one host, enough for the sign-in endpoints (no Domain, Path=/). */
export class CookieJar {
  private cookies = new Map<string, string>();
  store(res: Response): void {
    const set = (res.headers as unknown as { getSetCookie(): string[] }).getSetCookie();
    for (const c of set) {
      const [pair, ...attrs] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  set(name: string, value: string): void {
    this.cookies.set(name, value);
  }
  clone(): CookieJar {
    const j = new CookieJar();
    for (const [k, v] of this.cookies) j.set(k, v);
    return j;
  }
}

export const pkce = () => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

/** GET a tenant URL without following redirects, carrying and updating `jar`. */
export async function browse(h: Harness, tenant: TestTenant, path: string, jar = new CookieJar(), init: { method?: string; form?: Record<string, string> } = {}) {
  const url = new URL(path, tenant.base);
  const res = await h.fetch(url, {
    method: init.method ?? 'GET',
    redirect: 'manual',
    headers: {
      ...(jar.header() && { cookie: jar.header() }),
      ...(init.form && { 'content-type': 'application/x-www-form-urlencoded' }),
    },
    ...(init.form && { body: new URLSearchParams(init.form).toString() }),
  });
  jar.store(res);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, location: res.headers.get('location'), jar };
}

export const authorizePath = (params: Record<string, string>) => `/authorize?${new URLSearchParams(params)}`;

/** A Regular Web Application allowed the authorization code flow, with callbacks and logout URLs. */
export async function webApp(tenant: TestTenant, extra: Record<string, unknown> = {}) {
  const r = await tenant.api('POST', '/clients', {
    name: 'Web app',
    app_type: 'regular_web',
    grant_types: ['authorization_code', 'refresh_token'],
    callbacks: ['https://app.example.com/callback', 'http://localhost:3000/callback'],
    allowed_logout_urls: ['https://app.example.com/bye'],
    ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { clientId: r.body.client_id as string, secret: r.body.client_secret as string, callback: 'https://app.example.com/callback' };
}

/** The parameters an SDK sends (code + PKCE S256 + state + nonce). */
export function codeRequest(app: { clientId: string; callback: string }, extra: Record<string, string> = {}) {
  const { verifier, challenge } = pkce();
  return {
    verifier,
    params: {
      response_type: 'code',
      client_id: app.clientId,
      redirect_uri: app.callback,
      scope: 'openid profile email',
      state: randomBytes(12).toString('base64url'),
      nonce: randomBytes(12).toString('base64url'),
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...extra,
    } as Record<string, string>,
  };
}

/** Reads a hidden input's value from a page (values are HTML-escaped by the server). */
export function hiddenField(html: string, name: string): string | undefined {
  const m = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`).exec(html);
  return m ? m[1]!.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&') : undefined;
}

/** A user of `tenant`'s database connection, made through the user service (blocked if asked). */
export async function makeUser(h: Harness, tenant: TestTenant, opts: { blocked?: boolean } = {}) {
  const tenantId = (await h.services.directory.byName(tenant.tenant))!.tenant.id;
  const email = `u${randomBytes(4).toString('hex')}@example.com`;
  const password = 'correct horse battery staple 9';
  const u = await h.services.users.create(tenantId, { connection: 'Username-Password-Authentication', email, password, name: 'Test User', emailVerified: true, blocked: opts.blocked ?? false });
  return { userId: u.userId, email, password };
}
