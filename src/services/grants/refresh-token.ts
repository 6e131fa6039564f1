import { GrantError } from '../../domain/errors.ts';
import { refreshTokenPolicy } from '../../domain/refresh-token-policy.ts';
import type { Grant, TokenRequest } from './types.ts';
import type { GrantDeps } from './deps.ts';
import { hashToken, issueUserTokens } from './user-tokens.ts';
import { liveUser } from './authorization-code.ts';

/**
 * refresh_token (RFC 6749 §6) with Auth0's rotation: each exchange returns a new refresh token
 * and uses up the one presented. Presenting a used one again is reuse (the token was copied):
 * the whole family is revoked and the event is `ferrt` — unless it comes within the client's
 * `leeway` after its rotation (a retried request), which replaces the token it was rotated into.
 * A non-rotating client's token stays valid and no new one is returned.
 */
export function refreshTokenGrant(deps: GrantDeps): Grant {
  return {
    type: 'refresh_token',
    parameters: { refresh_token: { type: 'string', maxLength: 512 }, scope: { type: 'string', maxLength: 2048 } },
    publicClients: true,
    logTypes: { success: 'sertft', failure: 'fertft', description: 'Refresh Token for Access Token' },
    async exchange({ tenant, params, client: auth, now }: TokenRequest) {
      const client = auth.ctx.client;
      const tenantId = tenant.tenant.id;
      if (!params.refresh_token) throw new GrantError('refresh_token_missing', 'refresh_token is required.', { error: 'invalid_request' });
      const tokenHash = hashToken(params.refresh_token);
      const token = await deps.store.refreshTokens.find(tenantId, tokenHash);
      if (!token || token.clientId !== client.clientId) {
        throw new GrantError(token ? 'refresh_token_other_client' : 'refresh_token_unknown', 'Unknown or invalid refresh token.');
      }
      if (token.revokedAt !== null) throw new GrantError('refresh_token_revoked', 'Unknown or invalid refresh token: it has been revoked.');
      if (token.expiresAt <= now || token.idleExpiresAt <= now) throw new GrantError('refresh_token_expired', 'Unknown or invalid refresh token: it has expired.');
      const policy = refreshTokenPolicy(client.extras);
      const scope = narrowScope(params.scope, token.scope);
      const user = await liveUser(deps, tenantId, token.userId);
      const sign = { tenant, client, user, scope, audience: token.audience, nonce: null, authTime: token.authTime, sid: token.sid, now };

      if (!policy.rotating && token.rotatedAt === null) {
        const issued = await issueUserTokens(deps, sign, 'none');
        return { response: issued.response, log: logOf(token, scope, user, { rotated: false }) };
      }
      const withinLeeway = (at: number | null) => at !== null && now - at <= policy.leewaySeconds * 1000;
      const rotated = token.rotatedAt === null && (await deps.store.refreshTokens.markRotated(tenantId, tokenHash, now));
      if (!rotated) {
        // Used already: by a retry within the leeway (replace what that use issued) or by a racing request (reuse).
        const current = await deps.store.refreshTokens.find(tenantId, tokenHash);
        if (!current || current.revokedAt !== null || !withinLeeway(current.rotatedAt)) throw await reuse(deps, tenantId, token.familyId, now);
        await deps.store.refreshTokens.revokeChildren(tenantId, tokenHash, now);
      }
      const issued = await issueUserTokens(deps, { ...sign, refreshScope: token.scope }, {
        familyId: token.familyId,
        parentHash: tokenHash,
        expiresAt: token.expiresAt,
      });
      return { response: issued.response, log: logOf(token, scope, user, { rotated: true }) };
    },
  };
}

async function reuse(deps: GrantDeps, tenantId: string, familyId: string, now: number): Promise<GrantError> {
  await deps.store.refreshTokens.revokeFamily(tenantId, familyId, now);
  return new GrantError('refresh_token_reused', 'Unknown or invalid refresh token: it was already used, so its whole family of tokens is now revoked.', {
    logType: 'ferrt',
  });
}

/** A refresh may ask for fewer scopes than were granted (RFC 6749 §6), never more. */
function narrowScope(requested: string | undefined, granted: string): string {
  if (requested === undefined) return granted;
  const have = new Set(granted.split(' '));
  const want = requested.split(' ').filter(Boolean);
  const extra = want.filter((s) => !have.has(s));
  if (extra.length) {
    throw new GrantError('scope_broadened', `The requested scope exceeds what was granted: ${extra.slice(0, 5).join(' ').slice(0, 200)}.`, { error: 'invalid_scope' });
  }
  return [...new Set(want)].join(' ');
}

function logOf(token: { audience: string | null; familyId: string }, scope: string, user: { userId: string; email: string }, extra: Record<string, unknown>) {
  return {
    audience: token.audience,
    scope,
    userId: user.userId,
    userName: user.email,
    details: { audience: token.audience, scope, family: token.familyId, ...extra },
  };
}
