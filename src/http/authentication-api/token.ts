import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { ClientAuthError, OAuthRequestError } from '../../domain/errors.ts';
import { mintAccessToken } from '../../domain/access-token.ts';
import { resolveScopes } from '../../domain/scopes.ts';
import type { TenantSettings } from '../../domain/tenant-settings.ts';
import type { AuthenticatedClient } from '../../services/client-authentication.ts';
import { oauthErrorBody, type OAuthErrorBody } from '../errors.ts';

interface TokenBody {
  grant_type?: string;
  client_id?: string;
  client_secret?: string;
  client_assertion?: string;
  client_assertion_type?: string;
  audience?: string;
  scope?: string;
}

const tokenSchema = {
  body: {
    type: 'object',
    properties: {
      grant_type: { type: 'string', maxLength: 128 },
      client_id: { type: 'string', maxLength: 128 },
      client_secret: { type: 'string', maxLength: 512 },
      // No maxLength: the domain refuses assertions over 2048 bytes with its own specific 401 and
      // log event; the route's body limit bounds what is read at all.
      client_assertion: { type: 'string' },
      client_assertion_type: { type: 'string', maxLength: 256 },
      audience: { type: 'string', maxLength: 1024 },
      scope: { type: 'string', maxLength: 2048 },
    },
  },
  // A response schema lets Fastify serialise the token response with a compiled serializer.
  response: {
    200: {
      type: 'object',
      required: ['access_token', 'token_type', 'expires_in'],
      properties: { access_token: { type: 'string' }, token_type: { type: 'string' }, expires_in: { type: 'integer' }, scope: { type: 'string' } },
    },
  },
} as const;

/**
 * POST /oauth/token — client_credentials with client_secret_basic, client_secret_post or
 * private_key_jwt. Every outcome writes a log event (`seccft` / `feccft`) with the reason.
 */
export function tokenRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Body: TokenBody }>('/oauth/token', { schema: tokenSchema, bodyLimit: 16 * 1024 }, async (req, reply) => {
    const now = services.clock();
    const body = req.body ?? {};
    const tenant = req.tenantCtx;
    let auth: AuthenticatedClient | undefined;
    try {
      if (!body.grant_type) throw new OAuthRequestError('invalid_request', 'grant_type is required.');
      if (body.grant_type !== 'client_credentials') {
        throw new OAuthRequestError('unsupported_grant_type', `Grant type "${body.grant_type.slice(0, 64)}" is not supported; use client_credentials.`);
      }
      auth = await services.authenticator.authenticate(
        tenant,
        {
          authorization: req.headers.authorization,
          clientId: body.client_id,
          clientSecret: body.client_secret,
          clientAssertion: body.client_assertion,
          clientAssertionType: body.client_assertion_type,
        },
        now,
      );
      const { client, grants } = auth.ctx;
      if (!client.grantTypes.includes('client_credentials')) {
        throw new OAuthRequestError('unauthorized_client', 'This application is not allowed the client_credentials grant (see its grant_types).');
      }
      // As on Auth0, a request that names no API gets the tenant's default_audience, if it has one.
      const audience = body.audience || defaultAudience(tenant.tenant.settings);
      if (!audience) throw new OAuthRequestError('invalid_request', 'audience is required: the identifier of the API the token is for.');
      const grant = grants.get(audience);
      if (!grant) {
        throw new OAuthRequestError(
          'access_denied',
          `Client is not authorized to access "${audience.slice(0, 200)}". Create a client grant for this application and API.`,
          403,
        );
      }
      const scope = resolveScopes(body.scope, grant.scopes, grant.apiScopes);
      const key = await services.directory.signingKey(tenant.tenant);
      const { token, expiresIn } = await mintAccessToken(
        { issuer: tenant.issuer, clientId: client.clientId, audience, scope, lifetimeSeconds: grant.tokenLifetime, now },
        key,
      );
      if (auth.assertion) services.usage.record(auth.assertion.credentialId, now);
      if (auth.assertion?.legacyAudience) services.legacyAudience.record(client.clientId, now);
      services.store.logs.append({
        tenantId: tenant.tenant.id,
        type: 'seccft',
        description: 'Client Credentials for Access Token',
        clientId: client.clientId,
        clientName: client.name,
        ip: req.ip,
        userAgent: req.headers['user-agent'] ?? null,
        hostname: req.hostname,
        audience: body.audience,
        scope: scope || null,
        date: now,
        details: {
          audience,
          scope,
          auth_method: auth.method,
          ...(auth.assertion && {
            credential_id: auth.assertion.credentialId,
            kid: auth.assertion.kid,
            jti: auth.assertion.jti,
            ...(auth.assertion.legacyAudience && { legacy_audience: true }),
          }),
        },
      });
      noStore(reply);
      return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, ...(scope && { scope }) };
    } catch (err) {
      return fail(services, req, reply, err, auth, now);
    }
  });
}

