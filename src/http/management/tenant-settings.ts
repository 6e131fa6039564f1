import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { checkTenantSettings, type TenantSettings } from '../../domain/tenant-settings.ts';
import { auditLog } from './audit.ts';

/** /api/v2/tenants/settings — the tenant's name, plan, client-authentication policy and log retention. */
export function tenantSettingsRoutes(app: FastifyInstance, services: Services): void {
  const present = (name: string, plan: string, issuer: string, s: TenantSettings) => ({ friendly_name: name, plan, issuer, ...s });

  app.get('/tenants/settings', { config: { scopes: ['read:tenant_settings'] } }, async (req) => {
    const { tenant, primaryIssuer } = req.tenantCtx;
    return present(tenant.name, tenant.plan, primaryIssuer, tenant.settings);
  });

  app.patch<{ Body: Partial<TenantSettings> }>(
    '/tenants/settings',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            max_assertion_lifetime: { type: 'integer' },
            clock_skew: { type: 'integer' },
            audience_policy: { type: 'string', enum: ['strict', 'legacy'] },
            log_retention_days: { type: 'integer' },
          },
        },
      },
      config: { scopes: ['update:tenant_settings'] },
    },
    async (req) => {
      const { tenant, primaryIssuer } = req.tenantCtx;
      const next = checkTenantSettings(req.body, tenant.settings);
      await services.store.tenants.update(tenant.id, { settings: next });
      services.cache.invalidateAll();
      await services.directory.reload();
      auditLog(services, req, 'Update tenant settings', { ...req.body });
      return present(tenant.name, tenant.plan, primaryIssuer, next);
    },
  );
}
