import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseMasterKey } from './domain/secret-box.ts';
import { ensurePrivateDirectory, restrictFile } from './store/sql/private-files.ts';

export interface Config {
  port: number;
  bind: string;
  /** Where the default tenant is served; its origin + "/" is that tenant's issuer. */
  publicUrl: URL;
  databaseUrl: string;
  dataDir: string;
  masterKey: Buffer;
  /** True when the master key was generated into the data directory on this start. */
  masterKeyGenerated: boolean;
  tls?: { cert: string; key: string };
  redisUrl?: string;
  logLevel: string;
  /** The most log events kept per tenant (newest first); see LogRetention. */
  logMaxEventsPerTenant: number;
}

/**
 * Reads configuration from the environment (see the README's table). The embedded default
 * needs nothing: SQLite under ./data and a master key generated there with mode 0600.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got "${env.PORT}"`);
  const dataDir = resolve(env.SIGNET_DATA_DIR ?? 'data');
  const tls = env.SIGNET_TLS_CERT && env.SIGNET_TLS_KEY ? { cert: readFileSync(env.SIGNET_TLS_CERT, 'utf8'), key: readFileSync(env.SIGNET_TLS_KEY, 'utf8') } : undefined;
  const publicUrl = new URL(env.SIGNET_PUBLIC_URL ?? `${tls ? 'https' : 'http'}://localhost:${port}`);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new Error('SIGNET_PUBLIC_URL must be an origin such as https://auth.example.com (tenants are told apart by host, not path)');
  }
  const logMaxEventsPerTenant = Number(env.SIGNET_LOG_MAX_EVENTS ?? 100_000);
  if (!Number.isInteger(logMaxEventsPerTenant) || logMaxEventsPerTenant < 1) {
    throw new Error(`SIGNET_LOG_MAX_EVENTS must be a positive integer, got "${env.SIGNET_LOG_MAX_EVENTS}"`);
  }
  const { key: masterKey, generated } = env.SIGNET_MASTER_KEY
    ? { key: parseMasterKey(env.SIGNET_MASTER_KEY), generated: false }
    : masterKeyFromDataDir(dataDir);
  return {
    port,
    bind: env.SIGNET_BIND ?? '0.0.0.0',
    publicUrl,
    databaseUrl: env.SIGNET_DATABASE_URL ?? `sqlite:${join(dataDir, 'signet.db')}`,
    dataDir,
    masterKey,
    masterKeyGenerated: generated,
    tls,
    redisUrl: env.SIGNET_REDIS_URL,
    logLevel: env.SIGNET_LOG_LEVEL ?? 'warn',
    logMaxEventsPerTenant,
  };
}

function masterKeyFromDataDir(dataDir: string): { key: Buffer; generated: boolean } {
  const file = join(dataDir, 'master.key');
  ensurePrivateDirectory(dataDir);
  if (existsSync(file)) {
    restrictFile(file);
    return { key: parseMasterKey(readFileSync(file, 'utf8')), generated: false };
  }
  try {
    writeFileSync(file, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another worker created it first: use theirs.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return { key: parseMasterKey(readFileSync(file, 'utf8')), generated: false };
  }
  chmodSync(file, 0o600);
  return { key: parseMasterKey(readFileSync(file, 'utf8')), generated: true };
}
