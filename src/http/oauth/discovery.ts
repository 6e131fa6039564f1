import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { CREDENTIAL_ALGS } from '../../domain/credentials/index.ts';

/**
 * OpenID Provider metadata and the tenant's JWKS. Discovery advertises only what the token
 * endpoint really does: client_credentials, the three client authentication methods, and the
 * assertion algorithms a credential can be registered with.
 */
export function discoveryRoutes(app: FastifyInstance, services: Services): void {
  app.get('/.well-known/openid-configuration', async (req, reply) => {
    const { issuer } = req.tenantCtx;
    reply.header('cache-control', 'public, max-age=300');
    return {
      issuer,
      token_endpoint: `${issuer}oauth/token`,
      jwks_uri: `${issuer}.well-known/jwks.json`,
      grant_types_supported: ['client_credentials'],
      response_types_supported: [],
      scopes_supported: [],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: [...CREDENTIAL_ALGS],
      request_parameter_supported: false,
      request_uri_parameter_supported: false,
      claims_parameter_supported: false,
    };
  });

  app.get('/.well-known/jwks.json', async (req, reply) => {
    reply.header('cache-control', 'public, max-age=300');
    return { keys: await services.store.signingKeys.publicJwks(req.tenantCtx.tenant.id) };
  });
}
