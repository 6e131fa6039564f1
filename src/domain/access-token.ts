import { randomUUID } from 'node:crypto';
import { signJwt, verifyJwtSignature, type JwtSigningKey, type VerificationKey } from './jwt-sign.ts';

export type { TenantSigningKey } from './jwt-sign.ts';

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

/**
 * Mints a JWT access token (signed as the API's signing_alg asks: one of the tenant's key
 * families, or the API's HS256 secret) with the claims Auth0 issues: `iss`, `sub`, `aud`, `iat`,
 * `exp`, `scope`, `azp`, `jti`, and for a client's own token (client credentials)
 * `sub` = `{client_id}@clients` and `gty`.
 */
export async function mintAccessToken(input: AccessTokenInput, key: JwtSigningKey): Promise<{ token: string; expiresIn: number }> {
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
 * Verifies an access token Signet issued (the Management API's bearer tokens, /userinfo's):
 * signed by one of the tenant's published keys with that key's own algorithm (the header's
 * `alg` must equal the family's; so never `none`, and never HS256, whose secret belongs to an
 * API), one of the tenant's issuers, the expected audience, not expired.
 * Returns null on any failure; callers answer a uniform 401 (no oracle for forgers).
 */
export function verifyAccessToken(
  token: string,
  ctx: { keys: ReadonlyMap<string, VerificationKey>; issuers: readonly string[]; audience: string; now: number },
): AccessTokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: string; kid?: string };
    if (typeof header.kid !== 'string') return null;
    const key = ctx.keys.get(header.kid);
    if (!key || header.alg !== key.alg) return null;
    if (!verifyJwtSignature(`${parts[0]}.${parts[1]}`, Buffer.from(parts[2]!, 'base64url'), key)) return null;
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
