import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { isIP } from 'node:net';
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
  /**
   * Keys that still open (never seal) stored secrets during a master-key rotation:
   * SIGNET_MASTER_KEY_PREVIOUS, and the data directory's master.key.next while a rotation
   * there is unfinished (see src/cli/master-key.ts).
   */
  otherMasterKeys: Buffer[];
  tls?: { cert: string; key: string };
  redisUrl?: string;
  logLevel: string;
  /** How long a log event may wait in memory to be written with others (a batch per flush). */
  logFlushMs: number;
  /** How long SIGTERM waits for in-flight requests before cutting their connections. */
  shutdownTimeoutMs: number;
  /** The most log events kept per tenant (newest first); see LogRetention. */
  logMaxEventsPerTenant: number;
  /** Which proxies' X-Forwarded-For entries to believe: none, a hop count, or their addresses/CIDRs. */
  trustProxy: TrustProxy;
  /** SIGNET_METRICS_PORT: /metrics is served on this port (a listener of its own) and not on the main one. */
  metricsPort?: number;
  /** SIGNET_METRICS_TENANT_LABELS=1: token counts are labelled with the tenant (see Metrics). */
  metricsTenantLabels: boolean;
  /** Requests worked on at once by one process; more wait, or under overload are answered 503 (see Admission). */
  maxInFlight: number;
  /** Open connections one process accepts; more are closed as they arrive. */
  maxConnections: number;
}

export type TrustProxy = false | number | string[];

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
  const shutdownTimeout = Number(env.SIGNET_SHUTDOWN_TIMEOUT ?? 10);
  if (!Number.isFinite(shutdownTimeout) || shutdownTimeout <= 0 || shutdownTimeout > 3600) {
    throw new Error(`SIGNET_SHUTDOWN_TIMEOUT must be a number of seconds between 0 and 3600, got "${env.SIGNET_SHUTDOWN_TIMEOUT}"`);
  }
  const logFlushMs = Number(env.SIGNET_LOG_FLUSH_MS ?? 50);
  if (!Number.isInteger(logFlushMs) || logFlushMs < 1 || logFlushMs > 60_000) {
    throw new Error(`SIGNET_LOG_FLUSH_MS must be a number of milliseconds between 1 and 60000, got "${env.SIGNET_LOG_FLUSH_MS}"`);
  }
  const logMaxEventsPerTenant = Number(env.SIGNET_LOG_MAX_EVENTS ?? 100_000);
  if (!Number.isInteger(logMaxEventsPerTenant) || logMaxEventsPerTenant < 1) {
    throw new Error(`SIGNET_LOG_MAX_EVENTS must be a positive integer, got "${env.SIGNET_LOG_MAX_EVENTS}"`);
  }
  const metricsPort = parseMetricsPort(env.SIGNET_METRICS_PORT, port);
  const metricsTenantLabels = parseFlag('SIGNET_METRICS_TENANT_LABELS', env.SIGNET_METRICS_TENANT_LABELS);
  const maxInFlight = positiveInteger(env, 'SIGNET_MAX_IN_FLIGHT', DEFAULT_MAX_IN_FLIGHT);
  const maxConnections = positiveInteger(env, 'SIGNET_MAX_CONNECTIONS', 10_000);
  const { key: masterKey, generated } = env.SIGNET_MASTER_KEY
    ? { key: parseMasterKey(env.SIGNET_MASTER_KEY), generated: false }
    : masterKeyFromDataDir(dataDir);
  const otherMasterKeys = env.SIGNET_MASTER_KEY ? [] : pendingMasterKey(dataDir);
  if (env.SIGNET_MASTER_KEY_PREVIOUS) otherMasterKeys.push(parseMasterKey(env.SIGNET_MASTER_KEY_PREVIOUS, 'SIGNET_MASTER_KEY_PREVIOUS'));
  return {
    port,
    bind: env.SIGNET_BIND ?? '0.0.0.0',
    publicUrl,
    databaseUrl: databaseUrlFrom(env),
    dataDir,
    masterKey,
    masterKeyGenerated: generated,
    otherMasterKeys,
    tls,
    redisUrl: env.SIGNET_REDIS_URL,
    logLevel: env.SIGNET_LOG_LEVEL ?? 'warn',
    shutdownTimeoutMs: shutdownTimeout * 1000,
    logFlushMs,
    logMaxEventsPerTenant,
    trustProxy: parseTrustProxy(env.SIGNET_TRUST_PROXY),
    ...(metricsPort !== undefined && { metricsPort }),
    metricsTenantLabels,
    maxInFlight,
    maxConnections,
  };
}

