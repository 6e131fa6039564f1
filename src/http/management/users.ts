import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import type { User } from '../../services/users.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { checkConnection } from '../../domain/user-profile.ts';
import { parseUserQuery } from '../../domain/user-query.ts';
import type { UserSort } from '../../store/users.ts';
import { presentUser } from './present.ts';
import { auditLog } from './audit.ts';
import { filter, listResponse, parseQuery, project, refuse, type FilterParser, type QuerySpec, type RawQuery } from './list-query.ts';

/** PostgreSQL refuses NUL in a text parameter; no text field of a user holds one. */
const NO_NUL = '^[^\\u0000]*$';
const text = (maxLength: number, minLength = 0) => ({ type: 'string', minLength, maxLength, pattern: NO_NUL }) as const;
const params = { type: 'object', required: ['id'], properties: { id: text(200, 1) } } as const;
const metadata = { type: 'object' } as const;

/** Fields of POST /users. `password` is bounded loosely here; the password policy says what is wrong with it. */
const createProps = {
  connection: text(128),
  email: text(320),
  password: { type: 'string', maxLength: 4096 },
  email_verified: { type: 'boolean' },
  verify_email: { type: 'boolean' },
  name: text(300),
  nickname: text(300),
  blocked: { type: 'boolean' },
  user_metadata: metadata,
  app_metadata: metadata,
  user_id: text(64),
} as const;
const { user_id: _customId, ...updateProps } = createProps;

interface CreateBody {
  connection: string;
  email: string;
  password: string;
  email_verified?: boolean;
  verify_email?: boolean;
  name?: string;
  nickname?: string;
  blocked?: boolean;
  user_metadata?: Record<string, unknown>;
  app_metadata?: Record<string, unknown>;
  user_id?: string;
}
type UpdateBody = Partial<Omit<CreateBody, 'user_id'>>;

/** One value, as given: an empty `q` is no filter, as on Auth0. */
const queryText: FilterParser<string> = {
  repeatable: 1,
  parse(values, name) {
    if (values.length !== 1) refuse(name, `${name} may be given only once.`);
    return values[0]!;
  },
};

/** Signet searches as Auth0's search engine v3 does; the retired v1 and v2 are refused by name. */
const searchEngine: FilterParser<'v3'> = {
  repeatable: 1,
  parse(values, name) {
    const v = values[0]!;
    if (values.length !== 1 || v !== 'v3') refuse(name, `search_engine ${JSON.stringify(v.slice(0, 16))} is not supported: Signet searches users as Auth0's v3 engine does. Send search_engine=v3, or leave it out.`);
    return 'v3';
  },
};

const SORTS: Record<string, UserSort> = {
  'created_at:1': { by: 'created_at', desc: false },
  'created_at:-1': { by: 'created_at', desc: true },
  'email:1': { by: 'email', desc: false },
  'email:-1': { by: 'email', desc: true },
};

const listSpec: QuerySpec<{ q: string; search_engine: 'v3'; sort: string; connection: string }> = {
  offset: true,
  fields: true,
  filters: { q: queryText, search_engine: searchEngine, sort: filter.oneOf(Object.keys(SORTS)), connection: filter.string(128) },
};
const getSpec: QuerySpec = { fields: true };
const byEmailSpec: QuerySpec<{ email: string }> = { fields: true, filters: { email: filter.string(320) } };

function refuseNul(raw: RawQuery): void {
  for (const [name, v] of Object.entries(raw)) {
    const values = Array.isArray(v) ? v : [v];
    if (values.some((x) => typeof x === 'string' && x.includes('\u0000'))) refuse(name, `${name} must not contain a NUL character.`);
  }
}

const notFound = () => new NotFoundError('inexistent_user', 'The user does not exist.');

/**
 * /api/v2/users and /api/v2/users-by-email: the tenant's database-connection users, in Auth0's
 * shape. Every read and write is scoped to the caller's tenant, so another tenant's user id
 * is a 404. Passwords go to the hash and nowhere else: not in answers, not in log events.
 */
