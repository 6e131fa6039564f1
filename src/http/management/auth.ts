import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { verifyAccessToken } from '../../domain/access-token.ts';
import { MANAGEMENT_SCOPES, managementAudience, type ManagementScope } from '../../domain/management-scopes.ts';
import { ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from '../../domain/errors.ts';
import { isConsoleHost, requireAdmin, sessionTokenOf } from '../dashboard/session-cookie.ts';

declare module 'fastify' {
  interface FastifyRequest {
    mgmt: {
      scopes: Set<string>;
      /** The application whose access token made the call (null for a dashboard admin). */
      clientId: string | null;
      /** The dashboard admin who made the call (null for an access token). */
      admin: string | null;
    };
  }
  interface FastifyContextConfig {
    /** Scopes of which the caller needs any one (Auth0: "Insufficient scope; expected any of: …"). */
    scopes?: readonly ManagementScope[];
  }
}

/** Header naming the tenant a dashboard session's request is for (a platform admin may manage every tenant). */
export const TENANT_HEADER = 'x-signet-tenant';
const ALL_SCOPES = new Set<string>(MANAGEMENT_SCOPES);

/**
 * Two ways into /api/v2:
 * - Bearer, as on Auth0: an access token this tenant issued for `{tenant}/api/v2/` by the client
 *   credentials grant, and the route's scope. A token from another tenant fails the issuer and
 *   audience checks, so tenants cannot reach each other.
 * - The dashboard: a platform admin's session cookie plus its CSRF token, with the tenant named
 *   by `x-signet-tenant`. The dashboard has no data path of its own; it uses these same routes.
 */
export function registerManagementAuth(app: FastifyInstance, services: Services): void {
  app.decorateRequest('mgmt', null as unknown as FastifyRequest['mgmt']);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (!header && sessionTokenOf(req, services) !== undefined && isConsoleHost(req.headers.host, services)) {
      const { admin } = await requireAdmin(req, services, { csrf: true });
      const name = req.headers[TENANT_HEADER];
      if (typeof name !== 'string' || !name) throw new InvalidInputError('tenant_required', `Send the tenant's name in the ${TENANT_HEADER} header.`);
      const ctx = await services.directory.byName(name);
      if (!ctx) throw new NotFoundError('tenant_not_found', `No tenant named ${name.slice(0, 64)}.`);
      req.tenantCtx = ctx;
      req.mgmt = { scopes: ALL_SCOPES, clientId: null, admin: admin.email };
      return;
    }
    if (!header || !/^bearer /i.test(header)) throw new UnauthorizedError('missing_token', 'Missing authentication: send an access token for the Management API as "Authorization: Bearer <token>".');
    const tenant = req.tenantCtx;
    const claims = verifyAccessToken(header.slice(7).trim(), {
      keys: await services.directory.verificationKeys(tenant.tenant),
      issuers: tenant.issuer === tenant.primaryIssuer ? [tenant.issuer] : [tenant.issuer, tenant.primaryIssuer],
      audience: managementAudience(tenant.primaryIssuer),
      now: services.clock(),
    });
    if (!claims) throw new UnauthorizedError('invalid_token', 'Invalid token.');
    const scopes = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
    const needed = req.routeOptions.config.scopes;
    if (needed && !needed.some((s) => scopes.has(s))) {
      throw new ForbiddenError('insufficient_scope', `Insufficient scope; expected any of: ${needed.join(',')}.`);
    }
    req.mgmt = { scopes, clientId: typeof claims.azp === 'string' ? claims.azp : null, admin: null };
  });
}
