import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { ForbiddenError, InvalidInputError } from '../../domain/errors.ts';
import { planAllowsPrivateKeyJwt } from '../../domain/plans.ts';
import { clearSessionCookie, requireAdmin, sessionTokenOf, setSessionCookie } from './session-cookie.ts';

/**
 * A sign-in may only come from this origin as JSON: a cross-site HTML form can send neither an
 * application/json body nor a same-origin Origin header (login CSRF, which would sign a
 * victim into an attacker's account).
 */
function checkSameOrigin(req: FastifyRequest): void {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) throw new InvalidInputError('json_required', 'Sign in with a JSON body (the dashboard does this).');
  const origin = req.headers.origin;
  if (origin === undefined) return;
  // Compared by host: behind a TLS-terminating proxy this process may see http while the browser says https.
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host === undefined || host !== req.headers.host?.toLowerCase()) {
    throw new ForbiddenError('cross_origin', 'Sign-in requests must come from the dashboard itself.');
  }
}

export function sessionRoutes(app: FastifyInstance, services: Services): void {
  const credentials = {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'password'],
    properties: { email: { type: 'string', maxLength: 254 }, password: { type: 'string', maxLength: 1024 } },
  } as const;

  app.get('/api/session', async (req, reply) => {
    const { admin, csrfToken } = await requireAdmin(req, services, { csrf: false });
    return reply.header('cache-control', 'no-store').send({ email: admin.email, csrf_token: csrfToken });
  });

  app.post<{ Body: { email: string; password: string } }>('/api/session', { schema: { body: credentials } }, async (req, reply) => {
    checkSameOrigin(req);
    // Recorded in the platform audit log, never in a tenant's logs (whose readers are not platform admins).
    const signedIn = await services.admins.signIn(req.body.email, req.body.password, { ip: req.ip, userAgent: req.headers['user-agent'] }, services.clock());
    // A session id from before sign-in never survives it (session fixation).
    const previous = sessionTokenOf(req, services);
    if (previous) await services.admins.signOut(previous);
    setSessionCookie(reply, services, signedIn.token);
    return reply.header('cache-control', 'no-store').send({ email: signedIn.admin.email, csrf_token: signedIn.csrfToken });
  });

  app.delete('/api/session', async (req, reply) => {
    const { token, admin } = await requireAdmin(req, services, { csrf: true });
    await services.admins.signOut(token, { email: admin.email, ip: req.ip, userAgent: req.headers['user-agent'] });
    clearSessionCookie(reply, services);
    return reply.code(204).send();
  });

  /** The platform audit log (admin sign-ins and account changes), newest first: platform admins only. */
  app.get<{ Querystring: { limit?: string } }>(
    '/api/audit',
    { schema: { querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^[0-9]{1,4}$' } } } } },
    async (req, reply) => {
      await requireAdmin(req, services, { csrf: true });
      const limit = req.query.limit === undefined ? 100 : Number(req.query.limit);
      if (limit < 1 || limit > 1000) throw new InvalidInputError('invalid_query', 'limit must be an integer from 1 to 1000.', 'limit');
      const events = await services.store.platformAudit.list(limit);
      return reply.header('cache-control', 'no-store').send(
        events.map((e) => ({ id: e.id, date: new Date(e.date).toISOString(), type: e.type, email: e.email, ip: e.ip, user_agent: e.userAgent, reason: e.reason, via: e.via })),
      );
    },
  );

  /** Every tenant, for the switcher: a platform admin manages them all. */
  app.get('/api/tenants', async (req, reply) => {
    await requireAdmin(req, services, { csrf: true });
    const tenants = await services.directory.all();
    return reply.header('cache-control', 'no-store').send(
      tenants.map((c) => ({
        name: c.tenant.name,
        plan: c.tenant.plan,
        domain: c.host,
        issuer: c.primaryIssuer,
        token_endpoint: c.tokenEndpoint,
        private_key_jwt_allowed: planAllowsPrivateKeyJwt(c.tenant.plan),
      })),
    );
  });
}
