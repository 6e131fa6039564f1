import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateLimitHeaders, rateStatus, retryAfterSeconds, tightest, windowAt } from './rate-limit.ts';

const rule = { limit: 10, windowMs: 60_000 };

test('windows are aligned to the epoch, so every node computes the same bounds', () => {
  assert.deepEqual(windowAt(120_000, 60_000), { index: 2, end: 180_000 });
  assert.deepEqual(windowAt(179_999, 60_000), { index: 2, end: 180_000 });
  assert.deepEqual(windowAt(180_000, 60_000), { index: 3, end: 240_000 });
});

test('a key is exceeded once it has spent its limit; remaining never goes below 0', () => {
  assert.deepEqual(rateStatus(0, rule, 130_000), { limit: 10, remaining: 10, resetAt: 180_000, exceeded: false });
  assert.deepEqual(rateStatus(9, rule, 130_000), { limit: 10, remaining: 1, resetAt: 180_000, exceeded: false });
  assert.equal(rateStatus(10, rule, 130_000).exceeded, true);
  assert.equal(rateStatus(25, rule, 130_000).remaining, 0);
});

test('the tightest status: an exceeded key (the latest to reset), else the fewest left', () => {
  const a = { limit: 10, remaining: 3, resetAt: 1000, exceeded: false };
  const b = { limit: 100, remaining: 2, resetAt: 2000, exceeded: false };
  const c = { limit: 5, remaining: 0, resetAt: 3000, exceeded: true };
  const d = { limit: 5, remaining: 0, resetAt: 4000, exceeded: true };
  assert.equal(tightest([a, b]), b);
  assert.equal(tightest([a, c, b]), c);
  assert.equal(tightest([c, d]), d);
  assert.equal(tightest([]), undefined);
});

test('Retry-After is whole seconds, at least 1; X-RateLimit-Reset is epoch seconds', () => {
  assert.equal(retryAfterSeconds(10_500, 10_000), 1);
  assert.equal(retryAfterSeconds(10_000, 10_000), 1);
  assert.equal(retryAfterSeconds(70_001, 10_000), 61);
  assert.deepEqual(rateLimitHeaders({ limit: 10, remaining: 4, resetAt: 1_700_000_000_500, exceeded: false }), {
    'x-ratelimit-limit': '10',
    'x-ratelimit-remaining': '4',
    'x-ratelimit-reset': '1700000001',
  });
});
