import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { ClientService, type ClientCreateInput, type ClientUpdateInput } from '../../services/clients.ts';
import { presentClient } from './present.ts';
import { credentialBodySchema } from './credentials.ts';
import { auditLog } from './audit.ts';
import { filter, listResponse, parseQuery, project, type QuerySpec, type RawQuery } from './list-query.ts';
import { APP_TYPES } from '../../domain/app-types.ts';
import { ruledProperties } from '../../domain/object-fields/field-rules.ts';
import { CLIENT_FIELDS } from '../../domain/object-fields/client-fields.ts';

const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 128 } } } as const;
const strings = { type: 'array', maxItems: 100, items: { type: 'string', maxLength: 2048 } } as const;
const common = {
  name: { type: 'string', minLength: 1, maxLength: 128 },
  description: { type: 'string', maxLength: 140 },
  app_type: { type: 'string', maxLength: 32 },
  grant_types: strings,
  callbacks: strings,
  allowed_origins: strings,
  jwt_configuration: { type: 'object', additionalProperties: true, properties: { alg: { type: 'string', maxLength: 16 } } },
} as const;

const createSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  // Auth0's other fields are accepted here and ruled, field by field, by CLIENT_FIELDS.
  properties: ruledProperties(CLIENT_FIELDS, {
    ...common,
    token_endpoint_auth_method: { type: 'string', maxLength: 32 },
    client_authentication_methods: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        private_key_jwt: {
          type: 'object',
          additionalProperties: false,
          required: ['credentials'],
          properties: { credentials: { type: 'array', items: credentialBodySchema } },
        },
      },
    },
  }),
} as const;

const updateSchema = {
  type: 'object',
  additionalProperties: false,
  properties: ruledProperties(CLIENT_FIELDS, {
    ...common,
    token_endpoint_auth_method: { type: ['string', 'null'], maxLength: 32 },
    client_authentication_methods: {
      type: ['object', 'null'],
      additionalProperties: false,
      properties: {
        private_key_jwt: {
          type: 'object',
          additionalProperties: false,
          required: ['credentials'],
          properties: {
            credentials: {
              type: 'array',
              items: { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } },
            },
          },
        },
      },
    },
  }),
} as const;

/** `GET /clients`: Auth0's paging (offset and checkpoint), projection and filters. */
const listSpec: QuerySpec<{ app_type: string[]; is_first_party: boolean; is_global: boolean; client_ids: string[] }> = {
  offset: true,
  checkpoint: true,
  fields: true,
  filters: {
    app_type: filter.commaList(APP_TYPES.length, 32, APP_TYPES),
    is_first_party: filter.boolean(),
    is_global: filter.boolean(),
    client_ids: filter.commaList(100, 128),
  },
  unsupported: {
    q: 'its only queries (client_grant.organization_id, client_grant.allow_any_organization) are about organizations, which Signet does not have.',
    external_client_id: 'Signet has no clients registered by Client ID Metadata Document.',
  },
};
const getSpec: QuerySpec = { fields: true };

/** /api/v2/clients — applications, Auth0-compatible. */
export function clientRoutes(app: FastifyInstance, services: Services): void {
  const clients = new ClientService(services);
  const canSeeSecret = (scopes: Set<string>) => scopes.has('read:client_keys');

  app.get<{ Querystring: RawQuery }>('/clients', { config: { scopes: ['read:clients'] } }, async (req) => {
    const q = parseQuery(req.query, listSpec);
    const f = q.filters;
    const secrets = canSeeSecret(req.mgmt.scopes);
    return listResponse(
      'clients',
      q,
      async (page, total) => {
        const filter = { appTypes: f.app_type, clientIds: f.client_ids, isFirstParty: f.is_first_party, isGlobal: f.is_global };
        const { views, total: n } = await clients.page(req.tenantCtx, filter, page, { total });
        return { rows: views, total: n };
      },
      (v) => ({ createdAt: v.client.createdAt, id: v.client.clientId }),
      (v) => presentClient(v, req.tenantCtx.tenant.name, { secret: secrets ? clients.secretOf(v.client) : undefined }),
    );
  });

  app.post<{ Body: ClientCreateInput }>('/clients', { schema: { body: createSchema }, config: { scopes: ['create:clients'] } }, async (req, reply) => {
    const view = await clients.create(req.tenantCtx, req.body);
    auditLog(services, req, 'Create client', { client_id: view.client.clientId, app_type: view.client.appType });
    return reply.code(201).send(presentClient(view, req.tenantCtx.tenant.name, { secret: view.secret }));
  });

  app.get<{ Params: { id: string }; Querystring: RawQuery }>('/clients/:id', { schema: { params }, config: { scopes: ['read:clients', 'read:client_credentials'] } }, async (req) => {
    const q = parseQuery(req.query, getSpec);
    const view = await clients.get(req.tenantCtx, req.params.id);
    return project(presentClient(view, req.tenantCtx.tenant.name, { secret: canSeeSecret(req.mgmt.scopes) ? clients.secretOf(view.client) : undefined }), q.projection);
  });

  app.patch<{ Params: { id: string }; Body: ClientUpdateInput }>(
    '/clients/:id',
    { schema: { params, body: updateSchema }, config: { scopes: ['update:clients'] } },
    async (req) => {
      const view = await clients.update(req.tenantCtx, req.params.id, req.body);
      auditLog(services, req, 'Update client', { client_id: req.params.id, fields: Object.keys(req.body ?? {}) });
      return presentClient(view, req.tenantCtx.tenant.name, { secret: canSeeSecret(req.mgmt.scopes) ? clients.secretOf(view.client) : undefined });
    },
  );

  app.delete<{ Params: { id: string } }>('/clients/:id', { schema: { params }, config: { scopes: ['delete:clients'] } }, async (req, reply) => {
    await clients.delete(req.tenantCtx, req.params.id);
    auditLog(services, req, 'Delete client', { client_id: req.params.id });
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/clients/:id/rotate-secret', { schema: { params }, config: { scopes: ['update:client_keys'] } }, async (req) => {
    const view = await clients.rotateSecret(req.tenantCtx, req.params.id);
    auditLog(services, req, 'Rotate client secret', { client_id: req.params.id });
    return presentClient(view, req.tenantCtx.tenant.name, { secret: view.secret });
  });
}
