import type { FastifyInstance } from 'fastify';
import type { Services } from '../services/index.ts';
import { isConsoleHost } from './dashboard/session-cookie.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * An operational route (/healthz, /readyz, /metrics): answered on any Host before tenant
     * resolution, left out of request logs and latency metrics, and never rate limited —
     * a limiter skips a request when `req.routeOptions.config.operational` is true.
     */
    operational?: boolean;
  }
}

/** Route options every operational route shares; see FastifyContextConfig.operational. */
export const OPERATIONAL = { config: { operational: true } } as const;

const checkSchema = { type: 'string' } as const;
const readinessResponse = {
  type: 'object',
  required: ['status', 'checks'],
  properties: {
    status: { type: 'string', enum: ['ok', 'unavailable'] },
    checks: {
      type: 'object',
      required: ['database', 'replay_store', 'migrations'],
      properties: { database: checkSchema, replay_store: checkSchema, migrations: checkSchema },
    },
  },
} as const;

/**
 * GET /healthz (the process answers) and GET /readyz (it can serve: see ReadinessProbe), on
 * every host, for load balancers and orchestrators. And GET /metrics, unless it has a port of
 * its own (SIGNET_METRICS_PORT): on Signet's own host and on hosts that are no tenant's (an
 * address a scraper uses), never on another tenant's domain — the scrape is about every
 * tenant (with tenant labels on, it names them) and is none of one tenant's business.
 */
export function operationalRoutes(app: FastifyInstance, services: Services): void {
  app.get('/healthz', { ...OPERATIONAL, schema: { response: { 200: { type: 'object', required: ['status'], properties: { status: { type: 'string' } } } } } }, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/readyz', { ...OPERATIONAL, schema: { response: { 200: readinessResponse, 503: readinessResponse } } }, async (_req, reply) => {
    const { ready, checks } = await services.readiness.check();
    return reply.code(ready ? 200 : 503).header('cache-control', 'no-store').send({ status: ready ? 'ok' : 'unavailable', checks });
  });

  if (services.config.metricsPort === undefined) {
    app.get('/metrics', { ...OPERATIONAL, schema: { response: { 200: { type: 'string' } } } }, async (req, reply) => {
      if (!isConsoleHost(req.headers.host, services) && (await services.directory.resolve(req.headers.host))) return reply.callNotFound();
      const { registry } = services.metrics;
      return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(await registry.metrics());
    });
  }
}
