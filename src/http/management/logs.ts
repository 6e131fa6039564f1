import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { NotFoundError } from '../../domain/errors.ts';
import { parseLogQuery } from '../../domain/log-query.ts';
import { LOG_SORT_COLUMNS, type LogSortField } from '../../store/logs.ts';
import { LOG_FIELDS, presentLog } from './present.ts';
import { parseQuery, project, refuse, type FilterParser, type QuerySpec, type RawQuery } from './list-query.ts';

/** Auth0 lets search results be paged through their first 1,000 only; beyond, use a checkpoint. */
const SEARCH_WINDOW = 1000;

/** One value, as given (an empty `q` is no filter, as on Auth0). */
const text: FilterParser<string> = {
  repeatable: 1,
  parse(values, name) {
    if (values.length !== 1) refuse(name, `${name} may be given only once.`);
    return values[0]!;
  },
};

const listSpec: QuerySpec<{ q: string; sort: string }> = {
  offset: true,
  checkpoint: true,
  fields: true,
  filters: { q: text, sort: text },
  unsupported: { search: 'search is the retired v2 log search; use q (the log search query syntax).' },
};
const getSpec: QuerySpec = {};

/** What only a search takes: Auth0 ignores these beside from/take; Signet refuses them. */
const SEARCH_ONLY = ['q', 'sort', 'fields', 'include_fields', 'include_totals'] as const;

function parseSort(raw: string | undefined): { field: LogSortField; descending: boolean } | undefined {
  if (raw === undefined) return undefined;
  const colon = raw.indexOf(':');
  const field = raw.slice(0, colon);
  const dir = raw.slice(colon + 1);
  if (colon < 0 || (dir !== '1' && dir !== '-1')) refuse('sort', 'sort must be a field and a direction, as in date:-1 (newest first) or date:1.');
  if (!Object.hasOwn(LOG_SORT_COLUMNS, field)) refuse('sort', `sort: "${field.slice(0, 32)}" is not a sortable field; use one of ${Object.keys(LOG_SORT_COLUMNS).join(', ')}.`);
  return { field: field as LogSortField, descending: dir === '-1' };
}

/** PostgreSQL refuses NUL in a text parameter (a 500); no value of these parameters holds one. */
function refuseNul(raw: RawQuery): void {
  for (const [name, v] of Object.entries(raw)) {
    if (typeof v === 'string' && v.includes('\u0000')) refuse(name, `${name} must not contain a NUL character.`);
  }
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
  app.get<{ Querystring: RawQuery }>('/logs', { config: { scopes: ['read:logs'] } }, async (req, reply) => {
    const parsed = parseQuery(req.query, listSpec);
    refuseNul(req.query);
    const { paging, projection, filters } = parsed;
    const tenantId = req.tenantCtx.tenant.id;

    if (paging.mode === 'checkpoint') {
      const mixed = SEARCH_ONLY.find((p) => req.query[p] !== undefined);
      if (mixed) refuse(mixed, `${mixed} cannot be combined with from/take: checkpoint paging returns every event after from, in log_id order.`);
      let after = 0;
      if (paging.from !== undefined) {
        const at = await services.store.logs.checkpoint(tenantId, paging.from);
        if (at === undefined) refuse('from', 'from must be the log_id of an event of this tenant.');
        after = at;
      }
      const events = await services.store.logs.after(tenantId, after, paging.take);
      // As on Auth0, `next` always points on: past the last event given, or at the same place when none was.
      const last = events.at(-1)?.id ?? paging.from;
      const next = new URL('api/v2/logs', req.tenantCtx.issuer);
      if (last !== undefined) next.searchParams.set('from', last);
      next.searchParams.set('take', String(paging.take));
      reply.header('link', `<${next.href}>; rel="next"`);
      return events.map(presentLog);
    }

    if (paging.mode !== 'offset') throw new Error('log search pages by offset');
    const { page, perPage, includeTotals } = paging;
    if ((page + 1) * perPage > SEARCH_WINDOW) {
      refuse('page', `Only the first ${SEARCH_WINDOW} results of a search can be paged through (page × per_page); narrow q, or read every event with from/take.`);
    }
    for (const n of projection?.fields ?? []) {
      if (!(LOG_FIELDS as readonly string[]).includes(n)) refuse('fields', `fields: "${n}" is not a log event field; use ${LOG_FIELDS.join(', ')}.`);
    }
    const sort = parseSort(filters.sort);
    const query = parseLogQuery(filters.q);
    const { events, total } = await services.store.logs.search(tenantId, { ...(query && { query }), ...(sort && { sort }), page, perPage, total: includeTotals });
    const logs = events.map((e) => project(presentLog(e), projection));
    return includeTotals ? { start: page * perPage, limit: perPage, length: logs.length, total, logs } : logs;
  });

  app.get<{ Params: { id: string }; Querystring: RawQuery }>(
    '/logs/:id',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } }, config: { scopes: ['read:logs'] } },
    async (req) => {
      parseQuery(req.query, getSpec);
      const e = req.params.id.includes('\u0000') ? undefined : await services.store.logs.get(req.tenantCtx.tenant.id, req.params.id);
      if (!e) throw new NotFoundError('log_not_found', 'Log event not found.');
      return presentLog(e);
    },
  );
}
