import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { InvalidInputError, NotFoundError } from '../../domain/errors.ts';
import { parseLogQuery } from '../../domain/log-query.ts';
import { LOG_SORT_COLUMNS, type LogSortField, type StoredLogEvent } from '../../store/logs.ts';
import { LOG_FIELDS, presentLog } from './present.ts';

/** Auth0 lets search results be paged through their first 1,000 only; beyond, use a checkpoint. */
const SEARCH_WINDOW = 1000;
const MAX_TAKE = 100;

const SEARCH_PARAMS = ['q', 'page', 'per_page', 'include_totals', 'sort', 'fields', 'include_fields'] as const;
const CHECKPOINT_PARAMS = ['from', 'take'] as const;
/** Parameters Auth0 has that Signet refuses, with why. */
const UNSUPPORTED: Record<string, string> = {
  search: 'search is the retired v2 log search; use q (the log search query syntax).',
};

const refuse = (name: string, message: string): never => {
  throw new InvalidInputError('invalid_query_string', message, name);
};

function integer(raw: string | undefined, name: string, min: number, max: number, dflt: number): number {
  if (raw === undefined) return dflt;
  let ok = raw.length > 0 && raw.length <= 7;
  for (const c of raw) ok &&= c >= '0' && c <= '9';
  const n = Number(raw);
  if (!ok || n < min || n > max) refuse(name, `${name} must be an integer from ${min} to ${max}.`);
  return n;
}

function boolean(raw: string | undefined, name: string, dflt: boolean): boolean {
  if (raw === undefined) return dflt;
  if (raw !== 'true' && raw !== 'false') refuse(name, `${name} must be true or false.`);
  return raw === 'true';
}

function parseSort(raw: string | undefined): { field: LogSortField; descending: boolean } | undefined {
  if (raw === undefined) return undefined;
  const colon = raw.indexOf(':');
  const field = raw.slice(0, colon);
  const dir = raw.slice(colon + 1);
  if (colon < 0 || (dir !== '1' && dir !== '-1')) refuse('sort', 'sort must be a field and a direction, as in date:-1 (newest first) or date:1.');
  if (!Object.hasOwn(LOG_SORT_COLUMNS, field)) refuse('sort', `sort: "${field.slice(0, 32)}" is not a sortable field; use one of ${Object.keys(LOG_SORT_COLUMNS).join(', ')}.`);
  return { field: field as LogSortField, descending: dir === '-1' };
}

function parseFields(raw: string | undefined, include: boolean): ((o: Record<string, unknown>) => Record<string, unknown>) | undefined {
  if (raw === undefined || raw === '') return undefined;
  const names = raw.split(',').map((s) => s.trim());
  for (const n of names) {
    if (!(LOG_FIELDS as readonly string[]).includes(n)) refuse('fields', `fields: "${n.slice(0, 32)}" is not a log event field; use ${LOG_FIELDS.join(', ')}.`);
  }
  const chosen = new Set(names);
  return (o) => Object.fromEntries(Object.entries(o).filter(([k]) => chosen.has(k) === include));
}

/**
 * /api/v2/logs — the tenant's log events, as Auth0 serves them:
 * - by checkpoint (`from`, `take`): the events after `from` in log_id order, which is the order
 *   they were committed in, so an exporter that keeps the last log_id it saw never misses or
 *   repeats one; a bare array with a `Link: <…>; rel="next"` to the following page;
 * - by search (`q`, `sort`, `page`/`per_page`, `include_totals`, `fields`): newest first unless
 *   sorted otherwise, within the first 1,000 results.
 * Auth0 ignores search parameters given with `from`; Signet refuses them, and any parameter it
 * does not know, by name.
 */
export function logRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: Record<string, string | string[]> }>(
    '/logs',
    { schema: { querystring: { type: 'object', additionalProperties: { anyOf: [{ type: 'string', maxLength: 1024 }, { type: 'array', maxItems: 4, items: { type: 'string', maxLength: 1024 } }] } } }, config: { scopes: ['read:logs'] } },
    async (req, reply) => {
      const raw = req.query;
      for (const [name, v] of Object.entries(raw)) {
        if (Object.hasOwn(UNSUPPORTED, name)) refuse(name, `${name} is not supported: ${UNSUPPORTED[name]}`);
        if (!(SEARCH_PARAMS as readonly string[]).includes(name) && !(CHECKPOINT_PARAMS as readonly string[]).includes(name)) {
          refuse(name, `Unknown query parameter ${name.slice(0, 64)}. /logs accepts: ${[...SEARCH_PARAMS, ...CHECKPOINT_PARAMS].join(', ')}.`);
        }
        if (Array.isArray(v)) refuse(name, `${name} may be given only once.`);
        // PostgreSQL refuses NUL in a text parameter (a 500); no value of these parameters holds one.
        if (v.includes('\u0000')) refuse(name, `${name} must not contain a NUL character.`);
      }
      const q = raw as Record<string, string | undefined>;
      const tenantId = req.tenantCtx.tenant.id;

      if (q.from !== undefined || q.take !== undefined) {
        const mixed = SEARCH_PARAMS.find((p) => q[p] !== undefined);
        if (mixed) refuse(mixed, `${mixed} cannot be combined with from/take: checkpoint paging returns every event after from, in log_id order.`);
        const take = integer(q.take, 'take', 1, MAX_TAKE, 50);
        let after = 0;
        if (q.from !== undefined) {
          const at = await services.store.logs.checkpoint(tenantId, q.from);
          if (at === undefined) refuse('from', 'from must be the log_id of an event of this tenant.');
          after = at!;
        }
        const events = await services.store.logs.after(tenantId, after, take);
        // As on Auth0, `next` always points on: past the last event given, or at the same place when none was.
        const last = events.at(-1)?.id ?? q.from;
        const next = new URL('api/v2/logs', req.tenantCtx.issuer);
        if (last !== undefined) next.searchParams.set('from', last);
        next.searchParams.set('take', String(take));
        reply.header('link', `<${next.href}>; rel="next"`);
        return events.map(presentLog);
      }

      const page = integer(q.page, 'page', 0, SEARCH_WINDOW, 0);
      const perPage = integer(q.per_page, 'per_page', 1, 100, 50);
      if ((page + 1) * perPage > SEARCH_WINDOW) {
        refuse('page', `Only the first ${SEARCH_WINDOW} results of a search can be paged through (page × per_page); narrow q, or read every event with from/take.`);
      }
      const includeTotals = boolean(q.include_totals, 'include_totals', false);
      const project = parseFields(q.fields, boolean(q.include_fields, 'include_fields', true));
      const sort = parseSort(q.sort);
      const query = parseLogQuery(q.q);
      const { events, total } = await services.store.logs.search(tenantId, { ...(query && { query }), ...(sort && { sort }), page, perPage, total: includeTotals });
      const logs = events.map((e: StoredLogEvent) => (project ? project(presentLog(e)) : presentLog(e)));
      return includeTotals ? { start: page * perPage, limit: perPage, length: logs.length, total, logs } : logs;
    },
  );

  app.get<{ Params: { id: string } }>(
    '/logs/:id',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } }, config: { scopes: ['read:logs'] } },
    async (req) => {
      const extra = Object.keys(req.query as object)[0];
      if (extra !== undefined) refuse(extra, `Unknown query parameter ${extra.slice(0, 64)}. /logs/{id} takes no query parameters.`);
      const e = req.params.id.includes('\u0000') ? undefined : await services.store.logs.get(req.tenantCtx.tenant.id, req.params.id);
      if (!e) throw new NotFoundError('log_not_found', 'Log event not found.');
      return presentLog(e);
    },
  );
}
