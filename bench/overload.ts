/**
 * `node --import tsx bench/overload.ts` — what Signet does when offered more token requests
 * than it can serve.
 *
 *   node --import tsx bench/overload.ts [--workers 1] [--duration 8] [--warmup 2]
 *        [--connections 8] [--factor 2] [--max-in-flight N] [--out bench/results/overload.json]
 *
 * 1. Sustainable throughput: closed loop (`--connections` keep-alive connections, each sending
 *    its next request when the previous one is answered), tokens/s over the measured window.
 * 2. Unloaded: open loop at half that rate (fixed arrival rate, each request timed from when it
 *    was due): p50/p99 of 200s.
 * 3. Overload: open loop at `--factor` times the sustainable rate: p99 of the 200s against the
 *    unloaded p99, the share answered 503, and how fast the 503s came back.
 * Same server process for all three (it is not restarted); every request carries its own
 * pre-signed RS256 assertion (bench/presign.ts), signed before any timed phase. The tenant's
 * rate limits are raised for the run (bench/signet-target.ts): this measures overload, not them.
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { sleep, track } from './common.ts';
import { startSignet } from './signet-target.ts';
import { cryptoCostMs, presign } from './presign.ts';
import { machineBusyMs } from './proc-cpu.ts';
import type { LoadJob, LoadResult } from './load.ts';
import type { OpenLoopJob, OpenLoopResult } from './open-loop.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    workers: { type: 'string', default: '1' },
    duration: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '8' },
    factor: { type: 'string', default: '2' },
    'max-in-flight': { type: 'string' },
    out: { type: 'string', default: 'bench/results/overload.json' },
  },
});
const workers = Number(args.workers);
const durationMs = Number(args.duration) * 1000;
const warmupMs = Number(args.warmup) * 1000;
const connections = Number(args.connections);
const factor = Number(args.factor);
const cores = availableParallelism();
const scratch = mkdtempSync(join(tmpdir(), 'signet-overload-'));
const logDir = join(scratch, 'logs');
mkdirSync(logDir);

function child<J, R>(file: string, job: J): Promise<R> {
  const p = fork(join(ROOT, file), [], { execArgv: ['--import', 'tsx'] });
  track(p);
  return new Promise<R>((resolve, reject) => {
    p.on('message', (m: { result?: R }) => m.result && resolve(m.result));
    p.once('exit', (code) => code !== 0 && reject(new Error(`${file} exited with ${code}`)));
    p.send(job as object);
  });
}

const busy = () => machineBusyMs();

const crypto = cryptoCostMs();
const target = await startSignet({ workers, logDir, env: args['max-in-flight'] ? { SIGNET_MAX_IN_FLIGHT: args['max-in-flight'] } : {} });
try {
  const sign = async (count: number) => presign({ target, count, parallel: cores, dir: scratch, lifetimeSeconds: 280 });
  const bound = Math.ceil(((cores * 1000) / crypto.signMs.RS256) * ((warmupMs + durationMs) / 1000) * 1.1);
  const closedFiles = await sign(bound + connections);
  await sleep(500);
  const m0 = busy();
  const closed = await child<LoadJob, LoadResult>('bench/load.ts', { origin: target.origin, path: target.tokenPath, bodyFiles: closedFiles, connections, warmupMs, durationMs });
  const m1 = busy();
  for (const f of closedFiles) rmSync(f, { force: true });
  const sustainable = closed.tokensPerSecond;
  console.log(
    `sustainable (closed loop, ${connections} connections): ${sustainable.toFixed(0)} tok/s, p50 ${closed.latencyMs.p50.toFixed(1)} ms, p99 ${closed.latencyMs.p99.toFixed(1)} ms, ` +
      `errors ${JSON.stringify(closed.errors)}; machine ${m0 !== null && m1 !== null ? ((100 * (m1 - m0)) / ((warmupMs + durationMs) * cores)).toFixed(0) : '?'}% busy`,
  );

  const openLoop = async (rate: number) => {
    const files = await sign(Math.ceil((rate * (warmupMs + durationMs)) / 1000) + 10);
    await sleep(500);
    const r = await child<OpenLoopJob, OpenLoopResult>('bench/open-loop.ts', { origin: target.origin, path: target.tokenPath, bodyFiles: files, rate, warmupMs, durationMs, connections: 1024 });
    for (const f of files) rmSync(f, { force: true });
    return r;
  };
  // NaN (no such responses) arrives over IPC as null.
  const ms = (v: number | null) => (typeof v === 'number' ? `${v.toFixed(1)} ms` : '-');
  const describe = (name: string, rate: number, r: OpenLoopResult) =>
    `${name} (open loop, ${rate.toFixed(0)} req/s offered): 200s ${r.ok.count} p50 ${ms(r.ok.p50)} p99 ${ms(r.ok.p99)}; ` +
    `503s ${r.shed.count} (${((100 * r.shed.count) / Math.max(1, r.offered)).toFixed(1)}%) p50 ${ms(r.shed.p50)} p99 ${ms(r.shed.p99)}; ` +
    `statuses ${JSON.stringify(r.byStatus)}${r.failures ? `, ${r.failures} network failures` : ''}${Object.keys(r.other).length ? ` ${JSON.stringify(r.other)}` : ''}; ` +
    `generator lag p99 ${ms(r.sendLagP99)}`;

  const unloadedRate = sustainable / 2;
  const unloaded = await openLoop(unloadedRate);
  console.log(describe('unloaded', unloadedRate, unloaded));
  const overRate = sustainable * factor;
  const over = await openLoop(overRate);
  console.log(describe(`${factor}x overload`, overRate, over));
  const ratio = over.ok.p99 / unloaded.ok.p99;
  console.log(`\naccepted p99 under ${factor}x load / unloaded p99 = ${ratio.toFixed(2)} (target: at most 2)`);

  const report = {
    date: new Date().toISOString(),
    machine: { cores, cpu: cpus()[0]?.model ?? null, node: process.version },
    settings: { workers, durationSeconds: durationMs / 1000, warmupSeconds: warmupMs / 1000, connections, factor, maxInFlight: args['max-in-flight'] ?? 'default' },
    cryptoCostMs: crypto,
    sustainable: { tokensPerSecond: sustainable, latencyMs: closed.latencyMs, errors: closed.errors },
    unloaded: { rate: unloadedRate, ...unloaded },
    overload: { rate: overRate, ...over },
    acceptedP99Ratio: ratio,
  };
  const out = resolve(ROOT, args.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  console.log(`Wrote ${out}`);
} finally {
  await target.stop();
  rmSync(scratch, { recursive: true, force: true });
}
