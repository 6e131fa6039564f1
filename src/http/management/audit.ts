import type { FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';

/**
 * A `sapi` (successful Management API operation) event, as Auth0 records them: the actor is
 * the calling application (user_id `{client_id}@clients`, its token's subject) or the
 * dashboard admin.
 */
export function auditLog(services: Services, req: FastifyRequest, description: string, details: Record<string, unknown>): void {
  services.store.logs.append({
    tenantId: req.tenantCtx.tenant.id,
    type: 'sapi',
    description,
    clientId: req.mgmt.clientId,
    clientName: req.mgmt.clientName ?? null,
    userId: req.mgmt.clientId !== null ? `${req.mgmt.clientId}@clients` : (req.mgmt.adminId ?? null),
    userName: req.mgmt.clientId !== null ? (req.mgmt.clientName ?? null) : req.mgmt.admin,
    hostname: req.hostname,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    details: { ...details, method: req.method, path: req.url.split('?')[0], ...(req.mgmt.admin && { admin: req.mgmt.admin }) },
  });
}
