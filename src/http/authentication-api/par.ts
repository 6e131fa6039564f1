import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { AuthorizeError } from '../../domain/authorize-request.ts';
import { ClientAuthError, OAuthRequestError } from '../../domain/errors.ts';
import type { AuthenticatedClient } from '../../services/client-auth/index.ts';
import { oauthErrorBody, retryAfter } from '../errors.ts';
import { descriptionChars, logEvent } from './authorize.ts';
import { AUTHORIZE_PARAM_LIMITS, MAX_AUTHORIZE_PARAMS, OTHER_PARAM_LIMIT } from '../../domain/authorize-request.ts';

/** The prefix of request_uri values Signet issues (RFC 9126 §2.2). */
export const PAR_URN_PREFIX = 'urn:ietf:params:oauth:request_uri:';
/** How long a pushed request waits for its /authorize, unless the application sets par_request_expiry. */
export const PAR_DEFAULT_LIFETIME_SECONDS = 60;
/** Auth0's limit on a pushed request. */
export const PAR_BODY_LIMIT = 10 * 1024;

/** Parameters of client authentication: they authenticate the push and are never kept with the request. */
const CLIENT_AUTH_PARAMS = ['client_secret', 'client_assertion', 'client_assertion_type'] as const;

const parBody = {
  type: 'object',
  maxProperties: MAX_AUTHORIZE_PARAMS,
  properties: {
    ...Object.fromEntries(Object.entries(AUTHORIZE_PARAM_LIMITS).map(([k, max]) => [k, { type: 'string', maxLength: max }])),
    client_secret: { type: 'string', maxLength: 512 },
    // Bounded by the body limit; the client authentication module refuses long assertions itself.
    client_assertion: { type: 'string' },
    client_assertion_type: { type: 'string', maxLength: 256 },
  },
  additionalProperties: { type: 'string', maxLength: OTHER_PARAM_LIMIT },
} as const;

/**
 * POST /oauth/par (RFC 9126): a confidential client, authenticated exactly as at the token
 * endpoint, pushes its authorization parameters and gets a one-time request_uri for /authorize.
 * The parameters are validated now (a bad request fails here, as JSON) and again at /authorize.
 */
export function parRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Body: Record<string, string> }>('/oauth/par', { schema: { body: parBody }, bodyLimit: PAR_BODY_LIMIT }, async (req, reply) => {
    const now = services.clock();
    const tenant = req.tenantCtx;
    const body = req.body ?? {};
    let auth: AuthenticatedClient | undefined;
    try {
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
        // Public clients cannot authenticate a push (Auth0: PAR is for confidential clients).
        { allowPublic: false },
      );
      const client = auth.ctx.client;
      if (body.client_id !== undefined && body.client_id !== client.clientId) {
        throw new OAuthRequestError('invalid_request', 'client_id does not name the authenticated client.');
      }
      const params: Record<string, string> = {};
      for (const [k, v] of Object.entries(body)) if (!(CLIENT_AUTH_PARAMS as readonly string[]).includes(k)) params[k] = v;
      params.client_id = client.clientId;
      await services.authorization.validate(tenant, params, { pushed: true });
      const expiry = client.extras.par_request_expiry;
      const lifetime = typeof expiry === 'number' && expiry > 0 ? expiry : PAR_DEFAULT_LIFETIME_SECONDS;
      const ref = await services.authorization.pushRequest(tenant.tenant.id, client.clientId, params, now, lifetime * 1000);
      reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      return reply.code(201).send({ request_uri: `${PAR_URN_PREFIX}${ref}`, expires_in: lifetime });
    } catch (err) {
      return fail(services, req, reply, err, auth, now);
    }
  });
}

function fail(services: Services, req: FastifyRequest<{ Body: Record<string, string> }>, reply: FastifyReply, err: unknown, auth: AuthenticatedClient | undefined, now: number) {
  // An authorization request refused at push time is answered here, as JSON (there is no redirect yet).
  const mapped = err instanceof AuthorizeError ? { status: 400, body: { error: err.error, error_description: descriptionChars(err.message) } } : oauthErrorBody(err);
  if (!mapped) throw err;
  const client = auth ? { clientId: auth.ctx.client.clientId, name: auth.ctx.client.name } : err instanceof ClientAuthError && err.clientId ? { clientId: err.clientId, name: err.clientName ?? '' } : undefined;
  logEvent(services, req, 'f', 'Failed pushed authorization request', client, null, now, {
    error: mapped.body.error,
    error_description: mapped.body.error_description,
    reason: (err as { code?: string }).code,
    ...(err instanceof ClientAuthError && err.detail !== undefined && { detail: err.detail }),
  });
  reply.header('cache-control', 'no-store');
  retryAfter(reply, err);
  if (mapped.status === 401 && req.headers.authorization && /^basic /i.test(req.headers.authorization)) reply.header('www-authenticate', 'Basic realm="signet"');
  return reply.code(mapped.status).send(mapped.body);
}
