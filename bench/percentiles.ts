/** Latency summaries (ms) for both load generators: nearest-rank percentiles, max and mean. */

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** NaN for every figure when there are no samples, so an empty run cannot pass for a fast one. */
export function percentiles(samples: ArrayLike<number>): Percentiles {
  const s = Float64Array.from(samples).sort();
  const n = s.length;
  const at = (p: number) => (n ? s[Math.min(n - 1, Math.ceil((p / 100) * n) - 1)]! : NaN);
  let sum = 0;
  for (const v of s) sum += v;
  return { count: n, p50: at(50), p90: at(90), p99: at(99), max: n ? s[n - 1]! : NaN, mean: n ? sum / n : NaN };
}
