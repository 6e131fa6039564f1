import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TenantContext, TenantDirectory } from '../services/tenant-directory.ts';

declare module 'fastify' {
  interface FastifyRequest {
    tenantCtx: TenantContext;
  }
}

/**
 * Every tenant route runs under the tenant its Host names. An unknown Host is a 404 before any
 * handler runs: no issuer, URL or database row is ever derived from a Host Signet doesn't know.
 * Operational routes (/healthz, /readyz, /metrics) belong to no tenant and answer on any Host,
 * without a database read (a probe must not depend on the tenant lookup it is checking).
 */
export function registerTenantResolution(app: FastifyInstance, directory: TenantDirectory): void {
  app.decorateRequest('tenantCtx', null as unknown as TenantContext);
  app.addHook('onRequest', async (req: FastifyRequest, reply) => {
    if (req.routeOptions.config?.operational) return;
    const ctx = await directory.resolve(req.headers.host);
    if (!ctx) {
      return reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'Unknown tenant domain.', errorCode: 'unknown_domain' });
    }
    req.tenantCtx = ctx;
  });
}
