import { InvalidInputError } from '../../domain/errors.ts';

/** Auth0's `page` (0-based), `per_page` (≤100) and `include_totals` query parameters. */
export function parsePaging(q: Record<string, string | undefined>): { page: number; perPage: number; includeTotals: boolean } {
  const page = q.page === undefined ? 0 : Number(q.page);
  const perPage = q.per_page === undefined ? 50 : Number(q.per_page);
  if (!Number.isInteger(page) || page < 0) throw new InvalidInputError('invalid_query', 'page must be a non-negative integer.', 'page');
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) throw new InvalidInputError('invalid_query', 'per_page must be an integer from 1 to 100.', 'per_page');
  return { page, perPage, includeTotals: q.include_totals === 'true' };
}

/**
 * Query schema for list routes. Unknown parameters are tolerated (Auth0 SDKs send `fields`,
 * `include_fields` and others this subset does not implement); known ones are typed and bounded.
 */
export function listQuerySchema(extra: Record<string, { type: 'string'; maxLength: number }> = {}) {
  return {
    type: 'object',
    properties: {
      page: { type: 'string', pattern: '^[0-9]{1,6}$' },
      per_page: { type: 'string', pattern: '^[0-9]{1,3}$' },
      include_totals: { type: 'string', enum: ['true', 'false'] },
      ...extra,
    },
  } as const;
}
