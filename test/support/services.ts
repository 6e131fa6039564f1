import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { Redis } from 'ioredis';

/**
 * Tests that need PostgreSQL (or Redis) call these. Locally a missing service skips the test
 * with a loud message; with SIGNET_REQUIRE_SERVICES=1 (CI) it fails instead.
 */
export const PG_URL = process.env.SIGNET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function postgresAvailable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

export async function requirePostgres(t: { skip(msg: string): void }): Promise<boolean> {
  if (await postgresAvailable()) return true;
  const msg = `PostgreSQL is not reachable at ${PG_URL}`;
  if (process.env.SIGNET_REQUIRE_SERVICES === '1') throw new Error(`${msg} and SIGNET_REQUIRE_SERVICES=1`);
  console.warn(`\n!!! SKIPPING: ${msg}. Start it, or set SIGNET_TEST_PG_URL. CI sets SIGNET_REQUIRE_SERVICES=1 so this fails there.\n`);
  t.skip(msg);
  return false;
}

/** A fresh, empty PostgreSQL database for one test file; `drop` it when done. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `signet_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(PG_URL);
  u.pathname = `/${name}`;
  return {
    url: u.href,
    async drop() {
      const a = new pg.Client({ connectionString: PG_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await a.end();
    },
  };
}


export const REDIS_URL = process.env.SIGNET_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';

export async function redisAvailable(): Promise<boolean> {
  const r = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await r.connect();
    return (await r.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    r.disconnect();
  }
}

export async function requireRedis(t: { skip(msg: string): void }): Promise<boolean> {
  if (await redisAvailable()) return true;
  const msg = `Redis is not reachable at ${REDIS_URL}`;
  if (process.env.SIGNET_REQUIRE_SERVICES === '1') throw new Error(`${msg} and SIGNET_REQUIRE_SERVICES=1`);
  console.warn(`\n!!! SKIPPING: ${msg}. Start it, or set SIGNET_TEST_REDIS_URL. CI sets SIGNET_REQUIRE_SERVICES=1 so this fails there.\n`);
  t.skip(msg);
  return false;
}

/** Debian's interpreter, not whatever `python3` is first on PATH (a pyenv one lacks Debian's packages). */
export const SYSTEM_PYTHON = '/usr/bin/python3';

/**
 * Tests that drive Debian's python3-authlib and python3-requests call this: a loud skip when
 * they are not installed locally, a failure under SIGNET_REQUIRE_SERVICES=1 (CI installs them).
 */
export function requirePythonAuthlib(t: { skip(msg: string): void }): boolean {
  const r = spawnSync(SYSTEM_PYTHON, ['-c', 'import authlib, requests'], { encoding: 'utf8' });
  if (r.status === 0) return true;
  const msg = `Debian's python3-authlib and python3-requests are not importable by ${SYSTEM_PYTHON}`;
  if (process.env.SIGNET_REQUIRE_SERVICES === '1') throw new Error(`${msg} and SIGNET_REQUIRE_SERVICES=1`);
  console.warn(`\n!!! SKIPPING: ${msg}. Run \`apt-get install -y python3-authlib python3-requests\` (CI does). CI sets SIGNET_REQUIRE_SERVICES=1 so this fails there.\n`);
  t.skip(msg);
  return false;
}
