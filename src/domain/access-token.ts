import { randomUUID, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { signJwt } from './jwt-sign.ts';

export interface AccessTokenInput {
  issuer: string;
  clientId: string;
  /** One API identifier, or several (a user's token for an API and for /userinfo). */
  audience: string | string[];
  scope: string;
  lifetimeSeconds: number;
  now: number; // epoch ms
  /** The user the token is for; absent for a client's own token (`{client_id}@clients`). */
  userId?: string;
}

export interface TenantSigningKey {
  kid: string;
  alg: 'RS256';
  privateKey: KeyObject;
}

/**
 * Mints an RS256 JWT access token with the claims Auth0 issues: `iss`, `sub`, `aud`, `iat`,
 * `exp`, `scope`, `azp`, `jti`, and for a client's own token (client credentials)
 * `sub` = `{client_id}@clients` and `gty`.
 */
export async function mintAccessToken(input: AccessTokenInput, key: TenantSigningKey): Promise<{ token: string; expiresIn: number }> {
  const iat = Math.floor(input.now / 1000);
  const payload: Record<string, unknown> = {
    iss: input.issuer,
    sub: input.userId ?? `${input.clientId}@clients`,
    aud: input.audience,
    iat,
    exp: iat + input.lifetimeSeconds,
    // randomUUID draws from a pre-filled entropy cache: a syscall-free 122 random bits.
    jti: randomUUID(),
    ...(input.userId === undefined && { gty: 'client-credentials' }),
    azp: input.clientId,
  };
  if (input.scope) payload.scope = input.scope;
  return { token: await signJwt(payload, key), expiresIn: input.lifetimeSeconds };
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
