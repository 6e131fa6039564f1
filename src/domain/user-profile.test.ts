import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkConnection, checkMetadata, checkUserIdPart, emailKey, mergeMetadata, METADATA_MAX_BYTES } from './user-profile.ts';

test('only the database connection exists; others are refused by name', () => {
  checkConnection('Username-Password-Authentication');
  assert.throws(() => checkConnection('google-oauth2'), (e: any) => e.field === 'connection' && /The connection "google-oauth2" does not exist/.test(e.message));
  assert.throws(() => checkConnection(undefined), (e: any) => e.field === 'connection' && /The connection undefined does not exist/.test(e.message));
});

test('email key: trimmed and lower-cased; malformed emails refused', () => {
  assert.equal(emailKey('  Jane.Doe@Example.COM '), 'jane.doe@example.com');
  for (const bad of ['', 'jane', 'jane@', '@x.io', 'a b@x.io', 'jane@localhost', `${'a'.repeat(250)}@x.io`, 42]) {
    assert.throws(() => emailKey(bad), (e: any) => e.field === 'email', String(bad));
  }
});

test('custom user_id parts', () => {
  checkUserIdPart('abc-123_x.y');
  for (const bad of ['', 'a|b', 'auth0|x', 'a'.repeat(65), 'a b', 7]) assert.throws(() => checkUserIdPart(bad), (e: any) => e.field === 'user_id');
});

test('metadata: merged one level deep, null removes a key, {} clears', () => {
  const current = { theme: 'dark', prefs: { a: 1, b: 2 }, keep: true };
  assert.deepEqual(mergeMetadata(current, { prefs: { c: 3 }, theme: null, added: 'x' }, 'user_metadata'), { prefs: { c: 3 }, keep: true, added: 'x' });
  assert.deepEqual(mergeMetadata(current, {}, 'user_metadata'), {});
});

test('metadata: at most 16 KB, no "." or "$" in field names, bounded depth', () => {
  checkMetadata({ big: 'x'.repeat(METADATA_MAX_BYTES - 20) }, 'app_metadata');
  assert.throws(() => checkMetadata({ big: 'x'.repeat(METADATA_MAX_BYTES) }, 'app_metadata'), (e: any) => e.field === 'app_metadata' && /the limit is 16384 \(16 KB\)/.test(e.message));
  assert.throws(() => mergeMetadata({ big: 'x'.repeat(9000) }, { more: 'y'.repeat(9000) }, 'user_metadata'), /the limit is 16384/);
  assert.throws(() => checkMetadata({ 'a.b': 1 }, 'user_metadata'), /"a.b" does/);
  assert.throws(() => checkMetadata({ x: { $where: 1 } }, 'user_metadata'), /"\$where" does/);
  assert.throws(() => checkMetadata([1], 'user_metadata'), /must be an object/);
  let deep: any = 1;
  for (let i = 0; i < 12; i++) deep = { d: deep };
  assert.throws(() => checkMetadata(deep, 'user_metadata'), /nests deeper than 10/);
});
