import { GrantError } from '../../domain/errors.ts';
import { checkCodeVerifier, PkceError } from '../../domain/pkce.ts';
import type { Grant, TokenRequest } from './types.ts';
import type { GrantDeps, GrantUser } from './deps.ts';
import { hashToken, issueUserTokens } from './user-tokens.ts';

/**
 * authorization_code (RFC 6749 §4.1.3, OIDC Core §3.1.3). The client was authenticated first
 * (a request that fails client authentication never touches the code). The code is bound to
 * its client, redirect_uri and PKCE challenge, single use and short-lived; a second use fails
 * and revokes the refresh tokens the first one issued (§4.1.2). Access tokens already issued
 * are self-contained JWTs and live out their (short) lifetime.
 */
export function authorizationCodeGrant(deps: GrantDeps): Grant {
  return {
    type: 'authorization_code',
    parameters: { code: { type: 'string', maxLength: 256 }, redirect_uri: { type: 'string', maxLength: 2048 }, code_verifier: { type: 'string', maxLength: 256 } },
    publicClients: true,
    logTypes: { success: 'seacft', failure: 'feacft', description: 'Authorization Code for Access Token' },
    async exchange({ tenant, params, client: auth, now }: TokenRequest) {
      const client = auth.ctx.client;
      if (!params.code) throw new GrantError('code_missing', 'code is required.', { error: 'invalid_request' });
      const codeHash = hashToken(params.code);
      const code = await deps.codes.find(tenant.tenant.id, codeHash);
      if (!code || code.clientId !== client.clientId) {
        // A code of another client is as unknown to this one as a made-up code; it stays usable by its own client.
        throw new GrantError(code ? 'code_other_client' : 'code_unknown', 'Invalid authorization code.');
      }
      if (code.usedAt !== null) {
        if (code.issuedFamily) await deps.store.refreshTokens.revokeFamily(tenant.tenant.id, code.issuedFamily, now);
        throw new GrantError('code_replayed', 'Invalid authorization code: it was already used. The tokens issued for it have been revoked.');
      }
      if (code.expiresAt <= now) throw new GrantError('code_expired', 'Invalid authorization code: it has expired.');
      if (params.redirect_uri !== code.redirectUri) {
        throw new GrantError(
          'redirect_uri_mismatch',
          params.redirect_uri === undefined ? 'redirect_uri is required: send the one the authorization request used.' : 'redirect_uri differs from the one the authorization request used.',
        );
      }
      if (auth.method === 'none' && code.codeChallenge === null) {
        throw new GrantError('public_client_without_pkce', 'A public client must use PKCE: the authorization request had no code_challenge.');
      }
      try {
        checkCodeVerifier(code.codeChallenge, params.code_verifier);
      } catch (err) {
        if (err instanceof PkceError) throw new GrantError(`pkce_${err.problem}`, err.message);
        throw err;
      }
      const user = await liveUser(deps, tenant.tenant.id, code.userId);
      // Single use, atomically: of two racing exchanges exactly one proceeds.
      if (!(await deps.codes.claim(tenant.tenant.id, codeHash, now))) {
        const again = await deps.codes.find(tenant.tenant.id, codeHash);
        if (again?.issuedFamily) await deps.store.refreshTokens.revokeFamily(tenant.tenant.id, again.issuedFamily, now);
        throw new GrantError('code_replayed', 'Invalid authorization code: it was already used.');
      }
      const issued = await issueUserTokens(
        deps,
        { tenant, client, user, scope: code.scope, audience: code.audience, nonce: code.nonce, authTime: code.authTime, sid: code.sid, now },
        'new',
      );
      if (issued.refresh) await deps.codes.setIssuedFamily(tenant.tenant.id, codeHash, issued.refresh.familyId);
      return {
        response: issued.response,
        log: {
          audience: code.audience,
          scope: code.scope,
          userId: user.userId,
          userName: user.email,
          details: { audience: code.audience, scope: code.scope, pkce: code.codeChallenge !== null, refresh_token: issued.refresh !== undefined },
        },
      };
    },
  };
}

/** The user a code or refresh token stands for, if they still exist and are not blocked. */
export async function liveUser(deps: Pick<GrantDeps, 'users'>, tenantId: string, userId: string): Promise<GrantUser> {
  const user = await deps.users.get(tenantId, userId);
  if (!user) throw new GrantError('user_deleted', 'The user this grant was issued for no longer exists.');
  if (user.blocked) throw new GrantError('user_blocked', 'The user is blocked.');
  return user;
}
