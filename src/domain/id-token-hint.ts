import { verifyJwtSignature, type VerificationKey } from './jwt-sign.ts';

export interface IdTokenHintClaims {
  sub: string;
  /** The audiences (client ids) the ID token was issued to. */
  aud: string[];
  sid?: string;
}

/** Upper bound on an id_token_hint (an ID token with Signet's claims is well under 2 KB). */
export const MAX_ID_TOKEN_HINT_LENGTH = 8192;

/**
 * Verifies an `id_token_hint` of RP-initiated logout: an RS256 JWT signed by one of the
 * tenant's published RS256 keys (ID tokens are always RS256), issued by one of the tenant's issuers, naming a subject and an
 * audience. Its expiry is deliberately not checked (OpenID Connect RP-Initiated Logout §2: an
 * expired ID token is still a good hint of who is signing out). Returns null on any failure.
 */
export function verifyIdTokenHint(token: string, ctx: { keys: ReadonlyMap<string, VerificationKey>; issuers: readonly string[] }): IdTokenHintClaims | null {
  if (token.length > MAX_ID_TOKEN_HINT_LENGTH) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as { alg?: unknown; kid?: unknown };
    if (header.alg !== 'RS256' || typeof header.kid !== 'string') return null;
    const key = ctx.keys.get(header.kid);
    if (!key || key.alg !== 'RS256') return null;
    if (!verifyJwtSignature(`${parts[0]}.${parts[1]}`, Buffer.from(parts[2]!, 'base64url'), key)) return null;
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims.iss !== 'string' || !ctx.issuers.includes(claims.iss)) return null;
    if (typeof claims.sub !== 'string' || !claims.sub) return null;
    const aud = Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : typeof claims.aud === 'string' ? [claims.aud] : [];
    if (aud.length === 0) return null;
    return { sub: claims.sub, aud, ...(typeof claims.sid === 'string' && { sid: claims.sid }) };
  } catch {
    return null;
  }
}
