/**
 * Auth0's list and GET query parameters, parsed one way for every Management API route.
 *
 * Contract (stable; routes and their tests depend on it):
 *
 * - A route declares what it accepts in a `QuerySpec`: offset paging (`page` ≥ 0, `per_page`
 *   1–100 default 50, `include_totals`), checkpoint paging (`from`, `take` 1–100 default 50;
 *   `include_totals` is accepted there too, as the SDKs send it), projection (`fields` +
 *   `include_fields`, or `include_fields` alone where Auth0 documents only that), and its
 *   filters, each a parser built with `filter.*`.
 * - `parseQuery(raw, spec)` is pure: it returns a `ParsedQuery` or throws `InvalidInputError`
 *   (code `invalid_query_string`, `field` = the parameter) naming the first offending
 *   parameter. A parameter the route does not declare is refused by name, never ignored; one
 *   Auth0 defines but Signet does not implement can be listed in `spec.unsupported` with the
 *   reason, so the message says so. A parameter given twice is refused unless its filter is
 *   `filter.repeated`.
 * - Paging mode: `from`/`take` select checkpoint paging, anything else is offset paging (with
 *   Auth0's defaults when no paging parameter is given). Mixing `page`/`per_page` with
 *   `from`/`take` is refused.
 * - `listBody(key, paging, page)` shapes the answer as Auth0 does: offset paging gives a bare
 *   array, or `{start, limit, total, <key>}` with `include_totals=true`; checkpoint paging
 *   gives `{<key>, next}` where `next` is omitted on the last page.
 * - `project(obj, projection)` applies `fields`/`include_fields` to one presented object
 *   (dotted names reach into nested objects, as in `jwt_configuration.alg`).
 * - `encodeCursor`/`decodeCursor` turn a keyset position (creation time, id) into the opaque
 *   `from`/`next` string and back; a `from` that does not decode is a 400 naming `from`.
 *
 * Paging itself happens in SQL (`src/store/paging.ts`); this module only reads and writes the wire.
 */
import { InvalidInputError } from '../../domain/errors.ts';
import type { Keyset, PageRequest } from '../../store/paging.ts';

export type RawQuery = Record<string, string | string[] | undefined>;

/** Parses one filter's value(s); throws through `refuse` naming the parameter. */
export interface FilterParser<T> {
  readonly repeatable: number;
  parse(values: readonly string[], name: string): T;
}

export interface QuerySpec<F extends Record<string, unknown> = Record<string, unknown>> {
  /** `page`, `per_page`, `include_totals`. */
  offset?: boolean;
  /** `from`, `take` (and `include_totals`). */
  checkpoint?: boolean;
  /** `fields` and `include_fields`; `'include_fields'` accepts only the latter (it selects nothing alone). */
  fields?: true | 'include_fields';
  filters?: { [K in keyof F]: FilterParser<F[K]> };
  /** Parameters Auth0 has on this route that Signet refuses, with why. */
  unsupported?: Record<string, string>;
}

export type Paging =
  | { mode: 'offset'; page: number; perPage: number; includeTotals: boolean }
  | { mode: 'checkpoint'; from: string | undefined; take: number; includeTotals: boolean }
  | { mode: 'none' };

export interface Projection {
  fields: string[];
  include: boolean;
}

export interface ParsedQuery<F extends Record<string, unknown> = Record<string, unknown>> {
  paging: Paging;
  projection: Projection | undefined;
  filters: Partial<F>;
}

export const PER_PAGE_DEFAULT = 50;
export const PER_PAGE_MAX = 100;
const MAX_PAGE = 1_000_000;
const MAX_FROM_LENGTH = 512;
const MAX_FIELDS = 100;
const MAX_FIELD_NAME = 64;

export function refuse(name: string, message: string): never {
  throw new InvalidInputError('invalid_query_string', message, name);
}

function single(values: readonly string[], name: string): string {
  if (values.length !== 1) refuse(name, `${name} may be given only once.`);
  return values[0]!;
}

