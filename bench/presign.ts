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
import { constants, createHmac, createPrivateKey, createSecretKey, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signClientAssertion } from '../src/domain/sign-client-assertion.ts';
import { ALGS, ASSERTION_TYPE, track, type AccessTokenAlg, type Target } from './common.ts';

interface Job {
  assertion: Target['assertion'];
  pool?: Target['assertionPool'];
  /** Index of this share's first body in the whole run (the round-robin over the pool's clients continues across shares). */
  first: number;
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
  /** Distinguishes the files of one run's successive pools (a probe, then the pool measured). */
  tag?: string;
}): Promise<string[]> {
  const shares = Array.from({ length: opts.parallel }, (_, i) => Math.floor(opts.count / opts.parallel) + (i < opts.count % opts.parallel ? 1 : 0));
  const firsts = shares.map((_, i) => shares.slice(0, i).reduce((a, b) => a + b, 0));
  return Promise.all(
    shares.map((count, i) => {
      const job: Job = {
        assertion: opts.target.assertion,
        pool: opts.target.assertionPool,
        first: firsts[i]!,
        form: opts.target.form,
        count,
        lifetimeSeconds: opts.lifetimeSeconds,
        file: join(opts.dir, `${opts.target.name}-w${opts.target.workers}-${opts.tag ?? 'pool'}-bodies-${i}.txt`),
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

export interface CryptoCost {
  /** RS256 (RSA-2048) signature: what pre-signing one client assertion costs the client. */
  assertionSignMs: number;
  /** RS256 verification of the client assertion: every server's first piece of crypto per token. */
  verifyMs: number;
  /** The access token's signature, per algorithm (RSA-2048 for RS256/PS256, P-256, Ed25519, HMAC-SHA256). */
  signMs: Record<AccessTokenAlg, number>;
}

/**
 * What one token costs in unavoidable crypto on one core of this machine, per access-token
 * algorithm: the verification of the RS256 client assertion plus the access token's signature.
 * Bounds what any server here can mint (cores / (verifyMs + signMs[alg])), and how far any
 * server can get ahead of another.
 */
export function cryptoCostMs(ms = 200): CryptoCost {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const hs = createSecretKey(randomBytes(32));
  const data = Buffer.alloc(400, 1);
  const signature = sign('sha256', data, rsa.privateKey);
  const time = (fn: () => unknown) => {
    const start = performance.now();
    let n = 0;
    while (performance.now() - start < ms) {
      fn();
      n++;
    }
    return (performance.now() - start) / n;
  };
  const signers: Record<AccessTokenAlg, () => unknown> = {
    RS256: () => sign('sha256', data, rsa.privateKey),
    PS256: () => sign('sha256', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }),
    ES256: () => sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }),
    EdDSA: () => sign(null, data, ed.privateKey),
    HS256: () => createHmac('sha256', hs).update(data).digest(),
  };
  const signMs = Object.fromEntries(ALGS.map((alg) => [alg, time(signers[alg])])) as Record<AccessTokenAlg, number>;
  return { assertionSignMs: signMs.RS256, verifyMs: time(() => verify('sha256', data, rsa.publicKey, signature)), signMs };
}

function signShare(job: Job): void {
  const privateKey = createPrivateKey(job.assertion.privateKeyPem);
  const poolKeys: KeyObject[] = job.pool?.keys.map((pem) => createPrivateKey(pem)) ?? [];
  const lines: string[] = new Array(job.count);
  for (let i = 0; i < job.count; i++) {
    // Scale runs: body n goes to client n mod active, with its first key on even passes over
    // the clients and its second on odd ones, so both credentials of every client are used.
    const n = job.first + i;
    const client = job.pool?.clients[n % job.pool.clients.length];
    const cred = client?.credentials[Math.floor(n / job.pool!.clients.length) % 2];
    const assertion = signClientAssertion({
      clientId: client?.clientId ?? job.assertion.clientId,
      audience: job.assertion.audience,
      kid: cred?.kid ?? job.assertion.kid,
      privateKey: cred ? poolKeys[cred.key]! : privateKey,
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
