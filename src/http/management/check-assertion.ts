import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { ClientAuthError, NotFoundError } from '../../domain/errors.ts';
import { inspectClientAssertion } from '../../domain/client-assertion/index.ts';
import { checkPrivateKeyJwtAllowed } from '../../services/client-auth/index.ts';

/**
 * POST /api/v2/clients/{id}/check-assertion — Signet extension behind the dashboard's assertion
 * checker: every check of the token endpoint, each reported pass/fail, against this
 * application's current credentials and the tenant's policy. Read-only: the jti is not
 * recorded, no token is issued, and no authentication event is logged (nothing authenticated).
 */
export function checkAssertionRoutes(app: FastifyInstance, services: Services): void {
  app.post<{ Params: { id: string }; Body: { client_assertion: string } }>(
    '/clients/:id/check-assertion',
    {
      schema: {
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 128 } } },
        // Larger than the endpoint's limit on purpose: an oversized assertion gets the checker's precise message, not a 400.
        body: { type: 'object', additionalProperties: false, required: ['client_assertion'], properties: { client_assertion: { type: 'string', maxLength: 16384 } } },
      },
      config: { scopes: ['read:client_credentials'] },
    },
    async (req) => {
      const tenant = req.tenantCtx;
      // Fresh from the database: the checker must see a credential enabled a second ago.
      services.cache.invalidate(tenant.tenant.id, req.params.id);
      const ctx = await services.cache.get(tenant.tenant.id, req.params.id);
      if (!ctx) throw new NotFoundError('client_not_found', 'Client not found.');
      let applicationProblem: string | null = null;
      try {
        checkPrivateKeyJwtAllowed(ctx);
      } catch (err) {
        if (!(err instanceof ClientAuthError)) throw err;
        // The caller holds a Management API token: it may read what the token endpoint keeps back.
        applicationProblem = err.detail ?? err.message;
      }
      return inspectClientAssertion(req.body.client_assertion, {
        clientId: ctx.client.clientId,
        applicationProblem,
        credentials: ctx.candidates,
        issuer: tenant.issuer,
        tokenEndpoint: tenant.tokenEndpoint,
        policy: ctx.policy,
        now: services.clock(),
      });
    },
  );
}
