import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { ApiService, type ClientGrantInput, type ResourceServerInput } from '../../services/apis.ts';
import { ruledProperties } from '../../domain/object-fields/field-rules.ts';
import { RESOURCE_SERVER_FIELDS } from '../../domain/object-fields/resource-server-fields.ts';
import { CLIENT_GRANT_FIELDS } from '../../domain/object-fields/client-grant-fields.ts';
import { presentClientGrant, presentResourceServer } from './present.ts';
import { auditLog } from './audit.ts';
import { filter, listResponse, parseQuery, project, type QuerySpec, type RawQuery } from './list-query.ts';

const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 1024 } } } as const;
const scopes = {
  type: 'array',
  maxItems: 500,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['value'],
    properties: { value: { type: 'string', maxLength: 280 }, description: { type: 'string', maxLength: 500 } },
  },
} as const;
const lifetime = { type: 'integer', minimum: 60, maximum: 2592000 } as const;
const signing = { signing_alg: { type: 'string', maxLength: 16 }, signing_secret: { type: 'string', maxLength: 1024 } } as const;
/** Auth0's other fields are accepted by the schemas and ruled, field by field, by the tables in src/domain/object-fields. */
const rsCreateProps = ruledProperties(RESOURCE_SERVER_FIELDS, { name: { type: 'string', minLength: 1, maxLength: 200 }, identifier: { type: 'string', minLength: 1, maxLength: 600 }, scopes, token_lifetime: lifetime, ...signing });
const rsUpdateProps = ruledProperties(RESOURCE_SERVER_FIELDS, { name: { type: 'string', minLength: 1, maxLength: 200 }, scopes, token_lifetime: lifetime, ...signing });
// `identifier` cannot change once set: leave it out of the update schema so it is refused by name.
delete rsUpdateProps.identifier;

/** `GET /resource-servers`: Auth0 documents `include_fields` here but no `fields`, so there is nothing to project. */
const apiListSpec: QuerySpec<{ identifiers: string[] }> = { offset: true, fields: 'include_fields', filters: { identifiers: filter.repeated(10, 600) } };
const apiGetSpec: QuerySpec = { fields: 'include_fields' };
/** `GET /client-grants`: offset and checkpoint paging, Auth0's filters. */
const grantListSpec: QuerySpec<{ audience: string; client_id: string }> = {
  offset: true,
  checkpoint: true,
  filters: { audience: filter.string(600), client_id: filter.string(128) },
};

/** `GET /client-grants/{id}`: Auth0's SDK sends no parameters; `fields`/`include_fields` work as on the other GETs. */
const grantGetSpec: QuerySpec = { fields: true };