function integer(raw: string, name: string, min: number, max: number): number {
  // Digits only (no sign, exponent, blanks or hex), so "1e2" or " 5" are refused, not coerced.
  if (raw.length === 0 || raw.length > 7 || !/^[0-9]+$/.test(raw)) refuse(name, `${name} must be an integer from ${min} to ${max}.`);
  const n = Number(raw);
  if (n < min || n > max) refuse(name, `${name} must be an integer from ${min} to ${max}.`);
  return n;
}

function boolean(raw: string, name: string): boolean {
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  return refuse(name, `${name} must be true or false.`);
}

/** Builders for route filters. */
export const filter = {
  /** One string of bounded length. */
  string(maxLength: number): FilterParser<string> {
    return {
      repeatable: 1,
      parse(values, name) {
        const v = single(values, name);
        if (v.length === 0 || v.length > maxLength) refuse(name, `${name} must be 1 to ${maxLength} characters.`);
        return v;
      },
    };
  },
  boolean(): FilterParser<boolean> {
    return { repeatable: 1, parse: (values, name) => boolean(single(values, name), name) };
  },
  /** One of a fixed set of values. */
  oneOf<T extends string>(allowed: readonly T[]): FilterParser<T> {
    return {
      repeatable: 1,
      parse(values, name) {
        const v = single(values, name);
        if (!(allowed as readonly string[]).includes(v)) refuse(name, `${name} must be one of: ${allowed.join(', ')}.`);
        return v as T;
      },
    };
  },
  /** A comma-separated list (Auth0's `app_type=spa,native`), of `allowed` values when given. */
  commaList(maxItems: number, maxItemLength: number, allowed?: readonly string[]): FilterParser<string[]> {
    return {
      repeatable: 1,
      parse(values, name) {
        const items = single(values, name).split(',').map((s) => s.trim());
        if (items.length > maxItems) refuse(name, `${name} lists at most ${maxItems} values.`);
        for (const item of items) {
          if (item.length === 0 || item.length > maxItemLength) refuse(name, `${name} must be a comma-separated list of values of 1 to ${maxItemLength} characters.`);
          if (allowed && !allowed.includes(item)) refuse(name, `${name} values must be among: ${allowed.join(', ')}; "${item}" is not.`);
        }
        return [...new Set(items)];
      },
    };
  },
  /** A parameter that may be given several times (Auth0's `identifiers=a&identifiers=b`). */
  repeated(maxItems: number, maxLength: number): FilterParser<string[]> {
    return {
      repeatable: maxItems,
      parse(values, name) {
        for (const v of values) if (v.length === 0 || v.length > maxLength) refuse(name, `each ${name} must be 1 to ${maxLength} characters.`);
        return [...new Set(values)];
      },
    };
  },
};

const OFFSET = ['page', 'per_page'] as const;
const CHECKPOINT = ['from', 'take'] as const;

