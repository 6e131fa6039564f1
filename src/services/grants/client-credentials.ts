import { OAuthRequestError } from '../../domain/errors.ts';
import { mintAccessToken } from '../../domain/access-token.ts';
import { resolveScopes } from '../../domain/scopes.ts';
import { defaultAudience } from '../../domain/tenant-settings.ts';
import type { Grant, TokenRequest } from './types.ts';
import type { GrantDeps } from './deps.ts';

/** client_credentials (RFC 6749 §4.4): a confidential client's own access token for an API it has a grant for. */
export function clientCredentialsGrant(deps: GrantDeps): Grant {
  return {
    type: 'client_credentials',
    parameters: { audience: { type: 'string', maxLength: 1024 }, scope: { type: 'string', maxLength: 2048 } },
    publicClients: false,
    logTypes: { success: 'seccft', failure: 'feccft', description: 'Client Credentials for Access Token' },
    async exchange({ tenant, params, client: auth, now }: TokenRequest) {
      const { client, grants } = auth.ctx;
      // As on Auth0, a request that names no API gets the tenant's default_audience, if it has one.
      const audience = params.audience || defaultAudience(tenant.tenant.settings);
      if (!audience) throw new OAuthRequestError('invalid_request', 'audience is required: the identifier of the API the token is for.');
      const grant = grants.get(audience);
      if (!grant) {
        throw new OAuthRequestError(
          'access_denied',
          `Client is not authorized to access "${audience.slice(0, 200)}". Create a client grant for this application and API.`,
          403,
        );
      }
      const scope = resolveScopes(params.scope, grant.scopes, grant.apiScopes);
      // The API's algorithm: a tenant key family's current key, or the API's HS256 secret itself.
      const key = typeof grant.signing === 'string' ? await deps.signingKey(tenant, grant.signing) : grant.signing;
      const { token, expiresIn } = await mintAccessToken(
        { issuer: tenant.issuer, clientId: client.clientId, audience, scope, lifetimeSeconds: grant.tokenLifetime, now },
        key,
      );
      return {
        response: { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(scope && { scope }) },
        log: { audience: params.audience ?? null, scope: scope || null, details: { audience, scope } },
      };
    },
  };
}