function noStore(reply: FastifyReply) {
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
}

function fail(services: Services, req: FastifyRequest<{ Body: TokenBody }>, reply: FastifyReply, err: unknown, auth: AuthenticatedClient | undefined, now: number) {
  const mapped = oauthErrorBody(err);
  if (!mapped) throw err;
  logTokenFailure(services, req, err, mapped.body, auth, now);
  noStore(reply);
  if (mapped.status === 401 && req.headers.authorization && /^basic /i.test(req.headers.authorization)) {
    reply.header('www-authenticate', 'Basic realm="signet"');
  }
  return reply.code(mapped.status).send(mapped.body);
}

/**
 * The `feccft` event of a failed token request. Also called by the app's error handler for
 * failures before the handler runs (unparsable or oversized body, repeated parameter).
 */
export function logTokenFailure(
  services: Services,
  req: FastifyRequest,
  err: unknown,
  body: OAuthErrorBody,
  auth?: AuthenticatedClient,
  now = services.clock(),
): void {
  const form = (req.body ?? {}) as TokenBody;
  const clientId = auth?.ctx.client.clientId ?? (err instanceof ClientAuthError ? err.clientId : undefined) ?? (typeof form.client_id === 'string' ? form.client_id : null);
  services.store.logs.append({
    tenantId: req.tenantCtx.tenant.id,
    type: 'feccft',
    description: err instanceof ClientAuthError ? 'Failed client authentication' : body.error_description,
    clientId,
    // Named only when the client exists on this tenant (it was read to authenticate it).
    clientName: auth?.ctx.client.name ?? (err instanceof ClientAuthError ? err.clientName : undefined) ?? null,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    hostname: req.hostname,
    audience: typeof form.audience === 'string' ? form.audience : null,
    scope: typeof form.scope === 'string' ? form.scope : null,
    date: now,
    details: {
      error: body.error,
      reason: (err as { code?: string }).code,
      ...(err instanceof ClientAuthError ? { client_authentication_error: body.error_description } : { error_description: body.error_description }),
      // What the caller was not told (the client's credentials, plan or method): the tenant reads it here.
      ...(err instanceof ClientAuthError && err.detail !== undefined && { detail: err.detail }),
      audience: typeof form.audience === 'string' ? form.audience : null,
      auth_method: auth?.method ?? detectMethod(req),
    },
  });
}

function detectMethod(req: FastifyRequest): string | null {
  const b = (req.body ?? {}) as TokenBody;
  if (b.client_assertion !== undefined) return 'private_key_jwt';
  if (req.headers.authorization) return 'client_secret_basic';
  if (b.client_secret !== undefined) return 'client_secret_post';
  return null;
}

function defaultAudience(settings: TenantSettings): string | undefined {
  const a = settings.extras?.default_audience;
  return typeof a === 'string' && a ? a : undefined;
}
