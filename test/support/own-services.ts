import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/**
 * PostgreSQL and Redis servers of a test's own, from this machine's installation, that the
 * test can stop and start. Fault tests must not stop the shared 5432/6379 servers: the test
 * files running beside them use those. Each starts on a free port in a temporary directory and
 * `destroy()` stops it and removes everything.
 */

/** The PostgreSQL server binaries (pg_ctl, initdb), or null when PostgreSQL is not installed. */
function postgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'pg_ctl'))) return join(root, v, 'bin');
  return null;
}

export function ownServicesAvailable(): { postgres: boolean; redis: boolean } {
  return { postgres: postgresBin() !== null, redis: spawnSync('redis-server', ['--version']).status === 0 };
}

export function requireOwnServices(t: { skip(msg: string): void }, need: { postgres?: boolean; redis?: boolean }): boolean {
  const have = ownServicesAvailable();
  const missing = [need.postgres && !have.postgres && 'PostgreSQL server binaries (/usr/lib/postgresql/*/bin)', need.redis && !have.redis && 'redis-server'].filter(Boolean);
  if (missing.length === 0) return true;
  const msg = `${missing.join(' and ')} not installed`;
  if (process.env.SIGNET_REQUIRE_SERVICES === '1') throw new Error(`${msg} and SIGNET_REQUIRE_SERVICES=1`);
  console.warn(`\n!!! SKIPPING fault test: ${msg}. CI sets SIGNET_REQUIRE_SERVICES=1 so this fails there.\n`);
  t.skip(msg);
  return false;
}

export interface OwnPostgres {
  url: string;
  /** `pg_ctl stop -m fast`: open connections are terminated, new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** PostgreSQL refuses to run as root: as root, the server runs as the `postgres` user. */
function asPostgresUser(cmd: string, args: string[]): { cmd: string; args: string[] } {
  return userInfo().uid === 0 ? { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] } : { cmd, args };
}

function run(cmd: string, args: string[]): void {
  const c = asPostgresUser(cmd, args);
  const r = spawnSync(c.cmd, c.args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${(r.stderr || r.stdout || '').slice(0, 2000)}`);
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const dir = mkdtempSync(join(tmpdir(), 'signet-pg-'));
  if (userInfo().uid === 0) chownSync(dir, Number(spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).stdout.trim()), Number(spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).stdout.trim()));
  const data = join(dir, 'data');
  const port = await freePort();
  run(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  // Durability is not what these tests are about: fsync off keeps them quick.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const pgCtl = (...args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '30', ...args]);
  const start = async () => pgCtl('-o', options, '-l', join(dir, 'server.log'), 'start');
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: async () => pgCtl('-m', 'fast', 'stop'),
    start,
    async destroy() {
      try {
        pgCtl('-m', 'immediate', 'stop');
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface OwnRedis {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A redis-server without persistence (as CI runs its own): a restart loses every key. */
export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  let proc: ChildProcess | null = null;
  const start = async () => {
    proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout?.trim() === 'PONG') return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const p = proc;
    proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}/0`, stop, start, destroy: stop };
}

/** A temporary directory for a spawned node's data (SQLite, master key). */
export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
