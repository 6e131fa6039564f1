import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundLogDetails, boundLogString, LOG_LIMITS, TRUNCATION_MARKER } from './bound-log-event.ts';

test('a logged string over its bound keeps its start, ends with a visible marker and is exactly the bound long', () => {
  assert.equal(boundLogString('short', 256), 'short');
  const s = boundLogString('a'.repeat(15_000), 256);
  assert.equal(s.length, 256);
  assert.ok(s.startsWith('aaaa') && s.endsWith(TRUNCATION_MARKER));
});

test('truncation never leaves half of a surrogate pair, and NUL becomes U+FFFD', () => {
  const s = boundLogString('a' + '😀'.repeat(300), 256);
  assert.ok(s.length <= 256 && s.endsWith(TRUNCATION_MARKER));
  assert.doesNotMatch(s, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  assert.equal(boundLogString('a\u0000b', 10), 'a\uFFFDb');
});

test('details are bounded recursively: strings, keys, depth, entries and the whole', () => {
  const deep = { a: { b: { c: { d: { e: 'too deep' } } } } };
  const d = boundLogDetails({
    long: 'x'.repeat(20_000),
    nested: { inner: ['y'.repeat(20_000)] },
    deep,
    ['k'.repeat(500)]: 1,
    many: Array.from({ length: 1000 }, (_, i) => i),
    n: 3,
    ok: true,
  });
  assert.equal((d.long as string).length, LOG_LIMITS.detailString);
  assert.equal(((d.nested as { inner: string[] }).inner[0] as string).length, LOG_LIMITS.detailString);
  assert.equal(JSON.stringify(d.deep), JSON.stringify({ a: { b: { c: TRUNCATION_MARKER } } }));
  assert.ok(Object.keys(d).every((k) => k.length <= 64));
  assert.equal((d.many as unknown[]).length, LOG_LIMITS.detailEntries + 1);
  assert.equal(d.n, 3);
  assert.equal(d.ok, true);

  const wide = boundLogDetails(Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, 'z'.repeat(5000)])));
  assert.ok(JSON.stringify(wide).length <= LOG_LIMITS.detailsJson, `${JSON.stringify(wide).length}`);
  assert.equal(wide.truncated, true);
  assert.equal((wide.f0 as string).length, LOG_LIMITS.detailString);
});
