import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Services } from '../services/index.ts';
import type { TrustProxy } from '../config.ts';
import { registerFormBody } from './form-body.ts';
import { registerTenantResolution } from './tenant-hook.ts';
import { oauthErrorBody, retryAfter } from './errors.ts';
import { logTokenFailure } from './authentication-api/token.ts';
import { authenticationApi } from './authentication-api/index.ts';
import { managementApi } from './management/index.ts';
import { dashboard } from './dashboard/index.ts';
import { isConsoleHost } from './dashboard/session-cookie.ts';
import { deferredValidation } from './deferred-validation.ts';
import { loggerOptions, registerRequestLog, type LogOptions } from './request-log.ts';
import { operationalRoutes } from './operational-routes.ts';

export interface AppOptions {
  /** JSON logs at this level (SIGNET_LOG_LEVEL), to stdout or the given stream; none when absent. */
  logger?: LogOptions | false;
  https?: { cert: string; key: string };
  /** See parseTrustProxy in src/config.ts: never `true` (every address in X-Forwarded-For believed). */
  trustProxy?: TrustProxy;
}

/**
 * Builds the HTTP application over ready services. Tests build it exactly like `signet serve`.
 * The Authentication API (OAuth routes) speaks RFC 6749 errors; /api/v2 speaks Auth0's
 * Management API errors, through its own encapsulated error handler.
 */
export async function buildApp(services: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const validation = deferredValidation();
  const app = Fastify({
    ...loggerOptions(opts.logger),
    trustProxy: fastifyTrustProxy(opts.trustProxy ?? false),
    bodyLimit: 64 * 1024,
    // Strict schemas: unknown fields are refused (not silently dropped) and types are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: validation.buildValidator } },
    ...(opts.https && { https: opts.https }),
  } as FastifyServerOptions);

  registerFormBody(app);
  // Before tenant resolution: an unknown Host's 404 is logged and carries its request id too.
  registerRequestLog(app, services.metrics);
  registerTenantResolution(app, services.directory);

  app.setErrorHandler((err, req, reply) => {
    const mapped = oauthErrorBody(err);
    if (mapped) {
      // Errors raised before the token handler ran (body parsing, schema) are still failures to log.
      if (req.routeOptions.url === '/oauth/token' && req.tenantCtx) logTokenFailure(services, req, err, mapped.body);
      retryAfter(reply, err);
      return reply.code(mapped.status).header('cache-control', 'no-store').send(mapped.body);
    }
    req.log.error({ err }, 'unhandled error');
    return reply.code(500).send({ error: 'server_error', error_description: 'Internal error.' });
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ error: 'not_found', error_description: `No route ${req.method} ${req.url.split('?')[0]}.` }));

  operationalRoutes(app, services);
  await app.register(authenticationApi, { services });
  await app.register(managementApi, { prefix: '/api/v2', services });
  await app.register(dashboard, { prefix: '/dashboard', services });
  // On Signet's own URL a person opening the root lands in the dashboard; tenant domains have no pages.
  for (const path of ['/', '/dashboard']) {
    app.get(path, async (req, reply) => (isConsoleHost(req.headers.host, services) ? reply.redirect('/dashboard/') : reply.callNotFound()));
  }
  // The validators not yet used are compiled once the server listens (see deferredValidation).
  app.addHook('onListen', async () => void setImmediate(validation.compileRemaining));
  return app;
}

/**
 * Fastify takes a list of proxy addresses as is, but treats a bare hop count as "trust
 * nothing" (it cannot tell a proxy from a client that connects directly). A hop count is
 * honoured here as configured: the nearest `hops` addresses (the socket's peer first) are
 * proxies, so the client is the address one further out. The README says to prefer addresses
 * when clients can reach Signet without going through the proxies.
 */
function fastifyTrustProxy(trust: TrustProxy): FastifyServerOptions['trustProxy'] {
  if (typeof trust !== 'number') return trust;
  const hops = trust;
  return (_address: string, i: number) => i < hops;
}
