import { createHash, randomBytes } from 'node:crypto';
import { OAuthRequestError } from '../../domain/errors.ts';
import { mintAccessToken } from '../../domain/access-token.ts';
import { DEFAULT_ID_TOKEN_LIFETIME_S, mintIdToken } from '../../domain/id-token.ts';
import { NEVER, refreshTokenPolicy } from '../../domain/refresh-token-policy.ts';
import type { Client } from '../../store/index.ts';
import type { Queryable } from '../../store/sql/db.ts';
import type { TenantContext } from '../tenant-directory.ts';
import type { GrantDeps, GrantUser } from './deps.ts';
import type { TokenResponse } from './types.ts';
import type { ApiTokenSigning } from '../api-token-signing.ts';

/** Lifetime of an access token good only for /userinfo (Auth0's default for such tokens). */
export const USERINFO_TOKEN_LIFETIME_S = 86_400;

/** The audience Auth0 gives a user's access token for /userinfo. */
export const userinfoAudience = (issuer: string) => `${issuer}userinfo`;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
/** A refresh token: 256 random bits. Only its digest is stored. */
export const newRefreshToken = () => randomBytes(32).toString('base64url');

/** The sign-in a set of tokens stands for: who, for which client, with which consent. */
export interface UserGrantContext {
  tenant: TenantContext;
  client: Client;
  user: GrantUser;
  scope: string;
  /** The scope a new refresh token keeps when this request narrowed `scope` (RFC 6749 §6); default `scope`. */
  refreshScope?: string;
  audience: string | null;
  nonce: string | null;
  authTime: number;
  sid: string | null;
  now: number;
}

/** Where a new refresh token goes: a new family (from a code) or a child in an existing one. */
export interface RefreshPlacement {
  familyId: string;
  parentHash: string | null;
  /** The family's absolute expiry (kept by every child). */
  expiresAt: number | null;
}

export interface IssuedTokens {
  response: TokenResponse;
  /** Set when a refresh token was issued. */
  refresh?: { familyId: string; tokenHash: string };
}

/**
 * The tokens of a user's sign-in (code exchange and refresh): an access token for the API (and
 * /userinfo when `openid` was granted) or for /userinfo alone; an ID token when `openid` was
 * granted; and a refresh token when `offline_access` was granted and the API allows it.
 */
export async function issueUserTokens(deps: GrantDeps, g: UserGrantContext, refresh: RefreshPlacement | 'none' | 'new', q?: Queryable): Promise<IssuedTokens> {
  const scopes = new Set(g.scope.split(' ').filter(Boolean));
  const userinfo = userinfoAudience(g.tenant.issuer);
  let lifetime = USERINFO_TOKEN_LIFETIME_S;
  let offlineAllowed = true;
  // A token for /userinfo alone is the tenant's (RS256); one for an API is signed as the API says.
  let signing: ApiTokenSigning = 'RS256';
  if (g.audience !== null) {
    const api = await deps.store.resourceServers.find(g.tenant.tenant.id, g.audience);
    if (!api || api.identifier !== g.audience) throw new OAuthRequestError('invalid_grant', `The API "${g.audience.slice(0, 200)}" no longer exists.`);
    lifetime = api.tokenLifetime;
    offlineAllowed = api.extras.allow_offline_access === true;
    signing = deps.apiSigning(api);
  }
  const key = typeof signing === 'string' ? await deps.signingKey(g.tenant, signing) : signing;
  const symmetric = typeof signing !== 'string';
  // /userinfo joins the API's audience with `openid`, except for an HS256 API (as Auth0 does):
  // its token is signed with a secret the API holds too, so it names that API alone.
  const audience = g.audience === null ? userinfo : scopes.has('openid') && !symmetric ? [g.audience, userinfo] : g.audience;
  const { token, expiresIn } = await mintAccessToken(
    { issuer: g.tenant.issuer, clientId: g.client.clientId, audience, scope: g.scope, lifetimeSeconds: lifetime, now: g.now, userId: g.user.userId },
    key,
  );
  const response: TokenResponse = { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: g.scope };
  if (scopes.has('openid')) {
    response.id_token = await mintIdToken(
      {
        issuer: g.tenant.issuer,
        clientId: g.client.clientId,
        user: g.user,
        scope: g.scope,
        nonce: g.nonce,
        authTime: g.authTime,
        sid: g.sid ?? '',
        lifetimeSeconds: idTokenLifetime(g.client),
        now: g.now,
      },
      // ID tokens are always RS256 (discovery's id_token_signing_alg_values_supported), whatever the API's algorithm.
      await deps.signingKey(g.tenant),
    );
  }
  const refreshScope = g.refreshScope ?? g.scope;
  if (refresh === 'none' || !refreshScope.split(' ').includes('offline_access') || !offlineAllowed || !g.client.grantTypes.includes('refresh_token')) return { response };
  const policy = refreshTokenPolicy(g.client.extras);
  const placement: RefreshPlacement =
    refresh === 'new' ? { familyId: `rtf_${randomBytes(12).toString('base64url')}`, parentHash: null, expiresAt: null } : refresh;
  const familyExpiry = placement.expiresAt ?? (policy.lifetimeSeconds === null ? NEVER : g.now + policy.lifetimeSeconds * 1000);
  const idleExpiry = policy.idleSeconds === null ? NEVER : Math.min(familyExpiry, g.now + policy.idleSeconds * 1000);
  const refreshToken = newRefreshToken();
  const tokenHash = hashToken(refreshToken);
  await deps.store.refreshTokens.insert(
    {
      tokenHash,
      tenantId: g.tenant.tenant.id,
      familyId: placement.familyId,
      clientId: g.client.clientId,
      userId: g.user.userId,
      scope: refreshScope,
      audience: g.audience,
      sid: g.sid,
      authTime: g.authTime,
      createdAt: g.now,
      expiresAt: familyExpiry,
      idleExpiresAt: idleExpiry,
      parentHash: placement.parentHash,
    },
    q,
  );
  response.refresh_token = refreshToken;
  return { response, refresh: { familyId: placement.familyId, tokenHash } };
}

function idTokenLifetime(client: Client): number {
  const jwt = client.extras.jwt_configuration as { lifetime_in_seconds?: unknown } | undefined;
  const v = jwt?.lifetime_in_seconds;
  return typeof v === 'number' && v > 0 ? v : DEFAULT_ID_TOKEN_LIFETIME_S;
}
