import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidInputError } from '../../domain/errors.ts';
import { checkpointPage, decodeCursor, encodeCursor, filter, listBody, pageRequest, parseQuery, project, type QuerySpec } from './list-query.ts';

const spec: QuerySpec<{ app_type: string[]; is_global: boolean; identifiers: string[]; audience: string }> = {
  offset: true,
  checkpoint: true,
  fields: true,
  filters: {
    app_type: filter.commaList(4, 32, ['spa', 'native', 'regular_web', 'non_interactive']),
    is_global: filter.boolean(),
    identifiers: filter.repeated(10, 600),
    audience: filter.string(600),
  },
  unsupported: { q: 'no organizations.' },
};

/** Asserts the parse is refused with Auth0's query error naming `field`. */
function refused(raw: Record<string, string | string[]>, field: string, message?: RegExp, s: QuerySpec<any> = spec) {
  assert.throws(
    () => parseQuery(raw, s),
    (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid_query_string' && e.field === field && (!message || message.test(e.message)),
    `${JSON.stringify(raw)} should be refused naming ${field}`,
  );
}

test('parseQuery: no parameters is offset paging with Auth0 defaults (page 0, 50 a page, bare array)', () => {
  assert.deepEqual(parseQuery({}, spec), { paging: { mode: 'offset', page: 0, perPage: 50, includeTotals: false }, projection: undefined, filters: {} });
});

test('parseQuery: page, per_page and include_totals are read and bounded', () => {
  assert.deepEqual(parseQuery({ page: '3', per_page: '100', include_totals: 'true' }, spec).paging, { mode: 'offset', page: 3, perPage: 100, includeTotals: true });
  refused({ per_page: '101' }, 'per_page', /1 to 100/);
  refused({ per_page: '0' }, 'per_page');
  refused({ page: '-1' }, 'page');
  refused({ page: '1.5' }, 'page');
  refused({ page: '1e2' }, 'page');
  refused({ page: ' 1' }, 'page');
  refused({ page: '' }, 'page');
  refused({ page: '9'.repeat(50) }, 'page');
  refused({ include_totals: 'yes' }, 'include_totals', /true or false/);
  refused({ page: ['1', '2'] }, 'page', /only once/);
});

test('parseQuery: from/take select checkpoint paging; take is bounded; mixing the two styles is refused', () => {
  assert.deepEqual(parseQuery({ take: '10', include_totals: 'true' }, spec).paging, { mode: 'checkpoint', from: undefined, take: 10, includeTotals: true });
  assert.deepEqual(parseQuery({ from: 'abc' }, spec).paging, { mode: 'checkpoint', from: 'abc', take: 50, includeTotals: false });
  refused({ take: '101' }, 'take', /1 to 100/);
  refused({ take: '0' }, 'take');
  refused({ from: '' }, 'from');
  refused({ from: 'x'.repeat(513) }, 'from');
  refused({ take: '5', page: '1' }, 'page', /cannot be combined with take/);
  refused({ from: 'abc', per_page: '5' }, 'per_page', /cannot be combined with from/);
});

test('parseQuery: a route without a paging style refuses its parameters by name', () => {
  refused({ page: '0' }, 'page', /Unknown query parameter page/, { offset: false, checkpoint: true });
  refused({ take: '5' }, 'take', /Unknown query parameter take/, { offset: true });
  refused({ include_totals: 'true' }, 'include_totals', /takes no query parameters/, {});
  assert.deepEqual(parseQuery({}, {}).paging, { mode: 'none' });
});

test('parseQuery: fields/include_fields give a projection; include_fields alone selects nothing', () => {
  assert.deepEqual(parseQuery({ fields: 'name, client_id', include_fields: 'true' }, spec).projection, { fields: ['name', 'client_id'], include: true });
  assert.deepEqual(parseQuery({ fields: 'jwt_configuration.alg', include_fields: 'false' }, spec).projection, { fields: ['jwt_configuration.alg'], include: false });
  assert.deepEqual(parseQuery({ fields: 'name' }, spec).projection, { fields: ['name'], include: true });
  assert.equal(parseQuery({ include_fields: 'false' }, spec).projection, undefined);
  assert.equal(parseQuery({ fields: '' }, spec).projection, undefined);
  refused({ fields: 'name;drop' }, 'fields', /not one/);
  refused({ fields: 'a..b' }, 'fields');
  refused({ fields: Array.from({ length: 101 }, (_, i) => `f${i}`).join(',') }, 'fields', /at most 100/);
  refused({ include_fields: '1' }, 'include_fields');
  refused({ fields: 'name' }, 'fields', /Unknown query parameter fields/, { fields: 'include_fields' });
  assert.equal(parseQuery({ include_fields: 'true' }, { fields: 'include_fields' }).projection, undefined);
});

test('parseQuery: unknown and unsupported parameters are refused by name', () => {
  refused({ foo: 'bar' }, 'foo', /Unknown query parameter foo\. This route accepts: .*app_type/);
  refused({ q: 'client_grant.organization_id:org_1' }, 'q', /q is not supported: no organizations/);
  refused({ per_page: '5', sort: 'name:1' }, 'sort');
});

test('parseQuery: filters are parsed by their builders', () => {
  const q = parseQuery({ app_type: 'spa,native,spa', is_global: 'false', identifiers: ['https://a', 'https://b'], audience: 'https://a' }, spec);
  assert.deepEqual(q.filters, { app_type: ['spa', 'native'], is_global: false, identifiers: ['https://a', 'https://b'], audience: 'https://a' });
  assert.deepEqual(parseQuery({ identifiers: 'https://a' }, spec).filters, { identifiers: ['https://a'] });
  refused({ app_type: 'spa,box' }, 'app_type', /"box" is not/);
  refused({ app_type: 'spa,' }, 'app_type');
  refused({ app_type: 'spa,native,regular_web,non_interactive,spa' }, 'app_type', /at most 4/);
  refused({ is_global: 'TRUE' }, 'is_global');
  refused({ identifiers: Array.from({ length: 11 }, (_, i) => `https://${i}`) }, 'identifiers', /at most 10 times/);
  refused({ identifiers: ['https://a', ''] }, 'identifiers');
  refused({ audience: ['a', 'b'] }, 'audience', /only once/);
  refused({ audience: 'x'.repeat(601) }, 'audience');
});

test('project: include keeps only the named fields (nested by dots), exclude drops them, unknown names match nothing', () => {
  const obj = { client_id: 'c1', name: 'n', jwt_configuration: { alg: 'RS256', lifetime_in_seconds: 36000 }, callbacks: ['x'] };
  assert.deepEqual(project(obj, { fields: ['name', 'jwt_configuration.alg', 'nope', 'callbacks.length'], include: true }), { name: 'n', jwt_configuration: { alg: 'RS256' } });
  assert.deepEqual(project(obj, { fields: ['name', 'jwt_configuration.alg'], include: false }), { client_id: 'c1', jwt_configuration: { lifetime_in_seconds: 36000 }, callbacks: ['x'] });
  assert.deepEqual(obj.jwt_configuration, { alg: 'RS256', lifetime_in_seconds: 36000 }, 'the presented object is not mutated');
  assert.equal(project(obj, undefined), obj);
  assert.deepEqual(project({ a: 1 }, { fields: ['constructor', '__proto__'], include: true }), {});
});

test('listBody: bare array, offset envelope, checkpoint envelope with next omitted on the last page', () => {
  const items = [{ id: 1 }];
  assert.deepEqual(listBody('clients', { mode: 'offset', page: 2, perPage: 10, includeTotals: false }, { items, total: 21 }), items);
  assert.deepEqual(listBody('clients', { mode: 'offset', page: 2, perPage: 10, includeTotals: true }, { items, total: 21 }), { start: 20, limit: 10, total: 21, clients: items });
  assert.deepEqual(listBody('client_grants', { mode: 'checkpoint', from: undefined, take: 1, includeTotals: true }, { items, next: 'n' }), { client_grants: items, next: 'n' });
  assert.deepEqual(listBody('client_grants', { mode: 'checkpoint', from: 'n', take: 1, includeTotals: false }, { items }), { client_grants: items });
});

test('cursors: round-trip; garbage, tampered or truncated values are refused naming from', () => {
  const k = { createdAt: 1764565200123, id: 'cgr_AbC123xyz' };
  assert.deepEqual(decodeCursor(encodeCursor(k)), k);
  for (const bad of ['garbage', '!!!', encodeCursor(k).slice(0, 6), Buffer.from('zz.').toString('base64url'), Buffer.from(`${'z'.repeat(12)}.id`).toString('base64url'), Buffer.from('1.a b').toString('base64url')]) {
    assert.throws(() => decodeCursor(bad), (e: unknown) => e instanceof InvalidInputError && e.field === 'from', bad);
  }
});

test('pageRequest/checkpointPage: one row more than take is fetched; next points after the last row kept', () => {
  assert.deepEqual(pageRequest({ mode: 'offset', page: 3, perPage: 20, includeTotals: false }), { offset: 60, limit: 20 });
  assert.deepEqual(pageRequest({ mode: 'checkpoint', from: undefined, take: 5, includeTotals: false }), { after: undefined, limit: 6 });
  const rows = [1, 2, 3].map((n) => ({ createdAt: n, id: `r${n}` }));
  const full = checkpointPage(rows, 2, (r) => r);
  assert.deepEqual(full.items, rows.slice(0, 2));
  assert.deepEqual(decodeCursor(full.next!), rows[1]);
  assert.deepEqual(pageRequest({ mode: 'checkpoint', from: full.next, take: 2, includeTotals: false }), { after: rows[1], limit: 3 });
  assert.deepEqual(checkpointPage(rows, 3, (r) => r), { items: rows });
});
