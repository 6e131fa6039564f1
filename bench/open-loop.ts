/**
 * Open-loop load: requests are sent at a fixed arrival rate whatever the server does (a real
 * population of clients does not wait for each other), each timed from the moment it was due,
 * so time spent waiting for a free connection counts (no coordinated omission). Forked by
 * bench/overload.ts with an OpenLoopJob over IPC; answers with an OpenLoopResult.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import { percentiles, type Percentiles } from './percentiles.ts';

export interface OpenLoopJob {
  origin: string;
  path: string;
  bodyFiles: string[];
  /** Requests per second. */
  rate: number;
  warmupMs: number;
  durationMs: number;
  connections: number;
}

export interface OpenLoopResult {
  /** Requests due inside the measured window. */
  offered: number;
  byStatus: Record<string, number>;
  failures: number;
  /** Latency of 200 responses, and of 503 responses. */
  ok: Percentiles;
  shed: Percentiles;
  other: Record<string, string>;
  exhausted: boolean;
  /** How late the generator itself was in sending, p99 (ms): a late generator means the machine, not the server, is the limit. */
  sendLagP99: number;
}

async function run(job: OpenLoopJob): Promise<OpenLoopResult> {
  const bodies = job.bodyFiles.flatMap((f) => readFileSync(f, 'utf8').split('\n'));
  const pool = new Pool(job.origin, { connections: job.connections, pipelining: 1, keepAliveTimeout: 60_000 });
  const headers = { 'content-type': 'application/x-www-form-urlencoded' };
  const interval = 1000 / job.rate;
  const start = performance.now() + 50;
  const windowStart = start + job.warmupMs;
  const windowEnd = windowStart + job.durationMs;
  const total = Math.floor(((job.warmupMs + job.durationMs) * job.rate) / 1000);
  const okMs: number[] = [];
  const shedMs: number[] = [];
  const lags: number[] = [];
  const byStatus: Record<string, number> = {};
  const other: Record<string, string> = {};
  let failures = 0;
  let offered = 0;
  let exhausted = false;
  const inflight: Promise<void>[] = [];

  const send = (i: number, due: number) => {
    const body = bodies[i]!;
    const measured = due >= windowStart && due < windowEnd;
    if (measured) offered++;
    return (async () => {
      let status = 0;
      let text = '';
      try {
        const res = await pool.request({ path: job.path, method: 'POST', headers, body });
        status = res.statusCode;
        text = await res.body.text();
      } catch (err) {
        text = (err as Error).message;
      }
      if (!measured) return;
      const ms = performance.now() - due;
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      if (status === 200) okMs.push(ms);
      else if (status === 503) shedMs.push(ms);
      else if (status === 0) failures++;
      else other[status] ??= text.slice(0, 200);
    })();
  };

  for (let i = 0; i < total; i++) {
    if (i >= bodies.length) {
      exhausted = true;
      break;
    }
    const due = start + i * interval;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait - 0.5));
    const late = performance.now() - due;
    if (late > 0 && due >= windowStart) lags.push(late);
    inflight.push(send(i, due));
  }
  await Promise.all(inflight);
  await pool.close();
  return { offered, byStatus, failures, ok: percentiles(okMs), shed: percentiles(shedMs), other, exhausted, sendLagP99: percentiles(lags).p99 || 0 };
}

process.once('message', (job: OpenLoopJob) => {
  run(job).then(
    (result) => process.send!({ result }, () => process.exit(0)),
    (err: Error) => {
      console.error(err);
      process.exit(1);
    },
  );
});
