import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { CredentialService } from '../../services/credentials.ts';
import type { NewCredentialInput } from '../../domain/credentials/index.ts';
import { presentCredential } from './present.ts';
import { auditLog } from './audit.ts';
import { parseQuery, type RawQuery } from './list-query.ts';

const params = {
  type: 'object',
  required: ['client_id'],
  properties: { client_id: { type: 'string', maxLength: 128 }, credential_id: { type: 'string', maxLength: 64 } },
} as const;

export const credentialBodySchema = {
  type: 'object',
  additionalProperties: false,
  required: ['credential_type'],
  properties: {
    credential_type: { type: 'string', maxLength: 32 },
    name: { type: 'string', maxLength: 128 },
    // A 4096-bit certificate with a long subject fits comfortably; the domain says why anything else is refused.
    pem: { type: 'string', minLength: 1, maxLength: 16384 },
    alg: { type: 'string', maxLength: 16 },
    parse_expiry_from_cert: { type: 'boolean' },
    expires_at: { type: ['string', 'null'], maxLength: 64 },
    kid: { type: 'string', maxLength: 128 },
  },
} as const;

/** /api/v2/clients/{client_id}/credentials — Auth0-compatible credential management. */
export function credentialRoutes(app: FastifyInstance, services: Services): void {
  const creds = new CredentialService(services);

  // Auth0 defines no query parameters on either credential GET (a client has at most a few
  // credentials, so the list is not paged): any parameter is refused by name.
  app.get<{ Params: { client_id: string }; Querystring: RawQuery }>(
    '/clients/:client_id/credentials',
    { schema: { params }, config: { scopes: ['read:client_credentials'] } },
    async (req) => {
      parseQuery(req.query, {});
      return (await creds.list(req.tenantCtx, req.params.client_id)).map(presentCredential);
    },
  );

  app.post<{ Params: { client_id: string }; Body: NewCredentialInput }>(
    '/clients/:client_id/credentials',
    { schema: { params, body: credentialBodySchema }, config: { scopes: ['create:client_credentials'] } },
    async (req, reply) => {
      const c = await creds.create(req.tenantCtx, req.params.client_id, req.body);
      auditLog(services, req, 'Create client credential', { client_id: req.params.client_id, credential_id: c.id, kid: c.kid, alg: c.alg });
      return reply.code(201).send(presentCredential(c));
    },
  );

  app.get<{ Params: { client_id: string; credential_id: string }; Querystring: RawQuery }>(
    '/clients/:client_id/credentials/:credential_id',
    { schema: { params }, config: { scopes: ['read:client_credentials'] } },
    async (req) => {
      parseQuery(req.query, {});
      return presentCredential(await creds.get(req.tenantCtx, req.params.client_id, req.params.credential_id));
    },
  );

  app.patch<{ Params: { client_id: string; credential_id: string }; Body: { expires_at: string | null } }>(
    '/clients/:client_id/credentials/:credential_id',
    {
      schema: {
        params,
        body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { expires_at: { type: ['string', 'null'], maxLength: 64 } } },
      },
      config: { scopes: ['update:client_credentials'] },
    },
    async (req) => {
      const c = await creds.updateExpiry(req.tenantCtx, req.params.client_id, req.params.credential_id, req.body.expires_at);
      auditLog(services, req, 'Update client credential', { client_id: req.params.client_id, credential_id: c.id, expires_at: c.expiresAt });
      return presentCredential(c);
    },
  );

  app.delete<{ Params: { client_id: string; credential_id: string } }>(
    '/clients/:client_id/credentials/:credential_id',
    { schema: { params }, config: { scopes: ['delete:client_credentials'] } },
    async (req, reply) => {
      await creds.delete(req.tenantCtx, req.params.client_id, req.params.credential_id);
      auditLog(services, req, 'Delete client credential', { client_id: req.params.client_id, credential_id: req.params.credential_id });
      return reply.code(204).send();
    },
  );
}
