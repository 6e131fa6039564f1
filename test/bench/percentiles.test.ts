/** The benchmark's latency summary: nearest-rank percentiles over unsorted samples, and NaN when there are none. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { percentiles } from '../../bench/percentiles.ts';

test('percentiles are nearest-rank over the sorted samples, with max and mean', () => {
  // 1..100 shuffled: the p-th percentile is p itself.
  const xs = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
  assert.deepEqual(percentiles(xs), { count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
  assert.deepEqual(percentiles(Float64Array.of(3, 1, 2)), { count: 3, p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
});

test('no samples give NaN, never a latency of zero', () => {
  const p = percentiles([]);
  assert.equal(p.count, 0);
  for (const k of ['p50', 'p90', 'p99', 'max', 'mean'] as const) assert.ok(Number.isNaN(p[k]), k);
});
