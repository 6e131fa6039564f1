import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimiter, type LimitSubject } from './rate-limiter.ts';

const subject = (id: string, limit = 3): LimitSubject => ({ kind: 'client', tenantId: 'ten_1', id, rule: { limit, windowMs: 60_000 } });

test('counts per key and window; a refusal is flagged for logging once per key and window', () => {
  const limiter = new RateLimiter(() => 0);
  const now = 600_000;
  for (let i = 0; i < 3; i++) limiter.admit([subject('a')], now).settle(1);
  const first = limiter.admit([subject('a')], now);
  assert.equal(first.refusal?.status.exceeded, true);
  assert.equal(first.refusal?.firstInWindow, true);
  assert.equal(limiter.admit([subject('a')], now + 1).refusal?.firstInWindow, false);
  assert.equal(limiter.admit([subject('b')], now).refusal, undefined, 'another key has its own budget');
  assert.equal(limiter.admit([subject('a', 3), { ...subject('a'), tenantId: 'ten_2' }], now).refusal?.subject.tenantId, 'ten_1');
  assert.equal(limiter.admit([{ ...subject('a'), tenantId: 'ten_2' }], now).refusal, undefined, 'tenants never share a key');
  const next = limiter.admit([subject('a')], now + 60_000);
  assert.equal(next.refusal, undefined, 'the next window starts from zero');
  next.settle(1);
  next.settle(1);
  assert.equal(next.status()?.remaining, 2, 'a ticket is counted once');
});

test('memory stays bounded under a flood of distinct keys', () => {
  const limiter = new RateLimiter(() => 0, undefined, 1000);
  for (let i = 0; i < 5000; i++) limiter.admit([subject(`k${i}`)], 1000).settle(1);
  assert.ok((limiter as unknown as { entries: Map<string, unknown> }).entries.size <= 1000);
});
