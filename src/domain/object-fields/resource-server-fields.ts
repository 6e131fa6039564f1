import { bool, int, isEmpty, nullable, oneOf, shape, type FieldRules } from './field-rules.ts';

/**
 * The algorithms an API's access tokens may be signed with: Auth0's (RS256, RS512, PS256,
 * HS256) plus ES256 and EdDSA. Each asymmetric one signs with the tenant's key family of that
 * algorithm (published in its JWKS); HS256 with the API's own signing_secret.
 */
export const RESOURCE_SERVER_SIGNING_ALGS = ['RS256', 'RS512', 'PS256', 'ES256', 'EdDSA', 'HS256'] as const;
export type ResourceServerSigningAlg = (typeof RESOURCE_SERVER_SIGNING_ALGS)[number];
/** Auth0's minimum length of an HS256 `signing_secret`. */
export const SIGNING_SECRET_MIN_LENGTH = 16;
export const SIGNING_SECRET_MAX_LENGTH = 512;
/** Auth0's longest access token lifetime: 30 days. */
export const MAX_TOKEN_LIFETIME = 2592000;

const noUsers = 'Signet issues tokens to applications only (client credentials): no user flow, refresh token or consent screen uses it. Stored as sent.';

/**
 * Every field of Auth0's resource server create and update bodies (`CreateResourceServerRequestContent`,
 * `UpdateResourceServerRequestContent` in the auth0 v7 SDK, plus `token_lifetime_for_web`, which
 * Auth0 accepts and returns), with what Signet does with it and why. `id` and `is_system` are read-only.
 */
export const RESOURCE_SERVER_FIELDS: FieldRules = {
  name: { status: 'core', reason: 'The API name.' },
  identifier: { status: 'core', reason: 'The audience; cannot change once set.' },
  scopes: { status: 'core', reason: 'The scopes client grants may give, enforced at /oauth/token.' },
  token_lifetime: { status: 'core', reason: 'The lifetime of access tokens issued for the API.' },
  signing_alg: {
    status: 'core',
    reason: `One of ${RESOURCE_SERVER_SIGNING_ALGS.join(', ')}; honoured when tokens are minted: the asymmetric ones sign with the tenant's key of that algorithm, published in its JWKS.`,
  },
  signing_secret: {
    status: 'core',
    reason: `HS256 key, at least ${SIGNING_SECRET_MIN_LENGTH} characters; sealed at rest, generated when HS256 is chosen without one, and honoured when HS256 tokens are minted (never published).`,
  },

  allow_offline_access: { status: 'stored', reason: noUsers, check: bool },
  allow_online_access: { status: 'stored', reason: noUsers, check: bool },
  allow_online_access_with_ephemeral_sessions: { status: 'stored', reason: noUsers, check: bool },
  skip_consent_for_verifiable_first_party_clients: { status: 'stored', reason: noUsers, check: bool },
  enforce_policies: { status: 'stored', reason: 'RBAC for users; Signet has no users, and client access is always by client grant.', check: bool },
  token_lifetime_for_web: { status: 'stored', reason: 'Lifetime for implicit/hybrid flows, which Signet does not run; at most token_lifetime.', check: int(1, MAX_TOKEN_LIFETIME) },
  token_lifetime_for_anonymous_access_tokens: { status: 'stored', reason: 'Signet has no anonymous sessions.', check: nullable(int(1, MAX_TOKEN_LIFETIME)) },

  token_dialect: {
    status: 'refused',
    reason: 'Signet issues Auth0 access_token dialect tokens only (no RFC 9068 profile, no permissions claim); only "access_token" is accepted.',
    harmless: (v) => v === 'access_token',
  },
  subject_type_authorization: {
    status: 'refused',
    reason: 'Signet always requires a client grant for applications; only client.policy "require_client_grant" is accepted (user policies are stored: Signet has no user flows).',
    harmless: (v) => {
      const client = typeof v === 'object' && v !== null ? (v as { client?: { policy?: unknown } }).client : undefined;
      return client === undefined || client?.policy === undefined || client.policy === 'require_client_grant';
    },
    check: shape({
      client: shape({ policy: oneOf('require_client_grant') }),
      user: shape({ policy: oneOf('allow_all', 'deny_all', 'require_client_grant') }),
      anonymous_user: shape({ policy: oneOf('deny_all', 'require_client_grant') }),
    }),
  },
  token_encryption: { status: 'refused', reason: 'Signet does not encrypt access tokens, so they would be issued in the clear.' },
  proof_of_possession: { status: 'refused', reason: 'Signet issues bearer tokens only, without DPoP or mTLS binding.' },
  consent_policy: { status: 'refused', reason: 'Signet has no transactional authorization or MFA.' },
  authorization_details: { status: 'refused', reason: 'Signet does not implement rich authorization requests (RFC 9396); only [] is accepted.', harmless: isEmpty },
  authorization_policy: { status: 'refused', reason: 'Signet evaluates no authorization policies.' },
};