/** Reads the raw query of one request against what its route accepts (see the contract above). */
export function parseQuery<F extends Record<string, unknown>>(raw: RawQuery, spec: QuerySpec<F>): ParsedQuery<F> {
  const values = new Map<string, string[]>();
  for (const [name, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    values.set(name, Array.isArray(v) ? v : [v]);
  }
  const filters = (spec.filters ?? {}) as Record<string, FilterParser<unknown>>;
  const known = new Set<string>(Object.keys(filters));
  if (spec.offset) for (const p of [...OFFSET, 'include_totals']) known.add(p);
  if (spec.checkpoint) for (const p of [...CHECKPOINT, 'include_totals']) known.add(p);
  if (spec.fields === true) known.add('fields');
  if (spec.fields) known.add('include_fields');

  for (const [name, vs] of values) {
    const why = spec.unsupported?.[name];
    if (why !== undefined) refuse(name, `${name} is not supported: ${why}`);
    if (!known.has(name)) {
      const accepted = [...known];
      refuse(name, `Unknown query parameter ${name}. ${accepted.length ? `This route accepts: ${accepted.join(', ')}.` : 'This route takes no query parameters.'}`);
    }
    const repeatable = filters[name]?.repeatable ?? 1;
    if (vs.length > repeatable) refuse(name, repeatable === 1 ? `${name} may be given only once.` : `${name} may be given at most ${repeatable} times.`);
  }
  const one = (name: string) => {
    const v = values.get(name);
    return v === undefined ? undefined : v[0]!;
  };

  const includeTotalsRaw = one('include_totals');
  const includeTotals = includeTotalsRaw === undefined ? false : boolean(includeTotalsRaw, 'include_totals');
  let paging: Paging = { mode: 'none' };
  const checkpointGiven = CHECKPOINT.find((p) => values.has(p));
  const offsetGiven = OFFSET.find((p) => values.has(p));
  if (checkpointGiven && offsetGiven) refuse(offsetGiven, `${offsetGiven} cannot be combined with ${checkpointGiven}: use page/per_page or from/take.`);
  if (checkpointGiven) {
    const take = one('take');
    const from = one('from');
    if (from !== undefined && (from.length === 0 || from.length > MAX_FROM_LENGTH)) refuse('from', 'from must be the next value of a previous page.');
    paging = { mode: 'checkpoint', from, take: take === undefined ? PER_PAGE_DEFAULT : integer(take, 'take', 1, PER_PAGE_MAX), includeTotals };
  } else if (spec.offset) {
    const page = one('page');
    const perPage = one('per_page');
    paging = {
      mode: 'offset',
      page: page === undefined ? 0 : integer(page, 'page', 0, MAX_PAGE),
      perPage: perPage === undefined ? PER_PAGE_DEFAULT : integer(perPage, 'per_page', 1, PER_PAGE_MAX),
      includeTotals,
    };
  } else if (spec.checkpoint) {
    paging = { mode: 'checkpoint', from: undefined, take: PER_PAGE_DEFAULT, includeTotals };
  }

  let projection: Projection | undefined;
  const include = one('include_fields');
  const includeFields = include === undefined ? true : boolean(include, 'include_fields');
  const fields = one('fields');
  if (fields !== undefined && fields !== '') projection = { fields: fieldList(fields), include: includeFields };

  const parsed: Partial<F> = {};
  for (const [name, parser] of Object.entries(filters)) {
    const v = values.get(name);
    if (v !== undefined) (parsed as Record<string, unknown>)[name] = parser.parse(v, name);
  }
  return { paging, projection, filters: parsed };
}

function fieldList(raw: string): string[] {
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (names.length > MAX_FIELDS) refuse('fields', `fields lists at most ${MAX_FIELDS} names.`);
  for (const n of names) {
    // Field names are identifiers joined by dots; anything else cannot name a field.
    if (n.length > MAX_FIELD_NAME || !/^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(n)) refuse('fields', `fields must be a comma-separated list of field names; "${n.slice(0, MAX_FIELD_NAME)}" is not one.`);
  }
  return names;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Applies `fields`/`include_fields` to one presented object. */
export function project<T extends object>(obj: T, projection: Projection | undefined): Partial<T> {
  if (!projection) return obj;
  const paths = projection.fields.map((f) => f.split('.'));
  return (projection.include ? pick(obj as Json, paths) : omit(obj as Json, paths)) as Partial<T>;
}

function pick(obj: Json, paths: string[][]): Json {
  const out: Json = {};
  for (const path of paths) {
    let src: unknown = obj;
    let dst = out;
    for (let i = 0; i < path.length; i++) {
      if (!isObject(src) || !Object.hasOwn(src, path[i]!)) break;
      const v: unknown = src[path[i]!];
      if (i === path.length - 1) dst[path[i]!] = v;
      else {
        if (!isObject(v)) break;
        if (!isObject(dst[path[i]!])) dst[path[i]!] = {};
        dst = dst[path[i]!] as Json;
      }
      src = v;
    }
  }
  return out;
}

function omit(obj: Json, paths: string[][]): Json {
  const out: Json = { ...obj };
  for (const path of paths) {
    let dst: Json = out;
    for (let i = 0; i < path.length; i++) {
      const k = path[i]!;
      if (!Object.hasOwn(dst, k)) break;
      if (i === path.length - 1) delete dst[k];
      else {
        if (!isObject(dst[k])) break;
        dst[k] = { ...(dst[k] as Json) };
        dst = dst[k] as Json;
      }
    }
  }
  return out;
}

/** Shapes a list answer as Auth0 does for the paging mode in use. */
export function listBody<T>(key: string, paging: Paging, page: { items: T[]; total?: number; next?: string }): T[] | Record<string, unknown> {
  if (paging.mode === 'checkpoint') return { [key]: page.items, ...(page.next !== undefined && { next: page.next }) };
  if (paging.mode === 'offset' && paging.includeTotals) {
    return { start: paging.page * paging.perPage, limit: paging.perPage, total: page.total ?? page.items.length, [key]: page.items };
  }
  return page.items;
}

/**
 * The store-level page a parsed query asks for. Checkpoint pages fetch one row more than
 * `take`, so the route knows whether to give a `next` (see `checkpointPage`).
 */
export function pageRequest(paging: Paging): PageRequest {
  if (paging.mode === 'checkpoint') return { after: paging.from === undefined ? undefined : decodeCursor(paging.from), limit: paging.take + 1 };
  if (paging.mode === 'offset') return { offset: paging.page * paging.perPage, limit: paging.perPage };
  return { offset: 0, limit: PER_PAGE_MAX };
}

/** Trims a checkpoint page fetched with `pageRequest` to `take` rows, with the cursor of the next page when there is one. */
export function checkpointPage<T>(rows: T[], take: number, keyOf: (row: T) => Keyset): { items: T[]; next?: string } {
  if (rows.length <= take) return { items: rows };
  const items = rows.slice(0, take);
  return { items, next: encodeCursor(keyOf(items[items.length - 1]!)) };
}

/** The opaque `next`/`from` value: the last row's position in (creation time, id) order. */
export function encodeCursor(k: Keyset): string {
  return Buffer.from(`${k.createdAt.toString(36)}.${k.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(from: string): Keyset {
  const bad = () => refuse('from', 'from must be the next value of a previous page.');
  if (!/^[A-Za-z0-9_-]+$/.test(from)) return bad();
  const text = Buffer.from(from, 'base64url').toString('utf8');
  const dot = text.indexOf('.');
  if (dot < 1 || dot > 11) return bad();
  const at = text.slice(0, dot);
  const id = text.slice(dot + 1);
  if (!/^[0-9a-z]+$/.test(at) || !/^[A-Za-z0-9_|-]{1,128}$/.test(id)) return bad();
  const createdAt = parseInt(at, 36);
  if (!Number.isSafeInteger(createdAt)) return bad();
  return { createdAt, id };
}

/**
 * Reads one page for a parsed query and shapes the answer: `fetch` runs the SQL for the
 * store-level page (and the COUNT when totals are asked for), `keyOf` gives a row's keyset
 * position for `next`, `present` turns a row into its wire object before projection.
 */
export async function listResponse<T>(
  key: string,
  q: ParsedQuery<any>,
  fetch: (page: PageRequest, withTotal: boolean) => Promise<{ rows: T[]; total?: number }>,
  keyOf: (row: T) => Keyset,
  present: (row: T) => object,
): Promise<unknown> {
  const { paging } = q;
  const { rows, total } = await fetch(pageRequest(paging), paging.mode === 'offset' && paging.includeTotals);
  const page = paging.mode === 'checkpoint' ? checkpointPage(rows, paging.take, keyOf) : { items: rows };
  const items = page.items.map((row) => project(present(row), q.projection));
  return listBody(key, paging, { items, ...(total !== undefined && { total }), ...(page.next !== undefined && { next: page.next }) });
}
