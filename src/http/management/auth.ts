import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { verifyAccessToken } from '../../domain/access-token.ts';
import { MANAGEMENT_SCOPES, managementAudience, type ManagementScope } from '../../domain/management-scopes.ts';
import { ForbiddenError, InvalidInputError, NotFoundError, UnauthorizedError } from '../../domain/errors.ts';
import { isConsoleHost, requireAdmin, sessionTokenOf } from '../dashboard/session-cookie.ts';
import type { TenantContext } from '../../services/tenant-directory.ts';

declare module 'fastify' {
  interface FastifyRequest {
    mgmt: {
      scopes: Set<string>;
      /** The application whose access token made the call (null for a dashboard admin). */
      clientId: string | null;
      /** That application's name, for the log events the call writes. */
      clientName?: string | null;
      /** The dashboard admin who made the call (null for an access token). */
      admin: string | null;
      /** That admin's id. */
      adminId?: string | null;
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
      req.mgmt = { scopes: ALL_SCOPES, clientId: null, admin: admin.email, adminId: admin.id };
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
    const clientId = typeof claims.azp === 'string' ? claims.azp : null;
    const clientName = await assertGrantStands(services, tenant, clientId, claims.iat);
    const scopes = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
    const needed = req.routeOptions.config.scopes;
    if (needed && !needed.some((s) => scopes.has(s))) {
      throw new ForbiddenError('insufficient_scope', `Insufficient scope; expected any of: ${needed.join(',')}.`);
    }
    req.mgmt = { scopes, clientId, clientName, admin: null };
  });
}

/**
 * A Management API token is honoured only while the application it was issued to and that
 * application's grant for the Management API still exist: deleting either revokes the tokens
 * already issued (which live for the API's token_lifetime, 24 h by default). A token older
 * than the grant was issued under an earlier grant that was deleted. The client's cached view
 * answers this, so the check costs no query on a warm cache. Returns the application's name.
 */
async function assertGrantStands(services: Services, tenant: TenantContext, clientId: string | null, iat: unknown): Promise<string> {
  const ctx = clientId === null ? null : await services.cache.get(tenant.tenant.id, clientId);
  const grant = ctx?.grants.get(managementAudience(tenant.primaryIssuer));
  if (!grant || typeof iat !== 'number' || iat < Math.floor(grant.createdAt / 1000)) {
    throw new UnauthorizedError('invalid_token', 'Invalid token: the application it was issued to, or its grant for the Management API, has been deleted.');
  }
  return ctx!.client.name;
}
