/**
 * The load generator, in its own process (never inside a server's): a fixed number of
 * keep-alive connections (undici Pool), each sending the next pre-signed body as soon as its
 * previous response arrived (closed loop). Requests completing during the warm-up are not
 * counted; only 200 responses count as tokens; everything else is reported as an error.
 *
 * Forked by bench/token-endpoint.ts with a LoadJob over IPC; sends back 'measure-start' and
 * 'measure-end' (so the parent can read server CPU time at those instants) and a LoadResult.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { percentiles } from './percentiles.ts';

export interface LoadJob {
  origin: string;
  path: string;
  bodyFiles: string[];
  connections: number;
  warmupMs: number;
  /**
   * The window opens only once this many responses have come back as well (default 0): a scale
   * run's first pass over its clients loads each one's view, which is a cold start, not the
   * steady state the window measures.
   */
  warmupRequests?: number;
  durationMs: number;
}

export interface LoadResult {
  /** 200 responses completed inside the measured window. */
  ok: number;
  /** Non-200 responses inside the window, by status (with one sample body each). */
  errors: Record<string, { count: number; sample: string }>;
  /** Network-level failures (connection reset, timeout) inside the window. */
  failures: number;
  windowMs: number;
  tokensPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** One access token from the measured window, for the parent to verify. */
  sampleToken: string | null;
  /** How long the warm-up took: warmupMs, or longer when it waited for warmupRequests responses. */
  warmupElapsedMs: number;
  /** True if the pre-signed bodies ran out before the window ended (the result is then not valid). */
  exhausted: boolean;
  bodiesUsed: number;
  /** From the first request until the loops stopped (the window's end, or the pool running out), ms. */
  elapsedMs: number;
  /** This process's own CPU time during the window, to show what the client took from the shared cores. */
  clientCpuMs: number;
  clientCpuMsPerRequest: number;
}

async function run(job: LoadJob): Promise<LoadResult> {
  const bodies = job.bodyFiles.flatMap((f) => readFileSync(f, 'utf8').split('\n'));
  const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const latencies = new Float64Array(bodies.length);
  let measured = 0;
  let ok = 0;
  let failures = 0;
  let next = 0;
  let exhausted = false;
  let sampleToken: string | null = null;
  const errors: LoadResult['errors'] = {};

  const start = performance.now();
  // The window opens when both the warm-up time has passed and warmupRequests responses came back.
  let windowStart = Infinity;
  let windowEnd = Infinity;
  let answered = 0;
  let timeUp = false;
  let cpuAtStart = process.cpuUsage();
  let requestsAtStart = 0;
  let requestsAtEnd = 0;
  let cpuInWindow = { user: 0, system: 0 };
  let endTimer: NodeJS.Timeout | undefined;
  let endWindow!: () => void;
  const ended = new Promise<void>((resolve) => (endWindow = resolve));
  const openWindow = () => {
    if (windowStart !== Infinity || !timeUp || answered < (job.warmupRequests ?? 0)) return;
    windowStart = performance.now();
    windowEnd = windowStart + job.durationMs;
    cpuAtStart = process.cpuUsage();
    requestsAtStart = next;
    process.send?.({ phase: 'measure-start' });
    endTimer = setTimeout(() => {
      cpuInWindow = process.cpuUsage(cpuAtStart);
      requestsAtEnd = next;
      process.send?.({ phase: 'measure-end' });
      endWindow();
    }, job.durationMs);
  };
  const startTimer = setTimeout(() => {
    timeUp = true;
    openWindow();
  }, job.warmupMs);

  const connection = async () => {
    while (performance.now() < windowEnd) {
      if (next >= bodies.length) {
        exhausted = true;
        return;
      }
      const body = bodies[next++]!;
      const t0 = performance.now();
      let status = 0;
      let text = '';
      try {
        const res = await pool.request({ path: job.path, method: 'POST', headers, body });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        text = (err as Error).message;
      }
      const t1 = performance.now();
      if (windowStart === Infinity) {
        answered++;
        openWindow();
        continue;
      }
      // The window is open here (t1 was read after it opened, in this same turn), so only its end counts.
      if (t1 > windowEnd) continue;
      if (status === 200) {
        ok++;
        latencies[measured++] = t1 - t0;
        if (sampleToken === null) sampleToken = (JSON.parse(text) as { access_token?: string }).access_token ?? null;
      } else if (status === 0) {
        failures++;
      } else {
        const e = (errors[status] ??= { count: 0, sample: text.slice(0, 300) });
        e.count++;
      }
    }
  };
  await Promise.all(Array.from({ length: job.connections }, connection));
  const elapsedMs = performance.now() - start;
  if (exhausted) {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
  } else await ended; // the loops stop at the window's end; its timer fires at the same moment
  await pool.close();

  const { p50, p90, p99, max, mean } = percentiles(latencies.subarray(0, measured));
  const requests = Math.max(1, requestsAtEnd - requestsAtStart);
  return {
    ok,
    errors,
    failures,
    windowMs: job.durationMs,
    tokensPerSecond: (ok * 1000) / job.durationMs,
    latencyMs: { p50, p90, p99, max, mean },
    sampleToken,
    exhausted,
    bodiesUsed: next,
    warmupElapsedMs: (windowStart === Infinity ? performance.now() : windowStart) - start,
    elapsedMs,
    clientCpuMs: (cpuInWindow.user + cpuInWindow.system) / 1000,
    clientCpuMsPerRequest: (cpuInWindow.user + cpuInWindow.system) / 1000 / requests,
  };
}

process.once('message', (job: LoadJob) => {
  run(job).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
});
