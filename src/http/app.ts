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
import { logSetup, registerRequestLog, type LogOptions } from './request-log.ts';
import { operationalRoutes } from './operational-routes.ts';
import { admissionPolicy, registerLoadShedding } from './load-shedding.ts';

/**
 * Bounds on every connection and request, so a slow or hostile client holds nothing for long:
 * the whole request (headers and body, at most 64 KiB) must arrive within REQUEST_TIMEOUT_MS,
 * a socket with nothing moving is closed after IDLE_SOCKET_MS, and an idle keep-alive
 * connection after KEEP_ALIVE_MS (longer than the 60 s idle timeout of common load balancers,
 * so they never reuse a connection Signet is closing). Headers are at most 16 KiB in all.
 */
const REQUEST_TIMEOUT_MS = 10_000;
const IDLE_SOCKET_MS = 30_000;
const KEEP_ALIVE_MS = 72_000;
const MAX_HEADER_BYTES = 16 * 1024;
// Node looks for requests past their timeout every 30 s by default: a slow client would hold
// its connection up to 40 s instead of 10.
const SERVER_BOUNDS = { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: 1000 };

export interface AppOptions {
  /** JSON logs at this level (SIGNET_LOG_LEVEL), to stdout or the given stream; none when absent. */
  logger?: LogOptions | false;
  https?: { cert: string; key: string };
  /** See parseTrustProxy in src/config.ts: never `true` (every address in X-Forwarded-For believed). */
  trustProxy?: TrustProxy;
  /** Overrides config.maxInFlight (see registerLoadShedding). */
  maxInFlight?: number;
  /** Overrides config.maxConnections. */
  maxConnections?: number;
}

/**
 * Builds the HTTP application over ready services. Tests build it exactly like `signet serve`.
 * The Authentication API (OAuth routes) speaks RFC 6749 errors; /api/v2 speaks Auth0's
 * Management API errors, through its own encapsulated error handler.
 */
export async function buildApp(services: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const validation = deferredValidation();
  const logging = logSetup(opts.logger);
  const app = Fastify({
    ...logging.fastify,
    trustProxy: fastifyTrustProxy(opts.trustProxy ?? false),
    bodyLimit: 64 * 1024,
    requestTimeout: REQUEST_TIMEOUT_MS,
    connectionTimeout: IDLE_SOCKET_MS,
    keepAliveTimeout: KEEP_ALIVE_MS,
    http: SERVER_BOUNDS,
    // Strict schemas: unknown fields are refused (not silently dropped) and types are not coerced.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    schemaController: { compilersFactory: { buildValidator: validation.buildValidator } },
    ...(opts.https && { https: { ...opts.https, ...SERVER_BOUNDS } }),
  } as FastifyServerOptions);
  // Node waits 60 s for a request's headers by default; never longer than for the whole request.
  app.server.headersTimeout = REQUEST_TIMEOUT_MS;
  app.server.maxConnections = opts.maxConnections ?? services.config.maxConnections;

  registerFormBody(app);
  // Before tenant resolution: an unknown Host's 404 is logged and carries its request id too.
  registerRequestLog(app, services.metrics, logging.requestLines);
  // Before everything else that costs: a shed request gets its request id, then nothing but a 503.
  registerLoadShedding(app, admissionPolicy(opts.maxInFlight ?? services.config.maxInFlight), { onShed: () => services.metrics.shed.inc() });
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