/** /api/v2/resource-servers and /api/v2/client-grants. */
export function apiRoutes(app: FastifyInstance, services: Services): void {
  const apis = new ApiService(services);

  const presentRs = (rs: Parameters<typeof presentResourceServer>[0]) => presentResourceServer(rs, apis.signingSecretOf(rs));

  app.get<{ Querystring: RawQuery }>('/resource-servers', { config: { scopes: ['read:resource_servers'] } }, async (req) => {
    const q = parseQuery(req.query, apiListSpec);
    return listResponse(
      'resource_servers',
      q,
      async (page, total) => {
        const r = await services.store.resourceServers.page(req.tenantCtx.tenant.id, { identifiers: q.filters.identifiers }, page, { total });
        return { rows: r.resourceServers, total: r.total };
      },
      (rs) => ({ createdAt: rs.createdAt, id: rs.id }),
      presentRs,
    );
  });

  app.post<{ Body: ResourceServerInput & { identifier: string } }>(
    '/resource-servers',
    {
      schema: { body: { type: 'object', additionalProperties: false, required: ['identifier'], properties: rsCreateProps } },
      config: { scopes: ['create:resource_servers'] },
    },
    async (req, reply) => {
      const rs = await apis.createApi(req.tenantCtx, { ...req.body, scopes: req.body.scopes?.map((s) => ({ value: s.value, description: s.description ?? '' })) });
      auditLog(services, req, 'Create resource server', { identifier: rs.identifier });
      return reply.code(201).send(presentRs(rs));
    },
  );

  app.get<{ Params: { id: string }; Querystring: RawQuery }>('/resource-servers/:id', { schema: { params }, config: { scopes: ['read:resource_servers'] } }, async (req) => {
    const q = parseQuery(req.query, apiGetSpec);
    return project(presentRs(await apis.getApi(req.tenantCtx, req.params.id)), q.projection);
  });

  app.patch<{ Params: { id: string }; Body: ResourceServerInput }>(
    '/resource-servers/:id',
    {
      schema: { params, body: { type: 'object', additionalProperties: false, properties: rsUpdateProps } },
      config: { scopes: ['update:resource_servers'] },
    },
    async (req) => {
      const rs = await apis.updateApi(req.tenantCtx, req.params.id, { ...req.body, scopes: req.body.scopes?.map((s) => ({ value: s.value, description: s.description ?? '' })) });
      auditLog(services, req, 'Update resource server', { identifier: rs.identifier });
      return presentRs(rs);
    },
  );

  app.delete<{ Params: { id: string } }>('/resource-servers/:id', { schema: { params }, config: { scopes: ['delete:resource_servers'] } }, async (req, reply) => {
    await apis.deleteApi(req.tenantCtx, req.params.id);
    auditLog(services, req, 'Delete resource server', { id: req.params.id });
    return reply.code(204).send();
  });

  app.get<{ Querystring: RawQuery }>('/client-grants', { config: { scopes: ['read:client_grants'] } }, async (req) => {
    const q = parseQuery(req.query, grantListSpec);
    return listResponse(
      'client_grants',
      q,
      async (page, total) => {
        const r = await services.store.clientGrants.page(req.tenantCtx.tenant.id, { clientId: q.filters.client_id, audience: q.filters.audience }, page, { total });
        return { rows: r.grants, total: r.total };
      },
      (g) => ({ createdAt: g.createdAt, id: g.id }),
      presentClientGrant,
    );
  });

  const scopeList = { type: 'array', maxItems: 500, items: { type: 'string', maxLength: 280 } } as const;
  app.get<{ Params: { id: string }; Querystring: RawQuery }>('/client-grants/:id', { schema: { params }, config: { scopes: ['read:client_grants'] } }, async (req) => {
    const q = parseQuery(req.query, grantGetSpec);
    return project(presentClientGrant(await apis.getGrant(req.tenantCtx, req.params.id)), q.projection);
  });

  app.post<{ Body: ClientGrantInput & { client_id: string; audience: string } }>(
    '/client-grants',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          // Signet grants per application: Auth0's client-less default grants (default_for) are refused by name.
          required: ['client_id', 'audience'],
          properties: ruledProperties(CLIENT_GRANT_FIELDS, { client_id: { type: 'string', maxLength: 128 }, audience: { type: 'string', maxLength: 600 }, scope: scopeList }),
        },
      },
      config: { scopes: ['create:client_grants'] },
    },
    async (req, reply) => {
      const g = await apis.createGrant(req.tenantCtx, req.body);
      auditLog(services, req, 'Create client grant', { client_id: g.clientId, audience: g.audience });
      return reply.code(201).send(presentClientGrant(g));
    },
  );

  const grantUpdateProps = ruledProperties(CLIENT_GRANT_FIELDS, { scope: { ...scopeList, type: ['array', 'null'] } });
  // The application and API of a grant cannot change: refused by name as unknown fields.
  delete grantUpdateProps.client_id;
  delete grantUpdateProps.audience;
  app.patch<{ Params: { id: string }; Body: ClientGrantInput }>(
    '/client-grants/:id',
    { schema: { params, body: { type: 'object', additionalProperties: false, properties: grantUpdateProps } }, config: { scopes: ['update:client_grants'] } },
    async (req) => {
      const g = await apis.updateGrant(req.tenantCtx, req.params.id, { ...req.body, scope: req.body.scope === null ? [] : req.body.scope });
      auditLog(services, req, 'Update client grant', { client_grant_id: g.id });
      return presentClientGrant(g);
    },
  );

  app.delete<{ Params: { id: string } }>('/client-grants/:id', { schema: { params }, config: { scopes: ['delete:client_grants'] } }, async (req, reply) => {
    await apis.deleteGrant(req.tenantCtx, req.params.id);
    auditLog(services, req, 'Delete client grant', { client_grant_id: req.params.id });
    return reply.code(204).send();
  });
}
