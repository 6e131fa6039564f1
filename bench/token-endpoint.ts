/**
 * `npm run bench` — POST /oauth/token, client_credentials with private_key_jwt (RS256 client
 * assertion), Signet side by side with oidc-provider v8 configured for the same flow and with
 * the limit server (bench/limit-server.mjs: the unavoidable work only, the ceiling for this
 * machine), in the same run, with the same load generator, for each access-token algorithm
 * (RS256, PS256, ES256, EdDSA, HS256), each Signet store (SQLite; PostgreSQL + Redis) and,
 * optionally, many clients. Reports tokens/s, p50/p99 latency, server CPU per token, peak RSS,
 * the ratio to the peer, the fraction of the limit, and Signet's ratios to its SQLite and
 * one-client runs.
 *
 *   npm run bench -- [--alg RS256,ES256] [--workers 1,2] [--concurrency 32] [--store sqlite,postgres]
 *                    [--clients 100000 --active 10000 [--key-pool 200]]
 *                    [--duration 10] [--warmup 2] [--rounds 1] [--max-other 15] [--retries 2]
 *                    [--only limit,signet,oidc-provider] [--profile] [--out bench/results/latest.json]
 *   npm run bench -- --preset targets [--rounds N] [--duration S] [--warmup S]
 *   npm run bench -- --preset smoke
 *
 * With no options: RS256 and ES256, 1 and 2 workers, 32 connections, SQLite, one round (about
 * 7 minutes on 2 cores). Presets (the estimate is printed before the run starts):
 * - `targets`: the whole matrix — RS256 and ES256 × 16 and 64 connections × 1 and 2 workers on
 *   SQLite; the same at 1 worker on PostgreSQL + Redis; 100,000 clients (10,000 active) at RS256,
 *   64 connections, 1 worker on SQLite; 3 rounds of 2 s warm-up + 6 s measured (about 35 minutes).
 * - `smoke`: every kind of run once, very short (RS256 and ES256, SQLite and PostgreSQL, 2,000
 *   clients), to check the benchmark itself (about 3 minutes); its numbers mean nothing.
 *
 * Method, and why:
 * - Servers run one at a time (never concurrently) so they don't share the cores; each in its
 *   own process tree, with the same worker count; the load generator is a third process.
 * - Rounds alternate servers in a fixed cycle (limit, signet [each store, one client then many],
 *   peer, limit, ...) so slow drift on a shared machine falls on all of them alike; medians over
 *   rounds are reported. Any non-200 response in a measured window fails the run (exit code 1),
 *   after the results are written.
 * - The limit server and the peer don't depend on Signet's store or client count: they run once
 *   per (alg, workers, concurrency), and every Signet configuration is compared with them.
 * - Every request carries its own pre-signed assertion (every server refuses a reused jti);
 *   signing happens before the timed phase, in parallel over the cores, so the client's RSA cost
 *   isn't taken from the server. The pool is sized from what the run can use: the best tokens/s
 *   seen earlier for the same server, alg and configuration (else Signet's in another
 *   configuration of the alg, else the limit server's: the ceiling), ×1.3 over warm-up + window,
 *   capped by the crypto bound cores / (assertion verify + the alg's signature); with nothing
 *   seen yet, a short probe on the started server (4,000 requests at most) measures it. A run
 *   whose pool ran out is invalid: it is repeated with a pool sized from the rate it reached
 *   (twice at most), and then the benchmark fails — it is never reported.
 * - Closed loop at fixed concurrency over keep-alive connections; a warm-up is excluded; only
 *   200s count; one token from each run is verified (its alg's signature against the server's
 *   JWKS, or the API's secret for HS256; issuer, audience, scope), and a replayed assertion must
 *   be refused before the timed phase.
 * - Scale (`--clients N --active M`): Signet gets N more M2M applications, 2 RS256 credentials
 *   each and a client grant, seeded through its store layer before the timed phase (see
 *   bench/seed-clients.ts; a few random ones must get tokens with both keys first); the
 *   assertions go round-robin over the first M. The seeding time is printed, not measured.
 *   The warm-up lasts at least one pass over the M clients (M responses), so the window
 *   measures the steady state with every client's view cached, not a cold start (each first
 *   request of a client loads its view from the database: ~0.5 ms of the main thread).
 * - Server CPU time per token (from /proc) is reported too: unlike throughput, it doesn't
 *   depend on how the cores were shared. So is the CPU used by *other* processes during the
 *   window: on a shared machine that is the noise. Each run waits (up to a minute) for the
 *   machine to be quiet first, and a run during which others took more than --max-other % of
 *   the machine is repeated (up to --retries times, keeping the quietest); --rounds N
 *   (reporting medians) evens out what remains.
 * - `--profile` then runs Signet with one worker under `node --cpu-prof` and summarises the
 *   self time of the samples taken in the measured window.
 */
import { execFileSync, fork } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, type JSONWebKeySet } from 'jose';
import { signClientAssertion } from '../src/domain/sign-client-assertion.ts';
import { postgresAvailable, PG_URL, redisAvailable } from '../test/support/services.ts';
import { ALGS, ASSERTION_TYPE, API_SCOPE, sleep, track, type AccessTokenAlg, type Target } from './common.ts';
import { REDIS_URL, startSignet, type SignetStore } from './signet-target.ts';
import { startPeer } from './peer-target.ts';
import { startLimit } from './limit-target.ts';
import { cryptoCostMs, presign } from './presign.ts';
import { rsaKeyPool, type KeyPairPem } from './seed-clients.ts';
import { commandCpuMs, machineBusyMs, treeCpuMs, treePeakRssMb } from './proc-cpu.ts';
import type { LoadJob, LoadResult } from './load.ts';
import { formatSummary, summarise, type ProfileSummary } from './profile-summary.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    preset: { type: 'string' },
    alg: { type: 'string' },
    workers: { type: 'string' },
    concurrency: { type: 'string' },
    store: { type: 'string' },
    clients: { type: 'string' },
    active: { type: 'string' },
    'key-pool': { type: 'string', default: '200' },
    duration: { type: 'string' },
    warmup: { type: 'string' },
    /** The former name of --concurrency (one value), still accepted. */
    connections: { type: 'string' },
    rounds: { type: 'string' },
    'max-other': { type: 'string' },
    retries: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/results/latest.json' },
  },
});

