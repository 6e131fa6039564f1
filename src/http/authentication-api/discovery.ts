import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import type { TenantContext } from '../../services/tenant-directory.ts';
import { CREDENTIAL_ALGS } from '../../domain/credentials/index.ts';

/** The claims an ID token or /userinfo can carry (OIDC Core §5.1, plus `sid` and `azp`). */
const CLAIMS_SUPPORTED = ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'sid', 'azp', 'name', 'nickname', 'updated_at', 'email', 'email_verified'];
const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];

/**
 * What both metadata documents say (RFC 8414 §2 field names, shared by OpenID Connect
 * Discovery), and only what is true: the grants come from the grant registry; the
 * authorization endpoint answers `response_type=code` only, with PKCE S256 only, and puts `iss`
 * in its responses (RFC 9207: each tenant is its own issuer); revocation and PAR authenticate
 * clients exactly as the token endpoint does.
 */
function serverMetadata({ issuer }: TenantContext, services: Services) {
  const algs = [...CREDENTIAL_ALGS];
  return {
    issuer,
    authorization_endpoint: `${issuer}authorize`,
    token_endpoint: `${issuer}oauth/token`,
    userinfo_endpoint: `${issuer}userinfo`,
    jwks_uri: `${issuer}.well-known/jwks.json`,
    revocation_endpoint: `${issuer}oauth/revoke`,
    end_session_endpoint: `${issuer}oidc/logout`,
    pushed_authorization_request_endpoint: `${issuer}oauth/par`,
    require_pushed_authorization_requests: false,
    grant_types_supported: [...services.grants.types],
    response_types_supported: ['code'],
    response_modes_supported: ['query', 'form_post'],
    code_challenge_methods_supported: ['S256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    authorization_response_iss_parameter_supported: true,
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: algs,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_signing_alg_values_supported: algs,
  };
}

/**
 * OpenID Provider metadata, RFC 8414 authorization server metadata and the tenant's JWKS.
 * These are public documents read by browsers too, so (and only these) they allow any origin
 * and answer CORS preflights; each carries a strong ETag and answers a matching
 * If-None-Match with 304.
 */
export function discoveryRoutes(app: FastifyInstance, services: Services): void {
  publicDocument(app, '/.well-known/openid-configuration', async (req) => ({
    ...serverMetadata(req.tenantCtx, services),
    claims_supported: CLAIMS_SUPPORTED,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
  }));

  publicDocument(app, '/.well-known/oauth-authorization-server', async (req) => serverMetadata(req.tenantCtx, services));

  // Read on every request (one indexed query), so a rotation or revocation shows at once on every process.
  publicDocument(app, '/.well-known/jwks.json', async (req) => ({ keys: await services.store.signingKeys.publicJwks(req.tenantCtx.tenant.id) }));
}

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  // Without this a browser script could not read the validator it needs for If-None-Match.
  'access-control-expose-headers': 'ETag',
};

function publicDocument(app: FastifyInstance, path: string, body: (req: FastifyRequest) => Promise<unknown>): void {
  app.get(path, async (req, reply) => {
    const json = JSON.stringify(await body(req));
    const etag = `"${createHash('sha256').update(json).digest('base64url')}"`;
    reply.headers({ ...CORS_HEADERS, 'cache-control': 'public, max-age=300', etag });
    if (matchesIfNoneMatch(req.headers['if-none-match'], etag)) return notModified(reply);
    return reply.type('application/json; charset=utf-8').send(json);
  });
  app.options(path, async (_req, reply) =>
    reply
      .code(204)
      .headers({
        ...CORS_HEADERS,
        'access-control-allow-methods': 'GET, HEAD, OPTIONS',
        'access-control-allow-headers': 'If-None-Match, Cache-Control',
        'access-control-max-age': '86400',
      })
      .send(),
  );
}

function notModified(reply: FastifyReply) {
  return reply.code(304).send();
}

/**
 * If-None-Match (RFC 9110 §13.1.2): `*` or a list of entity tags, compared weakly (a `W/`
 * prefix is ignored). The header is split on commas without a regex, so its cost is linear.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined || header.length > 4096) return false;
  for (const raw of header.split(',')) {
    const tag = raw.trim();
    if (tag === '*' || (tag.startsWith('W/') ? tag.slice(2) : tag) === etag) return true;
  }
  return false;
}