function parseMetricsPort(value: string | undefined, mainPort: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const port = Number(value);
  if (!/^\d{1,5}$/.test(value.trim()) || port < 1 || port > 65535) throw new Error(`SIGNET_METRICS_PORT must be a port number (1-65535), got "${value.slice(0, 32)}"`);
  if (port === mainPort) throw new Error(`SIGNET_METRICS_PORT must differ from PORT (${mainPort}): metrics get a listener of their own.`);
  return port;
}

function parseFlag(name: string, value: string | undefined): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === '0' || v === 'false') return false;
  if (v === '1' || v === 'true') return true;
  throw new Error(`${name} must be 1 or 0, got "${(value ?? '').slice(0, 32)}"`);
}

/**
 * Requests one process works on at once (more wait, or are shed: see Admission). 8 left the
 * cores idle while admitted requests waited on the thread pool and the group commit (1,450
 * tokens/s at 64 connections on 2 cores, against 1,600-2,000 with 32); 32 keeps the accepted p99
 * under twice the load within 2x the unloaded one (bench/overload.ts: 1.68).
 */
export const DEFAULT_MAX_IN_FLIGHT = 32;

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got "${raw.slice(0, 32)}"`);
  return n;
}

/**
 * SIGNET_DATABASE_URL, or the embedded SQLite file in the data directory. Commands that only
 * touch the database (migrate, backup) read this alone: they need no master key.
 */
export function databaseUrlFrom(env: NodeJS.ProcessEnv = process.env): string {
  return env.SIGNET_DATABASE_URL ?? `sqlite:${join(resolve(env.SIGNET_DATA_DIR ?? 'data'), 'signet.db')}`;
}

/**
 * SIGNET_TRUST_PROXY: unset/`false`/`0` trusts no proxy (the socket's peer is the client);
 * `N` trusts the N proxies nearest Signet (the client is the Nth address from the right of
 * X-Forwarded-For); a comma-separated list of addresses and CIDRs trusts proxies at those
 * addresses. `true` is refused: believing the whole header lets every client claim any address
 * (a fresh one per guess, past the sign-in throttle).
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? '').trim();
  if (v === '' || v === 'false' || v === '0') return false;
  if (v === 'true') {
    throw new Error(
      'SIGNET_TRUST_PROXY=true would believe every address in X-Forwarded-For, so any client could claim any address. ' +
        'Set it to the number of proxies in front of Signet (SIGNET_TRUST_PROXY=1 for one load balancer) ' +
        'or to their addresses (SIGNET_TRUST_PROXY=10.0.0.0/8,192.168.0.1).',
    );
  }
  if (/^\d{1,3}$/.test(v)) return Number(v);
  if (v.length > 4096) throw new Error('SIGNET_TRUST_PROXY is too long: give at most a few addresses or CIDR ranges.');
  return v.split(',').map((entry) => {
    const item = entry.trim();
    const [address = '', prefix, extra] = item.split('/');
    const family = isIP(address);
    const bits = family === 4 ? 32 : 128;
    const prefixOk = prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= bits);
    if (!family || !prefixOk || extra !== undefined) {
      throw new Error(
        `SIGNET_TRUST_PROXY: "${item.slice(0, 64)}" is not an IP address or CIDR range. ` +
          'Give a number of proxies (SIGNET_TRUST_PROXY=1) or their addresses (SIGNET_TRUST_PROXY=10.0.0.0/8,192.168.0.1).',
      );
    }
    return item;
  });
}

/** The data directory's key file, and the file a rotation writes its new key to before it re-seals anything. */
export const masterKeyFile = (dataDir: string) => join(dataDir, 'master.key');
export const pendingMasterKeyFile = (dataDir: string) => join(dataDir, 'master.key.next');

/**
 * The new key of a rotation interrupted after it wrote master.key.next: the database may
 * already be sealed with it (the crash came after the commit, before the rename), so it must
 * open values until `signet master-key rotate` runs again and finishes.
 */
function pendingMasterKey(dataDir: string): Buffer[] {
  const file = pendingMasterKeyFile(dataDir);
  if (!existsSync(file)) return [];
  restrictFile(file);
  return [parseMasterKey(readFileSync(file, 'utf8'), file)];
}

function masterKeyFromDataDir(dataDir: string): { key: Buffer; generated: boolean } {
  const file = masterKeyFile(dataDir);
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
