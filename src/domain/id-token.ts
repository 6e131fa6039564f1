import type { TenantSigningKey } from './access-token.ts';
import { signJwt } from './jwt-sign.ts';

/** The user facts an ID token or /userinfo may state (OIDC Core §5.1). */
export interface UserClaimsSource {
  userId: string;
  email: string;
  emailVerified: boolean;
  name: string;
  nickname: string;
  updatedAt: number; // epoch ms
}

/** Auth0's default ID token lifetime (a client's jwt_configuration.lifetime_in_seconds). */
export const DEFAULT_ID_TOKEN_LIFETIME_S = 36_000;

/** The standard claims the granted scopes release (OIDC Core §5.4): profile and email. */
export function scopedUserClaims(user: UserClaimsSource, scope: string): Record<string, unknown> {
  const scopes = new Set(scope.split(' '));
  return {
    ...(scopes.has('profile') && { name: user.name, nickname: user.nickname, updated_at: new Date(user.updatedAt).toISOString() }),
    ...(scopes.has('email') && { email: user.email, email_verified: user.emailVerified }),
  };
}

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  user: UserClaimsSource;
  scope: string;
  nonce: string | null;
  /** Epoch ms of the user's authentication. */
  authTime: number;
  sid: string;
  lifetimeSeconds: number;
  now: number;
}

/**
 * An RS256 ID token (OIDC Core §2) as Auth0's SDKs validate it: `iss` with the trailing slash,
 * `aud` the client alone with `azp`, `nonce` echoed exactly, `auth_time` and `sid`.
 */
export function mintIdToken(input: IdTokenInput, key: TenantSigningKey): Promise<string> {
  const iat = Math.floor(input.now / 1000);
  return signJwt(
    {
      ...scopedUserClaims(input.user, input.scope),
      iss: input.issuer,
      sub: input.user.userId,
      aud: input.clientId,
      azp: input.clientId,
      iat,
      exp: iat + input.lifetimeSeconds,
      auth_time: Math.floor(input.authTime / 1000),
      sid: input.sid,
      ...(input.nonce !== null && { nonce: input.nonce }),
    },
    key,
  );
}
