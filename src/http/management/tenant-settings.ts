import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { LEGACY_AUDIENCE_WINDOW_DAYS, updateTenantSettings, type TenantSettings } from '../../domain/tenant-settings.ts';
import { ruledProperties } from '../../domain/object-fields/field-rules.ts';
import { TENANT_SETTING_FIELDS } from '../../domain/object-fields/tenant-setting-fields.ts';
import { auditLog } from './audit.ts';
import { parseQuery, type RawQuery } from './list-query.ts';

/** /api/v2/tenants/settings — the tenant's name, plan, client-authentication policy and log retention. */
export function tenantSettingsRoutes(app: FastifyInstance, services: Services): void {
  // Auth0's settings as sent, then Signet's own; friendly_name is the tenant name until one is set.
  const present = (name: string, plan: string, issuer: string, s: TenantSettings) => {
    const { extras = {}, ...own } = s;
    return { ...extras, friendly_name: extras.friendly_name ?? name, plan, issuer, ...own };
  };

  app.get('/tenants/settings', { config: { scopes: ['read:tenant_settings'] } }, async (req) => {
    const { tenant, primaryIssuer } = req.tenantCtx;
    return present(tenant.name, tenant.plan, primaryIssuer, tenant.settings);
  });

  // Signet extension: the applications that would be refused if the policy went back to strict
  // (what the dashboard warns about while the legacy policy is on).
  app.get<{ Querystring: RawQuery }>('/tenants/settings/legacy-audience-clients', { config: { scopes: ['read:tenant_settings'] } }, async (req) => {
    // It takes no parameters: any is refused by name rather than ignored.
    parseQuery(req.query, {});
    const { tenant } = req.tenantCtx;
    const since = services.clock() - LEGACY_AUDIENCE_WINDOW_DAYS * 86_400_000;
    const uses = await services.store.legacyAudience.since(tenant.id, since);
    return {
      audience_policy: tenant.settings.audience_policy,
      since: new Date(since).toISOString(),
      clients: uses.map((u) => ({ client_id: u.clientId, name: u.name, last_legacy_audience_at: new Date(u.lastUsedAt).toISOString() })),
    };
  });

  app.patch<{ Body: Record<string, unknown> }>(
    '/tenants/settings',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          // Auth0's other settings are accepted here and ruled, field by field, by TENANT_SETTING_FIELDS.
          properties: ruledProperties(TENANT_SETTING_FIELDS, {
            max_assertion_lifetime: { type: 'integer' },
            clock_skew: { type: 'integer' },
            audience_policy: { type: 'string', enum: ['strict', 'legacy'] },
            log_retention_days: { type: 'integer' },
            token_rate_limit_per_client: { type: 'integer' },
            token_rate_limit_per_address: { type: 'integer' },
            management_rate_limit_per_token: { type: 'integer' },
            rate_limit_window: { type: 'integer' },
          }),
        },
      },
      config: { scopes: ['update:tenant_settings'] },
    },
    async (req) => {
      const { tenant, primaryIssuer } = req.tenantCtx;
      const next = updateTenantSettings(req.body, tenant.settings);
      await services.store.tenants.update(tenant.id, { settings: next });
      services.cache.invalidateAll();
      await services.directory.reload();
      auditLog(services, req, 'Update tenant settings', { ...req.body });
      return present(tenant.name, tenant.plan, primaryIssuer, next);
    },
  );
}
