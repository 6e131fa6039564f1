import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { verifyAccessToken } from '../../domain/access-token.ts';
import { scopedUserClaims } from '../../domain/id-token.ts';
import { userinfoAudience } from '../../services/grants/user-tokens.ts';

/**
 * GET/POST /userinfo (OIDC Core §5.3): the signed-in user's claims for an access token this
 * tenant issued with the /userinfo audience, as the token's scope releases them (`sub` always).
 * A blocked or deleted user gets nothing. Failures are 401 with RFC 6750's WWW-Authenticate.
 */
export function userinfoRoutes(app: FastifyInstance, services: Services): void {
  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store');
    const header = req.headers.authorization;
    if (!header || !/^bearer /i.test(header)) return unauthorized(reply, 'invalid_request', 'Send the access token as "Authorization: Bearer <token>".');
    const tenant = req.tenantCtx;
    const claims = verifyAccessToken(header.slice(7).trim(), {
      keys: await services.directory.verificationKeys(tenant.tenant),
      issuers: tenant.issuer === tenant.primaryIssuer ? [tenant.issuer] : [tenant.issuer, tenant.primaryIssuer],
      audience: userinfoAudience(tenant.issuer),
      now: services.clock(),
    });
    if (!claims) return unauthorized(reply, 'invalid_token', 'Invalid or expired access token.');
    // A client's own token (`{client_id}@clients`) names no user, so it finds none here.
    const user = await services.users.get(tenant.tenant.id, claims.sub);
    if (!user || user.blocked) return unauthorized(reply, 'invalid_token', 'The user of this access token no longer exists or is blocked.');
    return { sub: user.userId, ...scopedUserClaims(user, typeof claims.scope === 'string' ? claims.scope : '') };
  };
  app.get('/userinfo', handler);
  app.post('/userinfo', handler);
}

function unauthorized(reply: FastifyReply, error: string, description: string) {
  return reply
    .code(401)
    .header('www-authenticate', `Bearer realm="signet", error="${error}", error_description="${description}"`)
    .send({ error, error_description: description });
}
