/**
 * Pre-signs the request bodies of a run. Both servers refuse a reused jti, so every request
 * needs its own RS256 assertion, and an RSA-2048 signature costs the client about as much CPU
 * as the server spends minting the token: signing during the timed phase would take cores
 * from the server. So all bodies are signed before it, in parallel child processes (worker
 * threads can't load TypeScript through tsx on Node 20), each writing one file of bodies,
 * one per line, that the load generator reads.
 *
 * As a module: `presign(...)`. As a process (forked by presign): signs one share.
 */
import { fork } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signClientAssertion } from '../src/domain/sign-client-assertion.ts';
import { ASSERTION_TYPE, track, type Target } from './common.ts';

interface Job {
  assertion: Target['assertion'];
  form: Record<string, string>;
  count: number;
  lifetimeSeconds: number;
  file: string;
}

export async function presign(opts: {
  target: Target;
  count: number;
  parallel: number;
  dir: string;
  lifetimeSeconds: number;
}): Promise<string[]> {
  const shares = Array.from({ length: opts.parallel }, (_, i) => Math.floor(opts.count / opts.parallel) + (i < opts.count % opts.parallel ? 1 : 0));
  return Promise.all(
    shares.map((count, i) => {
      const job: Job = {
        assertion: opts.target.assertion,
        form: opts.target.form,
        count,
        lifetimeSeconds: opts.lifetimeSeconds,
        file: join(opts.dir, `${opts.target.name}-w${opts.target.workers}-bodies-${i}.txt`),
      };
      return new Promise<string>((resolve, reject) => {
        const child = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'] });
        track(child);
        child.once('message', () => resolve(job.file));
        child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`presign share ${i} exited with ${code}`))));
        child.send(job);
      });
    }),
  );
}

/**
 * What one token costs in unavoidable crypto on one core of this machine: an RS256 (RSA-2048)
 * signature for the access token and a verification of the client assertion. Bounds what any
 * server here can mint (cores / signMs), and how far any server can get ahead of another.
 */
export function cryptoCostMs(ms = 300): { signMs: number; verifyMs: number } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(400, 1);
  const signature = sign('sha256', data, privateKey);
  const time = (fn: () => unknown) => {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < ms) {
      fn();
      n++;
    }
    return (performance.now() - start) / n;
  };
  return { signMs: time(() => sign('sha256', data, privateKey)), verifyMs: time(() => verify('sha256', data, publicKey, signature)) };
}

function signShare(job: Job): void {
  const privateKey = createPrivateKey(job.assertion.privateKeyPem);
  const lines: string[] = new Array(job.count);
  for (let i = 0; i < job.count; i++) {
    const assertion = signClientAssertion({
      clientId: job.assertion.clientId,
      audience: job.assertion.audience,
      kid: job.assertion.kid,
      privateKey,
      lifetimeSeconds: job.lifetimeSeconds,
    });
    lines[i] = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: ASSERTION_TYPE,
      client_assertion: assertion,
      ...job.form,
    }).toString();
  }
  writeFileSync(job.file, lines.join('\n'));
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  process.once('message', (job: Job) => {
    signShare(job);
    process.send!({ done: job.file }, () => process.exit(0));
  });
}
