import type { FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';

/** A `sapi` (successful Management API operation) event, as Auth0 records them. */
export function auditLog(services: Services, req: FastifyRequest, description: string, details: Record<string, unknown>): void {
  services.store.logs.append({
    tenantId: req.tenantCtx.tenant.id,
    type: 'sapi',
    description,
    clientId: req.mgmt.clientId,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    details: { ...details, method: req.method, path: req.url.split('?')[0], ...(req.mgmt.admin && { admin: req.mgmt.admin }) },
  });
}
