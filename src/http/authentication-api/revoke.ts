import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../services.ts';
import { ClientAuthError, GrantError } from '../../domain/errors.ts';
import type { AuthenticatedClient } from '../../services/client-auth/index.ts';
import { hashToken } from '../../services/grants/user-tokens.ts';
import { oauthErrorBody, retryAfter } from '../errors.ts';
import { clientAuthInput } from './token.ts';

interface RevokeBody {
  token?: string;
  token_type_hint?: string;
  client_id?: string;
  client_secret?: string;
  client_assertion?: string;
  client_assertion_type?: string;
}

const revokeSchema = {
  body: {
    type: 'object',
    properties: {
      token: { type: 'string', maxLength: 512 },
      token_type_hint: { type: 'string', maxLength: 64 },
      client_id: { type: 'string', maxLength: 128 },
      client_secret: { type: 'string', maxLength: 512 },
      client_assertion: { type: 'string' },
      client_assertion_type: { type: 'string', maxLength: 256 },
    },
  },
} as const;

/**
 * POST /oauth/revoke (RFC 7009) for refresh tokens, authenticated exactly as the token endpoint
 * (private_key_jwt included; public clients by client_id). Revoking a refresh token revokes
 * every token of its family, as on Auth0. An unknown token is answered 200 like a revoked one
 * (§2.2); a token issued to another client is refused and left alone. Access tokens are
 * self-contained JWTs and cannot be revoked: they expire.
 */
export function revokeRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Body: RevokeBody }>('/oauth/revoke', { schema: revokeSchema, bodyLimit: 16 * 1024 }, async (req, reply) => {
    const now = services.clock();
    const body = req.body ?? {};
    reply.header('cache-control', 'no-store');
    let auth: AuthenticatedClient | undefined;
    try {
      auth = await services.authenticator.authenticate(req.tenantCtx, clientAuthInput(req, body), now, { allowPublic: true });
      if (!body.token) throw new GrantError('token_missing', 'token is required: the refresh token to revoke.', { error: 'invalid_request' });
      const tenantId = req.tenantCtx.tenant.id;
      const token = await services.store.refreshTokens.find(tenantId, hashToken(body.token));
      if (token && token.clientId !== auth.ctx.client.clientId) {
        throw new GrantError('token_other_client', 'The token was not issued to this client.', { error: 'unauthorized_client' });
      }
      const revoked = token ? await services.store.refreshTokens.revokeFamily(tenantId, token.familyId, now) : 0;
      log(services, req, 'srrt', 'Successful Refresh Token Revocation', auth, now, { found: token !== null, revoked, user_id: token?.userId ?? null });
      return reply.code(200).send();
    } catch (err) {
      const mapped = oauthErrorBody(err);
      if (!mapped) throw err;
      log(services, req, 'frrt', mapped.body.error_description, auth, now, {
        error: mapped.body.error,
        reason: err instanceof GrantError ? err.reason : (err as { code?: string }).code,
        ...(err instanceof ClientAuthError && err.detail !== undefined && { detail: err.detail }),
      }, err);
      retryAfter(reply, err);
      if (mapped.status === 401 && req.headers.authorization && /^basic /i.test(req.headers.authorization)) reply.header('www-authenticate', 'Basic realm="signet"');
      return reply.code(mapped.status).send(mapped.body);
    }
  });
}

function log(services: Services, req: FastifyRequest, type: string, description: string, auth: AuthenticatedClient | undefined, now: number, details: Record<string, unknown>, err?: unknown) {
  const body = (req.body ?? {}) as RevokeBody;
  services.store.logs.append({
    tenantId: req.tenantCtx.tenant.id,
    type,
    description,
    clientId: auth?.ctx.client.clientId ?? (err instanceof ClientAuthError ? err.clientId : undefined) ?? (typeof body.client_id === 'string' ? body.client_id : null),
    clientName: auth?.ctx.client.name ?? (err instanceof ClientAuthError ? err.clientName : undefined) ?? null,
    ip: req.ip,
    userAgent: req.headers['user-agent'] ?? null,
    hostname: req.hostname,
    date: now,
    details: { ...details, auth_method: auth?.method ?? null },
  });
}