export function userRoutes(app: FastifyInstance, services: Services): void {
  const users = services.users;
  const tid = (req: { tenantCtx: { tenant: { id: string } } }) => req.tenantCtx.tenant.id;

  app.get<{ Querystring: RawQuery }>('/users', { config: { scopes: ['read:users'] } }, async (req) => {
    refuseNul(req.query);
    const q = parseQuery(req.query, listSpec);
    if (q.filters.connection !== undefined) checkConnection(q.filters.connection);
    const conditions = q.filters.q ? parseUserQuery(q.filters.q) : [];
    const sort = SORTS[q.filters.sort ?? 'created_at:1']!;
    return listResponse(
      'users',
      q,
      async (page, total) => {
        const r = await users.list(tid(req), conditions, sort, page, { total });
        return { rows: r.users, total: r.total };
      },
      (u: User) => ({ createdAt: u.createdAt, id: u.userId }),
      presentUser,
    );
  });

  app.get<{ Querystring: RawQuery }>('/users-by-email', { config: { scopes: ['read:users'] } }, async (req) => {
    refuseNul(req.query);
    const q = parseQuery(req.query, byEmailSpec);
    if (q.filters.email === undefined) refuse('email', 'email is required: the email address to look up.');
    return (await users.getByEmail(tid(req), q.filters.email)).map((u) => project(presentUser(u), q.projection));
  });

  app.get<{ Params: { id: string }; Querystring: RawQuery }>('/users/:id', { schema: { params }, config: { scopes: ['read:users'] } }, async (req) => {
    refuseNul(req.query);
    const q = parseQuery(req.query, getSpec);
    const u = await users.get(tid(req), req.params.id);
    if (!u) throw notFound();
    return project(presentUser(u), q.projection);
  });

  app.post<{ Body: CreateBody }>(
    '/users',
    {
      schema: { body: { type: 'object', additionalProperties: false, required: ['connection', 'email', 'password'], properties: createProps } },
      config: { scopes: ['create:users'] },
    },
    async (req, reply) => {
      const b = req.body;
      const u = await users.create(tid(req), {
        connection: b.connection,
        email: b.email,
        password: b.password,
        emailVerified: b.email_verified,
        verifyEmail: b.verify_email,
        name: b.name,
        nickname: b.nickname,
        blocked: b.blocked,
        userMetadata: b.user_metadata,
        appMetadata: b.app_metadata,
        userIdPart: b.user_id,
      });
      auditLog(services, req, 'Create a User', { user_id: u.userId, connection: u.connection });
      return reply.code(201).send(presentUser(u));
    },
  );

  app.patch<{ Params: { id: string }; Body: UpdateBody }>(
    '/users/:id',
    { schema: { params, body: { type: 'object', additionalProperties: false, properties: updateProps } }, config: { scopes: ['update:users'] } },
    async (req) => {
      const b = req.body;
      const u = await users.update(tid(req), req.params.id, {
        connection: b.connection,
        password: b.password,
        email: b.email,
        emailVerified: b.email_verified,
        verifyEmail: b.verify_email,
        name: b.name,
        nickname: b.nickname,
        blocked: b.blocked,
        userMetadata: b.user_metadata,
        appMetadata: b.app_metadata,
      });
      // Which fields changed, never their values (one of them may be the password).
      auditLog(services, req, 'Update a User', { user_id: u.userId, fields: Object.keys(b).sort() });
      return presentUser(u);
    },
  );

  app.delete<{ Params: { id: string } }>('/users/:id', { schema: { params }, config: { scopes: ['delete:users'] } }, async (req, reply) => {
    await users.delete(tid(req), req.params.id);
    auditLog(services, req, 'Delete a User', { user_id: req.params.id });
    return reply.code(204).send();
  });
}
