import type { FastifyInstance } from 'fastify';
import type { Services } from '../services.ts';
import { InvalidInputError, NotFoundError } from '../../domain/errors.ts';
import { presentLog } from './present.ts';
import { listQuerySchema, parsePaging } from './paging.ts';

/**
 * The subset of Auth0's Lucene `q` that log searches use in practice: `field:value` terms
 * joined by AND, on `type` and `client_id`. Anything else is refused rather than ignored.
 */
export function parseLogQuery(q: string | undefined): { type?: string; clientId?: string } {
  const out: { type?: string; clientId?: string } = {};
  if (!q || !q.trim()) return out;
  // The lookbehind lets a separator start only where a run of blanks starts: without it, every
  // position inside a long run of blanks is tried, and each scans to the run's end (quadratic).
  for (const term of q.split(/(?<!\s)\s+AND\s+/)) {
    const m = /^\s*(type|client_id):\s*"?([^"\s]+)"?\s*$/.exec(term);
    if (!m) throw new InvalidInputError('invalid_query', 'q supports type:"…" and client_id:"…" terms joined by AND.', 'q');
    if (m[1] === 'type') out.type = m[2];
    else out.clientId = m[2];
  }
  return out;
}

/** /api/v2/logs — read the tenant's log events, newest first. */
export function logRoutes(app: FastifyInstance, services: Services): void {
  app.get<{ Querystring: Record<string, string> }>(
    '/logs',
    { schema: { querystring: listQuerySchema({ q: { type: 'string', maxLength: 512 }, type: { type: 'string', maxLength: 16 }, client_id: { type: 'string', maxLength: 128 } }) }, config: { scopes: ['read:logs'] } },
    async (req) => {
    const { page, perPage, includeTotals } = parsePaging(req.query);
    const f = parseLogQuery(req.query.q);
    const events = await services.store.logs.list(req.tenantCtx.tenant.id, {
      type: req.query.type ?? f.type,
      clientId: req.query.client_id ?? f.clientId,
      page,
      perPage,
    });
    const list = events.map(presentLog);
    return includeTotals ? { start: page * perPage, limit: perPage, length: list.length, logs: list } : list;
  });

  app.get<{ Params: { id: string } }>(
    '/logs/:id',
    { schema: { params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 64 } } } }, config: { scopes: ['read:logs'] } },
    async (req) => {
    const e = await services.store.logs.get(req.tenantCtx.tenant.id, req.params.id);
    if (!e) throw new NotFoundError('log_not_found', 'Log event not found.');
    return presentLog(e);
  });
}