type ServerName = Target['name'];
const SERVER_NAMES: readonly ServerName[] = ['limit', 'signet', 'oidc-provider'];
const STORES: readonly SignetStore[] = ['sqlite', 'postgres'];

/** One server configuration in a group: the limit, the peer, or Signet on a store with one client or many. */
interface Variant {
  server: ServerName;
  store?: SignetStore;
  /** Scale: seeded clients, and how many of them the load uses. */
  clients?: number;
  active?: number;
}
/** What is measured together, server after server in each round: one alg and configuration. */
interface Group {
  alg: AccessTokenAlg;
  workers: number;
  concurrency: number;
  variants: Variant[];
}

const label = (v: Variant) =>
  v.server !== 'signet' ? v.server : `signet${v.store === 'postgres' ? '-pg' : ''}${v.clients ? `-${compact(v.clients)}c` : ''}`;
const compact = (n: number) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

function list<T extends string>(name: string, value: string, allowed: readonly T[]): T[] {
  const xs = value.split(',').map((x) => x.trim());
  const bad = xs.filter((x) => !allowed.includes(x as T));
  if (bad.length || !xs.length) throw new Error(`--${name} takes a list of ${allowed.join(', ')}; got ${bad.join(', ') || '(nothing)'}`);
  return [...new Set(xs)] as T[];
}
function positiveInts(name: string, value: string): number[] {
  const xs = value.split(',').map(Number);
  if (xs.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--${name} takes positive integers, like 1,2; got ${value}`);
  return [...new Set(xs)];
}
function seconds(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!(n >= min) || !Number.isFinite(n)) throw new Error(`--${name} takes a number of seconds (at least ${min}); got ${value}`);
  return n * 1000;
}

const only = args.only === undefined ? undefined : list('only', args.only, SERVER_NAMES);
const keep = (v: Variant) => !only || only.includes(v.server);
const MATRIX_OPTIONS = ['alg', 'workers', 'concurrency', 'connections', 'store', 'clients', 'active'] as const;

let groups: Group[];
/** Seconds and rounds, and how a busy machine is handled (wait for quiet, repeat noisy windows). */
let timing: { warmupMs: number; durationMs: number; rounds: number; maxOther: number; retries: number };
if (args.preset !== undefined) {
  const given = MATRIX_OPTIONS.filter((o) => args[o] !== undefined);
  if (given.length) throw new Error(`--preset sets the matrix; leave out --${given.join(', --')} (or drop --preset)`);
  ({ groups, timing } = preset(args.preset));
} else {
  const algs = list('alg', args.alg ?? 'RS256,ES256', ALGS);
  const workerCounts = positiveInts('workers', args.workers ?? '1,2');
  const concurrencies = positiveInts('concurrency', args.concurrency ?? args.connections ?? '32');
  const stores = list('store', args.store ?? 'sqlite', STORES);
  const [clients] = positiveInts('clients', args.clients ?? '1');
  const [active] = positiveInts('active', args.active ?? String(clients));
  if (active! > clients!) throw new Error(`--active (${active}) can't be more than --clients (${clients})`);
  groups = algs.flatMap((alg) =>
    workerCounts.flatMap((workers) =>
      concurrencies.map((concurrency) => ({
        alg,
        workers,
        concurrency,
        variants: [
          { server: 'limit' as const },
          ...stores.flatMap((store): Variant[] => [{ server: 'signet', store }, ...(clients! > 1 ? [{ server: 'signet' as const, store, clients, active }] : [])]),
          { server: 'oidc-provider' as const },
        ],
      })),
    ),
  );
  timing = { warmupMs: 2000, durationMs: 10_000, rounds: 1, maxOther: 15, retries: 2 };
}
if (args.duration !== undefined) timing.durationMs = seconds('duration', args.duration, 0.1);
if (args.warmup !== undefined) timing.warmupMs = seconds('warmup', args.warmup, 0);
if (args.rounds !== undefined) timing.rounds = positiveInts('rounds', args.rounds)[0]!;
if (args['max-other'] !== undefined) timing.maxOther = Number(args['max-other']);
if (args.retries !== undefined) timing.retries = Number(args.retries);
const { warmupMs, durationMs, rounds, maxOther, retries } = timing;
if (!(maxOther >= 0) || !Number.isInteger(retries) || retries < 0) throw new Error('--max-other takes a percentage and --retries a count (0 or more)');
const [keyPoolSize] = positiveInts('key-pool', args['key-pool']);
if (keyPoolSize! < 2) throw new Error('--key-pool must be at least 2 (each client has two different keys)');
for (const g of groups) g.variants = g.variants.filter(keep);
groups = groups.filter((g) => g.variants.length);

/**
 * The presets. `targets` is the matrix the benchmark's targets are stated for; `smoke` runs
 * every kind of run once, briefly, to check the benchmark itself.
 */
function preset(name: string): { groups: Group[]; timing: typeof timing } {
  const out: Group[] = [];
  const limitPeer = (v: Variant[]): Variant[] => [{ server: 'limit' }, ...v, { server: 'oidc-provider' }];
  if (name === 'targets') {
    for (const alg of ['RS256', 'ES256'] as const) {
      for (const workers of [1, 2]) {
        for (const concurrency of [16, 64]) {
          const signet: Variant[] = [{ server: 'signet', store: 'sqlite' }];
          if (alg === 'RS256' && workers === 1 && concurrency === 64) signet.push({ server: 'signet', store: 'sqlite', clients: 100_000, active: 10_000 });
          if (workers === 1) signet.push({ server: 'signet', store: 'postgres' });
          out.push({ alg, workers, concurrency, variants: limitPeer(signet) });
        }
      }
    }
    return { groups: out, timing: { warmupMs: 2000, durationMs: 6000, rounds: 3, maxOther: 15, retries: 2 } };
  }
  if (name === 'smoke') {
    for (const alg of ['RS256', 'ES256'] as const) {
      const signet: Variant[] = [{ server: 'signet', store: 'sqlite' }, { server: 'signet', store: 'postgres' }];
      if (alg === 'RS256') signet.push({ server: 'signet', store: 'sqlite', clients: 2000, active: 500 });
      out.push({ alg, workers: 1, concurrency: 16, variants: limitPeer(signet) });
    }
    // Checks the machinery, not the numbers: it doesn't wait for a quiet machine.
    return { groups: out, timing: { warmupMs: 500, durationMs: 2000, rounds: 1, maxOther: 100, retries: 0 } };
  }
  throw new Error(`--preset takes targets or smoke; got ${name}`);
}

const cores = availableParallelism();
const scratch = mkdtempSync(join(tmpdir(), 'signet-bench-'));
const logDir = join(scratch, 'logs');
mkdirSync(logDir);

interface RunResult extends Omit<LoadResult, 'sampleToken'> {
  server: ServerName;
  /** limit, signet, signet-pg, signet-100kc, oidc-provider, ...: the server and its configuration. */
  label: string;
  store: SignetStore | null;
  clients: number;
  active: number;
  alg: AccessTokenAlg;
  workers: number;
  concurrency: number;
  round: number;
  /** Peak resident memory of the server's process tree (sum of each process's VmHWM), MB. */
  peakRssMb: number | null;
  /**
   * CPU per 200 response, in ms: the server's process tree (all workers plus the primary), and
   * for Signet on PostgreSQL + Redis those servers' processes too (their share is servicesCpuMsPerToken).
   */
  serverCpuMsPerToken: number | null;
  servicesCpuMsPerToken: number | null;
  /** Cores the server used on average during the window. */
  serverCores: number | null;
  /** CPU used by processes other than this server and the load generator, % of the machine. */
  otherCpuPercent: number | null;
  poolSize: number;
  /** Where the pool's size came from, and how many times an exhausted pool was replaced by a larger one. */
  poolSizedFrom: string;
  poolRetries: number;
  /** Scale runs: seconds spent seeding the clients (before, never inside, the timed phase). */
  seedSeconds: number | null;
  replayRefused: boolean;
  tokenVerified: string;
  notes: string[];
  /** Monotonic microseconds of the measured window (to cut a CPU profile to it). */
  windowUs: { fromUs: number; toUs: number };
}

const nowUs = () => Number(process.hrtime.bigint() / 1000n);
const windowS = () => (warmupMs + durationMs) / 1000;

/** Best tokens/s seen so far, by label|alg|workers|concurrency: sizes the next pools. */
const bestRate = new Map<string, number>();
const rateKey = (l: string, alg: string, workers: number, concurrency: number) => `${l}|${alg}|${workers}|${concurrency}`;
const PROBE_MAX = 4000;
const MAX_POOL_RETRIES = 2;

/** Crypto bound: no server here can mint more than cores / (assertion verify + the alg's signature) tokens a second. */
const cryptoBound = (alg: AccessTokenAlg) => (cores * 1000) / (crypto.verifyMs + crypto.signMs[alg]);

/** How many tokens a second the run may reach, and where that estimate comes from (null: probe it). */
function expectedRate(v: Variant, alg: AccessTokenAlg, workers: number, concurrency: number): { rate: number; from: string } | null {
  const own = bestRate.get(rateKey(label(v), alg, workers, concurrency));
  if (own) return { rate: own, from: `best of earlier ${label(v)} runs` };
  if (v.server === 'signet') {
    const other = Math.max(0, ...[...bestRate].filter(([k]) => k.startsWith('signet') && k.endsWith(`|${alg}|${workers}|${concurrency}`)).map(([, r]) => r));
    if (other) return { rate: other, from: 'best Signet run of this configuration' };
  }
  const limit = bestRate.get(rateKey('limit', alg, workers, concurrency));
  if (limit) return { rate: limit, from: 'the limit server (the ceiling) in this configuration' };
  return null;
}

async function measure(start: () => Promise<Target>, v: Variant, round: number, connections: number): Promise<RunResult> {
  const target = await start();
  const seedSeconds = target.seedSeconds ?? null;
  try {
    const replayRefused = await sanityCheck(target);
    const bound = cryptoBound(target.alg);
    // Scale runs warm up for at least one pass over their active clients (every view loaded once).
    const warmupRequests = v.clients ? (v.active ?? v.clients) : 0;
    const capped = (rate: number) => Math.ceil(Math.min(rate, bound) * windowS() * 1.3) + connections + warmupRequests;
    let estimate = expectedRate(v, target.alg, target.workers, connections);
    if (!estimate) {
      // Nothing seen yet for this alg and configuration: a short probe on this server (also warm-up).
      const count = Math.min(PROBE_MAX, Math.ceil(bound));
      const files = await presign({ target, count, parallel: cores, dir: scratch, lifetimeSeconds: 240, tag: 'probe' });
      const probe = await runLoad(target, files, connections, 0, 60_000);
      const errors = errorCount(probe.result);
      if (errors) throw new Error(`${target.name}: the probe got ${errors} non-200 responses: ${JSON.stringify(probe.result.errors)}`);
      // A cold server: its first requests are the slowest, so give the estimate room.
      estimate = { rate: ((probe.result.bodiesUsed * 1000) / probe.result.elapsedMs) * 1.5, from: `a probe of ${count} requests` };
    }
    let poolSize = capped(estimate.rate);
    for (let attempt = 0; ; attempt++) {
      const files = await presign({ target, count: poolSize, parallel: cores, dir: scratch, lifetimeSeconds: 240, tag: `pool${attempt}` });
      await sleep(500); // let the signers' exit settle before the load starts
      const { result, marks } = await runLoad(target, files, connections, warmupMs, durationMs, warmupRequests);
      if (result.exhausted) {
        const reached = (result.bodiesUsed * 1000) / result.elapsedMs;
        if (attempt >= MAX_POOL_RETRIES) {
          throw new Error(`${label(v)}: ${poolSize} pre-signed assertions ran out (at ${Math.round(reached)} tok/s) ${attempt + 1} times: no valid result`);
        }
        const next = Math.max(Math.ceil(poolSize * 1.5), Math.ceil(reached * windowS() * 1.5) + connections + warmupRequests);
        process.stdout.write(`(pool of ${poolSize} ran out at ${Math.round(reached)} tok/s — invalid; again with ${next}) `);
        poolSize = next;
        continue;
      }
      const peakRssMb = treePeakRssMb(target.rootPid);
      if (!result.sampleToken) throw new Error(`${target.name}: no 200 response in the measured window: ${JSON.stringify(result.errors)}`);
      const tokenVerified = await verifyToken(target, result.sampleToken);
      const { sampleToken: _, ...rest } = result;
      const [a, b] = marks;
      const ownMs = a?.server != null && b?.server != null ? b.server - a.server : null;
      // The services a configuration runs on (PostgreSQL, Redis) are part of its cost per token.
      const servicesMs = a?.services != null && b?.services != null ? b.services - a.services : null;
      const serverMs = ownMs !== null && servicesMs !== null ? ownMs + servicesMs : ownMs;
      const machineMs = a?.machine != null && b?.machine != null ? b.machine - a.machine : null;
      return {
        server: target.name,
        label: label(v),
        store: v.store ?? null,
        clients: v.clients ?? 1,
        active: v.active ?? 1,
        alg: target.alg,
        workers: target.workers,
        concurrency: connections,
        round,
        peakRssMb,
        ...rest,
        serverCpuMsPerToken: serverMs !== null && result.ok ? serverMs / result.ok : null,
        servicesCpuMsPerToken: servicesMs !== null && result.ok && target.serviceCommands?.length ? servicesMs / result.ok : null,
        serverCores: serverMs !== null ? serverMs / durationMs : null,
        otherCpuPercent:
          serverMs !== null && machineMs !== null ? Math.max(0, (100 * (machineMs - serverMs - result.clientCpuMs)) / (durationMs * cores)) : null,
        poolSize,
        poolSizedFrom: estimate.from,
        poolRetries: attempt,
        seedSeconds,
        replayRefused,
        tokenVerified,
        notes: target.notes,
        windowUs: { fromUs: a?.us ?? 0, toUs: b?.us ?? Number.MAX_SAFE_INTEGER },
      };
    }
  } finally {
    await target.stop();
  }

  function runLoad(target: Target, files: string[], connections: number, warmupMs: number, durationMs: number, warmupRequests = 0) {
    const marks: { us: number; server: number | null; services: number | null; machine: number | null }[] = [];
    const services = target.serviceCommands ?? [];
    const load = fork(join(ROOT, 'bench/load.ts'), [], { execArgv: ['--import', 'tsx'] });
    track(load);
    return new Promise<{ result: LoadResult; marks: typeof marks }>((resolve, reject) => {
      load.on('message', (m: { phase?: string; result?: LoadResult }) => {
        if (m.phase) marks.push({ us: nowUs(), server: treeCpuMs(target.rootPid), services: services.length ? commandCpuMs(services) : 0, machine: machineBusyMs() });
        if (m.result) resolve({ result: m.result, marks });
      });
      load.once('exit', (code) => reject(new Error(`load generator exited with ${code}`)));
      const job: LoadJob = { origin: target.origin, path: target.tokenPath, bodyFiles: files, connections, warmupMs, warmupRequests, durationMs };
      load.send(job);
    }).finally(() => {
      for (const f of files) rmSync(f, { force: true });
    });
  }
}

/** One token before the load: it must verify, and replaying its assertion must be refused. */
async function sanityCheck(target: Target): Promise<boolean> {
  const { privateKeyPem, ...a } = target.assertion;
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: ASSERTION_TYPE,
    client_assertion: signClientAssertion({ ...a, privateKey: createPrivateKey(privateKeyPem) }),
    ...target.form,
  }).toString();
  const post = async () => {
    const r = await fetch(target.origin + target.tokenPath, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const first = await post();
  if (first.status !== 200) throw new Error(`${target.name}: token request answered ${first.status}: ${JSON.stringify(first.body)}`);
  await verifyToken(target, first.body.access_token as string);
  const replay = await post();
  return replay.status === 401 && replay.body.error === 'invalid_client';
}

async function verifyToken(target: Target, token: string): Promise<string> {
  const algorithms = [target.alg];
  const verify = (key: Parameters<typeof jwtVerify>[1]) => jwtVerify(token, key, { issuer: target.issuer, audience: target.expectedAudience, algorithms });
  let how: string;
  let payload;
  if (target.alg === 'HS256') {
    if (!target.hsKey) throw new Error(`${target.name}: an HS256 token, but no secret to verify it with`);
    ({ payload } = await verify(target.hsKey));
    how = "the API's secret";
  } else {
    const jwks = (await (await fetch(target.jwksUrl)).json()) as JSONWebKeySet;
    ({ payload } = await verify(createLocalJWKSet(jwks)));
    how = target.jwksUrl;
  }
  if (payload.scope !== API_SCOPE) throw new Error(`${target.name}: token scope is ${String(payload.scope)}, expected ${API_SCOPE}`);
  const { typ, alg } = decodeProtectedHeader(token);
  return `${alg} JWT (typ ${typ}), ${token.length} chars, verified with ${how}`;
}

/** CPU the machine spends with none of ours running: a busy machine makes every number noisy. */
async function backgroundBusyPercent(): Promise<number | null> {
  const a = machineBusyMs();
  await sleep(1000);
  const b = machineBusyMs();
  return a === null || b === null ? null : (100 * (b - a)) / (1000 * cores);
}

/** Before a run, wait (up to a minute) until other processes leave the machine mostly idle. */
async function waitForQuiet(): Promise<void> {
  if (maxOther >= 100) return; // told not to care (the smoke preset, the tests)
  for (let waited = 0; waited < 60; waited++) {
    const busy = await backgroundBusyPercent();
    if (busy === null || busy <= maxOther) return;
    if (waited === 0) process.stdout.write(`  (machine ${busy.toFixed(0)}% busy with other processes; waiting up to 60 s)\n`);
  }
}

// ——— run ———
const results: RunResult[] = [];
/** Non-200 responses and network failures in every measured window, kept or repeated: any fails the run. */
let nonOk = 0;
const skipped: string[] = [];
const started = Date.now();

// PostgreSQL runs need both services; without them the store is skipped (said), not failed.
if (groups.some((g) => g.variants.some((v) => v.store === 'postgres'))) {
  const [pgUp, redisUp] = await Promise.all([postgresAvailable(), redisAvailable()]);
  if (!pgUp || !redisUp) {
    const why = [!pgUp && `PostgreSQL is not reachable at ${PG_URL} (set SIGNET_TEST_PG_URL)`, !redisUp && `Redis is not reachable at ${REDIS_URL} (set SIGNET_TEST_REDIS_URL)`].filter(Boolean).join('; ');
    skipped.push(`store postgres skipped: ${why}`);
    for (const g of groups) g.variants = g.variants.filter((v) => v.store !== 'postgres');
    groups = groups.filter((g) => g.variants.length);
  }
}
const scaleClients = Math.max(0, ...groups.flatMap((g) => g.variants.map((v) => v.clients ?? 0)));

const background = await backgroundBusyPercent();
const crypto = cryptoCostMs();
const algs = [...new Set(groups.map((g) => g.alg))];
const runCount = groups.reduce((n, g) => n + g.variants.length, 0) * rounds;
console.log(`Token endpoint, client_credentials + private_key_jwt (RS256 assertion); access tokens ${algs.join(', ')}. ${cores} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}.`);
console.log(
  `${groups.length} configuration(s) (alg × workers × connections), ${runCount} runs: ${warmupMs / 1000} s warm-up + ${durationMs / 1000} s measured each, servers one at a time, ${rounds} round(s). Logs: ${logDir}`,
);
for (const x of skipped) console.log(`  ${x}`);
console.log(`Estimated wall time: about ${Math.ceil(estimateSeconds() / 60)} minutes (pre-signing and start-up included; more if the machine is busy).`);
if (background !== null) {
  console.log(`Machine busy before start: ${background.toFixed(0)}% of ${cores} cores${background > 10 ? ' — other processes are running; expect noisy numbers' : ''}`);
}
console.log('');

let keyPool: KeyPairPem[] | undefined;
try {
  if (scaleClients) {
    const t0 = Date.now();
    keyPool = await rsaKeyPool(keyPoolSize!);
    console.log(`  scale: ${keyPoolSize} RSA-2048 key pairs for the seeded clients' credentials in ${((Date.now() - t0) / 1000).toFixed(1)} s (not measured)`);
  }
  for (const g of groups) {
    for (let round = 1; round <= rounds; round++) {
      // The same cycle every round (limit, signet..., peer, limit, ...): drift falls on all alike.
      for (const v of g.variants) {
        const start = () =>
          v.server === 'limit' ? startLimit({ workers: g.workers, logDir, alg: g.alg })
          : v.server === 'oidc-provider' ? startPeer({ workers: g.workers, logDir, alg: g.alg })
          : startSignet({
              workers: g.workers,
              logDir,
              alg: g.alg,
              store: v.store,
              ...(v.clients && { scale: { clients: v.clients, active: v.active ?? v.clients, keyPool: keyPool! } }),
            });
        let best: RunResult | undefined;
        for (let attempt = 0; attempt <= retries; attempt++) {
          await waitForQuiet();
          process.stdout.write(
            `  ${g.alg} ${label(v)}, ${g.workers} worker(s), ${g.concurrency} connections${rounds > 1 ? `, round ${round}` : ''}${attempt ? ', again' : ''}: `,
          );
          const r = await measure(start, v, round, g.concurrency);
          nonOk += errorCount(r);
          const key = rateKey(r.label, r.alg, r.workers, r.concurrency);
          bestRate.set(key, Math.max(bestRate.get(key) ?? 0, r.tokensPerSecond));
          const noisy = r.otherCpuPercent !== null && r.otherCpuPercent > maxOther;
          console.log(
            `${Math.round(r.tokensPerSecond)} tok/s, p50 ${r.latencyMs.p50.toFixed(1)} ms, p99 ${r.latencyMs.p99.toFixed(1)} ms` +
              `${r.peakRssMb === null ? '' : `, peak RSS ${r.peakRssMb.toFixed(0)} MB`}` +
              `${r.otherCpuPercent === null ? '' : `, other processes ${r.otherCpuPercent.toFixed(0)}% CPU`}${errorText(r)}` +
              (r.seedSeconds !== null ? ` (seeded ${r.clients} clients in ${r.seedSeconds.toFixed(1)} s, not measured)` : '') +
              (noisy ? (attempt < retries ? ' — noisy, repeating' : ' — noisy, keeping the quietest attempt') : ''),
          );
          if (!best || (r.otherCpuPercent ?? 0) < (best.otherCpuPercent ?? 0)) best = r;
          if (!noisy) break;
        }
        results.push(best!);
      }
    }
  }
} catch (err) {
  console.error(`\nbench failed: ${(err as Error).stack}\nserver logs are kept in ${logDir}`);
  process.exit(1);
}

let profile: ProfileSummary | undefined;
if (args.profile) profile = await profileSignet();

// ——— report: medians over rounds, per alg × configuration (workers × concurrency) × server configuration ———
/** A configuration's medians over its rounds, named as each of its runs is. */
interface Summary
  extends Pick<RunResult, 'server' | 'label' | 'store' | 'clients' | 'active' | 'alg' | 'workers' | 'concurrency'>,
    Pick<RunResult, 'serverCpuMsPerToken' | 'servicesCpuMsPerToken' | 'serverCores' | 'peakRssMb' | 'otherCpuPercent'> {
  rounds: number;
  tokensPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  /** tokens/s ÷ the peer's tokens/s in the same alg and configuration. */
  vsPeer: number | null;
  /** tokens/s ÷ the limit server's; and the limit's CPU per token ÷ this server's (1 = as lean as the limit). */
  fractionOfLimit: number | null;
  cpuFractionOfLimit: number | null;
  /** Signet on PostgreSQL: tokens/s ÷ Signet on SQLite with the same clients. */
  ofSqlite: number | null;
  /** Signet with many clients: tokens/s ÷ Signet with one client on the same store. */
  ofOneClient: number | null;
}
const summaries: Summary[] = groups.flatMap((g) => {
  const medians = g.variants.map((v) => {
    const rs = results.filter((r) => r.label === label(v) && r.alg === g.alg && r.workers === g.workers && r.concurrency === g.concurrency);
    return {
      server: v.server,
      label: label(v),
      store: v.store ?? null,
      clients: v.clients ?? 1,
      active: v.active ?? 1,
      alg: g.alg,
      workers: g.workers,
      concurrency: g.concurrency,
      rounds: rs.length,
      tokensPerSecond: round(median(rs.map((r) => r.tokensPerSecond)), 0),
      p50: round(median(rs.map((r) => r.latencyMs.p50)), 2),
      p99: round(median(rs.map((r) => r.latencyMs.p99)), 2),
      errors: rs.reduce((n, r) => n + errorCount(r), 0),
      serverCpuMsPerToken: nullableMedian(rs.map((r) => r.serverCpuMsPerToken), 3),
      servicesCpuMsPerToken: nullableMedian(rs.map((r) => r.servicesCpuMsPerToken), 3),
      serverCores: nullableMedian(rs.map((r) => r.serverCores), 2),
      peakRssMb: nullableMedian(rs.map((r) => r.peakRssMb), 0),
      otherCpuPercent: nullableMedian(rs.map((r) => r.otherCpuPercent), 0),
    };
  });
  const limit = medians.find((m) => m.server === 'limit');
  const peer = medians.find((m) => m.server === 'oidc-provider');
  const ratio = (a: number, b: number | undefined) => (b ? round(a / b, 2) : null);
  return medians.map((m) => ({
    ...m,
    vsPeer: ratio(m.tokensPerSecond, peer?.tokensPerSecond),
    fractionOfLimit: ratio(m.tokensPerSecond, limit?.tokensPerSecond),
    cpuFractionOfLimit: limit?.serverCpuMsPerToken && m.serverCpuMsPerToken ? round(limit.serverCpuMsPerToken / m.serverCpuMsPerToken, 2) : null,
    ofSqlite: m.store === 'postgres' ? ratio(m.tokensPerSecond, medians.find((x) => x.store === 'sqlite' && x.clients === m.clients)?.tokensPerSecond) : null,
    ofOneClient: m.server === 'signet' && m.clients > 1 ? ratio(m.tokensPerSecond, medians.find((x) => x.store === m.store && x.clients === 1)?.tokensPerSecond) : null,
  }));
});
const comparisons = summaries
  .filter((s) => s.server === 'signet')
  .flatMap((s) => {
    const p = summaries.find((r) => r.server === 'oidc-provider' && r.alg === s.alg && r.workers === s.workers && r.concurrency === s.concurrency);
    if (!p) return [];
    return [
      {
        alg: s.alg,
        workers: s.workers,
        concurrency: s.concurrency,
        signet: s.label,
        throughputRatio: round(s.tokensPerSecond / p.tokensPerSecond, 2),
        p50LatencyRatio: round(s.p50 / p.p50, 2),
        p99LatencyRatio: round(s.p99 / p.p99, 2),
        cpuPerTokenRatio: s.serverCpuMsPerToken && p.serverCpuMsPerToken ? round(s.serverCpuMsPerToken / p.serverCpuMsPerToken, 2) : null,
        signetFractionOfLimit: s.fractionOfLimit,
        peerFractionOfLimit: p.fractionOfLimit,
      },
    ];
  });

const na = (v: number | null, digits: number, width: number) => (v === null ? 'n/a'.padStart(width) : fmt(v, digits, width));
const blank = (v: number | null, digits: number, width: number) => (v === null ? ''.padStart(width) : fmt(v, digits, width));
console.log(
  `\n${rounds > 1 ? `Medians of ${rounds} rounds.\n` : ''}` +
    'alg    workers  conn  server             tok/s   p50 ms   p99 ms  errors  CPU ms/token  cores  peak RSS MB  other CPU %  vs peer  of limit  CPU of limit  of SQLite  of 1-client',
);
for (const r of summaries) {
  console.log(
    `${r.alg.padEnd(7)}${String(r.workers).padEnd(9)}${String(r.concurrency).padEnd(6)}${r.label.padEnd(16)}${fmt(r.tokensPerSecond, 0, 8)}` +
      `${fmt(r.p50, 1, 9)}${fmt(r.p99, 1, 9)}${String(r.errors).padStart(8)}${na(r.serverCpuMsPerToken, 3, 14)}${na(r.serverCores, 2, 7)}` +
      `${na(r.peakRssMb, 0, 13)}${na(r.otherCpuPercent, 0, 13)}${na(r.vsPeer, 2, 9)}${na(r.fractionOfLimit, 2, 10)}${na(r.cpuFractionOfLimit, 2, 14)}` +
      `${blank(r.ofSqlite, 2, 11)}${blank(r.ofOneClient, 2, 13)}`,
  );
}
for (const c of comparisons) {
  const s = summaries.find((r) => r.label === c.signet && r.alg === c.alg && r.workers === c.workers && r.concurrency === c.concurrency)!;
  const p = summaries.find((r) => r.server === 'oidc-provider' && r.alg === c.alg && r.workers === c.workers && r.concurrency === c.concurrency)!;
  console.log(
    `\n${c.alg}, ${c.workers} worker(s), ${c.concurrency} connections: ${c.signet}: ${s.tokensPerSecond} tok/s p50 ${s.p50.toFixed(1)}ms p99 ${s.p99.toFixed(1)}ms | ` +
      `oidc-provider: ${p.tokensPerSecond} tok/s p50 ${p.p50.toFixed(1)}ms p99 ${p.p99.toFixed(1)}ms | ` +
      `throughput ratio ${c.throughputRatio}x, p50 latency ratio ${c.p50LatencyRatio}, p99 latency ratio ${c.p99LatencyRatio}` +
      (c.cpuPerTokenRatio === null ? '' : `, server CPU per token ratio ${c.cpuPerTokenRatio}`) +
      (c.signetFractionOfLimit === null ? '' : ` | of the limit server: signet ${c.signetFractionOfLimit}, oidc-provider ${c.peerFractionOfLimit}`),
  );
}
const notes = [...skipped, ...new Set(results.flatMap((r) => r.notes.map((n) => `${r.label}: ${n}`)))];
for (const r of results) {
  const at = `${r.alg} ${r.label} w${r.workers} c${r.concurrency} round ${r.round}`;
  if (r.exhausted) notes.push(`${at}: pre-signed assertions ran out before the window ended — result not valid`);
  if (r.poolRetries) notes.push(`${at}: the first pool${r.poolRetries > 1 ? 's' : ''} ran out (invalid, discarded); measured again with ${r.poolSize} assertions`);
  if (!r.replayRefused) {
    notes.push(
      `${at}: a replayed assertion was NOT refused` +
        (r.server !== 'signet' && r.workers > 1 ? ' (the replay reached the other worker, whose in-memory jti store had not seen it)' : ''),
    );
  }
  if (r.otherCpuPercent !== null && r.otherCpuPercent > 10) {
    notes.push(`${at}: other processes used ${r.otherCpuPercent.toFixed(0)}% of the machine during the window — noisy`);
  }
}
notes.push('load generator: its own process, undici Pool keep-alive, closed loop; assertions pre-signed (RS256, unique jti) before the timed phase');
for (const alg of algs) {
  const floor = crypto.verifyMs + crypto.signMs[alg];
  const peerCpu = summaries.filter((x) => x.alg === alg && x.server === 'oidc-provider' && x.serverCpuMsPerToken !== null);
  notes.push(
    `${alg}: crypto floor on this machine ${floor.toFixed(3)} ms CPU per token (${alg} sign ${crypto.signMs[alg].toFixed(3)} ms + RS256 assertion verify ${crypto.verifyMs.toFixed(3)} ms)` +
      (peerCpu.length
        ? `; the peer spends ${peerCpu.map((x) => `${x.serverCpuMsPerToken} ms (${x.workers} worker${x.workers > 1 ? 's' : ''}, c${x.concurrency})`).join(', ')}`
        : ''),
  );
}
console.log(`\nNotes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
if (profile) console.log(`\nSignet, 1 worker, measured window under --cpu-prof:\n${formatSummary(profile)}`);
const wallSeconds = Math.round((Date.now() - started) / 1000);
console.log(`\nWall time: ${Math.floor(wallSeconds / 60)} min ${wallSeconds % 60} s (estimated ${Math.ceil(estimateSeconds() / 60)} min).`);

const report = {
  benchmark: `POST /oauth/token, client_credentials, private_key_jwt (RS256 assertion), JWT access token (${algs.join(', ')})`,
  date: new Date().toISOString(),
  commit: gitCommit(),
  machine: { cores, cpu: cpus()[0]?.model ?? null, node: process.version, platform: `${process.platform}-${process.arch}`, busyBeforeStartPercent: background },
  versions: { signet: gitVersion(), oidcProvider: packageVersion('oidc-provider') },
  cryptoCostMs: {
    rsa2048AssertionSign: round(crypto.assertionSignMs, 3),
    rsa2048AssertionVerify: round(crypto.verifyMs, 3),
    accessTokenSign: Object.fromEntries(ALGS.map((a) => [a, round(crypto.signMs[a], 4)])),
    floorPerToken: Object.fromEntries(algs.map((a) => [a, round(crypto.verifyMs + crypto.signMs[a], 3)])),
  },
  settings: {
    preset: args.preset ?? null,
    algs,
    groups: groups.map((g) => ({ alg: g.alg, workers: g.workers, concurrency: g.concurrency, servers: g.variants.map(label) })),
    warmupSeconds: warmupMs / 1000,
    durationSeconds: durationMs / 1000,
    rounds,
    keyPool: scaleClients ? keyPoolSize : null,
  },
  wallSeconds,
  comparisons,
  summaries,
  runs: results.map(({ notes: _n, windowUs: _w, errors, ...r }) => ({
    server: r.server,
    label: r.label,
    store: r.store,
    clients: r.clients,
    active: r.active,
    alg: r.alg,
    workers: r.workers,
    concurrency: r.concurrency,
    round: r.round,
    tokensPerSecond: round(r.tokensPerSecond, 0),
    latencyMs: mapValues(r.latencyMs, (v) => round(v, 2)),
    ok: r.ok,
    errors,
    failures: r.failures,
    serverCpuMsPerToken: r.serverCpuMsPerToken === null ? null : round(r.serverCpuMsPerToken, 3),
    servicesCpuMsPerToken: r.servicesCpuMsPerToken === null ? null : round(r.servicesCpuMsPerToken, 3),
    serverCores: r.serverCores === null ? null : round(r.serverCores, 2),
    peakRssMb: r.peakRssMb === null ? null : round(r.peakRssMb, 1),
    otherCpuPercent: r.otherCpuPercent === null ? null : round(r.otherCpuPercent, 1),
    clientCpuMsPerRequest: round(r.clientCpuMsPerRequest, 3),
    poolSize: r.poolSize,
    poolSizedFrom: r.poolSizedFrom,
    poolRetries: r.poolRetries,
    bodiesUsed: r.bodiesUsed,
    seedSeconds: r.seedSeconds === null ? null : round(r.seedSeconds, 1),
    warmupSeconds: round(r.warmupElapsedMs / 1000, 1),
    replayRefused: r.replayRefused,
    tokenVerified: r.tokenVerified,
    exhausted: r.exhausted,
  })),
  nonOkResponses: nonOk,
  notes,
  ...(profile && { signetProfile: { ...profile, areas: profile.areas.slice(0, 12), functions: profile.functions.slice(0, 15) } }),
};
console.log(`\nBENCH_RESULT ${JSON.stringify({ comparisons, summaries })}`);
const outFile = resolve(ROOT, args.out);
mkdirSync(dirname(outFile), { recursive: true });
const json = JSON.stringify(report, null, 2) + '\n';
writeFileSync(outFile, json);
// A dated copy beside it, so runs on different commits can be compared later.
const datedFile = join(dirname(outFile), `token-endpoint-${report.date.replace(/[:.]/g, '-')}.json`);
writeFileSync(datedFile, json);
console.log(`Wrote ${relative(process.cwd(), outFile) || outFile} and ${relative(process.cwd(), datedFile) || datedFile}`);
rmSync(scratch, { recursive: true, force: true });
if (nonOk > 0) {
  console.error(`\nbench failed: ${nonOk} non-200 response(s) or network failure(s) in measured windows (see "errors" above and in the JSON)`);
  process.exit(1);
}

/**
 * A rough wall-time estimate, printed before the run: per run, start-up, the window, and the
 * pre-signing of its pool (RSA signatures at the crypto bound's rate, over the cores), plus
 * seeding for scale runs. Servers rarely reach the bound, so it leans long.
 */
function estimateSeconds(): number {
  let total = 0;
  for (const g of groups) {
    for (const v of g.variants) {
      // A pool the size of what the server can reach: about 60% of the crypto bound, and never
      // more than 1.8 times the RSA bound (HTTP, not crypto, limits the fast algorithms).
      const rate = Math.min(cryptoBound(g.alg) * 0.6, cryptoBound('RS256') * 1.8);
      const presignS = (rate * windowS() * 1.3 * crypto.assertionSignMs) / 1000 / cores;
      // Seeding, measured: about 3,000 clients a second on SQLite, 500 on PostgreSQL.
      const startS = v.server === 'signet' ? 3 + (v.clients ? v.clients / (v.store === 'postgres' ? 500 : 3000) : 0) : 2;
      total += rounds * (startS + presignS + windowS() + 1.5);
    }
  }
  return total;
}

/** Signet with one worker under the same load, profiled; the profile is written when it exits. */
async function profileSignet(): Promise<ProfileSummary> {
  const dir = join(scratch, 'profile');
  process.stdout.write(`  signet, 1 worker, under --cpu-prof: `);
  const g = groups[0]!;
  const r = await measure(() => startSignet({ workers: 1, logDir, alg: g.alg, nodeArgs: ['--cpu-prof', '--cpu-prof-dir', dir] }), { server: 'signet', store: 'sqlite' }, 0, g.concurrency);
  nonOk += errorCount(r);
  console.log(`${Math.round(r.tokensPerSecond)} tok/s under the profiler (not compared)${errorText(r)}`);
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no .cpuprofile written');
  // Kept past the run (the scratch directory is removed) for a closer look in Chrome DevTools.
  const kept = join(tmpdir(), 'signet-token-endpoint.cpuprofile');
  copyFileSync(join(dir, file), kept);
  console.log(`  profile: ${kept} (whole process; the summary below keeps the measured window only)`);
  return summarise(kept, 25, r.windowUs);
}

function errorText(r: RunResult): string {
  const n = errorCount(r);
  return n ? `, ${n} errors ${JSON.stringify(r.errors)}${r.failures ? ` ${r.failures} network failures` : ''}` : '';
}
function errorCount(r: Pick<RunResult, 'errors' | 'failures'>): number {
  return Object.values(r.errors).reduce((a, e) => a + e.count, 0) + r.failures;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
function nullableMedian(xs: (number | null)[], digits: number): number | null {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? round(median(v), digits) : null;
}
function fmt(n: number, digits: number, width: number): string {
  return n.toFixed(digits).padStart(width);
}
function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
function mapValues<T extends Record<string, number>>(o: T, f: (v: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}
function gitVersion(): string | null {
  try {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'src') !== '';
    return dirty ? `${head}+uncommitted src changes` : head;
  } catch {
    return null;
  }
}
function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The commit measured (with `-dirty` when the work tree had changes), so results can be compared between commits. */
function gitCommit(): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    return null; // not a git checkout (an exported tree): the date still tells runs apart
  }
}
