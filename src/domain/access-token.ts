import { randomUUID, sign as rsaSign, verify as rsaVerify, type KeyObject } from 'node:crypto';

export interface AccessTokenInput {
  issuer: string;
  clientId: string;
  audience: string;
  scope: string;
  lifetimeSeconds: number;
  now: number; // epoch ms
}

export interface TenantSigningKey {
  kid: string;
  alg: 'RS256';
  privateKey: KeyObject;
}

/**
 * Mints an RS256 JWT access token for the client credentials grant, with the claims Auth0
 * issues (`iss`, `sub` = `{client_id}@clients`, `aud`, `iat`, `exp`, `scope`, `gty`, `azp`, `jti`).
 * Hand-rolled instead of a JOSE library: the header is a per-key constant, and this runs
 * on every token request. The RSA signature — most of a token request's CPU — is computed on
 * libuv's thread pool (the callback form of crypto.sign), so one process uses every core.
 */
export async function mintAccessToken(input: AccessTokenInput, key: TenantSigningKey): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(input.now / 1000);
  const payload: Record<string, unknown> = {
    iss: input.issuer,
    sub: `${input.clientId}@clients`,
    aud: input.audience,
    iat,
    exp: iat + input.lifetimeSeconds,
    // randomUUID draws from a pre-filled entropy cache: a syscall-free 122 random bits.
    jti: randomUUID(),
    gty: 'client-credentials',
    azp: input.clientId,
  };
  if (input.scope) payload.scope = input.scope;
  const signingInput = `${encodedHeader(key)}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  const signature = await new Promise<Buffer>((resolve, reject) =>
    rsaSign('sha256', Buffer.from(signingInput), key.privateKey, (err, sig) => (err ? reject(err) : resolve(sig))),
  );
  return { token: `${signingInput}.${signature.toString('base64url')}`, expiresIn: input.lifetimeSeconds };
}

const headers = new WeakMap<TenantSigningKey, string>();
function encodedHeader(key: TenantSigningKey): string {
  let h = headers.get(key);
  if (!h) {
    h = Buffer.from(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid })).toString('base64url');
    headers.set(key, h);
  }
  return h;
}

export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat?: number;
  scope?: string;
  azp?: string;
  [k: string]: unknown;
}

/**
 * Verifies an access token Signet issued (the Management API's bearer tokens): RS256 under
 * one of the tenant's keys, one of the tenant's issuers, the expected audience, not expired.
 * Returns null on any failure; callers answer a uniform 401 (no oracle for forgers).
 */
export function verifyAccessToken(
  token: string,
  ctx: { keys: ReadonlyMap<string, KeyObject>; issuers: readonly string[]; audience: string; now: number },
): AccessTokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') return null;
    const key = ctx.keys.get(header.kid);
    if (!key) return null;
    const ok = rsaVerify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), key, Buffer.from(parts[2]!, 'base64url'));
    if (!ok) return null;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as AccessTokenClaims;
    if (!ctx.issuers.includes(claims.iss)) return null;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(ctx.audience)) return null;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= ctx.now) return null;
    return claims;
  } catch {
    return null;
  }
}
