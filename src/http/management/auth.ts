import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { verifyAccessToken, type AccessTokenClaims } from '../../domain/access-token.ts';
import { managementAudience, type ManagementScope } from '../../domain/management-scopes.ts';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    mgmt: { claims: AccessTokenClaims; scopes: Set<string> };
  }
  interface FastifyContextConfig {
    /** Scopes of which the caller needs any one (Auth0: "Insufficient scope; expected any of: …"). */
    scopes?: readonly ManagementScope[];
  }
}

/**
 * Bearer authentication for /api/v2, as on Auth0: an access token this tenant issued for
 * `{tenant}/api/v2/` by the client credentials grant, and the route's scope. A token from
 * another tenant fails the issuer and audience checks, so tenants cannot reach each other.
 */
export function registerManagementAuth(app: FastifyInstance, services: Services): void {
  app.decorateRequest('mgmt', null as unknown as FastifyRequest['mgmt']);
  app.addHook('onRequest', async (req) => {
    const header = req.headers.authorization;
    if (!header || !/^bearer /i.test(header)) throw new UnauthorizedError('missing_token', 'Missing authentication: send an access token for the Management API as "Authorization: Bearer <token>".');
    const tenant = req.tenantCtx;
    const claims = verifyAccessToken(header.slice(7).trim(), {
      keys: await services.directory.verificationKeys(tenant.tenant),
      issuers: tenant.issuer === tenant.primaryIssuer ? [tenant.issuer] : [tenant.issuer, tenant.primaryIssuer],
      audience: managementAudience(tenant.primaryIssuer),
      now: Date.now(),
    });
    if (!claims) throw new UnauthorizedError('invalid_token', 'Invalid token.');
    const scopes = new Set(typeof claims.scope === 'string' ? claims.scope.split(' ') : []);
    const needed = req.routeOptions.config.scopes;
    if (needed && !needed.some((s) => scopes.has(s))) {
      throw new ForbiddenError('insufficient_scope', `Insufficient scope; expected any of: ${needed.join(',')}.`);
    }
    req.mgmt = { claims, scopes };
  });
}
