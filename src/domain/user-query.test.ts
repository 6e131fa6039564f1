import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseUserQuery, MAX_QUERY_LENGTH } from './user-query.ts';

test('email, exact: quoted or bare', () => {
  assert.deepEqual(parseUserQuery('email:"jane@example.com"'), [{ kind: 'text', field: 'email', match: 'exact', value: 'jane@example.com' }]);
  assert.deepEqual(parseUserQuery('email:jane@example.com'), [{ kind: 'text', field: 'email', match: 'exact', value: 'jane@example.com' }]);
  assert.deepEqual(parseUserQuery('email:"a \\"b\\"@x.io"'), [{ kind: 'text', field: 'email', match: 'exact', value: 'a "b"@x.io' }]);
});

test('wildcards at either end', () => {
  assert.deepEqual(parseUserQuery('email:*@example.com'), [{ kind: 'text', field: 'email', match: 'suffix', value: '@example.com' }]);
  assert.deepEqual(parseUserQuery('email:"*@example.com"'), [{ kind: 'text', field: 'email', match: 'suffix', value: '@example.com' }]);
  assert.deepEqual(parseUserQuery('email:ja*'), [{ kind: 'text', field: 'email', match: 'prefix', value: 'ja' }]);
  assert.deepEqual(parseUserQuery('name:Jo*'), [{ kind: 'text', field: 'name', match: 'prefix', value: 'Jo' }]);
});

test('terms joined by AND or blanks; flags and user_id', () => {
  assert.deepEqual(parseUserQuery('email:*@x.io AND blocked:true  email_verified:false user_id:"auth0|abc"'), [
    { kind: 'text', field: 'email', match: 'suffix', value: '@x.io' },
    { kind: 'flag', field: 'blocked', value: true },
    { kind: 'flag', field: 'email_verified', value: false },
    { kind: 'user_id', value: 'auth0|abc' },
  ]);
  assert.deepEqual(parseUserQuery('   '), []);
});

test('refusals name what is unsupported', () => {
  const cases: [string, RegExp][] = [
    ['phone_number:123', /searching by "phone_number" is not supported; the fields are: email, name, nickname, user_id, blocked, email_verified/],
    ['user_metadata.plan:"gold"', /"user_metadata.plan" is not supported/],
    ['jane', /"jane" has no field name/],
    ['email:a OR email:b', /OR is not supported/],
    ['NOT email:a', /NOT is not supported/],
    ['(email:a)', /parentheses/],
    ['email:j*n@x.io', /only at the start or at the end/],
    ['email:*jane*', /only at the start or at the end/],
    ['email:*io', /at least 3 characters/],
    ['email:', /needs a value/],
    ['email:*', /needs a value/],
    ['email:"open', /not closed/],
    ['email:[a TO b]', /ranges are not supported/],
    ['blocked:yes', /blocked must be true or false/],
    ['user_id:auth0*', /does not take wildcards/],
    ['email:j?ne', /\? wildcard/],
    ['x'.repeat(MAX_QUERY_LENGTH + 1), /longer than 512/],
    [Array.from({ length: 9 }, (_, i) => `email:a${i}@x.io`).join(' '), /at most 8 terms/],
  ];
  for (const [q, message] of cases) {
    assert.throws(() => parseUserQuery(q), (err: any) => err.code === 'invalid_query_string' && err.field === 'q' && message.test(err.message), q);
  }
});

test('hostile input is cheap: one pass', () => {
  const t0 = performance.now();
  for (let i = 0; i < 1000; i++) {
    try { parseUserQuery(`email:"${'\\'.repeat(500)}`); } catch { /* refused */ }
    try { parseUserQuery('a'.repeat(511)); } catch { /* refused */ }
  }
  assert.ok(performance.now() - t0 < 2000);
});
