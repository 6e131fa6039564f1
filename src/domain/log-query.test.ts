import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BARE_TERM_FIELDS, MAX_QUERY_LENGTH, parseLogDate, parseLogQuery, type LogQuery } from './log-query.ts';
import { InvalidInputError } from './errors.ts';

const exact = (field: string, value: string): LogQuery => ({ kind: 'text', fields: [field as never], pattern: { kind: 'exact', value } });
const utc = (s: string) => Date.parse(s);

function refused(q: string, message: RegExp) {
  assert.throws(
    () => parseLogQuery(q),
    (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid_query_string' && e.field === 'q' && message.test(e.message),
    `${q} → ${message}`,
  );
}

describe('parseLogQuery: what Auth0 log search accepts', () => {
  it('reads field:value terms, quoted or not, and nothing for a blank q', () => {
    assert.equal(parseLogQuery(undefined), undefined);
    assert.equal(parseLogQuery('   '), undefined);
    assert.deepEqual(parseLogQuery('type:seccft'), exact('type', 'seccft'));
    assert.deepEqual(parseLogQuery('description:"Client Credentials for Access Token"'), exact('description', 'Client Credentials for Access Token'));
    assert.deepEqual(parseLogQuery('description:"say \\"hi\\" \\\\ *"'), exact('description', 'say "hi" \\ *'));
    assert.deepEqual(parseLogQuery('client_id:abc\\*'), exact('client_id', 'abc*'));
    // Colons after the field's own are part of the value (IPv6, times).
    assert.deepEqual(parseLogQuery('ip:::1'), exact('ip', '::1'));
  });

  it('joins with AND, OR, NOT and parentheses; NOT binds tightest, then AND, then OR', () => {
    assert.deepEqual(parseLogQuery('type:a OR type:b AND NOT client_id:c'), {
      kind: 'or',
      items: [exact('type', 'a'), { kind: 'and', items: [exact('type', 'b'), { kind: 'not', item: exact('client_id', 'c') }] }],
    });
    assert.deepEqual(parseLogQuery('(type:a OR type:b) AND client_id:c'), {
      kind: 'and',
      items: [{ kind: 'or', items: [exact('type', 'a'), exact('type', 'b')] }, exact('client_id', 'c')],
    });
  });

  it('takes wildcards as Auth0 allows them: any prefix, other uses with 3 literal characters', () => {
    assert.deepEqual(parseLogQuery('type:s*'), { kind: 'text', fields: ['type'], pattern: { kind: 'wildcard', parts: ['s', ''] } });
    assert.deepEqual(parseLogQuery('user_name:*usa'), { kind: 'text', fields: ['user_name'], pattern: { kind: 'wildcard', parts: ['', 'usa'] } });
    assert.deepEqual(parseLogQuery('client_name:*pass*'), { kind: 'text', fields: ['client_name'], pattern: { kind: 'wildcard', parts: ['', 'pass', ''] } });
    assert.deepEqual(parseLogQuery('user_name:jane*smith'), { kind: 'text', fields: ['user_name'], pattern: { kind: 'wildcard', parts: ['jane', 'smith'] } });
    assert.deepEqual(parseLogQuery('type:s**'), { kind: 'text', fields: ['type'], pattern: { kind: 'wildcard', parts: ['s', ''] } });
    refused('user_name:*sa', /at least 3 literal characters/);
    refused('type:*', /at least 3 literal characters/);
    refused('type:a*b', /at least 3 literal characters/);
    refused('description:*a*b*c*d*e*', /more than 4 wildcards/);
  });

  it('searches a bare term in Auth0\'s bare-term fields', () => {
    assert.deepEqual(parseLogQuery('"Failed client authentication"'), { kind: 'text', fields: BARE_TERM_FIELDS, pattern: { kind: 'exact', value: 'Failed client authentication' } });
    assert.deepEqual(parseLogQuery('feccft'), { kind: 'text', fields: BARE_TERM_FIELDS, pattern: { kind: 'exact', value: 'feccft' } });
  });

  it('reads dates as UTC with missing parts zeroed, and ranges inclusive, exclusive, mixed or open', () => {
    assert.equal(parseLogDate('2018-12-18'), utc('2018-12-18T00:00:00.000Z'));
    assert.equal(parseLogDate('2018-12'), utc('2018-12-01T00:00:00.000Z'));
    assert.equal(parseLogDate('2018'), utc('2018-01-01T00:00:00.000Z'));
    assert.equal(parseLogDate('2018-12-18T12:22'), utc('2018-12-18T12:22:00.000Z'));
    assert.equal(parseLogDate('2018-12-18T15:23:48.123Z'), utc('2018-12-18T15:23:48.123Z'));
    assert.equal(parseLogDate('2018-12-18T15:23:48.5'), utc('2018-12-18T15:23:48.500Z'));
    const d = (s: string) => utc(s);
    assert.deepEqual(parseLogQuery('date:[2018-12-18 TO 2018-12-19}'), { kind: 'date', from: { ms: d('2018-12-18'), inclusive: true }, to: { ms: d('2018-12-19'), inclusive: false } });
    assert.deepEqual(parseLogQuery('date:{2018-12 TO 2019-01-01T01:00:00]'), { kind: 'date', from: { ms: d('2018-12-01'), inclusive: false }, to: { ms: d('2019-01-01T01:00:00Z'), inclusive: true } });
    assert.deepEqual(parseLogQuery('date:[2018-12-10 TO *]'), { kind: 'date', from: { ms: d('2018-12-10'), inclusive: true } });
    assert.deepEqual(parseLogQuery('date:[* TO *]'), { kind: 'date' });
    assert.deepEqual(parseLogQuery('date:2018-12-18'), { kind: 'date', from: { ms: d('2018-12-18'), inclusive: true }, to: { ms: d('2018-12-18'), inclusive: true } });
    for (const bad of ['2018-13-01', '2024-02-30', '2018-1-01', '2018-12-18T12', '2018-12-18T25:00', '2018-12-18T12:00+01:00', 'yesterday', '2018-12-18T12:00:00.1234']) {
      refused(`date:${bad}`, /is not a date/);
    }
  });
});

describe('parseLogQuery: everything else is refused by name', () => {
  it('names fields it cannot search', () => {
    refused('connection:"Username-Password-Authentication"', /"connection" is not searchable: Signet records no connections/);
    refused('strategy_type:enterprise', /"strategy_type" is not searchable/);
    refused('user_name.raw:bob', /the "\.raw" suffix/);
    refused('details.error:x', /details are not indexed/);
    refused('colour:red', /"colour" is not searchable; searchable fields are date, log_id/);
  });

  it('names Lucene syntax that Auth0 log search does not have', () => {
    refused('type:s?cc', /"\?" wildcard is not supported/);
    refused('user_name:bob~', /fuzzy and proximity/);
    refused('description:"a b"~2', /"~" after a quoted value/);
    refused('type:seccft^2', /boosts/);
    refused('user_name:/bo+b/', /regular expressions/);
    refused('-type:seccft', /"-" prefix operator/);
    refused('+type:seccft', /"\+" prefix operator/);
    refused('!type:seccft', /"!" is not supported .*use NOT/);
    refused('type:a && type:b', /"&&" is not supported: use AND or OR/);
    refused('type:a || type:b', /"\|\|" is not supported/);
    refused('type:a type:b', /joined by AND or OR/);
    refused('type:a and type:b', /joined by AND or OR/);
    refused('type:[a TO b]', /ranges are supported on date only/);
    refused('[2018 TO 2019]', /a range needs a field/);
    refused('date:s*', /not a wildcard/);
  });

  it('names malformed queries', () => {
    refused('type:', /has no value/);
    refused('type:"seccft', /never closed/);
    refused('(type:a', /"\(" at character 1 is never closed/);
    refused('type:a)', /unbalanced "\)"/);
    refused('()', /empty parentheses/);
    refused('type:a AND', /a term is missing at the end/);
    refused('OR type:a', /needs a term on each side/);
    refused('date:[2018 2019]', /written date:\[low TO high\]/);
    refused('date:[2018 TO 2019', /not closed/);
    refused('type:a\\', /unfinished escape/);
    refused('type:a ]', /unexpected "\]" at character 8/);
    refused('type:a }', /unexpected "\}"/);
  });

  it('bounds length, nesting and terms', () => {
    refused('type:x'.padEnd(MAX_QUERY_LENGTH + 1, ' '), /longer than 512/);
    refused('('.repeat(9) + 'type:a' + ')'.repeat(9), /deeper than 8/);
    refused('NOT '.repeat(9) + 'type:a', /deeper than 8/);
    assert.ok(parseLogQuery('('.repeat(7) + 'type:a' + ')'.repeat(7)));
    refused(Array.from({ length: 33 }, () => 't:a').join(' OR ').replaceAll('t:', 'type:'), /more than 32 terms/);
    assert.ok(parseLogQuery(Array.from({ length: 32 }, () => 'type:a').join(' OR ')));
  });

  it('answers 512 characters of any shape at once', () => {
    const shapes = ['('.repeat(512), ')'.repeat(512), 'NOT '.repeat(128), ' OR type:a'.repeat(51), '*abc'.repeat(128), '"\\'.repeat(256), '['.repeat(512), 'a'.repeat(512)];
    for (const q of shapes) {
      const t = performance.now();
      try {
        parseLogQuery(q.slice(0, MAX_QUERY_LENGTH));
      } catch (e) {
        assert.ok(e instanceof InvalidInputError, String(e));
      }
      assert.ok(performance.now() - t < 50, `${q.slice(0, 12)}…: ${performance.now() - t} ms`);
    }
  });
});
