/**
 * What the benchmark needs to know about a server under test, and the child-process plumbing
 * shared by both launchers. Each server runs in its own process tree, separate from the
 * orchestrator and from the load generator, so none of them competes inside one event loop.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { AccessTokenAlg } from './limit-server.mjs';
import type { SeededClient } from './seed-clients.ts';

export type { AccessTokenAlg };
/** Access-token algorithms the benchmark can measure (the limit server implements each). */
export const ALGS: readonly AccessTokenAlg[] = ['RS256', 'PS256', 'ES256', 'EdDSA', 'HS256'];

export interface Target {
  name: 'limit' | 'signet' | 'oidc-provider';
  workers: number;
  /** http://127.0.0.1:PORT: the load generator's origin (its Host header is what Signet resolves the tenant from). */
  origin: string;
  tokenPath: string;
  issuer: string;
  jwksUrl: string;
  /** PID of the server's root process; its descendants are the workers (for CPU accounting). */
  rootPid: number;
  /**
   * Commands of the services this configuration runs on (PostgreSQL, Redis): their processes'
   * CPU is part of what a token costs here, not noise from elsewhere on the machine.
   */
  serviceCommands?: string[];
  /** How to sign this server's client assertions (done before the timed phase). */
  assertion: { clientId: string; audience: string; kid?: string; privateKeyPem: string };
  /** Form fields sent with every request besides the assertion (the API and the scope). */
  form: Record<string, string>;
  /** Where the access token's audience is expected (the API identifier). */
  expectedAudience: string;
  /** The access token's signing algorithm; for HS256 the shared secret that verifies it (never published in a JWKS). */
  alg: AccessTokenAlg;
  hsKey?: KeyObject;
  /**
   * Scale runs: the pre-signed assertions go round-robin over these clients, each signed with
   * one of its two keys (`keys`: PKCS#8 PEMs, indexed by SeededClient's `key`) with its kid.
   */
  assertionPool?: { keys: string[]; clients: SeededClient[] };
  /** Scale runs: how long seeding the clients took (before the load, never measured as load). */
  seedSeconds?: number;
  /** Things a reader of the results must know about this configuration. */
  notes: string[];
  stop(): Promise<void>;
}

export { CLIENT_ASSERTION_TYPE as ASSERTION_TYPE } from '../src/domain/client-assertion/index.ts';
export const API_IDENTIFIER = 'https://api.bench.example/';
export const API_SCOPE = 'read:things';

export { freePort } from '../test/support/free-port.ts';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `url` until it answers 200 (the server is listening and its tenant/provider is ready). */
export async function waitForOk(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was ready (see its log)`);
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(100);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * Starts a server process with its output in `logFile`, remembered so that an interrupted
 * benchmark never leaves a server behind (only processes this run started are signalled).
 */
export function startServerProcess(cmd: string, args: string[], opts: Omit<SpawnOptions, 'stdio'> & { logFile: string; ipc?: boolean }): ChildProcess {
  const { logFile, ipc, ...rest } = opts;
  const child = spawn(cmd, args, { ...rest, stdio: ipc ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  track(child);
  return child;
}

/** Remembers a child so an interrupted benchmark kills it (and nothing it did not start). */
export function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (!hooked) {
    hooked = true;
    const killAll = () => {
      for (const c of live) c.kill('SIGKILL');
    };
    process.once('exit', killAll);
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        killAll();
        process.exit(130);
      });
    }
  }
}

/** Waits for the server's first IPC message: every worker is listening (its primary counts them). */
export function waitForReadyMessage(child: ChildProcess, name: string, timeoutMs = 30_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${timeoutMs / 1000} s (see its log)`)), timeoutMs);
    child.once('message', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with code ${code} (see its log)`)));
  });
}

/** SIGTERM (every server here shuts down its workers on it), then SIGKILL after a grace period. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
