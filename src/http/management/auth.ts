import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { verifyAccessToken } from '../../domain/access-token.ts';
import { MANAGEMENT_SCOPES, managementAudience, type ManagementScope } from '../../domain/management-scopes.ts';
import { ForbiddenError, InvalidInputError, NotFoundError, RateLimitedError, UnauthorizedError } from '../../domain/errors.ts';
import { retryAfterSeconds } from '../../domain/rate-limit.ts';
import { logRefusal, managementSubject, refusalMessage, setRateHeaders } from '../rate-limits.ts';
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
  app.addHook('onRequest', async (req, reply) => {
    const header = req.headers.authorization;
    if (!header && sessionTokenOf(req, services) !== undefined && isConsoleHost(req.headers.host, services)) {
      const { admin } = await requireAdmin(req, services, { csrf: true });
      const name = req.headers[TENANT_HEADER];
      if (typeof name !== 'string' || !name) throw new InvalidInputError('tenant_required', `Send the tenant's name in the ${TENANT_HEADER} header.`);
      const ctx = await services.directory.byName(name);
      if (!ctx) throw new NotFoundError('tenant_not_found', `No tenant named ${name.slice(0, 64)}.`);
      req.tenantCtx = ctx;
      limitManagementCall(services, req, reply, `admin:${admin.id}`, null)();
      req.mgmt = { scopes: ALL_SCOPES, clientId: null, admin: admin.email, adminId: admin.id };
      return;
    }
    if (!header || !/^bearer /i.test(header)) throw new UnauthorizedError('missing_token', 'Missing authentication: send an access token for the Management API as "Authorization: Bearer <token>".');
    const tenant = req.tenantCtx;
    const token = header.slice(7).trim();
    // Before the signature is checked: a token over its limit is refused without verifying it.
    const unverified = peekClaims(token);
    const count = limitManagementCall(services, req, reply, managementTokenId(token, unverified.jti), unverified.azp);
    const claims = verifyAccessToken(token, {
      keys: await services.directory.verificationKeys(tenant.tenant),
      issuers: tenant.issuer === tenant.primaryIssuer ? [tenant.issuer] : [tenant.issuer, tenant.primaryIssuer],
      audience: managementAudience(tenant.primaryIssuer),
      now: services.clock(),
    });
    if (!claims) throw new UnauthorizedError('invalid_token', 'Invalid token.');
    // Only tokens that verified are counted: a forged token cannot spend another token's budget.
    count();
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
 * The Management API's rate limit for one caller: throws RateLimitedError (429, Auth0's
 * `too_many_requests`) when `id` is over its limit, else returns the function that counts the
 * call once the caller is known to be genuine and sets the X-RateLimit-* headers.
 */
function limitManagementCall(services: Services, req: FastifyRequest, reply: FastifyReply, id: string, clientId: string | null): () => void {
  const now = services.clock();
  const { tenant } = req.tenantCtx;
  const ticket = services.limits.admit([managementSubject(tenant.id, tenant.settings, id)], now);
  if (ticket.refusal) {
    logRefusal(services, req, ticket.refusal, now, clientId);
    setRateHeaders(reply, ticket.refusal.status, now, true);
    throw new RateLimitedError('too_many_requests', refusalMessage(ticket.refusal, now), retryAfterSeconds(ticket.refusal.status.resetAt, now));
  }
  return () => {
    ticket.settle(1);
    setRateHeaders(reply, ticket.status(), now);
  };
}

/** A token's identity for its rate limit: its `jti` (every token Signet issues has one), else a digest of it; never the token itself. */
function managementTokenId(token: string, jti: string | undefined): string {
  return jti ? `jti:${jti}` : `sha256:${createHash('sha256').update(token).digest('base64url')}`;
}

/** `jti` and `azp` read from a token's payload without trusting it (anything odd reads as absent). */
function peekClaims(token: string): { jti?: string; azp: string | null } {
  const payload = token.split('.')[1];
  if (!payload || payload.length > 8192) return { azp: null };
  try {
    const c = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti?: unknown; azp?: unknown };
    const str = (v: unknown) => (typeof v === 'string' && v.length > 0 && v.length <= 128 ? v : undefined);
    return { jti: str(c?.jti), azp: str(c?.azp) ?? null };
  } catch {
    return { azp: null };
  }
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
